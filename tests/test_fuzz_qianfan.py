"""The Qianfan stream decoding under Hypothesis: a valid stream cut anywhere
gives the same increments, and garbage raises nothing but the client's own
errors. The decoding is driven the way the chat stream drives it: the web
client's SSE decoder, then the chat stream's chunk handler."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ernie_tui.api import ErnieError, Limits, ServiceError
from ernie_tui.api._sse import SSEDecoder
from ernie_tui.qianfan import ChatStream, Delta, Usage
from ernie_tui.qianfan._exceptions import _duration, error_for
from ernie_tui.qianfan._parse import parse_models, parse_reply

FUZZ = settings(max_examples=200, deadline=None)
KEY = "bce-v3/ALTAK-fuzz/secretsecretsecret"


class _Client:
    """What a chat stream uses of its client while decoding."""

    limits = Limits()
    host = "fuzz"

    def _refusal(
        self, status: Any, raw: Any, headers: Any, model: str = "", **kw: Any
    ) -> ServiceError:
        code, message = kw["fields"]
        return error_for(status, code, message, headers, model=model, partial=kw.get("partial", ""))


def _stream() -> ChatStream:
    return ChatStream(_Client(), {"model": "m"})  # type: ignore[arg-type]


def _decode(chunks: list[bytes]) -> tuple[ChatStream, list[Delta]]:
    """The increments of ``chunks`` as the chat stream takes them, up to
    ``[DONE]``; raises what the stream would."""
    stream = _stream()
    decoder = SSEDecoder(stream._client.limits.event_bytes)
    out: list[Delta] = []
    for chunk in [*chunks, None]:
        events = decoder.feed_bytes(chunk) if chunk is not None else decoder.flush_bytes()
        for event in events:
            delta = stream._take(event.data)
            if delta is not None:
                out.append(delta)
            if stream._done:
                stream._check_finished()
                return stream, out
    stream._check_finished()
    return stream, out


texts = st.text(min_size=1, max_size=12)
increments = st.lists(st.tuples(st.booleans(), texts), max_size=20)
forms = st.sampled_from(
    ["data: ", "data:", "event: message\ndata: ", ": c\ndata:", "id: 1\ndata: "]
)


def _valid_stream(
    items: list[tuple[bool, str]], form: list[str], crlf: bool, ascii_only: bool, last: bool
) -> tuple[bytes, list[Delta]]:
    """A stream of ``items`` (reasoning?, text), its events written in the
    ``form``s, the usage on the last chunk or on one with empty choices."""
    events = []
    expected = []
    for i, (reasoning, text) in enumerate(items):
        delta = {"reasoning_content": text} if reasoning else {"content": text}
        chunk = {"id": "as-f", "model": "m", "choices": [{"index": 0, "delta": delta}]}
        events.append((form[i % len(form)], chunk))
        expected.append(Delta(text, "") if reasoning else Delta("", text))
    usage = {"prompt_tokens": 1, "completion_tokens": len(items), "total_tokens": 1 + len(items)}
    final: dict[str, Any] = {
        "id": "as-f",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }
    if last:
        final["usage"] = usage
        events.append(("data: ", final))
    else:
        events += [("data: ", final), ("data:", {"choices": [], "usage": usage})]
    end = "\r\n" if crlf else "\n"
    lines = [
        f"{prefix}{json.dumps(obj, ensure_ascii=ascii_only)}".replace("\n", end) + end + end
        for prefix, obj in events
    ]
    return ("".join(lines) + f"data: [DONE]{end}{end}").encode(), expected


@FUZZ
@given(
    increments,
    st.lists(forms, min_size=1, max_size=4),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=30),
)
def test_a_valid_stream_cut_anywhere_gives_the_same_increments(
    items: list[tuple[bool, str]],
    form: list[str],
    crlf: bool,
    ascii_only: bool,
    last: bool,
    cuts: list[int],
) -> None:
    raw, expected = _valid_stream(items, form, crlf, ascii_only, last)
    points = sorted({c % (len(raw) + 1) for c in cuts})
    chunks = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    stream, got = _decode(chunks)
    assert got == expected
    assert stream.text == "".join(d.content for d in expected)
    assert stream.reasoning == "".join(d.reasoning for d in expected)
    assert stream.usage == Usage(1, len(items), 1 + len(items))
    assert stream.finish_reason == "stop" and stream.id == "as-f"


line_parts = st.sampled_from(
    [
        "data: ",
        "data:",
        "event: x\n",
        ": c\n",
        "\n",
        "\r\n",
        "\r",
        "[DONE]",
        '{"choices":[{"delta":{"content":"a"}}]}',
        '{"choices":[{"delta":{"reasoning_content":"r"},"finish_reason":"stop"}]}',
        '{"choices":[],"usage":{"prompt_tokens":"x"}}',
        '{"error":{"code":"tokens_too_long","message":"m"}}',
        '{"error_code":336003,"error_msg":"bad"}',
        '{"choices":[{"delta":[1]}],"search_results":[{"index":"1","url":"u"},{}]}',
        '{"choices":"no","flag":"x"}',
        "{",
        "}",
        "null",
        "[]",
        "\u00e9",
        "\ud7ff",
    ]
)


@FUZZ
@given(st.lists(line_parts, max_size=40), st.integers(min_value=1, max_value=16))
def test_stream_like_garbage_raises_only_the_clients_errors(parts: list[str], size: int) -> None:
    raw = "".join(parts).encode()
    chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
    try:
        stream, got = _decode(chunks)
    except ErnieError:
        return
    assert all(d.content or d.reasoning for d in got)
    assert isinstance(stream.text, str) and stream.finish_reason


@FUZZ
@given(st.lists(st.binary(max_size=64), max_size=12))
def test_arbitrary_bytes_raise_only_the_clients_errors(chunks: list[bytes]) -> None:
    with contextlib.suppress(ErnieError):
        _decode(chunks)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "choices",
                    "delta",
                    "message",
                    "content",
                    "reasoning_content",
                    "usage",
                    "finish_reason",
                    "flag",
                    "search_results",
                    "index",
                    "url",
                    "error",
                    "code",
                    "data",
                    "prompt_tokens",
                    "total_tokens",
                    "context_length",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@FUZZ
@given(st.lists(json_values, max_size=8))
def test_arbitrary_json_chunks_raise_only_the_clients_errors(chunks: list[Any]) -> None:
    stream = _stream()
    for obj in chunks:
        try:
            delta = stream._take(json.dumps(obj))
        except ErnieError as exc:
            assert isinstance(exc, ServiceError)
            return
        assert delta is None or isinstance(delta, Delta)


@FUZZ
@given(json_values)
def test_arbitrary_json_into_the_reply_and_model_parsers(obj: Any) -> None:
    with contextlib.suppress(ErnieError):
        parse_reply(obj)
    models = parse_models(obj)
    assert models is None or all(m.id and m.context_tokens > 0 for m in models)


@FUZZ
@given(
    st.none() | st.integers(min_value=100, max_value=599),
    st.text(max_size=80),
    st.text(max_size=300),
    st.dictionaries(
        st.sampled_from(
            [
                "retry-after",
                "x-ratelimit-limit-requests",
                "x-ratelimit-reset-tokens",
                "x-ratelimit-remaining-tokens",
            ]
        ),
        st.text(max_size=40),
    ),
)
def test_any_refusal_maps_to_a_service_error_without_the_key(
    status: int | None, code: str, message: str, headers: dict[str, str]
) -> None:
    error = error_for(status, code + KEY, message + KEY, headers, hide=KEY)
    assert isinstance(error, ServiceError) and KEY not in error.message and KEY not in error.msg


@FUZZ
@given(st.text(max_size=70))
def test_any_retry_after_is_a_number_or_nothing(value: str) -> None:
    seconds = _duration(value)
    assert seconds is None or seconds >= 0
