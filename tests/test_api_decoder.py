"""The stream decoder, one test per wire variant, through real HTTP: the
embedded server's ``raw`` fault sends the exact bytes given."""

from __future__ import annotations

import json

import pytest

from ernie_tui.api import (
    AccessRestrictedError,
    Answer,
    ErnieClient,
    IncompleteAnswerError,
    NotSignedInError,
    ProtocolError,
    ReplyTooLargeError,
)
from ernie_tui.api._sse import ServerSentEvent, SSEDecoder
from ernie_tui.server import Fault, ServerThread

MAJOR = {
    "code": 0,
    "msg": "",
    "data": {
        "createSessionResponseVoCommonResult": {"data": {"sessionId": "3110956036"}},
        "createChatResponseVoCommonResult": {
            "data": {"botChat": {"id": 168463681, "parent": 168463680}, "userChat": {"id": 1}}
        },
    },
}


def msg(content: str, *, end: int = 0, **extra: object) -> str:
    data: dict[str, object] = {"is_end": end, "content": content, **extra}
    return json.dumps({"code": 0, "msg": "", "data": data}, ensure_ascii=False)


def stream(*events: tuple[str, str], sep: str = ":", eol: str = "\n") -> str:
    out = [f"event{sep}{name}{eol}data{sep}{data}{eol}{eol}" for name, data in events]
    return "".join(out)


STANDARD = [
    ("major", json.dumps(MAJOR)),
    ("message", msg("你好")),
    ("message", msg("，世界")),
    ("message", msg("", end=1, tokens_all="你好，世界")),
]


async def answer_of(
    client: ErnieClient, server: ServerThread, body: str, content_type: str | None = None
) -> tuple[list[str], Answer | None]:
    fault = Fault("raw", text=body)
    if content_type is not None:
        fault = Fault("raw", text=body, content_type=content_type)
    server.state.faults.add(fault)
    async with client.ask_stream("q") as answer:
        pieces = [p.text async for p in answer]
    return pieces, answer.answer


async def test_no_space_after_the_colon(client: ErnieClient, server: ServerThread) -> None:
    pieces, answer = await answer_of(client, server, stream(*STANDARD, sep=":"))
    assert pieces == ["你好", "，世界"]
    assert answer == Answer("你好，世界", (), "168463681", "3110956036", "1")


async def test_a_space_after_the_colon(client: ErnieClient, server: ServerThread) -> None:
    pieces, answer = await answer_of(client, server, stream(*STANDARD, sep=": "))
    assert pieces == ["你好", "，世界"]
    assert answer is not None and answer.bot_chat_id == "168463681"


async def test_crlf_line_ends(client: ErnieClient, server: ServerThread) -> None:
    pieces, answer = await answer_of(client, server, stream(*STANDARD, eol="\r\n"))
    assert pieces == ["你好", "，世界"]
    assert answer is not None and answer.text == "你好，世界"


async def test_multi_line_data_joins_with_newlines(
    client: ErnieClient, server: ServerThread
) -> None:
    # A JSON value split over two data lines: joined with "\n" it is whitespace.
    first, second = msg("多行").split(",", 1)
    body = (
        stream(STANDARD[0])
        + f"event:message\ndata:{first},\ndata:{second}\n\n"
        + stream(("message", msg("", end=1, tokens_all="多行")))
    )
    pieces, answer = await answer_of(client, server, body)
    assert pieces == ["多行"]
    assert answer is not None and answer.text == "多行"


async def test_comments_and_unknown_fields_are_skipped(
    client: ErnieClient, server: ServerThread
) -> None:
    body = ": keep-alive\n\n" + stream(*STANDARD).replace(
        "event:message\n", ": a comment\nid: 7\nretry: 100\nevent:message\n", 1
    )
    pieces, _ = await answer_of(client, server, body)
    assert pieces == ["你好", "，世界"]


async def test_task_id_lines_bare_and_as_data_are_skipped(
    client: ErnieClient, server: ServerThread
) -> None:
    body = (
        stream(STANDARD[0])
        + '{"task_id": 99}\n\n'
        + 'data:{"task_id": 100}\n\n'
        + stream(*STANDARD[1:])
    )
    pieces, answer = await answer_of(client, server, body)
    assert pieces == ["你好", "，世界"]
    assert answer is not None


async def test_unknown_events_are_ignored_even_with_is_end(
    client: ErnieClient, server: ServerThread
) -> None:
    body = stream(
        STANDARD[0],
        ("state", json.dumps({"code": 0, "data": {"is_end": 1, "state": "thinking"}})),
        ("thought", json.dumps({"code": 0, "data": {"is_end": 1, "content": "hmm"}})),
        *STANDARD[1:],
    )
    pieces, answer = await answer_of(client, server, body)
    assert pieces == ["你好", "，世界"]
    assert answer is not None and answer.text == "你好，世界"


async def test_tokens_all_is_authoritative(client: ErnieClient, server: ServerThread) -> None:
    body = stream(
        STANDARD[0],
        ("message", msg("draft ")),
        ("message", msg("text")),
        ("message", msg("", end=1, tokens_all="The corrected final text.")),
    )
    pieces, answer = await answer_of(client, server, body)
    assert pieces == ["draft ", "text"]
    assert answer is not None and answer.text == "The corrected final text."


async def test_without_tokens_all_the_increments_make_the_answer(
    client: ErnieClient, server: ServerThread
) -> None:
    body = stream(STANDARD[0], ("message", msg("a")), ("message", msg("b", end=1)))
    _, answer = await answer_of(client, server, body)
    assert answer is not None and answer.text == "ab"


