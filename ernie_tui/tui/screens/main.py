"""The main screen: sidebar, history pane, composer and status line.

It owns the state (the conversation list, the open conversation, the answer
being streamed), calls the client in workers, and reacts to the messages its
widgets post.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker

from ...api import (
    Chat,
    Conversations,
    ErnieClient,
    ErnieError,
    NetworkError,
    NotSignedInError,
    ServiceError,
    Session,
)
from ...sanitize import clean_line
from ..drafts import NEW_CONVERSATION, Drafts
from ..plain import plain
from ..widgets.chat import ChatView, Question, StreamingAnswer
from ..widgets.composer import Composer
from ..widgets.sidebar import ConversationList, Sidebar
from ..widgets.status import StatusLine
from ._base import ErnieScreen
from .dialogs import ConfirmDialog, LinkDialog, RenameDialog, ShareDialog, ShareScope
from .help import HelpScreen
from .shares import SharesScreen

if TYPE_CHECKING:
    pass

__all__ = ["MainScreen", "short_name"]

NAME_LENGTH = 20
NEW_HINT = (
    "New conversation. Type a question below: Enter sends, ctrl+j starts a new line. "
    "Its first question names it."
)
DRAFT_SAVE_DELAY = 1.0
YIELD_EVERY = 0.02
"""Seconds an answer stream may hold the event loop before it lets the UI run."""
NETWORK_WAIT = 0.002
"""An answer increment that took longer than this to arrive was waited for."""
GATHER = 0.025
"""After waiting for an increment, the stream lets later ones gather this long
and reads them together (at 100 increments a second, one read per two or three)."""


def short_name(question: str, limit: int = NAME_LENGTH) -> str:
    """A new conversation's name: its first question on one line, shortened."""
    text = " ".join(question.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class _Ask:
    """One question being answered (or that failed, for Retry)."""

    question: str
    session_id: str
    parent: str
    name: str
    key: str
    answer: StreamingAnswer | None = None
    question_widget: Question | None = None
    worker: Worker[None] | None = None
    received: bool = False
    bot_chat_id: str = ""
    ids: list[str] = field(default_factory=list)


class MainScreen(ErnieScreen):
    """Conversations on the left, the open one on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+n",
            "new_conversation",
            "New",
            id="ernie.new_conversation",
            tooltip="Start a new, empty conversation.",
        ),
        Binding(
            "f2",
            "rename_conversation",
            "Rename",
            id="ernie.rename_conversation",
            tooltip="Rename the conversation.",
        ),
        Binding(
            "ctrl+t",
            "toggle_pin",
            "Pin",
            id="ernie.toggle_pin",
            tooltip="Pin the conversation to the top, or unpin it.",
        ),
        Binding(
            "f8",
            "delete_conversation",
            "Delete",
            id="ernie.delete_conversation",
            tooltip="Delete the conversation (asks first).",
        ),
        Binding(
            "shift+f8,f9",
            "delete_conversations",
            "Delete marked",
            id="ernie.delete_conversations",
            tooltip="Delete the conversations marked with space in the sidebar (asks first).",
            show=False,
        ),
        Binding(
            "ctrl+s",
            "share_conversation",
            "Share",
            id="ernie.share_conversation",
            tooltip="Share the conversation or the selected answer and copy the link.",
        ),
        Binding(
            "ctrl+o",
            "manage_shares",
            "Shares",
            id="ernie.manage_shares",
            tooltip="List your shared links; delete one or all.",
            show=False,
        ),
        Binding(
            "f4",
            "copy_last_answer",
            "Copy",
            id="ernie.copy_last_answer",
            tooltip="Copy the last answer to the clipboard (OSC 52: works over SSH).",
            show=False,
        ),
        Binding(
            "escape",
            "stop",
            "Stop",
            id="ernie.stop",
            tooltip="Stop the answer that is streaming; what arrived stays.",
        ),
        Binding(
            "ctrl+r",
            "retry",
            "Retry",
            id="ernie.retry",
            tooltip="Ask again the question whose answer failed or was cut off.",
            show=False,
        ),
        Binding(
            "ctrl+b",
            "toggle_sidebar",
            "Sidebar",
            id="ernie.toggle_sidebar",
            tooltip="Hide or show the conversation list.",
            show=False,
        ),
        Binding(
            "ctrl+f",
            "focus_filter",
            "Filter",
            id="ernie.focus_filter",
            tooltip="Filter the conversation list by name.",
            show=False,
        ),
        Binding(
            "ctrl+l",
            "focus_composer",
            "Compose",
            id="ernie.focus_composer",
            tooltip="Move to the question box.",
            show=False,
        ),
        Binding("f1", "help", "Help", id="ernie.help", tooltip="Show every key and what it does."),
    ]

    LIST_PAGE_SIZE: ClassVar[int] = 10_000
    """How many conversations the sidebar asks for (the web client asks for 1,000;
    the sidebar stays fast with 10,000)."""
    LIST_RETRY_DELAYS: ClassVar[tuple[float, ...]] = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
    """Seconds between automatic re-fetches of the conversation list while the
    server is unreachable or failing (HTTP 5xx); the last delay repeats."""

    def __init__(self, client: ErnieClient, drafts: Drafts) -> None:
        super().__init__()
        self.client = client
        self.drafts = drafts
        self.conversations = Conversations()
        self.open_id: str = NEW_CONVERSATION
        """The open conversation's id; empty for a new one not created yet."""
        self.parent_chat_id = "0"
        self.history_answer_ids: list[str] = []
        self.ask: _Ask | None = None
        """The question whose answer is streaming."""
        self.failed: _Ask | None = None
        """The last question whose answer failed (for Retry)."""
        self.loaded = False
        self._blink: bool | None = None
        """The composer's cursor blink setting while a stream holds it steady."""
        self._draft_timer: Timer | None = None
        self._list_failures = 0
        self._list_retry: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="conversation"):
                yield Static("", id="title", markup=False)
                yield ChatView(id="chat")
                yield Composer(
                    id="composer", placeholder="Ask ERNIE… (Enter sends, ctrl+j new line)"
                )
        yield StatusLine(id="status")
        yield Footer(compact=True)

    # -- helpers ------------------------------------------------------------------

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

    @property
    def open_session(self) -> Session | None:
        return self.conversations.find(self.open_id) if self.open_id else None

    def now(self) -> datetime:
        return self.ernie_app.now()

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
            self.ernie_app.sign_in_again(clean_line(exc.message))
            return
        self.notify(clean_line(exc.message), title=title or "Error", severity="error", timeout=8)
        if resync:
            self.refresh_conversations()

    def _set_title(self) -> None:
        session = self.open_session
        if session is None and self.open_id:
            return
        text = plain(session.name) if session else Content("New conversation")
        if session is not None and session.pinned:
            text = Content("📌 ") + text
        self.query_one("#title", Static).update(text)

    # -- start ---------------------------------------------------------------------

    def on_mount(self) -> None:
        app = self.ernie_app
        credential = app.credential
        self.status.account = credential.masked if credential else ""
        if credential is not None and credential.source == "demo":
            self.status.account += " (offline demo)"
        self.status.server = self.client.host
        self.composer.set_text(self.drafts.get(NEW_CONVERSATION))
        self._set_title()
        self.composer.focus()
        self.chat.loading = True
        self.refresh_conversations(open_first=True)

    def on_unmount(self) -> None:
        self.save_drafts()

    # -- the conversation list ---------------------------------------------------------

    @work(exclusive=True, group="sessions", exit_on_error=False)
    async def refresh_conversations(
        self, *, open_first: bool = False, open_id: str | None = None
    ) -> None:
        """Fetch the lists from the server and show them."""
        self.status.activity = "loading conversations…"
        try:
            conversations = await self._fetch_conversations()
        except ErnieError as exc:
            self.status.activity = ""
            if open_first:
                self.chat.loading = False
                await self.chat.show_empty(
                    "Could not load your conversations. Press ctrl+n to start a new one; "
                    "the list is fetched again automatically."
                )
            first_failure = self._list_failures == 0
            if not self._retry_list_later(exc) or (open_first and first_failure):
                self.report(exc, resync=False, title="Could not load conversations")
            return
        self._list_failures = 0
        if self._list_retry is not None:
            self._list_retry.stop()
            self._list_retry = None
        self.status.activity = ""
        self.set_conversations(conversations)
        if open_id is not None:
            session = conversations.find(open_id)
            if session is not None:
                self.open_conversation(session)
                return
        if open_first:
            self.loaded = True
            first = (conversations.normal or conversations.top or (None,))[0]
            if first is None:
                self.chat.loading = False
                await self.start_new_conversation()
            else:
                self.open_conversation(first)

    async def _fetch_conversations(self) -> Conversations:
        """The list: the one the app started fetching at launch (once), else a
        fresh request."""
        prefetched = self.ernie_app.take_prefetched_list(self.LIST_PAGE_SIZE)
        if prefetched is not None:
            try:
                return await prefetched.result()
            except ErnieError:
                raise
            except Exception as exc:  # the early fetch itself broke: ask again
                self.log.warning(f"start-up list fetch failed ({type(exc).__name__})")
        return await self.client.list_conversations(self.LIST_PAGE_SIZE)

    def _retry_list_later(self, exc: ErnieError) -> bool:
        """After a network error or an HTTP 5xx, fetch the list again later, with
        back-off (the status line says when). Returns whether it will."""
        if not isinstance(exc, NetworkError) and not (
            isinstance(exc, ServiceError) and (exc.status or 0) >= 500
        ):
            return False
        delays = self.LIST_RETRY_DELAYS
        delay = delays[min(self._list_failures, len(delays) - 1)]
        self._list_failures += 1
        if self._list_retry is not None:
            self._list_retry.stop()
        self._list_retry = self.set_timer(delay, self._retry_list)
        what = "server unreachable" if isinstance(exc, NetworkError) else "server error"
        self.status.activity = f"{what}: conversations not loaded, retrying in {delay:g} s"
        return True

    def _retry_list(self) -> None:
        self._list_retry = None
        # Open the first conversation only if nothing was opened or asked meanwhile.
        first = not self.loaded and self.open_id == NEW_CONVERSATION and self.ask is None
        self.refresh_conversations(open_first=first)

    def set_conversations(self, conversations: Conversations) -> None:
        # A conversation created by a streaming answer may not be listed yet.
        if self.open_id and conversations.find(self.open_id) is None:
            current = self.open_session
            if (
                current is not None
                and self.ask is not None
                and self.ask.session_id == current.session_id
            ):
                conversations = Conversations(conversations.top, (current, *conversations.normal))
        self.conversations = conversations
        listing = self.conversation_list
        listing.set_conversations(conversations, self.now())
        listing.set_open(self.open_id or None)
        self._set_title()

    def _update_session(self, session_id: str, **changes: Any) -> Session | None:
        """Change a conversation locally (until the next re-sync)."""
        top = list(self.conversations.top)
        normal = list(self.conversations.normal)
        found: Session | None = None
        for bucket in (top, normal):
            for index, session in enumerate(bucket):
                if session.session_id == session_id:
                    found = dataclasses.replace(session, **changes)
                    del bucket[index]
                    break
        if found is None:
            return None
        if found.pinned:
            top.insert(0, found)
        else:
            normal.insert(0, found)
        self.set_conversations(Conversations(tuple(top), tuple(normal)))
        return found

    def _remove_sessions(self, session_ids: Iterable[str]) -> None:
        gone = set(session_ids)
        self.set_conversations(
            Conversations(
                tuple(s for s in self.conversations.top if s.session_id not in gone),
                tuple(s for s in self.conversations.normal if s.session_id not in gone),
            )
        )

    @on(ConversationList.Selected)
    def _on_selected(self, event: ConversationList.Selected) -> None:
        self.open_conversation(event.session)
        self.composer.focus()

    @on(ConversationList.MarkToggled)
    def _on_mark(self, event: ConversationList.MarkToggled) -> None:
        count = len(self.conversation_list.marked)
        if count:
            key = self.key_for("delete_conversations")
            self.status.activity = f"{count} marked ({key}: delete them)"
        else:
            self.status.activity = ""

    # -- opening a conversation ------------------------------------------------------

    def _keep_draft(self) -> None:
        self.drafts.set(self.open_id, self.composer.text)
        self._schedule_draft_save()

    def open_conversation(self, session: Session) -> None:
        """Show a conversation: its history loads in a worker."""
        self._keep_draft()
        self.open_id = session.session_id
        self.parent_chat_id = "0"
        self.history_answer_ids = []
        self.conversation_list.set_open(session.session_id)
        self._set_title()
        self.composer.set_text(self.drafts.get(session.session_id))
        self.chat.loading = True
        self._load_history(session)

    @work(exclusive=True, group="history", exit_on_error=False)
    async def _load_history(self, session: Session) -> None:
        try:
            detail = await self.client.get_conversation_detail(session.session_id, base=session)
        except ErnieError as exc:
            if self.open_id == session.session_id:
                self.chat.loading = False
                await self.chat.show_empty(
                    "Could not load this conversation. Select it again to retry."
                )
            self.report(exc, title="Could not load the conversation")
            return
        if self.open_id != session.session_id:
            return  # the user chose another one meanwhile
        if detail is None:
            self.chat.loading = False
            await self.chat.show_empty("This conversation no longer exists.")
            self.notify(
                "That conversation no longer exists on the server; the list was refreshed.",
                severity="warning",
            )
            self.refresh_conversations()
            return
        chats: list[Chat] = list(detail.messages)
        ask = self.ask
        streaming_here = ask is not None and ask.session_id == session.session_id
        if streaming_here and ask is not None:
            skip = set(ask.ids)
            chats = [c for c in chats if c.chat_id not in skip]
            if chats and chats[-1].role == "user" and chats[-1].text == ask.question:
                chats.pop()
        self.parent_chat_id = detail.current_chat_id or "0"
        self.history_answer_ids = [c.chat_id for c in detail.messages if c.role == "robot"]
        await self.chat.show_chats(chats, empty_text="No messages yet. Ask something below.")
        self.chat.loading = False
        if streaming_here and ask is not None:
            await self._reattach(ask)

    async def _reattach(self, ask: _Ask) -> None:
        """Show again an answer that kept streaming while another conversation
        was open."""
        ask.question_widget = await self.chat.add_question(ask.question)
        old = ask.answer
        answer = StreamingAnswer(retry_hint=self.key_for("retry"))
        if old is not None:
            answer.append(old.text)
        ask.answer = answer
        await self.chat.add_answer(answer)

    async def start_new_conversation(self) -> None:
        self._keep_draft()
        self.open_id = NEW_CONVERSATION
        self.parent_chat_id = "0"
        self.history_answer_ids = []
        self.conversation_list.set_open(None)
        self._set_title()
        self.composer.set_text(self.drafts.get(NEW_CONVERSATION))
        self.workers.cancel_group(self, "history")
        self.chat.loading = False
        await self.chat.show_empty(NEW_HINT)

    # -- drafts -------------------------------------------------------------------------

    @on(Composer.DraftChanged)
    def _on_composer_changed(self, event: Composer.DraftChanged) -> None:
        self.drafts.set(self.open_id, event.text)
        self._schedule_draft_save()

    def _schedule_draft_save(self) -> None:
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

    # -- asking ----------------------------------------------------------------------------

    @on(Composer.Submitted)
    async def _on_submitted(self, event: Composer.Submitted) -> None:
        text = event.text
        if not text.strip():
            return
        limit = self.ernie_app.config.question_limit
        if len(text) > limit:
            self.notify(
                f"The question is {len(text):,} characters long; the limit is {limit:,}. "
                "Shorten it and send again.",
                title="Question too long",
                severity="warning",
            )
            return
        if self.ask is not None:
            if self.ask.question != text:
                self.notify(
                    "An answer is still streaming. Wait for it, or press "
                    f"{self.key_for('stop') or 'escape'} to stop it.",
                    severity="warning",
                )
            return
        session_id = self.open_id
        ask = _Ask(
            question=text,
            session_id=session_id,
            parent=self.parent_chat_id if session_id else "0",
            name=short_name(text),
            key=session_id,
        )
        self.ask = ask  # set before any await: a second Enter sends nothing
        self.failed = None
        self.composer.set_text("")
        self.drafts.set(session_id, "")
        self._schedule_draft_save()
        await self._start(ask)

    async def _start(self, ask: _Ask) -> None:
        self.status.streaming = True
        # A steady cursor while an answer streams: each blink is a repaint.
        if self.status.streaming and self._blink is None:
            self._blink = self.composer.cursor_blink
            self.composer.cursor_blink = False
        self.composer.add_class("-busy")
        if ask.question_widget is None or not ask.question_widget.is_attached:
            ask.question_widget = await self.chat.add_question(ask.question)
        ask.answer = StreamingAnswer(retry_hint=self.key_for("retry"))
        await self.chat.add_answer(ask.answer)
        ask.worker = self._stream_answer(ask)

    @work(group="ask", exit_on_error=False)
    async def _stream_answer(self, ask: _Ask) -> None:
        stream = None
        try:
            async with self.client.ask_stream(
                ask.question,
                ask.session_id,
                ask.parent,
                session_name=None if ask.session_id else ask.name,
            ) as stream:
                loop = asyncio.get_running_loop()
                asked = loop.time()
                breather = asked + YIELD_EVERY
                async for piece in stream:
                    arrived = loop.time()
                    if arrived > breather:
                        # A fast stream never suspends the loop (the bytes are
                        # already there): let the UI in, or it freezes.
                        await asyncio.sleep(0)
                        breather = loop.time() + YIELD_EVERY
                    if stream.session_id and not ask.session_id:
                        self._created(ask, stream.session_id)
                    ask.bot_chat_id = stream.bot_chat_id
                    answer_widget = ask.answer
                    if answer_widget is not None:
                        answer_widget.chat_id = ask.bot_chat_id
                        if piece.text:
                            ask.received = True
                            answer_widget.append(piece.text)
                    if arrived - asked > NETWORK_WAIT:
                        # This piece was waited for: a trickling stream. Let
                        # the next ones pile up and read them together (one
                        # read through httpx costs more than the piece's own
                        # work; the screen shows them 8 times a second anyway).
                        await asyncio.sleep(GATHER)
                    asked = loop.time()
                if stream.session_id and not ask.session_id:
                    self._created(ask, stream.session_id)
                answer = stream.answer
            assert answer is not None
            ask.bot_chat_id = answer.bot_chat_id or stream.bot_chat_id
            self._finished(ask)
            if ask.answer is not None:
                ask.answer.chat_id = ask.bot_chat_id
                ask.answer.finish(answer.text, answer.urls)
            if ask.bot_chat_id:
                self.history_answer_ids.append(ask.bot_chat_id)
            if self.open_id == ask.session_id and ask.bot_chat_id:
                self.parent_chat_id = ask.bot_chat_id
            self.refresh_conversations()
        except asyncio.CancelledError:
            self._finished(ask)
            if stream is not None and stream.bot_chat_id:
                ask.bot_chat_id = stream.bot_chat_id
            if ask.answer is not None:
                ask.answer.mark_stopped()
            if ask.received and ask.bot_chat_id and self.open_id == ask.session_id:
                self.parent_chat_id = ask.bot_chat_id
            raise
        except ErnieError as exc:
            self._finished(ask)
            await self._failed(ask, exc)

    def _finished(self, ask: _Ask) -> None:
        if self.ask is ask:
            self.ask = None
        self.status.streaming = False
        if self._blink is not None:
            self.composer.cursor_blink, self._blink = self._blink, None
        self.composer.remove_class("-busy")

    async def _failed(self, ask: _Ask, exc: ErnieError) -> None:
        self.failed = ask
        if not ask.received:
            # Nothing arrived: take the question back to the composer.
            for widget in (ask.answer, ask.question_widget):
                if widget is not None and widget.is_attached:
                    await widget.remove()
            ask.answer = None
            ask.question_widget = None
            if self.open_id == ask.session_id:
                if not self.composer.text.strip():
                    self.composer.set_text(ask.question)
                    self.drafts.set(ask.session_id, ask.question)
            elif not self.drafts.get(ask.session_id):
                self.drafts.set(ask.session_id, ask.question)
            self._schedule_draft_save()
        elif ask.answer is not None:
            ask.answer.mark_incomplete()
        self.report(exc, title="The answer failed")

    def _created(self, ask: _Ask, session_id: str) -> None:
        """A new conversation got its id from the first answer."""
        old_key = ask.key
        ask.session_id = session_id
        ask.key = session_id
        self.drafts.move(old_key, session_id)
        session = Session(
            session_id=session_id,
            name=ask.name,
            create_time=self.now().strftime("%Y-%m-%d %H:%M:%S"),
        )
        viewing = self.open_id == NEW_CONVERSATION
        if viewing:
            self.open_id = session_id
        self.set_conversations(
            Conversations(self.conversations.top, (session, *self.conversations.normal))
        )

    # -- actions: managing conversations -----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.ask is not None else None
        if action == "retry":
            return True if self.failed is not None else None
        return True

    async def action_new_conversation(self) -> None:
        await self.start_new_conversation()
        self.composer.focus()

    def action_focus_composer(self) -> None:
        self.composer.focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.toggle_class("-hidden")
        if sidebar.has_class("-hidden") and sidebar.has_focus_within:
            self.composer.focus()

    def action_focus_filter(self) -> None:
        self.sidebar.remove_class("-hidden")
        self.query_one("#filter", Input).focus()

    def action_rename_conversation(self) -> None:
        session = self.target()
        if session is None:
            self.notify("Open or highlight a conversation to rename it.", severity="warning")
            return

        def renamed(name: str | None) -> None:
            if name is not None and name.strip() and name != session.name:
                self._rename(session, name.strip())

        self.app.push_screen(RenameDialog(clean_line(session.name)), renamed)

    @work(group="manage", exit_on_error=False)
    async def _rename(self, session: Session, name: str) -> None:
        try:
            await self.client.rename_conversation(session.session_id, name)
        except ErnieError as exc:
            self.report(exc, title="Rename failed")
            return
        top = list(self.conversations.top)
        normal = list(self.conversations.normal)
        for bucket in (top, normal):
            for index, s in enumerate(bucket):
                if s.session_id == session.session_id:
                    bucket[index] = dataclasses.replace(s, name=name)
        self.set_conversations(Conversations(tuple(top), tuple(normal)))
        self.notify(f"Renamed to “{clean_line(name)}”.")

    def action_toggle_pin(self) -> None:
        session = self.target()
        if session is None:
            self.notify("Open or highlight a conversation to pin it.", severity="warning")
            return
        self._pin(session, not session.pinned)

    @work(group="manage", exit_on_error=False)
    async def _pin(self, session: Session, pinned: bool) -> None:
        try:
            if pinned:
                await self.client.pin_conversation(session.session_id)
            else:
                await self.client.unpin_conversation(session.session_id)
        except ErnieError as exc:
            self.report(exc, title="Pin failed" if pinned else "Unpin failed")
            return
        self._update_session(session.session_id, pinned=pinned)
        self.conversation_list.set_open(self.open_id or None)
        self.notify(
            f"{'Pinned' if pinned else 'Unpinned'} “{clean_line(session.name)}”.", timeout=3
        )
        self.refresh_conversations()

    def action_delete_conversation(self) -> None:
        session = self.target()
        if session is None:
            self.notify("Open or highlight a conversation to delete it.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete([session])

        self.app.push_screen(
            ConfirmDialog(
                "Delete conversation",
                f"Delete “{clean_line(session.name)}”? This cannot be undone.",
                "Delete",
            ),
            confirmed,
        )

    def action_delete_conversations(self) -> None:
        marked = self.conversation_list.marked
        sessions = [s for s in self.conversations.all() if s.session_id in marked]
        if not sessions:
            self.notify(
                "No conversations are marked. Mark them in the sidebar with space first.",
                severity="warning",
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(sessions)

        count = len(sessions)
        self.app.push_screen(
            ConfirmDialog(
                "Delete conversations",
                f"Delete {count} marked conversation{'s' if count != 1 else ''}? "
                "This cannot be undone.",
                f"Delete {count}",
            ),
            confirmed,
        )

    @work(group="manage", exit_on_error=False)
    async def _delete(self, sessions: list[Session]) -> None:
        ids = [s.session_id for s in sessions]
        ask = self.ask
        if ask is not None and ask.session_id in ids and ask.worker is not None:
            ask.worker.cancel()  # stop the answer of a conversation being deleted
        # The conversation to open if the open one goes: the next one listed.
        listed = self.conversation_list.visible_sessions()
        following: Session | None = None
        if self.open_id in ids:
            index = next(
                (i for i, s in enumerate(listed) if s.session_id == self.open_id), len(listed)
            )
            rest = [s for s in listed[index + 1 :] if s.session_id not in ids] + [
                s for s in reversed(listed[:index]) if s.session_id not in ids
            ]
            following = rest[0] if rest else None
        try:
            if len(ids) == 1:
                await self.client.delete_conversation(ids[0])
            else:
                await self.client.delete_conversations(ids)
        except ErnieError as exc:
            self.report(exc, title="Delete failed")
            return
        was_open = self.open_id in ids
        self.conversation_list.marked.difference_update(ids)
        self.drafts.forget(ids)
        self._schedule_draft_save()
        if self.failed is not None and self.failed.session_id in ids:
            self.failed = None
        self._remove_sessions(ids)
        self.status.activity = ""
        if len(ids) == 1:
            self.notify(f"Deleted “{clean_line(sessions[0].name)}”.", timeout=3)
        else:
            self.notify(f"Deleted {len(ids)} conversations.", timeout=3)
        if was_open:
            self.open_id = NEW_CONVERSATION
            if following is not None:
                self.open_conversation(following)
            else:
                await self.start_new_conversation()
        self.refresh_conversations()

    def action_share_conversation(self) -> None:
        session = self.open_session
        if session is None:
            self.notify("Open a conversation with an answer to share it.", severity="warning")
            return
        selected = self.chat.selected or self.chat.last_answer()
        answer_id = selected.chat_id if selected is not None else ""
        all_ids = [i for i in self.history_answer_ids if i]
        if not all_ids and not answer_id:
            self.notify("This conversation has no answer to share yet.", severity="warning")
            return

        def chosen(scope: ShareScope | None) -> None:
            if scope == "all":
                self._share(session, all_ids or [answer_id])
            elif scope == "answer" and answer_id:
                self._share(session, [answer_id])

        self.app.push_screen(ShareDialog(clean_line(session.name), bool(answer_id)), chosen)

    @work(group="manage", exit_on_error=False)
    async def _share(self, session: Session, chat_ids: list[str]) -> None:
        try:
            key = await self.client.share_conversation(session.session_id, chat_ids)
        except ErnieError as exc:
            self.report(exc, title="Share failed")
            return
        url = clean_line(self.client.share_url(key))
        self.app.copy_to_clipboard(url)
        self.app.push_screen(LinkDialog(url, True))

    def action_manage_shares(self) -> None:
        self.app.push_screen(SharesScreen(self.client))

    def action_copy_last_answer(self) -> None:
        answer = self.chat.last_answer()
        if answer is None or not answer.text:
            self.notify("There is no answer to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(answer.text)
        self.notify(
            f"Copied the last answer ({len(answer.text):,} characters) to the clipboard.",
            timeout=3,
        )

    def action_stop(self) -> None:
        ask = self.ask
        if ask is not None and ask.worker is not None:
            ask.worker.cancel()

    async def action_retry(self) -> None:
        failed = self.failed
        if failed is None:
            self.notify("There is no failed answer to retry.", severity="warning")
            return
        if self.ask is not None:
            self.notify("An answer is still streaming.", severity="warning")
            return
        if failed.session_id != self.open_id:
            self.notify(
                "Open the conversation whose answer failed to retry it.", severity="warning"
            )
            return
        self.failed = None
        if failed.answer is not None and failed.answer.is_attached:
            await failed.answer.remove()
        retry = _Ask(
            question=failed.question,
            session_id=failed.session_id,
            parent=failed.parent,
            name=failed.name,
            key=failed.key,
            question_widget=failed.question_widget,
        )
        if not failed.received and self.composer.text == failed.question:
            self.composer.set_text("")
            self.drafts.set(failed.key, "")
        self.ask = retry
        await self._start(retry)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_keys()))

    def help_keys(self) -> list[tuple[str, str]]:
        """Every active key and what it does, for the help screen."""
        keys: dict[str, list[str]] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            # The app's own keys (they all have ids) and Quit; not the text
            # box's cursor keys.
            if binding.system or (binding.id is None and binding.action != "quit"):
                continue
            description = binding.tooltip or binding.description or binding.action
            display = self.app.get_key_display(binding) or key
            shown = keys.setdefault(description, [])
            if display not in shown:
                shown.append(display)
        rows = [(" / ".join(shown), description) for description, shown in keys.items()]
        rows += [
            ("ctrl+p", "Open the command palette (every command by name)."),
            ("tab / shift+tab", "Move between the filter, the list, the history and the question."),
            ("↑ ↓ enter (list)", "Move in the conversation list; enter opens one."),
            ("space (list)", "Mark or unmark a conversation for Delete conversations."),
            ("shift+↑/↓ (history)", "Select an answer (for Share conversation)."),
            ("home / end (history)", "Jump to the oldest / the newest message."),
            ("pgup / pgdn (history)", "Scroll the history; older messages come back as you go."),
        ]
        return rows

    # -- command palette --------------------------------------------------------------------

    def commands(self) -> Iterable[SystemCommand]:
        """The palette's commands for this screen, named as in the docs."""
        session = self.target()
        pin_title = "Unpin conversation" if session and session.pinned else "Pin conversation"
        items: list[tuple[str, str, Callable[[], Any]]] = [
            ("New conversation", "Start a new, empty conversation", self.action_new_conversation),
            ("Rename conversation", "Rename the conversation", self.action_rename_conversation),
            (
                pin_title,
                "Move it between the Pinned and Conversations sections",
                self.action_toggle_pin,
            ),
            (
                "Delete conversation",
                "Delete the conversation (asks first)",
                self.action_delete_conversation,
            ),
            (
                "Delete conversations",
                "Delete the marked conversations (asks first)",
                self.action_delete_conversations,
            ),
            (
                "Share conversation",
                "Share it or the selected answer; copies the link",
                self.action_share_conversation,
            ),
            ("Manage shares", "List and delete your shared links", self.action_manage_shares),
            (
                "Copy last answer",
                "Copy the last answer to the clipboard",
                self.action_copy_last_answer,
            ),
            ("Retry", "Ask again the question whose answer failed", self.action_retry),
            ("Toggle sidebar", "Hide or show the conversation list", self.action_toggle_sidebar),
            ("Help", "Every key and what it does", self.action_help),
        ]
        for title, help_text, callback in items:
            yield SystemCommand(title, help_text, callback)
