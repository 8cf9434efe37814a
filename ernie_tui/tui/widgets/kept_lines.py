"""Messages of the history rendered once per width (:class:`KeptLines`).

A ``Static`` renders its content twice for one change: once to measure its
height in the layout (Rich renders it and counts the line feeds) and again,
from the start, when it is first painted; any later refresh renders it
again. For an answer that is its whole Markdown, and a PgUp that mounts 40
older messages and then shows some of them paid for every answer's Markdown
twice. A message that keeps its lines renders once per width and style: the
layout takes the height from the lines, the paint draws them.

The lines kept keep nothing else, nor do the lines Textual makes from them
(padding and border added) and keeps for the paint. A Textual ``Strip`` keeps
seven caches of what was made from it (crops, styled copies, divisions), and
a division into the whole line keeps the line itself: every such line was a
cycle of eight objects or more that only Python's full garbage collections
free, and that each of them walks while it lives. These lines share one cache
that keeps nothing; what the paint makes from them is made again when painted
again, which is rare for a message of the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from textual.cache import FIFOCache
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import Visual, visualize

if TYPE_CHECKING:
    from textual.selection import Selection
    from textual.widget import Widget as _Mixed
else:
    _Mixed = object  # a plain mixin: no class options of its own (can_focus…)

__all__ = ["KeptLines", "uncached"]


class _NoCache(FIFOCache[Any, Any]):
    """A strip's cache that keeps nothing."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(0)

    def set(self, key: Any, value: Any) -> None:
        pass

    __setitem__ = set

    def get(self, key: Any, default: Any = None) -> Any:
        return default


_NO_CACHE = _NoCache()
_STRIP_CACHES = (
    "_divide_cache",
    "_crop_cache",
    "_style_cache",
    "_filter_cache",
    "_line_length_cache",
    "_crop_extend_cache",
    "_offsets_cache",
)
_CACHES_KNOWN = set(_STRIP_CACHES) <= set(Strip.__slots__)
"""Whether this Textual's strips have those caches (else they are left as
they are)."""


def uncached(strips: list[Strip]) -> list[Strip]:
    """``strips``, each made to keep nothing made from it."""
    if _CACHES_KNOWN:
        for strip in strips:
            for name in _STRIP_CACHES:
                setattr(strip, name, _NO_CACHE)
    return strips


class KeptLines(_Mixed):
    """Mix in before the widget's Textual base (a ``Static``): its content is
    rendered to lines once per width and kept until it or its styles change.

    A widget whose content changes calls :meth:`forget_lines`; a change of
    class or theme, or of the text selected in it with the mouse (which
    Textual draws into the lines), forgets them by itself.
    """

    _kept: tuple[int, list[Strip]] | None = None

    def forget_lines(self) -> None:
        """Render the content again when next measured or painted."""
        self._kept = None

    def _lines(self, width: int) -> list[Strip]:
        kept = self._kept
        if kept is None or kept[0] != width:
            kept = self._kept = (width, self._to_lines(self._render(), width))
        return kept[1]

    def _to_lines(self, visual: Visual, width: int) -> list[Strip]:
        return uncached(Visual.to_strips(self, visual, width, None, self.visual_style))

    def lines_of(self, renderable: RenderableType, width: int) -> list[Strip]:
        """``renderable`` as this widget's lines at ``width``, were it its
        content (rendered now, kept by :meth:`keep_lines` when shown)."""
        return self._to_lines(visualize(self, renderable, markup=False), width)

    def keep_lines(self, width: int, lines: list[Strip]) -> None:
        """Take ``lines`` (from :meth:`lines_of`, at ``width``) as the lines of
        the content just given to this widget."""
        self._kept = (width, lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width)) if width else 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._lines(width)
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(width, self.visual_style.rich_style)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The lines with padding and border, which Textual keeps per widget
        # and the compositor divides at each paint (a division that is the
        # whole line keeps the line itself in its cache).
        return uncached(super().render_lines(crop))

    def notify_style_update(self) -> None:
        self._kept = None
        super().notify_style_update()

    def selection_updated(self, selection: Selection | None) -> None:
        self._kept = None
        super().selection_updated(selection)
