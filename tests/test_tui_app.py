"""The app through Textual's Pilot, against the real embedded server.

Each test has an account of its own on the shared server, and a data directory
of its own for drafts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import Account
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets._toast import Toast

from ernie_tui.api import ErnieClient
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.dialogs import ConfirmDialog, LinkDialog, RenameDialog, ShareDialog
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.main import MainScreen, short_name
from ernie_tui.tui.screens.shares import SharesScreen
from ernie_tui.tui.screens.signin import SignInScreen
from ernie_tui.tui.widgets.chat import Question, Reply, StreamingAnswer

SIZE = (100, 30)


def make_app(server: ServerThread, account: Account, data_dir: Path, **settings: Any) -> ErnieApp:
    config = Config(
        base_url=server.base_url,
        connect_timeout=5,
        request_timeout=10,
        idle_timeout=10,
        **settings,
    )
    credential = Credential(account.baiduid, account.bduss, "session")
    return ErnieApp(config, credential, data_dir=data_dir)


def seed(
    server: ServerThread,
    account: Account,
    conversations: list[tuple[str, list[tuple[str, str]]]],
    *,
    pinned: tuple[str, ...] = (),
) -> dict[str, str]:
    """Create conversations (oldest first); returns name → session id."""
    store = server.store
    owner = store.account(account.bduss.reveal())
    ids: dict[str, str] = {}
    for name, turns in conversations:
        session_id = store.new_session(owner, name)
        if turns:
            store.bulk_turns(owner, session_id, turns)
        if name in pinned:
            store.pin(owner, session_id, True)
        ids[name] = str(session_id)
    return ids


async def until(pilot: Pilot[Any], check: Callable[[], object], limit: float = 10.0) -> None:
    """Wait (without asserting speed) until ``check()`` is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {check}")
        await pilot.pause(0.02)


def main(app: ErnieApp) -> MainScreen:
    for screen in reversed(app.screen_stack):
        if isinstance(screen, MainScreen):
            return screen
    raise AssertionError(f"no main screen in {app.screen_stack}")


def toasts(app: ErnieApp) -> list[str]:
    return [str(t.render()) for t in app.screen.query(Toast)]


async def ready(pilot: Pilot[Any]) -> MainScreen:
    """Wait for the main screen to list the conversations and open one."""
    app = pilot.app
    assert isinstance(app, ErnieApp)
    await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
    screen = main(app)
    await until(pilot, lambda: not screen.chat.loading)
    return screen


async def open_named(pilot: Pilot[Any], screen: MainScreen, name: str) -> None:
    """Open a conversation with the keyboard: the list, the cursor, enter."""
    listing = screen.conversation_list
    names = [s.name for s in listing.visible_sessions()]
    index = names.index(name)
    listing.focus()
    await pilot.press("home", *["down"] * index, "enter")
    await until(pilot, lambda: screen.open_session is not None)
    assert screen.open_session is not None
    assert screen.open_session.name == name
    await until(pilot, lambda: not screen.chat.loading)


async def type_and_send(pilot: Pilot[Any], screen: MainScreen, text: str) -> None:
    screen.composer.focus()
    screen.composer.set_text(text)
    await pilot.pause()
    await pilot.press("enter")


async def answered(pilot: Pilot[Any], screen: MainScreen) -> StreamingAnswer:
    await until(pilot, lambda: screen.ask is None and screen.chat.last_answer() is not None)
    answer = screen.chat.last_answer()
    assert isinstance(answer, StreamingAnswer)
    await until(pilot, lambda: answer.state != "streaming")
    return answer


# -- asking --------------------------------------------------------------------------


async def test_stream_an_answer_and_see_it_complete(
    server: ServerThread, account: Account, client: ErnieClient, tmp_path: Path
) -> None:
    ids = seed(server, account, [("Chat", [("hi", "hello")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await type_and_send(pilot, screen, "写一个 Python 函数")
        answer = await answered(pilot, screen)
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
        screen = await ready(pilot)
        before = len(server.state.parents)
        await type_and_send(pilot, screen, "first question")
        first = await answered(pilot, screen)
        await type_and_send(pilot, screen, "second question")
        second = await answered(pilot, screen)
        assert server.state.parents[before + 1] == first.chat_id
        assert second.chat_id and second.chat_id != first.chat_id

    # Reopened later, the thread continues from currentChatId.
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await type_and_send(pilot, screen, "third question")
        await answered(pilot, screen)
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
        await type_and_send(pilot, screen, question)
        await answered(pilot, screen)
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
        await type_and_send(pilot, screen, "tell me a long story")
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
        await type_and_send(pilot, screen, "an answer that breaks")
        await until(pilot, lambda: screen.failed is not None and screen.ask is None)
        broken = screen.chat.last_answer()
        assert isinstance(broken, StreamingAnswer)
        assert broken.state == "incomplete"
        assert broken.text
        assert screen.composer.text == ""  # something arrived: not restored
        assert any("cut off" in t for t in toasts(app))
        parent = server.state.parents[-1]
        await pilot.press("ctrl+r")
        answer = await answered(pilot, screen)
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
        await type_and_send(pilot, screen, "please keep me")
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
        await type_and_send(pilot, screen, "x" * 11)
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
        await answered(pilot, screen)
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
        await answered(pilot, screen)
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
        await open_named(pilot, screen, "Keep")
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
        client = app.client
        assert client is not None
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
        await type_and_send(pilot, screen, "still there?")
        answer = await answered(pilot, screen)
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
        await open_named(pilot, screen, "Alpha")
        assert screen.composer.text == ""
        screen.composer.focus()
        await pilot.press(*"alpha draft")
        await open_named(pilot, screen, "Beta")
        assert screen.composer.text == "beta draft"
    saved = json.loads((tmp_path / "drafts.json").read_text(encoding="utf-8"))
    assert sorted(saved.values()) == ["alpha draft", "beta draft"]

    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.composer.text == "beta draft"
        await open_named(pilot, screen, "Alpha")
        assert screen.composer.text == "alpha draft"
