"""Arbitrary bytes and JSON shapes into the stream decoder and the reply
parsers: only the client's own errors (or clean results) come out."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ernie_tui.api import Answer, AnswerPiece, ErnieError, ReplyTooLargeError, Session
from ernie_tui.api._parse import (
    parse_detail,
    parse_envelope,
    parse_json,
    parse_sessions,
    parse_shares,
)
from ernie_tui.api._sse import ServerSentEvent, SSEDecoder
from ernie_tui.api._stream import AnswerStream

FUZZ = settings(max_examples=200, deadline=None)
BASE = Session(session_id="1", name="n")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
# Shapes near the real ones, so the parsers' inner branches are reached.
field_names = st.sampled_from(
    [
        "code",
        "msg",
        "data",
        "sessions",
        "chats",
        "currentChatId",
        "sessionId",
        "sessionName",
        "id",
        "role",
        "message",
        "content",
        "createTime",
        "chatIds",
        "shareKey",
        "is_end",
        "tokens_all",
        "state",
        "pluginIds",
        "list",
        "userId",
    ]
)
near_shapes = st.recursive(
    st.none() | st.integers() | st.text(max_size=8) | st.sampled_from(["user", "robot", "0"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(field_names, inner, max_size=5),
    max_leaves=25,
)
any_json = json_values | near_shapes


class _Client:
    host = "fuzz"


def _stream() -> AnswerStream:
    return AnswerStream(_Client(), "q", "", "0", "q")  # type: ignore[arg-type]


def _drive(stream: AnswerStream, events: list[ServerSentEvent]) -> None:
    for event in events:
        try:
            piece = stream._handle(event)
        except ErnieError:
            return
        assert piece is None or isinstance(piece, AnswerPiece)
        assert isinstance(stream.text, str)


@FUZZ
@given(st.lists(st.binary(max_size=64), max_size=12))
def test_arbitrary_bytes_into_the_decoder(chunks: list[bytes]) -> None:
    decoder = SSEDecoder()
    stream = _stream()
    events = [e for c in chunks for e in decoder.feed_bytes(c)] + decoder.flush_bytes()
    assert all(isinstance(e.event, str) and isinstance(e.data, str) for e in events)
    _drive(stream, events)


line_parts = st.sampled_from(
    [
        "event:",
        "event: ",
        "data:",
        "data: ",
        ":",
        "id:",
        "",
        "message",
        "major",
        "thought",
        '{"task_id": 1}',
        '{"code":0,"data":{"is_end":0,"content":"<im"}}',
        '{"code":0,"data":{"is_end":1,"tokens_all":"x<br>y"}}',
        '{"code":4,"msg":"请先登录"}',
        "\r",
        "\n",
        "\r\n",
        "<img src=x>",
        "{",
        "}",
    ]
)


@FUZZ
@given(st.lists(line_parts, max_size=30), st.integers(min_value=1, max_value=16))
def test_stream_like_bytes_chunked_anywhere_decode_the_same(parts: list[str], size: int) -> None:
    raw = "".join(parts).encode()
    whole = SSEDecoder()
    expected = whole.feed_bytes(raw) + whole.flush_bytes()
    chunked = SSEDecoder()
    got = [e for i in range(0, len(raw), size) for e in chunked.feed_bytes(raw[i : i + size])]
    assert got + chunked.flush_bytes() == expected
    _drive(_stream(), expected)


def _decode_capped(chunks: list[bytes], limit: int) -> list[ServerSentEvent] | None:
    """The events, or ``None`` when the decoder stopped at its limit."""
    decoder = SSEDecoder(max_event=limit)
    try:
        return [e for c in chunks for e in decoder.feed_bytes(c)] + decoder.flush_bytes()
    except ReplyTooLargeError:
        return None


@FUZZ
@given(
    st.lists(line_parts | st.sampled_from(["xxxxxxxx", "data: yyyyyyyyyy"]), max_size=40),
    st.integers(min_value=1, max_value=16),
    st.integers(min_value=4, max_value=48),
)
def test_the_limit_holds_however_the_stream_is_cut(parts: list[str], size: int, limit: int) -> None:
    raw = "".join(parts).encode()
    whole = _decode_capped([raw], limit)
    chunked = _decode_capped([raw[i : i + size] for i in range(0, len(raw), size)], limit)
    assert chunked == whole
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if max(map(len, lines)) > limit:
        assert whole is None


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["message", "major", "x"]), any_json), max_size=8))
def test_arbitrary_json_events_into_the_answer_path(items: list[tuple[str, Any]]) -> None:
    stream = _stream()
    _drive(stream, [ServerSentEvent(name, json.dumps(obj)) for name, obj in items])
    if stream.answer is not None:
        assert isinstance(stream.answer, Answer) and "<img" not in stream.answer.text


@FUZZ
@given(any_json)
def test_arbitrary_json_into_the_parsers(obj: Any) -> None:
    for parse in (
        parse_envelope,
        lambda o: parse_sessions(o, pinned=False),
        lambda o: parse_detail(o, BASE),
        parse_shares,
    ):
        with contextlib.suppress(ErnieError):
            parse(obj)


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_bodies_into_parse_json(body: bytes | str) -> None:
    with contextlib.suppress(ErnieError):
        parse_envelope(parse_json(body))
