"""Fault injection: what the embedded server does wrong, and when.

A test queues :class:`Fault` objects (in-process through
``ServerState.faults``, or over HTTP with ``POST /__ernie_tui__/faults``), or
sends one with a request in the ``X-Ernie-Fault`` header as JSON. Each queued
fault applies to the next ``count`` requests whose path starts with ``path``.

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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ASK_PATH", "Fault", "FaultQueue"]

ASK_PATH = "/eb/chat/conversation/v2"
KINDS = {"cut", "error", "stall", "malformed", "http500", "unknown", "answer", "long", "rate"}


@dataclass
class Fault:
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
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")

    @classmethod
    def from_json(cls, obj: Any) -> Fault:
        if not isinstance(obj, dict):
            raise ValueError("a fault is a JSON object")
        known = {k: v for k, v in obj.items() if k in cls.__dataclass_fields__ and k != "extra"}
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
