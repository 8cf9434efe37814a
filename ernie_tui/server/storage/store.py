"""The embedded server's :class:`Store`: every table's methods on one
database, and the bulk inserts that demos and benchmarks use."""

from __future__ import annotations

from collections.abc import Sequence

from .accounts import Accounts
from .chats import Chats
from .conversations import Conversations
from .shares import Shares

__all__ = ["Store"]


class Store(Accounts, Conversations, Chats, Shares):
    """All the server's state, in one SQLite database (a file, or ``:memory:``).

    Thread-safe: every method holds one lock. Raises :class:`StorageError`
    when the file cannot be used as the database.
    """

    # -- bulk, for demos and benchmarks ---------------------------------------

    def bulk_sessions(self, account: int, names: Sequence[str]) -> list[int]:
        """Create many empty conversations in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            ids = []
            try:
                for name in names:
                    ids.append(self.new_session(account, name, placeholder=False))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return ids

    def bulk_turns(self, account: int, session_id: int, turns: Sequence[tuple[str, str]]) -> int:
        """Append many question/answer pairs to one of the account's
        conversations in one transaction; returns the last answer's id. Raises
        :class:`LookupError` when the conversation is not the account's."""
        last = 0
        with self._lock:
            self._require(account, session_id)
            self._db.execute("BEGIN")
            try:
                parent = self.current_chat(account, session_id)
                for question, answer in turns:
                    _, last = self.add_turn(account, session_id, question, parent)
                    self.set_answer(account, last, answer)
                    parent = last
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return last
