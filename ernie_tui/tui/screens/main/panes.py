"""The main screen's panes and what they share: the widgets (sidebar, title,
history, composer, status line), the core objects behind them (the
conversation list, the ask flow, the drafts), the title bar, error reports,
and the view of each question being answered.

The layers above add the list (``listing.py``), the asking (``asking.py``)
and the keys and commands (``screen.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from ....backends import Backend, Chat, Conversations, ErnieError, NotSignedInError, Session
from ....core import AskFlow, ConversationState, Drafts, FlowEvent, Turn
from ....core.conversations import LIST_RETRY_DELAYS, NEW_CONVERSATION, ListRetry
from ....sanitize import clean_line
from ...host import ErnieScreen
from ...plain import plain
from ...times import times_of
from ...widgets.answer import StreamingAnswer
from ...widgets.composer import Composer
from ...widgets.footer import KeyFooter
from ...widgets.history import ChatView
from ...widgets.messages import Question
from ...widgets.sidebar import ConversationList, Sidebar
from ...widgets.status import StatusLine
from ..sync import SyncBar
from .keys import FOOTER_ORDER

__all__ = ["DRAFT_SAVE_DELAY", "Edit", "MainPanes", "TurnView"]

DRAFT_SAVE_DELAY = 1.0
"""Seconds after the last keystroke before the drafts are written to disk."""


@dataclass(eq=False)
class TurnView:
    """A question being answered (or that failed, for Retry), as shown: the
    core's turn and its widgets in the history pane."""

    turn: Turn
    question_widget: Question | None = None
    answer: StreamingAnswer | None = None

    @property
    def question(self) -> str:
        return self.turn.question

    @property
    def session_id(self) -> str:
        return self.turn.session_id

    @property
    def received(self) -> bool:
        return self.turn.received


@dataclass(frozen=True, slots=True)
class Edit:
    """A question of the history opened in the composer (Edit and resend):
    sending it branches from where that question was asked."""

    session_id: str
    before: list[Chat]
    """The conversation's messages before the question (what stays shown)."""
    parent: str
    """The answer the question followed (``"0"``: the start)."""


