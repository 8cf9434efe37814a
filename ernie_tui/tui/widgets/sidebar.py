"""The sidebar: a filter box over the conversation list
(:class:`~.conversation_list.ConversationList`)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from .conversation_list import ConversationList
from .rows import short_date
from .text_input import TextInput

__all__ = ["ConversationList", "FilterBox", "Sidebar", "short_date"]


class FilterBox(TextInput):
    """The filter: Escape clears it, and a second Escape (or one on an empty
    filter) leaves it for the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "leave",
            "Clear filter",
            id="sidebar.filter_escape",
            tooltip="Clear the filter; again: back to the list.",
        ),
    ]

    class Left(Message):
        """The user left the filter box with Escape."""

    def action_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.post_message(self.Left())


class Sidebar(Vertical):
    """The filter box and the conversation list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "focus_list", "List", show=False),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="sidebar.filter",
            tooltip="Type in the filter above the list.",
            show=False,
        ),
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
        border: none;
        background: $primary 20%;
    }
    """

    def compose(self) -> ComposeResult:
        yield FilterBox(placeholder="Filter conversations…", id="filter", select_on_focus=False)
        yield ConversationList(id="conversations")

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.conversation_list.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter opens the first match."""
        event.stop()
        listing = self.conversation_list
        listing.focus()
        listing.action_first()
        # From the list itself: a message sent in the sidebar's own handler
        # would stop bubbling at the sidebar.
        listing.call_later(listing.action_select)

    @on(FilterBox.Left)
    def _filter_left(self) -> None:
        self.conversation_list.focus()

    def action_focus_list(self) -> None:
        self.conversation_list.focus()

    def action_focus_filter(self) -> None:
        """``/`` in the list (the filter box takes its own ``/`` as text)."""
        self.query_one(FilterBox).focus()
