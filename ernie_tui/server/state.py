"""What the embedded server's handlers share: storage, pace and queued faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from .faults import FaultQueue
from .storage import Store

__all__ = ["ServerState"]


@dataclass
class ServerState:
    """What the server's handlers share: storage, pace and queued faults."""

    store: Store
    rate: float = 30.0
    faults: FaultQueue = field(default_factory=FaultQueue)
    image_base: str = ""
    asks: int = 0
    parents: list[str] = field(default_factory=list)
    #: ``time.perf_counter()`` when the last answer stream ended (benchmarks).
    last_stream_end: float = 0.0
