"""The public page of a share, ``/share/KEY``: what a share link opens.

Anyone with the key may read it, so it needs no cookie, and it shows only the
shared answers (with their questions) of the shared conversation, never the
rest. Every text on it is escaped and cleaned of control characters, and the
page allows no script, frame or request elsewhere (its
``Content-Security-Policy``). An unknown key, or a share whose conversation is
gone, answers a 404 page.
"""

from __future__ import annotations

import sqlite3
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ...sanitize import clean, clean_line
from ..context import Context
from ..http import storage_failed, to_int

__all__ = ["routes"]

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_STYLE = """
body { max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5;
       font-family: system-ui, sans-serif; color: #1f1f1f; background: #fafafa; }
h1 { font-size: 1.4rem; }
.note { color: #666; font-size: 0.9rem; }
.turn { margin: 1.5rem 0; }
.who { font-weight: bold; font-size: 0.9rem; color: #555; }
.question, .answer { white-space: pre-wrap; overflow-wrap: anywhere; padding: 0.6rem 0.8rem;
                     border-radius: 6px; }
.question { background: #e8eef6; }
.answer { background: #fff; border: 1px solid #ddd; }
"""


def _text(value: str) -> str:
    """Untrusted text for the page: cleaned, then escaped."""
    return escape(clean(value), quote=True)


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(clean_line(title), quote=True)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _not_found() -> Response:
    return _page(
        "Share not found",
        "<h1>Share not found</h1>\n<p>This share link does not exist, or its owner "
        "deleted the share or the conversation.</p>",
        404,
    )


async def share_page(ctx: Context, request: Request) -> Response:
    key = request.path_params["key"]
    store = ctx.store
    try:
        found = store.share_by_key(key) if key.isascii() and key.isalnum() else None
        if found is None:
            return _not_found()
        account, share = found
        session = store.session(account, share.session_id)
        if session is None:
            return _not_found()
        turns = []
        for raw in share.chat_ids.split(","):
            chat_id = to_int(raw)
            reply = store.chat(account, chat_id) if chat_id is not None else None
            if reply is None or reply.session_id != share.session_id:
                continue
            asked = store.chat(account, reply.parent) if reply.parent else None
            turns.append((asked.content if asked is not None else "", reply.content))
    except sqlite3.Error as exc:
        return storage_failed(exc)
    name = session.name or "(untitled)"
    what = "1 answer" if len(turns) == 1 else f"{len(turns)} answers"
    parts = [
        f"<h1>{_text(clean_line(name))}</h1>",
        f'<p class="note">Shared from ERNIE Bot: {what}, shared {_text(share.create_time)} '
        "(Beijing time).</p>",
    ]
    for question, answer in turns:
        parts.append('<section class="turn">')
        if question:
            parts.append(
                f'<div class="who">Question</div>\n<div class="question">{_text(question)}</div>'
            )
        parts.append(f'<div class="who">ERNIE Bot</div>\n<div class="answer">{_text(answer)}</div>')
        parts.append("</section>")
    return _page(name, "\n".join(parts))


def routes(ctx: Context) -> list[Route]:
    return [Route("/share/{key}", ctx.bare(share_page), methods=["GET"])]
