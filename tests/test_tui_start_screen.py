"""The first screen on a kept list (issue 14's start-up figure): with the web
cache filled by an earlier run, the app draws the cached sidebar before the
main screen is built and before the server has answered (its list stalled
here), then the main screen takes over with the same list; keys typed in
between reach the composer, in order. Through Pilot against the real
embedded server, with the app's own wiring (the web cache in the test's
library)."""

from __future__ import annotations

from pathlib import Path

from conftest import Account
from support import (
    SIZE,
    RecordingApp,
    answered,
    main_screen,
    make_app,
    poll_until,
    ready,
    screen_text,
    seed,
    send,
    until,
)
from test_tui_qianfan import _key, qianfan_app, started
from textual import events

from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.start import StartScreen
from ernie_tui.tui.widgets.composer import Composer

LIST_PATHS = ("/eb/session/list", "/eb/session/top/list")

CONVERSATIONS = [
    ("Alpha 甲", [("What is alpha?", "Alpha is the first letter.")]),
    ("Beta 乙", [("What is beta?", "Beta is the second letter.")]),
    ("Gamma 丙", [("What is gamma?", "Gamma is the third letter.")]),
]


def stall_lists(server: ServerThread, seconds: float = 30.0) -> None:
    server.state.faults.add(
        *(Fault(kind="stall", path=path, seconds=seconds, count=5) for path in LIST_PATHS)
    )


def typed(screen: MainScreen) -> str | None:
    """The composer's text, once it is there."""
    composers = screen.query(Composer)
    return composers.first().text if composers else None


async def fill_cache(server: ServerThread, account: Account, data: Path) -> None:
    """A first run online: the list (and the first history) kept."""
    async with make_app(server, account, data).run_test(size=SIZE) as pilot:
        await ready(pilot)
        await until(pilot, lambda: "Gamma is the third letter." in screen_text(pilot.app))


async def restart_on_the_kept_list(
    server: ServerThread, account: Account, tmp_path: Path
) -> RecordingApp:
    """The app again on the cache a first run filled, the service's lists stalled."""
    seed(server, account, CONVERSATIONS)
    await fill_cache(server, account, tmp_path)
    stall_lists(server)
    return make_app(server, account, tmp_path)


async def test_the_kept_list_shows_before_the_server_answers(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    app = await restart_on_the_kept_list(own_server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        text = screen_text(app)
        # The sidebar as kept (newest first), the open conversation's name on
        # top, and the status line saying the app is starting.
        assert text.index("Gamma 丙") < text.index("Beta 乙") < text.index("Alpha 甲")
        assert "starting…" in text
        await poll_until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        screen = main_screen(app)
        await poll_until(pilot, lambda: screen.open_session is not None, "a conversation open")
        # Same list, same conversation, before the server has answered.
        assert [s.name for s in screen.conversation_list.visible_sessions()] == [
            "Gamma 丙",
            "Beta 乙",
            "Alpha 甲",
        ]
        assert screen.open_session is not None and screen.open_session.name == "Gamma 丙"
        assert screen.status.activity == "refreshing conversations…"
        await poll_until(pilot, lambda: screen.composer.has_focus, "the composer focused")
        await until(pilot, lambda: "Gamma is the third letter." in screen_text(app), "history")


async def test_keys_typed_on_the_first_screen_reach_the_composer_in_order(
    own_server: ServerThread, account: Account, tmp_path: Path
) -> None:
    app = await restart_on_the_kept_list(own_server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        # Typed before the main screen exists: letters, a Backspace, a paste.
        for key, char in [("h", "h"), ("e", "e"), ("x", "x"), ("backspace", None)]:
            app.post_message(events.Key(key, char))
        app.post_message(events.Paste("llo 世界"))
        await poll_until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        screen = main_screen(app)
        await poll_until(pilot, lambda: typed(screen) == "hello 世界", "the typed text")
        await pilot.press("!")
        assert screen.composer.text == "hello 世界!"


async def test_the_qianfan_library_starts_on_the_first_screen_too(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    async with qianfan_app(server, tmp_path, key).run_test(size=SIZE) as pilot:
        await started(pilot)
        await send(pilot, "为什么天空是蓝色的？")
        await answered(pilot)
    app = qianfan_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        text = screen_text(app)
        assert "为什么天空是蓝色的？" in text and "starting…" in text
        screen = await started(pilot)
        assert [s.name for s in screen.conversations.all()] == ["为什么天空是蓝色的？"]
        assert screen.open_session is not None
