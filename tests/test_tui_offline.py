"""Start-up from what this machine kept, and the offline mode, through Pilot
against the real embedded server (one of the test's own, which it stops and
starts again on the same port): the cached sidebar before the server has
answered, browsing the cache with the server down, refusals that keep the
draft, going back online by itself, a refresh that keeps the selection, and
"Sync all conversations" from the palette.

The web backend is given a library of the test's own (``library.db`` in the
app's data directory), as ``wiring.make_backend`` gives it one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Account
from support import (
    FIXED_NOW,
    SIZE,
    RecordingApp,
    main_screen,
    messages,
    poll_until,
    ready,
    screen_text,
    seed,
    static_text,
    until,
)

from ernie_tui.api import Secret
from ernie_tui.api_key import AnyCredential
from ernie_tui.backends import Backend, WebBackend
from ernie_tui.config import Config, make_client
from ernie_tui.credentials import Credential
from ernie_tui.library import Library
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.sync import SyncBar
from ernie_tui.wiring import SERVICE_ZONE

LIST_PATH = "/eb/session/list"
HISTORY_PATH = "/eb/chat/history"


class CachedWebBackend(WebBackend):
    """The web backend on a library it closes with itself."""

    def __init__(self, config: Config, credential: Credential, path: Path) -> None:
        self.library = Library(path, zone=SERVICE_ZONE)
        super().__init__(
            make_client(config, credential), cache=self.library, cache_account="web:test"
        )

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            self.library.close()


class CachingApp(RecordingApp):
    """The app whose web backend keeps what arrives in ``data_dir/library.db``."""

    def create_backend(self, credential: AnyCredential, config: Config | None = None) -> Backend:
        assert isinstance(credential, Credential)
        return CachedWebBackend(config or self.config, credential, self.data_dir / "library.db")


def caching_app(server: ServerThread, account: Account, data: Path, **settings: Any) -> CachingApp:
    config: dict[str, Any] = {"request_timeout": 10.0, "idle_timeout": 10.0, "connect_timeout": 2.0}
    config.update(settings)
    return CachingApp(
        Config(base_url=server.base_url, **config),
        Credential(Secret(account.baiduid), Secret(account.bduss), "session"),
        data_dir=data,
        clock=lambda: FIXED_NOW,
    )


def chat_text(screen: MainScreen) -> str:
    """The history pane's messages and hints."""
    shown = [text for _, text in messages(screen.chat)]
    shown += [static_text(w) for w in screen.chat.query(".chat--empty")]
    return "\n".join(shown)


async def open_by_name(pilot: Any, screen: MainScreen, name: str) -> None:
    """Open ``name`` from the sidebar with the keyboard."""
    names = [s.name for s in screen.conversation_list.visible_sessions()]
    screen.conversation_list.focus()
    await pilot.press("home", *["down"] * names.index(name), "enter")
    await poll_until(
        pilot,
        lambda: screen.open_session is not None and screen.open_session.name == name,
        f"{name} to open",
    )
    await poll_until(pilot, lambda: not screen.chat.loading, f"{name} to load")


async def fill_cache(server: ServerThread, account: Account, data: Path, *names: str) -> None:
    """Run the app once online, opening ``names`` (the last stays open)."""
    app = caching_app(server, account, data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        for name in names:
            await open_by_name(pilot, screen, name)
            answer = ANSWERS[name]
            await until(pilot, lambda a=answer: a in chat_text(screen), f"{name}'s history")


CONVERSATIONS = [
    ("Alpha", [("What is alpha?", "Alpha is the first letter.")]),
    ("Beta", [("What is beta?", "Beta is the second letter.")]),
    ("Gamma", [("What is gamma?", "Gamma is the third letter.")]),
]
ANSWERS = {name: turns[0][1] for name, turns in CONVERSATIONS}


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MainScreen, "LIST_RETRY_DELAYS", (0.3,))


