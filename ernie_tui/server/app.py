"""The embedded ERNIE Bot server: every endpoint of the protocol, on Starlette."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from .bot import answer_for, long_answer, split_increments
from .faults import ASK_PATH, Fault, FaultQueue
from .storage import Store

__all__ = ["CONTROL_PREFIX", "ServerState", "create_app"]

log = logging.getLogger("ernie_tui.server")

CONTROL_PREFIX = "/__ernie_tui__"
NOT_SIGNED_IN = (4, "请先登录")


@dataclass
class ServerState:
    """What the server's handlers share: storage, pace and queued faults."""

    store: Store
    rate: float = 30.0
    faults: FaultQueue = field(default_factory=FaultQueue)
    image_base: str = ""
    asks: int = 0
    parents: list[str] = field(default_factory=list)
    #: ``time.perf_counter()`` when the last answer stream ended (benchmarks).
    last_stream_end: float = 0.0


def _envelope(data: Any = None, code: int = 0, msg: str = "") -> JSONResponse:
    return JSONResponse(
        {"code": code, "msg": msg, "data": data},
        media_type="application/json;charset=UTF-8",
    )


def _sse(event: str, obj: Any) -> bytes:
    return f"event:{event}\ndata:{json.dumps(obj, ensure_ascii=False)}\n\n".encode()


