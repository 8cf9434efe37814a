"""The Qianfan backend: the real client against the embedded server's /v2,
conversations kept in a real library, driven through the core's ask flow as
the app and the command line drive it."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ernie_tui.api import NotSignedInError, Secret, Timeouts
from ernie_tui.backends import Final, Trimmed
from ernie_tui.backends.qianfan import (
    QianfanBackend,
    account_of,
    estimate_tokens,
    trim_thread,
)
from ernie_tui.core import AskFlow, ConversationState, Failed, FlowEvent, Text, Turn
from ernie_tui.library import Library
from ernie_tui.qianfan import QianfanClient
from ernie_tui.server import Fault, ServerThread

CHAT = "/v2/chat/completions"
X1 = "ernie-x1-turbo-32k"
LITE = "ernie-lite-8k"
_keys = itertools.count(1)


def _key() -> Secret:
    return Secret(f"bce-v3/ALTAK-be{os.getpid()}x{next(_keys):05d}/{os.urandom(12).hex()}")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "library.db")


@pytest.fixture
async def backend(server: ServerThread, library: Library) -> AsyncIterator[QianfanBackend]:
    key = _key()
    client = QianfanClient(
        key, base_url=server.base_url + "/v2", timeouts=Timeouts(connect=5, request=10, idle=10)
    )
    async with QianfanBackend(client, library, account_of(key), model=LITE) as backend:
        yield backend


class Seen:
    def __init__(self) -> None:
        self.events: list[FlowEvent] = []

    def __call__(self, event: FlowEvent) -> None:
        self.events.append(event)

    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, Text))


async def _ask(flow: AskFlow, question: str, session_id: str = "", parent: str = "0") -> Turn:
    turn = flow.begin(question, session_id, parent)
    assert isinstance(turn, Turn)
    await flow.run(turn)
    return turn


def test_the_account_is_a_digest_of_the_key_never_the_key() -> None:
    key = _key()
    account = account_of(key)
    assert key.reveal() not in account and account.startswith("qianfan:")
    assert account_of(Secret(key.reveal())) == account != account_of(_key())


async def test_a_conversation_is_created_kept_and_continued(
    backend: QianfanBackend, library: Library
) -> None:
    seen = Seen()
    flow = AskFlow(backend, seen)
    first = await _ask(flow, "What is ownership in Rust?")
    assert first.state == "done" and first.session_id and seen.text()
    second = await _ask(flow, "And borrowing?", first.session_id, first.bot_chat_id)
    assert second.state == "done"
    # The whole thread went with the second question: the demo bot saw the first.
    assert second.final is not None and "What is ownership in Rust?" in second.final.text
    detail = await backend.open((await backend.list_conversations()).all()[0])
    assert detail is not None
    assert [c.role for c in detail.messages] == ["user", "robot", "user", "robot"]
    assert detail.current_chat_id == second.bot_chat_id
    assert detail.messages[3].completion_tokens > 0 and detail.messages[3].model == LITE


async def test_a_thinking_model_keeps_its_reasoning(backend: QianfanBackend) -> None:
    seen = Seen()
    flow = AskFlow(backend, seen)
    await backend.set_model("", X1)
    turn = await _ask(flow, "Think first")
    assert turn.state == "done"
    detail = await backend.open((await backend.list_conversations()).all()[0])
    assert detail is not None and detail.messages[1].reasoning
    assert detail.messages[1].model == X1


async def test_a_cut_answer_is_kept_incomplete_and_a_stopped_one_stopped(
    backend: QianfanBackend, server: ServerThread
) -> None:
    flow = AskFlow(backend, Seen())
    server.state.faults.add(Fault("cut", path=CHAT, after=3))
    cut = await _ask(flow, "cut me off")
    assert cut.state == "failed" and cut.received
    gate = Fault("gate", path=CHAT, after=2, seconds=10)
    server.state.faults.add(gate)
    stopped = flow.begin("stop me", cut.session_id, cut.bot_chat_id or "0")
    assert isinstance(stopped, Turn)
    task = asyncio.ensure_future(flow.run(stopped))
    while not stopped.received:
        await asyncio.sleep(0.01)
    flow.stop()
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.gate.set()
    detail = await backend.open(
        next(
            s for s in (await backend.list_conversations()).all() if s.session_id == cut.session_id
        )
    )
    assert detail is not None
    states = [(c.role, c.state) for c in detail.messages]
    assert states[-2:] == [("user", ""), ("robot", "stopped")]
    assert detail.messages[-1].text  # what arrived before the stop is kept


async def test_a_refused_key_keeps_the_question(server: ServerThread, library: Library) -> None:
    client = QianfanClient(
        "bce-v3/ALTAK-nope/wrong", base_url=server.base_url + "/v2", timeouts=Timeouts(5, 10, 10)
    )
    backend = QianfanBackend(client, library, "qianfan:test", model=LITE)
    seen = Seen()
    flow = AskFlow(backend, seen)
    server.state.faults.add(Fault("error", path=CHAT, msg="invalid_iam_token"))
    turn = await _ask(flow, "is my key good?")
    await backend.aclose()
    failed = seen.events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, NotSignedInError)
    listed = library.list_conversations("qianfan:test").all()
    assert len(listed) == 1
    detail = library.open("qianfan:test", listed[0].session_id)
    assert detail is not None and detail.messages[0].text == "is my key good?"
    assert turn.state == "failed"


async def test_operations_work_on_the_library(backend: QianfanBackend) -> None:
    state = ConversationState(backend)
    flow = AskFlow(backend, Seen())
    turn = await _ask(flow, "keep me")
    state.replace(await backend.list_conversations())
    session = state.find(turn.session_id)
    assert session is not None
    await state.rename(session, "renamed")
    await state.set_pinned(session, True)
    assert [s.name for s in (await backend.list_conversations()).top] == ["renamed"]
    await state.delete([turn.session_id])
    assert (await backend.list_conversations()).all() == ()
    with pytest.raises(Exception, match="Export conversation"):
        await backend.share(turn.session_id, [])


async def test_the_system_prompt_and_the_model_are_per_conversation(
    backend: QianfanBackend,
) -> None:
    flow = AskFlow(backend, Seen())
    turn = await _ask(flow, "hello")
    await backend.set_system_prompt(turn.session_id, "Answer in one word.")
    await backend.set_model(turn.session_id, X1)
    assert backend.model_of(turn.session_id) == X1 and backend.model == LITE
    assert backend.system_prompt_of(turn.session_id) == "Answer in one word."
    follow = await _ask(flow, "again", turn.session_id, turn.bot_chat_id)
    assert follow.state == "done"


async def test_the_models_come_from_the_server(backend: QianfanBackend) -> None:
    models = await backend.models()
    ids = [m.id for m in models]
    assert LITE in ids and X1 in ids
    assert next(m for m in models if m.id == X1).reasoning


def test_a_long_thread_is_trimmed_oldest_first() -> None:
    turns = [("system", "be brief")]
    for n in range(50):
        turns += [("user", f"question {n} " + "x" * 300), ("assistant", f"answer {n} " + "y" * 300)]
    messages, dropped = trim_thread(turns, "the last question", 2000)
    assert messages[0].role == "system" and messages[-1].content == "the last question"
    assert 0 < dropped < 50
    kept = [m.content for m in messages if m.role == "user"][:-1]
    assert kept[-1].startswith("question 49")  # the newest turns are the ones kept
    assert sum(estimate_tokens(m.content) for m in messages) <= 2000
    # An empty answer (stopped before any text) is left out with its question.
    messages, dropped = trim_thread([("user", "q"), ("assistant", "")], "next", 8000)
    assert [m.content for m in messages] == ["next"] and dropped == 0


async def test_the_app_is_told_when_the_thread_was_trimmed(
    server: ServerThread, library: Library
) -> None:
    key = _key()
    client = QianfanClient(key, base_url=server.base_url + "/v2", timeouts=Timeouts(5, 10, 10))
    backend = QianfanBackend(client, library, account_of(key), model=LITE)
    backend._contexts[LITE] = 600  # a tiny context: the second question cannot take the first
    first = await backend.new_conversation("long")
    stream = backend.ask("a" * 1500, first, "0")
    async with stream:
        events = [e async for e in stream]
    stream = backend.ask("next", first, stream.bot_chat_id)
    async with stream:
        events = [e async for e in stream]
    await backend.aclose()
    assert any(isinstance(e, Trimmed) and e.turns == 1 for e in events)
    assert isinstance(events[-1], Final) and events[-1].text


async def test_local_conversations_show_their_times_as_the_app_reckons_today(
    server: ServerThread, tmp_path: Path
) -> None:
    """The app reckons "today" in the service's zone (Beijing time): a local
    conversation made now must show now in that zone, or the sidebar shows it
    as another day."""
    from datetime import datetime

    from ernie_tui.api_key import ApiKeyCredential
    from ernie_tui.config import Config, QianfanConfig
    from ernie_tui.wiring import SERVICE_ZONE, make_backend

    config = Config(
        backend="qianfan",
        qianfan=QianfanConfig(base_url=server.base_url + "/v2"),
        library_path=tmp_path / "library.db",
    )
    backend = make_backend(config, ApiKeyCredential(_key(), "session"))
    try:
        await backend.new_conversation("now")
        shown = (await backend.list_conversations()).all()[0].create_time
    finally:
        await backend.aclose()
    moment = datetime.strptime(shown, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SERVICE_ZONE)
    assert abs((datetime.now(SERVICE_ZONE) - moment).total_seconds()) < 120
