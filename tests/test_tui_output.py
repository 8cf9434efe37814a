"""The app's terminal output in fewer bytes (issue 15: bytes over an SSH
link): what :class:`~ernie_tui.tui.output.Compactor` writes draws the same
screen as what Textual wrote, in the same attributes, wherever the cursor
ends up, over whatever the screen showed before.

A terminal here is a ``pyte`` screen (the one the benchmarks read). Two
cells look the same when they hold the same character in the same colours
and attributes; a blank cell (a space that is not underlined, struck,
overlined or reversed) shows only its background, so only that is compared.
Frames are Textual's own: strips rendered by ``Strip.render`` and placed as
its compositor places them, and the real app's screen, whole and in part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyte
from conftest import Account
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from support import SIZE, make_app, ready, screen_text, seed, until
from textual.strip import Strip

from ernie_tui.server import ServerThread
from ernie_tui.tui.output import Compactor, compact_output

COLS, ROWS = 40, 12

CONSOLE = Console(color_system="truecolor", force_terminal=True, width=COLS)

STYLES = [
    None,
    Style(),
    Style(color="#e0e0e0", bgcolor="#121212"),
    Style(color="#0178d4", bgcolor="#121212"),
    Style(bold=True, color="#e0e0e0", bgcolor="#121212"),
    Style(bgcolor="#121212"),
    Style(bgcolor="#0f181e"),
    Style(color="red", bgcolor="blue", italic=True),
    Style(color="color(208)", dim=True),
    Style(underline=True, color="#58d1eb"),
    Style(reverse=True, color="#003054", bgcolor="#121212"),
    Style(strike=True, bgcolor="#0f181e"),
    Style(bold=True, dim=True, overline=True),
]
TEXTS = st.text(alphabet="ab ▎•中", min_size=0, max_size=14) | st.sampled_from(
    ["", " " * 9, " " * 30]
)


def feed(data: str, before: str = "") -> pyte.Screen:
    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.Stream(screen)
    stream.feed(before)
    stream.feed(data)
    return screen


def looks(screen: pyte.Screen) -> list[tuple[Any, ...]]:
    """What a person sees in each cell, and where the cursor is."""
    cells: list[tuple[Any, ...]] = []
    for y in range(screen.lines):
        line = screen.buffer[y]
        for x in range(screen.columns):
            c = line[x]
            if c.data.strip() or c.reverse or c.underscore or c.strikethrough:
                cells.append((c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse))
            else:
                cells.append((c.data, c.bg))
    cursor = screen.cursor
    attrs = cursor.attrs
    return [*cells, (cursor.x, cursor.y, attrs.fg, attrs.bg, attrs.bold, attrs.reverse)]


@st.composite
def frames(draw: st.DrawFn) -> str:
    """A frame as Textual's compositor writes it: for each span of a line
    changed (top to bottom), pieces of strips each after a cursor move, a
    line feed between spans, and the cursor put back at the end."""
    # Rows top to bottom; a row twice when it has two spans of change.
    rows = sorted(draw(st.lists(st.integers(0, ROWS - 1), min_size=1, max_size=5)))
    parts: list[str] = []
    for index, y in enumerate(rows):
        x = draw(st.integers(0, COLS - 1))
        for _ in range(draw(st.integers(1, 3))):
            pieces = draw(st.lists(st.tuples(TEXTS, st.sampled_from(STYLES)), max_size=4))
            strip = Strip([Segment(t, s) for t, s in pieces]).crop(0, COLS - x)
            parts.append(f"\x1b[{y + 1};{x + 1}H{strip.render(CONSOLE)}")
            x += strip.cell_length
            if x >= COLS:
                break
        if index < len(rows) - 1:
            parts.append("\n")
    cursor = (draw(st.integers(1, ROWS)), draw(st.integers(1, COLS)))
    parts.append("\x1b[{};{}H".format(*cursor))
    return "".join(parts)


BEFORE = "".join(
    f"\x1b[{y};1H\x1b[1;7;38;5;{y}mXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" for y in range(1, ROWS)
)


# Frames written again (rows the screen shows already), and a clear between.
WRITES = st.lists(frames(), min_size=1, max_size=3).flatmap(
    lambda written: st.lists(st.sampled_from([*written, "\x1b[2J"]), min_size=1, max_size=6)
)


@settings(max_examples=300, deadline=None)
@given(WRITES, st.booleans())
def test_a_compacted_frame_draws_the_same_screen(writes: list[str], erase: bool) -> None:
    compactor = Compactor(erase=erase)
    # What was on the screen before (in attributes left set) must not show through.
    original = BEFORE + "\x1b[0m" + "".join(writes)
    compacted = compactor.compact(BEFORE) + compactor.compact("\x1b[0m")
    compacted += "".join(compactor.compact(write) for write in writes)
    assert looks(feed(compacted)) == looks(feed(original))
    if not erase:
        assert "X" not in compacted.replace(BEFORE, "")


def test_attributes_only_change_where_they_differ() -> None:
    compactor = Compactor(erase=False)
    grey = "\x1b[38;2;224;224;224;48;2;18;18;18m"
    frame = (
        f"\x1b[1;1H{grey}abc\x1b[0m{grey}def\x1b[0m\x1b[1;38;2;224;224;224;48;2;18;18;18mg\x1b[0m"
    )
    compactor.compact("\x1b[0m")  # the terminal's attributes are known from here
    assert compactor.compact(frame) == f"\x1b[1;1H{grey}abcdef\x1b[1mg\x1b[0m"


def test_blank_runs_are_erased_in_the_background_when_the_terminal_can() -> None:
    frame = (
        "\x1b[2;1H\x1b[48;2;18;18;18m"
        + " " * 30
        + "\x1b[0m\x1b[48;2;18;18;18m"
        + " " * 5
        + "\x1b[0mx"
    )
    frame = "\x1b[0m" + frame  # from attributes known
    erased = Compactor(erase=True).compact(frame)
    written = Compactor(erase=False).compact(frame)
    assert "\x1b[35X\x1b[34C \x1b[0mx" in erased and " " * 35 in written
    assert looks(feed(erased, BEFORE)) == looks(feed(frame, BEFORE)) == looks(feed(written, BEFORE))


def test_what_it_does_not_understand_goes_out_as_it_came_and_nothing_is_assumed_after() -> None:
    compactor = Compactor(erase=True)
    compactor.compact("\x1b[0m")
    curly = "\x1b[4:3m"  # a curly underline
    out = compactor.compact(f"a{curly}b\x1b[0m\x1b[31mc")
    assert out == f"a{curly}b\x1b[0;31mc"
    red = "\x1b[0m\x1b[31md\x1b[0m"
    assert compactor.compact(red) == "d\x1b[0m"  # the terminal was left in red
    compactor.compact("\x1b[31m")
    compactor.forget()  # another program wrote to the terminal (the app was suspended)
    assert compactor.compact(red) == "\x1b[0;31md\x1b[0m"


def test_the_driver_writes_through_it() -> None:
    written: list[str] = []

    class Terminal:
        def write(self, data: str) -> None:
            written.append(data)

        def start_application_mode(self) -> None:
            written.append("<start>")

    driver = compact_output(Terminal)()
    driver.write("\x1b[0m\x1b[1;1H\x1b[31ma\x1b[0m\x1b[31mb\x1b[0m")
    driver.start_application_mode()
    driver.write("\x1b[0m\x1b[31mc")
    assert written == ["\x1b[1;1H\x1b[0;31mab\x1b[0m", "<start>", "\x1b[0;31mc"]


async def test_the_apps_own_screen_compacted_is_the_same_screen_in_under_half_the_bytes(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    answer = (
        "## Steps\n\n1. **first**: read `the file`\n2. then *this* one\n\n"
        "```python\nprint('hello')\n```\n\n| a | b |\n|---|---|\n| 中文 | x |"
    )
    seed(server, account, [("Formatted", [(f"question {i}", answer) for i in range(6)])])
    app = make_app(server, account, tmp_path)
    width, height = SIZE
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: "print('hello')" in screen_text(app))
        await pilot.pause()
        compositor = app.screen._compositor
        full = compositor.render_full_update().render_segments(app.console)
        screen.chat.refresh()  # a repaint of the history pane
        compositor.update_widgets({screen.chat})
        partial_update = compositor.render_partial_update()
        assert partial_update is not None
        partial = partial_update.render_segments(app.console)
    for original in (full, full + partial):
        compactor = Compactor(erase=True)
        compacted = compactor.compact(original)
        big = pyte.Screen(width, height)
        small = pyte.Screen(width, height)
        pyte.Stream(big).feed(original)
        pyte.Stream(small).feed(compacted)
        assert looks(small) == looks(big)
        assert "print('hello')" in "\n".join(small.display)
        assert len(compacted.encode()) < 0.5 * len(original.encode())


def test_a_line_feed_that_may_scroll_is_kept_and_others_are_not() -> None:
    compactor = Compactor(erase=True)
    between = "\x1b[0m\x1b[3;1Ha\n\x1b[4;1Hb"
    assert compactor.compact(between) == "\x1b[3;1H\x1b[0ma\x1b[4;1Hb"
    for scrolls in (f"\x1b[{ROWS};1Hx\x1b[0m\n\x1b[1;1Hy", "\nz\x1b[0m\n\x1b[5;1Hy"):
        out = compactor.compact(scrolls)
        assert "\n" in out
        before = BEFORE + "\x1b[0m"  # the attributes the compactor knows
        assert looks(feed(out, before)) == looks(feed(scrolls, before))


ROW = (
    "\x1b[3;5H\x1b[1;38;2;224;224;224;48;2;18;18;18mthe same row\x1b[0m"
    "\x1b[48;2;18;18;18m   \x1b[0m"
)


def test_a_row_written_again_the_same_way_is_left_out_until_something_else_touched_it() -> None:
    compactor = Compactor(erase=True)
    compactor.resized((COLS, ROWS))
    compactor.compact("\x1b[0m")
    other = "\x1b[3;9H\x1b[31mX\x1b[0m"  # a piece of the same row, changed
    writes = [ROW, ROW, other, ROW, "\x1b[2J", ROW]
    outs = [compactor.compact(write) for write in writes]
    assert ["the same row" in out for out in outs] == [True, False, False, True, False, True]
    assert looks(feed("".join(outs), BEFORE + "\x1b[0m")) == looks(
        feed("".join(writes), BEFORE + "\x1b[0m")
    )


def test_after_a_resize_or_a_resume_every_row_is_written_again() -> None:
    compactor = Compactor(erase=True)
    compactor.resized((COLS, ROWS))
    compactor.compact("\x1b[0m" + ROW)
    compactor.resized((COLS, ROWS))
    assert "the same row" not in compactor.compact(ROW)
    compactor.resized((COLS + 10, ROWS))  # the terminal may have rewrapped its rows
    assert "the same row" in compactor.compact(ROW)
    compactor.forget()  # another program had the terminal
    assert "the same row" in compactor.compact("\x1b[0m" + ROW)


def test_a_frame_that_only_puts_the_cursor_back_where_it_is_writes_nothing() -> None:
    compactor = Compactor(erase=True)
    compactor.compact("\x1b[0m")
    assert "abc\x1b[5;7H" in compactor.compact("\x1b[?2026h\x1b[3;1Habc\x1b[5;7H\x1b[?2026l")
    # The cursor is there: nothing changed.
    assert compactor.compact("\x1b[?2026h\x1b[5;7H\x1b[?2026l") == ""
    assert compactor.compact("\x1b[5;7H") == ""
    assert compactor.compact("\x1b[5;7H\x1b[?25l") == "\x1b[5;7H\x1b[?25l"  # hidden now
    assert compactor.compact("\x1b[6;1H") == "\x1b[6;1H"  # elsewhere: moved
    compactor.compact("\x1b[6;1Hx")  # the row's text moves the cursor on ...
    assert compactor.compact("\x1b[6;1H") == "\x1b[6;1H"  # ... so the move is written
    compactor.compact("\x1b[6;1H")
    compactor.forget()  # another program wrote to the terminal
    assert compactor.compact("\x1b[6;1H") == "\x1b[6;1H"
