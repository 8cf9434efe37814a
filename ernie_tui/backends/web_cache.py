"""What the web backend keeps on this machine: :class:`WebCache` writes the
service's lists and histories into the library as they arrive and reads them
back without the network.

The cache never fails a request: a write that fails (disk full, file locked,
damaged) is logged, in the user's terms and without any secret, and the
request goes on; a read that fails reads as nothing kept. The last failure is
in :attr:`WebCache.problem`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

from ..api import Chat, ConversationDetail, Conversations, Session
from ..library import Library, LibraryError, NotFoundError, SearchHit
from ._base import Final

__all__ = ["KEEP_DELAY", "WebCache", "service_now"]

log = logging.getLogger("ernie_tui.backends")

KEEP_DELAY = 0.25
"""Seconds a fetched list or history waits before it is written
(:meth:`WebCache.keep_list_soon`, :meth:`WebCache.keep_history_soon`): past
the paint that shows it."""

_SERVICE_ZONE = timezone(timedelta(hours=8))
_T = TypeVar("_T")


def service_now() -> str:
    """Now, as the web service writes times (Beijing time)."""
    return datetime.now(UTC).astimezone(_SERVICE_ZONE).strftime("%Y-%m-%d %H:%M:%S")


class WebCache:
    """One web account's cache in ``library`` (``account``: ``"web:…"``,
    a digest, never the credential)."""

    def __init__(self, library: Library, account: str) -> None:
        self.library = library
        self.account = account
        self.problem = ""
        """Why the last read or write of the cache failed ("" when it worked)."""
        self._pending: dict[str, ConversationDetail] = {}
        """Histories fetched and not written yet, by conversation."""
        self._pending_list: tuple[Conversations, bool] | None = None
        """A list fetched and not written yet (and whether it is complete)."""
        self._flush_at: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"WebCache({self.library!r})"

    def _try(self, what: str, work: Callable[[], _T], fallback: _T, *, flush: bool = True) -> _T:
        if flush and (self._pending or self._pending_list is not None):
            self.flush()  # every read and write sees what was fetched before it
        try:
            result = work()
        except (LibraryError, NotFoundError, ValueError) as exc:
            self.problem = str(exc)
            log.warning("the web cache could not %s: %s", what, exc)
            return fallback
        self.problem = ""
        return result

    # -- as requests succeed ---------------------------------------------------------

    def keep_list(self, conversations: Conversations, *, complete: bool = True) -> None:
        """The service's list; ``complete=False`` (a list cut at its page
        size): only added and updated, nothing deleted."""
        self._try(
            "keep the list",
            lambda: self.library.keep_conversations(self.account, conversations, complete=complete),
            None,
        )

    def keep_list_soon(self, conversations: Conversations, *, complete: bool = True) -> None:
        """:meth:`keep_list` :data:`KEEP_DELAY` seconds from now, as
        :meth:`keep_history_soon` does: the first list of 10,000
        conversations takes ~0.4 s to write and index, which came between
        its arrival and the sidebar."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.keep_list(conversations, complete=complete)
            return
        self._pending_list = (conversations, complete)
        self._flush_soon(loop)

    def keep_history(self, detail: ConversationDetail) -> None:
        self._try("keep a history", lambda: self.library.keep_history(self.account, detail), None)

    def keep_history_soon(self, detail: ConversationDetail) -> None:
        """Keep ``detail`` :data:`KEEP_DELAY` seconds from now, on the running
        event loop (at once without one): a history of 2,000 messages takes
        ~50 ms to write and index, which would otherwise come between its
        arrival and the screen. Any other use of the cache writes it first,
        as does :meth:`flush` (the backend's ``aclose``)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.keep_history(detail)
            return
        self._pending[detail.base.session_id] = detail
        self._flush_soon(loop)

    def _flush_soon(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._flush_at is None:
            self._flush_at = loop.call_later(KEEP_DELAY, self.flush)

    def flush(self) -> None:
        """Write the histories and the list held by :meth:`keep_history_soon`
        and :meth:`keep_list_soon`, the histories first: a list written after
        them marks those it lists as changed since as stale."""
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        listed, self._pending_list = self._pending_list, None
        pending, self._pending = self._pending, {}
        for detail in pending.values():
            self.keep_history(detail)
        if listed is not None:
            self.keep_list(listed[0], complete=listed[1])

    def keep_answer(
        self, final: Final, reasoning: str, question: str, name: str, model: str
    ) -> None:
        """A finished answer and its question, with the ids ``final`` gives."""
        if not final.session_id or not final.bot_chat_id:
            return
        now = service_now()
        asked = Chat(final.user_chat_id, "user", question, now)
        answered = Chat(
            final.bot_chat_id,
            "robot",
            final.text,
            now,
            urls=final.urls,
            reasoning=reasoning,
            model=model,
        )
        self._try(
            "keep an answer",
            lambda: self.library.keep_turn(
                self.account, final.session_id, asked, answered, name=name
            ),
            None,
        )

    def renamed(self, session_id: str, name: str) -> None:
        self._try("rename", lambda: self.library.rename_kept(self.account, session_id, name), None)

    def pinned(self, session_id: str, pinned: bool) -> None:
        self._try("pin", lambda: self.library.pin_kept(self.account, session_id, pinned), None)

    def forget(self, session_ids: Sequence[str]) -> None:
        self._try("forget", lambda: self.library.forget_kept(self.account, session_ids), 0)

    # -- reading, without the network -------------------------------------------------

    def conversations(self) -> Conversations | None:
        return self._try("be read", lambda: self.library.kept_conversations(self.account), None)

    def detail(self, session: Session) -> ConversationDetail | None:
        # Only its own history is waited for: not a list fetched a moment
        # ago (the conversation opened at start-up is read right after the
        # list arrives, before the sidebar is painted), whose effect on a
        # kept history (marked stale) matters only to the service's copy,
        # fetched after this one is shown anyway.
        return self._try(
            "be read",
            lambda: self.library.kept_history(self.account, session.session_id),
            None,
            flush=session.session_id in self._pending,
        )

    def search(self, query: str, limit: int) -> tuple[SearchHit, ...]:
        return self._try(
            "be searched", lambda: self.library.search(self.account, query, limit=limit), ()
        )

    def fresh(self) -> frozenset[str]:
        return self._try("be read", lambda: self.library.fresh_histories(self.account), frozenset())

    def clear(self) -> int:
        """Delete the account's whole cache; raises :class:`LibraryError`
        (the user asked for it, so a failure is theirs to know)."""
        self._pending.clear()
        return self.library.clear_kept(self.account)
