"""What a frame of a streamed answer draws: the rows that changed, nothing else.

- In the real app (Pilot), while an answer streams, the widgets on other rows
  than the answer's new lines (the composer, the key footer, the status
  line) or beside them (the conversation list) are not drawn again: Textual
  8.2 drew every widget whose container met the changed area, all of its
  lines, on every frame (``textual_fixes``).
- Nor are the containers around the answer, whose part of those rows the
  widgets in front of them cover (``_covered``, checked against every cell).
- In a pseudo-terminal, what the frames of a streamed answer leave on the
  screen is exactly what one full repaint of that screen draws: no cell is
  left stale by the rows-only renders.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyte
from conftest import Account
from hypothesis import given
from hypothesis import strategies as st
from ptyrun import PtyApp
from support import make_app, ready, send, until
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ernie_tui.server import Fault, ServerThread
from ernie_tui.server.bot import long_answer
from ernie_tui.tui.textual_fixes import _covered
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.answer_text import AnswerText


def count_draws(widget: Widget, drawn: Counter[str], name: str) -> None:
    """Count the lines ``widget`` draws, under ``name``."""
    original = widget.render_lines

    def render_lines(crop: Region) -> list[Strip]:
        drawn[name] += crop.height
        return original(crop)

    widget.render_lines = render_lines  # type: ignore[method-assign]


async def test_a_streamed_answer_draws_only_the_rows_it_changes(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        server.state.faults.add(Fault(kind="long", increments=600), Fault(kind="rate", rate=150))
        await send(pilot, "a long answer, please")
        await until(pilot, lambda: screen.ask is not None and screen.ask.received)
        answer = screen.chat.last_answer()
        assert isinstance(answer, StreamingAnswer)
        text = answer.query_one(AnswerText)
        await until(pilot, lambda: text.line_count > 0, "the first lines of the answer")
        await pilot.pause()
        drawn: Counter[str] = Counter()
        count_draws(text, drawn, "answer")
        for widget, name in (
            (screen.composer, "composer"),
            (screen.status, "status line"),
            (screen.query_one("KeyFooter", Widget), "footer"),
            (screen.conversation_list, "conversation list"),
            (screen, "screen"),
            (screen.query_one("#body", Widget), "body"),
        ):
            count_draws(widget, drawn, name)
        frames = 0
        while answer.state == "streaming" and frames < 12:
            shown = text.line_count
            await until(
                pilot,
                lambda shown=shown: text.line_count != shown or answer.state != "streaming",
                "the next lines of the answer",
            )
            await pilot.pause()
            frames += 1
        assert frames >= 8, "the answer ended before it had streamed for a while"
        assert drawn["answer"] > 0
        # Without the fix each of them is drawn whole on every frame.
        assert drawn["composer"] == 0, drawn
        assert drawn["footer"] == 0, drawn
        assert drawn["status line"] == 0, drawn
        assert drawn["conversation list"] == 0, drawn  # beside the answer
        # Containers whose part of the changed rows their children cover.
        assert drawn["screen"] == 0, drawn
        assert drawn["body"] == 0, drawn
        await pilot.press("escape")
        await until(pilot, lambda: screen.ask is None)


def cells(screen: pyte.Screen) -> list[list[tuple[str, str, str, bool, bool]]]:
    """Every cell of ``screen`` as it looks: its character, colours, bold and
    reverse (a blank shows only its background, unless reversed)."""
    rows = []
    for y in range(screen.lines):
        row = []
        for x in range(screen.columns):
            cell = screen.buffer[y][x]
            blank = cell.data == " " and not cell.reverse
            fg = "" if blank else cell.fg
            row.append((cell.data, fg, cell.bg, cell.bold and not blank, cell.reverse))
        rows.append(row)
    return rows


def test_what_a_stream_leaves_on_the_terminal_is_what_a_full_repaint_draws(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    app = PtyApp.on_one_conversation(server, account, tmp_path, "Paint")
    try:
        increments = 500
        server.state.faults.add(
            Fault(kind="long", increments=increments), Fault(kind="rate", rate=200)
        )
        app.type("Paint me a long answer")
        app.settle(quiet=0.2)
        app.type("\r")
        tail = "".join(long_answer(increments)).split()[-1]
        app.wait_for("ERNIE", limit=30)
        app.wait_until(lambda: tail in app.display, f"the answer's last word {tail!r}", 60)
        app.settle(quiet=0.5)
        streamed = cells(app.screen)
        shown = app.display
        # One full repaint on a blank terminal of the same size: shrink the
        # terminal and give it back its size, then draw on a fresh screen.
        columns, lines = app.screen.columns, app.screen.lines
        app.resize(columns, lines - 1)
        app.settle(quiet=0.5)
        app.blank_screen()
        app.resize(columns, lines)
        app.wait_until(lambda: "ERNIE" in app.display, "the full repaint", 20)
        app.settle(quiet=0.5)
        assert app.display == shown
        assert cells(app.screen) == streamed
    finally:
        app.close()


_regions = st.builds(
    Region,
    st.integers(0, 12),
    st.integers(0, 12),
    st.integers(0, 8),
    st.integers(0, 8),
)


@given(_regions, st.lists(_regions, max_size=6))
def test_an_area_is_covered_when_every_cell_of_it_is_in_a_region_drawn(
    area: Region, drawn: list[Region]
) -> None:
    every_cell = all(
        any(region.contains(x, y) for region in drawn)
        for y in range(area.y, area.bottom)
        for x in range(area.x, area.right)
    )
    assert _covered(area, drawn) == every_cell
