"""Snapshots of the "Search conversations" screen with results, at 100x30 and
80x24: the app on the Qianfan backend (its client reaching the embedded
server under the public host name, its conversations seeded in a library
file with a fixed clock), times shown in Asia/Shanghai.

Accept new ones with ``pytest tests/test_snapshots_search.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import ToServer, until
from test_snapshots import CLOCK, SIZES, still
from test_tui_search import CONVERSATIONS, seed_library
from textual.pilot import Pilot

from ernie_tui.api import Secret
from ernie_tui.api_key import AnyCredential, ApiKeyCredential
from ernie_tui.backends import Backend
from ernie_tui.backends.qianfan import QianfanBackend, account_of
from ernie_tui.config import Config, QianfanConfig
from ernie_tui.library import Library
from ernie_tui.qianfan import QianfanClient
from ernie_tui.server import ServerThread
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.search import SearchScreen
from ernie_tui.wiring import SERVICE_ZONE

PUBLIC = "https://qianfan.baidubce.com/v2"
KEY = Secret("bce-v3/ALTAK-snapshotsearch00/0123456789abcdef0123456789abcdef")


class _Owner(QianfanBackend):
    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            self.library.close()


class SearchSnapshotApp(ErnieApp):
    """The app on the Qianfan backend, its client reaching the embedded server
    under the public name."""

    def __init__(self, server: ServerThread, data: Path) -> None:
        super().__init__(
            Config(
                backend="qianfan",
                qianfan=QianfanConfig(base_url=PUBLIC),
                library_path=data / "library.db",
                time_zone="Asia/Shanghai",
            ),
            ApiKeyCredential(KEY, "session"),
            data_dir=data,
            clock=lambda: CLOCK,
        )
        self.server = server

    def create_backend(self, credential: AnyCredential, config: Config | None = None) -> Backend:
        assert isinstance(credential, ApiKeyCredential)
        client = QianfanClient(
            credential.key, base_url=PUBLIC, transport=ToServer(self.server.base_url)
        )
        library = Library(self.config.library_path, zone=SERVICE_ZONE)
        return _Owner(client, library, account_of(credential.key))


EXTRA = [
    (
        "下周计划",
        [("下周要做什么？", "下周计划：完成周报模板，整理本周完成的工作，安排评审。")],
    ),
    ("Meeting notes", [("Summarise the weekly 周报 meeting", "The 周报 is due on Friday.")]),
]


@pytest.mark.parametrize("size", SIZES)
def test_search_screen_with_results(
    snap_compare: Any, server: ServerThread, tmp_path: Path, size: tuple[int, int]
) -> None:
    seed_library(tmp_path / "library.db", KEY, [*CONVERSATIONS, *EXTRA])
    app = SearchSnapshotApp(server, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
        main = app.screen
        assert isinstance(main, MainScreen)
        await until(pilot, lambda: not main.chat.loading)
        await pilot.press("alt+s")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"周报")
        await until(pilot, lambda: screen.searched == "周报" and bool(screen.hits))
        await pilot.press("down")
        still(pilot)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
