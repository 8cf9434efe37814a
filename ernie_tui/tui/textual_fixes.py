"""Faults of Textual's that the app works around, each until Textual mends it.

Painted lines of removed widgets kept alive (Textual issue #6665, open in
8.2): ``StylesCache.get_inner_outer`` is an instance method under
``functools.lru_cache(1024)``, so the cache's keys hold the last 1,024
``StylesCache`` objects that painted a line, and with each one every line it
had drawn (``Strip`` objects, each with seven caches of its own). Every
message the history pane unmounts while paging stays in memory that way, and
Python's full garbage collections, which walk all of it, grew to ~360 ms
each: a PgUp that met one waited that long. The colours it computes depend
only on its two arguments, so they are cached on those alone.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style

__all__ = ["apply"]


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """The same values as Textual's method: the inner and outer backgrounds."""
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


def apply() -> None:
    """Work around the faults above, where the installed Textual has them
    (a Textual whose method is not cached by instance is left as it is)."""
    if hasattr(StylesCache.get_inner_outer, "cache_info"):
        StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign,assignment]
