"""The /eb protocol's shares: list, make, delete one, delete all; and the
public page a share link opens (:mod:`.share_page`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import Context
from ..http import envelope, to_int
from . import share_page

__all__ = ["routes"]


async def share_list(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    user_id = ctx.store.user_id(account)
    return envelope(
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
            for s in ctx.store.shares(account)
        ]
    )


async def share_delete(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    await ctx.body_of(request)
    share_id = to_int(request.path_params["share_id"])
    if share_id is None or not ctx.store.delete_share(account, share_id):
        return envelope(None, 2, "分享不存在")
    return envelope(None)


async def share_delete_all(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    if str(body.get("userId", "")) != ctx.store.user_id(account):
        return envelope(None, 3, "无权限")
    ctx.store.delete_all_shares(account)
    return envelope(None)


async def share_gen(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    session_id = to_int(body.get("sessionId"))
    if session_id is None or ctx.store.session(account, session_id) is None:
        return envelope(None, 2, "会话不存在")
    raw = body.get("botChatId") or []
    if not isinstance(raw, list):
        raw = [raw]
    chat_ids = [to_int(r) for r in raw]
    if not chat_ids or None in chat_ids:
        return envelope(None, 1, "参数错误")
    try:
        key = ctx.store.new_share(account, session_id, [c for c in chat_ids if c is not None])
    except LookupError:
        return envelope(None, 1, "参数错误")
    return envelope({"key": key})


def routes(ctx: Context) -> list[Route]:
    # The order matters: "/eb/share/all" before "/eb/share/{share_id}".
    return [
        Route("/eb/share/list", ctx.endpoint(share_list), methods=["GET"]),
        Route("/eb/share/all", ctx.endpoint(share_delete_all), methods=["DELETE"]),
        Route("/eb/share/{share_id}", ctx.endpoint(share_delete), methods=["DELETE"]),
        Route("/eb/share/key/gen", ctx.endpoint(share_gen), methods=["POST"]),
        *share_page.routes(ctx),
    ]
