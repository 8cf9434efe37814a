"""A scrolling pane that keeps a message where it is on screen while the
content above it changes (:class:`KeptView`), as the window of a long history
does when it mounts or unmounts messages above the view.

Geometry comes from the widgets' own sizes, not from the compositor: asking
Textual where an off-screen widget is makes it rebuild its whole map, and the
next scroll then repaints the whole screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.geometry import Size
from textual.layout import Layout
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.containers import VerticalScroll as _Mixed
else:
    _Mixed = object  # a plain mixin: no class options of its own

__all__ = ["KeptView"]


class KeptView(_Mixed):
    """Mix in before the pane's Textual base (a ``VerticalScroll``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: tuple[Widget, int] | None = None
        """A widget to keep where it is on screen at the next layout: it and
        its top before the change (content lines)."""
        self._shifted = 0
        """How far that layout moved the view to keep it in place."""
        self._reshown: set[Widget] = set()
        """Widgets showing another message since the last layout kept the
        view in place: their laid-out size is the old message's."""

    def _page_height(self) -> int:
        return max(1, self.container_size.height)

    def _height(self, widget: Widget) -> int:
        """``widget``'s height in the pane: its laid-out size, else (mounted
        but not laid out yet) what its content takes at the pane's width."""
        height = widget.outer_size.height
        if height and widget not in self._reshown:
            return height
        content = widget.get_content_height(
            self._placed_in(), self.app.size, self._content_width(widget)
        )
        return content + widget.styles.gutter.height

    def _placed_in(self) -> Size:
        """The size the layout places the children in: inside the padding
        (as ``container_size``) and beside the scrollbar."""
        container = self.container_size
        return container.with_width(container.width - self.scrollbar_size_vertical)

    def _content_width(self, widget: Widget) -> int:
        """The width of ``widget``'s content, laid out in this pane."""
        gutter = widget.styles.gutter.width
        return max(1, self._placed_in().width - gutter - widget.styles.margin.width)

    def _span(self, widgets: Sequence[Widget], *, end: bool = False) -> int:
        """Lines from the top of the content to the top of the last of
        ``widgets`` when they are stacked from the top, margins collapsed as
        the vertical layout does; ``end``: to the bottom of the content below
        all of them."""
        y = 0
        below = 0
        for index, widget in enumerate(widgets):
            margin = widget.styles.margin
            y += max(below, margin.top) if index else margin.top
            if index == len(widgets) - 1 and not end:
                return y
            y += self._height(widget)
            below = margin.bottom
        return y + below

    def _top_of(self, widget: Widget) -> int:
        children = list(self.children)
        return self._span(children[: children.index(widget) + 1])

    def _keep_place(self, ref: Widget, ref_y: int, done: Callable[[], None]) -> None:
        """Keep ``ref`` where it was on screen (content was added or removed
        above it; its top was ``ref_y``): the view moves by as much as ``ref``
        did in the layout of the next frame, so no frame shows it moved;
        after that frame, check (and correct), then call ``done``. The move is
        relative to wherever the view is by then: a PgUp pressed while the
        messages were being mounted still moves it a page."""
        self._kept = (ref, ref_y)
        self._shifted = 0

        def check() -> None:
            try:
                self._kept = None
                self._reshown.clear()
                if ref.parent is self:
                    rest = self._top_of(ref) - ref_y - self._shifted
                    if rest:
                        y = self.scroll_y + rest
                        self.scroll_to(y=y, animate=False, immediate=True)
            finally:
                done()

        self.call_after_refresh(check)

    def pre_layout(self, layout: Layout) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            ref, ref_y = kept
            if ref.parent is self:
                # Before the children are placed: they are placed at this
                # offset in the same frame (unvalidated: the virtual size is
                # not the new one yet).
                old_y = self.scroll_y
                y = round(max(0.0, old_y + self._top_of(ref) - ref_y))
                self._shifted = y - round(old_y)
                self.set_scroll(None, y)
                self.set_reactive(Widget.scroll_target_y, y)
                if self.show_vertical_scrollbar:
                    self.vertical_scrollbar.position = y
