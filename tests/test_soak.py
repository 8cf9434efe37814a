"""Soak: 200 questions in one run of the real app against the real server.
The app stays responsive; asyncio tasks and the client's pooled connections
return to their baseline; memory growth is printed (run with ``-s``)."""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path
from typing import Any

from support import answered, make_app, poll_until, ready, send

from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault

QUESTIONS = 200
WARM_UP = 40
"""Questions asked before the baseline: by then the pane holds its full window
of mounted messages (older ones are unmounted as new ones come)."""


def _connections(app: Any) -> int:
    pool = app.backend.client._http._transport._pool
    return len(pool.connections)


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def test_two_hundred_questions(server: ServerThread, account: Any, tmp_path: Path) -> None:
    server.state.faults.add(
        Fault("answer", text="ok", count=QUESTIONS), Fault("rate", count=QUESTIONS)
    )
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        for n in range(WARM_UP):
            await send(pilot, f"question {n}")
            await answered(pilot)
        await poll_until(pilot, lambda: not screen.status.activity, "the list re-sync")
        await app.workers.wait_for_complete()
        gc.collect()
        tasks_before = len(asyncio.all_tasks())
        connections_before = _connections(app)
        blocks_before = sys.getallocatedblocks()
        rss_before = _rss_kib()
        started_at = time.perf_counter()
        for n in range(WARM_UP, QUESTIONS):
            await send(pilot, f"question {n}")
            answer = await answered(pilot)
            assert answer.state == "done", n
            assert answer.text == "ok", n
        await poll_until(pilot, lambda: not screen.status.activity, "the last re-sync")
        await app.workers.wait_for_complete()
        # Still responsive: a key is handled at once.
        screen.composer.focus()
        await pilot.press(*"end")
        assert screen.composer.text == "end"
        gc.collect()
        blocks_after = sys.getallocatedblocks()
        rss_after = _rss_kib()
        tasks_after = len(asyncio.all_tasks())
        connections_after = _connections(app)
        elapsed = time.perf_counter() - started_at
        mounted = screen.chat.mounted_messages
        # The questions of this session that left the window are still there.
        screen.chat.scroll_home(animate=False, immediate=True)
        await poll_until(pilot, lambda: screen.chat.mounted_messages > mounted, "older messages")
    print(
        f"\nsoak: {QUESTIONS} questions in {elapsed:.1f} s; "
        f"python objects {blocks_before} -> {blocks_after} allocated blocks "
        f"(+{blocks_after - blocks_before}), "
        f"RSS {rss_before} -> {rss_after} KiB (+{rss_after - rss_before} KiB); "
        f"tasks {tasks_before} -> {tasks_after}; "
        f"connections {connections_before} -> {connections_after}; "
        f"{mounted} messages mounted"
    )
    # Back to the baseline, give or take a timer: before the pane was pruned,
    # every question added ~7 tasks (one per widget) and never gave them back.
    assert tasks_after <= tasks_before + 3
    assert connections_after <= max(connections_before, 2)
    assert server.state.asks >= QUESTIONS
    # Bounded: 200 short answers must not cost tens of megabytes.
    # Bounded growth: 160 questions and answers, their drafts and list re-syncs
    # may leave some objects behind, not one window of widgets per question.
    assert blocks_after - blocks_before < 200_000
    assert rss_after - rss_before < 80 * 1024
