"""The messages of the history: a question the user asked, an answer from the
history, and the markdown, image links and answer lines they show.

Answers are ``Static`` widgets holding a Rich ``Markdown`` (cheap), not
Textual's ``Markdown`` widget (a widget per block: 13k widgets for 2k
messages). The answer being streamed is :class:`~.answer.StreamingAnswer`;
once it settles it looks exactly like a :class:`Reply`.

What an answer may carry besides its text, shown the same way by both: the
reasoning of a thinking model (one summary line, unfolded by a click or ``t``
in the history), the references of a web search (:mod:`.footnotes`), the
tokens it took, whether the service withheld part of it, and how it ended.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from markdown_it import MarkdownIt
from rich.console import Group, JustifyMethod, RenderableType
from rich.markdown import Markdown, TableDataElement
from rich.styled import Styled
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ...api import Chat, Citation
from ...sanitize import clean
from ..plain import Safe
from .answer_parts import links, status_text, thinking_summary, usage_text
from .footnotes import cite_tokens, references
from .kept_lines import KeptLines
from .layout_once import LayoutOnce

__all__ = [
    "CODE_THEME",
    "WITHHELD",
    "AnswerClicked",
    "Ending",
    "Question",
    "Reply",
    "ThinkingClicked",
    "ending_of",
    "markdown",
]

CODE_THEME = "monokai"
WITHHELD = "⚠ The service withheld part of this answer."

Ending = Literal["", "complete", "incomplete", "stopped"]
"""How an answer ended, as a history message keeps it (``Chat.state``)."""
_ENDINGS: dict[str, Ending] = {
    "complete": "complete",
    "done": "complete",
    "incomplete": "incomplete",
    "stopped": "stopped",
}


def ending_of(state: str) -> Ending:
    """A widget's state (``done``, ``stopped``…) as a history message's."""
    return _ENDINGS.get(state, "")


_MARKDOWN_PARSER = MarkdownIt().enable("strikethrough").enable("table")
"""Rich's ``Markdown`` builds this same parser for every instance (0.27 ms,
more than parsing a paragraph); a streamed answer renders its tail 6 times a
second, so it shares one."""


class _Cell(TableDataElement):
    """A table cell whose words fold: Chinese text has no spaces to wrap at,
    so a narrow table would cut a cell to "…"; folded, all of it shows."""

    def __init__(self, justify: JustifyMethod) -> None:
        super().__init__(justify)
        self.content.overflow = "fold"


class _Markdown(Markdown):
    elements = {**Markdown.elements, "td_open": _Cell, "th_open": _Cell}


_MARKDOWN_TEMPLATE = _Markdown("", code_theme=CODE_THEME, hyperlinks=False)


def markdown(text: str) -> Markdown:
    """A Rich ``Markdown`` of already-cleaned text, parsed with the shared
    parser; citation markers become footnote numbers. Links are shown as text
    followed by their address, never as hidden terminal hyperlinks."""
    rendered = copy.copy(_MARKDOWN_TEMPLATE)
    rendered.markup = text
    rendered.parsed = cite_tokens(_MARKDOWN_PARSER.parse(text))
    return rendered


class AnswerClicked(Message):
    """An answer (from the history, or streamed) was clicked: the history pane
    selects it."""

    def __init__(self, answer: Widget) -> None:
        super().__init__()
        self.answer = answer


class ThinkingClicked(Message):
    """The reasoning's summary line was clicked: the history pane shows or
    hides the reasoning (keeping the line where it is on the screen)."""

    def __init__(self, answer: Widget) -> None:
        super().__init__()
        self.answer = answer

    @property
    def control(self) -> Widget:
        return self.answer


class _Shown(NamedTuple):
    """What an answer of the history shows, besides its tokens and ending."""

    text: str
    reasoning: str
    citations: tuple[Citation, ...]
    urls: tuple[str, ...]
    withheld: bool


class Question(KeptLines, LayoutOnce, Static):
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
        super().__init__(self._body(self.text))
        self.chat_id = chat_id

    @staticmethod
    def _body(text: str) -> Safe:
        body = Text()
        body.append("You\n", style="bold")
        body.append(text)
        return Safe(body)

    def renderable_for(self, chat: Chat) -> RenderableType:
        """What this widget shows for ``chat`` (see :meth:`show`)."""
        return self._body(clean(chat.text))

    def show(self, chat: Chat) -> None:
        """Show another question of the history in this widget (a window
        that moves reuses the widgets it no longer shows)."""
        self.text = clean(chat.text)
        self.chat_id = chat.chat_id
        self.forget_lines()
        self.update(self._body(self.text))


class Reply(KeptLines, LayoutOnce, Static, can_focus=False):
    """An answer from the history: its text and, when it has them, its
    reasoning (folded to one line), references, tokens and ending."""

    COMPONENT_CLASSES = {
        "reply--thinking",
        "reply--usage",
        "reply--withheld",
        "reply--stopped",
        "reply--incomplete",
    }

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
    Reply > .reply--thinking, Reply > .reply--usage {
        color: $text-muted;
    }
    Reply > .reply--withheld {
        color: $text-warning;
    }
    Reply > .reply--stopped {
        color: $text-warning;
        text-style: italic;
    }
    Reply > .reply--incomplete {
        color: $text-error;
        text-style: italic;
    }
    """

    def __init__(
        self,
        text: str,
        *,
        chat_id: str = "",
        urls: Sequence[str] = (),
        reasoning: str = "",
        citations: Sequence[Citation] = (),
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        model: str = "",
        withheld: bool = False,
        state: str = "",
    ) -> None:
        super().__init__(markup=False)
        self._take(
            text,
            chat_id=chat_id,
            urls=urls,
            reasoning=reasoning,
            citations=citations,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=model,
            withheld=withheld,
            state=state,
        )

    def _take(
        self,
        text: str,
        *,
        chat_id: str,
        urls: Sequence[str],
        reasoning: str,
        citations: Sequence[Citation],
        prompt_tokens: int,
        completion_tokens: int,
        model: str,
        withheld: bool,
        state: str,
    ) -> None:
        self.text = clean(text)
        self.chat_id = chat_id
        self.urls = tuple(urls)
        self.reasoning = clean(reasoning)
        self.citations = tuple(citations)
        self.usage = (prompt_tokens, completion_tokens, model)
        self.withheld = withheld
        self.state: Ending = ending_of(state)
        self.thinking_expanded = False
        """Whether the reasoning is shown (folded to its summary line at first)."""

    @staticmethod
    def _fields(chat: Chat) -> dict[str, Any]:
        return {
            "chat_id": chat.chat_id,
            "urls": chat.urls,
            "reasoning": chat.reasoning,
            "citations": chat.citations,
            "prompt_tokens": chat.prompt_tokens,
            "completion_tokens": chat.completion_tokens,
            "model": chat.model,
            "withheld": bool(chat.flag),
            "state": chat.state,
        }

    @classmethod
    def from_chat(cls, chat: Chat) -> Reply:
        """An answer of the history as the service keeps it."""
        return cls(chat.text, **cls._fields(chat))

    def show(self, chat: Chat) -> None:
        """Show another answer of the history in this widget, its reasoning
        folded (a window that moves reuses the widgets it no longer shows)."""
        self._take(chat.text, **self._fields(chat))
        self.forget_lines()
        self.refresh(layout=True)

    def to_chat(self) -> Chat:
        """This answer as a history message (to mount it again later)."""
        prompt, completion, model = self.usage
        return Chat(
            self.chat_id,
            "robot",
            self.text,
            urls=self.urls,
            reasoning=self.reasoning,
            model=model,
            prompt_tokens=prompt,
            completion_tokens=completion,
            flag=1 if self.withheld else 0,
            citations=self.citations,
            state=self.state,
        )

    @property
    def has_thinking(self) -> bool:
        return bool(self.reasoning.strip())

    def toggle_thinking(self) -> None:
        """Show the reasoning, or fold it back to its summary line."""
        if self.has_thinking:
            self.thinking_expanded = not self.thinking_expanded
            self.forget_lines()
            self.refresh(layout=True)

    def render(self) -> RenderResult:
        shown = _Shown(self.text, self.reasoning, self.citations, self.urls, self.withheld)
        return self._body(shown, self.usage, self.state, self.thinking_expanded)

    def renderable_for(self, chat: Chat) -> RenderableType:
        """What this widget shows for ``chat`` (see :meth:`show`)."""
        shown = _Shown(
            clean(chat.text),
            clean(chat.reasoning),
            tuple(chat.citations),
            tuple(chat.urls),
            bool(chat.flag),
        )
        usage = (chat.prompt_tokens, chat.completion_tokens, chat.model)
        return self._body(shown, usage, ending_of(chat.state), False)

    def _body(
        self, shown: _Shown, usage_of: tuple[int, int, str], state: Ending, expanded: bool
    ) -> Safe:
        """An answer of ``shown``'s fields, styled as this widget."""
        parts: list[RenderableType] = [Text("ERNIE", style="bold")]
        if shown.reasoning.strip():
            style = self.get_component_rich_style("reply--thinking")
            summary = thinking_summary(len(shown.reasoning), expanded=expanded)
            parts.append(Text(summary, style=style))
            if expanded:
                parts.extend([Styled(markdown(shown.reasoning), style), Text("")])
        # Parsed here, not kept: the lines are kept (KeptLines), and the
        # parsed tokens of every mounted answer were ~70 objects each that
        # every full garbage collection walked.
        parts.append(markdown(shown.text))
        if shown.citations:
            parts.extend([Text(""), references(shown.citations)])
        if shown.urls:
            parts.append(links(shown.urls))
        if shown.withheld:
            parts.append(Text(WITHHELD, style=self.get_component_rich_style("reply--withheld")))
        usage = usage_text(*usage_of)
        if usage:
            parts.append(Text(usage, style=self.get_component_rich_style("reply--usage")))
        ending = status_text(state)
        if ending:
            style = self.get_component_rich_style(f"reply--{state}")
            parts.append(Text(ending, style=style))
        return Safe(Group(*parts))

    def _on_summary(self, event: events.Click) -> bool:
        """Whether ``event`` is on the reasoning's summary line (below the label)."""
        offset = event.get_content_offset(self)
        if not self.has_thinking or offset is None:
            return False
        summary = Text(thinking_summary(len(self.reasoning), expanded=self.thinking_expanded))
        rows = len(summary.wrap(self.app.console, max(1, self.content_size.width)))
        return 1 <= offset.y <= rows

    def on_click(self, event: events.Click) -> None:
        if self._on_summary(event):
            self.post_message(ThinkingClicked(self))
        else:
            self.post_message(AnswerClicked(self))
