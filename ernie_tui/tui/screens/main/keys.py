"""The main screen's commands: one table (:data:`COMMANDS`), from which come
the screen's key bindings (:data:`KEYS`, which the footer and the user's
``[keymap]`` read by each binding's id), the command palette and the help
screen. A row is a key of the screen itself, or (``where``) a key of one of
its widgets that the help lists; a row with a ``title`` is also a palette
command, which runs the screen's ``action_<action>``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

__all__ = [
    "COMMANDS",
    "FOOTER_ORDER",
    "KEYS",
    "PAIRED_IDS",
    "SECTIONS",
    "Command",
    "key_text",
]

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


@dataclass(frozen=True, slots=True)
class Command:
    """One row of the table: a key, what it does, and its palette name."""

    section: str
    key: str
    """Textual key names, comma-separated (for a widget's row: as shown)."""
    action: str = ""
    title: str = ""
    """The palette command's name (empty: not in the palette)."""
    label: str = ""
    """The footer's short name."""
    help: str = ""
    """What it does: the help screen's row, the binding's tooltip, the
    palette's help text."""
    id: str = ""
    """The binding's id, for the user's ``[keymap]`` (default ``ernie.<action>``)."""
    show: bool = False
    """Whether the footer shows it."""
    where: str = ""
    """Empty for a key of the screen; else the widget whose key it is."""
    in_help: bool = True

    @property
    def binding_id(self) -> str:
        return self.id or f"ernie.{self.action}"


CONVERSATIONS = "Conversations"
ANSWERS = "Answers"
SETTINGS = "Settings"
MOVING = "Moving around"
COMPOSER = "The question box"
LIST = "The conversation list"
HISTORY = "The history"
SECTIONS = (CONVERSATIONS, ANSWERS, SETTINGS, MOVING, COMPOSER, LIST, HISTORY)
"""The help screen's sections, in order."""


# fmt: off
COMMANDS: tuple[Command, ...] = (
    # -- conversations --
    Command(
        CONVERSATIONS, "ctrl+n", "new_conversation", "New conversation", "New",
        "Start a new, empty conversation.", show=True,
    ),
    Command(
        CONVERSATIONS, "f2", "rename_conversation", "Rename conversation", "Rename",
        "Rename the conversation.", show=True,
    ),
    Command(
        CONVERSATIONS, "ctrl+t", "pin", "Pin conversation", "Pin",
        "Pin it to the top; again: unpin it.", id="ernie.toggle_pin", show=True,
    ),
    Command(
        CONVERSATIONS, "ctrl+t", "unpin", "Unpin conversation", "Unpin",
        "Unpin the conversation.", show=True, in_help=False,
    ),
    Command(
        CONVERSATIONS, "f8", "delete_conversation", "Delete conversation", "Delete",
        "Delete the conversation (asks first).", show=True,
    ),
    Command(
        CONVERSATIONS, "shift+f8,f9", "delete_conversations", "Delete conversations",
        "Delete marked", "Delete the marked ones (asks first).",
    ),
    Command(
        CONVERSATIONS, "ctrl+s", "share_conversation", "Share conversation", "Share",
        "Share it or the selected answer.", show=True,
    ),
    Command(
        CONVERSATIONS, "ctrl+o", "manage_shares", "Manage shares", "Shares",
        "Your shared links; delete one or all.",
    ),
    Command(
        CONVERSATIONS, "f3", "export_conversation", "Export conversation", "Export",
        "Save it as Markdown or JSON.",
    ),
    Command(
        CONVERSATIONS, "alt+y", "sync_conversations", "Sync all conversations", "Sync",
        "Keep every history here (again: stop).",
    ),
    # -- answers --
    Command(
        ANSWERS, "escape", "stop", "Stop answer", "Stop",
        "Stop the answer; what arrived stays.", show=True,
    ),
    Command(
        ANSWERS, "ctrl+r", "retry", "Retry", "Retry",
        "Ask again after a stop or a failure.",
    ),
    Command(
        ANSWERS, "f5", "regenerate_answer", "Regenerate answer", "Regenerate",
        "Answer the selected/last question anew.",
    ),
    Command(
        ANSWERS, "alt+e", "edit_and_resend", "Edit and resend", "Edit",
        "Edit the selected/last question, resend.",
    ),
    Command(
        ANSWERS, "f4", "copy_last_answer", "Copy last answer", "Copy",
        "Copy the last answer (OSC 52, over SSH).",
    ),
    Command(
        ANSWERS, "alt+c", "copy_selected_answer", "Copy selected answer", "Copy selected",
        "Copy the selected answer.",
    ),
    Command(
        ANSWERS, "alt+k", "copy_code_block", "Copy code block", "Copy code",
        "Copy a code block of the answer.",
    ),
    # -- settings --
    Command(
        SETTINGS, "alt+m", "choose_model", "Choose model", "Model",
        "Choose the conversation's model.",
    ),
    Command(
        SETTINGS, "alt+w", "toggle_web_search", "Toggle web search", "Web search",
        "Let answers search the web and cite it.",
    ),
    Command(
        SETTINGS, "alt+p", "set_system_prompt", "Set system prompt", "System prompt",
        "The conversation's system prompt.",
    ),
    # -- moving around --
    Command(
        MOVING, "ctrl+g", "focus_list", "Focus conversation list", "List",
        "Move to the conversation list.",
    ),
    Command(
        MOVING, "ctrl+f", "focus_filter", "Filter conversations", "Filter",
        "Filter the list by name.",
    ),
    Command(
        MOVING, "alt+s", "search_conversations", "Search conversations", "Search",
        "Find words in every conversation.",
    ),
    Command(
        MOVING, "ctrl+l", "focus_composer", "Focus composer", "Compose",
        "Move to the question box.",
    ),
    Command(
        MOVING, "alt+u", "clear_composer", "Clear composer", "Clear",
        "Empty the question box (ctrl+z: undo).",
    ),
    Command(
        MOVING, "ctrl+b", "toggle_sidebar", "Toggle sidebar", "Sidebar",
        "Hide or show the conversation list.",
    ),
    Command(MOVING, "f1", "help", "Help", "Help", "Every key and what it does.", show=True),
    Command(MOVING, "^p", help="Every command by name (the palette).", where="app"),
    Command(MOVING, "tab / ⇧tab", help="The next / previous pane.", where="app"),
    # -- the widgets' own keys --
    Command(COMPOSER, "⏎", help="Send the question.", id="composer.send", where="composer"),
    Command(COMPOSER, "^j", help="Start a new line.", id="composer.newline", where="composer"),
    Command(COMPOSER, "↑ / ↓", help="In an empty box: earlier questions.", where="composer"),
    Command(COMPOSER, "pgup / pgdn", help="Scroll the history.", where="composer"),
    Command(LIST, "↑ ↓ / k j", help="Move in the list.", where="list"),
    Command(LIST, "⏎", help="Open the conversation.", id="sidebar.open", where="list"),
    Command(
        LIST,
        "space",
        help="Mark it for Delete conversations.",
        action="mark_conversation",
        title="Mark conversation",
        id="sidebar.mark",
        where="list",
    ),
    Command(LIST, "/", help="Type in the filter.", id="sidebar.filter", where="list"),
    Command(
        LIST,
        "esc",
        help="In the filter: clear it, then leave.",
        id="sidebar.filter_escape",
        where="list",
    ),
    Command(
        HISTORY,
        "⇧↑ / ⇧↓",
        help="Select an answer (for Copy, Share…).",
        action="select_previous_answer",
        title="Select previous answer",
        where="history",
    ),
    Command(HISTORY, "home / end", help="The oldest / the newest message.", where="history"),
    Command(HISTORY, "pgup / pgdn", help="Scroll; older messages come back.", where="history"),
    Command(HISTORY, "t / ⏎", help="Show or hide an answer's reasoning.", where="history"),
)
# fmt: on

KEYS: list[BindingType] = [
    Binding(c.key, c.action, c.label, id=c.binding_id, tooltip=c.help, show=c.show)
    for c in COMMANDS
    if not c.where
]


def key_text(command: Command, keymap: Mapping[str, str], display: Callable[[str], str]) -> str:
    """How the help screen shows a command's keys, after the user's
    ``keymap``: each Textual key name through ``display``; a widget's row as
    the table shows it, unless the keymap moved it."""
    remapped = keymap.get(command.binding_id) if command.id or not command.where else None
    if remapped is None and command.id in PAIRED_IDS.values():
        first = next(k for k, v in PAIRED_IDS.items() if v == command.id)
        remapped = keymap.get(first)
    if remapped is None and command.where:
        return command.key
    keys = (remapped or command.key).split(",")
    return " / ".join(display(k.strip()) for k in keys if k.strip())
