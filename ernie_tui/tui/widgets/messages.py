"""The messages of the history: a question the user asked, an answer from the
history, and the markdown and image links they show.

Answers are ``Static`` widgets holding a Rich ``Markdown`` (cheap), not
Textual's ``Markdown`` widget (a widget per block: 13k widgets for 2k
messages). The answer being streamed is :class:`~.answer.StreamingAnswer`;
once it settles it looks exactly like a :class:`Reply`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ...sanitize import clean, clean_line
from ..plain import Safe

__all__ = ["CODE_THEME", "AnswerClicked", "Question", "Reply", "links", "markdown"]

CODE_THEME = "monokai"


def markdown(text: str) -> Markdown:
    """A Rich ``Markdown`` of already-cleaned text. Links are shown as text
    followed by their address, never as hidden terminal hyperlinks."""
    return Markdown(text, code_theme=CODE_THEME, hyperlinks=False)


def links(urls: Sequence[str]) -> Text:
    """Image addresses, one per line, shown in full."""
    text = Text()
    for index, url in enumerate(urls):
        shown = clean_line(url)
        if index:
            text.append("\n")
        text.append("🖼 image: ", style="dim")
        text.append(shown, style=Style(underline=True))
    return text


class AnswerClicked(Message):
    """An answer (from the history, or streamed) was clicked: the history pane
    selects it."""

    def __init__(self, answer: Widget) -> None:
        super().__init__()
        self.answer = answer


class Question(Static):
    """A question the user asked."""

    DEFAULT_CSS = """
    Question {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: wide $secondary;
        background: $secondary 12%;
    }
    """

    def __init__(self, text: str, *, chat_id: str = "") -> None:
        self.text = clean(text)
        body = Text()
        body.append("You\n", style="bold")
        body.append(self.text)
        super().__init__(Safe(body))
        self.chat_id = chat_id


class Reply(Static, can_focus=False):
    """An answer from the history."""

    DEFAULT_CSS = """
    Reply {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: wide $primary;
    }
    Reply.-selected {
        background: $primary 10%;
        border-left: wide $accent;
    }
    """

    def __init__(self, text: str, *, chat_id: str = "", urls: Sequence[str] = ()) -> None:
        self.text = clean(text)
        self.chat_id = chat_id
        self.urls = tuple(urls)
        parts: list[RenderableType] = [Text("ERNIE", style="bold"), markdown(self.text)]
        if self.urls:
            parts.append(links(self.urls))
        super().__init__(Safe(Group(*parts)))

    def on_click(self, event: events.Click) -> None:
        self.post_message(AnswerClicked(self))
