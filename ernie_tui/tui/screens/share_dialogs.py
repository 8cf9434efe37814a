"""The dialogs of sharing: what to share (the whole conversation or the
selected answer) and the link that was made. Text from the server is shown
through :mod:`ernie_tui.tui.plain`."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, RadioButton, RadioSet, Static

from ...sanitize import clean_line
from ..plain import plain
from .dialogs import DialogScreen

__all__ = ["LinkDialog", "ScopeChoice", "ShareDialog", "ShareScope"]

ShareScope = Literal["all", "answer"]
"""What a share covers: the whole conversation or only the selected answer."""


class ScopeChoice(RadioSet):
    """The share dialog's choices: space chooses the highlighted one, Enter
    chooses it and confirms, even when it was already chosen, by posting
    :class:`Picked`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_button",
            "Choose",
            show=False,
            id="share.choose",
            tooltip="Choose the highlighted option",
        ),
        Binding(
            "enter",
            "pick",
            "Share",
            show=False,
            id="share.pick",
            tooltip="Share with the highlighted option",
        ),
    ]

    class Picked(Message):
        """The user chose ``button`` with Enter."""

        def __init__(self, choice: ScopeChoice, button: RadioButton) -> None:
            super().__init__()
            self.choice = choice
            self.button = button

        @property
        def control(self) -> ScopeChoice:
            return self.choice

    def action_pick(self) -> None:
        """Choose the highlighted option and say which it is. (The set turns
        the other option off a message later, so the one toggled is told.)"""
        buttons = list(self.query(RadioButton))
        before = [button.value for button in buttons]
        self.action_toggle_button()
        for button, was in zip(buttons, before, strict=True):
            if button.value != was:
                self.post_message(self.Picked(self, button))
                return


class ShareDialog(DialogScreen[ShareScope | None]):
    """Choose what to share: the whole conversation or the selected answer.

    Dismisses with ``"all"``, ``"answer"`` or ``None`` when cancelled. The
    choices have the focus on open: Enter shares with the highlighted one (so
    Enter alone shares the whole conversation), space only chooses it. The
    selected answer is offered only when ``can_share_answer``.
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
        pressed = self.query_one(ScopeChoice).pressed_button
        return self._scope_of(pressed)

    def _scope_of(self, button: RadioButton | None) -> ShareScope:
        if button is not None and button.id == "share-answer" and self.can_share_answer:
            return "answer"
        return "all"

    @on(ScopeChoice.Picked, "#share-scope")
    def _scope_picked(self, event: ScopeChoice.Picked) -> None:
        self.dismiss(self._scope_of(event.button))

    @on(Button.Pressed, "#share")
    def _share_pressed(self) -> None:
        self.dismiss(self.scope)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinkDialog(DialogScreen[None]):
    """Show a share link, say whether it was copied, and offer to copy again.
    ``scope`` says what the link shows: the conversation or one answer."""

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

    def __init__(self, url: str, copied: bool, scope: ShareScope = "all") -> None:
        super().__init__()
        self.url = clean_line(url)
        self.copied = copied
        self.scope = scope

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Share link"
            what = "answer" if self.scope == "answer" else "conversation"
            yield Static(f"Anyone with this link can read the shared {what}:", markup=False)
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
