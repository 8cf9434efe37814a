"""The conversation list and its operations, without a widget.

:class:`ConversationState` holds the account's conversations (pinned, then
the others), which one is open and where its thread continues from; its
operations call the backend and then change the list locally, until the next
re-sync replaces it. :class:`ListRetry` is the back-off for fetching the list
again after the server was unreachable or failed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from ..backends import (
    Backend,
    Conversations,
    ErnieError,
    NetworkError,
    ServerTimeoutError,
    ServiceError,
    Session,
)

__all__ = ["LIST_RETRY_DELAYS", "NEW_CONVERSATION", "ConversationState", "ListRetry"]

NEW_CONVERSATION = ""
"""The id of a new conversation not created yet (its drafts key too)."""

LIST_RETRY_DELAYS: tuple[float, ...] = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
"""Seconds before fetching the list again after the 1st, 2nd, … failure."""


class ListRetry:
    """When to fetch the list again after a failure: after a network error or
    an HTTP 5xx, with back-off; never after other errors (they will not go
    away by themselves)."""

    def __init__(self, delays: Sequence[float] = LIST_RETRY_DELAYS) -> None:
        self.delays = tuple(delays)
        self.failures = 0

    @staticmethod
    def retryable(exc: ErnieError) -> bool:
        return isinstance(exc, NetworkError) or (
            isinstance(exc, ServiceError) and (exc.status or 0) >= 500
        )

    @staticmethod
    def why(exc: ErnieError) -> str:
        """What went wrong, in a few words for the status line (a failure
        :meth:`retryable` says will pass)."""
        if isinstance(exc, ServerTimeoutError):
            return "server not answering"
        if isinstance(exc, NetworkError):
            return "server unreachable"
        status = exc.status if isinstance(exc, ServiceError) else None
        return f"server error (HTTP {status})" if status else "server error"

    def after(self, exc: ErnieError) -> float | None:
        """The delay before the next fetch after ``exc``, or ``None``."""
        if not self.retryable(exc):
            return None
        delay = self.delays[min(self.failures, len(self.delays) - 1)]
        self.failures += 1
        return delay

    def succeeded(self) -> None:
        self.failures = 0


class ConversationState:
    """The conversations, the open one, and where its thread continues."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.conversations = Conversations()
        self.open_id: str = NEW_CONVERSATION
        """The open conversation's id; empty for a new one not created yet."""
        self.parent = "0"
        """The answer the next question in the open conversation continues from."""
        self.answer_ids: list[str] = []
        """The open conversation's answers, oldest first (what a share covers)."""

    # -- reading ----------------------------------------------------------------------

    def find(self, session_id: str) -> Session | None:
        return self.conversations.find(session_id) if session_id else None

    @property
    def open_session(self) -> Session | None:
        return self.find(self.open_id)

    def following(self, gone: Iterable[str], listed: Sequence[Session]) -> Session | None:
        """The conversation to open when the open one is among ``gone``: the
        next one ``listed`` (as the sidebar shows them), else the one before."""
        ids = set(gone)
        index = next((i for i, s in enumerate(listed) if s.session_id == self.open_id), None)
        if index is None:
            index = len(listed)
        rest = [s for s in listed[index + 1 :] if s.session_id not in ids] + [
            s for s in reversed(listed[:index]) if s.session_id not in ids
        ]
        return rest[0] if rest else None

    # -- the open conversation --------------------------------------------------------

    def open(self, session_id: str) -> None:
        """Another conversation is open; its thread is not known until its
        history is loaded (:meth:`loaded`)."""
        self.open_id = session_id
        self.parent = "0"
        self.answer_ids = []

    def loaded(self, current_chat_id: str, answer_ids: Iterable[str]) -> None:
        self.parent = current_chat_id or "0"
        self.answer_ids = list(answer_ids)

    def answered(self, session_id: str, bot_chat_id: str, *, done: bool = True) -> None:
        """An answer in ``session_id`` ended (``done``) or stopped with text."""
        if not bot_chat_id:
            return
        if done:
            self.answer_ids.append(bot_chat_id)
        if self.open_id == session_id:
            self.parent = bot_chat_id

    # -- changing the list locally ----------------------------------------------------

    def replace(self, conversations: Conversations, *, keep: Session | None = None) -> None:
        """A fresh list from the server; ``keep`` (a conversation the
        streaming answer just created, not listed yet) stays listed first."""
        if keep is not None and conversations.find(keep.session_id) is None:
            conversations = Conversations(conversations.top, (keep, *conversations.normal))
        self.conversations = conversations

    def add(self, session: Session) -> None:
        """A new conversation, listed first."""
        self.conversations = Conversations(
            self.conversations.top, (session, *self.conversations.normal)
        )

    def update(self, session_id: str, *, move: bool = True, **changes: Any) -> Session | None:
        """Change a conversation; with ``move``, it goes first in its section
        (the pinned one when it is pinned)."""
        top = list(self.conversations.top)
        normal = list(self.conversations.normal)
        found: Session | None = None
        for bucket in (top, normal):
            for index, session in enumerate(bucket):
                if session.session_id == session_id:
                    found = dataclasses.replace(session, **changes)
                    if move:
                        del bucket[index]
                    else:
                        bucket[index] = found
                    break
        if found is None:
            return None
        if move:
            (top if found.pinned else normal).insert(0, found)
        self.conversations = Conversations(tuple(top), tuple(normal))
        return found

    def remove(self, session_ids: Iterable[str]) -> None:
        gone = set(session_ids)
        self.conversations = Conversations(
            tuple(s for s in self.conversations.top if s.session_id not in gone),
            tuple(s for s in self.conversations.normal if s.session_id not in gone),
        )

    # -- operations -------------------------------------------------------------------

    async def rename(self, session: Session, name: str) -> None:
        await self.backend.rename(session.session_id, name)
        self.update(session.session_id, move=False, name=name)

    async def set_pinned(self, session: Session, pinned: bool) -> None:
        await self.backend.set_pinned(session.session_id, pinned)
        self.update(session.session_id, pinned=pinned)

    async def delete(self, session_ids: Sequence[str]) -> None:
        await self.backend.delete(session_ids)
        self.remove(session_ids)
