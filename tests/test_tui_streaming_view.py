"""What an answer looks like while it streams, and a table with Chinese cells.

- The "…" of a streaming answer sits right under its text: the lines the
  pane reserves ahead of the text (it grows in steps) are below the "…",
  never a hole of blank rows between the text and it.
- The unfinished tail shows no raw markdown syntax: an inline code span,
  bold text or a table begun and not yet closed shows as text, not as
  `` ` ``, ``**`` or ``|``.
- A table with Chinese cells keeps its columns aligned and shows every cell
  whole, also where the pane is narrow.

Pilot: the real app on the embedded server with the stream frozen by gate
faults, and the answer widget alone fed increment by increment.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Account
from rich.cells import cell_len
from support import make_app, poll_until, ready, send, until
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget

from ernie_tui.api import Chat
from ernie_tui.server import Fault, ServerThread
from ernie_tui.server.bot import answer_for, split_increments
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.answer_text import AnswerText
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.markdown_tail import tidy_tail

GREETING = "你好"
"""Answered by the demo's introduction: a heading, a list with inline code and
bold text, a code block."""
TRIP = "帮我规划一个杭州三日游"
"""Answered with a table of Chinese cells."""


def strips_of(app: App[Any], widget: Widget, pane: Widget) -> list[Strip]:
    """The rows of ``widget`` (inside its border) that show in ``pane``."""
    strips = app.screen._compositor.render_strips()
    region = widget.content_region.intersection(pane.region)
    return [strips[y].crop(region.x, region.right) for y in range(region.y, region.bottom)]


def rows_of(app: App[Any], widget: Widget, pane: Widget) -> list[str]:
    return [strip.text for strip in strips_of(app, widget, pane)]


def blank_rows_above_cursor(rows: list[str]) -> int:
    """How many blank rows sit between the last row of text and the "…"."""
    cursor = [i for i, row in enumerate(rows) if row.strip() == "…"]
    assert cursor, f"no … on screen while the answer streams: {rows}"
    above = [i for i, row in enumerate(rows[: cursor[-1]]) if row.strip()]
    assert above, "no text above the …"
    return cursor[-1] - above[-1] - 1


class PaneApp(App[None]):
    """The history pane alone, with one question asked."""

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield ChatView()

    async def on_mount(self) -> None:
        await self.query_one(ChatView).show_chats([Chat("u1", "user", self.question)])


class QuickAnswer(StreamingAnswer):
    FLUSH_INTERVAL = 0.01
    """Flushed often, so a test sees (nearly) every increment."""


async def stream_and_check(
    pilot: Pilot[Any], answer: StreamingAnswer, pieces: list[str], raw: str
) -> int:
    """Feed ``pieces`` one by one; after each, the "…" is at most 2 blank rows
    under the text and no character of ``raw`` shows. Returns the most blank
    rows seen above the "…"."""
    chat = pilot.app.query_one(ChatView)
    text = answer.query_one(".answer--text", AnswerText)
    worst = 0
    for piece in pieces:
        answer.append(piece)
        await pilot.pause(0.02)
        await until(pilot, lambda: answer.text and not answer._buffer)
        await until(pilot, lambda: text.size.height > text.line_count, "the layout")
        await pilot.pause()
        rows = rows_of(pilot.app, answer, chat)
        blank = blank_rows_above_cursor(rows)
        worst = max(worst, blank)
        assert blank <= 2, "\n".join(rows)
        shown = "\n".join(rows)
        assert not any(mark in shown for mark in raw), shown
    return worst


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
async def test_the_cursor_follows_the_text_at_every_increment(size: tuple[int, int]) -> None:
    app = PaneApp(GREETING)
    async with app.run_test(size=size) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(QuickAnswer())
        pieces = split_increments(answer_for(GREETING))
        # Backticks and ** only ever open inline code and bold in this answer.
        await stream_and_check(pilot, answer, pieces, raw=("`", "**"))
        answer.finish("".join(pieces))
        await until(pilot, lambda: not answer.has_class("-streaming"))
        await pilot.pause()
        assert "…" not in "\n".join(rows_of(app, answer, chat))


async def test_a_table_streams_without_raw_pipes() -> None:
    app = PaneApp(TRIP)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(QuickAnswer())
        await stream_and_check(pilot, answer, split_increments(answer_for(TRIP)), raw=("|", "**"))


async def test_the_cursor_sits_under_the_reasoning_until_the_answer_begins() -> None:
    app = PaneApp("Why is the sky blue?")
    async with app.run_test(size=(100, 30)) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(QuickAnswer())
        reasoning = "The user asks about the sky.\n\nRayleigh scattering explains it: "
        for piece in split_increments(reasoning):
            answer.append_thinking(piece)
            await pilot.pause(0.02)
        await until(pilot, lambda: answer.thinking is not None and answer.thinking.body.lines)
        await pilot.pause()
        assert blank_rows_above_cursor(rows_of(app, answer, chat)) <= 2
        answer.append("Blue light is scattered the most.")
        await until(pilot, lambda: answer.thinking is not None and not answer.thinking.expanded)
        await pilot.pause(0.05)
        rows = rows_of(app, answer, chat)
        assert blank_rows_above_cursor(rows) == 0
        assert rows[[row.strip() for row in rows].index("…") - 1].startswith("Blue light")


async def test_a_frozen_stream_shows_its_cursor_under_the_text(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    """The real app and server: the stream frozen at a few points (the first
    lines, inside an inline code span, after a pane's worth of lines)."""
    pieces = split_increments(answer_for(GREETING))
    inline = next(i for i in range(len(pieces)) if "works: `in" in "".join(pieces[:i]))
    points = [4, 20, inline, 80, len(pieces) - 3]
    gates = [Fault("gate", after=k, seconds=10) for k in points]
    server.state.faults.add(*gates)
    app = make_app(server, account, tmp_path)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await ready(pilot)
            await send(pilot, GREETING)
            for point, gate in zip(points, gates, strict=True):
                arrived = "".join(pieces[:point])
                await poll_until(pilot, lambda: screen.ask is not None)
                answer = screen.chat.last_answer()
                assert isinstance(answer, StreamingAnswer)
                await poll_until(pilot, lambda a=answer, t=arrived: a.text == t, f"{point} pieces")
                await pilot.pause(0.3)  # the next flush shows them
                rows = rows_of(app, answer, screen.chat)
                assert blank_rows_above_cursor(rows) <= 2, "\n".join(rows)
                if point == inline:
                    assert any("Markdown works: in" in row for row in rows)
                    assert "`" not in "\n".join(rows)
                gate.gate.set()
            await poll_until(pilot, lambda: screen.ask is None, "the answer to end")
    finally:
        for gate in gates:
            gate.gate.set()


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 24)], ids=["100", "80", "60"])
async def test_a_table_with_chinese_cells_stays_aligned_and_whole(size: tuple[int, int]) -> None:
    text = answer_for(TRIP)
    app = PaneApp(TRIP)
    async with app.run_test(size=size) as pilot:
        chat = app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.children))
        answer = await chat.add_answer(StreamingAnswer())
        answer.append(text)
        answer.finish(text)
        await until(pilot, lambda: answer.state == "done" and not answer.has_class("-streaming"))
        await pilot.pause()
        strips = strips_of(app, answer, chat)
        rows = [strip.text for strip in strips]
        header = next(i for i, row in enumerate(rows) if "日期" in row)
        end = next(i for i, row in enumerate(rows) if "小贴士" in row)
        table = [i for i in range(header, end) if rows[i].strip() and "─" not in rows[i]]

        def starts(row: str) -> list[int]:
            return [cell_len(row[: m.start()]) for m in re.finditer(r"\S+(?: \S+)*", row)]

        columns = starts(rows[header])
        assert len(columns) == 4
        for i in table:
            assert set(starts(rows[i])) <= set(columns), f"{rows[i]!r} under {rows[header]!r}"
        # Each column, read down, holds its cells whole (folded, never cut to "…").
        edges = [*columns, strips[header].cell_length]
        for column, (left, right) in enumerate(itertools.pairwise(edges)):
            down = "".join("".join(strips[i].crop(left, right).text.split()) for i in table)
            assert "…" not in down
            for line in [line for line in text.splitlines() if line.startswith("| ")]:
                cell = line.strip("|").split("|")[column].strip()
                assert "".join(cell.split()).replace("**", "") in down, (cell, down)


@pytest.mark.parametrize(
    ("tail", "shown"),
    [
        ("3. Markdown works: `inline", "3. Markdown works: inline"),
        ("`a` and `b_c*", "`a` and b\\_c\\*"),
        ("a **bold** and *it", "a **bold** and it"),
        ("2*3 = 6 and a * b", "2*3 = 6 and a * b"),
        ("snake_case stays", "snake_case stays"),
        ("see [the docs](https://exa", "see the docs"),
        ("Here:\n```pyt", "Here:\n"),
        ("x\n```python\ndef f(", "x\n```python\ndef f("),
        ("| 日期 | 上午 |\n|--", ""),
        ("| 日期 | 上午 |\n|---|---|\n| 第一", "| 日期 | 上午 |\n|---|---|\n| 第一"),
    ],
)
def test_the_unfinished_tail_drops_only_its_dangling_markers(tail: str, shown: str) -> None:
    assert tidy_tail(tail) == shown
