"""The main screen's chat actions and moving around (Pilot, the real app on
the embedded server): retry after a stop, a stream in another conversation,
regenerate and edit-and-resend (branches from the question's parent), copying
an answer or a code block, the list's and the composer's keys, and the one
table behind the keys, the palette and the help."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from conftest import Account
from support import (
    SIZE,
    answered,
    make_app,
    messages,
    open_named,
    ready,
    screen_text,
    seed,
    send,
    until,
)
from test_tui_qianfan import qianfan_app, started
from textual import events
from textual.screen import Screen
from textual.widgets import Input

from ernie_tui.api import ErnieClient
from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.main.code_picker import CodeBlockPicker
from ernie_tui.tui.screens.main.keys import COMMANDS
from ernie_tui.tui.widgets.answer import StreamingAnswer

SLOW = (Fault(kind="long", increments=2000), Fault(kind="rate", rate=50))
CODE = "Two blocks:\n\n```python\nprint('one')\n```\n\nand\n\n```js\nconsole.log(2)\nx()\n```\n"


def said_since(app: Any, start: int) -> list[str]:
    return [message for _, _, message in app.notes[start:]]


async def robot_ids(client: ErnieClient, session_id: str) -> list[str]:
    detail = await client.get_conversation_detail(session_id)
    assert detail is not None
    return [c.chat_id for c in detail.messages if c.role == "robot"]


# -- 1. retry after a stop; a dimmed key says why ----------------------------------------


async def test_retry_after_a_stop_asks_again_from_the_same_parent(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Stop", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        start = len(app.notes)
        await pilot.press("escape", "ctrl+r")  # nothing streams, nothing to retry
        await until(pilot, lambda: app.said("There is no stopped or failed answer to retry."))
        assert said_since(app, start) == ["There is no stopped or failed answer to retry."]
        server.state.faults.add(*SLOW)
        await send(pilot, "tell me a long story")
        await until(pilot, lambda: screen.ask is not None and screen.ask.received)
        parent = server.state.parents[-1]
        await pilot.press("escape")
        await until(pilot, lambda: screen.ask is None)
        stopped = screen.chat.last_answer()
        assert isinstance(stopped, StreamingAnswer) and stopped.state == "stopped"
        assert "Press ^r to retry" in str(stopped.query_one(".answer--status").render())
        await pilot.press("ctrl+r")
        answer = await answered(pilot)
        assert answer.state == "done" and answer is not stopped and not stopped.is_attached
        assert server.state.parents[-1] == parent
        assert [t for r, t in messages(screen.chat) if r == "user"] == ["q", "tell me a long story"]


# -- 2. a stream in another conversation -------------------------------------------------


async def test_a_stream_elsewhere_is_marked_and_escape_there_leaves_it(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Quiet", [("q", "a")]), ("Busy", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.open_session is not None and screen.open_session.name == "Busy"
        server.state.faults.add(*SLOW)
        await send(pilot, "a long one")
        await until(pilot, lambda: screen.ask is not None and screen.ask.received)
        assert screen.conversation_list.streaming_id == ids["Busy"]
        await open_named(pilot, "Quiet")
        assert "● Busy" in screen_text(app)
        assert "▌ Quiet" in screen_text(app)
        screen.composer.focus()
        await pilot.press("escape")
        await until(pilot, lambda: app.said("is still streaming"))
        assert screen.ask is not None  # it goes on
        assert any("“Busy”" in m for _, _, m in app.notes)
        await open_named(pilot, "Busy")
        await until(pilot, lambda: screen.streaming_here)
        screen.composer.focus()
        await pilot.press("escape")
        await until(pilot, lambda: screen.ask is None)
        assert screen.conversation_list.streaming_id is None
        assert "● Busy" not in screen_text(app)


# -- 3. regenerate, edit and resend ------------------------------------------------------


async def test_regenerate_branches_from_the_questions_parent_and_keeps_the_old_answer(
    server: ServerThread, account: Account, client: ErnieClient, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Regen", [("first q", "first a"), ("second q", "second a")])])
    first_a, second_a = await robot_ids(client, ids["Regen"])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("f5")  # the last answer
        answer = await answered(pilot)
        assert server.state.parents[-1] == first_a
        assert answer.chat_id not in (first_a, second_a)
        assert [t for r, t in messages(screen.chat)][:3] == ["first q", "first a", "second q"]
        assert len(messages(screen.chat)) == 4  # the old answer left the view
        # The selected (first) answer: asked again from the start.
        screen.chat.focus()
        await pilot.press("shift+up", "shift+up")
        await until(pilot, lambda: screen.chat.selected is not None)
        await pilot.press("f5")
        await answered(pilot)
        assert server.state.parents[-1] == "0"
        assert [t for r, t in messages(screen.chat) if r == "user"] == ["first q"]
    # Both old answers are still on the service, beside the new ones.
    kept = await robot_ids(client, ids["Regen"])
    assert first_a in kept and second_a in kept and len(kept) == 4


async def test_edit_and_resend_branches_and_clearing_cancels_it(
    server: ServerThread, account: Account, client: ErnieClient, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Edit", [("first q", "first a"), ("second q", "second a")])])
    first_a, second_a = await robot_ids(client, ids["Edit"])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("alt+e")
        await until(pilot, lambda: screen.composer.text == "second q")
        assert "Editing" in str(screen.composer.border_title)
        await pilot.press("end", "space", *"edited", "enter")
        answer = await answered(pilot)
        assert server.state.parents[-1] == first_a
        assert [t for r, t in messages(screen.chat) if r == "user"] == [
            "first q",
            "second q edited",
        ]
        assert not screen.composer.border_title
        # Cleared (alt+u), the edit is off: the next question follows the last answer.
        await pilot.press("alt+e")
        await until(pilot, lambda: screen.composer.text == "second q edited")
        await pilot.press("alt+u")
        await until(pilot, lambda: screen.composer.text == "")
        assert not screen.composer.border_title and screen.editing is None
        await pilot.press("ctrl+z")  # the clear is an edit: undone, the text is back
        await until(pilot, lambda: screen.composer.text == "second q edited")
        await send(pilot, "third q")
        await answered(pilot)
        assert server.state.parents[-1] == answer.chat_id
    assert second_a in await robot_ids(client, ids["Edit"])


async def test_regenerate_on_qianfan_keeps_the_old_answer_in_the_library(
    server: ServerThread, tmp_path: Path
) -> None:
    app = qianfan_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        await send(pilot, "only question")
        first = await answered(pilot)
        await pilot.press("f5")
        second = await answered(pilot)
        assert second.chat_id != first.chat_id
        assert [t for r, t in messages(screen.chat) if r == "user"] == ["only question"]
    with sqlite3.connect(tmp_path / "library.db") as db:
        answers = {row[0] for row in db.execute("SELECT id FROM messages WHERE role='assistant'")}
        roots = db.execute("SELECT COUNT(*) FROM messages WHERE role='user' AND parent IS NULL")
        assert roots.fetchone()[0] == 2  # two questions from the start: two branches
    assert {first.chat_id, second.chat_id} <= answers


# -- 4. copying --------------------------------------------------------------------------


async def test_copy_the_selected_answer_and_a_code_block(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Copy", [("code?", CODE), ("one more?", "```sh\nls\n```")])])
    app = make_app(server, account, tmp_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("alt+c")  # nothing selected
        await until(pilot, lambda: app.said("No answer is selected"))
        assert copied == []
        await pilot.press("alt+k")  # the last answer has one block: copied at once
        await until(pilot, lambda: copied == ["ls"])
        assert app.said("Copied code block 1 sh (1 line)")
        screen.chat.focus()
        await pilot.press("shift+up", "shift+up")
        await until(pilot, lambda: screen.chat.selected is not None)
        await pilot.press("alt+c")
        await until(pilot, lambda: len(copied) == 2)
        assert copied[-1] == CODE and app.said("Copied the selected answer")
        await pilot.press("alt+k")
        await until(pilot, lambda: isinstance(app.screen, CodeBlockPicker))
        text = screen_text(app)
        assert "1 python (1 line)" in text and "2 js (2 lines)" in text
        await pilot.press("down", "enter")
        await until(pilot, lambda: len(copied) == 3)
        assert copied[-1] == "console.log(2)\nx()"
        await pilot.press("alt+k")
        await until(pilot, lambda: isinstance(app.screen, CodeBlockPicker))
        await pilot.press("1")
        await until(pilot, lambda: len(copied) == 4)
        assert copied[-1] == "print('one')"
        await pilot.press("f4")  # F4 stays "copy the last"
        await until(pilot, lambda: len(copied) == 5)
        assert copied[-1] == "```sh\nls\n```"


# -- 5. moving around --------------------------------------------------------------------


async def test_list_keys_j_k_slash_and_the_focus_list_key(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Gamma", []), ("Beta", []), ("Alpha", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        listing = screen.conversation_list
        await pilot.press("ctrl+g")
        assert listing.has_focus
        await pilot.press("home", "j", "j")
        assert listing.highlighted is not None and listing.highlighted.name == "Gamma"
        await pilot.press("k")
        assert listing.highlighted is not None and listing.highlighted.name == "Beta"
        await pilot.press("slash", "g", "a")
        field = screen.query_one("#filter", Input)
        assert field.has_focus and field.value == "ga"
        assert [s.name for s in listing.visible_sessions()] == ["Gamma"]


async def test_composer_recalls_scrolls_clears_and_counts(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    turns = [(f"question {i}", "\n\n".join(["a paragraph"] * 4)) for i in range(30)]
    seed(server, account, [("Long", turns)])
    app = make_app(server, account, tmp_path, question_limit=100)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        composer, chat = screen.composer, screen.chat
        composer.focus()
        await pilot.pause()
        bottom = chat.scroll_y
        await pilot.press("pageup")
        await until(pilot, lambda: chat.scroll_y < bottom)
        await pilot.press("pagedown")
        await until(pilot, lambda: chat.scroll_y == bottom)
        await pilot.press("up")
        assert composer.text == "question 29"
        await pilot.press("up", "up")
        assert composer.text == "question 27"
        await pilot.press("down")
        assert composer.text == "question 28"
        await pilot.press("down", "down")
        assert composer.text == ""
        await pilot.press("x", "up")  # not empty: the cursor moves, nothing recalled
        assert composer.text == "x"
        composer.replace("y" * 79, composer.document.end, composer.document.end)
        await pilot.pause()
        assert not composer.border_subtitle  # 80 of 100: no counter yet
        await pilot.press("z")
        await until(pilot, lambda: str(composer.border_subtitle) == "81 / 100")
        composer.replace("z" * 20, composer.document.end, composer.document.end)
        await until(pilot, lambda: composer.has_class("-over-limit"))
        # alt+u as a terminal sends it (ESC u: the key comes with "u" as its
        # character): the screen's key, not a letter typed.
        app.post_message(events.Key("alt+u", "u"))
        await until(pilot, lambda: composer.text == "")
        assert not composer.border_subtitle and not composer.has_class("-over-limit")


# -- 6. one table: bindings, palette, help -----------------------------------------------


def _screen_actions() -> set[str]:
    own = {name for name in dir(MainScreen) if name.startswith("action_")}
    return {name[len("action_") :] for name in own - set(dir(Screen))}


async def test_palette_help_and_bindings_come_from_one_table(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [("q", "a")])])
    app = make_app(server, account, tmp_path, keymap={"ernie.regenerate_answer": "f12"})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        for name in (
            "Regenerate answer",
            "Edit and resend",
            "Copy selected answer",
            "Copy code block",
            "Export conversation",
            "Stop answer",
            "Retry",
            "Focus conversation list",
            "Filter conversations",
            "Focus composer",
            "Mark conversation",
            "Keys",
        ):
            assert name in titles, name
        bound = {b.action for b in MainScreen.BINDINGS}  # type: ignore[union-attr]
        table = {c.action for c in COMMANDS if c.action}
        assert bound <= table
        assert _screen_actions() <= table, _screen_actions() - table
        rows = screen.help_keys()
        for command in COMMANDS:
            if command.title and command.action not in ("pin", "unpin"):
                assert command.title in titles, command.title
            if command.in_help:
                assert any(d == command.help for _, d in rows), command.help
        assert ("f12", "Answer the selected/last question anew.") in rows  # after the keymap
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        text = screen_text(app)
        for command in COMMANDS:  # at 120x40 every row shows, in two columns
            if command.in_help:
                assert command.help in text, command.help
        assert "More below" not in text


async def test_help_says_it_scrolls_when_it_does_not_fit(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await until(pilot, lambda: "More below" in screen_text(app))


def test_no_screen_key_arrives_as_another_key() -> None:
    """Terminals send alt+b and alt+f as ESC b / ESC f, which Textual reads as
    ctrl+left / ctrl+right (readline's word moves): a key bound there would
    never arrive."""
    keys = {k.strip() for c in COMMANDS if not c.where for k in c.key.split(",")}
    assert keys & {"alt+b", "alt+f"} == set()
