"""The main screen's keys: one table, which the footer, the help screen and
the user's ``[keymap]`` (by each binding's id) all read."""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["FOOTER_ORDER", "KEYS", "MORE_KEYS", "PAIRED_IDS"]

PAIRED_IDS = {"ernie.toggle_pin": "ernie.unpin"}
"""Two bindings on one key (the footer names the one that applies): a keymap
entry for the first moves both."""

FOOTER_ORDER = (
    "help",
    "submit",
    "stop",
    "new_conversation",
    "rename_conversation",
    "pin",
    "unpin",
    "delete_conversation",
    "share_conversation",
    "retry",
    "newline",
)
"""The footer's keys by priority: on a narrow screen the last give way first
(the palette key is always shown, at the right)."""

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
        "pin",
        "Pin",
        id="ernie.toggle_pin",
        tooltip="Pin the conversation to the top.",
    ),
    Binding(
        "ctrl+t",
        "unpin",
        "Unpin",
        id="ernie.unpin",
        tooltip="Unpin the conversation.",
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
    Binding(
        "f3",
        "export_conversation",
        "Export",
        id="ernie.export_conversation",
        tooltip="Save the conversation as Markdown or JSON.",
        show=False,
    ),
    Binding(
        "alt+m",
        "choose_model",
        "Model",
        id="ernie.choose_model",
        tooltip="Choose the model of the conversation (or of new ones).",
        show=False,
    ),
    Binding(
        "alt+w",
        "toggle_web_search",
        "Web search",
        id="ernie.toggle_web_search",
        tooltip="Let the answers search the web and cite it, or not.",
        show=False,
    ),
    Binding(
        "alt+p",
        "set_system_prompt",
        "System prompt",
        id="ernie.set_system_prompt",
        tooltip="Set the conversation's system prompt.",
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
    ("t / enter (history)", "Show or hide an answer's reasoning."),
]
"""Keys of the widgets themselves, listed in the help screen after the table's."""
