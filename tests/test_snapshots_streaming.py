"""Snapshots of an answer while it streams (the main screen, the stream frozen
inside an inline code span: the "…" right under the text, no raw backtick)
and of an answer holding a table with Chinese cells, at 100x30 and 80x24.

Accept new ones with ``pytest tests/test_snapshots_streaming.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import until
from test_snapshots import PUBLIC, SnapshotApp, demo_credential, main_ready, still
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from ernie_tui.api import Chat
from ernie_tui.server import Fault, ServerThread, Store, seed_demo
from ernie_tui.server.bot import answer_for, split_increments
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.messages import Reply

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
GREETING = "你好"
PIECES = split_increments(answer_for(GREETING))
FROZEN = next(i for i in range(len(PIECES)) if "works: `inline" in "".join(PIECES[:i]))
"""The stream stops inside the inline code span of the introduction's list."""
TRIP = "帮我规划一个杭州三日游"


@pytest.fixture
def frozen_server() -> Iterator[tuple[ServerThread, Fault]]:
    """The demo server; its next answer stops after :data:`FROZEN` increments
    until the gate is set (at the end of the test at the latest)."""
    store = Store(clock=lambda: "2026-11-20 10:00:00")
    gate = Fault("gate", after=FROZEN, seconds=10)
    with ServerThread(store, rate=0) as server:
        seed_demo(store, image_base=PUBLIC)
        server.state.faults.add(gate)
        yield server, gate
        gate.gate.set()


@pytest.mark.parametrize("size", SIZES)
def test_answer_while_it_streams(
    snap_compare: Any,
    frozen_server: tuple[ServerThread, Fault],
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    server, _gate = frozen_server
    app = SnapshotApp(server, demo_credential(), tmp_path)
    arrived = "".join(PIECES[:FROZEN])

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await main_ready(pilot)
        await pilot.press("ctrl+n")
        screen.composer.set_text(GREETING)
        await pilot.pause()
        await pilot.press("enter")

        def frozen() -> bool:
            answer = screen.chat.last_answer()
            return isinstance(answer, StreamingAnswer) and answer.text == arrived

        await until(pilot, frozen)
        await pilot.pause(0.3)  # the next flush shows it
        still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


class TableApp(App[None]):
    """The history pane alone: a question and its answer with a table."""

    def compose(self) -> ComposeResult:
        yield ChatView()

    async def on_mount(self) -> None:
        chat = self.query_one(ChatView)
        await chat.show_chats([Chat("u1", "user", TRIP), Chat("r1", "robot", answer_for(TRIP))])


@pytest.mark.parametrize("size", SIZES)
def test_table_with_chinese_cells(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        chat = pilot.app.query_one(ChatView)
        await until(pilot, lambda: bool(chat.query(Reply)))
        await pilot.pause()
        chat.scroll_home(animate=False)
        await pilot.pause()

    assert snap_compare(TableApp(), terminal_size=size, run_before=run_before)
