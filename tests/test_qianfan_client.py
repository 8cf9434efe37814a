"""The Qianfan client against the embedded server's ``/v2``, over real HTTP:
every field of an answer, every refusal told in the user's terms, every way a
stream goes wrong, and the API key kept out of sight."""

from __future__ import annotations

import itertools
import json
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ernie_tui.api import (
    ErnieError,
    IncompleteAnswerError,
    Limits,
    NetworkError,
    NotSignedInError,
    ProtocolError,
    ReplyTooLargeError,
    ServerTimeoutError,
    ServiceError,
    Timeouts,
)
from ernie_tui.qianfan import (
    BUILTIN_MODELS,
    ChatMessage,
    Citation,
    Delta,
    InputTooLongError,
    KeyRefusedError,
    ModelsUnavailableError,
    QianfanClient,
    RateLimitedError,
    UnknownModelError,
    UnsafeContentError,
)
from ernie_tui.server import Fault, ServerThread

CHAT = "/v2/chat/completions"
MODELS = "/v2/models"
X1 = "ernie-x1-turbo-32k"
LITE = "ernie-lite-8k"
_keys = itertools.count(1)


def _key() -> str:
    return f"bce-v3/ALTAK-test{os.getpid()}x{next(_keys):05d}/{os.urandom(12).hex()}"


def _client(server: ServerThread, key: str | None = None, **kw: Any) -> QianfanClient:
    kw.setdefault("timeouts", Timeouts(connect=5, request=10, idle=10))
    return QianfanClient(key or _key(), base_url=server.base_url + "/v2", **kw)


@pytest.fixture
async def qf(server: ServerThread) -> AsyncIterator[QianfanClient]:
    async with _client(server) as client:
        yield client


def ask(question: str = "你好") -> list[ChatMessage]:
    return [ChatMessage("system", "You are helpful."), ChatMessage("user", question)]


async def _collect(client: QianfanClient, model: str = LITE, **kw: Any) -> tuple[Any, list[Delta]]:
    messages = kw.pop("messages", None) or ask()
    async with client.chat_stream(model, messages, **kw) as stream:
        deltas = [delta async for delta in stream]
    return stream, deltas


async def _fails(client: QianfanClient, model: str = LITE, **kw: Any) -> tuple[ErnieError, Any]:
    """The error a streamed answer ends with, and the stream."""
    stream = client.chat_stream(model, kw.pop("messages", None) or ask(), **kw)
    with pytest.raises(ErnieError) as caught:
        async with stream:
            async for _ in stream:
                pass
    return caught.value, stream


def _raw(server: ServerThread, text: str, *, status: int = 0, path: str = CHAT, **kw: Any) -> None:
    server.state.faults.add(Fault("raw", path=path, text=text, status=status, **kw))


def _sse(*chunks: Any, done: bool = True) -> str:
    lines = [f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks]
    return "".join(lines) + ("data: [DONE]\n\n" if done else "")


def _chunk(content: str = "", finish: str | None = None, **extra: Any) -> dict[str, Any]:
    delta = {"content": content} if content else {}
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "flag": extra.pop("flag", 0)}
    return {"id": "as-raw", "object": "chat.completion.chunk", "choices": [choice], **extra}


# -- answers ---------------------------------------------------------------------------


async def test_a_thinking_model_streams_its_reasoning_first_then_the_answer(
    qf: QianfanClient,
) -> None:
    stream, deltas = await _collect(qf, X1)
    assert deltas and all(d.reasoning or d.content for d in deltas)
    kinds = ["r" if d.reasoning else "c" for d in deltas]
    assert kinds == sorted(kinds, key=lambda k: k != "r") and kinds[0] == "r" and kinds[-1] == "c"
    assert stream.reasoning == "".join(d.reasoning for d in deltas) and "你好" in stream.reasoning
    assert stream.text == "".join(d.content for d in deltas)
    assert stream.text.startswith("## 你好") and "```python" in stream.text
    assert stream.finish_reason == "stop" and stream.flag == 0
    assert stream.model == X1 and stream.id.startswith("as-")
    assert stream.usage is not None and stream.usage.completion_tokens == len(deltas)
    assert stream.usage.total_tokens == stream.usage.prompt_tokens + len(deltas) > len(deltas)


async def test_a_plain_model_answers_without_reasoning(qf: QianfanClient) -> None:
    stream, deltas = await _collect(qf, LITE)
    assert stream.reasoning == "" and all(d.reasoning == "" for d in deltas)
    assert stream.text.startswith("## 你好") and stream.citations == ()


