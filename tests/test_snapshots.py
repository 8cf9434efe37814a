"""Snapshots of the main screen, the sign-in screen and an error state, at
100x30 and 80x24, under a fixed test config: a fixed clock on the server and in
the app, no cursor blink, and the public host name routed to an embedded
server (so no random port shows).

Accept new ones with ``pytest tests/test_snapshots.py --snapshot-update`` and
look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support import ToServer, until
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from ernie_tui.api import ErnieClient
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.server import DEMO_BAIDUID, DEMO_BDUSS, Fault, ServerThread, Store, seed_demo
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.main import MainScreen

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
PUBLIC = "https://yiyan.baidu.com"
CLOCK = datetime(2026, 11, 20, 12, 0, 0)


class SnapshotApp(ErnieApp):
    """The app, its client reaching the embedded server under the public name."""

    def __init__(self, server: ServerThread | None, credential: Credential | None, data: Path):
        super().__init__(
            Config(base_url=PUBLIC, time_zone="Asia/Shanghai"),
            credential,
            demo_starter=lambda: (PUBLIC, demo_credential()),
            data_dir=data,
            clock=lambda: CLOCK,
        )
        self.server = server

    def create_client(self, credential: Credential) -> ErnieClient:
        assert self.server is not None
        return ErnieClient(
            credential.baiduid,
            credential.bduss_bfess,
            base_url=PUBLIC,
            transport=ToServer(self.server.base_url),
        )


def demo_credential() -> Credential:
    from ernie_tui.api import Secret

    return Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "demo")


@pytest.fixture
def demo_server() -> Iterator[ServerThread]:
    store = Store(clock=lambda: "2026-11-20 10:00:00")
    with ServerThread(store, rate=0) as server:
        seed_demo(store, image_base=PUBLIC)
        yield server


def still(pilot: Pilot[Any]) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False


async def main_ready(pilot: Pilot[Any]) -> MainScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    await until(pilot, lambda: not screen.chat.loading)
    still(pilot)
    await pilot.pause()
    return screen


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(
    snap_compare: Any, demo_server: ServerThread, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = SnapshotApp(demo_server, demo_credential(), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await main_ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = SnapshotApp(None, None, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_error_state_cut_answer(
    snap_compare: Any, demo_server: ServerThread, tmp_path: Path, size: tuple[int, int]
) -> None:
    """An answer cut off mid-stream: kept, marked incomplete, the error shown."""
    app = SnapshotApp(demo_server, demo_credential(), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await main_ready(pilot)
        await pilot.press("ctrl+n")
        demo_server.state.faults.add(
            Fault(kind="answer", text="第一段。The first paragraph arrived.\n\nThen the"),
            Fault(kind="cut", after=10),
        )
        screen.composer.set_text("Why was this answer cut off?")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: screen.failed is not None and screen.ask is None)
        await pilot.pause(0.2)
        still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
