"""The help screen: every key and what it does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..plain import plain

__all__ = ["HelpScreen"]

COMPOSER_HELP = (
    "Composer: Enter sends the question; ctrl+j starts a new line.\n"
    "Command palette: ctrl+p finds every command by name.\n"
    "Close this help with Escape, F1 or q."
)


class HelpScreen(ModalScreen[None]):
    """A scrollable two-column list of keys and what they do."""

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
    HelpScreen #help-keys {
        height: auto;
        max-height: 60vh;
        background: $surface;
    }
    HelpScreen #help-grid {
        grid-size: 2;
        grid-columns: auto 1fr;
        grid-rows: auto;
        grid-gutter: 0 2;
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

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.entries = list(keys)

    def compose(self) -> ComposeResult:
        with Vertical(id="help") as box:
            box.border_title = "Keys"
            with VerticalScroll(id="help-keys"), Grid(id="help-grid"):
                for key, description in self.entries:
                    yield Static(plain(key), classes="help-key", markup=False)
                    yield Static(plain(description), classes="help-description", markup=False)
            yield Static(COMPOSER_HELP, id="help-text", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
