"""The lines of an answer besides its Markdown, as both the history's answers
and the streamed one show them: image links, the line that stands for the
reasoning, the tokens it took and how it ended."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from ...sanitize import clean_line

__all__ = ["links", "status_text", "thinking_summary", "usage_text"]


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
