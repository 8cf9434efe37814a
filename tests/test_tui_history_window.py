"""A long history through the real app: home jumps to the first message, end
back to the newest, scrolling either way brings the neighbours in while only a
bounded window stays mounted; and the sidebar's filter on many conversations.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import Account
from support import SIZE, make_app, ready, seed, toasts, until
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from ernie_tui.api import Conversations, Session
from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.messages import Question, Reply
from ernie_tui.tui.widgets.sidebar import ConversationList, Sidebar
from ernie_tui.tui.widgets.window import MAX_WINDOW, WINDOW

TURNS = 1000  # 2,000 messages


def long_history() -> list[tuple[str, str]]:
    return [(f"question {i:04d}", f"answer **{i:04d}**\n\nsecond paragraph") for i in range(TURNS)]


def questions(chat: ChatView) -> list[int]:
    """The mounted questions' numbers, top to bottom."""
    return [int(q.text.split()[1]) for q in chat.query(Question)]


async def open_long(pilot: Pilot[Any]) -> tuple[MainScreen, ChatView]:
    screen = await ready(pilot)
    chat = screen.chat
    await until(pilot, lambda: chat.mounted_messages == WINDOW)
    await pilot.pause()
    chat.focus()
    return screen, chat


async def test_home_jumps_to_the_first_of_2000_messages_and_end_back_to_the_newest(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        assert chat.query(Reply).last().text.startswith("answer **0999**")
        assert chat.scroll_y == chat.max_scroll_y

        await pilot.press("home")
        await until(pilot, lambda: chat.window[0] == 0)
        await pilot.pause()
        assert questions(chat)[0] == 0  # the very first message, in one key
        assert chat.scroll_y == 0
        assert chat.mounted_messages <= MAX_WINDOW
        assert "later messages" in str(chat.query(".chat--newer").first().render())

        await pilot.press("end")
        await until(pilot, lambda: chat.at_newest)
        await pilot.pause()
        assert chat.query(Reply).last().text.startswith("answer **0999**")
        assert chat.scroll_y == chat.max_scroll_y
        assert not chat.query(".chat--newer")
        assert chat.mounted_messages <= WINDOW


async def test_scrolling_down_from_the_oldest_brings_later_messages_in_order(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        await pilot.press("home")
        await until(pilot, lambda: chat.window[0] == 0)
        await pilot.pause()
        seen_end = 0
        for _ in range(300):
            await pilot.press("pagedown")
            await pilot.pause()
            seen_end = max(seen_end, chat.window[1])
            if chat.window[0] > 0:
                break
        # Past MAX_WINDOW messages the top of the window was unmounted again.
        start, end = chat.window
        assert start > 0 and end > WINDOW
        assert chat.mounted_messages <= MAX_WINDOW
        numbers = questions(chat)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gap
        assert "earlier messages" in str(chat.query(".chat--older").first().render())
        # The view did not jump back to the start of what is mounted.
        assert chat.scroll_y > 0
        # Scrolling up again re-mounts what was unmounted, in order.
        for _ in range(300):
            await pilot.press("pageup")
            await pilot.pause()
            if chat.window[0] == 0 and chat.scroll_y == 0:
                break
        assert questions(chat)[0] == 0


def top_question(chat: ChatView) -> Question:
    """The question at the top of the view (or the first below it)."""
    top = chat.content_region.y
    return next(q for q in chat.query(Question) if q.region.height and q.region.bottom > top)


async def test_a_pgup_pressed_while_older_messages_mount_still_moves_the_view(
    server: ServerThread, account: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PgUp near the window's top mounts older messages above the view and
    keeps the view in place; a PgUp handled while they are being mounted
    moves the view by its page all the same, neither lost nor doubled."""
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        mounting = chat.mount_all
        seen: list[tuple[Question, int, int]] = []

        def mount_all_with_a_pgup(widgets: Any, **where: Any) -> Any:
            if not seen:  # the user's next PgUp, handled as the mount begins
                ref = top_question(chat)
                y, screen_y = chat.scroll_y, ref.region.y
                chat.scroll_pages(-1)
                seen.append((ref, screen_y, round(y - chat.scroll_y)))
            return mounting(widgets, **where)

        monkeypatch.setattr(chat, "mount_all", mount_all_with_a_pgup)
        first = questions(chat)[0]
        for _ in range(60):
            await pilot.press("pageup")
            if seen:
                break
        await until(pilot, lambda: questions(chat)[0] < first)
        await pilot.pause()
        ref, screen_y, moved = seen[0]
        assert moved > 0
        assert ref.region.y == screen_y + moved  # where that PgUp put it


async def test_a_question_asked_while_reading_the_oldest_goes_after_the_newest(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, chat = await open_long(pilot)
        await pilot.press("home")
        await until(pilot, lambda: chat.window[0] == 0)
        screen.composer.focus()
        screen.composer.set_text("a brand new question")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                screen.ask is None and chat.query(Question).last().text == "a brand new question"
            ),
        )
        await pilot.pause()
        assert chat.at_newest
        texts = [q.text for q in chat.query(Question)]
        assert texts[-2:] == ["question 0999", "a brand new question"]
        assert chat.scroll_y == chat.max_scroll_y


async def test_a_list_error_at_start_up_is_shown_once_fetched_early(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    """The list fetched while the app starts is the one the screen uses: its
    error is reported (not lost to a second, silent request)."""
    seed(server, account, [("Kept", [("q", "a")])])
    server.state.faults.add(Fault("error", path="/eb/session/list", msg="用户访问被限制"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: any("用户访问被限制" in t for t in toasts(app)))
        assert screen.conversation_list.total == 0
        # The next fetch goes to the server again and lists the conversation.
        screen.refresh_conversations()
        await until(pilot, lambda: screen.conversation_list.total == 1)


# -- the sidebar's filter --------------------------------------------------------------

NOW = datetime(2026, 11, 20, 10, 0)


class SidebarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Sidebar(id="sidebar")


def sessions(count: int, prefix: str = "Topic") -> tuple[Session, ...]:
    return tuple(
        Session(session_id=f"{prefix}-{i}", name=f"{prefix} {i:05d}", create_time="2026-11-19")
        for i in range(count)
    )


async def test_filter_narrowing_and_widening_lists_exactly_the_matches() -> None:
    normal = sessions(10_000)
    pinned = sessions(30, "Pinned")
    app = SidebarApp()
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ConversationList)
        listing.set_conversations(Conversations(pinned, normal), NOW)
        await pilot.pause()
        everything = [*pinned, *normal]
        for text in ["4", "42", "042", "0421", "042", "4", "", "PINNED 0002", "zzz", "1"]:
            listing.set_filter(text)
            expected = [s for s in everything if text.casefold().strip() in s.name.casefold()]
            assert listing.visible_sessions() == expected, text
            assert listing.count == len(expected)
        listing.set_filter("zzz")
        await pilot.pause()
        assert listing.highlighted is None
