"""Conversations of the embedded server's accounts: create, rename, delete,
pin, list by activity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .schema import BATCH, Database

__all__ = ["Conversations", "StoredSession"]

# Ids look like the service's: large numbers, never reused.
_SESSION_BASE = 3_110_956_000


@dataclass(frozen=True, slots=True)
class StoredSession:
    session_id: int
    name: str
    create_time: str
    state: int
    plugin_ids: str
    pinned: bool


class Conversations(Database):
    def _row_session(self, row: Sequence[object]) -> StoredSession:
        return StoredSession(
            session_id=int(row[0]),  # type: ignore[call-overload]
            name=str(row[1]),
            create_time=str(row[2]),
            state=int(row[3]),  # type: ignore[call-overload]
            plugin_ids=str(row[4]),
            pinned=row[5] is not None,
        )

    def new_session(self, account: int, name: str, *, placeholder: bool = True) -> int:
        with self._lock:
            now = self.clock()
            cur = self._db.execute(
                "INSERT INTO sessions(id, account, name, create_time, activity) "
                "VALUES((SELECT COALESCE(MAX(id), ?) + 1 FROM sessions), ?, ?, ?, ?)",
                (_SESSION_BASE, account, name, now, self._tick()),
            )
            session_id = int(cur.lastrowid or 0)
            if placeholder:
                self._insert_chat(session_id, "robot", "", now, 0)
            return session_id

    def session(self, account: int, session_id: int) -> StoredSession | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, create_time, state, plugin_ids, pinned_seq FROM sessions "
                "WHERE account=? AND id=?",
                (account, session_id),
            ).fetchone()
        return self._row_session(row) if row else None

    def rename(self, account: int, session_id: int, name: str) -> bool:
        with self._lock:
            cur = self._db.execute(
                "UPDATE sessions SET name=? WHERE account=? AND id=?", (name, account, session_id)
            )
            return cur.rowcount > 0

    def delete_sessions(self, account: int, session_ids: Iterable[int]) -> int:
        """Delete the account's conversations among ``session_ids``, with their
        chats; ids of other accounts' conversations are ignored. Returns how
        many were deleted."""
        ids = list(dict.fromkeys(session_ids))
        deleted = 0
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for start in range(0, len(ids), BATCH):
                    batch = ids[start : start + BATCH]
                    marks = ",".join("?" * len(batch))
                    owned = [
                        int(r[0])
                        for r in self._db.execute(
                            f"SELECT id FROM sessions WHERE account=? AND id IN ({marks})",
                            (account, *batch),
                        )
                    ]
                    if not owned:
                        continue
                    marks = ",".join("?" * len(owned))
                    self._db.execute(f"DELETE FROM chats WHERE session IN ({marks})", owned)
                    cur = self._db.execute(
                        f"DELETE FROM sessions WHERE account=? AND id IN ({marks})",
                        (account, *owned),
                    )
                    deleted += cur.rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return deleted

    def pin(self, account: int, session_id: int, pinned: bool) -> bool:
        with self._lock:
            value = self._tick() if pinned else None
            cur = self._db.execute(
                "UPDATE sessions SET pinned_seq=? WHERE account=? AND id=?",
                (value, account, session_id),
            )
            return cur.rowcount > 0

    def list_sessions(
        self, account: int, *, pinned: bool, limit: int = 1000
    ) -> list[StoredSession]:
        where = "pinned_seq IS NOT NULL" if pinned else "pinned_seq IS NULL"
        order = "pinned_seq DESC" if pinned else "activity DESC"
        with self._lock:
            rows = self._db.execute(
                "SELECT id, name, create_time, state, plugin_ids, pinned_seq FROM sessions "
                f"WHERE account=? AND {where} ORDER BY {order} LIMIT ?",
                (account, max(0, limit)),
            ).fetchall()
        return [self._row_session(r) for r in rows]

    def touch(self, account: int, session_id: int) -> bool:
        """Make the conversation the most recently active one."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE sessions SET activity=? WHERE account=? AND id=?",
                (self._tick(), account, session_id),
            )
            return cur.rowcount > 0
