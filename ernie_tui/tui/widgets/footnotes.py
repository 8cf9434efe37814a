"""Web search citations: the ``^[1]^`` markers in an answer's text and the
references listed under it.

A marker is shown as its footnote number, ``[1]`` (plain ASCII: every
terminal and font has it, unlike the superscript digits past ³). The markers
are replaced in the parsed markdown's text tokens, never in its code spans or
code blocks, so ``^[1]^`` in code stays as written. While an answer streams,
:func:`held_back` keeps the start of a marker that has not fully arrived off
the screen, so a marker split across increments never shows half replaced.

References are text, ``[1] Title — https://…``: titles and addresses come
from the service, so they are cleaned and shown literally, never as terminal
hyperlinks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token
from rich.style import Style
from rich.text import Text

from ...api import Citation
from ...sanitize import clean_line

__all__ = ["MARKER", "cite_tokens", "held_back", "references"]

MARKER = re.compile(r"\^((?:\[\d{1,3}\])+)\^")
"""A citation marker: ``^[1]^``, or several at once, ``^[1][2]^``."""
_PARTIAL = re.compile(r"\^(?:\[\d{1,3}\])*(?:\[\d{0,3})?\Z")
"""The start of a marker at the end of a text: ``^``, ``^[1``, ``^[1]``…"""
_ENDS_WITH_MARKER = re.compile(r"\^(?:\[\d{1,3}\])+\^\Z")
_LONGEST_PARTIAL = 48


def cite_tokens(tokens: list[Token]) -> list[Token]:
    """Replace the markers in the text of parsed markdown (not in code spans,
    code blocks or fences); returns ``tokens``, changed in place."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text" and "^" in child.content:
                child.content = MARKER.sub(r"\1", child.content)
    return tokens


def held_back(tail: str) -> int:
    """How many characters at the end of a streamed ``tail`` may be the start
    of a marker whose rest has not arrived (0 if none). Looks only at the last
    few characters: the cost does not grow with the tail."""
    if "^" not in tail[-_LONGEST_PARTIAL:]:
        return 0
    start = max(0, len(tail) - _LONGEST_PARTIAL)
    if _ENDS_WITH_MARKER.search(tail, start):
        return 0
    match = _PARTIAL.search(tail, start)
    return len(tail) - match.start() if match else 0


def references(citations: Sequence[Citation]) -> Text:
    """The references, one per line, by number: ``[1] Title — https://…``."""
    text = Text()
    for row, citation in enumerate(sorted(citations, key=lambda c: c.index)):
        title = clean_line(citation.title).strip()
        url = clean_line(citation.url).strip()
        if row:
            text.append("\n")
        text.append(f"[{citation.index}] ", style="bold")
        if title:
            text.append(title)
        if title and url:
            text.append(" — ", style="dim")
        if url:
            text.append(url, style=Style(underline=True))
    return text
