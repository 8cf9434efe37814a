"""The TUI as a demanding user meets it: what the screen shows while moving
around (Pilot, reading the screen the compositor draws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Account
from rich.cells import cell_len
from support import make_app, ready, seed, until
from textual.widgets import Input

from ernie_tui.server import ServerThread


def screen_rows(app: Any) -> list[str]:
    """The screen, row by row, one character per cell."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        row = []
        for segment in strip:
            for char in segment.text:
                row.append(char + " " * (cell_len(char) - 1))
        rows.append("".join(row))
    return rows


async def test_the_filter_box_shows_what_is_typed_and_escape_clears_then_leaves(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Weekly report", []), ("Learning Rust", []), ("Other", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+f")
        for char in "week":
            await pilot.press(char)
        await until(pilot, lambda: screen.conversation_list.count == 1)
        box = screen.query_one("#filter", Input)
        assert app.focused is box
        # The focused box is one text row that shows the text (no border rows).
        assert box.region.height == 1
        assert "week" in screen_rows(app)[box.region.y]
        await pilot.press("escape")
        await until(pilot, lambda: box.value == "")
        assert app.focused is box and screen.conversation_list.count == 3
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is screen.conversation_list)


async def test_enter_in_the_filter_opens_the_first_match(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Weekly report", []), ("Learning Rust", []), ("Other", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.open_session is not None and screen.open_session.name == "Other"
        await pilot.press("ctrl+f", *"rust", "enter")
        await until(
            pilot,
            lambda: screen.open_session is not None and screen.open_session.name == "Learning Rust",
            "the first match to open",
        )
        # Pressed again, ctrl+f keeps the filter as it was, the cursor at its end.
        await pilot.press("ctrl+f", "x")
        box = screen.query_one("#filter", Input)
        await until(pilot, lambda: box.value == "rustx", f"rustx, not {box.value!r}")


async def test_the_footer_keeps_help_and_the_palette_at_80x24(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await until(pilot, lambda: screen_rows(app)[-1].strip(), "the footer")
        footer = screen_rows(app)[-1]
        assert footer.startswith("f1 Help")
        assert footer.rstrip().endswith("^p palette")


async def test_the_footer_names_pin_or_unpin_as_it_applies(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: screen_rows(app)[-1].strip(), "the footer")
        assert "^t Pin " in screen_rows(app)[-1]
        await pilot.press("ctrl+t")
        await until(pilot, lambda: bool(screen.conversations.top))
        await until(pilot, lambda: "^t Unpin" in screen_rows(app)[-1], "Unpin in the footer")
        await pilot.press("ctrl+t")
        await until(pilot, lambda: not screen.conversations.top)
        await until(pilot, lambda: "^t Pin " in screen_rows(app)[-1], "Pin in the footer")
