"""The /eb protocol's answer stream: a question in, the demo bot's answer out
as server-sent events, with the faults queued for it applied."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..bot import answer_for, long_answer, split_increments, thinking_for
from ..context import Context
from ..faults import ASK_PATH, Fault
from ..http import envelope, to_int
from ..state import ServerState

__all__ = ["routes"]

log = logging.getLogger("ernie_tui.server")

THINKING_MODEL = "X1_1"
"""The ask body's model code of the web's thinking model (ERNIE X1)."""


def _sse(event: str, obj: Any) -> bytes:
    return f"event:{event}\ndata:{json.dumps(obj, ensure_ascii=False)}\n\n".encode()


async def ask(ctx: Context, request: Request) -> Response:
    store = ctx.store
    faults = ctx.faults_for(request)
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    for fault in faults:
        if fault.kind == "http500":
            return PlainTextResponse("Internal Server Error", status_code=500)
        if fault.kind == "error" and fault.after is None:
            return envelope(None, fault.code, fault.msg)
        if fault.kind == "malformed" and fault.after is None:
            return PlainTextResponse("<html><body>502 Bad Gateway</body></html>")
        if fault.kind == "raw":
            return Response(fault.text, media_type=fault.content_type)
        if fault.kind == "stall" and fault.after is None:
            await asyncio.sleep(fault.seconds)
    question = body.get("text")
    if not isinstance(question, str) or not question.strip():
        return envelope(None, 1, "问题不能为空")
    # Validate everything before creating anything: a bad request must not
    # leave an empty conversation behind.
    parent_raw = str(body.get("parentChatId", "0") or "0")
    parent = to_int(parent_raw)
    if parent is None or parent < 0:
        return envelope(None, 1, "参数错误")
    raw_session = body.get("sessionId")
    new_session = raw_session in (None, "", 0, "0")
    session_id = -1
    if not new_session:
        session_id = to_int(raw_session) or -1
        if store.session(account, session_id) is None:
            return envelope(None, 2, "会话不存在")
    previous = ""
    turn = 1
    if parent != 0:
        parent_chat = store.chat(account, parent)
        if (
            new_session
            or parent_chat is None
            or parent_chat.session_id != session_id
            or parent_chat.role != "robot"
        ):
            return envelope(None, 2, "对话不存在")
        asked = store.chat(account, parent_chat.parent)
        previous = asked.content if asked else ""
        turn = 1 + store.count_questions(account, session_id)
    if new_session:
        name = body.get("sessionName")
        name = name if isinstance(name, str) and name.strip() else question[:20]
        session_id = store.new_session(account, name)
    try:
        user_chat, bot_chat = store.add_turn(account, session_id, question, parent)
    except LookupError:  # deleted since it was looked up
        return envelope(None, 2, "会话不存在")
    state = ctx.state
    state.asks += 1
    state.parents.append(parent_raw)

    rate = state.rate
    text: str | None = None
    pieces: list[str] | None = None
    for fault in faults:
        if fault.kind == "answer":
            text = fault.text
        elif fault.kind == "long":
            pieces = long_answer(fault.increments)
        elif fault.kind == "rate":
            rate = fault.rate
    if pieces is None:
        if text is None:
            text = answer_for(question, turn=turn, previous=previous, image_base=state.image_base)
        pieces = split_increments(text)
    final = "".join(pieces)
    # A thinking model (ERNIE X1) streams its reasoning as ``thought`` events first.
    thinking = body.get("model") == THINKING_MODEL or any(
        body.get(name) for name in ("isSlowThought", "deepThoughtStatus")
    )
    thoughts = split_increments(thinking_for(question)) if thinking else []
    stream_faults = [f for f in faults if f.after is not None or f.kind == "unknown"]
    return StreamingResponse(
        _stream(
            state,
            account,
            session_id,
            user_chat,
            bot_chat,
            parent,
            pieces,
            final,
            rate,
            stream_faults,
            thoughts,
        ),
        media_type="text/event-stream;charset=UTF-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    state: ServerState,
    account: int,
    session_id: int,
    user_chat: int,
    bot_chat: int,
    parent: int,
    pieces: list[str],
    final: str,
    rate: float,
    faults: list[Fault],
    thoughts: list[str],
) -> AsyncIterator[bytes]:
    """The answer's events, paced at ``rate`` increments a second: the
    ``thoughts`` first when there are any (``thought`` events, their own
    ``is_end: 1``, a ``step``), then the answer. Whatever answer was sent is
    stored, however the stream ends."""
    store = state.store
    sent: list[str] = []
    finished = False
    try:
        yield _sse(
            "major",
            {
                "code": 0,
                "msg": "",
                "data": {
                    "createSessionResponseVoCommonResult": {
                        "code": 0,
                        "msg": "",
                        "data": {"sessionId": str(session_id)},
                    },
                    "createChatResponseVoCommonResult": {
                        "code": 0,
                        "msg": "",
                        "data": {
                            "botChat": {"id": str(bot_chat), "parent": str(user_chat)},
                            "userChat": {"id": str(user_chat), "parent": str(parent)},
                        },
                    },
                },
            },
        )
        unknown = any(f.kind == "unknown" for f in faults)
        if thoughts:
            async for event in _thinking(thoughts, rate):
                yield event
        started = time.perf_counter()
        for index, piece in enumerate(pieces):
            for fault in faults:
                if fault.after != index:
                    continue
                if fault.kind == "cut":
                    return
                if fault.kind == "error":
                    yield _sse("message", {"code": fault.code, "msg": fault.msg, "data": None})
                    return
                if fault.kind == "stall":
                    await asyncio.sleep(fault.seconds)
                if fault.kind == "gate":
                    await asyncio.to_thread(fault.gate.wait, fault.seconds or 10.0)
                if fault.kind == "malformed":
                    yield b'event:message\ndata:{"code":0,"data":{"is_end":0,"content":\n\n'
            if unknown and index % 5 == 0:
                yield _sse("thought", {"code": 0, "data": {"is_end": 1, "text": "thinking"}})
                yield b'data:{"task_id": 1234}\n\n'
            if rate > 0:
                delay = started + index / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent.append(piece)
            yield _sse(
                "message",
                {
                    "code": 0,
                    "msg": "",
                    "data": {
                        "is_end": 0,
                        "content": piece,
                        "sent_id": index + 1,
                        "content_type": "text",
                    },
                },
            )
        for fault in faults:
            if fault.after is not None and fault.after >= len(pieces) and fault.kind == "cut":
                return
        finished = True
        yield _sse(
            "message",
            {
                "code": 0,
                "msg": "",
                "data": {
                    "is_end": 1,
                    "content": "",
                    "tokens_all": final,
                    "sent_id": len(pieces) + 1,
                },
            },
        )
    finally:
        state.last_stream_end = time.perf_counter()
        try:
            store.set_answer(account, bot_chat, final if finished else "".join(sent))
        except sqlite3.Error as exc:
            log.error("storage failed: the answer was not saved: %s", exc)


async def _thinking(thoughts: list[str], rate: float) -> AsyncIterator[bytes]:
    """A thinking model's reasoning: ``thought`` increments, a ``thought`` with
    ``is_end: 1`` (the end of the thinking, not of the answer) and a ``step``."""
    started = time.perf_counter()
    for index, thought in enumerate(thoughts):
        if rate > 0:
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        data = {"is_end": 0, "content": thought, "sent_id": index + 1}
        yield _sse("thought", {"code": 0, "msg": "", "data": data})
    end = {"is_end": 1, "content": "", "sent_id": len(thoughts) + 1}
    yield _sse("thought", {"code": 0, "msg": "", "data": end})
    step = {"is_end": 1, "step": "thinking", "status": "done"}
    yield _sse("step", {"code": 0, "msg": "", "data": step})


def routes(ctx: Context) -> list[Route]:
    # The endpoint leaves the faults of this path to ``ask``, which applies
    # them before and inside the stream.
    return [Route(ASK_PATH, ctx.endpoint(ask), methods=["POST"])]
