"""The UI-free core: the ask flow's state machine and the conversation list,
driven through the real web backend against the embedded server (no Textual).

The races the app's Pilot tests cover (a triple Enter, stop, delete while
streaming, retry after a cut) are rows of tables here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Account

from ernie_tui.api import ErnieClient, Session, Timeouts
from ernie_tui.backends import Conversations, NetworkError, ServiceError, WebBackend
from ernie_tui.core import (
    TRANSITIONS,
    AskFlow,
    ConversationState,
    Created,
    Done,
    Failed,
    FlowEvent,
    ListRetry,
    Refusal,
    Started,
    Stopped,
    Text,
    Turn,
)
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault

STATES = ["idle", "streaming", "done", "stopped", "failed"]
STEPS = ["start", "end", "stop", "error"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", STEPS)
def test_every_step_of_a_turn_is_in_the_table_or_refused(state: Any, step: Any) -> None:
    turn = Turn("q", "1", "0", "q", "1", state=state)
    expected = TRANSITIONS.get((state, step))
    if expected is None:
        with pytest.raises(RuntimeError):
            turn.step(step)
        assert turn.state == state
    else:
        assert turn.step(step) == expected


def test_the_table_is_the_ask_flow_of_the_docs() -> None:
    assert TRANSITIONS == {
        ("idle", "start"): "streaming",
        ("streaming", "end"): "done",
        ("streaming", "stop"): "stopped",
        ("streaming", "error"): "failed",
    }


@pytest.fixture
async def backend(server: ServerThread, account: Account) -> AsyncIterator[WebBackend]:
    client = ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=server.base_url,
        timeouts=Timeouts(connect=5, request=10, idle=10),
    )
    async with WebBackend(client) as backend:
        yield backend


class Recorder:
    def __init__(self) -> None:
        self.events: list[FlowEvent] = []

    def __call__(self, event: FlowEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        out: list[str] = []
        for event in self.events:
            name = type(event).__name__
            if not out or out[-1] != name or name != "Text":
                out.append(name)
        return out

    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, Text))


async def test_a_new_conversation_is_created_streamed_and_done(backend: WebBackend) -> None:
    seen = Recorder()
    flow = AskFlow(backend, seen)
    turn = flow.begin("Hello there", "", "0")
    assert isinstance(turn, Turn) and flow.current is turn
    await flow.run(turn)
    assert seen.kinds() == ["Started", "Created", "Text", "Done"]
    created = next(e for e in seen.events if isinstance(e, Created))
    assert created.old_key == "" and turn.session_id and turn.key == turn.session_id
    done = seen.events[-1]
    assert isinstance(done, Done) and done.final.text == seen.text() and turn.received
    assert turn.state == "done" and flow.current is None and flow.failed is None
    assert turn.bot_chat_id == done.final.bot_chat_id != ""
    # The next question continues the thread from that answer.
    follow = flow.begin("And then?", turn.session_id, turn.bot_chat_id)
    assert isinstance(follow, Turn) and follow.parent == turn.bot_chat_id
    await flow.run(follow)
    assert follow.state == "done" and follow.session_id == turn.session_id


@pytest.mark.parametrize(
    ("second", "reason", "says"),
    [
        ("the same question", "busy", ""),  # Enter pressed again: sent once, silently
        ("another question", "busy", "still streaming"),
        ("   ", "blank", ""),
        ("x" * 2001, "too long", "the limit is 2,000"),
    ],
)
async def test_what_a_second_send_while_streaming_gets(
    backend: WebBackend, server: ServerThread, second: str, reason: str, says: str
) -> None:
    gate = Fault("gate", after=2, seconds=10)
    server.state.faults.add(gate)
    seen = Recorder()
    flow = AskFlow(backend, seen)
    first = flow.begin("the same question", "", "0")
    assert isinstance(first, Turn)
    task = asyncio.ensure_future(flow.run(first))
    refused = flow.begin(second, "", "0")
    assert isinstance(refused, Refusal) and refused.reason == reason
    assert says in refused.message and (says or reason != "busy" or not refused.message)
    gate.gate.set()
    await task
    assert [type(e) for e in seen.events].count(Started) == 1
    assert first.state == "done"


@pytest.mark.parametrize("how", ["stop", "stop_in", "cancel"])
async def test_stopping_keeps_what_arrived_and_the_question_can_be_retried(
    backend: WebBackend, server: ServerThread, how: str
) -> None:
    gate = Fault("gate", after=3, seconds=10)
    server.state.faults.add(gate)
    seen = Recorder()
    flow = AskFlow(backend, seen)
    turn = flow.begin("tell me", "", "0")
    assert isinstance(turn, Turn)
    task = asyncio.ensure_future(flow.run(turn))
    while not turn.received:
        await asyncio.sleep(0.01)
    if how == "stop":
        assert flow.stop()
    elif how == "stop_in":
        assert not flow.stop_in({"not-this-one"})
        assert flow.stop_in({turn.session_id})
    else:
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.gate.set()
    assert isinstance(seen.events[-1], Stopped)
    assert turn.state == "stopped" and flow.current is None and flow.failed is None
    assert seen.text() and turn.bot_chat_id  # the text and the answer's id stayed
    assert not flow.stop()
    # Retry asks it again from the same place, as after a failure.
    assert flow.retryable is turn
    again = flow.retry(turn.session_id)
    assert isinstance(again, Turn) and again is not turn
    assert (again.question, again.session_id, again.parent) == ("tell me", turn.session_id, "0")
    assert isinstance(flow.retry(turn.session_id), Refusal)  # busy now
    await flow.run(again)
    assert again.state == "done" and flow.retryable is None
    nothing = flow.retry(turn.session_id)
    assert isinstance(nothing, Refusal) and "stopped or failed" in nothing.message


@pytest.mark.parametrize(
    ("fault", "received"),
    [
        (Fault("cut", after=3), True),
        (Fault("error", after=2, code=7, msg="用户访问被限制"), True),
        (Fault("http500"), False),
        (Fault("error", code=7, msg="用户访问被限制"), False),
    ],
)
async def test_a_failure_then_retry_from_the_same_parent(
    backend: WebBackend, server: ServerThread, fault: Fault, received: bool
) -> None:
    seen = Recorder()
    flow = AskFlow(backend, seen)
    first = flow.begin("first", "", "0")
    assert isinstance(first, Turn)
    await flow.run(first)
    server.state.faults.add(fault)
    turn = flow.begin("second", first.session_id, first.bot_chat_id)
    assert isinstance(turn, Turn)
    await flow.run(turn)
    failed = seen.events[-1]
    assert isinstance(failed, Failed) and turn.state == "failed" and flow.failed is turn
    assert turn.received is received
    # Retry: refused elsewhere, then from the same place in the thread.
    elsewhere = flow.retry("another conversation")
    assert isinstance(elsewhere, Refusal) and elsewhere.reason == "elsewhere"
    again = flow.retry(first.session_id)
    assert isinstance(again, Turn) and again is not turn
    assert (again.question, again.parent) == ("second", first.bot_chat_id)
    assert isinstance(flow.retry(first.session_id), Refusal)  # busy meanwhile
    await flow.run(again)
    assert again.state == "done" and flow.failed is None
    nothing = flow.retry(first.session_id)
    assert isinstance(nothing, Refusal) and nothing.reason == "nothing to retry"


async def test_a_deleted_conversation_leaves_nothing_to_retry(
    backend: WebBackend, server: ServerThread
) -> None:
    server.state.faults.add(Fault("cut", after=2))
    flow = AskFlow(backend, Recorder())
    turn = flow.begin("q", "", "0")
    assert isinstance(turn, Turn)
    await flow.run(turn)
    assert flow.failed is turn
    flow.forget({turn.session_id})
    assert flow.failed is None


def _sessions(*names: str, pinned: bool = False) -> tuple[Session, ...]:
    return tuple(Session(session_id=n, name=n, pinned=pinned) for n in names)


def test_the_list_changes_locally_as_the_operations_say(backend: WebBackend) -> None:
    state = ConversationState(backend)
    state.replace(Conversations(_sessions("P", pinned=True), _sessions("a", "b", "c")))
    assert state.update("c", pinned=True) is not None
    assert [s.name for s in state.conversations.top] == ["c", "P"]
    state.update("b", move=False, name="B")
    assert [s.name for s in state.conversations.normal] == ["a", "B"]
    state.remove(["a"])
    assert [s.name for s in state.conversations.all()] == ["c", "P", "B"]
    assert state.update("gone", name="x") is None
    # A conversation the streaming answer created stays listed until the server has it.
    new = Session(session_id="n", name="new")
    state.replace(Conversations(), keep=new)
    assert state.conversations.all() == (new,)


@pytest.mark.parametrize(
    ("open_id", "gone", "expected"),
    [("b", ["b"], "c"), ("c", ["c"], "b"), ("b", ["b", "c"], "a"), ("a", ["a", "b", "c"], None)],
)
def test_the_conversation_opened_after_a_delete(
    backend: WebBackend, open_id: str, gone: list[str], expected: str | None
) -> None:
    state = ConversationState(backend)
    listed = _sessions("a", "b", "c")
    state.replace(Conversations((), listed))
    state.open(open_id)
    following = state.following(gone, listed)
    assert (following.session_id if following else None) == expected


def test_the_list_is_fetched_again_with_back_off_only_after_passing_failures() -> None:
    retry = ListRetry()
    network = NetworkError("down")
    assert [retry.after(network) for _ in range(7)] == [2, 4, 8, 15, 30, 60, 60]
    retry.succeeded()
    assert retry.after(ServiceError("boom", status=502)) == 2
    assert retry.after(ServiceError("refused", status=400)) is None


async def test_operations_reach_the_server(backend: WebBackend, server: ServerThread) -> None:
    state = ConversationState(backend)
    first = await backend.new_conversation("one")
    await backend.new_conversation("two")
    state.replace(await backend.list_conversations())
    session = state.find(first)
    assert session is not None
    await state.rename(session, "renamed")
    await state.set_pinned(session, True)
    listed = await backend.list_conversations()
    assert [s.name for s in listed.top] == ["renamed"]
    assert [s.name for s in state.conversations.top] == ["renamed"]
    await state.delete([first])
    assert (await backend.list_conversations()).find(first) is None
    assert state.find(first) is None