def _to_int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class _Reject(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def create_app(state: ServerState) -> Starlette:
    store = state.store

    def faults_for(request: Request) -> list[Fault]:
        faults = state.faults.take(request.url.path)
        header = request.headers.get("x-ernie-fault")
        if header:
            try:
                raw = json.loads(header)
                for item in raw if isinstance(raw, list) else [raw]:
                    faults.append(Fault.from_json(item))
            except (ValueError, TypeError) as exc:
                log.warning("ignored a bad X-Ernie-Fault header: %s", exc)
        return faults

    async def body_of(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw:
            return {}
        try:
            obj = json.loads(raw)
        except ValueError:
            raise _Reject(_envelope(None, 1, "参数错误")) from None
        if not isinstance(obj, dict):
            raise _Reject(_envelope(None, 1, "参数错误"))
        return obj

    def account_of(request: Request) -> int:
        token = request.cookies.get("BDUSS_BFESS", "")
        if not token:
            raise _Reject(_envelope(None, *NOT_SIGNED_IN))
        return store.account(token)

    async def plain_faults(faults: list[Fault]) -> Response | None:
        for fault in faults:
            if fault.kind == "stall":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "http500":
                return PlainTextResponse("Internal Server Error", status_code=500)
            elif fault.kind == "error":
                return _envelope(None, fault.code, fault.msg)
            elif fault.kind == "malformed":
                return PlainTextResponse("<html><body>502 Bad Gateway</body></html>")
        return None

    def endpoint(handler: Any) -> Any:
        async def wrapped(request: Request) -> Response:
            try:
                if not request.url.path.startswith(ASK_PATH):
                    injected = await plain_faults(faults_for(request))
                    if injected is not None:
                        return injected
                result: Response = await handler(request)
                return result
            except _Reject as reject:
                return reject.response

        return wrapped

    def session_json(s: Any) -> dict[str, Any]:
        return {
            "sessionId": str(s.session_id),
            "sessionName": s.name,
            "createTime": s.create_time,
            "state": s.state,
            "pluginIds": s.plugin_ids,
            "model": "EB35",
        }

    @endpoint
    async def top_list(request: Request) -> Response:
        account = account_of(request)
        await body_of(request)
        sessions = store.list_sessions(account, pinned=True)
        return _envelope({"sessions": [session_json(s) for s in sessions]})

    @endpoint
    async def session_list(request: Request) -> Response:
        account = account_of(request)
        body = await body_of(request)
        size = _to_int(body.get("pageSize")) or 1000
        sessions = store.list_sessions(account, pinned=False, limit=size)
        return _envelope({"sessions": [session_json(s) for s in sessions] or None})

    @endpoint
    async def session_new(request: Request) -> Response:
        account = account_of(request)
        body = await body_of(request)
        name = body.get("sessionName")
        if not isinstance(name, str) or not name.strip():
            return _envelope(None, 1, "会话名称不能为空")
        existing = _to_int(body.get("sessionId"))
        if body.get("sessionId") not in (None, ""):
            if existing is None or not store.rename(account, existing, name):
                return _envelope(None, 2, "会话不存在")
            return _envelope(None)
        session_id = store.new_session(account, name)
        return _envelope({"sessionId": str(session_id)})

    @endpoint
    async def session_delete(request: Request) -> Response:
        account = account_of(request)
        body = await body_of(request)
        raw_ids = body.get("sessionIds")
        if raw_ids is None:
            raw_ids = [body.get("sessionId")]
        if not isinstance(raw_ids, list):
            return _envelope(None, 1, "参数错误")
        ids = [i for i in (_to_int(r) for r in raw_ids) if i is not None]
        if not ids:
            return _envelope(None, 1, "参数错误")
        store.delete_sessions(account, ids)
        return _envelope(None)

    def pin_handler(pinned: bool) -> Any:
        @endpoint
        async def handler(request: Request) -> Response:
            account = account_of(request)
            body = await body_of(request)
            session_id = _to_int(body.get("sessionId"))
            if session_id is None or not store.pin(account, session_id, pinned):
                return _envelope(None, 2, "会话不存在")
            return _envelope(None)

        return handler

    @endpoint
    async def history(request: Request) -> Response:
        account = account_of(request)
        body = await body_of(request)
        session_id = _to_int(body.get("sessionId"))
        if session_id is None or store.session(account, session_id) is None:
            return _envelope(None, 2, "会话不存在")
        size = _to_int(body.get("pageSize")) or 2000
        chats = {
            str(c.chat_id): {
                "id": c.chat_id,
                "role": c.role,
                "parent": c.parent,
                "createTime": c.create_time,
                "message": [{"content": c.content, "contentType": "text"}],
            }
            for c in store.chats(session_id, size)
        }
        return _envelope({"chats": chats, "currentChatId": store.current_chat(session_id)})

    @endpoint
    async def share_list(request: Request) -> Response:
        account = account_of(request)
        user_id = store.user_id(account)
        return _envelope(
            [
                {
                    "id": s.share_id,
                    "sessionId": str(s.session_id),
                    "chatIds": s.chat_ids,
                    "shareKey": s.key,
                    "createTime": s.create_time,
                    "updateTime": s.update_time,
                    "userId": user_id,
                }
                for s in store.shares(account)
            ]
        )

    @endpoint
    async def share_delete(request: Request) -> Response:
        account = account_of(request)
        await body_of(request)
        share_id = _to_int(request.path_params["share_id"])
        if share_id is None or not store.delete_share(account, share_id):
            return _envelope(None, 2, "分享不存在")
        return _envelope(None)

    @endpoint
    async def share_delete_all(request: Request) -> Response:
        account = account_of(request)
        body = await body_of(request)
        if str(body.get("userId", "")) != store.user_id(account):
            return _envelope(None, 3, "无权限")
        store.delete_all_shares(account)
        return _envelope(None)

    @endpoint
    async def share_gen(request: Request) -> Response:
        account = account_of(request)
        body = await body_of(request)
        session_id = _to_int(body.get("sessionId"))
        if session_id is None or store.session(account, session_id) is None:
            return _envelope(None, 2, "会话不存在")
        raw = body.get("botChatId") or []
        if not isinstance(raw, list):
            raw = [raw]
        chat_ids = [i for i in (_to_int(r) for r in raw) if i is not None]
        known = {c.chat_id for c in store.chats(session_id, 100_000)}
        if not chat_ids or any(c not in known for c in chat_ids):
            return _envelope(None, 1, "参数错误")
        return _envelope({"key": store.new_share(account, session_id, chat_ids)})

    async def ask(request: Request) -> Response:
        faults = faults_for(request)
        try:
            account = account_of(request)
            body = await body_of(request)
        except _Reject as reject:
            return reject.response
        for fault in faults:
            if fault.kind == "http500":
                return PlainTextResponse("Internal Server Error", status_code=500)
            if fault.kind == "error" and fault.after is None:
                return _envelope(None, fault.code, fault.msg)
            if fault.kind == "malformed" and fault.after is None:
                return PlainTextResponse("<html><body>502 Bad Gateway</body></html>")
            if fault.kind == "raw":
                return Response(fault.text, media_type=fault.content_type)
            if fault.kind == "stall" and fault.after is None:
                await asyncio.sleep(fault.seconds)
        question = body.get("text")
        if not isinstance(question, str) or not question.strip():
            return _envelope(None, 1, "问题不能为空")
        # Validate everything before creating anything: a bad request must not
        # leave an empty conversation behind.
        parent_raw = str(body.get("parentChatId", "0") or "0")
        parent = _to_int(parent_raw)
        if parent is None or parent < 0:
            return _envelope(None, 1, "参数错误")
        raw_session = body.get("sessionId")
        new_session = raw_session in (None, "", 0, "0")
        session_id = -1
        if not new_session:
            session_id = _to_int(raw_session) or -1
            if store.session(account, session_id) is None:
                return _envelope(None, 2, "会话不存在")
        previous = ""
        turn = 1
        if parent != 0:
            parent_chat = store.chat(parent)
            if (
                new_session
                or parent_chat is None
                or parent_chat.session_id != session_id
                or parent_chat.role != "robot"
            ):
                return _envelope(None, 2, "对话不存在")
            asked = store.chat(parent_chat.parent)
            previous = asked.content if asked else ""
            turn = 1 + store.count_questions(session_id)
        if new_session:
            name = body.get("sessionName")
            name = name if isinstance(name, str) and name.strip() else question[:20]
            session_id = store.new_session(account, name)
        state.asks += 1
        state.parents.append(parent_raw)
        user_chat, bot_chat = store.add_turn(session_id, question, parent)

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
                text = answer_for(
                    question, turn=turn, previous=previous, image_base=state.image_base
                )
            pieces = split_increments(text)
        final = "".join(pieces)
        stream_faults = [f for f in faults if f.after is not None or f.kind == "unknown"]
        return StreamingResponse(
            _stream(
                state, session_id, user_chat, bot_chat, parent, pieces, final, rate, stream_faults
            ),
            media_type="text/event-stream;charset=UTF-8",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def faults_control(request: Request) -> Response:
        if request.method == "DELETE":
            state.faults.clear()
            return _envelope(None)
        try:
            raw = json.loads(await request.body())
            items = raw if isinstance(raw, list) else [raw]
            state.faults.add(*(Fault.from_json(item) for item in items))
        except (ValueError, TypeError) as exc:
            return _envelope(None, 1, f"bad fault: {exc}")
        return _envelope({"queued": len(state.faults)})

    async def seed_control(request: Request) -> Response:
        """Fill the requesting account: ``{"conversations": N, "messages": M}``
        makes N conversations, the newest holding M messages."""
        try:
            account = account_of(request)
            body = await body_of(request)
        except _Reject as reject:
            return reject.response
        count = max(0, min(_to_int(body.get("conversations")) or 0, 100_000))
        messages = max(0, min(_to_int(body.get("messages")) or 0, 100_000))
        prefix = str(body.get("prefix", "Conversation"))
        ids = store.bulk_sessions(account, [f"{prefix} {i + 1}" for i in range(count)])
        if ids and messages:
            turns = []
            for i in range(messages // 2):
                question = f"Question {i + 1}: how does item {i + 1} work?"
                turns.append((question, answer_for(question, turn=i + 1)))
            store.bulk_turns(ids[-1], turns)
        return _envelope({"sessionIds": [str(i) for i in ids[-5:]]})

    async def demo_image(request: Request) -> Response:
        name = request.path_params["name"]
        shade = sum(name.encode()) % 360
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">'
            f'<rect width="256" height="256" fill="hsl({shade},60%,70%)"/>'
            '<circle cx="128" cy="128" r="64" fill="white"/></svg>'
        )
        return Response(svg, media_type="image/svg+xml")

    routes = [
        Route("/eb/session/top/list", top_list, methods=["POST"]),
        Route("/eb/session/list", session_list, methods=["POST"]),
        Route("/eb/session/new", session_new, methods=["POST"]),
        Route("/eb/session/delete", session_delete, methods=["POST"]),
        Route("/eb/session/top/move", pin_handler(True), methods=["POST"]),
        Route("/eb/session/top/cancel", pin_handler(False), methods=["POST"]),
        Route("/eb/chat/history", history, methods=["POST"]),
        Route("/eb/share/list", share_list, methods=["GET"]),
        Route("/eb/share/all", share_delete_all, methods=["DELETE"]),
        Route("/eb/share/{share_id}", share_delete, methods=["DELETE"]),
        Route("/eb/share/key/gen", share_gen, methods=["POST"]),
        Route(ASK_PATH, ask, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", faults_control, methods=["POST", "DELETE"]),
        Route(f"{CONTROL_PREFIX}/seed", seed_control, methods=["POST"]),
        Route("/demo/image/{name}", demo_image, methods=["GET"]),
    ]
    return Starlette(routes=routes)


async def _stream(
    state: ServerState,
    session_id: int,
    user_chat: int,
    bot_chat: int,
    parent: int,
    pieces: list[str],
    final: str,
    rate: float,
    faults: list[Fault],
) -> AsyncIterator[bytes]:
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
        store.set_answer(bot_chat, final if finished else "".join(sent))
