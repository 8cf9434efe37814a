"""The database under the embedded server's storage: the file, its schema and
what every table's methods share (the lock, the activity counter, the check
that a conversation is the account's)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

__all__ = ["BATCH", "BEIJING", "Database", "StorageError", "beijing_now"]

BEIJING = timezone(timedelta(hours=8))
_FORMAT = "%Y-%m-%d %H:%M:%S"


def beijing_now() -> str:
    """Now, as the service writes times: Beijing time, to the second."""
    return datetime.now(BEIJING).strftime(_FORMAT)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT UNIQUE NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account INTEGER NOT NULL,
    name TEXT NOT NULL,
    create_time TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 1,
    plugin_ids TEXT NOT NULL DEFAULT '',
    pinned_seq INTEGER,
    activity INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_account ON sessions (account, pinned_seq, activity);
CREATE TABLE IF NOT EXISTS chats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    create_time TEXT NOT NULL,
    parent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chats_by_session ON chats (session, id);
CREATE TABLE IF NOT EXISTS shares (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account INTEGER NOT NULL,
    session INTEGER NOT NULL,
    chat_ids TEXT NOT NULL,
    share_key TEXT UNIQUE NOT NULL,
    create_time TEXT NOT NULL,
    update_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

#: SQLite allows at most 32,766 variables in one statement; lists of ids go in
#: batches well under that.
BATCH = 500

# Ids look like the service's: large numbers, never reused.
_CHAT_BASE = 168_463_000


class StorageError(Exception):
    """The database file cannot be used; the message says why, in the user's terms."""


def _open_problem(path: Path) -> str | None:
    """Why ``path`` cannot hold the database, found before SQLite tries; None
    when it looks usable."""
    if path.is_dir():
        return "it is a directory; give a file name, e.g. --db ernie.db"
    if path.exists() and not path.is_file():
        return "it is not a regular file"
    parent = path.parent
    if not parent.is_dir():
        return f"the directory {str(parent)!r} does not exist"
    return None


def _sqlite_problem(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not a database" in text:
        return "it is not an SQLite database (a different or damaged file)"
    if "disk is full" in text:
        return "the disk is full"
    if "readonly" in text:
        return "it is read-only"
    if "unable to open" in text:
        return "it cannot be opened (check the permissions)"
    return text


class Database:
    """One SQLite database (a file, or ``:memory:``) with the schema in place.

    Every method of the tables' classes holds :attr:`_lock`. Raises
    :class:`StorageError` when the file cannot be used as the database.
    """

    def __init__(self, path: str | Path = ":memory:", *, clock: Callable[[], str] = beijing_now):
        self.path = str(path)
        self.clock = clock
        self._lock = threading.RLock()
        if self.path != ":memory:":
            problem = _open_problem(Path(self.path))
            if problem:
                raise StorageError(f"cannot use {self.path!r} as the database: {problem}.")
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(
                f"cannot use {self.path!r} as the database: {_sqlite_problem(exc)}."
            ) from None
        try:
            self._db.execute(
                "PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA foreign_keys=OFF"
            )
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._activity = self._counter("activity")
        except sqlite3.Error as exc:
            self._db.close()
            raise StorageError(
                f"cannot use {self.path!r} as the database: {_sqlite_problem(exc)}."
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _counter(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _tick(self) -> int:
        self._activity += 1
        self._db.execute(
            "INSERT INTO counters(name, value) VALUES('activity', ?) "
            "ON CONFLICT(name) DO UPDATE SET value=excluded.value",
            (self._activity,),
        )
        return self._activity

    def _owns(self, account: int, session_id: int) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sessions WHERE account=? AND id=?", (account, session_id)
        ).fetchone()
        return row is not None

    def _require(self, account: int, session_id: int) -> None:
        if not self._owns(account, session_id):
            raise LookupError(f"account {account} has no conversation {session_id}")

    def _insert_chat(
        self, session_id: int, role: str, content: str, create_time: str, parent: int
    ) -> int:
        """Insert a chat into a conversation the caller has checked is the
        account's (a new conversation's placeholder, or a turn)."""
        cur = self._db.execute(
            "INSERT INTO chats(id, session, role, content, create_time, parent) "
            "VALUES((SELECT COALESCE(MAX(id), ?) + 1 FROM chats), ?, ?, ?, ?, ?)",
            (_CHAT_BASE, session_id, role, content, create_time, parent),
        )
        return int(cur.lastrowid or 0)
