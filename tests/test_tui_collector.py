"""Python's full garbage collections run in the pauses between keys
(``QuietCollector``), not in the middle of the work a key started: a key
pressed after a pause finds the collection done, and a batch of messages
being mounted is never interrupted by one the app started."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import Account
from support import SIZE, make_app, seed, until
from test_tui_history_window import long_history, open_long

from ernie_tui.server import ServerThread
from ernie_tui.tui import collector
from ernie_tui.tui.collector import QuietCollector

QUIET = 0.03


def make_due(due: int = collector.DUE) -> None:
    """As after a few seconds of paging: ``due`` collections of the younger
    generation since the last full one."""
    gc.collect()
    for _ in range(due):
        gc.collect(1)


@contextmanager
def full_collections() -> Iterator[list[float]]:
    """The times full collections start while the block runs."""
    started: list[float] = []

    def heard(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            started.append(time.monotonic())

    gc.callbacks.append(heard)
    try:
        yield started
    finally:
        gc.callbacks.remove(heard)


async def test_a_due_collection_runs_once_the_input_pauses() -> None:
    quiet = QuietCollector(quiet=QUIET)
    make_due()
    with full_collections() as started:
        for _ in range(5):  # keys closer together than the pause
            quiet.heard()
            await asyncio.sleep(QUIET / 3)
        assert started == []
        await asyncio.sleep(QUIET * 3)
    assert len(started) == 1
    assert quiet.collections == 1
    assert gc.get_count()[2] < collector.DUE  # Python's own count starts again


async def test_nothing_runs_when_no_collection_is_due() -> None:
    quiet = QuietCollector(quiet=QUIET)
    gc.collect()
    with full_collections() as started:
        quiet.heard()
        await asyncio.sleep(QUIET * 3)
    assert started == []
    assert quiet.collections == 0


async def test_a_hold_keeps_the_collection_back_until_it_is_released() -> None:
    quiet = QuietCollector(quiet=QUIET)
    make_due()
    with full_collections() as started:
        quiet.heard()
        quiet.hold()  # a batch of messages under way
        await asyncio.sleep(QUIET * 3)
        assert started == []
        assert quiet.held
        quiet.release()
        assert not quiet.held
        await asyncio.sleep(QUIET * 3)
    assert len(started) == 1


async def test_a_hold_never_released_lapses() -> None:
    quiet = QuietCollector(quiet=QUIET, hold_at_most=QUIET * 2)
    make_due()
    quiet.hold()
    assert quiet.held
    await asyncio.sleep(QUIET * 3)
    assert not quiet.held
    with full_collections() as started:
        quiet.heard()
        await asyncio.sleep(QUIET * 3)
    assert len(started) == 1


async def test_a_busy_loop_is_not_a_pause() -> None:
    quiet = QuietCollector(quiet=QUIET)
    make_due()
    with full_collections() as started:
        quiet.heard()
        time.sleep(QUIET * 2)  # a long layout: the wait ends late
        await asyncio.sleep(0)
        assert started == []
        await asyncio.sleep(QUIET * 3)  # then a real pause
    assert len(started) == 1


async def test_paging_collects_in_the_pauses_and_never_while_a_batch_is_mounted(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        held_then: list[bool] = []
        making = [False]  # the test's own collections are not counted

        def heard(phase: str, info: dict[str, Any]) -> None:
            if phase == "start" and info["generation"] == 2 and not making[0]:
                held_then.append(collector.quiet.held)

        before = collector.quiet.collections
        gc.callbacks.append(heard)
        try:
            start = chat.window[0]
            for _ in range(40):  # PgUp by hand: a pause after each
                making[0] = True
                make_due()
                making[0] = False
                await pilot.press("pageup")
                await asyncio.sleep(collector.QUIET * 3)
                await pilot.pause()
            await until(pilot, lambda: chat.window[0] < start)
        finally:
            gc.callbacks.remove(heard)
        # Older messages were mounted, and a collection ran in the pauses.
        assert collector.quiet.collections - before >= 10
        assert held_then and not any(held_then)
