"""The code blocks of an answer's markdown (to copy one, or pick one of several)."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

from ...sanitize import clean_line

__all__ = ["CodeBlock", "code_blocks"]

_PARSER = MarkdownIt().enable("strikethrough").enable("table")
"""Parsed as the answers are shown (:mod:`.messages`)."""


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A code block of an answer: its language (as the fence names it) and code."""

    language: str
    code: str

    @property
    def lines(self) -> int:
        return self.code.count("\n") + 1

    def describe(self, number: int) -> str:
        """``2 python (12 lines)``."""
        lines = self.lines
        return f"{number} {self.language or 'text'} ({lines:,} line{'' if lines == 1 else 's'})"


def code_blocks(text: str) -> list[CodeBlock]:
    """The code blocks of an answer's markdown, in order (nested ones too)."""
    found = []
    for token in _PARSER.parse(text):
        if token.type in ("fence", "code_block"):
            info = token.info.split()
            found.append(CodeBlock(clean_line(info[0]) if info else "", token.content[:-1]))
    return found
