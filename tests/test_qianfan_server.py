"""The embedded server's ``/v2`` on the wire, read with plain httpx: what
QIANFAN.md says the service sends, byte for byte where it matters; and the web
side's thinking model, whose ``thought`` events do not end the answer."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import httpx
import pytest

from ernie_tui.api import ErnieClient, Secret, Timeouts
from ernie_tui.server import Fault, ServerThread, Store
from ernie_tui.server.qianfan.wire import REQUESTS_PER_MINUTE

CHAT = "/v2/chat/completions"
KEY = f"bce-v3/ALTAK-server{os.getpid()}/0123456789abcdef"
QUESTION = [{"role": "user", "content": "你好"}]


def _auth(key: str = KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _post(server: ServerThread, body: Any, key: str = KEY, **kw: Any) -> httpx.Response:
    return httpx.post(f"{server.base_url}{CHAT}", json=body, headers=_auth(key), timeout=10, **kw)


def _events(reply: httpx.Response) -> list[str]:
    """The data of each event, in order."""
    assert reply.headers["content-type"].startswith("text/event-stream")
    blocks = [b for b in reply.text.split("\n\n") if b.strip()]
    assert all(b.startswith("data: ") for b in blocks), blocks[:3]
    return [b[len("data: ") :] for b in blocks]


def _chunks(server: ServerThread, **body: Any) -> list[dict[str, Any]]:
    events = _events(_post(server, {"messages": QUESTION, "stream": True, **body}))
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("as-")
    return chunks


def _error(reply: httpx.Response, status: int, code: str) -> None:
    assert reply.status_code == status
    body = reply.json()
    assert body["error"]["code"] == code and body["error"]["message"] and body["error"]["type"]
    assert body["id"].startswith("as-")


def test_a_thinking_model_streams_reasoning_first_and_usage_last(server: ServerThread) -> None:
    chunks = _chunks(server, model="ernie-x1-turbo-32k", stream_options={"include_usage": True})
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0]["role"] == "assistant" and "reasoning_content" in deltas[0]
    kinds = ["r" if "reasoning_content" in d else "c" if "content" in d else "-" for d in deltas]
    first_content = kinds.index("c")
    assert set(kinds[:first_content]) == {"r"} and set(kinds[first_content:-1]) == {"c"}
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop" and deltas[-1] == {}
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    usage = last["usage"]
    assert usage["completion_tokens"] == len(chunks) - 1
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert all("usage" not in c for c in chunks[:-1])


def test_without_include_usage_no_usage_is_sent(server: ServerThread) -> None:
    chunks = _chunks(server, model="ernie-lite-8k")
    assert all("usage" not in c for c in chunks)
    assert all("reasoning_content" not in c["choices"][0]["delta"] for c in chunks)


def test_web_search_marks_citations_and_sends_the_results(server: ServerThread) -> None:
    chunks = _chunks(server, model="ernie-lite-8k", web_search={"enable": True})
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "^[1]^" in text and "^[2]^" in text
    results = chunks[-1]["search_results"]
    assert [r["index"] for r in results] == [1, 2] and all(r["url"] and r["title"] for r in results)
    whole = _post(
        server, {"model": "ernie-lite-8k", "messages": QUESTION, "web_search": {"enable": True}}
    )
    assert whole.json()["search_results"] == results
    assert whole.json()["choices"][0]["message"]["content"] == text


def test_the_whole_reply(server: ServerThread) -> None:
    reply = _post(server, {"model": "ernie-x1-turbo-32k", "messages": QUESTION}).json()
    assert reply["object"] == "chat.completion" and reply["model"] == "ernie-x1-turbo-32k"
    choice = reply["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] == "stop"
    assert choice["message"]["reasoning_content"] and choice["message"]["content"]
    assert choice["flag"] == 0 and reply["usage"]["total_tokens"] > 0


def test_a_drawing_is_a_markdown_image_not_a_tag(server: ServerThread) -> None:
    ask = [{"role": "user", "content": "画一只猫"}]
    reply = _post(server, {"model": "ernie-lite-8k", "messages": ask}).json()
    text = reply["choices"][0]["message"]["content"]
    assert "<img" not in text and "<br>" not in text and "![image](http" in text


def test_the_model_list(server: ServerThread) -> None:
    reply = httpx.get(f"{server.base_url}/v2/models", headers=_auth(), timeout=10)
    body = reply.json()
    assert body["object"] == "list" and all(m["object"] == "model" for m in body["data"])
    assert {"ernie-x1-turbo-32k", "ernie-lite-8k"} <= {m["id"] for m in body["data"]}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sk-123"}, {"Authorization": KEY}, {"Authorization": "Basic x"}],
)
def test_anything_but_a_qianfan_key_is_refused(
    server: ServerThread, headers: dict[str, str]
) -> None:
    for reply in (
        httpx.post(f"{server.base_url}{CHAT}", json={}, headers=headers, timeout=10),
        httpx.get(f"{server.base_url}/v2/models", headers=headers, timeout=10),
    ):
        _error(reply, 401, "invalid_iam_token")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"model": "gpt-4", "messages": QUESTION}, "invalid_model"),
        ({"messages": QUESTION}, "invalid_model"),
        ({"model": "ernie-lite-8k", "messages": []}, "invalid_messages"),
        (
            {"model": "ernie-lite-8k", "messages": [{"role": "assistant", "content": "x"}]},
            "invalid_messages",
        ),
        (
            {"model": "ernie-lite-8k", "messages": [{"role": "bot", "content": "x"}]},
            "invalid_messages",
        ),
        (
            {"model": "ernie-lite-8k", "messages": QUESTION, "max_completion_tokens": 0},
            "invalid_argument",
        ),
        ({"model": "ernie-lite-8k", "messages": QUESTION, "stream": "yes"}, "invalid_argument"),
        (
            {"model": "ernie-lite-8k", "messages": [{"role": "user", "content": "字" * 9000}]},
            "tokens_too_long",
        ),
        ([1, 2], "malformed_json"),
    ],
)
def test_a_bad_request_is_a_400_with_its_code(server: ServerThread, body: Any, code: str) -> None:
    _error(_post(server, body), 400, code)


def test_a_body_that_is_not_json_is_malformed_json(server: ServerThread) -> None:
    reply = httpx.post(f"{server.base_url}{CHAT}", content=b"{nope", headers=_auth(), timeout=10)
    _error(reply, 400, "malformed_json")


def test_message_parts_are_read_as_text(server: ServerThread) -> None:
    parts = [{"type": "text", "text": "多模态"}, {"type": "image_url", "image_url": {"url": "x"}}]
    body = {"model": "ernie-4.5-turbo-vl-32k", "messages": [{"role": "user", "content": parts}]}
    assert "多模态" in _post(server, body).json()["choices"][0]["message"]["content"]


def test_each_key_has_its_own_rate_limit_figures(server: ServerThread) -> None:
    body = {"model": "ernie-lite-8k", "messages": QUESTION}
    minute = int(time.time() // 60)
    first = [_post(server, body, key=KEY + "a") for _ in range(3)]
    other = _post(server, body, key=KEY + "b")
    if int(time.time() // 60) != minute:
        pytest.skip("the minute turned while counting")
    left = [int(r.headers["X-Ratelimit-Remaining-Requests"]) for r in first]
    assert left == [REQUESTS_PER_MINUTE - 1, REQUESTS_PER_MINUTE - 2, REQUESTS_PER_MINUTE - 3]
    assert int(other.headers["X-Ratelimit-Remaining-Requests"]) == REQUESTS_PER_MINUTE - 1
    assert other.headers["X-Ratelimit-Limit-Tokens"] == "300000"


def test_a_rate_limit_fault_sends_the_headers(server: ServerThread) -> None:
    server.state.faults.add(Fault("error", path=CHAT, msg="rpm_rate_limit_exceeded", seconds=2.5))
    reply = _post(server, {"model": "ernie-lite-8k", "messages": QUESTION})
    _error(reply, 429, "rpm_rate_limit_exceeded")
    assert reply.headers["Retry-After"] == "3"
    assert reply.headers["X-Ratelimit-Remaining-Requests"] == "0"
    assert reply.headers["X-Ratelimit-Limit-Requests"] == str(REQUESTS_PER_MINUTE)


def test_the_tolerance_fault_sends_every_wire_variant(server: ServerThread) -> None:
    server.state.faults.add(Fault("unknown", path=CHAT))
    raw = _post(server, {"model": "ernie-lite-8k", "messages": QUESTION, "stream": True}).text
    assert ": keep-alive\n" in raw and "\nevent: message\nid: as-" in raw
    assert "\ndata:{" in raw and raw.endswith("data: [DONE]\n\n")


def test_the_fault_header_works_on_v2_only_with_control_on(server: ServerThread) -> None:
    header = json.dumps({"kind": "answer", "text": "INJECTED", "path": CHAT})
    body = {"model": "ernie-lite-8k", "messages": QUESTION}
    headers = {**_auth(), "X-Ernie-Fault": header}
    reply = httpx.post(f"{server.base_url}{CHAT}", json=body, headers=headers, timeout=10)
    assert reply.json()["choices"][0]["message"]["content"] == "INJECTED"
    with ServerThread(Store()) as plain:
        reply = httpx.post(f"{plain.base_url}{CHAT}", json=body, headers=headers, timeout=10)
        assert "INJECTED" not in reply.text and reply.status_code == 200


def test_a_bad_status_fault_is_refused() -> None:
    with pytest.raises(ValueError):
        Fault("raw", status=1000)


# -- the web side's thinking model -----------------------------------------------------


def _web_events(server: ServerThread, **body: Any) -> list[tuple[str, dict[str, Any]]]:
    with httpx.stream(
        "POST",
        f"{server.base_url}/eb/chat/conversation/v2",
        json={"text": "想一想", "sessionId": "", "parentChatId": "0", **body},
        cookies={"BDUSS_BFESS": f"thinking-{os.getpid()}-{time.monotonic_ns()}"},
        timeout=10,
    ) as reply:
        raw = reply.read().decode()
    out = []
    for block in raw.split("\n\n"):
        if block.strip():
            name, data = block.split("\n", 1)
            out.append((name.removeprefix("event:"), json.loads(data.removeprefix("data:"))))
    return out


@pytest.mark.parametrize(
    "body", [{"model": "X1_1"}, {"model": "EB35", "isSlowThought": True}, {"deepThoughtStatus": 1}]
)
def test_the_web_thinking_model_thinks_before_it_answers(
    server: ServerThread, body: dict[str, Any]
) -> None:
    events = _web_events(server, **body)
    names = [name for name, _ in events]
    thoughts = [data["data"] for name, data in events if name == "thought"]
    assert names[0] == "major" and names[1] == "thought" and "step" in names
    assert names.index("step") < names.index("message")
    assert thoughts[-1]["is_end"] == 1 and all(t["is_end"] == 0 for t in thoughts[:-1])
    assert "想一想" in "".join(t["content"] for t in thoughts)
    messages = [data["data"] for name, data in events if name == "message"]
    # The thinking's own is_end: 1 came first; the answer still follows, whole.
    assert len(messages) > 5 and messages[-1]["is_end"] == 1
    assert messages[-1]["tokens_all"].startswith("## 想一想")


def test_the_web_answer_of_a_plain_model_has_no_thinking(server: ServerThread) -> None:
    assert all(name not in ("thought", "step") for name, _ in _web_events(server, model="EB35"))


async def test_the_web_client_reads_a_thinking_answer_whole(server: ServerThread) -> None:
    async with ErnieClient(
        Secret("THINKBAIDUID:FG=1"),
        Secret(f"thinking-client-{os.getpid()}"),
        base_url=server.base_url,
        model="X1_1",
        timeouts=Timeouts(connect=5, request=10, idle=10),
    ) as client:
        answer = await client.ask("想一想")
    assert answer.text.startswith("## 想一想") and answer.text.endswith(
        "thread continues from this answer."
    )
