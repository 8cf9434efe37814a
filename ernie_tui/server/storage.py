"""SQLite storage of the embedded server: accounts, conversations, chats, shares.

Every method that reads or writes a conversation, a chat or a share takes the
account it acts for, and every query filters by it: a conversation, chat or
share of another account is treated exactly like one that does not exist.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import string
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

__all__ = [
    "BEIJING",
    "StorageError",
    "Store",
    "StoredChat",
    "StoredSession",
    "StoredShare",
    "beijing_now",
]

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

# SQLite allows at most 32,766 variables in one statement; lists of ids go in
# batches well under that.
_BATCH = 500

# Ids look like the service's: large numbers, never reused.
_SESSION_BASE = 3_110_956_000
_CHAT_BASE = 168_463_000
_USER_BASE = 7_654_000


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


@dataclass(frozen=True, slots=True)
class StoredSession:
    session_id: int
    name: str
    create_time: str
    state: int
    plugin_ids: str
    pinned: bool


@dataclass(frozen=True, slots=True)
class StoredChat:
    chat_id: int
    session_id: int
    role: str
    content: str
    create_time: str
    parent: int


@dataclass(frozen=True, slots=True)
class StoredShare:
    share_id: int
    session_id: int
    chat_ids: str
    key: str
    create_time: str
    update_time: str


class Store:
    """All the server's state, in one SQLite database (a file, or ``:memory:``).

    Thread-safe: every method holds one lock. Raises :class:`StorageError`
    when the file cannot be used as the database.
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

    # -- accounts ----------------------------------------------------------

    def account(self, token: str) -> int:
        """The account of a ``BDUSS_BFESS`` cookie, created on first use. Only a
        hash of the cookie is stored."""
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM accounts WHERE token_hash=?", (digest,)
            ).fetchone()
            if row:
                return int(row[0])
            cur = self._db.execute("INSERT INTO accounts(token_hash) VALUES(?)", (digest,))
            return int(cur.lastrowid or 0)

    @staticmethod
    def user_id(account: int) -> str:
        return str(_USER_BASE + account)

    # -- sessions ----------------------------------------------------------

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
                for start in range(0, len(ids), _BATCH):
                    batch = ids[start : start + _BATCH]
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

    # -- chats -------------------------------------------------------------

    # Chats belong to an account through their conversation: every query on
    # chats joins the conversation and filters by its account.
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

    def _insert_chat(
        self, session_id: int, role: str, content: str, create_time: str, parent: int
    ) -> int:
        """Insert a chat into a conversation the caller has checked is the
        account's."""
        cur = self._db.execute(
            "INSERT INTO chats(id, session, role, content, create_time, parent) "
            "VALUES((SELECT COALESCE(MAX(id), ?) + 1 FROM chats), ?, ?, ?, ?, ?)",
            (_CHAT_BASE, session_id, role, content, create_time, parent),
        )
        return int(cur.lastrowid or 0)

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

    # -- shares ------------------------------------------------------------

    def new_share(self, account: int, session_id: int, chat_ids: Sequence[int]) -> str:
        """Share chats of one of the account's conversations; returns the key.
        Raises :class:`LookupError` when the conversation is not the account's
        or a chat is not in it."""
        with self._lock:
            self._require(account, session_id)
            for start in range(0, len(chat_ids), _BATCH):
                batch = list(chat_ids[start : start + _BATCH])
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

    def delete_share(self, account: int, share_id: int) -> bool:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM shares WHERE account=? AND id=?", (account, share_id)
            )
            return cur.rowcount > 0

    def delete_all_shares(self, account: int) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM shares WHERE account=?", (account,)).rowcount

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
