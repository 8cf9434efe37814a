"""PgUp / PgDn through a long history (issue 15): a page moves at once (no
scrolling animation: the view is at its place as soon as the key has been
handled, so the older text is on screen in the next frame), from the
history pane and from the question box alike; paging on reaches the first
message of a long history, older messages being mounted on the way
without the view jumping; and PgDn pages back down through them.

Pilot: the real app on the embedded server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import Account
from support import SIZE, make_app, ready, screen_text, seed, until
from textual.pilot import Pilot

from ernie_tui.server import ServerThread
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.widgets.ahead import LinesAhead
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.window import MAX_WINDOW, WINDOW

TURNS = 400  # 800 messages: past the window (MAX_WINDOW) several times


def long_history() -> list[tuple[str, str]]:
    return [
        (f"question {i:04d}", f"answer **{i:04d}**\n\nsecond paragraph\n\nthird paragraph")
        for i in range(TURNS)
    ]


def shown_questions(pilot: Pilot[Any]) -> list[int]:
    """The numbers of the questions on the screen now, top to bottom."""
    return [int(n) for n in re.findall(r"question (\d{4})", screen_text(pilot.app))]


async def open_long(pilot: Pilot[Any]) -> tuple[MainScreen, ChatView]:
    screen = await ready(pilot)
    chat = screen.chat
    await until(pilot, lambda: chat.mounted_messages == WINDOW)
    await pilot.pause()
    return screen, chat


async def test_pgup_shows_older_text_at_once_from_the_pane_and_from_the_composer(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen, chat = await open_long(pilot)
        page = chat.scrollable_content_region.height - 1
        for focus in (chat, screen.composer, chat):
            focus.focus()
            await pilot.pause()
            before = shown_questions(pilot)
            y = chat.scroll_y
            await pilot.press("pageup")
            # Right after the key: at the target, no animation under way.
            assert chat.scroll_y == chat.scroll_target_y == y - page
            await pilot.pause()
            after = shown_questions(pilot)
            assert after and min(after) < min(before), (before, after)

            await pilot.press("pagedown")
            assert chat.scroll_y == chat.scroll_target_y == y
            await pilot.press("pageup")


async def test_pgup_reaches_the_first_of_800_messages_and_pgdn_comes_back(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        chat.focus()
        await pilot.pause()
        seen: list[int] = shown_questions(pilot)
        presses = 0
        while 0 not in shown_questions(pilot):
            assert presses < 3000, f"no first message after {presses} presses"
            top = shown_questions(pilot)
            await pilot.press("pageup")
            await pilot.pause()
            presses += 1
            shown = shown_questions(pilot)
            # Every page shows older questions than the last one, with no
            # question skipped between them (the view never jumped).
            if shown and top:
                assert min(shown) <= min(top), (top, shown)
                assert min(top) - max(shown) <= 1, (top, shown)
            seen.extend(shown)
            assert chat.mounted_messages <= MAX_WINDOW + WINDOW
        assert set(range(TURNS)) <= set(seen)  # every question was on screen on the way
        assert chat.window[0] == 0

        for _ in range(10):
            top = shown_questions(pilot)
            await pilot.press("pagedown")
            await pilot.pause()
            shown = shown_questions(pilot)
            assert shown and min(shown) >= min(top) and min(shown) - max(top) <= 1


def shown_pairs(pilot: Pilot[Any]) -> list[tuple[int, int]]:
    """Each question on the screen with the number of the answer after it."""
    text = screen_text(pilot.app)
    return [(int(q), int(a)) for q, a in re.findall(r"question (\d{4})\D+?answer (\d{4})", text)]


async def test_widgets_shown_again_show_their_new_messages(
    server: ServerThread, account: Account, tmp_path: Path, monkeypatch: Any
) -> None:
    # Without lines rendered ahead, a widget moved to the window's other end
    # renders the message it shows now itself.
    monkeypatch.setattr(LinesAhead, "give", lambda *args: None)
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        chat.focus()
        await pilot.pause()
        wrong: list[list[tuple[int, int]]] = []
        starts: set[int] = set()
        shown = 0
        for key in ["pageup"] * 150 + ["pagedown"] * 150:
            await pilot.press(key)
            await pilot.pause()
            pairs = shown_pairs(pilot)
            starts.add(chat.window[0])
            shown += len(pairs)
            # Each answer follows its question, and the questions on screen
            # follow each other.
            numbers = [q for q, _ in pairs]
            if any(q != a for q, a in pairs) or numbers != list(
                range(numbers[0], numbers[0] + len(numbers)) if numbers else []
            ):
                wrong.append(pairs)
        assert min(starts) < TURNS * 2 - MAX_WINDOW - WINDOW  # it moved past the window
        assert shown > 300
        assert wrong == []
