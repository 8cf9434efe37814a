"""Helpers shared by the reliability tests (no tests here).

The app under test is the real :class:`~ernie_tui.tui.app.ErnieApp`, pointed
at the real embedded server, with its data directory in ``tmp_path``. It only
records the notifications it shows, so a test can assert on what the user was
told.
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

from textual.notifications import SeverityLevel
from textual.pilot import Pilot

import ernie_tui.tui.app
from ernie_tui.api import Secret
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.tui.app import BEIJING, ErnieApp
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.widgets.chat import ChatView, Question, Reply, StreamingAnswer

FIXED_NOW = datetime(2024, 5, 1, 12, 0, tzinfo=BEIJING)


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
    base_url: str,
    account: Any,
    data_dir: Path,
    *,
    credential: Credential | None = None,
    **config: Any,
) -> RecordingApp:
    """The app on ``base_url`` signed in as ``account`` (a conftest Account)."""
    if credential is None:
        credential = Credential(Secret(account.baiduid), Secret(account.bduss), "session")
    settings = {"request_timeout": 10.0, "idle_timeout": 10.0, "connect_timeout": 5.0}
    settings.update(config)
    return RecordingApp(
        Config(base_url=base_url, **settings),
        credential,
        data_dir=data_dir,
        clock=lambda: FIXED_NOW,
    )


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str, timeout: float = 15.0
) -> None:
    """Wait (polling, bounded) until ``condition()`` is true. Sleeps rather than
    ``pilot.pause()``: that waits for every widget's queue, and a widget removed
    meanwhile (a long answer drops old blocks) never answers it."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.02)


def main_screen(app: ErnieApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), f"expected the main screen, got {screen!r}"
    return screen


async def started(pilot: Pilot[Any], timeout: float = 15.0) -> MainScreen:
    """Wait until the main screen has loaded its list and opened something."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
    screen = main_screen(app)  # type: ignore[arg-type]
    await until(
        pilot,
        lambda: not screen.chat.loading and not screen.status.activity,
        "the first conversation list and history",
        timeout,
    )
    return screen


async def send(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` into the composer (as one paste-like edit) and press Enter."""
    screen = main_screen(pilot.app)  # type: ignore[arg-type]
    screen.composer.focus()
    screen.composer.insert(text)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def answered(pilot: Pilot[Any], timeout: float = 15.0) -> StreamingAnswer:
    """Wait until no answer streams; returns the last answer widget."""
    screen = main_screen(pilot.app)  # type: ignore[arg-type]
    await until(pilot, lambda: screen.ask is None, "the answer to end", timeout)
    await pilot.app.workers.wait_for_complete()
    await asyncio.sleep(0.05)
    last = screen.chat.last_answer()
    assert isinstance(last, StreamingAnswer), f"the last answer is {last!r}"
    return last


def messages(chat: ChatView) -> list[tuple[str, str]]:
    """The history pane's messages: ("user" | "robot", text)."""
    out: list[tuple[str, str]] = []
    for widget in chat.children:
        if isinstance(widget, Question):
            out.append(("user", widget.text))
        elif isinstance(widget, Reply | StreamingAnswer):
            out.append(("robot", widget.text))
    return out


def screen_text(app: ErnieApp) -> str:
    """What the terminal would show, line by line (from the exported SVG)."""
    lines: dict[int, list[str]] = defaultdict(list)
    for number, run in re.findall(
        r'<text [^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>',
        app.export_screenshot(),
        flags=re.S,
    ):
        lines[int(number)].append(html.unescape(run).replace("\xa0", " "))
    return "\n".join("".join(lines[n]) for n in sorted(lines))


def status_text(screen: MainScreen) -> str:
    return str(screen.status.render())


def static_text(widget: Any) -> str:
    content = widget.content
    return str(getattr(content, "plain", content))


def seed(
    server: Any, account: Any, conversations: list[tuple[str, list[tuple[str, str]]]]
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


async def open_named(pilot: Pilot[Any], name: str, *, wait: bool = True) -> None:
    """Open a conversation with the keyboard: focus the list, move, Enter."""
    screen = main_screen(pilot.app)  # type: ignore[arg-type]
    listing = screen.conversation_list
    names = [s.name for s in listing.visible_sessions()]
    listing.focus()
    await pilot.press("home", *["down"] * names.index(name), "enter")
    if wait:
        await until(pilot, lambda: not screen.chat.loading, f"{name} to load")
