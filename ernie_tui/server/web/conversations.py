"""The /eb protocol's conversation list: list, create or rename, delete, pin."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import Context, Handler
from ..http import envelope, to_int
from ..storage import StoredSession

__all__ = ["routes"]


def _session_json(s: StoredSession) -> dict[str, Any]:
    return {
        "sessionId": str(s.session_id),
        "sessionName": s.name,
        "createTime": s.create_time,
        "state": s.state,
        "pluginIds": s.plugin_ids,
        "model": "EB35",
    }


async def top_list(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    await ctx.body_of(request)
    sessions = ctx.store.list_sessions(account, pinned=True)
    return envelope({"sessions": [_session_json(s) for s in sessions]})


async def session_list(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    size = to_int(body.get("pageSize")) or 1000
    sessions = ctx.store.list_sessions(account, pinned=False, limit=size)
    return envelope({"sessions": [_session_json(s) for s in sessions] or None})


async def session_new(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    name = body.get("sessionName")
    if not isinstance(name, str) or not name.strip():
        return envelope(None, 1, "会话名称不能为空")
    existing = to_int(body.get("sessionId"))
    if body.get("sessionId") not in (None, ""):
        if existing is None or not ctx.store.rename(account, existing, name):
            return envelope(None, 2, "会话不存在")
        return envelope(None)
    session_id = ctx.store.new_session(account, name)
    return envelope({"sessionId": str(session_id)})


async def session_delete(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    raw_ids = body.get("sessionIds")
    if raw_ids is None:
        raw_ids = [body.get("sessionId")]
    if not isinstance(raw_ids, list):
        return envelope(None, 1, "参数错误")
    ids = [i for i in (to_int(r) for r in raw_ids) if i is not None]
    if not ids:
        return envelope(None, 1, "参数错误")
    ctx.store.delete_sessions(account, ids)
    return envelope(None)


def _pin_handler(pinned: bool) -> Handler:
    async def handler(ctx: Context, request: Request) -> Response:
        account = ctx.account_of(request)
        body = await ctx.body_of(request)
        session_id = to_int(body.get("sessionId"))
        if session_id is None or not ctx.store.pin(account, session_id, pinned):
            return envelope(None, 2, "会话不存在")
        return envelope(None)

    return handler


def routes(ctx: Context) -> list[Route]:
    return [
        Route("/eb/session/top/list", ctx.endpoint(top_list), methods=["POST"]),
        Route("/eb/session/list", ctx.endpoint(session_list), methods=["POST"]),
        Route("/eb/session/new", ctx.endpoint(session_new), methods=["POST"]),
        Route("/eb/session/delete", ctx.endpoint(session_delete), methods=["POST"]),
        Route("/eb/session/top/move", ctx.endpoint(_pin_handler(True)), methods=["POST"]),
        Route("/eb/session/top/cancel", ctx.endpoint(_pin_handler(False)), methods=["POST"]),
    ]
