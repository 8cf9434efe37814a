"""Sync all conversations: fetch every history the service keeps into this
machine's cache (``Backend.open`` keeps what it fetches), at a polite rate.

- At most ``rate`` requests a second, the list's included (the start of one
  request is at least ``1 / rate`` seconds after the start of the one before;
  the list is two requests sent together, so the next waits twice as long).
- A conversation whose kept history is as the service's (as far as its list
  tells: ``fresh_histories()``) is skipped, so a sync stopped halfway, or
  run again after a restart, fetches only what is missing or changed.
- Cancelling the task stops it at once; every history fetched so far stays.
- A conversation that fails is counted (``failed``) and skipped; an expired
  sign-in (``NotSignedInError``) stops the sync, and so does the service
  staying unreachable (:data:`UNREACHABLE_AFTER` network errors in a row).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..backends import Backend, ErnieError, NetworkError, NotSignedInError

__all__ = ["UNREACHABLE_AFTER", "SyncProgress", "sync_all"]

UNREACHABLE_AFTER = 3
"""Network errors in a row after which the service is taken as unreachable."""


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where a sync stands: ``done`` of ``total`` conversations, of which
    ``fetched`` were fetched, ``skipped`` already kept and unchanged,
    ``failed`` failed."""

    done: int
    total: int
    fetched: int
    skipped: int
    failed: int


@runtime_checkable
class _Keeps(Protocol):
    """A backend that knows which of its kept histories are current."""

    def fresh_histories(self) -> frozenset[str] | None: ...


class _Pace:
    """Starts of requests at least ``1 / rate`` seconds apart."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = 0.0

    async def wait(self, requests: int = 1) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now < self.next:
            await asyncio.sleep(self.next - now)
            now = loop.time()
        self.next = max(now, self.next) + self.interval * requests


async def sync_all(
    backend: Backend,
    *,
    rate: float = 2.0,
    on_progress: Callable[[SyncProgress], None] | None = None,
) -> SyncProgress:
    """Fetch every conversation's history into the backend's cache (see the
    module's docstring); returns the final count. A backend that keeps its
    conversations on this machine, or keeps nothing, has nothing to sync."""
    nothing = SyncProgress(0, 0, 0, 0, 0)
    if not backend.capabilities.server_history:
        return nothing
    pace = _Pace(rate)
    await pace.wait(2)
    sessions = (await backend.list_conversations()).all()
    if isinstance(backend, _Keeps):
        fresh = backend.fresh_histories()
        if fresh is None:
            return nothing
    else:
        fresh = frozenset(s.session_id for s in sessions if backend.cached_detail(s) is not None)
    total = len(sessions)
    fetched = skipped = failed = offline = 0

    def report() -> SyncProgress:
        progress = SyncProgress(fetched + skipped + failed, total, fetched, skipped, failed)
        if on_progress is not None:
            on_progress(progress)
        return progress

    report()
    for session in sessions:
        if session.session_id in fresh:
            skipped += 1
            report()
            continue
        await pace.wait()
        try:
            await backend.open(session)
        except NotSignedInError:
            raise
        except NetworkError:
            offline += 1
            if offline >= UNREACHABLE_AFTER:
                raise
            failed += 1
        except ErnieError:
            offline = 0
            failed += 1
        else:
            offline = 0
            fetched += 1
        report()
    return SyncProgress(fetched + skipped + failed, total, fetched, skipped, failed)
