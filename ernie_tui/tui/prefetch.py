"""The conversation list fetched early at start-up (:class:`ListPrefetch`),
in a thread of its own while the main screen is imported and built."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..backends import Backend, Conversations

__all__ = ["ListPrefetch"]


class ListPrefetch:
    """The conversation list, fetched in a thread of its own with a client of
    its own (an ``httpx`` client belongs to one event loop), so the request
    leaves while the main screen is still being built and the reply is parsed
    off the UI's event loop. Errors are kept and raised to whoever awaits
    :meth:`result`, who handles them as those of any list request."""

    def __init__(self, make_backend: Callable[[], Backend], page_size: int) -> None:
        self.page_size = page_size
        self._make_backend = make_backend
        self._future: Future[Conversations] = Future()
        threading.Thread(target=self._run, name="ernie-list-prefetch", daemon=True).start()

    def _run(self) -> None:
        # (Set only while pending: the app may have quit, cancelling the wait.)
        try:
            conversations = asyncio.run(self._fetch())
        except BaseException as exc:  # handed over whole to the awaiting screen
            with contextlib.suppress(InvalidStateError):
                self._future.set_exception(exc)
        else:
            with contextlib.suppress(InvalidStateError):
                self._future.set_result(conversations)

    async def _fetch(self) -> Conversations:
        backend = self._make_backend()
        try:
            return await backend.list_conversations(self.page_size)
        finally:
            await backend.aclose()

    async def result(self) -> Conversations:
        """The list, or the error the request raised."""
        return await asyncio.wrap_future(self._future)
