"""The composer's cursor rests when nothing happens (issue 15): it blinks after
a key or focus, stops blinking (shown) after a while without input, so an
idle app writes nothing to the terminal, and blinks again on the next key or
focus; an answer streaming still holds it steady, and blinking comes back
after the answer.

Pilot: the real app on the embedded server, with a short idle period
(``Composer.BLINK_IDLE``) so no test waits seconds for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Account
from support import make_app, poll_until, ready, send
from textual.pilot import Pilot

from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.widgets.composer import Composer

IDLE = 1.0
"""The idle period in these tests (seconds); the cursor blinks every 0.5 s."""


@pytest.fixture(autouse=True)
def short_idle() -> Iterator[None]:
    saved = Composer.BLINK_IDLE
    Composer.BLINK_IDLE = IDLE
    try:
        yield
    finally:
        Composer.BLINK_IDLE = saved


def cursor_shown(composer: Composer) -> bool:
    """Whether the cursor is drawn in the composer's cursor row now."""
    style = composer.get_component_rich_style("text-area--cursor")
    row = composer.cursor_location[0]
    return any(segment.style == style for segment in composer.render_line(row))


async def blinks(pilot: Pilot[Any], composer: Composer, timeout: float = 10.0) -> None:
    """Wait (bounded) until the cursor is seen hidden: it blinks."""
    await poll_until(pilot, lambda: not cursor_shown(composer), "the cursor to blink", timeout)


async def rests(pilot: Pilot[Any], composer: Composer, timeout: float = 15.0) -> None:
    """Wait (bounded) until the cursor has been shown for four blink periods
    in a row, then check it stays shown: it no longer blinks."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    shown_since = loop.time()
    while loop.time() - shown_since < 2.0:
        assert loop.time() < deadline, "the cursor kept blinking"
        if not cursor_shown(composer):
            shown_since = loop.time()
        await pilot.pause(0.05)
    for _ in range(20):  # two more idle periods: still shown, every time we look
        assert cursor_shown(composer)
        await pilot.pause(0.1)


async def test_the_cursor_stops_blinking_when_idle_and_blinks_again_on_a_key_or_focus(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    app = make_app(server, account, tmp_path)
    async with app.run_test() as pilot:
        screen = await ready(pilot)
        composer = screen.composer
        composer.focus()
        await pilot.press("h", "i")
        await blinks(pilot, composer)
        await rests(pilot, composer)
        assert composer.cursor_blink  # the setting is the user's, untouched

        await pilot.press("!")
        await blinks(pilot, composer)
        assert composer.text == "hi!"
        await rests(pilot, composer)

        screen.chat.focus()
        await pilot.pause()
        composer.focus()
        await blinks(pilot, composer)
        await rests(pilot, composer)


async def test_a_streaming_answer_still_holds_the_cursor_and_blinking_resumes_after_it(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    gate = Fault("gate", after=5, seconds=20)
    server.state.faults.add(gate)
    app = make_app(server, account, tmp_path)
    try:
        async with app.run_test() as pilot:
            screen = await ready(pilot)
            composer = screen.composer
            await send(pilot, "你好")
            await poll_until(pilot, lambda: screen.ask is not None, "the answer to start")
            composer.focus()
            await pilot.press("x")  # a key while it streams: still steady
            assert not composer.cursor_blink
            await rests(pilot, composer)

            gate.gate.set()
            await poll_until(pilot, lambda: screen.ask is None, "the answer to end")
            assert composer.cursor_blink
            await pilot.press("y")
            await blinks(pilot, composer)
            await rests(pilot, composer)
    finally:
        gate.gate.set()
