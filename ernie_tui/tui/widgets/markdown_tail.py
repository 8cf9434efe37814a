"""The unfinished tail of a streamed answer, without dangling markdown syntax.

While an answer streams, its last line is often cut inside markdown: an
inline code span or bold text opened and not yet closed, a link whose
address is still arriving, a code fence half typed, a table whose header has
come but not its delimiter row. Rendered as it is, the opening marker shows
as raw syntax (``works: `in``) until the closing one arrives.
:func:`tidy_tail` returns what to render instead: the dangling marker
dropped (the text after an open code span shown literally, a link as its
text), a half-typed fence line or table start held back. Work is linear in
the tail; the text kept for the answer is never changed.
"""

from __future__ import annotations

import re

__all__ = ["tidy_tail"]

_TICKS = re.compile(r"`+")
_EMPHASIS = re.compile(r"\*+|_+")
_FENCE_LINE = re.compile(r"\s{0,3}(?:`{3,}|~{3,})[^`]*")
_OPEN_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*$")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _inside_fence(lines: list[str]) -> bool:
    """Whether complete ``lines`` leave a fenced code block open."""
    fence = ""
    for line in lines:
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            marker = stripped[0]
            fence = stripped[: len(stripped) - len(stripped.lstrip(marker))]
    return bool(fence)


def _code_spans(line: str) -> tuple[str, int]:
    """``line`` with its closed code spans masked (same length), and where an
    unclosed one opens (-1 if none)."""
    masked = list(line)
    opened = -1
    opener = ""
    for match in _TICKS.finditer(line):
        if opened < 0:
            opened, opener = match.start(), match.group(0)
        elif match.group(0) == opener:
            masked[opened : match.end()] = "x" * (match.end() - opened)
            opened = -1
    return "".join(masked), opened


def _dangling_emphasis(masked: str) -> list[tuple[int, int]]:
    """The ``*`` / ``_`` runs of ``masked`` that open emphasis never closed."""
    pending: dict[str, int] = {}
    lead = len(masked) - len(masked.lstrip())
    for match in _EMPHASIS.finditer(masked):
        run, start, end = match.group(0), match.start(), match.end()
        before = masked[start - 1] if start else " "
        after = masked[end] if end < len(masked) else ""
        if start == lead and run[0] == "*" and after == " ":
            continue  # a list bullet
        if run in pending and not before.isspace():
            del pending[run]
        elif after.isspace() or (before.isdigit() and after.isdigit()):
            continue  # not an opener (``a * b``, ``2*3``)
        elif run[0] == "*" or not before.isalnum():  # ``_`` inside a word is a letter
            pending[run] = start
    return [(start, start + len(run)) for run, start in pending.items()]


def _tidy_line(line: str) -> str:
    stripped = line.lstrip()
    if stripped[:3] in ("```", "~~~") and _FENCE_LINE.fullmatch(line):
        return ""  # a fence being opened: shown once its line is complete
    masked, opened = _code_spans(line)
    literal = ""
    if opened >= 0:
        ticks = _TICKS.match(line, opened)
        rest = line[ticks.end() if ticks else opened :]
        literal = _PUNCTUATION.sub(r"\\\1", rest)
        line, masked = line[:opened], masked[:opened]
    edits: list[tuple[int, int, str]] = []
    limit = len(masked)
    link = _OPEN_LINK.search(masked)
    if link is not None:  # [text](addr… shows as its text
        edits.append((link.start(), len(line), line[link.start(1) : link.end(1)]))
        limit = link.start()
    edits += [(s, e, "") for s, e in _dangling_emphasis(masked) if e <= limit]
    for start, end, text in sorted(edits, reverse=True):
        line = line[:start] + text + line[end:]
    return line + literal


def tidy_tail(text: str) -> str:
    """``text`` (the unfinished tail, starting outside a code fence) as it
    should be rendered while it is still arriving."""
    cut = text.rfind("\n") + 1
    head, last = text[:cut], text[cut:]
    complete = head.split("\n")[:-1]
    if _inside_fence(complete):
        return text
    if text.lstrip().startswith("|") and len(complete) < 2:
        return ""  # a table's header row: shown with its delimiter row
    return head + _tidy_line(last) if last else text
