"""The embedded ERNIE Bot server: every endpoint of the protocol, on Starlette.

Every handler acts for the account of the request's ``BDUSS_BFESS`` cookie and
reaches storage only through methods that filter by it.

The control endpoints under :data:`CONTROL_PREFIX` (queue faults, seed an
account) and the ``X-Ernie-Fault`` header exist only when the app is created
with ``control=True`` (tests, ``ernie-tui serve --faults``); otherwise those
paths answer 404 and the header is ignored.

Request bodies are capped at :data:`MAX_BODY` bytes (413 beyond), and a body
that is not strict JSON (``NaN``, ``Infinity``, nesting deeper than Python's
recursion limit, invalid UTF-8, lone surrogates) answers 400.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .bot import answer_for, long_answer, split_increments
from .faults import ASK_PATH, Fault, FaultQueue
from .storage import Store

__all__ = ["CONTROL_PREFIX", "MAX_BODY", "ServerState", "create_app"]

log = logging.getLogger("ernie_tui.server")

CONTROL_PREFIX = "/__ernie_tui__"
NOT_SIGNED_IN = (4, "请先登录")
#: The largest request body the server reads, in bytes.
MAX_BODY = 1 << 20
# How much of an oversized body is read (and dropped) before answering 413, so
# that the client, still sending, gets the answer instead of a reset.
_DRAIN = 16 << 20
_INT64 = 1 << 63


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
    """An id or count from a request, or None when it is not one (ids beyond
    SQLite's 64-bit integers included)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if -_INT64 <= number < _INT64 else None


class _BadJSON(ValueError):
    """A request body or header that is not strict JSON; the message says why."""


def _reject_constant(name: str) -> Any:
    raise _BadJSON(f"{name} is not a JSON value")


def _has_lone_surrogate(obj: Any) -> bool:
    """Whether any string in ``obj`` (keys included) holds a lone surrogate,
    which cannot be stored or sent as UTF-8. Iterative: no recursion."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _parse_json(raw: bytes | str) -> Any:
    """Strict JSON from a request; raises :class:`_BadJSON` saying what is wrong."""
    try:
        obj = json.loads(raw, parse_constant=_reject_constant)
    except _BadJSON:
        raise
    except RecursionError:
        raise _BadJSON("the JSON is nested too deeply") from None
    except UnicodeDecodeError:
        raise _BadJSON("the body is not UTF-8 text") from None
    except ValueError as exc:
        raise _BadJSON(f"not valid JSON ({exc})") from None
    if _has_lone_surrogate(obj):
        raise _BadJSON("a string holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return obj


def _bad_request(msg: str, status: int = 400) -> JSONResponse:
    """An HTTP error with the envelope, for requests the server will not read."""
    return JSONResponse(
        {"code": 1, "msg": msg, "data": None},
        status_code=status,
        media_type="application/json;charset=UTF-8",
    )


class _BodyLimit:
    """ASGI middleware: reads the whole request body, at most ``limit`` bytes,
    before the app sees the request; a larger one (declared or sent) is
    answered 413 without calling the app."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = 0
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = _to_int(value.decode("latin-1")) or 0
        if declared > self.limit:
            await self._drain(receive, declared)
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > self.limit:
                await self._drain(receive, _DRAIN, more=more)
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _drain(receive: Receive, most: int, *, more: bool = True) -> None:
        """Read and drop up to ``most`` bytes of the body (at most ``_DRAIN``)."""
        dropped = 0
        while more and dropped < min(most, _DRAIN):
            message = await receive()
            if message["type"] != "http.request":
                return
            dropped += len(message.get("body", b""))
            more = bool(message.get("more_body", False))

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = f"{self.limit / (1 << 20):g} MB"
        response = _bad_request(f"请求过大: the request body is over the {limit} limit", 413)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class _Reject(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def create_app(state: ServerState, *, control: bool = False) -> ASGIApp:
    """The server as an ASGI app. ``control=True`` adds the control endpoints
    and the ``X-Ernie-Fault`` header: only for tests, never on a server others
    can reach (anyone could queue faults that hit every account)."""
    store = state.store

    def faults_for(request: Request) -> list[Fault]:
        faults = state.faults.take(request.url.path)
        header = request.headers.get("x-ernie-fault") if control else None
        if header:
            try:
                raw = _parse_json(header)
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
            obj = _parse_json(raw)
        except _BadJSON as exc:
            raise _Reject(_bad_request(f"参数错误: {exc}")) from None
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
            except sqlite3.Error as exc:
                return _storage_failed(exc)

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
            for c in store.chats(account, session_id, size)
        }
        current = store.current_chat(account, session_id)
        return _envelope({"chats": chats, "currentChatId": current})

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
        chat_ids = [_to_int(r) for r in raw]
        if not chat_ids or None in chat_ids:
            return _envelope(None, 1, "参数错误")
        try:
            key = store.new_share(account, session_id, [c for c in chat_ids if c is not None])
        except LookupError:
            return _envelope(None, 1, "参数错误")
        return _envelope({"key": key})

    async def ask(request: Request) -> Response:
        try:
            return await ask_checked(request)
        except sqlite3.Error as exc:
            return _storage_failed(exc)

    async def ask_checked(request: Request) -> Response:
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
            parent_chat = store.chat(account, parent)
            if (
                new_session
                or parent_chat is None
                or parent_chat.session_id != session_id
                or parent_chat.role != "robot"
            ):
                return _envelope(None, 2, "对话不存在")
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
            return _envelope(None, 2, "会话不存在")
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
                text = answer_for(
                    question, turn=turn, previous=previous, image_base=state.image_base
                )
            pieces = split_increments(text)
        final = "".join(pieces)
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
            ),
            media_type="text/event-stream;charset=UTF-8",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def faults_control(request: Request) -> Response:
        if request.method == "DELETE":
            state.faults.clear()
            return _envelope(None)
        try:
            raw = _parse_json(await request.body())
        except _BadJSON as exc:
            return _bad_request(f"参数错误: {exc}")
        try:
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
            store.bulk_turns(account, ids[-1], turns)
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
        Route("/demo/image/{name}", demo_image, methods=["GET"]),
    ]
    if control:
        routes += [
            Route(f"{CONTROL_PREFIX}/faults", faults_control, methods=["POST", "DELETE"]),
            Route(f"{CONTROL_PREFIX}/seed", seed_control, methods=["POST"]),
        ]
    return _BodyLimit(Starlette(routes=routes), MAX_BODY)


def _storage_failed(exc: sqlite3.Error) -> Response:
    log.error("storage failed: %s", exc)
    return PlainTextResponse("Internal Server Error", status_code=500)


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
        try:
            store.set_answer(account, bot_chat, final if finished else "".join(sent))
        except sqlite3.Error as exc:
            log.error("storage failed: the answer was not saved: %s", exc)
