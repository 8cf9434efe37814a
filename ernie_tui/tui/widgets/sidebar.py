"""The sidebar: a filter box over the conversation list
(:class:`~.conversation_list.ConversationList`)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input

from .conversation_list import ConversationList
from .rows import short_date

__all__ = ["ConversationList", "Sidebar", "short_date"]


class Sidebar(Vertical):
    """The filter box and the conversation list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "focus_list", "List", show=False),
    ]

    DEFAULT_CSS = """
    Sidebar {
        width: 32;
        max-width: 36%;
        height: 1fr;
        border-right: vkey $panel-lighten-2;
        background: $surface;
    }
    Sidebar > Input {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    Sidebar > Input:focus {
        background: $primary 20%;
    }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter conversations…", id="filter")
        yield ConversationList(id="conversations")

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.conversation_list.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.conversation_list.focus()

    def action_focus_list(self) -> None:
        self.conversation_list.focus()
