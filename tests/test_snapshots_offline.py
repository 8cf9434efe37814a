"""Snapshots of the main screen offline, at 100x30 and 80x24: the demo
account's conversations kept on this machine by a first run online, then the
app started again with the server gone (the public host name routed to a
loopback port where nothing listens). Under the fixed test config of
``test_snapshots_themes.py`` (fixed clocks, no cursor blink, times as the
service writes them).

Accept new ones with ``pytest tests/test_snapshots_offline.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ToServer, until
from test_snapshots_themes import CLOCK, PUBLIC, SIZES
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from ernie_tui.api import ErnieClient, Secret
from ernie_tui.api_key import AnyCredential
from ernie_tui.backends import Backend, WebBackend
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.library import Library
from ernie_tui.server import DEMO_BAIDUID, DEMO_BDUSS, ServerThread, Store, seed_demo
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.wiring import SERVICE_ZONE

NOWHERE = "http://127.0.0.1:9"
"""A loopback port where nothing listens (the discard port)."""


class KeepingApp(ErnieApp):
    """The app under the public name, its web backend keeping what arrives in
    ``data/library.db``, its requests going to ``target``."""

    def __init__(self, target: str, data: Path) -> None:
        super().__init__(
            Config(base_url=PUBLIC, time_zone="Asia/Shanghai", connect_timeout=2.0),
            Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "session"),
            data_dir=data,
            clock=lambda: CLOCK,
        )
        self.target = target

    def create_client(self, credential: Credential) -> ErnieClient:
        return ErnieClient(
            credential.baiduid,
            credential.bduss_bfess,
            base_url=PUBLIC,
            transport=ToServer(self.target),
        )

    def create_backend(self, credential: AnyCredential, config: Config | None = None) -> Backend:
        assert isinstance(credential, Credential)
        library = Library(self.data_dir / "library.db", zone=SERVICE_ZONE)
        return WebBackend(self.create_client(credential), cache=library, cache_account="web:demo")


@pytest.fixture
def demo_server() -> Iterator[ServerThread]:
    store = Store(clock=lambda: "2026-11-20 10:00:00")
    with ServerThread(store, rate=0) as server:
        seed_demo(store, image_base=PUBLIC)
        yield server


async def _keep(server: ServerThread, data: Path) -> None:
    """A first run online: the list and the first conversation are kept."""
    app = KeepingApp(server.base_url, data)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: not screen.chat.loading and not screen.status.activity)


async def offline_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.status.offline)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    await until(pilot, lambda: not screen.chat.loading and not screen.status.activity)
    for widget in screen.query(Input):
        widget.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_the_main_screen_offline(
    snap_compare: Any,
    demo_server: ServerThread,
    tmp_path: Path,
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asyncio.run(_keep(demo_server, tmp_path))
    monkeypatch.setattr(MainScreen, "LIST_RETRY_DELAYS", (600.0,))
    app = KeepingApp(NOWHERE, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=offline_ready)
