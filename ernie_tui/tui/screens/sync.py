"""The progress of "Sync all conversations": one line above the status line
while every history is fetched into the library (the main screen runs it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

__all__ = ["SyncBar"]


class SyncBar(Horizontal):
    """What the sync has done, as a bar and in words; hidden when idle."""

    DEFAULT_CSS = """
    SyncBar {
        display: none;
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    SyncBar.-active {
        display: block;
    }
    SyncBar > #sync-label {
        width: auto;
        margin-right: 1;
    }
    SyncBar > ProgressBar {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="sync-label", markup=False)
        # Determinate while hidden: an indeterminate bar animates 15 times a
        # second even when not displayed, and each tick's "am I on screen?"
        # makes Textual rebuild its whole map, so the next scroll anywhere
        # repaints the whole screen (issue 15).
        yield ProgressBar(total=1, show_eta=False, id="sync-progress")

    @property
    def label(self) -> Static:
        return self.query_one("#sync-label", Static)

    @property
    def bar(self) -> ProgressBar:
        return self.query_one(ProgressBar)

    def start(self, stop_key: str) -> None:
        self._stop_key = stop_key
        self.label.update(f"Syncing conversations… ({stop_key} stops)")
        self.bar.update(total=None, progress=0)
        self.add_class("-active")

    def show(self, done: int, total: int) -> None:
        key = getattr(self, "_stop_key", "esc")
        self.label.update(f"Syncing conversations: {done:,} of {total:,} ({key} stops)")
        self.bar.update(total=max(total, 1), progress=done)

    def stop(self) -> None:
        self.remove_class("-active")
        self.bar.update(total=1, progress=0)  # no animation while hidden

    @property
    def active(self) -> bool:
        return self.has_class("-active")
