"""Shares of the embedded server: chats of a conversation behind a key."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from dataclasses import dataclass

from .schema import BATCH, Database

__all__ = ["Shares", "StoredShare"]


@dataclass(frozen=True, slots=True)
class StoredShare:
    share_id: int
    session_id: int
    chat_ids: str
    key: str
    create_time: str
    update_time: str


class Shares(Database):
    def new_share(self, account: int, session_id: int, chat_ids: Sequence[int]) -> str:
        """Share chats of one of the account's conversations; returns the key.
        Raises :class:`LookupError` when the conversation is not the account's
        or a chat is not in it."""
        with self._lock:
            self._require(account, session_id)
            for start in range(0, len(chat_ids), BATCH):
                batch = list(chat_ids[start : start + BATCH])
                marks = ",".join("?" * len(batch))
                found = {
                    int(r[0])
                    for r in self._db.execute(
                        f"SELECT id FROM chats WHERE session=? AND id IN ({marks})",
                        (session_id, *batch),
                    )
                }
                if not set(batch) <= found:
                    raise LookupError(f"a chat is not in conversation {session_id}")
            now = self.clock()
            rng = random.SystemRandom()
            while True:
                key = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
                exists = self._db.execute(
                    "SELECT 1 FROM shares WHERE share_key=?", (key,)
                ).fetchone()
                if not exists:
                    break
            self._db.execute(
                "INSERT INTO shares(account, session, chat_ids, share_key, create_time, "
                "update_time) VALUES(?, ?, ?, ?, ?, ?)",
                (account, session_id, ",".join(str(c) for c in chat_ids), key, now, now),
            )
            return key

    def shares(self, account: int) -> list[StoredShare]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, session, chat_ids, share_key, create_time, update_time FROM shares "
                "WHERE account=? ORDER BY id DESC",
                (account,),
            ).fetchall()
        return [
            StoredShare(int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))
            for r in rows
        ]

    def share_by_key(self, key: str) -> tuple[int, StoredShare] | None:
        """The share behind ``key`` and its account, for the public share page
        (anyone with the key may read it), or None."""
        with self._lock:
            r = self._db.execute(
                "SELECT account, id, session, chat_ids, share_key, create_time, update_time "
                "FROM shares WHERE share_key=?",
                (key,),
            ).fetchone()
        if r is None:
            return None
        share = StoredShare(int(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]))
        return int(r[0]), share

    def delete_share(self, account: int, share_id: int) -> bool:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM shares WHERE account=? AND id=?", (account, share_id)
            )
            return cur.rowcount > 0

    def delete_all_shares(self, account: int) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM shares WHERE account=?", (account,)).rowcount
