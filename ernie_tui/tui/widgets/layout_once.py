"""Widgets in the history pane laid out once per change (:class:`LayoutOnce`).

Textual's layout pass tells each widget its new size and virtual size, and
sets the virtual size as a reactive that asks for another layout. For a pane
whose content has just been placed by that very pass, the second layout is
identical, and so is the repaint of the whole pane that follows it a frame
later: each growth step of a streaming answer, and each batch of messages
mounted, would be painted twice (twice the bytes over SSH). The messages
themselves take it too: each message a batch mounts asked for that second
layout, and the repaint it asked for forgot the height just measured, so
every message's Markdown was rendered twice more. A scrollbar that appears
or goes still lays the pane out again (its own reactive)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size

if TYPE_CHECKING:
    from textual.widget import Widget as _Mixed
else:
    _Mixed = object  # a plain mixin: no class options of its own (can_focus…)

__all__ = ["LayoutOnce"]


class LayoutOnce(_Mixed):
    """Mix in before the widget's Textual base: its virtual size is taken
    from the layout without asking for another."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)
