"""The polish of issue 13 on the dialogs and around them: Enter in the share
dialog shares, the link dialog names what was shared, Manage shares lists
conversations by name and counts in words, times are shown in the configured
zone, the sign-in box fits 100x30 without a keyring, a theme picked in the
palette is kept, the screenshot finds a folder, and the sidebar stays
readable in light themes.

Real parts throughout: the shares come from the embedded server, the app is
the real one on it; only the OS keyring is replaced (by a failing one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from conftest import Account
from keyring.backends import fail
from support import RecordingApp, make_app, ready, screen_text, seed, until
from textual.app import App, ComposeResult
from textual.color import Color
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES
from textual.widgets import DataTable, Input, Static

from ernie_tui.api import ErnieClient
from ernie_tui.config import Config
from ernie_tui.server import ServerThread
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.dialogs import ConfirmDialog
from ernie_tui.tui.screens.share_dialogs import LinkDialog, ShareDialog
from ernie_tui.tui.screens.shares import SharesScreen, short_time
from ernie_tui.tui.screens.signin import SignInScreen
from ernie_tui.tui.times import BEIJING, SERVICE_TIMES, Times
from ernie_tui.tui.widgets.conversation_list import ConversationList

URL = "https://yiyan.baidu.com/share/IUGAEK"


class Host(App[None]):
    """A trivial app that pushes one screen and records what it dismissed with."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("The host screen")

    def show(self, screen: Screen[Any]) -> None:
        self.push_screen(screen, self.results.append)


# -- the share dialog ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "can_share_answer", "shared"),
    [
        (["enter"], True, "all"),
        (["down", "enter"], True, "answer"),
        (["down", "enter"], False, "all"),  # no answer selected: not on offer
        (["down", "up", "enter"], True, "all"),
    ],
    ids=["conversation", "answer", "no-answer", "back-to-conversation"],
)
async def test_enter_shares_with_the_highlighted_option(
    keys: list[str], can_share_answer: bool, shared: str
) -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.show(ShareDialog("Trip plans", can_share_answer))
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        assert not isinstance(app.screen, ShareDialog)
    assert app.results == [shared]


async def test_space_only_chooses_and_the_share_button_shares_the_choice() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.show(ShareDialog("Trip plans", True))
        await pilot.pause()
        await pilot.press("down", "space")
        await pilot.pause()
        assert isinstance(app.screen, ShareDialog) and app.results == []
        await pilot.click("#share")
        await pilot.pause()
    assert app.results == ["answer"]


@pytest.mark.parametrize(
    ("scope", "says", "not_says"),
    [
        ("answer", "the shared answer", "conversation:"),
        ("all", "the shared conversation", "answer:"),
    ],
)
async def test_the_link_dialog_names_what_was_shared(scope: Any, says: str, not_says: str) -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.show(LinkDialog(URL, True, scope))
        await pilot.pause()
        text = screen_text(app)
        assert f"Anyone with this link can read {says}:" in text
        assert not_says not in text


# -- manage shares ---------------------------------------------------------------------


async def make_shares(client: ErnieClient, names: list[str]) -> list[str]:
    """A conversation per name, each with one answer, shared; their ids."""
    ids = []
    for name in names:
        session_id = await client.new_conversation(name)
        answer = await client.ask(f"Tell me about {name}", session_id)
        await client.share_conversation(session_id, [answer.bot_chat_id])
        ids.append(session_id)
    return ids


async def open_shares(app: Host, pilot: Pilot[Any], screen: SharesScreen) -> SharesScreen:
    app.show(screen)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def column(screen: SharesScreen, key: str) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(cell) for cell in table.get_column(key)]


async def test_manage_shares_lists_the_conversations_by_name(client: ErnieClient) -> None:
    ids = await make_shares(client, ["Weekend trip", "Dumpling recipes"])
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_shares(app, pilot, SharesScreen(client))  # type: ignore[arg-type]
        assert column(screen, "conversation") == ["Dumpling recipes", "Weekend trip"]
        text = screen_text(app)
        assert not any(session_id in text for session_id in ids)
        # The question before deleting names the conversation too.
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete the share of “Dumpling recipes”?" in screen_text(app)


@pytest.mark.parametrize(
    ("count", "question", "button"),
    [
        (1, "Delete the share? Its link will stop working.", "Delete"),
        (3, "Delete all 3 shares? Their links will stop working.", "Delete 3"),
    ],
)
async def test_delete_all_counts_in_words(
    client: ErnieClient, count: int, question: str, button: str
) -> None:
    await make_shares(client, [f"Conversation {n}" for n in range(count)])
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_shares(app, pilot, SharesScreen(client))  # type: ignore[arg-type]
        assert ("1 share ·" if count == 1 else f"{count} shares ·") in screen_text(app)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert question in text and f" {button} " in text
        assert "all 1" not in text


