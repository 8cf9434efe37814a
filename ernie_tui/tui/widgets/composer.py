"""The composer: a multi-line question box. Enter sends; ctrl+j inserts a new
line in every terminal (it is a plain line feed), and so do shift+enter and
alt+enter where the terminal reports them.

Up in an empty box recalls the conversation's earlier questions, newest
first, and Down goes forward again (as a shell does); PgUp and PgDn scroll
the history pane above. Near the question limit the bottom border counts
the characters. Alt keys are the screen's, never typed as letters.

The cursor blinks for :attr:`Composer.BLINK_IDLE` seconds after the last key
(or focus) and then holds still, shown: each blink is a write to the terminal,
about 480 bytes a second over an SSH link while nothing happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import TextArea

from .text_input import TextBox

__all__ = ["COUNT_FROM", "Composer"]

COUNT_FROM = 0.8
"""The counter shows from this share of the question limit on."""


class Composer(TextBox):
    """Where the question is written."""

    BLINK_IDLE: ClassVar[float] = 5.0
    """Seconds without input after which the cursor stops blinking (shown)."""

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
        Binding(
            "pageup",
            "scroll_history(-1)",
            "Scroll up",
            show=False,
            id="composer.history_up",
            tooltip="Scroll the history up a page.",
        ),
        Binding(
            "pagedown",
            "scroll_history(1)",
            "Scroll down",
            show=False,
            id="composer.history_down",
            tooltip="Scroll the history down a page.",
        ),
    ]

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 10;
        border: tall $border-blurred;
        border-title-color: $text-accent;
        border-subtitle-color: $text-warning;
        padding: 0 1;
    }
    Composer:focus {
        border: tall $border;
    }
    Composer.-busy {
        border: tall $warning 60%;
    }
    Composer.-over-limit {
        border-subtitle-color: $text-error;
        border-subtitle-style: bold;
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

    class ScrollRequested(Message):
        """PgUp or PgDn in the composer: the history pane scrolls ``pages``."""

        def __init__(self, composer: Composer, pages: int) -> None:
            super().__init__()
            self.composer = composer
            self.pages = pages

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
        self.limit = 0
        """The question limit in characters (0: no counter)."""
        self.earlier: Callable[[], Sequence[str]] = tuple
        """The conversation's questions, oldest first (what Up recalls)."""
        self._recall: tuple[Sequence[str], int] | None = None
        """While a recalled question is shown unedited: the questions and which."""
        self._input_at = 0.0
        """When the blink last restarted (a key, focus): ``time.monotonic()``."""

    # -- the cursor's blink ------------------------------------------------------------
    #
    # ``cursor_blink`` stays the setting (the screen holds the cursor steady
    # through it while an answer streams). Every restart of TextArea's blink (a
    # key, focus, the end of a mouse selection, ``cursor_blink`` set again)
    # notes the time; the blink's own tick, once BLINK_IDLE has passed, pauses
    # the blink with the cursor shown instead of toggling it. TextArea has no
    # public hook for either.

    def _restart_blink(self) -> None:
        self._input_at = time.monotonic()
        super()._restart_blink()

    def _toggle_cursor_blink_visible(self) -> None:
        if time.monotonic() - self._input_at >= self.BLINK_IDLE:
            self._pause_blink(visible=True)
            return
        super()._toggle_cursor_blink_visible()

    def set_text(self, text: str) -> None:
        """Replace the text without treating it as an edit by the user."""
        self._recall = None
        self._load(text)

    def _load(self, text: str) -> None:
        self._loading_text = True
        self.load_text(text)
        self.move_cursor(self.document.end)
        self._show_count()

    def edit_text(self, text: str) -> None:
        """Replace the text as an edit (ctrl+z brings the old text back)."""
        self._recall = None
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)
        self.move_cursor(self.document.end)

    def clear_text(self) -> bool:
        """Empty the box as one edit (ctrl+z undoes it); whether it held text."""
        if not self.text:
            return False
        self.edit_text("")
        return True

    def set_editing(self, title: str) -> None:
        """Say above the box what sending does now (empty: an ordinary question)."""
        if title:
            self.border_title = Content(title)
        else:
            self.border_title = ""

    @property
    def recalling(self) -> bool:
        """Whether the box shows a recalled question, unedited."""
        return self._recall is not None

    def _show_count(self) -> None:
        length = len(self.text) if self.limit else 0
        if length > self.limit * COUNT_FROM:
            self.border_subtitle = Content(f"{length:,} / {self.limit:,}")
        else:
            self.border_subtitle = ""
        self.set_class(self.limit > 0 and length > self.limit, "-over-limit")

    async def _on_key(self, event: events.Key) -> None:
        if event.key.startswith("alt+"):
            # A terminal sends alt+e as ESC e, which arrives with "e" as its
            # character: TextArea would type the letter, and the screen's
            # alt keys would never work while the question box has focus.
            event.character = None
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
        self._show_count()
        if self._loading_text:
            self._loading_text = False
            return
        self._recall = None
        self.post_message(self.DraftChanged(self, self.text))

    def _recall_step(self, step: int) -> bool:
        """Show the question ``step`` (-1 earlier, +1 later) from the one shown;
        whether Up or Down was taken for it."""
        if self._recall is None:
            if step > 0 or self.text:
                return False
            questions = self.earlier()
            index = len(questions)
        else:
            questions, index = self._recall
            row = self.cursor_location[0]
            if row != (0 if step < 0 else self.document.line_count - 1):
                return False  # move in the recalled question first
        index += step
        if index < 0:
            return bool(questions)  # the oldest one stays
        if index >= len(questions):
            self._recall = None
            self._load("")
            return True
        self._load(questions[index])
        self._recall = (questions, index)
        return True

    def action_cursor_up(self, select: bool = False) -> None:
        if select or not self._recall_step(-1):
            super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if select or not self._recall_step(1):
            super().action_cursor_down(select)

    def action_scroll_history(self, pages: int) -> None:
        self.post_message(self.ScrollRequested(self, pages))

    def action_submit(self) -> None:
        self._recall = None
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)
