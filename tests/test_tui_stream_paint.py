"""What a streaming answer repaints: only what changed, and nothing left stale.

- Between two growth steps an update repaints only the cells that changed: a
  line that grew is repainted from its first new cell, a new line up to its
  last visible cell (Rich pads lines with spaces to the width), never the
  whole width of every touched line. What the terminal shows afterwards is
  exactly the new text: every cell that differs lies in a repainted region.
- A growth step keeps the last lines of the text in view at the top of the
  pane and the pane scrolls about once per pane of text, at 120x40 as at
  80x24 (the step does not shrink to a fraction of a small pane).

Pilot: the history pane alone, the answer fed the benchmark's long answer in
batches as the stream delivers them.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from support import until
from test_tui_streaming_view import PaneApp, rows_of
from textual.geometry import Region
from textual.strip import Strip

from ernie_tui.server.bot import long_answer
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.answer_text import CONTEXT, AnswerText
from ernie_tui.tui.widgets.history import ChatView

BATCH = 17
"""Increments per update: 100 a second, 6 updates a second."""


class ManualAnswer(StreamingAnswer):
    FLUSH_INTERVAL = 1000.0
    """Flushed by the test only."""


Cell = tuple[str, Style | None]


def cells(strip: Strip, width: int, blank: Style | None) -> list[Cell]:
    """``strip`` cell by cell, padded with blanks to ``width``."""
    out: list[Cell] = []
    for segment in strip:
        if segment.control:
            continue
        for char in segment.text:
            out.extend([(char, segment.style)] * max(1, Segment(char).cell_length))
    return out + [(" ", blank)] * (width - len(out))


class Recorder:
    """The regions an :class:`AnswerText` asks to repaint (``None``: all of it),
    and how many layouts it asks for."""

    def __init__(self, text: AnswerText) -> None:
        self.regions: list[Region] | None = []
        self.layouts = 0
        original = text.refresh

        def refresh(*regions: Region, **options: Any) -> Any:
            self.layouts += bool(options.get("layout"))
            if not regions or options.get("layout"):
                self.regions = None
            elif self.regions is not None:
                self.regions.extend(regions)
            return original(*regions, **options)

        text.refresh = refresh  # type: ignore[method-assign]

    def reset(self) -> None:
        self.regions = []


async def feed(size: tuple[int, int], increments: int, check: Any) -> tuple[int, int]:
    """Stream ``increments`` of the long answer in update-sized batches; call
    ``check(text, before, after, regions)`` after each update that repainted
    only regions. Returns (partial updates, growth steps)."""
    app = PaneApp("Benchmark question")
    partial = steps = 0
    async with app.run_test(size=size) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(ManualAnswer())
        text = answer.query_one(AnswerText)
        recorder = Recorder(text)
        pieces = long_answer(increments)
        for start in range(0, len(pieces), BATCH):
            width = text.size.width
            blank = text.visual_style.rich_style
            height = text.size.height
            before = [cells(text.render_line(y), width, blank) for y in range(height)]
            recorder.reset()
            for piece in pieces[start : start + BATCH]:
                answer.append(piece)
            answer._flush()
            regions = recorder.regions
            if regions is None:
                steps += 1
                await pilot.pause()
                await until(pilot, lambda: text.size.height >= text.line_count, "the layout")
                continue
            after = [cells(text.render_line(y), width, blank) for y in range(height)]
            check(text, before, after, regions)
            partial += 1
            await pilot.pause()
        rows = rows_of(app, answer, chat)
        assert any(row.strip() for row in rows)
    return partial, steps


def covered(regions: list[Region], x: int, y: int) -> bool:
    return any(region.contains(x, y) for region in regions)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_an_update_repaints_every_changed_cell_and_little_else(
    size: tuple[int, int],
) -> None:
    repainted = changed = 0

    def check(
        text: AnswerText, before: list[list[Cell]], after: list[list[Cell]], regions: list[Region]
    ) -> None:
        nonlocal repainted, changed
        width = text.size.width
        for y, (old, new) in enumerate(zip(before, after, strict=True)):
            for x in range(width):
                if old[x] != new[x]:
                    changed += 1
                    assert covered(regions, x, y), (
                        f"cell {x},{y} changed from {old[x][0]!r} to {new[x][0]!r} "
                        f"but was not repainted: {regions}"
                    )
        repainted += sum(region.area for region in regions)

    partial, _ = await feed(size, 600, check)
    assert partial > 10
    # Repainting whole lines would cost the width per touched line: far more.
    # Whole lines would cost the width per touched line: several times more.
    assert repainted < changed * 2 + partial * 4


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_a_growth_step_keeps_context_and_is_two_thirds_of_the_pane(
    size: tuple[int, int],
) -> None:
    app = PaneApp("Benchmark question")
    async with app.run_test(size=size) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(ManualAnswer())
        text = answer.query_one(AnswerText)
        pieces = long_answer(1200)
        reserved = [0]
        pane = chat.scrollable_content_region.height
        for start in range(0, len(pieces), BATCH):
            for piece in pieces[start : start + BATCH]:
                answer.append(piece)
            answer._flush()
            await pilot.pause()
            await until(pilot, lambda: text.size.height >= text.line_count, "the layout")
            if text.size.height != reserved[-1]:
                reserved.append(text.size.height)
                rows = rows_of(app, answer, chat)
                cursor = [i for i, row in enumerate(rows) if row.strip() == "…"]
                assert cursor, "\n".join(rows)
                # The text's last lines stay in view above the "…".
                assert cursor[-1] >= CONTEXT - 1, "\n".join(rows)
                assert any(row.strip() for row in rows[: cursor[-1]]), "\n".join(rows)
        steps = [b - a for a, b in itertools.pairwise(reserved[1:])]
        assert steps, reserved
        # Each step is two thirds of the pane, whatever the pane's height.
        assert min(steps) >= pane * 2 // 3 - 1, (steps, pane)


async def test_a_growth_step_lays_the_answer_out_once() -> None:
    """The layout of a growth step gives the text its new size, and that
    size is the one the text expected: no second layout, which would draw
    the whole pane again."""
    app = PaneApp("Benchmark question")
    async with app.run_test(size=(120, 40)) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(ManualAnswer())
        text = answer.query_one(AnswerText)
        recorder = Recorder(text)
        pieces = long_answer(1200)
        steps: list[int] = []
        for start in range(0, len(pieces), BATCH):
            height, width = text.size.height, text.size.width
            recorder.layouts = 0
            for piece in pieces[start : start + BATCH]:
                answer.append(piece)
            answer._flush()
            await pilot.pause()
            await until(pilot, lambda: text.size.height >= text.line_count, "the layout")
            await pilot.pause()
            # (The first steps lay it out at a width, then beside the
            # pane's new scrollbar: a new width, rendered again.)
            if text.size.height != height and text.size.width == width:
                steps.append(recorder.layouts)
        assert len(steps) >= 3, steps
        assert max(steps) == 1, f"layouts asked for per growth step: {steps}"
