"""Turning the service's answer markup into plain text and image URLs."""

from __future__ import annotations

import html
import re

__all__ = ["hold_partial_tag", "split_images"]

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))""", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# The unfinished start of an <img …> or <br> tag at the end of an increment.
_PARTIAL = re.compile(r"<(?:i(?:mg?)?|br?)?|<(?:img|br)\b[^>]*", re.IGNORECASE)
# A tag longer than this is not waited for: it is shown as it came.
MAX_HELD = 8192


def hold_partial_tag(text: str) -> tuple[str, str]:
    """Split ``text`` into what can be shown now and the unfinished
    ``<img``/``<br`` tag at its end (to be joined to the next increment), so a
    tag cut between two increments is still removed whole."""
    start = text.rfind("<")
    if start < 0 or len(text) - start > MAX_HELD:
        return text, ""
    tail = text[start:]
    if _PARTIAL.fullmatch(tail):
        return text[:start], tail
    return text, ""


def split_images(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove ``<img>`` tags (returning their ``src`` values) and turn ``<br>``
    into newlines, as the seed API describes."""
    if "<" not in text:
        return text, ()
    urls: list[str] = []

    def take(match: re.Match[str]) -> str:
        src = _SRC.search(match.group(0))
        if src:
            url = src.group(1) or src.group(2) or src.group(3) or ""
            if url:
                urls.append(html.unescape(url))
        return ""

    text = _IMG.sub(take, text)
    text = _BR.sub("\n", text)
    return text, tuple(urls)
