"""Chats of the embedded server: the questions and answers of a conversation.

Chats belong to an account through their conversation: every query on chats
joins the conversation and filters by its account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .schema import Database

__all__ = ["Chats", "StoredChat"]


@dataclass(frozen=True, slots=True)
class StoredChat:
    chat_id: int
    session_id: int
    role: str
    content: str
    create_time: str
    parent: int


class Chats(Database):
    _CHAT_COLUMNS = (
        "SELECT c.id, c.session, c.role, c.content, c.create_time, c.parent "
        "FROM chats c JOIN sessions s ON s.id = c.session WHERE s.account=?"
    )

    @staticmethod
    def _row_chat(r: Sequence[object]) -> StoredChat:
        return StoredChat(
            int(r[0]),  # type: ignore[call-overload]
            int(r[1]),  # type: ignore[call-overload]
            str(r[2]),
            str(r[3]),
            str(r[4]),
            int(r[5]),  # type: ignore[call-overload]
        )

    def add_turn(
        self, account: int, session_id: int, question: str, parent: int
    ) -> tuple[int, int]:
        """Store a question and an empty answer to fill in; returns their ids.
        Raises :class:`LookupError` when the conversation is not the account's."""
        with self._lock:
            self._require(account, session_id)
            now = self.clock()
            user = self._insert_chat(session_id, "user", question, now, parent)
            bot = self._insert_chat(session_id, "robot", "", now, user)
            self._db.execute(
                "UPDATE sessions SET activity=? WHERE account=? AND id=?",
                (self._tick(), account, session_id),
            )
            return user, bot

    def set_answer(self, account: int, chat_id: int, content: str) -> bool:
        with self._lock:
            cur = self._db.execute(
                "UPDATE chats SET content=? WHERE id=? "
                "AND session IN (SELECT id FROM sessions WHERE account=?)",
                (content, chat_id, account),
            )
            return cur.rowcount > 0

    def chats(self, account: int, session_id: int, limit: int = 2000) -> list[StoredChat]:
        """The conversation's last ``limit`` chats, oldest first (none when the
        conversation is not the account's)."""
        with self._lock:
            rows = self._db.execute(
                f"{self._CHAT_COLUMNS} AND c.session=? ORDER BY c.id DESC LIMIT ?",
                (account, session_id, max(0, limit)),
            ).fetchall()
        return [self._row_chat(r) for r in reversed(rows)]

    def chat(self, account: int, chat_id: int) -> StoredChat | None:
        with self._lock:
            r = self._db.execute(f"{self._CHAT_COLUMNS} AND c.id=?", (account, chat_id)).fetchone()
        return None if r is None else self._row_chat(r)

    def count_questions(self, account: int, session_id: int) -> int:
        """How many questions the conversation holds."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM chats c JOIN sessions s ON s.id = c.session "
                "WHERE s.account=? AND c.session=? AND c.role='user'",
                (account, session_id),
            ).fetchone()
        return int(row[0]) if row else 0

    def current_chat(self, account: int, session_id: int) -> int:
        """The last answered robot chat: the next question's parent (0 if none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT c.id FROM chats c JOIN sessions s ON s.id = c.session "
                "WHERE s.account=? AND c.session=? AND c.role='robot' AND c.parent != 0 "
                "ORDER BY c.id DESC LIMIT 1",
                (account, session_id),
            ).fetchone()
        return int(row[0]) if row else 0
