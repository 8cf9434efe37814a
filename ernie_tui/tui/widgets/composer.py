"""The composer: a multi-line question box. Enter sends; ctrl+j inserts a new
line in every terminal (it is a plain line feed), and so do shift+enter and
alt+enter where the terminal reports them."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

__all__ = ["Composer"]


class Composer(TextArea):
    """Where the question is written."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "submit",
            "Send",
            id="composer.send",
            tooltip="Send the question.",
            key_display="⏎",
        ),
        Binding(
            "ctrl+j",
            "newline",
            "New line",
            id="composer.newline",
            tooltip="Insert a line break (shift+enter and alt+enter too, where the "
            "terminal reports them).",
            key_display="^j",
        ),
        Binding("shift+enter,alt+enter,ctrl+enter", "newline", "New line", show=False),
    ]

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 10;
        border: tall $border-blurred;
        padding: 0 1;
    }
    Composer:focus {
        border: tall $border;
    }
    Composer.-busy {
        border: tall $warning 60%;
    }
    """

    class Submitted(Message):
        """The user pressed the send key."""

        def __init__(self, composer: Composer, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

        @property
        def control(self) -> Composer:
            return self.composer

    class DraftChanged(Message):
        """The text changed (drafts are saved from this)."""

        def __init__(self, composer: Composer, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            compact=False,
            placeholder=placeholder,
            highlight_cursor_line=False,
        )
        self._loading_text = False

    def set_text(self, text: str) -> None:
        """Replace the text without treating it as an edit by the user."""
        self._loading_text = True
        self.load_text(text)
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            bound = self.screen.active_bindings.get("enter")
            if bound is not None and bound.binding.action == "submit":
                # Enter is the send key (unless the keymap moved it): TextArea
                # would insert a line break, so handle it here.
                event.stop()
                event.prevent_default()
                self.action_submit()
                return
        await super()._on_key(event)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._loading_text:
            self._loading_text = False
            return
        self.post_message(self.DraftChanged(self, self.text))

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)
