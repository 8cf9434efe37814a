"""The help screen: every key and what it does, in sections; two columns on
a wide screen, and a line saying so when the list goes on below the fold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..plain import plain

__all__ = ["WIDE", "HelpScreen", "HelpSection"]

HelpSection = tuple[str, Sequence[tuple[str, str]]]
"""A section's title (may be empty) and its rows: the keys, what they do."""

WIDE = 110
"""From this many columns on, the sections stand in two columns."""

HELP_TEXT = (
    "Enter sends, ctrl+j starts a new line; ctrl+p finds every command by name. "
    "Escape, F1 or q closes this help."
)
MORE_BELOW = "↓ More below: scroll with ↓, pgdn or the mouse."


class HelpScreen(ModalScreen[None]):
    """The keys and what they do, in sections."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", id="help.close", tooltip="Close the help"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help {
        width: 72;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        padding: 0 1;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
    }
    HelpScreen.-wide > #help {
        width: 118;
        max-width: 98%;
    }
    HelpScreen #help-keys {
        height: auto;
        max-height: 60vh;
        background: $surface;
    }
    HelpScreen.-wide #help-keys {
        max-height: 80vh;
    }
    HelpScreen #help-columns {
        layout: vertical;
        height: auto;
    }
    HelpScreen.-wide #help-columns {
        layout: horizontal;
    }
    HelpScreen .help-column {
        height: auto;
        width: 1fr;
    }
    HelpScreen.-wide .help-column {
        margin: 0 1 0 0;
    }
    HelpScreen .help-section {
        margin: 1 0 0 0;
        color: $text-accent;
        text-style: bold underline;
    }
    HelpScreen .help-grid {
        grid-size: 2;
        grid-columns: 14 1fr;
        grid-rows: auto;
        grid-gutter: 0 1;
        height: auto;
    }
    HelpScreen .help-key {
        width: auto;
        color: $text-accent;
        text-style: bold;
    }
    HelpScreen .help-description {
        width: 1fr;
    }
    HelpScreen #help-text {
        dock: bottom;
        height: auto;
        border-top: solid $primary-muted;
        color: $text-muted;
    }
    """

    def __init__(
        self, keys: Sequence[tuple[str, str]] = (), *, sections: Sequence[HelpSection] = ()
    ) -> None:
        super().__init__()
        self.sections: list[HelpSection] = list(sections) or [("", list(keys))]

    @property
    def entries(self) -> list[tuple[str, str]]:
        """Every row, section after section."""
        return [row for _, rows in self.sections for row in rows]

    def compose(self) -> ComposeResult:
        with Vertical(id="help") as box:
            box.border_title = "Keys"
            with VerticalScroll(id="help-keys"), Horizontal(id="help-columns"):
                for column in self._columns():
                    with Vertical(classes="help-column"):
                        for title, rows in column:
                            if title:
                                yield Static(title, classes="help-section", markup=False)
                            with Grid(classes="help-grid"):
                                for key, description in rows:
                                    yield Static(plain(key), classes="help-key", markup=False)
                                    yield Static(
                                        plain(description),
                                        classes="help-description",
                                        markup=False,
                                    )
            yield Static(HELP_TEXT, id="help-text", markup=False)

    def _columns(self) -> list[list[HelpSection]]:
        """The sections in two columns as even as whole sections allow (the
        second one empty for a single section)."""
        heights = [len(rows) + 2 for _, rows in self.sections]
        total = sum(heights)
        best, split, above = total, len(heights), 0
        for index, height in enumerate(heights):
            above += height
            taller = max(above, total - above)
            if taller < best:
                best, split = taller, index + 1
        return [self.sections[:split], self.sections[split:]]

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")
        self.call_after_refresh(self._say_if_more)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")
        self.call_after_refresh(self._say_if_more)

    def _say_if_more(self) -> None:
        """Say that the list scrolls when it does not fit."""
        scroll = self.query_one("#help-keys", VerticalScroll)
        more = scroll.max_scroll_y > 0
        self.query_one("#help-text", Static).update(
            f"{MORE_BELOW}\n{HELP_TEXT}" if more else HELP_TEXT
        )

    def action_close(self) -> None:
        self.dismiss(None)