async def test_share_times_are_shown_in_the_chosen_zone_with_a_label(client: ErnieClient) -> None:
    await make_shares(client, ["Weekend trip"])
    (share,) = await client.list_shares()
    written = datetime.fromisoformat(share.create_time).replace(tzinfo=BEIJING)
    expected = short_time(written.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        utc = Times(BEIJING, UTC, "UTC")
        screen = await open_shares(app, pilot, SharesScreen(client, utc))  # type: ignore[arg-type]
        assert column(screen, "created") == [expected]
        assert "times in UTC" in screen_text(app)


def test_times_move_from_the_service_clock_to_the_chosen_one() -> None:
    assert Times.of("UTC").convert("2024-05-01 09:30:00") == "2024-05-01 01:30:00"
    assert Times.of("UTC").convert("2024-05-01 05:10") == "2024-04-30 21:10"
    assert Times.of("America/New_York").convert("2024-01-01 08:00:00") == "2023-12-31 19:00:00"
    assert Times.of("Asia/Shanghai").convert("2024-05-01 09:30:00") == "2024-05-01 09:30:00"
    assert Times.of("UTC").label == "UTC" and Times.of("local").label == "local time"
    assert Times.of("Mars/Olympus").label == "local time"  # no zone: the machine's
    # What is not a time comes back as it was.
    for stamp in ("yesterday", "2024-13-01 00:00:00", ""):
        assert Times.of("UTC").convert(stamp) == stamp
    # The sidebar's "today" is the shown zone's.
    late = datetime(2024, 5, 1, 3, 0, tzinfo=BEIJING)
    assert Times.of("UTC").today(late) == "2024-04-30"
    assert SERVICE_TIMES.unchanged and SERVICE_TIMES.today(late) == "2024-05-01"


# -- the sign-in box without a keyring -------------------------------------------------


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


async def test_without_a_keyring_the_sign_in_box_still_fits_100x30(
    server: ServerThread, account: Account, tmp_path: Path, no_keyring: None
) -> None:
    config = Config(base_url=server.base_url, request_timeout=10, idle_timeout=10)
    app = ErnieApp(config, None, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        screen.query_one("#baiduid", Input).value = account.baiduid.reveal()
        screen.query_one("#bduss", Input).value = account.bduss.reveal()
        await pilot.click("#signin")
        await until(pilot, lambda: screen.query_one("#keyring-missing").display)
        await pilot.pause()
        scroll = screen.query_one("#signin-scroll")
        assert scroll.max_scroll_y == 0, "the box is taller than the screen"
        text = screen_text(app)
        assert "╭" in text and "Sign in to ERNIE" in text  # the top border and title
        assert "cannot be kept" in text and "Use for this run only" in text
        assert "ERNIE_BAIDUID" in text


# -- themes and screenshots ------------------------------------------------------------


async def run_command(pilot: Pilot[Any], palette_text: str) -> None:
    """Type ``palette_text`` into the open palette and run the first match
    once it is the highlighted one."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*palette_text)

    def highlighted() -> str:
        commands = app.screen.query_one(CommandList)
        index = commands.highlighted
        if index is None:
            return ""
        return str(commands.get_option_at_index(index).prompt).casefold()

    await until(pilot, lambda: highlighted().startswith(palette_text.casefold()))
    await pilot.press("enter")


async def pick_theme(app: ErnieApp, theme: str) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await run_command(pilot, "Theme")
        await run_command(pilot, theme)
        await until(pilot, lambda: app.theme == theme)


async def started_theme(app: ErnieApp) -> str:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        return app.theme


async def test_a_theme_picked_in_the_palette_is_kept_until_the_config_changes(
    tmp_path: Path,
) -> None:
    await pick_theme(ErnieApp(Config(), None, data_dir=tmp_path), "nord")
    assert json.loads((tmp_path / "ui.json").read_text())["theme"] == "nord"
    assert await started_theme(ErnieApp(Config(), None, data_dir=tmp_path)) == "nord"
    # The config's theme edited since the pick: the config wins.
    edited = ErnieApp(Config(theme="gruvbox"), None, data_dir=tmp_path)
    assert await started_theme(edited) == "gruvbox"


@pytest.mark.parametrize("has_downloads", [False, True], ids=["no-downloads", "downloads"])
async def test_the_screenshot_goes_to_downloads_else_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, has_downloads: bool
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DOWNLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    if has_downloads:
        (home / "Downloads").mkdir()
    folder = home / "Downloads" if has_downloads else tmp_path / "data" / "screenshots"
    app = RecordingApp(Config(), None, data_dir=tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await run_command(pilot, "Screenshot")
        await until(pilot, lambda: list(folder.glob("*.svg")))
        (saved,) = folder.glob("*.svg")
        await until(pilot, lambda: app.said(f"Saved the screenshot to {saved}"))
        assert "<svg" in saved.read_text(encoding="utf-8")
        assert app.errors() == []


# -- the sidebar in light themes -------------------------------------------------------


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(one: Color, two: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def unreadable(listing: ConversationList) -> list[str]:
    """Every text cell of the visible rows whose colour is too close to its
    background, as ``text (ratio)``."""
    base = listing.rich_style
    bad = []
    for y in range(listing.size.height):
        for segment in listing.render_line(y):
            text = segment.text.strip()
            style = base + segment.style if segment.style else base
            if not text or style.color is None or style.bgcolor is None:
                continue
            ratio = contrast(
                Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
            )
            if ratio < 3.0:
                bad.append(f"{text} ({ratio:.1f})")
    return bad


LIGHT = [n for n, theme in BUILTIN_THEMES.items() if not theme.dark and not n.startswith("ansi")]
THEMES = [*LIGHT, "textual-dark", "nord"]
"""Every light theme (ANSI ones aside: the terminal picks their colours), two dark."""


@pytest.mark.parametrize("theme", THEMES)
async def test_the_sidebar_names_and_times_are_readable_in_light_and_dark_themes(
    server: ServerThread, account: Account, tmp_path: Path, theme: str
) -> None:
    seed(server, account, [(f"Conversation {n}", [("q", "a")]) for n in range(4)])
    app = make_app(server, account, tmp_path, theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        listing = screen.query_one(ConversationList)
        assert app.theme == theme
        assert unreadable(listing) == []  # the cursor row shown unfocused
        listing.focus()
        await pilot.pause()
        assert unreadable(listing) == []  # and focused
