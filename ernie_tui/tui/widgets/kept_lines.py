"""Messages of the history rendered once per width (:class:`KeptLines`).

A ``Static`` renders its content twice for one change: once to measure its
height in the layout (Rich renders it and counts the line feeds) and again,
from the start, when it is first painted; any later refresh renders it
again. For an answer that is its whole Markdown, and a PgUp that mounts 40
older messages and then shows some of them paid for every answer's Markdown
twice. A message that keeps its lines renders once per width and style: the
layout takes the height from the lines, the paint draws them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual

if TYPE_CHECKING:
    from textual.selection import Selection
    from textual.widget import Widget as _Mixed
else:
    _Mixed = object  # a plain mixin: no class options of its own (can_focus…)

__all__ = ["KeptLines"]


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
            strips = Visual.to_strips(self, self._render(), width, None, self.visual_style)
            kept = self._kept = (width, strips)
        return kept[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width)) if width else 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self._lines(width)
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(width, self.visual_style.rich_style)

    def notify_style_update(self) -> None:
        self._kept = None
        super().notify_style_update()

    def selection_updated(self, selection: Selection | None) -> None:
        self._kept = None
        super().selection_updated(selection)
