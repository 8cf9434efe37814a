"""Keys that arrive together are applied in the order they were typed.

Over SSH a packet often carries several keys at once, and so does a fast
typist's burst. Textual sends a key its focused box does not insert itself
(Backspace, the arrows, ctrl+…) back up to the app before running the box's
binding for it, so the characters typed after it used to be inserted first:
``abc`` Backspace×3 ``borrow`` showed ``abcbor``. The driver delivers a burst
as key events posted one after another, which is what these tests do.
"""

from __future__ import annotations

from pathlib import Path

from conftest import Account
from support import make_app, ready, screen_text, seed, until
from textual import events
from textual.app import App
from textual.widgets import Input

from ernie_tui.server import ServerThread
from ernie_tui.tui.widgets.composer import Composer

BURST = "abc\b\b\bborrow"


def _burst(app: App[object], typed: str) -> None:
    """``typed`` as one read from the terminal would deliver it (``\\b``: Backspace,
    ``\\x01``: Home)."""
    for char in typed:
        if char == "\b":
            app.post_message(events.Key("backspace", None))
        elif char == "\x01":
            app.post_message(events.Key("home", None))
        else:
            app.post_message(events.Key(char, char))


async def test_a_burst_in_the_question_box_is_typed_in_order(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Weekly report", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        composer = screen.query_one(Composer)
        composer.focus()
        await pilot.pause()
        _burst(app, BURST + "\x01>")
        await until(pilot, lambda: composer.text == ">borrow")
        assert ">borrow" in screen_text(app)


async def test_a_burst_in_the_filter_box_is_typed_in_order(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Weekly report", []), ("Borrowing in Rust", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+f")
        _burst(app, BURST)
        box = screen.query_one("#filter", Input)
        await until(pilot, lambda: box.value == "borrow")
        await until(pilot, lambda: screen.conversation_list.count == 1)
