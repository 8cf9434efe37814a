"""Faults on the wire, through the real app: each test drives ErnieApp with
Pilot against the embedded server and queues a fault, then asserts on what
the user sees and on what the server received."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring_backend import MemoryKeyring
from support import (
    answered,
    main_screen,
    make_app,
    messages,
    poll_until,
    ready,
    screen_text,
    send,
    static_text,
    status_text,
)
from textual.widgets import Input

from ernie_tui.api import ErnieClient
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.signin import SignInScreen
from ernie_tui.tui.widgets.answer import StreamingAnswer


def _status_of(answer: StreamingAnswer) -> str:
    return static_text(answer.query_one(".answer--status"))


# -- the stream is cut ----------------------------------------------------------


async def test_cut_stream_keeps_the_partial_answer_and_retry_continues_the_thread(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    server.state.faults.add(Fault("cut", after=5))
    asks_before = server.state.asks
    parents_before = len(server.state.parents)
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "How do rivers form?")
        cut = await answered(pilot)

        # The partial answer stays, marked incomplete, with the retry key named.
        assert cut.state == "incomplete"
        assert cut.text and len(cut.text) < 40  # five small increments arrived
        assert "incomplete" in _status_of(cut) and "Press ^r to retry" in _status_of(cut)
        assert messages(screen.chat) == [("user", "How do rivers form?"), ("robot", cut.text)]
        assert app.said("cut off")
        assert screen.failed is not None
        session_id = screen.open_id
        assert session_id  # the conversation was created by the first answer

        # Retry: the same question again, from the same place in the thread.
        await pilot.press("ctrl+r")
        retried = await answered(pilot)
        assert retried.state == "done"
        assert "How do rivers form?" in retried.text
        assert messages(screen.chat) == [("user", "How do rivers form?"), ("robot", retried.text)]

        # A follow-up continues from the retried answer, not the cut one.
        await send(pilot, "And lakes?")
        follow = await answered(pilot)
        assert follow.state == "done"
        assert "上一个问题 (previous question): How do rivers form?" in follow.text

    chats = server.store.chats(server.store.account(account.bduss.reveal()), int(session_id))
    robots = [c for c in chats if c.role == "robot" and c.parent]
    assert server.state.asks - asks_before == 3
    cut_bot, retry_bot = robots[0].chat_id, robots[1].chat_id
    assert server.state.parents[parents_before:] == ["0", "0", str(retry_bot)]
    assert str(cut_bot) not in server.state.parents[parents_before:]


# -- code != 0 -------------------------------------------------------------------


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


async def test_not_signed_in_before_the_stream_opens_sign_in_and_keeps_the_draft(
    server: ServerThread, account: Any, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    server.state.faults.add(Fault("error", code=4, msg="请先登录"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await send(pilot, "My carefully typed question")
        await poll_until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
        signin = app.screen
        reason = static_text(signin.query_one("#signin-reason"))
        assert "Not signed in" in reason and "Sign in again" in reason
        # The draft is on disk already, before the user does anything.
        saved = json.loads((tmp_path / "drafts.json").read_text(encoding="utf-8"))
        assert "My carefully typed question" in saved.values()

        # Signing in again brings the question back in the composer.
        signin.query_one("#baiduid", Input).value = account.baiduid.reveal()
        bduss = signin.query_one("#bduss", Input)
        bduss.value = account.bduss.reveal()
        bduss.focus()
        await pilot.press("enter")  # in the BDUSS field: submits
        screen = await ready(pilot)
        assert screen.composer.text == "My carefully typed question"
        assert server.state.faults.take("/nothing") == []


async def test_not_signed_in_during_the_stream_opens_sign_in(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    server.state.faults.add(Fault("error", after=4, code=4, msg="请先登录"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await send(pilot, "Half an answer please")
        await poll_until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
        assert "Not signed in" in static_text(app.screen.query_one("#signin-reason"))


@pytest.mark.parametrize("after", [None, 3], ids=["before-stream", "during-stream"])
async def test_access_restricted_says_so_and_does_not_retry(
    server: ServerThread, account: Any, tmp_path: Path, after: int | None
) -> None:
    # The restriction lasts: every request to ask is refused, and each one uses
    # up one of the fault's count, which counts the requests.
    restricted = Fault("error", after=after, code=7, msg="用户访问被限制", count=50)
    server.state.faults.add(restricted)
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "Am I restricted?")
        await poll_until(pilot, lambda: screen.failed is not None, "the answer to fail")
        await app.workers.wait_for_complete()
        for _ in range(20):  # give a retry storm every chance to show itself
            await pilot.pause(0.01)
        assert restricted.count == 49  # one request, no automatic retries
        errors = app.errors()
        assert any("Access restricted" in e and "用户访问被限制" in e for e in errors), errors
        assert any("Wait a while" in e for e in errors)
        assert isinstance(app.screen, type(screen))  # no sign-in screen for this one
        if after is None:
            # Nothing arrived: the question goes back into the composer.
            assert screen.composer.text == "Am I restricted?"
            assert messages(screen.chat) == []
        else:
            answer = screen.chat.last_answer()
            assert isinstance(answer, StreamingAnswer) and answer.state == "incomplete"
            assert answer.text
            assert messages(screen.chat)[0] == ("user", "Am I restricted?")


# -- HTTP and network ----------------------------------------------------------------


async def test_http_500_on_ask_reports_and_keeps_the_question(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    server.state.faults.add(Fault("http500"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "Will this fail?")
        await poll_until(pilot, lambda: screen.failed is not None, "the answer to fail")
        assert any("HTTP 500" in e for e in app.errors())
        assert screen.composer.text == "Will this fail?"
        # Retry sends it again and it works now.
        await pilot.press("ctrl+r")
        answer = await answered(pilot)
        assert answer.state == "done" and "Will this fail?" in answer.text
        assert screen.composer.text == ""


async def test_http_500_on_the_list_at_start_up_recovers(
    server: ServerThread, account: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainScreen, "LIST_RETRY_DELAYS", (0.05,))
    server.state.faults.add(Fault("http500", path="/eb/session/list"))
    client = server_client(server, account)
    await client.new_conversation("Existing one")
    await client.aclose()
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await poll_until(pilot, lambda: app.said("HTTP 500"), "the error message")
        screen = main_screen(app)
        await poll_until(
            pilot, lambda: screen.open_session is not None, "the list to load on its own"
        )
        assert screen.open_session is not None
        assert screen.open_session.name == "Existing one"


def server_client(server: ServerThread, account: Any) -> ErnieClient:
    return ErnieClient(account.baiduid, account.bduss, base_url=server.base_url)


async def test_server_down_at_start_up_then_back(
    own_server: ServerThread, account: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainScreen, "LIST_RETRY_DELAYS", (0.1, 0.2))
    client = server_client(own_server, account)
    await client.new_conversation("Kept on the server")
    await client.aclose()
    own_server.stop()
    app = make_app(own_server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await poll_until(pilot, lambda: app.said("Cannot reach"), "the unreachable message")
        screen = main_screen(app)
        assert "Could not load your conversations" in screen_text(app)
        await poll_until(pilot, lambda: "unreachable" in status_text(screen), "the retry status")
        # The user can still type while the server is away.
        screen.composer.focus()
        await pilot.press(*"draft")
        assert screen.composer.text == "draft"

        own_server.start()
        await poll_until(
            pilot,
            lambda: screen.open_session is not None,
            "the list to load once the server is back",
        )
        assert screen.open_session is not None
        assert screen.open_session.name == "Kept on the server"
        assert "unreachable" not in status_text(screen)


async def test_server_down_mid_session_keeps_everything_and_recovers(
    own_server: ServerThread, account: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainScreen, "LIST_RETRY_DELAYS", (0.1, 0.2))
    app = make_app(own_server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "First question")
        first = await answered(pilot)
        assert first.state == "done"
        await poll_until(pilot, lambda: screen.open_session is not None, "the new conversation")
        before = messages(screen.chat)

        own_server.stop()
        await send(pilot, "Second question")
        await poll_until(pilot, lambda: screen.failed is not None, "the send to fail")
        assert any("Cannot reach" in e for e in app.errors())
        # Nothing is lost: the history, the list, and the question (back in the composer).
        assert messages(screen.chat) == before
        assert [s.name for s in screen.conversations.all()] == ["First question"]
        assert screen.composer.text == "Second question"

        own_server.start()
        await pilot.press("ctrl+r")
        second = await answered(pilot)
        assert second.state == "done"
        assert "上一个问题 (previous question): First question" in second.text
        assert screen.composer.text == ""


async def test_stall_mid_stream_times_out_and_the_ui_stays_responsive(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    stall = Fault("gate", after=3, seconds=10)
    server.state.faults.add(stall)
    app = make_app(server, account, tmp_path, idle_timeout=1.0)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            await send(pilot, "Tell me slowly")
            await poll_until(pilot, lambda: screen.ask is not None and screen.ask.received, "text")
            # While the server is silent, typing works.
            await pilot.press(*"next one")
            assert screen.composer.text == "next one"
            assert screen.ask is not None  # still waiting: the typing did not wait for it
            answer = await answered(pilot)
            assert answer.state == "incomplete" and answer.text
            assert any("stalled" in e and "1 s" in e for e in app.errors()), app.errors()
            assert screen.composer.text == "next one"  # the new draft is not overwritten
    finally:
        stall.gate.set()


async def test_malformed_line_in_the_stream_is_skipped(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    server.state.faults.add(Fault("malformed", after=3))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "Garbled?")
        answer = await answered(pilot)
        assert answer.state == "done"
        assert "Garbled?" in answer.text
        assert app.errors() == []
        assert screen.failed is None


async def test_malformed_reply_instead_of_a_stream_is_an_error(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    server.state.faults.add(Fault("malformed"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "Garbled reply?")
        await poll_until(pilot, lambda: screen.failed is not None, "the send to fail")
        assert app.errors()
        assert screen.composer.text == "Garbled reply?"


async def test_unknown_events_are_ignored(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    server.state.faults.add(Fault("unknown"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "Anything odd?")
        answer = await answered(pilot)
        assert answer.state == "done"
        assert "Anything odd?" in answer.text and "thinking" not in answer.text
        assert "task_id" not in answer.text
        assert app.errors() == []
        assert screen.failed is None
