"""A thinking model over real HTTP: its reasoning (``event:thought``) streams
apart from the answer, its ``is_end`` ends only the reasoning, ``step`` events
are skipped; the question goes with its conversation's model and the newer
ask-body fields; the seed's synchronous API shows the answer alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from conftest import Account

from ernie_tui.api import (
    Answer,
    Ernie,
    ErnieClient,
    IncompleteAnswerError,
    Limits,
    ReplyTooLargeError,
    Timeouts,
)
from ernie_tui.backends import AnswerText, Final, ThinkingText, WebBackend
from ernie_tui.server import Fault, ServerThread

MAJOR = {
    "code": 0,
    "msg": "",
    "data": {
        "createSessionResponseVoCommonResult": {"data": {"sessionId": "2001"}},
        "createChatResponseVoCommonResult": {
            "data": {"botChat": {"id": 3002, "parent": 3001}, "userChat": {"id": 3001}}
        },
    },
}


def event(name: str, **data: object) -> str:
    body = json.dumps({"code": 0, "msg": "", "data": data}, ensure_ascii=False)
    return f"event:{name}\ndata:{body}\n\n"


THINKING = (
    f"event:major\ndata:{json.dumps(MAJOR)}\n\n"
    + event("thought", is_end=0, content="先想一想", sent_id=1)
    + event("thought", is_end=0, content="：用户<b", sent_id=2)
    + event("thought", is_end=0, content="r>在问候。", sent_id=3)
    + event("thought", is_end=1, content="", sent_id=4)
    + event("step", is_end=1, step="thinking", status="done", content="STEP TEXT")
    + event("message", is_end=0, content="你好", sent_id=1)
    + event("message", is_end=0, content="！", sent_id=2)
    + event("message", is_end=1, content="", tokens_all="你好！")
)


async def test_reasoning_streams_apart_from_the_answer(
    client: ErnieClient, server: ServerThread
) -> None:
    server.state.faults.add(Fault("raw", text=THINKING))
    async with client.ask_stream("hi", model="X1_1", reasoning=True) as stream:
        pieces = [p async for p in stream]
    reasoning = [p.reasoning for p in pieces if p.reasoning]
    text = [p.text for p in pieces if p.text]
    assert reasoning == ["先想一想", "：用户", "\n在问候。"]  # a <br> cut in two is a newline
    assert text == ["你好", "！"]
    assert all(not p.text for p in pieces if p.reasoning)
    assert pieces.index(next(p for p in pieces if p.text)) == 3  # the reasoning came first
    # The thought's is_end did not end the answer, and the step's text is nowhere.
    assert stream.answer == Answer(
        "你好！", (), "3002", "2001", "3001", reasoning="先想一想：用户\n在问候。"
    )
    assert "STEP" not in stream.text + stream.reasoning


async def test_by_default_only_the_answer_is_yielded(
    client: ErnieClient, server: ServerThread
) -> None:
    server.state.faults.add(Fault("raw", text=THINKING))
    async with client.ask_stream("hi") as stream:
        pieces = [p async for p in stream]
    assert [p.text for p in pieces] == ["你好", "！"]
    assert stream.answer is not None and stream.answer.reasoning == "先想一想：用户\n在问候。"


async def test_a_stream_cut_after_the_thinking_is_incomplete(
    client: ErnieClient, server: ServerThread
) -> None:
    cut = THINKING.split("event:step")[0]  # the thinking ended; the answer never came
    server.state.faults.add(Fault("raw", text=cut))
    with pytest.raises(IncompleteAnswerError):
        async with client.ask_stream("hi", reasoning=True) as stream:
            [p async for p in stream]
    assert stream.answer is None
    assert stream.reasoning == "先想一想：用户\n在问候。"


async def test_a_whole_reasoning_in_the_thought_end_is_authoritative(
    client: ErnieClient, server: ServerThread
) -> None:
    body = THINKING.replace(
        event("thought", is_end=1, content="", sent_id=4),
        event("thought", is_end=1, content="", tokens_all="完整的思考"),
    )
    server.state.faults.add(Fault("raw", text=body))
    answer = await client.ask("hi")
    assert (answer.text, answer.reasoning) == ("你好！", "完整的思考")


async def test_endless_reasoning_is_stopped_at_the_answer_limit(
    server: ServerThread, account: Account
) -> None:
    body = f"event:major\ndata:{json.dumps(MAJOR)}\n\n" + "".join(
        event("thought", is_end=0, content="想" * 10) for _ in range(5)
    )
    server.state.faults.add(Fault("raw", text=body))
    async with ErnieClient(
        account.baiduid, account.bduss, base_url=server.base_url, limits=Limits(answer_chars=25)
    ) as client:
        with pytest.raises(ReplyTooLargeError, match="reasoning passed 25 characters"):
            async with client.ask_stream("hi", reasoning=True) as stream:
                [p async for p in stream]


async def test_the_embedded_thinking_model_through_the_backend(client: ErnieClient) -> None:
    backend = WebBackend(client)
    await backend.set_model("", "X1_1")
    async with backend.ask("介绍一下 Python") as stream:
        events = [e async for e in stream]
    thinking = [e.text for e in events if isinstance(e, ThinkingText)]
    answer = [e.text for e in events if isinstance(e, AnswerText)]
    final = events[-1]
    assert isinstance(final, Final)
    assert thinking and answer
    assert events.index(next(e for e in events if isinstance(e, AnswerText))) > events.index(
        next(e for e in events if isinstance(e, ThinkingText))
    )
    assert "".join(answer) == final.text
    assert "".join(thinking) not in final.text


def test_the_seed_api_shows_only_the_answer(server: ServerThread, account: Account) -> None:
    server.state.faults.add(Fault("raw", text=THINKING))
    with Ernie(account.baiduid.reveal(), account.bduss.reveal(), base_url=server.base_url) as e:
        items = list(e.askStream("hi", "", "0"))
    assert items == [
        {"answer": "你好", "urls": [], "chatId": "3002", "done": False},
        {"answer": "！", "urls": [], "chatId": "3002", "done": False},
        {"answer": "你好！", "urls": [], "botChatId": "3002", "done": True},
    ]


# -- what the question sends ------------------------------------------------------------


class Sent:
    """The chat requests a client sent, as they left it (an httpx event hook)."""

    def __init__(self, client: ErnieClient) -> None:
        self.requests: list[httpx.Request] = []
        client._http.event_hooks["request"].append(self._record)

    async def _record(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/conversation/v2"):
            self.requests.append(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


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


async def answer(backend: WebBackend, question: str, after: Final | None = None) -> Final:
    session_id, parent = (after.session_id, after.bot_chat_id) if after else ("", "0")
    async with backend.ask(question, session_id, parent, name=question) as stream:
        events = [e async for e in stream]
    final = events[-1]
    assert isinstance(final, Final)
    return final


async def test_each_question_goes_with_its_conversations_model(backend: WebBackend) -> None:
    sent = Sent(backend.client)
    first = await answer(backend, "plain")
    await backend.set_model(first.session_id, "X1_1")
    first = await answer(backend, "think", first)
    await backend.set_model("", "EB45T")  # new conversations from now on
    second = await answer(backend, "new one")
    await backend.set_model("", "EB50")
    await answer(backend, "again", second)  # keeps the model it began with
    await answer(backend, "still thinking", first)
    models = [(b["model"], b["isSlowThought"], b["deepThoughtStatus"]) for b in sent.bodies]
    assert models == [
        ("EB35", False, 0),
        ("X1_1", True, 1),
        ("EB45T", False, 0),
        ("EB45T", False, 0),
        ("X1_1", True, 1),
    ]
    assert backend.model_of(second.session_id) == "EB45T"


async def test_the_newer_body_fields_and_headers_are_sent(
    backend: WebBackend, server: ServerThread
) -> None:
    sent = Sent(backend.client)
    backend.web_search = True
    final = await answer(backend, "search this")
    backend.web_search = False
    await answer(backend, "no search", final)
    first, second = sent.bodies
    for body in (first, second):
        assert body["isNewYiyan"] is True
        assert body["file_ids"] is None
        assert body["pluginIds"] == ""
        assert body["deviceType"] == "pc" and body["type"] == 10
        assert body["jt"] == "" and body["sign"] == ""  # no Acs-Token provider
    assert (first["webSearch"], second["webSearch"]) == (1, 0)
    assert second["sessionId"] == final.session_id and second["parentChatId"] == final.bot_chat_id
    new, follow_up = sent.requests
    for request in (new, follow_up):
        assert request.headers["Origin"] == server.base_url
        assert request.headers["Device-Type"] == "pc"
        assert "Acs-Token" not in request.headers
    assert new.headers["Referer"] == f"{server.base_url}/"
    assert follow_up.headers["Referer"] == f"{server.base_url}/chat/{final.session_id}"