async def test_web_search_cites_its_sources(qf: QianfanClient) -> None:
    stream, _ = await _collect(qf, LITE, web_search=True)
    assert "^[1]^" in stream.text and "^[2]^" in stream.text
    assert [c.index for c in stream.citations] == [1, 2]
    assert all(isinstance(c, Citation) and c.url.startswith("https://") for c in stream.citations)
    whole = await qf.chat(LITE, ask(), web_search=True)
    assert whole.citations == stream.citations and whole.text == stream.text


async def test_the_whole_reply_holds_what_the_stream_did(qf: QianfanClient) -> None:
    stream, _ = await _collect(qf, X1)
    reply = await qf.chat(X1, ask())
    assert (reply.text, reply.reasoning) == (stream.text, stream.reasoning)
    assert reply.usage == stream.usage and reply.finish_reason == "stop"
    assert reply.model == X1 and reply.id.startswith("as-")
    assert stream.reply().text == stream.text


async def test_the_whole_thread_is_sent_each_time(qf: QianfanClient) -> None:
    thread = [
        ChatMessage("user", "first question"),
        ChatMessage("assistant", "first answer"),
        ChatMessage("user", "second question"),
    ]
    stream, _ = await _collect(qf, LITE, messages=thread)
    assert "第 2 轮" in stream.text and "first question" in stream.text


async def test_max_tokens_caps_the_answer(qf: QianfanClient) -> None:
    stream, deltas = await _collect(qf, LITE, max_tokens=3)
    assert len(deltas) == 3 and stream.finish_reason == "length"


async def test_a_whole_reply_in_place_of_a_stream_is_taken(
    server: ServerThread, qf: QianfanClient
) -> None:
    reply = {
        "id": "as-whole",
        "object": "chat.completion",
        "model": LITE,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "whole"}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    _raw(server, json.dumps(reply), content_type="application/json")
    stream, deltas = await _collect(qf)
    assert deltas == [Delta("", "whole")] and stream.finish_reason == "stop"
    assert stream.usage is not None and stream.usage.total_tokens == 3 and stream.id == "as-whole"


async def test_the_wire_variants_are_all_taken(server: ServerThread, qf: QianfanClient) -> None:
    # event: and id: lines, comments, data: without its space, CRLF, the final
    # chunk with empty choices carrying usage (OpenAI style), and a flag.
    text = (
        ": keep-alive\r\n\r\n"
        "event: message\r\nid: 1\r\n"
        'data:{"id":"as-v","choices":[{"delta":{"content":"A"}}]}\r\n\r\n'
        'data: {"choices":[{"delta":{"content":"B"},"finish_reason":"stop","flag":1}]}\r\n\r\n'
        'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}'
        "\r\n\r\ndata: [DONE]\r\n\r\n"
    )
    _raw(server, text)
    stream, deltas = await _collect(qf)
    assert deltas == [Delta("", "A"), Delta("", "B")] and stream.id == "as-v"
    assert stream.usage is not None and stream.usage.total_tokens == 6
    assert (stream.finish_reason, stream.flag) == ("stop", 1)


async def test_a_finish_reason_then_the_end_of_the_reply_is_a_whole_answer(
    server: ServerThread, qf: QianfanClient
) -> None:
    _raw(server, _sse(_chunk("done"), _chunk(finish="stop"), done=False))
    stream, _ = await _collect(qf)
    assert stream.text == "done" and stream.finish_reason == "stop"


@pytest.mark.parametrize("done", [True, False])
async def test_a_stream_without_finish_reason_is_incomplete(
    server: ServerThread, qf: QianfanClient, done: bool
) -> None:
    _raw(server, _sse(_chunk("half "), _chunk("an answer"), done=done))
    error, stream = await _fails(qf)
    assert isinstance(error, IncompleteAnswerError) and error.partial == "half an answer"
    assert "cut off" in error.message and stream.text == "half an answer"


# -- a stream that goes wrong ----------------------------------------------------------


async def test_a_cut_stream_keeps_what_arrived(server: ServerThread, qf: QianfanClient) -> None:
    whole, deltas = await _collect(qf, X1)
    thinking = sum(1 for d in deltas if d.reasoning)
    server.state.faults.add(Fault("cut", path=CHAT, after=thinking + 10))
    error, stream = await _fails(qf, X1)
    assert isinstance(error, IncompleteAnswerError)
    assert error.partial == stream.text and whole.text.startswith(stream.text)
    assert stream.reasoning == whole.reasoning and 0 < len(stream.text) < len(whole.text)