class MainPanes(ErnieScreen):
    """Conversations on the left, the open one on the right."""

    LIST_PAGE_SIZE: ClassVar[int] = 10_000
    """How many conversations the sidebar asks for (the web client asks for 1,000;
    the sidebar stays fast with 10,000)."""
    LIST_RETRY_DELAYS: ClassVar[tuple[float, ...]] = LIST_RETRY_DELAYS
    """Seconds between automatic re-fetches of the conversation list while the
    server is unreachable or failing (the last one repeats)."""

    def __init__(self, backend: Backend, drafts: Drafts) -> None:
        super().__init__()
        self.backend = backend
        self.drafts = drafts
        self.state = ConversationState(backend)
        self.list_retry = ListRetry(self.LIST_RETRY_DELAYS)
        self.flow = AskFlow(backend, self._on_flow)
        self.views: dict[Turn, TurnView] = {}
        """The view of the streaming turn and of the stopped or failed one."""
        self.editing: Edit | None = None
        """The question being edited in the composer (Edit and resend)."""
        self.loaded = False
        """Whether the first list has arrived and something was opened."""
        self._draft_timer: Timer | None = None
        self._retry_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="conversation"):
                yield Static("", id="title", markup=False)
                yield ChatView(id="chat")
                yield Composer(
                    id="composer", placeholder="Ask ERNIE… (Enter sends, ctrl+j new line)"
                )
        yield SyncBar(id="sync-bar")
        yield StatusLine(id="status")
        yield KeyFooter(FOOTER_ORDER)

    # -- the widgets --------------------------------------------------------------

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    # -- the state, as the tests and the layers above read it ----------------------

    @property
    def conversations(self) -> Conversations:
        return self.state.conversations

    @property
    def open_id(self) -> str:
        """The open conversation's id; empty for a new one not created yet."""
        return self.state.open_id

    @property
    def open_session(self) -> Session | None:
        return self.state.open_session

    @property
    def ask(self) -> TurnView | None:
        """The question whose answer is streaming."""
        turn = self.flow.current
        return self.views.get(turn) if turn is not None else None

    @property
    def failed(self) -> TurnView | None:
        """The last question whose answer failed."""
        turn = self.flow.failed
        return self.views.get(turn) if turn is not None else None

    @property
    def retryable(self) -> TurnView | None:
        """The last question whose answer stopped or failed (for Retry)."""
        turn = self.flow.retryable
        return self.views.get(turn) if turn is not None else None

    @property
    def streaming_here(self) -> bool:
        """Whether an answer streams in the open conversation, in view."""
        ask = self.ask
        return (
            ask is not None
            and ask.session_id == self.open_id
            and ask.answer is not None
            and ask.answer.is_attached
        )

    def name_of(self, session_id: str, default: str = "") -> str:
        """A conversation's name, on one line (``default`` if it is not listed)."""
        session = self.state.find(session_id)
        return clean_line(session.name if session is not None else default)

    def view_of(self, turn: Turn) -> TurnView:
        view = self.views.get(turn)
        if view is None:
            view = self.views[turn] = TurnView(turn)
        return view

    def _on_flow(self, event: FlowEvent) -> None:
        """The ask flow's events (``asking.py``)."""

    # -- helpers -------------------------------------------------------------------

    def now(self) -> datetime:
        return self.host.now()

    def key_for(self, action: str) -> str:
        """How the key of an action is shown (after the user's keymap)."""
        for key, active in self.active_bindings.items():
            if active.binding.action == action:
                return self.app.get_key_display(active.binding) or key
        return ""

    def target(self) -> Session | None:
        """The conversation an action applies to: the highlighted one when the
        list has focus, else the open one."""
        if self.conversation_list.has_focus:
            return self.conversation_list.highlighted
        return self.open_session

    def report(self, exc: ErnieError, *, resync: bool = True, title: str = "") -> None:
        """Tell the user what failed; re-sync the list from the server."""
        if isinstance(exc, NotSignedInError):
            self.save_drafts()
            self.host.sign_in_again(clean_line(exc.message))
            return
        self.notify(exc.message, title=title or "Error", severity="error", timeout=8, markup=False)
        if resync:
            self.refresh_conversations()

    def refresh_conversations(
        self, *, open_first: bool = False, open_id: str | None = None
    ) -> object:
        """Fetch the lists from the server and show them (``listing.py``)."""
        raise NotImplementedError

    def set_title(self) -> None:
        session = self.open_session
        if session is None and self.open_id:
            return
        self.status.model = self.backend.model_of(self.open_id)
        text = plain(session.name) if session else Content("New conversation")
        if session is not None and session.pinned:
            text = Content("📌 ") + text
        self.query_one("#title", Static).update(text)

    def show_conversations(self) -> None:
        """The list as the state holds it, in the sidebar and the title."""
        listing = self.conversation_list
        listing.set_conversations(self.state.conversations, self.now(), times_of(self.app))
        listing.set_open(self.open_id or None)
        self.set_title()

    def end_edit(self) -> None:
        """The composer holds an ordinary question again."""
        if self.editing is not None:
            self.editing = None
            self.composer.set_editing("")

    # -- drafts ---------------------------------------------------------------------

    def keep_draft(self) -> None:
        self.drafts.set(self.open_id, self.composer.text)
        self.schedule_draft_save()

    def schedule_draft_save(self) -> None:
        if not self.drafts.dirty:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_SAVE_DELAY, self.save_drafts)

    def save_drafts(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.drafts.save()

    def on_unmount(self) -> None:
        self.save_drafts()


_ = NEW_CONVERSATION  # re-exported for the layers above
