"""The embedded ERNIE Bot server: every endpoint of the protocol, on Starlette.

The protocol's handlers live in :mod:`.web` (Qianfan V2's ``/v2`` in
:mod:`.qianfan`), the control endpoints in :mod:`.control`, what they share on
the wire in :mod:`.http` and what they know of a request in :mod:`.context`.

The control endpoints under :data:`CONTROL_PREFIX` (queue faults, seed an
account) and the ``X-Ernie-Fault`` header exist only when the app is created
with ``control=True`` (tests, ``ernie-tui serve --faults``); otherwise those
paths answer 404 and the header is ignored.

Request bodies are capped at :data:`MAX_BODY` bytes (413 beyond), and a body
that is not strict JSON answers 400.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from . import control as _control
from . import images, qianfan, web
from .context import Context
from .control import CONTROL_PREFIX
from .http import MAX_BODY, BodyLimit
from .state import ServerState

__all__ = ["CONTROL_PREFIX", "MAX_BODY", "ServerState", "create_app"]


def create_app(state: ServerState, *, control: bool = False) -> ASGIApp:
    """The server as an ASGI app. ``control=True`` adds the control endpoints
    and the ``X-Ernie-Fault`` header: only for tests, never on a server others
    can reach (anyone could queue faults that hit every account)."""
    ctx = Context(state, control=control)
    routes = [*web.routes(ctx), *qianfan.routes(ctx), *images.routes()]
    if control:
        routes += _control.routes(ctx)
    return BodyLimit(Starlette(routes=routes), MAX_BODY)
