"""The /eb protocol's history of one conversation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import Context
from ..http import envelope, to_int

__all__ = ["routes"]


async def history(ctx: Context, request: Request) -> Response:
    account = ctx.account_of(request)
    body = await ctx.body_of(request)
    session_id = to_int(body.get("sessionId"))
    if session_id is None or ctx.store.session(account, session_id) is None:
        return envelope(None, 2, "会话不存在")
    size = to_int(body.get("pageSize")) or 2000
    chats = {
        str(c.chat_id): {
            "id": c.chat_id,
            "role": c.role,
            "parent": c.parent,
            "createTime": c.create_time,
            "message": [{"content": c.content, "contentType": "text"}],
        }
        for c in ctx.store.chats(account, session_id, size)
    }
    current = ctx.store.current_chat(account, session_id)
    return envelope({"chats": chats, "currentChatId": current})


def routes(ctx: Context) -> list[Route]:
    return [Route("/eb/chat/history", ctx.endpoint(history), methods=["POST"])]