async def test_a_stream_cut_just_before_it_finished_is_incomplete(
    server: ServerThread, qf: QianfanClient
) -> None:
    whole, _ = await _collect(qf)
    server.state.faults.add(Fault("cut", path=CHAT, after=100_000))
    error, _ = await _fails(qf)
    assert isinstance(error, IncompleteAnswerError) and error.partial == whole.text


async def test_a_stalled_stream_ends_with_the_idle_timeout(server: ServerThread) -> None:
    server.state.faults.add(Fault("stall", path=CHAT, after=3, seconds=5))
    async with _client(server, timeouts=Timeouts(connect=5, request=10, idle=0.5)) as client:
        error, stream = await _fails(client)
    assert isinstance(error, ServerTimeoutError) and "stalled" in error.message
    assert error.partial == stream.text != ""


async def test_a_server_silent_before_its_reply_times_out(server: ServerThread) -> None:
    server.state.faults.add(Fault("stall", path=CHAT, seconds=5))
    async with _client(server, timeouts=Timeouts(connect=5, request=10, idle=0.5)) as client:
        error, _ = await _fails(client)
    assert isinstance(error, ServerTimeoutError) and "stopped answering" in error.message


async def test_a_malformed_chunk_is_skipped(server: ServerThread, qf: QianfanClient) -> None:
    whole, _ = await _collect(qf)
    server.state.faults.add(Fault("malformed", path=CHAT, after=3))
    stream, _ = await _collect(qf)
    assert stream.text == whole.text and stream.finish_reason == "stop"


async def test_an_error_inside_the_stream_keeps_what_arrived(
    server: ServerThread, qf: QianfanClient
) -> None:
    server.state.faults.add(Fault("error", path=CHAT, after=5, msg="system_unsafe"))
    error, stream = await _fails(qf)
    assert isinstance(error, UnsafeContentError) and error.partial == stream.text != ""


async def test_a_reply_that_is_no_answer_is_a_protocol_error(
    server: ServerThread, qf: QianfanClient
) -> None:
    server.state.faults.add(Fault("malformed", path=CHAT))
    error, _ = await _fails(qf)
    assert isinstance(error, ProtocolError) and "Check the server address" in error.message


async def test_an_answer_over_the_limit_stops_with_what_arrived(server: ServerThread) -> None:
    async with _client(server, limits=Limits(answer_chars=50)) as client:
        error, stream = await _fails(client)
    assert isinstance(error, ReplyTooLargeError) and error.limit == 50
    assert 40 < len(error.partial) <= 60 and error.partial == stream.text


async def test_an_event_over_the_limit_stops(server: ServerThread) -> None:
    _raw(server, _sse(_chunk("x" * 5000), _chunk(finish="stop")))
    async with _client(server, limits=Limits(event_bytes=1024)) as client:
        error, _ = await _fails(client)
    assert isinstance(error, ReplyTooLargeError) and "1 KB" in error.message


# -- refusals, each in the user's terms ------------------------------------------------

REFUSALS = [
    # (fault fields, the error class, what the message says)
    ({"msg": "invalid_iam_token"}, KeyRefusedError, "API key was refused"),
    ({}, KeyRefusedError, "wrong or expired"),
    ({"msg": "tokens_too_long"}, InputTooLongError, "context limit"),
    ({"msg": "characters_too_long"}, InputTooLongError, "character limit"),
    ({"msg": "system_unsafe"}, UnsafeContentError, "safety rules"),
    ({"msg": "user_setting_unsafe"}, UnsafeContentError, "safety settings"),
    ({"msg": "internal_error"}, ServiceError, "internal error"),
    ({"msg": "invalid_argument", "text": "temperature out of range"}, ServiceError, "range"),
    ({"msg": "invalid_appid"}, ServiceError, "app id"),
    ({"msg": "no_parameter_permission"}, ServiceError, "web search"),
]


