"""The app through Textual's Pilot, against the real embedded server.

Each test has an account of its own on the shared server, and a data directory
of its own for drafts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Account
from support import SIZE, answered, make_app, open_named, ready, seed, send, toasts, until
from textual.widgets import DataTable, Input

from ernie_tui.api import ErnieClient
from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.screens.dialogs import ConfirmDialog, RenameDialog
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.main import MainScreen, short_name
from ernie_tui.tui.screens.share_dialogs import LinkDialog, ShareDialog
from ernie_tui.tui.screens.shares import SharesScreen
from ernie_tui.tui.screens.signin import SignInScreen
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.messages import Question, Reply

# -- asking --------------------------------------------------------------------------


async def test_stream_an_answer_and_see_it_complete(
    server: ServerThread, account: Account, client: ErnieClient, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Chat", [("hi", "hello")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await send(pilot, "写一个 Python 函数")
        answer = await answered(pilot)
        await pilot.pause()
        assert answer.state == "done"
        assert screen.composer.text == ""
        assert not screen.status.streaming
        detail = await client.get_conversation_detail(ids["Chat"])
        assert detail is not None
        last = detail.messages[-1]
        assert last.role == "robot"
        assert answer.text == last.text
        assert answer.chat_id == last.chat_id
        # The finished markdown went into blocks mounted once, plus the tail.
        assert answer.block_count > 1
        questions = [w.text for w in screen.chat.query(Question)]
        assert questions[-1] == "写一个 Python 函数"


async def test_follow_up_continues_the_thread(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Thread", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = len(server.state.parents)
        await send(pilot, "first question")
        first = await answered(pilot)
        await send(pilot, "second question")
        second = await answered(pilot)
        assert server.state.parents[before + 1] == first.chat_id
        assert second.chat_id and second.chat_id != first.chat_id

    # Reopened later, the thread continues from currentChatId.
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send(pilot, "third question")
        await answered(pilot)
        assert server.state.parents[-1] == second.chat_id


async def test_new_conversation_is_created_by_its_first_question(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Older", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen.open_id == "")
        assert screen.chat.mounted_messages == 0
        question = "How do I read a file line by line in Python?"
        await send(pilot, question)
        await answered(pilot)
        await until(pilot, lambda: screen.conversation_list.visible_sessions()[0].name != "Older")
        top = screen.conversation_list.visible_sessions()[0]
        assert top.name == short_name(question)
        assert len(top.name) <= 20
        assert screen.open_id == top.session_id
        assert screen.conversation_list.open_id == top.session_id


async def test_escape_stops_a_streaming_answer(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Slow", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        blinks = screen.composer.cursor_blink
        assert blinks  # the default
        server.state.faults.add(Fault(kind="long", increments=2000), Fault(kind="rate", rate=50))
        await send(pilot, "tell me a long story")
        await until(pilot, lambda: screen.ask is not None and screen.ask.received)
        assert screen.status.streaming
        # The cursor holds still while the answer streams (each blink repaints).
        assert not screen.composer.cursor_blink
        await pilot.press("escape")
        await until(pilot, lambda: screen.ask is None)
        assert screen.composer.cursor_blink == blinks  # and blinks again afterwards
        answer = screen.chat.last_answer()
        assert isinstance(answer, StreamingAnswer)
        assert answer.state == "stopped"
        assert answer.text  # what arrived stays
        assert "stopped" in str(answer.query_one(".answer--status").render())
        assert not screen.status.streaming
        assert screen.composer.text == ""


async def test_cut_answer_is_kept_marked_incomplete_and_retry_asks_again(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Cut", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await ready(pilot)
        server.state.faults.add(Fault(kind="cut", after=6))
        await send(pilot, "an answer that breaks")
        await until(pilot, lambda: screen.failed is not None and screen.ask is None)
        broken = screen.chat.last_answer()
        assert isinstance(broken, StreamingAnswer)
        assert broken.state == "incomplete"
        assert broken.text
        assert screen.composer.text == ""  # something arrived: not restored
        assert any("cut off" in t for t in toasts(app))
        parent = server.state.parents[-1]
        await pilot.press("ctrl+r")
        answer = await answered(pilot)
        assert answer.state == "done"
        assert server.state.parents[-1] == parent
        assert not broken.is_attached
        assert [w.text for w in screen.chat.query(Question)].count("an answer that breaks") == 1


async def test_failed_send_restores_the_question(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Fails", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await ready(pilot)
        server.state.faults.add(Fault(kind="http500"))
        await send(pilot, "please keep me")
        await until(pilot, lambda: screen.failed is not None)
        await pilot.pause()
        assert screen.composer.text == "please keep me"
        assert screen.chat.last_answer() is None
        assert any("internal error" in t for t in toasts(app))


async def test_over_long_question_is_refused(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", [])])
    app = make_app(server, account, tmp_path, question_limit=10)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await ready(pilot)
        asks = server.state.asks
        await send(pilot, "x" * 11)
        await pilot.pause()
        assert any("limit is 10" in t for t in toasts(app))
        assert screen.composer.text == "x" * 11
        assert screen.ask is None
        assert server.state.asks == asks


async def test_blank_question_is_not_sent_and_double_enter_sends_once(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Once", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.composer.focus()
        await pilot.press("space", "ctrl+j", "space", "enter")
        await pilot.pause()
        assert screen.ask is None
        assert screen.chat.mounted_messages == 0
        screen.composer.set_text("only once")
        await pilot.pause()
        await pilot.press("enter", "enter")
        await answered(pilot)
        assert [w.text for w in screen.chat.query(Question)] == ["only once"]


async def test_ctrl_j_inserts_a_line_break(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Lines", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.composer.focus()
        await pilot.press("a", "ctrl+j", "b")
        assert screen.composer.text == "a\nb"
        await pilot.press("enter")
        await answered(pilot)
        assert [w.text for w in screen.chat.query(Question)] == ["a\nb"]


# -- history -------------------------------------------------------------------------


async def test_switching_while_loading_shows_only_the_last_choice(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(
        server,
        account,
        [("Alpha", [("alpha question", "alpha answer")]), ("Beta", [("beta q", "beta a")])],
    )
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.open_session is not None and screen.open_session.name == "Beta"
        server.state.faults.add(Fault(kind="stall", path="/eb/chat/history", seconds=1.5))
        listing = screen.conversation_list
        listing.focus()
        await pilot.press("home", "down", "enter")  # Alpha: its history stalls
        await until(pilot, lambda: screen.chat.loading)
        listing.focus()  # opening moved the focus to the composer
        await pilot.press("up", "enter")  # Beta again, before Alpha arrives
        await until(pilot, lambda: not screen.chat.loading)
        await pilot.pause(1.8)  # past the stall: Alpha's late reply must not show
        assert screen.open_session is not None and screen.open_session.name == "Beta"
        texts = [w.text for w in screen.chat.query(Question)]
        assert texts == ["beta q"]


async def test_long_history_mounts_a_window_and_more_on_scrolling_up(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    turns = [(f"question {i}", f"answer **{i}**") for i in range(1000)]
    seed(server, account, [("Huge", turns)])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        chat = screen.chat
        await pilot.pause()
        assert 0 < chat.mounted_messages <= 40
        replies = list(chat.query(Reply))
        assert replies[-1].text == "answer **999**"
        assert chat.scroll_y == chat.max_scroll_y  # opens at the newest
        chat.scroll_home(animate=False, immediate=True)
        await until(pilot, lambda: chat.mounted_messages > 40)
        await pilot.pause()
        assert chat.mounted_messages <= 80
        assert chat.scroll_y > 0  # the view stays where it was
        assert chat.query(Question).first().text == "question 960"


# -- managing --------------------------------------------------------------------------


async def test_rename_and_empty_rename_refused(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Old name", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, RenameDialog))
        field = app.screen.query_one("#rename-input", Input)
        assert field.value == "Old name"
        field.value = "   "
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RenameDialog)  # refused, still open
        field.value = "New name"
        await pilot.pause()
        await pilot.press("enter")
        await until(
            pilot,
            lambda: screen.open_session is not None and screen.open_session.name == "New name",
        )
        owner = server.store.account(account.bduss.reveal())
        stored = server.store.session(owner, int(ids["Old name"]))
        assert stored is not None and stored.name == "New name"
        assert "New name" in str(screen.query_one("#title").render())


async def test_pin_and_unpin_move_between_sections(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Keep", [("q", "a")]), ("Other", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await open_named(pilot, "Keep")
        screen.composer.focus()
        await pilot.press("ctrl+t")
        await until(pilot, lambda: [s.name for s in screen.conversations.top] == ["Keep"])
        assert screen.conversation_list.visible_sessions()[0].name == "Keep"
        owner = server.store.account(account.bduss.reveal())
        assert server.store.session(owner, int(ids["Keep"])).pinned  # type: ignore[union-attr]
        await pilot.press("ctrl+t")
        await until(pilot, lambda: not screen.conversations.top)
        assert not server.store.session(owner, int(ids["Keep"])).pinned  # type: ignore[union-attr]


async def test_delete_cancelled_then_confirmed_opens_the_next(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Third", []), ("Second", []), ("First", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.open_session is not None and screen.open_session.name == "First"
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        message = str(app.screen.query_one("#confirm-message").render())
        assert "First" in message
        await pilot.press("enter")  # Cancel has the focus
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        assert [s.name for s in screen.conversations.all()] == ["First", "Second", "Third"]
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm")
        await until(
            pilot, lambda: [s.name for s in screen.conversations.all()] == ["Second", "Third"]
        )
        await until(pilot, lambda: screen.open_session is not None)
        assert screen.open_session is not None and screen.open_session.name == "Second"
        owner = server.store.account(account.bduss.reveal())
        assert [s.name for s in server.store.list_sessions(owner, pinned=False)] == [
            "Second",
            "Third",
        ]


async def test_batch_delete_of_marked_conversations_in_one_call(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("D", []), ("C", []), ("B", []), ("A", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert app.backend is not None
        client = app.backend.client  # type: ignore[attr-defined]
        calls: list[list[str]] = []
        real = client.delete_conversations

        async def spy(ids: Any) -> None:
            calls.append(list(ids))
            await real(ids)

        client.delete_conversations = spy  # type: ignore[method-assign]
        listing = screen.conversation_list
        listing.focus()
        await pilot.press("home", "down", "space", "space")  # marks B and C
        assert len(listing.marked) == 2
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "2 marked" in str(app.screen.query_one("#confirm-message").render())
        await pilot.click("#confirm")
        await until(pilot, lambda: [s.name for s in screen.conversations.all()] == ["A", "D"])
        assert len(calls) == 1 and len(calls[0]) == 2
        assert not listing.marked


async def test_share_copies_the_link(
    server: ServerThread, account: Account, client: ErnieClient, tmp_path: Path
) -> None:
    seed(server, account, [("Shared", [("q1", "a1"), ("q2", "a2")])])
    app = make_app(server, account, tmp_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ShareDialog))
        await pilot.click("#share")
        await until(pilot, lambda: isinstance(app.screen, LinkDialog))
        assert len(copied) == 1
        assert copied[0].startswith(server.base_url + "/share/")
        assert copied[0] in str(app.screen.query_one("#link-url").render())
        shares = await client.list_shares()
        assert len(shares) == 1
        assert copied[0].endswith("/" + shares[0].key)
        assert len(shares[0].chat_ids) == 2  # the whole conversation: both answers


async def test_manage_shares_lists_them(
    server: ServerThread, account: Account, client: ErnieClient, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Shared", [("q1", "a1")])])
    detail = await client.get_conversation_detail(ids["Shared"])
    assert detail is not None
    await client.share_conversation(ids["Shared"], [detail.messages[-1].chat_id])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, SharesScreen))
        await until(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_filter_narrows_the_list(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Learning Rust", []), ("Rust borrow", []), ("Python 斐波那契", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+f")
        await pilot.press(*"RUST")
        names = [s.name for s in screen.conversation_list.visible_sessions()]
        assert names == ["Rust borrow", "Learning Rust"]
        await pilot.press(*"x")
        assert screen.conversation_list.visible_sessions() == []
        screen.query_one("#filter", Input).value = "斐波"
        await pilot.pause()
        names = [s.name for s in screen.conversation_list.visible_sessions()]
        assert names == ["Python 斐波那契"]


async def test_hide_sidebar_and_help(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+b")
        assert not screen.sidebar.display or screen.sidebar.has_class("-hidden")
        assert screen.chat.size.width > 60
        await pilot.press("ctrl+b")
        assert screen.sidebar.has_class("-hidden") is False
        keys = screen.help_keys()
        described = " ".join(d for _, d in keys)
        for action in ("new, empty conversation", "Rename", "Pin", "Delete", "Share", "Copy"):
            assert action in described
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_copy_last_answer(server: ServerThread, account: Account, tmp_path: Path) -> None:
    seed(server, account, [("Copy", [("q", "the **answer**")])])
    app = make_app(server, account, tmp_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f4")
        assert copied == ["the **answer**"]


async def test_palette_has_the_documented_commands(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        titles = {c.title for c in app.get_system_commands(screen)}
        for name in (
            "New conversation",
            "Rename conversation",
            "Pin conversation",
            "Delete conversation",
            "Delete conversations",
            "Share conversation",
            "Manage shares",
            "Copy last answer",
            "Help",
            "Quit",
            "Retry",
        ):
            assert name in titles
        await pilot.press("ctrl+t")
        await until(pilot, lambda: bool(screen.conversations.top))
        titles = {c.title for c in app.get_system_commands(screen)}
        assert "Unpin conversation" in titles and "Pin conversation" not in titles


# -- errors ------------------------------------------------------------------------------


async def test_server_fault_is_a_notification_and_the_ui_stays_usable(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Sturdy", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await ready(pilot)
        server.state.faults.add(Fault(kind="http500", path="/eb/session/top/move"))
        await pilot.press("ctrl+t")
        await until(pilot, lambda: any("internal error" in t for t in toasts(app)))
        assert not screen.conversations.top
        # Still usable: the next question is answered.
        await send(pilot, "still there?")
        answer = await answered(pilot)
        assert answer.state == "done"


async def test_expired_sign_in_opens_the_sign_in_screen_and_keeps_drafts(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Expiring", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.composer.focus()
        await pilot.press(*"unsent words")
        server.state.faults.add(Fault(kind="error", path="/eb/session/top/move", code=4))
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert "Not signed in" in str(app.screen.query_one("#signin-reason").render())
    drafts = json.loads((tmp_path / "drafts.json").read_text(encoding="utf-8"))
    assert "unsent words" in drafts.values()


# -- drafts ------------------------------------------------------------------------------


async def test_drafts_survive_switching_and_restart(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Alpha", []), ("Beta", [])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        screen.composer.focus()
        await pilot.press(*"beta draft")
        await open_named(pilot, "Alpha")
        assert screen.composer.text == ""
        screen.composer.focus()
        await pilot.press(*"alpha draft")
        await open_named(pilot, "Beta")
        assert screen.composer.text == "beta draft"
    saved = json.loads((tmp_path / "drafts.json").read_text(encoding="utf-8"))
    assert sorted(saved.values()) == ["alpha draft", "beta draft"]

    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.composer.text == "beta draft"
        await open_named(pilot, "Alpha")
        assert screen.composer.text == "alpha draft"


async def test_clicking_an_answer_selects_it_for_sharing(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Two answers", [("first q", "FIRST ANSWER"), ("second q", "SECOND")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        replies = list(screen.chat.query(Reply))
        assert [r.text for r in replies] == ["FIRST ANSWER", "SECOND"]
        assert screen.chat.selected is None
        await until(pilot, lambda: all(r.region.height for r in replies))
        await pilot.pause(0.3)  # the window settles (its older half mounts a frame later)
        await pilot.click(replies[0], offset=(2, 0))
        await until(pilot, lambda: screen.chat.selected is replies[0])
        assert replies[0].has_class("-selected")
        await pilot.click(replies[1], offset=(2, 0))
        await until(pilot, lambda: screen.chat.selected is replies[1])
        assert not replies[0].has_class("-selected")