async def test_img_and_br_in_the_final_text(client: ErnieClient, server: ServerThread) -> None:
    final = (
        '我画好了。<img src="http://eb118-file.cdn.bcebos.com/upload/F09A?x=1&amp;y=2" /><br>再见'
    )
    body = stream(
        STANDARD[0], ("message", msg(final)), ("message", msg("", end=1, tokens_all=final))
    )
    pieces, answer = await answer_of(client, server, body)
    assert pieces == ["我画好了。\n再见"]
    assert answer is not None
    assert answer.text == "我画好了。\n再见"
    assert answer.urls == ("http://eb118-file.cdn.bcebos.com/upload/F09A?x=1&y=2",)


@pytest.mark.parametrize(
    "content_type", ["application/json;charset=UTF-8", "text/event-stream;charset=UTF-8"]
)
@pytest.mark.parametrize(
    ("msg_text", "kind"),
    [("请先登录", NotSignedInError), ("用户访问被限制", AccessRestrictedError)],
)
async def test_a_plain_json_envelope_instead_of_a_stream(
    client: ErnieClient,
    server: ServerThread,
    content_type: str,
    msg_text: str,
    kind: type,
) -> None:
    body = json.dumps({"code": 4, "msg": msg_text, "data": None}, ensure_ascii=False)
    with pytest.raises(kind) as caught:
        await answer_of(client, server, body, content_type)
    assert caught.value.partial == ""


async def test_a_json_success_instead_of_a_stream_is_not_understood(
    client: ErnieClient, server: ServerThread
) -> None:
    body = json.dumps({"code": 0, "msg": "", "data": {}})
    with pytest.raises(ProtocolError):
        await answer_of(client, server, body, "application/json")


async def test_a_stream_with_no_final_message_is_incomplete(
    client: ErnieClient, server: ServerThread
) -> None:
    # The last event also lacks its blank line: it still counts.
    body = stream(*STANDARD[:3]).rstrip("\n")
    with pytest.raises(IncompleteAnswerError) as caught:
        await answer_of(client, server, body)
    assert caught.value.partial == "你好，世界"


# -- the decoder itself, fed in arbitrary chunks --------------------------------


def _decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed_bytes(chunk)]
    return events + decoder.flush_bytes()


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_chunk_boundaries_anywhere_give_the_same_events(eol: str) -> None:
    raw = stream(*STANDARD, eol=eol).encode()
    whole = _decode([raw])
    assert [e.event for e in whole] == ["major", "message", "message", "message"]
    for cut in range(1, len(raw)):
        assert _decode([raw[:cut], raw[cut:]]) == whole, cut
    assert _decode([raw[i : i + 1] for i in range(len(raw))]) == whole


def test_invalid_utf8_is_replaced_not_raised() -> None:
    [event] = _decode([b"data:\xff\xfe ok\n\n"])
    assert event.data == "\ufffd\ufffd ok"


# -- the decoder's work is linear, and its lines and events are capped -----------


def test_an_unfinished_line_is_kept_without_copying_then_joined_once() -> None:
    # 10,000 small chunks with no line end: a decoder that rebuilt its buffer
    # per chunk would copy ~5 GB here (quadratic); this one copies nothing
    # until the line end comes, then joins the line once.
    decoder = SSEDecoder()
    chunks = [b"data: "] + [bytes([65 + i % 26]) * 100 for i in range(10_000)]
    for chunk in chunks:
        assert decoder.feed_bytes(chunk) == []
    assert decoder.buffered == 6 + 1_000_000
    # Held as they came: the very same objects, none copied or merged.
    assert len(decoder._pending) == len(chunks)
    assert all(held is fed for held, fed in zip(decoder._pending, chunks, strict=True))
    [event] = decoder.feed_bytes(b"\n\n")
    assert event.data == b"".join(chunks[1:]).decode()
    assert decoder.buffered == 0 and decoder._pending == []


def test_a_line_over_the_limit_raises_as_soon_as_it_passes() -> None:
    decoder = SSEDecoder()
    assert decoder.max_event == 1024 * 1024
    fed = 0
    with pytest.raises(ReplyTooLargeError) as caught:
        for _ in range(10_000):  # 640 MB, if it never stopped
            decoder.feed_bytes(b"x" * 65536)
            fed += 1
    assert fed == 16  # 1 MB, then the chunk that passed it
    assert caught.value.limit == 1024 * 1024
    assert "larger than 1 MB" in caught.value.message


def test_a_line_at_the_limit_is_taken_in_one_chunk_or_many() -> None:
    line = b"data:" + b"z" * (1000 - 5)
    for size in (len(line) + 2, 7):
        raw = line + b"\n\n"
        decoder = SSEDecoder(max_event=1000)
        chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
        [event] = [e for c in chunks for e in decoder.feed_bytes(c)]
        assert len(event.data) == 995
        with pytest.raises(ReplyTooLargeError):
            SSEDecoder(max_event=999).feed_bytes(raw)


def test_an_event_of_many_short_lines_is_capped_too() -> None:
    decoder = SSEDecoder(max_event=1000)
    with pytest.raises(ReplyTooLargeError):
        for _ in range(1000):
            decoder.feed_bytes(b"data: " + b"y" * 50 + b"\n")
    # Short events one after the other are fine, however many.
    decoder = SSEDecoder(max_event=1000)
    for _ in range(1000):
        [event] = decoder.feed_bytes(b"data: " + b"y" * 500 + b"\n\n")
    assert event.data == "y" * 500
