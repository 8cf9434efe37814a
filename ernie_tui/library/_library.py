"""The :class:`Library`: every operation on one file, and where the file goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._answers import AnswerMethods
from ._cache import CacheMethods
from ._conversations import ConversationMethods
from ._errors import NotFoundError
from ._export import as_json, as_markdown
from ._records import Conversation, Message
from ._search import SearchMethods

__all__ = ["Library", "default_path"]


def default_path() -> Path:
    """Where the library lives unless the user says otherwise: the
    platform's data directory (``~/.local/share/ernie-tui/library.db`` on
    Linux)."""
    from platformdirs import user_data_path

    return user_data_path("ernie-tui") / "library.db"


class Library(ConversationMethods, AnswerMethods, SearchMethods, CacheMethods):
    """Conversations kept on this machine, per account, in one SQLite file
    (``path``; ``None``: in memory, for the demo and tests).

    ``account`` is an opaque key the caller derives (a hash of the API key,
    never the key); each account sees only its own conversations, and a
    conversation or message of another account is refused (:class:`NotFoundError`)
    exactly like one that does not exist. Accounts of different backends must
    not collide: the caller prefixes them (``"qianfan:…"``).

    Threads: one connection guarded by one lock, so any thread may call any
    method. Each call is one indexed query or one small transaction, short
    enough for the app's event loop; opening (and migrating) a large file is
    the exception, for a thread worker. ``clock`` gives "now" (UTC), ``zone``
    the zone of the ``"%Y-%m-%d %H:%M:%S"`` times in ``Session`` and ``Chat``
    (``None``: this machine's). Raises :class:`LibraryError` when the file
    cannot be used; then it was left as it is.
    """

    def _both(self, account: str, conversation: str) -> tuple[Conversation, tuple[Message, ...]]:
        with self._guard():
            found = self.conversation(account, conversation)
            messages = self.messages(account, conversation)
        if found is None or messages is None:
            raise NotFoundError(f"there is no conversation {conversation!r}")
        return found, messages

    def export_markdown(self, account: str, conversation: str) -> str:
        """The conversation (its current branch) as Markdown, safe to print
        to a terminal."""
        return as_markdown(*self._both(account, conversation), self.zone)

    def export_json(self, account: str, conversation: str) -> dict[str, Any]:
        """The conversation (its current branch) with every stored field."""
        return as_json(*self._both(account, conversation))
