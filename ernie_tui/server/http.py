"""What every handler of the embedded server shares on the wire: strict JSON
request bodies, the reply envelope, ids from requests, and the middleware that
caps a request body at :data:`MAX_BODY` bytes.

A body that is not strict JSON (``NaN``, ``Infinity``, nesting deeper than
Python's recursion limit, invalid UTF-8, lone surrogates) raises
:class:`BadJSON`; the handlers answer it 400. A body over :data:`MAX_BODY`
is answered 413 before any handler sees it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "MAX_BODY",
    "NOT_SIGNED_IN",
    "BadJSON",
    "BodyLimit",
    "Reject",
    "bad_request",
    "envelope",
    "parse_json",
    "storage_failed",
    "to_int",
]

log = logging.getLogger("ernie_tui.server")

NOT_SIGNED_IN = (4, "请先登录")
#: The largest request body the server reads, in bytes.
MAX_BODY = 1 << 20
# How much of an oversized body is read (and dropped) before answering 413, so
# that the client, still sending, gets the answer instead of a reset.
_DRAIN = 16 << 20
_INT64 = 1 << 63


def envelope(data: Any = None, code: int = 0, msg: str = "") -> JSONResponse:
    """A reply in the service's envelope: ``{"code", "msg", "data"}``."""
    return JSONResponse(
        {"code": code, "msg": msg, "data": data},
        media_type="application/json;charset=UTF-8",
    )


def bad_request(msg: str, status: int = 400) -> JSONResponse:
    """An HTTP error with the envelope, for requests the server will not read."""
    return JSONResponse(
        {"code": 1, "msg": msg, "data": None},
        status_code=status,
        media_type="application/json;charset=UTF-8",
    )


def storage_failed(exc: sqlite3.Error) -> Response:
    """The reply when the database fails under a request: a plain HTTP 500."""
    log.error("storage failed: %s", exc)
    return PlainTextResponse("Internal Server Error", status_code=500)


class Reject(Exception):
    """Raised by a handler's helpers to answer ``response`` at once."""

    def __init__(self, response: Response) -> None:
        self.response = response


def to_int(value: Any) -> int | None:
    """An id or count from a request, or None when it is not one (ids beyond
    SQLite's 64-bit integers included)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if -_INT64 <= number < _INT64 else None


class BadJSON(ValueError):
    """A request body or header that is not strict JSON; the message says why."""


def _reject_constant(name: str) -> Any:
    raise BadJSON(f"{name} is not a JSON value")


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


def parse_json(raw: bytes | str) -> Any:
    """Strict JSON from a request; raises :class:`BadJSON` saying what is wrong."""
    try:
        obj = json.loads(raw, parse_constant=_reject_constant)
    except BadJSON:
        raise
    except RecursionError:
        raise BadJSON("the JSON is nested too deeply") from None
    except UnicodeDecodeError:
        raise BadJSON("the body is not UTF-8 text") from None
    except ValueError as exc:
        raise BadJSON(f"not valid JSON ({exc})") from None
    if _has_lone_surrogate(obj):
        raise BadJSON("a string holds a lone surrogate (\\ud800-\\udfff), which is not text")
    return obj


class BodyLimit:
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
                declared = to_int(value.decode("latin-1")) or 0
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
        response = bad_request(f"请求过大: the request body is over the {limit} limit", 413)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
