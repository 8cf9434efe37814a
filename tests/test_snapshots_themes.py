"""Snapshots of the main screen in a light theme and a dark one, at 100x30
and 80x24, under the fixed test config of ``test_snapshots.py`` (a fixed
clock on the server and in the app, no cursor blink, the public host name
routed to an embedded server, times shown as the service writes them).

Accept new ones with ``pytest tests/test_snapshots_themes.py --snapshot-update``
and look at the SVGs before committing them.
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

from ernie_tui.api import ErnieClient, Secret
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.server import DEMO_BAIDUID, DEMO_BDUSS, ServerThread, Store, seed_demo
from ernie_tui.tui.app import BEIJING, ErnieApp
from ernie_tui.tui.screens.main import MainScreen

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
THEMES = [pytest.param("textual-light", id="light"), pytest.param("nord", id="dark")]
PUBLIC = "https://yiyan.baidu.com"
CLOCK = datetime(2026, 11, 20, 12, 0, 0, tzinfo=BEIJING)


class ThemedApp(ErnieApp):
    """The app in ``theme``, its client reaching the embedded server under the
    public name."""

    def __init__(self, server: ServerThread, theme: str, data: Path) -> None:
        super().__init__(
            Config(base_url=PUBLIC, theme=theme, time_zone="Asia/Shanghai"),
            Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "demo"),
            data_dir=data,
            clock=lambda: CLOCK,
        )
        self.server = server

    def create_client(self, credential: Credential) -> ErnieClient:
        return ErnieClient(
            credential.baiduid,
            credential.bduss_bfess,
            base_url=PUBLIC,
            transport=ToServer(self.server.base_url),
        )


@pytest.fixture
def demo_server() -> Iterator[ServerThread]:
    store = Store(clock=lambda: "2026-11-20 10:00:00")
    with ServerThread(store, rate=0) as server:
        seed_demo(store, image_base=PUBLIC)
        yield server


async def main_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    await until(pilot, lambda: not screen.chat.loading)
    for widget in screen.query(Input):
        widget.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_main_screen_in_a_theme(
    snap_compare: Any, demo_server: ServerThread, tmp_path: Path, size: tuple[int, int], theme: str
) -> None:
    app = ThemedApp(demo_server, theme, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=main_ready)
