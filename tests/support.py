"""Helpers shared by the app's Pilot tests (no tests here).

The app under test is the real :class:`~ernie_tui.tui.app.ErnieApp`, pointed
at the real embedded server (the conftest fixtures), with its data directory
in ``tmp_path`` and a fixed clock. It also records the notifications it
shows, so a test can assert on what the user was told.

Waiting: :func:`until` pauses the pilot between checks, :func:`poll_until`
only sleeps; the helpers that wait through a whole exchange (:func:`ready`,
:func:`open_named`, :func:`answered`) poll, since widgets come and go
meanwhile.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from conftest import Account
from textual.app import App
from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.widgets._toast import Toast

import ernie_tui.tui.app
from ernie_tui.api import Secret
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.server import ServerThread
from ernie_tui.tui.app import BEIJING, ErnieApp
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.messages import Question, Reply

SIZE = (100, 30)
"""The terminal size of most Pilot tests."""

FIXED_NOW = datetime(2024, 5, 1, 12, 0, tzinfo=BEIJING)
"""The app's "now" (the server's clock is its own)."""


# -- the app -----------------------------------------------------------------------


class RecordingApp(ErnieApp):
    """The real app; every notification is also kept in :attr:`notes`."""

    # CSS_PATH is relative to the module defining the class: point at the app's.
    CSS_PATH = str(Path(ernie_tui.tui.app.__file__).with_name("app.tcss"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[tuple[SeverityLevel, str, str]] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.notes.append((severity, title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def said(self, fragment: str) -> bool:
        """Whether a notification held ``fragment`` (in its title or message)."""
        return any(fragment in title or fragment in message for _, title, message in self.notes)

    def errors(self) -> list[str]:
        return [
            f"{title}: {message}" for severity, title, message in self.notes if severity == "error"
        ]


def make_app(
    server: ServerThread,
    account: Account,
    data_dir: Path,
    *,
    credential: Credential | None = None,
    **settings: Any,
) -> RecordingApp:
    """The app on ``server`` signed in as ``account`` (``settings``: more
    :class:`~ernie_tui.config.Config` fields, or other timeouts)."""
    if credential is None:
        credential = Credential(Secret(account.baiduid), Secret(account.bduss), "session")
    config: dict[str, Any] = {
        "request_timeout": 10.0,
        "idle_timeout": 10.0,
        "connect_timeout": 5.0,
        "time_zone": "Asia/Shanghai",  # the times shown, whatever this machine's zone
        "library_path": data_dir / "library.db",  # the test's own library and web cache
    }
    config.update(settings)
    return RecordingApp(
        Config(base_url=server.base_url, **config),
        credential,
        data_dir=data_dir,
        clock=lambda: FIXED_NOW,
    )


def seed(
    server: ServerThread,
    account: Account,
    conversations: list[tuple[str, list[tuple[str, str]]]],
) -> dict[str, str]:
    """Create conversations directly in the server's store (oldest first, so
    the last one is listed first); returns name → session id."""
    store = server.store
    owner = store.account(account.bduss.reveal())
    ids: dict[str, str] = {}
    for name, turns in conversations:
        session_id = store.new_session(owner, name)
        if turns:
            store.bulk_turns(owner, session_id, turns)
        ids[name] = str(session_id)
    return ids


# -- waiting -----------------------------------------------------------------------


async def until(
    pilot: Pilot[Any], check: Callable[[], object], what: str = "", timeout: float = 15.0
) -> None:
    """Wait (bounded, without asserting speed) until ``check()`` is true,
    pausing the pilot between checks: each pause first lets every widget on
    the screen handle the messages it has pending. Not while widgets are
    being removed: use :func:`poll_until` then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what or check}")
        await pilot.pause(0.02)


