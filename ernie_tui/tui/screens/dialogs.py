"""Small modal dialogs: rename, confirm, share and the shared link.

Every dialog is a ``ModalScreen`` that always dismisses with a result, escape
included, so the caller always learns the answer (``push_screen(dialog,
callback)`` or ``await push_screen_wait(dialog)``). Text that came from the
server (conversation names, links) is shown through :mod:`ernie_tui.tui.plain`:
cleaned, and as plain text, never markup.
"""

from __future__ import annotations

from typing import ClassVar, Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from ...sanitize import clean_line
from ..plain import plain, plain_block

__all__ = [
    "ConfirmDialog",
    "DialogScreen",
    "LinkDialog",
    "RenameDialog",
    "ScopeChoice",
    "ShareDialog",
    "ShareScope",
]

ShareScope = Literal["all", "answer"]
"""What a share covers: the whole conversation or only the selected answer."""

ResultT = TypeVar("ResultT")


class DialogScreen(ModalScreen[ResultT]):
    """The look shared by the dialogs: a bordered box centred over the screen.

    Subclasses compose one ``Vertical`` with the ``dialog`` class, set its
    ``border_title``, and define ``action_cancel`` (bound to escape).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="dialog.cancel",
            tooltip="Close this dialog without doing anything",
        ),
    ]

    DEFAULT_CSS = """
    DialogScreen {
        align: center middle;
    }
    DialogScreen > .dialog {
        width: 64;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
    }
    DialogScreen .dialog-message {
        width: 1fr;
        height: auto;
    }
    DialogScreen .dialog-hint {
        width: 1fr;
        height: auto;
        color: $text-muted;
    }
    DialogScreen .dialog-error {
        width: 1fr;
        height: auto;
        color: $text-error;
    }
    DialogScreen .dialog-error.-empty {
        display: none;
    }
    DialogScreen .dialog-buttons {
        width: 1fr;
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    DialogScreen .dialog-buttons > Button {
        margin-left: 2;
    }
    """

    def action_cancel(self) -> None:
        """Dismiss with the dialog's "nothing chosen" result."""
        raise NotImplementedError


class RenameDialog(DialogScreen[str | None]):
    """Ask for a conversation's new name.

    Dismisses with the stripped new name, or ``None`` when cancelled. An empty
    or blank name is refused with a message and the dialog stays open.
    """

    AUTO_FOCUS = "#rename-input"

    DEFAULT_CSS = """
    RenameDialog #rename-input {
        width: 1fr;
        margin-top: 1;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = clean_line(current)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Rename conversation"
            yield Static("New name:", classes="dialog-message", markup=False)
            yield Input(self.current, placeholder="Conversation name", id="rename-input")
            yield Static("", id="rename-error", classes="dialog-error -empty", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Rename", id="rename", variant="primary")

    def submit(self) -> None:
        """Dismiss with the typed name, or explain why it cannot be used."""
        name = clean_line(self.query_one("#rename-input", Input).value).strip()
        if not name:
            error = self.query_one("#rename-error", Static)
            error.update("A conversation needs a name: type one, or press Escape to cancel.")
            error.remove_class("-empty")
            self.query_one("#rename-input", Input).focus()
            self.app.bell()
            return
        self.dismiss(name)

    @on(Input.Changed, "#rename-input")
    def _clear_error(self) -> None:
        self.query_one("#rename-error", Static).add_class("-empty")

    @on(Input.Submitted, "#rename-input")
    @on(Button.Pressed, "#rename")
    def _rename_submitted(self) -> None:
        self.submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(DialogScreen[bool]):
    """Ask before something that cannot be undone.

    Cancel has the focus when it opens, so a stray Enter does no harm.
    Dismisses with ``True`` only when the confirm button is chosen.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left,up",
            "app.focus_previous",
            "Previous button",
            show=False,
            id="confirm.previous",
            tooltip="Move to the previous button",
        ),
        Binding(
            "right,down",
            "app.focus_next",
            "Next button",
            show=False,
            id="confirm.next",
            tooltip="Move to the next button",
        ),
    ]

    AUTO_FOCUS = "#cancel"

    DEFAULT_CSS = """
    ConfirmDialog > .dialog {
        border: round $error;
    }
    """

    def __init__(self, title: str, message: str, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.title_text = clean_line(title)
        self.message = clean_line(message)
        self.confirm_label = clean_line(confirm_label)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = Content(self.title_text)
            yield Static(
                plain_block(self.message),
                id="confirm-message",
                classes="dialog-message",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(Content(self.confirm_label), id="confirm", variant="error")

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ScopeChoice(RadioSet):
    """The share dialog's choices; Enter or space on one also confirms the
    choice, even when it was already chosen, by posting :class:`Picked`."""

    class Picked(Message):
        """The user picked a choice with the keyboard."""

        def __init__(self, choice: ScopeChoice) -> None:
            super().__init__()
            self.choice = choice

        @property
        def control(self) -> ScopeChoice:
            return self.choice

    def action_toggle_button(self) -> None:
        super().action_toggle_button()
        self.post_message(self.Picked(self))


class ShareDialog(DialogScreen[ShareScope | None]):
    """Choose what to share: the whole conversation or the selected answer.

    Dismisses with ``"all"``, ``"answer"`` or ``None`` when cancelled. The
    choices have the focus on open; Enter (or space) picks the highlighted one
    and moves to the Share button, so Enter, Enter shares the whole
    conversation.
    """

    AUTO_FOCUS = "#share-scope"

    DEFAULT_CSS = """
    ShareDialog #share-scope {
        width: 1fr;
        margin: 1 0 0 0;
    }
    ShareDialog #share-answer:disabled {
        color: $text-disabled;
        text-style: italic;
    }
    """

    def __init__(self, name: str, can_share_answer: bool) -> None:
        super().__init__()
        self.conversation = clean_line(name)
        self.can_share_answer = can_share_answer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Share conversation"
            yield Static(
                Content.assemble("Share ", (self.conversation, "bold"), " as a public link:"),
                id="share-message",
                classes="dialog-message",
                markup=False,
            )
            with ScopeChoice(id="share-scope"):
                yield RadioButton("Whole conversation", value=True, id="share-all")
                yield RadioButton(
                    "Selected answer only",
                    id="share-answer",
                    disabled=not self.can_share_answer,
                )
            if not self.can_share_answer:
                yield Static(
                    "No answer is selected, so only the whole conversation can be shared.",
                    classes="dialog-hint",
                    markup=False,
                )
            yield Static(
                "Anyone with the link can read what you share.",
                classes="dialog-hint",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Share", id="share", variant="primary")

    @property
    def scope(self) -> ShareScope:
        """The choice as it stands."""
        answer = self.query_one("#share-answer", RadioButton)
        return "answer" if answer.value and self.can_share_answer else "all"

    @on(ScopeChoice.Picked, "#share-scope")
    def _scope_picked(self) -> None:
        self.query_one("#share", Button).focus()

    @on(Button.Pressed, "#share")
    def _share_pressed(self) -> None:
        self.dismiss(self.scope)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinkDialog(DialogScreen[None]):
    """Show a share link, say whether it was copied, and offer to copy again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "copy",
            "Copy again",
            id="link.copy",
            tooltip="Send the link to your terminal's clipboard again (OSC 52)",
        ),
    ]

    AUTO_FOCUS = "#close"

    DEFAULT_CSS = """
    LinkDialog > .dialog {
        width: 72;
    }
    LinkDialog #link-url {
        width: 1fr;
        height: auto;
        margin: 1 0;
        padding: 0 1;
        background: $boost;
        color: $text-accent;
        text-style: bold;
    }
    LinkDialog #link-status {
        width: 1fr;
        height: auto;
        color: $text-success;
    }
    LinkDialog #link-status.-not-copied {
        color: $text-warning;
    }
    """

    def __init__(self, url: str, copied: bool) -> None:
        super().__init__()
        self.url = clean_line(url)
        self.copied = copied

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Share link"
            yield Static("Anyone with this link can read the shared conversation:", markup=False)
            yield Static(plain(self.url), id="link-url", markup=False)
            yield Static(
                self._status_text(),
                id="link-status",
                classes="" if self.copied else "-not-copied",
                markup=False,
            )
            yield Static(
                "The copy travels to your own terminal as an OSC 52 escape sequence, "
                "also over SSH, if the terminal allows it (tmux needs set-clipboard on). "
                "If it did not arrive, select the link above.",
                classes="dialog-hint",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy again", id="copy")
                yield Button("Close", id="close", variant="primary")

    def _status_text(self) -> str:
        if self.copied:
            return "Copied to the clipboard."
        return "Not copied yet: press Copy again (c) to copy it."

    @on(Button.Pressed, "#copy")
    def _copy_pressed(self) -> None:
        self.action_copy()

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        """Send the link to the clipboard (again)."""
        self.app.copy_to_clipboard(self.url)
        self.copied = True
        status = self.query_one("#link-status", Static)
        status.update(self._status_text())
        status.remove_class("-not-copied")

    def action_cancel(self) -> None:
        self.dismiss(None)