@pytest.mark.parametrize("streamed", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize(("fields", "kind", "says"), REFUSALS)
async def test_each_refusal_is_its_own_error(
    server: ServerThread,
    qf: QianfanClient,
    fields: dict[str, Any],
    kind: type[ErnieError],
    says: str,
    streamed: bool,
) -> None:
    server.state.faults.add(Fault("error", path=CHAT, **fields))
    if streamed:
        error, _ = await _fails(qf)
    else:
        with pytest.raises(ErnieError) as caught:
            await qf.chat(LITE, ask())
        error = caught.value
    assert type(error) is kind and says in error.message
    assert isinstance(error, ServiceError) and error.status in (400, 401, 403, 500)
    if kind is KeyRefusedError:
        assert isinstance(error, NotSignedInError) and error.status == 401


async def test_a_plain_http_500_is_an_internal_error(
    server: ServerThread, qf: QianfanClient
) -> None:
    server.state.faults.add(Fault("http500", path=CHAT))
    error, _ = await _fails(qf)
    assert isinstance(error, ServiceError) and error.status == 500
    assert "internal error" in error.message and "Try again" in error.message


async def test_rate_limited_says_when_to_retry(server: ServerThread, qf: QianfanClient) -> None:
    server.state.faults.add(Fault("error", path=CHAT, msg="rpm_rate_limit_exceeded", seconds=7))
    error, _ = await _fails(qf)
    assert isinstance(error, RateLimitedError) and error.status == 429
    assert error.retry_after == 7 and "Try again in 7 s" in error.message
    assert (error.limit_requests, error.remaining_requests) == (300, 0)
    assert "300 requests a minute" in error.message and error.limit_tokens == 300_000


async def test_a_token_rate_limit_without_retry_after_says_about_a_minute(
    server: ServerThread, qf: QianfanClient
) -> None:
    server.state.faults.add(Fault("error", path=CHAT, msg="tpm_rate_limit_exceeded"))
    with pytest.raises(RateLimitedError) as caught:
        await qf.chat(LITE, ask())
    error = caught.value
    assert error.retry_after is None and error.remaining_tokens == 0
    assert "300,000 tokens a minute" in error.message and "about a minute" in error.message


async def test_a_json_error_body_in_place_of_a_stream_is_mapped(
    server: ServerThread, qf: QianfanClient
) -> None:
    body = {"error": {"code": "tokens_too_long", "message": "Prompt tokens too long"}, "id": "x"}
    _raw(server, json.dumps(body), content_type="application/json")
    error, _ = await _fails(qf)
    assert isinstance(error, InputTooLongError) and error.limit == "tokens"
    assert error.status == 400 and error.msg == "Prompt tokens too long"


async def test_an_unknown_model_is_named(qf: QianfanClient) -> None:
    error, _ = await _fails(qf, "ernie-no-such-model")
    assert isinstance(error, UnknownModelError) and error.model == "ernie-no-such-model"
    assert "'ernie-no-such-model'" in error.message and "model list" in error.message


async def test_a_thread_over_the_models_context_is_refused(qf: QianfanClient) -> None:
    # One token per CJK character: 9,000 of them pass an 8K context.
    error, _ = await _fails(qf, LITE, messages=[ChatMessage("user", "字" * 9000)])
    assert isinstance(error, InputTooLongError) and error.limit == "tokens"
    error, _ = await _fails(qf, LITE, messages=[ChatMessage("user", "hello " * 6000)])
    assert isinstance(error, InputTooLongError) and error.limit == "characters"
    stream, _ = await _collect(qf, "ernie-speed-128k", messages=[ChatMessage("user", "字" * 9000)])
    assert stream.finish_reason == "stop"


# -- the key ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sk-not-a-qianfan-key", "bce-v3/ALTAK-x", "bce-v3/ALTAK-a/b/c"])
async def test_a_key_the_service_does_not_know_is_refused(server: ServerThread, key: str) -> None:
    async with _client(server, key) as client:
        with pytest.raises(KeyRefusedError) as caught:
            await client.check_key()
        assert "API key was refused" in caught.value.message
        error, _ = await _fails(client)
        assert isinstance(error, KeyRefusedError)


@pytest.mark.parametrize("key", ["", "   ", "bce-v3/ALTAK-a/b\nX-Evil: 1", "bce v3"])
def test_a_key_no_service_could_take_is_refused_at_once(key: str) -> None:
    with pytest.raises(KeyRefusedError) as caught:
        QianfanClient(key)
    assert "API key" in caught.value.message


async def test_the_key_never_shows(server: ServerThread) -> None:
    key = _key()
    echoed = {"error": {"code": "invalid_argument", "message": f"bad header Bearer {key}"}}
    _raw(server, json.dumps(echoed), status=400, content_type="application/json")
    shown: list[str] = []
    async with _client(server, key) as client:
        shown += [repr(client), str(client)]
        error, stream = await _fails(client)
        shown += [repr(stream), str(error), repr(error), repr(error.__dict__), repr(error.args)]
        server.state.faults.add(Fault("error", path=CHAT))
        error, _ = await _fails(client)
        shown += [str(error), repr(error.__dict__)]
    assert "***" in shown[4]
    secret_part = key.rsplit("/", 1)[1]
    assert all(key not in text and secret_part[:16] not in text for text in shown)


async def test_a_key_pasted_with_its_scheme_is_taken(server: ServerThread) -> None:
    async with _client(server, f"  Bearer {_key()}\n") as client:
        await client.check_key()


async def test_an_app_id_is_sent(server: ServerThread) -> None:
    async with _client(server, appid="app-demo") as client:
        await _collect(client)
    async with _client(server, appid="not-an-app") as client:
        error, _ = await _fails(client)
    assert "app id" in error.message and not isinstance(error, KeyRefusedError)


# -- the model list and the key check --------------------------------------------------


async def test_the_model_list(qf: QianfanClient) -> None:
    models = {m.id: m for m in await qf.list_models()}
    assert set(models) == {m.id for m in BUILTIN_MODELS}
    assert models[X1].reasoning and models[X1].context_tokens == 32 * 1024
    assert not models[LITE].reasoning and models[LITE].context_tokens == 8 * 1024


@pytest.mark.parametrize(
    ("text", "status", "content_type"),
    [
        ("<html>no models here</html>", 0, "text/html"),
        ('{"detail": "Not Found"}', 404, "application/json"),
        ("", 405, "text/plain"),
        ('{"object": "list", "data": []}', 0, "application/json"),
    ],
)
async def test_a_server_without_a_model_list_says_so_and_the_key_check_falls_back(
    server: ServerThread, qf: QianfanClient, text: str, status: int, content_type: str
) -> None:
    _raw(server, text, status=status, path=MODELS, content_type=content_type)
    with pytest.raises(ModelsUnavailableError):
        await qf.list_models()
    _raw(server, text, status=status, path=MODELS, content_type=content_type)
    await qf.check_key()  # a one-token answer instead
    assert len(server.state.faults) == 0


async def test_the_key_check_fails_on_a_refused_key_even_without_a_model_list(
    server: ServerThread,
) -> None:
    async with _client(server) as client:
        _raw(server, "", status=404, path=MODELS, content_type="text/plain")
        server.state.faults.add(Fault("error", path=CHAT))
        with pytest.raises(KeyRefusedError):
            await client.check_key()


async def test_a_model_list_that_fails_is_not_taken_for_no_list(
    server: ServerThread, qf: QianfanClient
) -> None:
    server.state.faults.add(Fault("error", path=MODELS, msg="internal_error"))
    with pytest.raises(ServiceError) as caught:
        await qf.check_key()
    assert not isinstance(caught.value, ModelsUnavailableError) and caught.value.status == 500


# -- addresses -------------------------------------------------------------------------


async def test_a_wrong_address_says_where_nothing_answered(server: ServerThread) -> None:
    async with QianfanClient(_key(), base_url=server.base_url + "/nowhere") as client:
        with pytest.raises(ModelsUnavailableError):
            await client.list_models()
        error, _ = await _fails(client)
    assert isinstance(error, ServiceError) and error.status == 404
    assert "/nowhere" in error.message and "version path" in error.message


async def test_a_server_that_is_not_there(server: ServerThread) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with QianfanClient(_key(), base_url=f"http://127.0.0.1:{port}/v2") as client:
        error, _ = await _fails(client)
    assert type(error) is NetworkError and f"127.0.0.1:{port}" in error.message


@pytest.mark.parametrize("address", ["", "qianfan.baidubce.com/v2", "ftp://host/v2", "https://"])
def test_an_address_that_is_no_url_is_refused_at_once(address: str) -> None:
    with pytest.raises(NetworkError) as caught:
        QianfanClient(_key(), base_url=address)
    assert "not a valid URL" in caught.value.message


def test_an_address_with_a_password_is_refused_and_never_shown() -> None:
    with pytest.raises(NetworkError) as caught:
        QianfanClient(_key(), base_url="https://me:hunter2@qianfan.example/v2")
    assert "hunter2" not in caught.value.message and "***" in caught.value.message


def test_the_packages_all_is_exactly_its_public_names() -> None:
    import ernie_tui.qianfan as qianfan

    public = {n for n in dir(qianfan) if not n.startswith("_")}
    public = {n for n in public if not isinstance(getattr(qianfan, n), type(qianfan))}
    assert set(qianfan.__all__) == public and len(qianfan.__all__) == len(set(qianfan.__all__))
    for name in ("KeyRefusedError", "RateLimitedError", "ModelsUnavailableError"):
        assert issubclass(getattr(qianfan, name), ServiceError)
    assert issubclass(qianfan.KeyRefusedError, NotSignedInError)


def test_the_client_loads_no_textual_no_keyring_and_no_server() -> None:
    import subprocess
    import sys

    code = "import sys, ernie_tui.qianfan; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert "httpx" in loaded
    roots = {m.split(".")[0] for m in loaded}
    assert not roots & {"textual", "keyring", "starlette", "uvicorn"}
    assert not [m for m in loaded if m.startswith("ernie_tui.server")]
