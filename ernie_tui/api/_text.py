"""Turning the service's answer markup into plain text and image URLs."""

from __future__ import annotations

import html
import re

__all__ = ["split_images"]

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))""", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


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
