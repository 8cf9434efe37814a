"""The main screen's keys: one table, which the footer, the help screen and
the user's ``[keymap]`` (by each binding's id) all read."""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["KEYS", "MORE_KEYS"]

KEYS: list[BindingType] = [
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

MORE_KEYS: list[tuple[str, str]] = [
    ("ctrl+p", "Open the command palette (every command by name)."),
    ("tab / shift+tab", "Move between the filter, the list, the history and the question."),
    ("↑ ↓ enter (list)", "Move in the conversation list; enter opens one."),
    ("space (list)", "Mark or unmark a conversation for Delete conversations."),
    ("shift+↑/↓ (history)", "Select an answer (for Share conversation)."),
    ("home / end (history)", "Jump to the oldest / the newest message."),
    ("pgup / pgdn (history)", "Scroll the history; older messages come back as you go."),
]
"""Keys of the widgets themselves, listed in the help screen after the table's."""
