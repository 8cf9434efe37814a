"""Small modal dialogs: the look they share, rename and confirm (sharing's
are in :mod:`.share_dialogs`).

Every dialog is a ``ModalScreen`` that always dismisses with a result, escape
included, so the caller always learns the answer (``push_screen(dialog,
callback)`` or ``await push_screen_wait(dialog)``). Text that came from the
server (conversation names, links) is shown through :mod:`ernie_tui.tui.plain`:
cleaned, and as plain text, never markup.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ...sanitize import clean_line
from ..plain import plain_block
from ..widgets.text_input import TextInput

__all__ = ["ConfirmDialog", "DialogScreen", "RenameDialog"]

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
            yield TextInput(self.current, placeholder="Conversation name", id="rename-input")
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