async def poll_until(
    pilot: Pilot[Any], check: Callable[[], object], what: str = "", timeout: float = 15.0
) -> None:
    """Wait (bounded, without asserting speed) until ``check()`` is true,
    sleeping between checks. Unlike :func:`until` it never waits for the
    widgets: ``pilot.pause()`` waits until every widget on the screen has
    handled a message, and one removed meanwhile (a long answer dropping old
    blocks, a history re-windowed, a conversation left while its answer
    streams) never does."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what or check}")
        await asyncio.sleep(0.02)


def main_screen(app: App[Any]) -> MainScreen:
    """The screen shown now, which must be the main screen."""
    screen = app.screen
    assert isinstance(screen, MainScreen), f"expected the main screen, got {screen!r}"
    return screen


async def ready(pilot: Pilot[Any], timeout: float = 15.0) -> MainScreen:
    """Wait until the main screen has listed the conversations, opened the
    first one, and loads nothing any more."""
    app = pilot.app
    await poll_until(
        pilot,
        lambda: isinstance(app.screen, MainScreen) and app.screen.loaded,
        "the main screen and its list",
        timeout,
    )
    screen = main_screen(app)
    await poll_until(
        pilot,
        lambda: not screen.chat.loading and not screen.status.activity,
        "the first conversation's history",
        timeout,
    )
    return screen


async def open_named(pilot: Pilot[Any], name: str) -> None:
    """Open the conversation called ``name`` with the keyboard (the list, its
    first entry, down to it, Enter) and wait until its history is shown."""
    screen = main_screen(pilot.app)
    listing = screen.conversation_list
    names = [s.name for s in listing.visible_sessions()]
    listing.focus()
    await pilot.press("home", *["down"] * names.index(name), "enter")
    await poll_until(pilot, lambda: screen.open_session is not None, f"{name} to open")
    assert screen.open_session is not None
    assert screen.open_session.name == name
    await poll_until(pilot, lambda: not screen.chat.loading, f"{name} to load")


async def send(pilot: Pilot[Any], text: str) -> None:
    """Put ``text`` in the composer as one edit of the user's (a paste over
    whatever it held) and press Enter."""
    composer = main_screen(pilot.app).composer
    composer.focus()
    composer.replace(text, (0, 0), composer.document.end)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def answered(pilot: Pilot[Any], timeout: float = 15.0) -> StreamingAnswer:
    """Wait until no answer streams and the workers are done; returns the last
    answer widget (a streamed one), once it shows how it ended."""
    app = pilot.app
    screen = main_screen(app)
    await poll_until(
        pilot,
        lambda: screen.ask is None and screen.chat.last_answer() is not None,
        "the answer to end",
        timeout,
    )
    await app.workers.wait_for_complete()
    await asyncio.sleep(0.05)
    last = screen.chat.last_answer()
    assert isinstance(last, StreamingAnswer), f"the last answer is {last!r}"
    await poll_until(pilot, lambda: last.state != "streaming", "the answer's ending", timeout)
    return last


# -- what the user sees ----------------------------------------------------------------


def messages(chat: ChatView) -> list[tuple[str, str]]:
    """The history pane's messages: ("user" | "robot", text)."""
    out: list[tuple[str, str]] = []
    for widget in chat.children:
        if isinstance(widget, Question):
            out.append(("user", widget.text))
        elif isinstance(widget, Reply | StreamingAnswer):
            out.append(("robot", widget.text))
    return out


def screen_text(app: App[Any]) -> str:
    """What the terminal would show, line by line (from the exported SVG)."""
    lines: dict[int, list[str]] = defaultdict(list)
    for number, run in re.findall(
        r'<text [^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>',
        app.export_screenshot(),
        flags=re.S,
    ):
        lines[int(number)].append(html.unescape(run).replace("\xa0", " "))
    return "\n".join("".join(lines[n]) for n in sorted(lines))


def toasts(app: App[Any]) -> list[str]:
    """The notifications on the screen now."""
    return [str(t.render()) for t in app.screen.query(Toast)]


def status_text(screen: MainScreen) -> str:
    return str(screen.status.render())


def static_text(widget: Any) -> str:
    content = widget.content
    return str(getattr(content, "plain", content))


# -- the public host name ------------------------------------------------------------


class ToServer(httpx.AsyncBaseTransport):
    """Send requests for the public host to the embedded server instead (the
    snapshots show the public host name, never a random port)."""

    def __init__(self, base_url: str) -> None:
        self.target = httpx.URL(base_url)
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.target.scheme, host=self.target.host, port=self.target.port
        )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
