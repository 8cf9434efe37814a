"""What a handler of the embedded server knows about its request: the account
of its ``BDUSS_BFESS`` cookie, its strict-JSON body and the faults it meets.

Every handler acts for the account of the request's cookie and reaches storage
only through methods that filter by it. The ``X-Ernie-Fault`` header is read
only when the app was created with ``control=True``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .faults import ASK_PATH, Fault
from .http import NOT_SIGNED_IN, BadJSON, Reject, bad_request, envelope, parse_json, storage_failed
from .state import ServerState
from .storage import Store

__all__ = ["Context", "Endpoint", "Handler"]

log = logging.getLogger("ernie_tui.server")

#: What Starlette calls for a route.
Endpoint = Callable[[Request], Awaitable[Response]]
#: A handler of the server: the context and the request in, the reply out.
Handler = Callable[["Context", Request], Awaitable[Response]]


async def _plain_faults(faults: list[Fault]) -> Response | None:
    """The reply a queued fault puts in place of an ordinary one, if any."""
    for fault in faults:
        if fault.kind == "stall":
            await asyncio.sleep(fault.seconds)
        elif fault.kind == "http500":
            return PlainTextResponse("Internal Server Error", status_code=500)
        elif fault.kind == "error":
            return envelope(None, fault.code, fault.msg)
        elif fault.kind == "malformed":
            return PlainTextResponse("<html><body>502 Bad Gateway</body></html>")
    return None


@dataclass(frozen=True, slots=True)
class Context:
    """The server's state, seen from a request; ``control`` says whether the
    ``X-Ernie-Fault`` header is honoured."""

    state: ServerState
    control: bool = False

    @property
    def store(self) -> Store:
        return self.state.store

    def faults_for(self, request: Request) -> list[Fault]:
        """The faults queued for the request's path, then those of its header."""
        faults = self.state.faults.take(request.url.path)
        header = request.headers.get("x-ernie-fault") if self.control else None
        if header:
            try:
                raw = parse_json(header)
                for item in raw if isinstance(raw, list) else [raw]:
                    faults.append(Fault.from_json(item))
            except (ValueError, TypeError) as exc:
                log.warning("ignored a bad X-Ernie-Fault header: %s", exc)
        return faults

    async def body_of(self, request: Request) -> dict[str, Any]:
        """The request's JSON object (``{}`` for no body); raises :class:`Reject`
        for a body that is not strict JSON or not an object."""
        raw = await request.body()
        if not raw:
            return {}
        try:
            obj = parse_json(raw)
        except BadJSON as exc:
            raise Reject(bad_request(f"参数错误: {exc}")) from None
        if not isinstance(obj, dict):
            raise Reject(envelope(None, 1, "参数错误"))
        return obj

    def account_of(self, request: Request) -> int:
        """The account of the request's cookie; raises :class:`Reject` (not
        signed in) without one."""
        token = request.cookies.get("BDUSS_BFESS", "")
        if not token:
            raise Reject(envelope(None, *NOT_SIGNED_IN))
        return self.store.account(token)

    def endpoint(self, handler: Handler) -> Endpoint:
        """A protocol endpoint: queued faults first (the answer stream applies
        its own), then ``handler``; a :class:`Reject` answers its reply and a
        failing database answers HTTP 500."""

        async def wrapped(request: Request) -> Response:
            try:
                if not request.url.path.startswith(ASK_PATH):
                    injected = await _plain_faults(self.faults_for(request))
                    if injected is not None:
                        return injected
                return await handler(self, request)
            except Reject as reject:
                return reject.response
            except sqlite3.Error as exc:
                return storage_failed(exc)

        return wrapped

    def bare(self, handler: Handler) -> Endpoint:
        """``handler`` with this context and nothing more (no faults)."""

        async def wrapped(request: Request) -> Response:
            return await handler(self, request)

        return wrapped
