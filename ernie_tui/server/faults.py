"""Fault injection: what the embedded server does wrong, and when.

A test queues :class:`Fault` objects (in-process through
``ServerState.faults``, or over HTTP with ``POST /__ernie_tui__/faults``), or
sends one with a request in the ``X-Ernie-Fault`` header as JSON. Each queued
fault applies to the next ``count`` requests whose path starts with ``path``,
whichever account sends them.

The HTTP ways in (the endpoint and the header) exist only on a server started
for tests: ``ernie-tui serve --faults``, ``ServerThread(control=True)`` or
``create_app(state, control=True)``. Elsewhere they answer 404 / are ignored,
so nobody else on the machine can break or replace another user's answers.

Kinds (``after`` counts answer increments):

- ``cut``: end the answer stream after ``after`` increments, without the final
  message.
- ``error``: answer ``{"code": code, "msg": msg}``; with ``after`` set, inside
  the stream after that many increments, else in place of the reply.
- ``stall``: go silent for ``seconds`` (after ``after`` increments on a stream).
- ``malformed``: send a line that is not JSON after ``after`` increments (or a
  non-JSON body in place of an ordinary reply).
- ``http500``: answer HTTP 500.
- ``unknown``: add unknown events and ``task_id`` lines to the stream.
- ``answer``: stream ``text`` as the answer instead of the demo bot's.
- ``long``: stream a markdown answer of ``increments`` increments.
- ``rate``: stream at ``rate`` increments per second (0: as fast as possible).
- ``gate``: before increment ``after``, wait until the fault's ``gate``
  (a ``threading.Event``) is set, at most ``seconds`` (default 10). Only from
  the same process: a test queues the fault, reads the first increments, then
  sets the gate, proving they arrived before the server sent the next one.
- ``raw``: answer the chat request with ``text`` verbatim, as
  ``content_type`` (default ``text/event-stream;charset=UTF-8``): for testing
  clients against exact wire variants.

On the Qianfan side (``path="/v2/chat/completions"`` or ``"/v2/models"``;
``after`` counts the stream's increments, reasoning included):

- ``error``: the Qianfan error body ``{"error": {"code": msg, …}}`` at HTTP
  ``status`` (0: the status its code stands for; the web default ``msg``
  means ``invalid_iam_token``), with ``text`` as its message when given; a
  429 carries the ``X-Ratelimit-*`` headers, and ``Retry-After`` when
  ``seconds`` is set. With ``after``, an error chunk inside the stream.
- ``raw`` answers at HTTP ``status`` (0: 200); ``cut``, ``stall``,
  ``malformed``, ``http500``, ``gate``, ``answer``, ``long`` and ``rate`` as
  above; ``unknown`` adds comments, ``event:`` and ``id:`` lines and ``data:``
  without its space.

Example, over HTTP (any process, against ``ernie-tui serve --faults``)::

    curl -X POST http://127.0.0.1:8765/__ernie_tui__/faults \
         -d '{"kind": "cut", "after": 3}'

and in a test, in-process::

    server.state.faults.add(Fault("error", msg="用户访问被限制"))
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ASK_PATH", "Fault", "FaultQueue"]

ASK_PATH = "/eb/chat/conversation/v2"
KINDS = {
    "cut",
    "error",
    "stall",
    "malformed",
    "http500",
    "unknown",
    "answer",
    "long",
    "rate",
    "gate",
    "raw",
}
DEFAULT_CONTENT_TYPE = "text/event-stream;charset=UTF-8"


@dataclass
class Fault:
    """One thing to do wrong; see the module docstring for the kinds."""

    kind: str
    path: str = ASK_PATH
    after: int | None = None
    code: int = 4
    msg: str = "请先登录"
    seconds: float = 0.0
    text: str = ""
    increments: int = 0
    rate: float = 0.0
    count: int = 1
    status: int = 0
    content_type: str = DEFAULT_CONTENT_TYPE
    extra: dict[str, Any] = field(default_factory=dict)
    gate: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")
        if self.after is not None and (not isinstance(self.after, int) or self.after < 0):
            raise ValueError("after is a count of increments (an integer >= 0)")
        for name in ("code", "increments", "count", "status"):
            if not isinstance(getattr(self, name), int):
                raise ValueError(f"{name} is an integer")
        if self.status and not 100 <= self.status <= 599:
            raise ValueError("status is an HTTP status (100-599), or 0")
        for name in ("seconds", "rate"):
            if not isinstance(getattr(self, name), int | float):
                raise ValueError(f"{name} is a number")
        for name in ("path", "msg", "text", "content_type"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} is a string")

    @classmethod
    def from_json(cls, obj: Any) -> Fault:
        if not isinstance(obj, dict):
            raise ValueError("a fault is a JSON object")
        known = {
            k: v
            for k, v in obj.items()
            if k in cls.__dataclass_fields__ and k not in ("extra", "gate")
        }
        return cls(**known)


class FaultQueue:
    """Faults waiting for the requests they apply to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> list[Fault]:
        """The faults for a request to ``path``, each used once."""
        taken: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if path.startswith(fault.path):
                    taken.append(fault)
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
        return taken

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
