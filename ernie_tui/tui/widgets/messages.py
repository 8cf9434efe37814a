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
from typing import Any, Literal

from markdown_it import MarkdownIt
from rich.console import Group, JustifyMethod, RenderableType
from rich.markdown import Markdown, TableDataElement
from rich.style import Style
from rich.styled import Styled
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ...api import Chat, Citation
from ...sanitize import clean, clean_line
from ..plain import Safe
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
    "links",
    "markdown",
    "status_text",
    "thinking_summary",
    "usage_text",
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


def thinking_summary(chars: int, *, expanded: bool, streaming: bool = False) -> str:
    """The line that stands for an answer's reasoning."""
    if streaming:
        return "▾ Thinking…" if expanded else "▸ Thinking… (click or press t to expand)"
    size = f"{chars:,} character{'' if chars == 1 else 's'}"
    if expanded:
        return f"▾ Thought for {size} (click or press t to collapse)"
    return f"▸ Thought for {size} (click or press t to expand)"


def usage_text(prompt_tokens: int, completion_tokens: int, model: str = "") -> str:
    """``12 + 30 tokens · model``; empty when no tokens are known."""
    if not prompt_tokens and not completion_tokens:
        return ""
    shown = f"{prompt_tokens:,} + {completion_tokens:,} tokens"
    name = clean_line(model).strip()
    return f"{shown} · {name}" if name else shown


def status_text(state: str, retry_hint: str = "") -> str:
    """How an answer that did not finish ended (empty for the others)."""
    hint = f" Press {retry_hint} to retry." if retry_hint else ""
    if state == "stopped":
        return f"■ stopped — the answer was stopped here.{hint}"
    if state == "incomplete":
        return f"⚠ incomplete — the answer did not finish.{hint}"
    return ""


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
        super().__init__(self._body())
        self.chat_id = chat_id

    def _body(self) -> Safe:
        body = Text()
        body.append("You\n", style="bold")
        body.append(self.text)
        return Safe(body)

    def show(self, chat: Chat) -> None:
        """Show another question of the history in this widget (a window
        that moves reuses the widgets it no longer shows)."""
        self.text = clean(chat.text)
        self.chat_id = chat.chat_id
        self.forget_lines()
        self.update(self._body())


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
        parts: list[RenderableType] = [Text("ERNIE", style="bold")]
        if self.has_thinking:
            style = self.get_component_rich_style("reply--thinking")
            summary = thinking_summary(len(self.reasoning), expanded=self.thinking_expanded)
            parts.append(Text(summary, style=style))
            if self.thinking_expanded:
                parts.extend([Styled(markdown(self.reasoning), style), Text("")])
        # Parsed here, not kept: the lines are kept (KeptLines), and the
        # parsed tokens of every mounted answer were ~70 objects each that
        # every full garbage collection walked.
        parts.append(markdown(self.text))
        if self.citations:
            parts.extend([Text(""), references(self.citations)])
        if self.urls:
            parts.append(links(self.urls))
        if self.withheld:
            parts.append(Text(WITHHELD, style=self.get_component_rich_style("reply--withheld")))
        usage = usage_text(*self.usage)
        if usage:
            parts.append(Text(usage, style=self.get_component_rich_style("reply--usage")))
        ending = status_text(self.state)
        if ending:
            style = self.get_component_rich_style(f"reply--{self.state}")
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
