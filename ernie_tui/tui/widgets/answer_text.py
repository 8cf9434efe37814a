"""A streamed answer's text: one widget drawn with Textual's line API.

Finished top-level markdown blocks are rendered to lines once and kept; only
the unfinished tail is re-rendered (with one shared markdown parser, its
dangling markdown syntax left out: :func:`~.markdown_tail.tidy_tail`) and
only the lines that changed are repainted, so per-update work is bounded by
the tail, not the answer. :class:`~.answer.StreamingAnswer` feeds it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from textual.containers import ScrollableContainer
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from ..plain import clean_segments
from .markdown_tail import tidy_tail
from .messages import markdown

__all__ = ["AnswerText", "split_finished_blocks"]

_EMPTY = Strip([], 0)

CONTEXT = 3
"""Lines of the text still in view, at the top of the pane, right after the
pane scrolled on to the next step of a streaming answer."""


def _changed_from(old: Strip | None, new: Strip | None) -> int:
    """The first cell at which ``new`` differs from ``old`` (0: all of it)."""
    if old is None or new is None:
        return 0
    x = 0
    for before, after in zip(old, new, strict=False):
        if before == after:
            x += before.cell_length
            continue
        if before.style == after.style and not before.control and not after.control:
            a, b = before.text, after.text
            same = 0
            while same < len(a) and same < len(b) and a[same] == b[same]:
                same += 1
            x += cell_len(a[:same])
        return x
    return x


def _extent(line: Strip | None) -> int:
    """Cells of ``line`` up to its last visible one: Rich pads a line with
    plain spaces to the width, which look like the blank they cover."""
    if line is None:
        return 0
    width = line.cell_length
    for segment in reversed(list(line)):
        style = segment.style
        if segment.control or (
            style is not None
            and (style.bgcolor is not None or style.underline or style.reverse or style.strike)
        ):
            return width
        text = segment.text
        visible = text.rstrip(" ")
        if visible:
            return width - (len(text) - len(visible))
        width -= len(text)
    return width


def split_finished_blocks(text: str) -> tuple[list[str], str]:
    """Split ``text`` into the top-level markdown blocks that are finished (a
    blank line outside fenced code follows them) and the unfinished rest.

    ``text`` must start outside a fenced code block (the rest returned always
    does). Work is linear in ``len(text)``.
    """
    blocks: list[str] = []
    fence = ""
    start = 0
    pos = 0
    length = len(text)
    while True:
        end = text.find("\n", pos)
        if end < 0:
            break  # the last line is not complete yet
        line = text[pos:end]
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            marker = stripped[0]
            fence = stripped[: len(stripped) - len(stripped.lstrip(marker))]
        elif not stripped:
            block = text[start:pos].strip("\n")
            if block.strip():
                blocks.append(block)
            start = end + 1
        pos = end + 1
        if pos >= length:
            break
    return blocks, text[start:]


class AnswerText(Widget, can_focus=False):
    """A streamed answer's text, drawn with Textual's line API.

    Finished markdown blocks are rendered to lines (``Strip``) once, at the
    widget's width, and kept; only the unfinished tail is rendered again per
    :meth:`update`, and only the lines that changed are repainted. While the
    answer streams the height grows in steps (blank lines reserved below the
    text, about two thirds of the pane), so an update changes no geometry: no
    re-layout, no repaint of the rest of the pane, and the pane that follows
    the bottom scrolls once a step rather than once a line. The ``cursor``
    (the streaming answer's "…") is drawn on the line right under the text,
    so the reserved lines sit below it, never between the text and it; the
    unfinished tail is shown without dangling markdown syntax. :meth:`settle`
    gives the reserved lines back and renders the whole text as one document,
    so the finished answer looks exactly like a :class:`~.messages.Reply`
    from the history. A change of width renders the kept text again at the
    new width.
    """

    COMPONENT_CLASSES = {"answer-text--cursor"}

    DEFAULT_CSS = """
    AnswerText {
        height: auto;
    }
    AnswerText > .answer-text--cursor {
        color: $text-muted;
        text-style: italic;
    }
    """

    def __init__(self, *, max_blocks: int, classes: str = "answer--text", cursor: str = "") -> None:
        super().__init__(classes=classes)
        self.max_blocks = max_blocks
        self.streaming = True
        self._cursor = Strip([Segment(cursor)], cell_len(cursor)) if cursor else None
        """Drawn under the text while it streams (once there is text)."""
        self.dropped = 0
        """Finished blocks no longer kept (the oldest of a very long answer)."""
        self._blocks: list[str] = []
        self._heights: list[int] = []
        self._done: list[Strip] = []
        self._tail_text = ""
        self._tail: list[Strip] = []
        self._gap = 0
        self._width = 0
        self._reserved = 0

    @property
    def line_count(self) -> int:
        """Lines of text (without the reserved blank lines)."""
        return len(self._done) + self._gap + len(self._tail)

    @property
    def has_text(self) -> bool:
        """Whether any text arrived (known before it is rendered)."""
        return bool(self._blocks) or bool(self._tail_text.strip())

    @property
    def cursor_row(self) -> int:
        """The line the cursor is drawn on, right under the text (-1: none)."""
        shown = self.streaming and self._cursor is not None and self.has_text
        return self.line_count if shown else -1

    @property
    def _shown(self) -> int:
        """Lines drawn: the text's and the cursor's."""
        return self.line_count + (self.cursor_row >= 0)

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines (for tests)."""
        return [self._line(y) or _EMPTY for y in range(self.line_count)]

    def _render_markdown(self, text: str, width: int) -> list[Strip]:
        """``text`` rendered as a Rich ``Markdown`` exactly as a ``Static``
        holding it would render it (no base style yet: :meth:`render_line`
        applies the widget's)."""
        app = self.app
        options = app.console_options.update(highlight=False).update_width(width)
        segments = clean_segments(app.console.render(markdown(text), options))
        lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
        return [Strip(line) for line in lines]

    def _add_block(self, lines: list[Strip]) -> None:
        """Append a finished block's lines. Rich separates two top-level
        elements with one empty line, which a list's own rendering already
        starts with; so the joined blocks equal the whole document's lines."""
        height = len(lines)
        if self._done and lines and lines[0].cell_length:
            self._done.append(_EMPTY)
            height += 1
        self._done.extend(lines)
        self._heights.append(height)

    def _set_tail(self, text: str, width: int) -> None:
        self._tail_text = text
        shown = tidy_tail(text) if self.streaming else text
        self._tail = self._render_markdown(shown, width) if shown.strip() else []
        self._gap = 1 if self._done and self._tail and self._tail[0].cell_length else 0

    def _line(self, y: int) -> Strip | None:
        done = len(self._done)
        if y < done:
            return self._done[y]
        y -= done + self._gap
        if y < 0:
            return _EMPTY
        if y < len(self._tail):
            return self._tail[y]
        if y == len(self._tail) and self.cursor_row >= 0:
            return self._cursor
        return None

    def _step(self) -> int:
        """Blank lines reserved below the text while it streams: two thirds
        of the pane (a full pane would scroll the question off as soon as
        the answer starts, and leave most of the pane blank below it)."""
        height = self.app.size.height
        for node in self.ancestors:
            if isinstance(node, ScrollableContainer):
                height = node.scrollable_content_region.height or height
                break
        return max(4, height * 2 // 3)

    def _fit(self) -> bool:
        """Size the reserved height to the text; whether it changed. While
        streaming it is the next multiple of the step above the lines shown: it
        follows from the text alone, whatever the updates were."""
        count = self._shown
        if self.streaming:
            if count <= self._reserved:
                return False
            step = self._step()
            self._reserved = (count // step + 1) * step
            return True
        if count == self._reserved:
            return False
        self._reserved = count
        return True

    def _relayout(self) -> None:
        """Lay out again (the height changed), and check after the next
        refresh that the layout took: a request made while an earlier one is
        still pending can leave the answer around this text at its old
        height, the text cut off below it."""
        self._expect_size()
        self.refresh(layout=True)
        self.call_after_refresh(self._check_layout)

    def _expect_size(self) -> None:
        """Take the size the layout will give as the virtual size now: one
        the layout changes asks for a second layout, repainting all of the
        text (``LayoutOnce`` would leave the answer at its old height)."""
        if self._width:
            self.set_reactive(Widget.virtual_size, Size(self._width, self._reserved))

    def _check_layout(self) -> None:
        """Lay out once more only if the last layout left this text at another
        height or outside its parent: a second layout of an unchanged pane
        would repaint all of it for nothing."""
        if not self.is_attached or not self.display:
            return
        parent = self.parent
        stale = self.size.height != self._reserved
        if not stale and isinstance(parent, Widget) and parent.display:
            stale = not parent.region.contains_region(self.region)
        if stale:
            self.refresh(layout=True)

    def _rebuild(self, width: int) -> None:
        """Render everything kept again at ``width``."""
        self._width = width
        self._done = []
        self._heights = []
        for block in self._blocks:
            self._add_block(self._render_markdown(block, width))
        self._set_tail(self._tail_text, width)
        self._reserved = 0
        self._fit()

    def _drop_oldest(self) -> int:
        """Forget the oldest blocks past :attr:`max_blocks`, a quarter of them
        at once (each drop moves every line: a full repaint). Returns the
        number of lines dropped."""
        excess = len(self._blocks) - self.max_blocks
        if excess <= 0:
            return 0
        excess = min(len(self._blocks), max(excess, self.max_blocks // 4))
        lines = sum(self._heights[:excess])
        del self._blocks[:excess]
        del self._heights[:excess]
        del self._done[:lines]
        self.dropped += excess
        self._reserved = max(0, self._reserved - lines)
        return lines

    def update(self, blocks: Sequence[str], tail: str) -> None:
        """Newly finished ``blocks`` and the unfinished ``tail`` (which replaces
        the previous tail)."""
        kept = list(blocks[-self.max_blocks :])
        self.dropped += len(blocks) - len(kept)
        width = self._width
        if not width:  # not laid out yet: rendered at the first layout
            self._blocks.extend(kept)
            self._tail_text = tail
            if len(self._blocks) > self.max_blocks:
                excess = len(self._blocks) - self.max_blocks
                del self._blocks[:excess]
                self.dropped += excess
            self._relayout()
            return
        if not kept and tail == self._tail_text:
            return
        first = len(self._done)
        old = [self._line(y) for y in range(first, self._shown)]
        cursor = self.cursor_row
        for block in kept:
            self._blocks.append(block)
            self._add_block(self._render_markdown(block, width))
        dropped = self._drop_oldest()
        self._set_tail(tail, width)
        if self._fit() or dropped:
            self._relayout()
            return
        self._refresh_changed(first, old, cursor)

    def _refresh_changed(self, first: int, old: list[Strip | None], cursor: int) -> None:
        """Repaint the lines from ``first`` on that differ from ``old`` (the
        cursor was on line ``cursor``), each only from its first changed cell
        to its last visible one (or the old line's): a line that grew costs
        its new words, a new line its text, not the whole width."""
        regions: list[Region] = []
        width = self.size.width
        shown = self.cursor_row
        for y in range(first, first + max(len(old), self._shown - first)):
            index = y - first
            before = old[index] if index < len(old) else None
            line = self._line(y)
            if line == before:
                continue
            # The cursor's line is drawn in its own style: repainted from 0.
            left = 0 if y in (cursor, shown) else _changed_from(before, line)
            right = min(width, max(_extent(before), _extent(line), left + 1))
            if left < right:
                regions.append(Region(left, y, right - left, 1))
        if regions:
            self.refresh(*regions)

    def replace(self, blocks: Sequence[str], tail: str) -> None:
        """Show other text instead (an authoritative final text that differs)."""
        self._blocks = list(blocks[-self.max_blocks :])
        self.dropped = len(blocks) - len(self._blocks)
        self._tail_text = tail
        if self._width:
            self._rebuild(self._width)
        self._relayout()

    def settle(self, text: str, *, render: bool = True) -> None:
        """The answer ended (``text`` is all of it): give the reserved lines
        back and, unless older blocks were dropped, show ``text`` rendered as
        one document, as a :class:`~.messages.Reply` shows it.

        ``render=False`` (the widget is being hidden): render it only at the
        next layout that shows it, not now."""
        self.streaming = False
        if not self.dropped:
            self._blocks = [text] if text.strip() else []
            self._tail_text = ""
        else:
            if self._tail_text.strip():
                self._blocks.append(self._tail_text)
            self._tail_text = ""
        if not render:
            self._width = 0  # rendered by get_content_height once shown
            self._done, self._heights, self._tail, self._gap = [], [], [], 0
        elif self._width:
            self._rebuild(self._width)
        self._relayout()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width and width > 0:
            self._rebuild(width)
        return self._reserved

    def render_line(self, y: int) -> Strip:
        line = self._line(y)
        if line is None or not line.cell_length:
            return _EMPTY
        if y == self.cursor_row:
            line = line.apply_style(self.get_component_rich_style("answer-text--cursor"))
        return line.apply_style(self.visual_style.rich_style)
