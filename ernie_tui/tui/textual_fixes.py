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

Every widget drawn again for a few changed lines (Textual 8.2): a partial
update renders each widget whose *clip* (its container's visible region)
meets the changed area, and all of that widget's lines, then keeps only the
changed rows. So a streamed answer's few new lines drew the sidebar, the
conversation list, the composer, the footer and every container around them,
top to bottom, six times a second. The renders are now limited to the rows
that changed (the columns stay as they were: Textual cuts each row at the
widgets' edges), and widgets that do not meet the changed area are left out:
only the widgets that meet it draw, and only its rows. Nor does a container
draw whose part of the changed area the widgets in front of it cover (the
screen, the body and the pane around a streaming answer's new lines): the
front widget's cells win, and Textual drew the container's lines only to
drop them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from textual._compositor import Compositor
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
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


_FAR = 1 << 20
"""Further than any column: a band of rows spans all of them."""


def _get_renders(
    self: Compositor, crop: Region | None = None
) -> Iterable[tuple[Region, Region, list[Strip]]]:
    """Textual's method, each widget clipped to the rows of ``crop`` as well
    as to its container: (its region, its clip, its lines within the clip)."""
    widgets = self.visible_widgets.items()
    if crop:
        # Widgets beside the changed area (the sidebar beside the history)
        # are left out: no changed cell is theirs.
        band = Region(-_FAR, crop.y, 2 * _FAR, crop.height)
        shown = [
            (widget, region, clip.intersection(band))
            for widget, (region, clip) in widgets
            if crop.overlaps(region.intersection(clip))
        ]
    else:
        shown = [(widget, region, clip) for widget, (region, clip) in widgets]
    drawn: list[Region] = []
    for widget, region, clip in shown:
        x, y, width, height = visible = region.intersection(clip)
        # Front to back, and the front one's cells win: a container whose
        # part of the changed area its children cover has nothing to draw.
        if not visible or (crop and _covered(visible.intersection(crop), drawn)):
            continue
        drawn.append(visible)
        lines = widget.render_lines(Region(x - region.x, y - region.y, width, height))
        yield region, clip, lines


def _covered(area: Region, drawn: list[Region]) -> bool:
    """Whether the regions ``drawn`` cover all of ``area``, checked band by
    band between their top and bottom edges."""
    if not area:
        return True
    over = [region for region in drawn if region.overlaps(area)]
    if not over:
        return False
    edges = sorted(
        {area.y, area.bottom}
        | {y for region in over for y in (region.y, region.bottom) if area.y < y < area.bottom}
    )
    for top, bottom in pairwise(edges):
        spans = sorted(
            (region.x, region.right)
            for region in over
            if region.y <= top and region.bottom >= bottom
        )
        reach = area.x
        for left, right in spans:
            if left > reach:
                return False
            reach = max(reach, right)
            if reach >= area.right:
                break
        if reach < area.right:
            return False
    return True


def apply() -> None:
    """Work around the faults above, where the installed Textual has them
    (a Textual whose method is not cached by instance, or whose renders are
    not the ones described, is left as it is)."""
    if hasattr(StylesCache.get_inner_outer, "cache_info"):
        StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign,assignment]
    # Textual's method as it is in 8.2 (it tests each clip with crop.overlaps).
    code = Compositor._get_renders.__code__
    if "crop_overlaps" in code.co_varnames + code.co_cellvars:
        Compositor._get_renders = _get_renders  # type: ignore[method-assign]
