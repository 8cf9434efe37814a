"""The first screen when this machine kept the conversation list: the sidebar
as it was, drawn before the main screen (its chat widgets, Markdown, the
network client) is even imported, so a cached list is on the screen in a
third of a second. The main screen replaces it as soon as it is built, with
the same list in the same place; what was typed meanwhile reaches the main
screen then, in order (the app holds it: ``ErnieApp.on_event``).

It draws only: the layout, the list and the status line of the main screen
(``app.tcss`` and the widgets' own styles), nothing focused, no keys of its
own."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from ...api import Conversations
from ...sanitize import clean_line
from ..times import Times
from ..widgets.conversation_list import ConversationList
from ..widgets.sidebar import Sidebar
from ..widgets.status import StatusLine

__all__ = ["StartScreen"]


class StartScreen(Screen[None]):
    """The kept list and the conversation open last, while the app starts."""

    AUTO_FOCUS = None

    DEFAULT_CSS = """
    StartScreen #start-chat {
        height: 1fr;
    }
    """

    def __init__(
        self,
        conversations: Conversations,
        *,
        open_id: str,
        now: datetime,
        times: Times,
        account: str,
        server: str,
    ) -> None:
        super().__init__()
        self.conversations = conversations
        self.open_id = open_id
        self._now = now
        self._times = times
        self._account = account
        self._server = server

    def compose(self) -> ComposeResult:
        session = self.conversations.find(self.open_id) if self.open_id else None
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="conversation"):
                yield Static(
                    Text(clean_line(session.name) if session else ""), id="title", markup=False
                )
                yield Static("", id="start-chat", markup=False)
        yield StatusLine(id="status")

    def on_mount(self) -> None:
        listing = self.query_one(ConversationList)
        listing.set_conversations(self.conversations, self._now, self._times)
        listing.set_open(self.open_id or None)
        status = self.query_one(StatusLine)
        status.account = self._account
        status.server = self._server
        status.activity = "starting…"
