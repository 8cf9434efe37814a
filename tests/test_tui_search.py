"""The "Search conversations" screen (Pilot): the real app on the Qianfan
backend against the embedded server, its conversations seeded in a real
library file in tmp_path. Results as you type, the match highlighted, Enter
opens the conversation at the matching message (also one outside the window
of mounted messages), Escape loses nothing, and hostile text stays text."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.segment import Segment
from support import RecordingApp, screen_text, until
from test_tui_qianfan import _key, qianfan_config, started
from textual.pilot import Pilot
from textual.widgets import Input

from ernie_tui.api import Secret
from ernie_tui.api_key import ApiKeyCredential
from ernie_tui.backends.qianfan import account_of
from ernie_tui.library import ROOT, Library
from ernie_tui.server import ServerThread
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.search import SearchResults, SearchScreen
from ernie_tui.tui.widgets.messages import Question, Reply

SIZE = (100, 30)
START = datetime(2024, 4, 30, 2, 0, tzinfo=UTC)
"""When the seeded conversations begin (10:00 Beijing time)."""

Turns = list[tuple[str, str]]


def seed_library(path: Path, key: Secret, conversations: list[tuple[str, Turns]]) -> dict[str, str]:
    """Conversations in the library, oldest first (so the last is listed
    first), a minute per message from :data:`START`; name → id."""
    minutes = itertools.count()
    with Library(path, clock=lambda: START + timedelta(minutes=next(minutes))) as library:
        account = account_of(key)
        ids: dict[str, str] = {}
        for name, turns in conversations:
            conversation = library.new_conversation(account, name)
            parent = ROOT
            for question, answer in turns:
                asked = library.add_question(account, conversation, question, parent)
                parent = library.start_answer(account, conversation, asked, "ernie-lite-8k")
                library.finish_answer(account, parent, text=answer)
            ids[name] = conversation
    return ids


def search_app(server: ServerThread, tmp_path: Path, key: Secret, **config: Any) -> RecordingApp:
    settings = dataclasses.replace(qianfan_config(server, tmp_path), **config)
    return RecordingApp(settings, ApiKeyCredential(key, "session"), data_dir=tmp_path)


def search_screen(pilot: Pilot[Any]) -> SearchScreen:
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen), f"expected the search screen, got {screen!r}"
    return screen


async def open_search(pilot: Pilot[Any]) -> SearchScreen:
    await pilot.press("alt+s")
    await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), "the search screen")
    return search_screen(pilot)


async def type_query(pilot: Pilot[Any], text: str) -> SearchScreen:
    """Type ``text`` key by key into the query box; wait for its results."""
    screen = search_screen(pilot)
    await pilot.press(*text)
    await until(pilot, lambda: screen.searched == screen.query_one(Input).value, "the results")
    await pilot.pause()
    return screen


def shown(screen: SearchScreen) -> list[str]:
    return [hit.name for hit in screen.hits]


def segments(widget: Any) -> list[Segment]:
    strips = widget.render_lines(widget.region.reset_offset)
    return [segment for strip in strips for segment in strip]


WEEKLY = "帮我写一份周报的提纲，包括本周完成的工作和下周计划"
CONVERSATIONS: list[tuple[str, Turns]] = [
    ("周报提纲", [(WEEKLY, "好的，这是一份周报提纲：\n\n1. 本周完成\n2. 下周计划")]),
    (
        "Rust lifetimes",
        [("How do lifetimes work in Rust?", "Lifetimes name how long a borrow lives.")],
    ),
    ("Weekend plans", [("Where to go this weekend?", "西湖 is lovely in spring.")]),
]


async def test_results_follow_the_typing_and_say_when_nothing_matches(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    seed_library(tmp_path / "library.db", key, CONVERSATIONS)
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await open_search(pilot)
        assert "Type words to find" in screen_text(app)
        await type_query(pilot, "lifet")  # an English prefix
        assert set(shown(screen)) == {"Rust lifetimes"}
        text = screen_text(app)
        assert "Rust lifetimes" in text and "How do lifetimes work in Rust?" in text
        await pilot.press(*["backspace"] * 5)
        await type_query(pilot, "周报")  # Chinese inside a longer run of text
        assert set(shown(screen)) == {"周报提纲"}
        assert "本周完成的工作" in screen_text(app)
        await type_query(pilot, "xyz")
        assert screen.hits == ()
        assert "No conversation holds “周报xyz”." in screen_text(app)


async def test_the_match_is_highlighted_and_the_date_is_in_the_configured_zone(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    seed_library(tmp_path / "library.db", key, CONVERSATIONS)
    app = search_app(server, tmp_path, key, time_zone="UTC")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await open_search(pilot)
        await type_query(pilot, "weekend")
        results = screen.query_one(SearchResults)
        match = results.get_component_rich_style("search-results--match")
        rendered = segments(results)
        found = [s for s in rendered if s.text.casefold() == "weekend"]
        assert found and all(s.style is not None for s in found)
        assert all(s.style.color == match.color and s.style.bold for s in found if s.style)
        around = [s for s in rendered if "Where to go this" in s.text]
        assert around and all(s.style is None or s.style.color != match.color for s in around)
        # Written at 02:00 UTC (10:00 Beijing time), shown in the configured UTC.
        text = screen_text(app)
        assert "2024-04-30 02:0" in text and "times in UTC" in text


async def test_enter_opens_the_conversation_at_the_matching_message(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    ids = seed_library(tmp_path / "library.db", key, CONVERSATIONS)
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        assert main.open_session is not None and main.open_session.name == "Weekend plans"
        screen = await open_search(pilot)
        await type_query(pilot, "提纲")
        assert screen.hits[0].message  # a message, before the name
        await pilot.press("down", "up", "down")  # moves in the results from the query box
        assert screen.query_one(SearchResults).highlighted == 1
        wanted = screen.hits[1]
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is main, "the main screen")
        await until(pilot, lambda: bool(main.chat.query(".-found")), "the found message")
        assert main.open_id == ids["周报提纲"]
        assert main.conversation_list.highlighted is not None
        assert main.conversation_list.highlighted.name == "周报提纲"  # selected, as a click does
        (found,) = main.chat.query(".-found")
        assert isinstance(found, Question | Reply) and found.chat_id == wanted.message
        assert main.composer.has_focus


async def test_a_match_outside_the_mounted_window_is_mounted_and_shown(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    turns = [(f"Question number {n}", f"Answer number {n}, nothing to see.") for n in range(200)]
    turns[7] = ("Where did I put the zanzibar notes?", "In the blue folder.")
    conversations = [("A long one", turns), *CONVERSATIONS]
    ids = seed_library(tmp_path / "library.db", key, conversations)
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await open_search(pilot)
        await type_query(pilot, "zanzibar")
        await pilot.press("enter")
        await until(pilot, lambda: main.open_id == ids["A long one"], "the long conversation")
        await until(pilot, lambda: bool(main.chat.query(".-found")), "the found message")
        start, end = main.chat.window
        assert start <= 14 < end and not main.chat.at_newest  # around it, not the newest
        await until(
            pilot,
            lambda: "Where did I put the zanzibar notes?" in screen_text(app),
            "the message on screen",
        )
        assert "Answer number 199" not in screen_text(app)
        # From there the history goes on as usual: end is the newest again.
        main.chat.focus()
        await pilot.press("end")
        await until(pilot, lambda: main.chat.at_newest, "the newest messages")


async def test_escape_closes_and_loses_nothing(server: ServerThread, tmp_path: Path) -> None:
    key = _key()
    seed_library(tmp_path / "library.db", key, CONVERSATIONS)
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        opened = main.open_id
        main.composer.focus()
        await pilot.press(*"half a question")
        await open_search(pilot)
        await type_query(pilot, "rust")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main, "the main screen")
        assert main.composer.text == "half a question"
        assert main.open_id == opened
        # Opened again, the query is still there.
        screen = await open_search(pilot)
        assert screen.query_one(Input).value == "rust"
        await until(pilot, lambda: bool(screen.hits), "the results again")


async def test_a_name_hit_opens_the_conversation(server: ServerThread, tmp_path: Path) -> None:
    key = _key()
    ids = seed_library(tmp_path / "library.db", key, CONVERSATIONS)
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        screen = await open_search(pilot)
        await type_query(pilot, "Rust lifetimes")
        names = [hit for hit in screen.hits if not hit.message]
        assert names
        screen.query_one(SearchResults).highlighted = screen.hits.index(names[0])
        await pilot.press("enter")
        await until(pilot, lambda: main.open_id == ids["Rust lifetimes"], "the conversation")
        await until(pilot, lambda: not main.chat.loading, "its history")
        assert "Lifetimes name how long a borrow lives." in screen_text(app)
        assert not app.errors() and not any("not in the part" in m for _, _, m in app.notes)


HOSTILE_NAME = "[b]bold[/b] [@click=app.quit]quit[/]"
HOSTILE_TEXT = "needle \u202eevil\u202c [link=https://x.invalid]link[/link] \x1b]52;c;eA==\x07 end"


async def test_hostile_text_in_a_hit_is_shown_as_text_and_runs_nothing(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    seed_library(tmp_path / "library.db", key, [(HOSTILE_NAME, [(HOSTILE_TEXT, "[/x] a reply")])])
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        screen = await open_search(pilot)
        await type_query(pilot, "needle")
        assert len(screen.hits) == 1
        results = screen.query_one(SearchResults)
        text = screen_text(app)
        assert HOSTILE_NAME in text
        assert "[link=https://x.invalid]link[/link]" in text
        rendered = "".join(s.text for s in segments(results))
        assert "\u202e" not in rendered and "\x1b" not in rendered and "52;c" not in rendered
        assert all(s.style is None or not s.style.link for s in segments(results))
        # A click where a parsed [@click] would show "quit" opens the result; nothing else runs.
        await pilot.click(SearchResults, offset=(7, 0))
        await until(pilot, lambda: app.screen is main, "the main screen")
        await until(pilot, lambda: bool(main.chat.query(".-found")), "the found message")
        assert app.is_running and app.return_code is None


async def test_without_search_the_palette_command_says_why(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    seed_library(tmp_path / "library.db", key, CONVERSATIONS)
    app = search_app(server, tmp_path, key)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        backend: Any = main.backend
        backend.capabilities = dataclasses.replace(backend.capabilities, search=False)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Search conversations")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: app.said("Cannot search"), "the reason")
        assert not isinstance(app.screen, SearchScreen)
        assert isinstance(app.screen, MainScreen)
        assert any("keeps none" in message for _, _, message in app.notes)
