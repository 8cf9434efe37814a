"""The control endpoints under :data:`CONTROL_PREFIX`: queue or clear faults,
seed the requesting account. They exist only on an app created with
``control=True`` (tests, ``ernie-tui serve --faults``); elsewhere those paths
answer 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .bot import answer_for
from .context import Context
from .faults import Fault
from .http import BadJSON, Reject, bad_request, envelope, parse_json, to_int

__all__ = ["CONTROL_PREFIX", "routes"]

CONTROL_PREFIX = "/__ernie_tui__"


async def faults_control(ctx: Context, request: Request) -> Response:
    """``POST``: queue one fault or a list of them; ``DELETE``: clear the queue."""
    faults = ctx.state.faults
    if request.method == "DELETE":
        faults.clear()
        return envelope(None)
    try:
        raw = parse_json(await request.body())
    except BadJSON as exc:
        return bad_request(f"参数错误: {exc}")
    try:
        items = raw if isinstance(raw, list) else [raw]
        faults.add(*(Fault.from_json(item) for item in items))
    except (ValueError, TypeError) as exc:
        return envelope(None, 1, f"bad fault: {exc}")
    return envelope({"queued": len(faults)})


async def seed_control(ctx: Context, request: Request) -> Response:
    """Fill the requesting account: ``{"conversations": N, "messages": M}``
    makes N conversations, the newest holding M messages."""
    try:
        account = ctx.account_of(request)
        body = await ctx.body_of(request)
    except Reject as reject:
        return reject.response
    count = max(0, min(to_int(body.get("conversations")) or 0, 100_000))
    messages = max(0, min(to_int(body.get("messages")) or 0, 100_000))
    prefix = str(body.get("prefix", "Conversation"))
    store = ctx.store
    ids = store.bulk_sessions(account, [f"{prefix} {i + 1}" for i in range(count)])
    if ids and messages:
        turns = []
        for i in range(messages // 2):
            question = f"Question {i + 1}: how does item {i + 1} work?"
            turns.append((question, answer_for(question, turn=i + 1)))
        store.bulk_turns(account, ids[-1], turns)
    return envelope({"sessionIds": [str(i) for i in ids[-5:]]})


def routes(ctx: Context) -> list[Route]:
    return [
        Route(f"{CONTROL_PREFIX}/faults", ctx.bare(faults_control), methods=["POST", "DELETE"]),
        Route(f"{CONTROL_PREFIX}/seed", ctx.bare(seed_control), methods=["POST"]),
    ]
