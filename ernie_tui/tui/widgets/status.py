"""The status line: the account (masked), the server, whether an answer is
streaming, and whether the app works offline on what this machine kept. It
renders a Rich ``Text`` built from plain strings: never markup."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ...sanitize import clean_line

__all__ = ["StatusLine"]


class StatusLine(Static):
    """One line under the conversation: who, where, and what is going on."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    StatusLine.-streaming {
        color: $text;
    }
    StatusLine.-offline {
        color: $text-warning;
    }
    """

    account: reactive[str] = reactive("")
    """The signed-in account, masked."""
    server: reactive[str] = reactive("")
    """The server's host."""
    streaming: reactive[bool] = reactive(False)
    """Whether an answer is streaming."""
    activity: reactive[str] = reactive("")
    """What is happening besides streaming (loading, deleting…)."""
    model: reactive[str] = reactive("")
    """The open conversation's model."""
    web_search: reactive[bool] = reactive(False)
    """Whether questions may search the web."""
    offline: reactive[str] = reactive("")
    """Why the app works offline, on what this machine kept ("" online)."""

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.streaming:
            text.append("● streaming… ", style="bold")
            text.append("(esc stops) ")
        elif self.offline:
            text.append("offline", style="bold")
            text.append(f": {clean_line(self.offline)} ")
            if self.activity:
                text.append(f"· {clean_line(self.activity)} ")
        elif self.activity:
            text.append(f"{clean_line(self.activity)} ")
        else:
            text.append("ready ")
        text.append("│ ")
        text.append(clean_line(self.account) or "not signed in")
        text.append(" @ ")
        text.append(clean_line(self.server))
        if self.model:
            text.append(" │ ")
            text.append(clean_line(self.model))
        if self.web_search:
            text.append(" │ web search")
        return text

    def watch_streaming(self, streaming: bool) -> None:
        self.set_class(streaming, "-streaming")

    def watch_offline(self, offline: str) -> None:
        self.set_class(bool(offline), "-offline")