async def test_start_up_shows_the_cached_sidebar_before_the_server_answers(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(own_server, account, CONVERSATIONS)
    await fill_cache(own_server, account, tmp_path, "Beta")
    # The list request goes unanswered for longer than the app waits.
    own_server.state.faults.add(Fault("stall", path=LIST_PATH, seconds=6, count=3))
    app = caching_app(own_server, account, tmp_path, request_timeout=3.0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = main_screen(app)
        await until(pilot, lambda: screen.conversation_list.total == 3, "the cached sidebar")
        # Filled while the server has not answered: the status says so.
        assert screen.status.activity == "refreshing conversations…" or screen.status.offline
        # The conversation open last, from the cache.
        await until(pilot, lambda: "Beta is the second letter." in chat_text(screen))
        assert screen.open_session is not None and screen.open_session.name == "Beta"
        # The list request times out: offline, on the same sidebar.
        await poll_until(pilot, lambda: screen.status.offline, "offline")
        assert "not answering" in screen.status.offline
        assert screen.conversation_list.total == 3
    own_server.state.faults.clear()


async def test_a_kept_conversation_opens_from_the_cache_without_a_loading_state(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(own_server, account, CONVERSATIONS)
    await fill_cache(own_server, account, tmp_path, "Alpha", "Beta")
    # The service's histories hang: what shows comes from this machine.
    own_server.state.faults.add(Fault("stall", path=HISTORY_PATH, seconds=20, count=5))
    app = caching_app(own_server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await until(pilot, lambda: "Beta is the second letter." in chat_text(screen))
        loading: list[bool] = []
        screen.watch(screen.chat, "loading", loading.append, init=False)
        await open_by_name(pilot, screen, "Alpha")
        await until(pilot, lambda: "Alpha is the first letter." in chat_text(screen))
        # No "loading" spinner painted before the kept copy.
        assert True not in loading
        assert not screen.status.offline
    own_server.state.faults.clear()


async def test_server_down_offline_browse_refuse_and_back_online(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(own_server, account, CONVERSATIONS)
    await fill_cache(own_server, account, tmp_path, "Alpha", "Gamma")
    own_server.stop()
    app = caching_app(own_server, account, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = main_screen(app)
        await poll_until(pilot, lambda: screen.status.offline, "offline")
        assert "unreachable" in screen.status.offline
        assert "offline" in str(screen.status.render())
        assert screen.conversation_list.total == 3
        await until(pilot, lambda: "Gamma is the third letter." in chat_text(screen))
        # Browsing: another cached conversation opens from the cache.
        await open_by_name(pilot, screen, "Alpha")
        await until(pilot, lambda: "Alpha is the first letter." in screen_text(app))
        # One never opened is not kept: the pane says when it opens.
        await open_by_name(pilot, screen, "Beta")
        await until(pilot, lambda: "not kept on this machine" in chat_text(screen))
        # Asking is refused; the question stays in the box.
        await open_by_name(pilot, screen, "Alpha")
        screen.composer.focus()
        await pilot.press(*"why?", "enter")
        await until(pilot, lambda: app.said("Offline: asking will work again"))
        assert screen.composer.text == "why?"
        assert "why?" not in chat_text(screen)
        await pilot.press("f2")
        await until(pilot, lambda: app.said("Offline: renaming will work again"))
        assert not app.errors(), app.errors()
        # The server comes back: online by itself.
        own_server.start()
        await poll_until(pilot, lambda: not screen.status.offline, "online again", timeout=20)
        await until(pilot, lambda: app.said("Back online"))
        await pilot.press("enter")
        await until(pilot, lambda: "why?" in chat_text(screen), "the question asked")


async def test_a_refresh_applies_a_rename_and_a_new_conversation_without_moving_the_selection(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    ids = seed(own_server, account, CONVERSATIONS)
    await fill_cache(own_server, account, tmp_path, "Beta")
    store = own_server.store
    owner = store.account(account.bduss.reveal())
    store.rename(owner, int(ids["Beta"]), "Beta, renamed")
    seed(own_server, account, [("Delta", [("What is delta?", "Delta is the fourth.")])])
    app = caching_app(own_server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        listing = screen.conversation_list
        await until(pilot, lambda: listing.total == 4, "the service's list")
        await poll_until(pilot, lambda: not screen.status.activity, "the refresh")
        names = [s.name for s in listing.visible_sessions()]
        assert "Delta" in names and "Beta, renamed" in names and "Beta" not in names
        assert screen.open_id == ids["Beta"]
        highlighted = listing.highlighted
        assert highlighted is not None and highlighted.session_id == ids["Beta"]
        assert "Beta is the second letter." in chat_text(screen)


async def test_sync_all_conversations_from_the_palette(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    pytest.importorskip("ernie_tui.core.sync")
    seed(own_server, account, CONVERSATIONS)
    app = caching_app(own_server, account, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Sync all conversations")
        await pilot.pause(0.3)
        await pilot.press("enter")
        bar = screen.query_one(SyncBar)
        await until(pilot, lambda: bar.active or app.said("Synced"), "the progress bar")
        await until(pilot, lambda: app.said("Synced 3 conversations"), "the sync", timeout=30)
        assert not bar.active
    # Every history is kept: offline, each one opens from the cache.
    own_server.stop()
    app = caching_app(own_server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await poll_until(pilot, lambda: screen.status.offline, "offline")
        await open_by_name(pilot, screen, "Beta")
        await until(pilot, lambda: "Beta is the second letter." in chat_text(screen))
