"""The /eb protocol of the embedded server: one module per part of it."""

from __future__ import annotations

from starlette.routing import Route

from ..context import Context
from . import answer, conversations, history, shares

__all__ = ["routes"]


def routes(ctx: Context) -> list[Route]:
    """Every route of the protocol, acting on ``ctx``."""
    return [
        *conversations.routes(ctx),
        *history.routes(ctx),
        *shares.routes(ctx),
        *answer.routes(ctx),
    ]
