"""The library file: opening it, checking it is one, its schema and migrations.

The schema is the ordered list :data:`MIGRATIONS`: step *n* takes a file from
version *n* to *n* + 1 (``PRAGMA user_version``); a new file runs them all. A
step that shipped is never edited: a change is a new step at the end. Before
any step runs on a file that holds data, the file is copied (SQLite's online
backup, so what is still in the ``-wal`` is included) to
``library.db.bak-v{old}``, and the steps run in one transaction: a failure
leaves the file at its old version.

The tables (current version)::

    conversations  seq (rowid), id (text, unique), account, backend,
                   name, pinned_at (NULL: not pinned), created, activity,
                   model, system_prompt, current (the leaf shown → messages)
    messages       seq (rowid), id (text, unique), conversation (→ seq),
                   parent (→ messages.seq; NULL: the first question), role
                   (user | assistant), text, reasoning, model, state
                   (complete | streaming | incomplete | stopped), created,
                   prompt_tokens, completion_tokens, flag, citations (JSON),
                   remote_id (the web service's chat id; NULL: not a cached row)

``conversations.remote_id`` is the web service's session id of a cached web
conversation (``NULL`` for the library's own), unique per account.

Search (FTS5, ``tokenize='trigram'``, contentless: no copy of the text)::

    message_index     the text of every message not streaming (rowid = messages.seq)
    message_trigrams  fts5vocab of message_index (the trigrams a short word begins)
    name_index        every conversation's name (rowid = conversations.seq)

kept by the triggers ``message_index_*`` and ``name_index_*``; each value is
indexed followed by :data:`SEARCH_PAD`. ``messages_by_created``,
``messages_search_keys`` and ``messages_streaming`` serve the search too.

A message's parent is a plain reference (no cascade: a long thread would
exceed SQLite's trigger depth); a conversation's messages are deleted in one
statement, which the check at the statement's end allows.

Times are ISO 8601 in UTC, to the microsecond (they sort as text). Every
query filters conversations by ``account``; messages are reached only through
their conversation. Integer rowids (``seq``) are kept under the text ids so
that a later step can add an external-content FTS5 index
(``content='messages', content_rowid='seq', tokenize='trigram'``) and the web
backend's cache (rows with ``backend = 'web'`` and a column for the service's
own id) without rewriting the tables.

A file that is not an SQLite database, is another program's database, or was
written by a newer version raises :class:`LibraryError` before anything is
written to it. The file and its ``-wal``/``-shm`` are private (mode 0600).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ._errors import LibraryError

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "backup",
    "backup_path",
    "bulk_indexing",
    "connect",
    "describe",
]

#: ``PRAGMA application_id`` of a library file ("ErnL"): tells it apart from
#: another program's SQLite database.
APPLICATION_ID = 0x4572_6E4C

#: What the search indexes hold after each text (see the last step of
#: :data:`MIGRATIONS`); never part of a query word, which has no white space.
SEARCH_PAD = "  "

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 → 1: conversations and their messages, as a tree.
    (
        f"PRAGMA application_id = {APPLICATION_ID}",
        """CREATE TABLE conversations (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            account TEXT NOT NULL,
            backend TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            pinned_at TEXT,
            created TEXT NOT NULL,
            activity TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            system_prompt TEXT NOT NULL DEFAULT '',
            current INTEGER REFERENCES messages (seq) ON DELETE SET NULL
        )""",
        """CREATE TABLE messages (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            conversation INTEGER NOT NULL REFERENCES conversations (seq) ON DELETE CASCADE,
            parent INTEGER REFERENCES messages (seq),
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
            text TEXT NOT NULL DEFAULT '',
            reasoning TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'complete'
                CHECK (state IN ('complete', 'streaming', 'incomplete', 'stopped')),
            created TEXT NOT NULL
        )""",
        "CREATE INDEX conversations_by_account ON conversations (account, activity)",
        "CREATE INDEX messages_by_conversation ON messages (conversation)",
        "CREATE INDEX messages_by_parent ON messages (parent)",
    ),
    # 1 → 2: what an answer came with: its usage, the safety flag, citations.
    (
        "ALTER TABLE messages ADD COLUMN prompt_tokens INTEGER",
        "ALTER TABLE messages ADD COLUMN completion_tokens INTEGER",
        "ALTER TABLE messages ADD COLUMN flag INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE messages ADD COLUMN citations TEXT NOT NULL DEFAULT '[]'",
    ),
    # 2 -> 3: the web backend's cache: its rows (backend 'web') keep the
    # service's own ids beside the library's.
    (
        "ALTER TABLE conversations ADD COLUMN remote_id TEXT",
        "ALTER TABLE messages ADD COLUMN remote_id TEXT",
        "CREATE UNIQUE INDEX conversations_by_remote_id ON conversations (account, remote_id) "
        "WHERE remote_id IS NOT NULL",
        "CREATE INDEX messages_by_remote_id ON messages (conversation, remote_id) "
        "WHERE remote_id IS NOT NULL",
    ),
    # The web cache's own columns (NULL/defaults on every other row):
    # conversations.position (the place in the service's list, pinned and
    # normal ones each in their order), fetched (the list's time of the
    # conversation when its history was kept; NULL: no history kept), stale
    # (1: the service's copy may have changed since), service_state and
    # plugin_ids (the list's other fields); messages.urls (a chat's images, JSON).
    (
        "ALTER TABLE conversations ADD COLUMN position INTEGER",
        "ALTER TABLE conversations ADD COLUMN fetched TEXT",
        "ALTER TABLE conversations ADD COLUMN stale INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE conversations ADD COLUMN service_state INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE conversations ADD COLUMN plugin_ids TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE messages ADD COLUMN urls TEXT NOT NULL DEFAULT '[]'",
    ),
    # Full-text search: trigram indexes of the messages' text and the
    # conversations' names, contentless (they hold no copy of the text: a
    # third smaller file than an own-content index) and kept by triggers. A
    # message is indexed once it is not streaming, so the appends of an
    # answer being streamed cost nothing here. Each value is indexed with
    # SEARCH_PAD after it, so that every character of the text begins a
    # trigram: a 1- or 2-character word is then found as a prefix of
    # trigrams. The rows that exist are indexed here.
    (
        "CREATE VIRTUAL TABLE message_index USING fts5(text, content='', tokenize='trigram')",
        "CREATE VIRTUAL TABLE message_trigrams USING fts5vocab(message_index, 'row')",
        "CREATE VIRTUAL TABLE name_index USING fts5(name, content='', tokenize='trigram')",
        # What a search reads of each candidate without the row (whose text
        # lies before these columns): newest first, and by rowid.
        "CREATE INDEX messages_by_created ON messages (created, conversation)",
        "CREATE INDEX messages_search_keys ON messages (seq, created, conversation)",
        "CREATE INDEX messages_streaming ON messages (conversation) WHERE state = 'streaming'",
        # While search_state.bulk is 1 (inside one transaction, so no other
        # connection ever sees it), inserted messages are left to the writer,
        # which indexes them together (bulk_indexing): three times faster.
        "CREATE TABLE search_state (bulk INTEGER NOT NULL)",
        "INSERT INTO search_state (bulk) VALUES (0)",
        f"""CREATE TRIGGER message_index_insert AFTER INSERT ON messages
            WHEN new.state != 'streaming' AND (SELECT bulk FROM search_state) = 0 BEGIN
            INSERT INTO message_index (rowid, text) VALUES (new.seq, new.text || '{SEARCH_PAD}');
        END""",
        f"""CREATE TRIGGER message_index_delete AFTER DELETE ON messages
            WHEN old.state != 'streaming' BEGIN
            INSERT INTO message_index (message_index, rowid, text)
                VALUES ('delete', old.seq, old.text || '{SEARCH_PAD}');
        END""",
        f"""CREATE TRIGGER message_index_update AFTER UPDATE OF text, state ON messages
            WHEN (old.state = 'streaming') != (new.state = 'streaming')
                OR (new.state != 'streaming' AND old.text != new.text) BEGIN
            INSERT INTO message_index (message_index, rowid, text)
                SELECT 'delete', old.seq, old.text || '{SEARCH_PAD}'
                WHERE old.state != 'streaming';
            INSERT INTO message_index (rowid, text)
                SELECT new.seq, new.text || '{SEARCH_PAD}' WHERE new.state != 'streaming';
        END""",
        f"""CREATE TRIGGER name_index_insert AFTER INSERT ON conversations BEGIN
            INSERT INTO name_index (rowid, name) VALUES (new.seq, new.name || '{SEARCH_PAD}');
        END""",
        f"""CREATE TRIGGER name_index_delete AFTER DELETE ON conversations BEGIN
            INSERT INTO name_index (name_index, rowid, name)
                VALUES ('delete', old.seq, old.name || '{SEARCH_PAD}');
        END""",
        f"""CREATE TRIGGER name_index_update AFTER UPDATE OF name ON conversations
            WHEN old.name != new.name BEGIN
            INSERT INTO name_index (name_index, rowid, name)
                VALUES ('delete', old.seq, old.name || '{SEARCH_PAD}');
            INSERT INTO name_index (rowid, name) VALUES (new.seq, new.name || '{SEARCH_PAD}');
        END""",
        f"INSERT INTO message_index (rowid, text) SELECT seq, text || '{SEARCH_PAD}' "
        "FROM messages WHERE state != 'streaming'",
        f"INSERT INTO name_index (rowid, name) SELECT seq, name || '{SEARCH_PAD}' "
        "FROM conversations",
    ),
)

#: The version this code writes; it opens files of this version or older.
SCHEMA_VERSION = len(MIGRATIONS)

_HEADER = b"SQLite format 3\x00"
_BUSY_MS = 2000  # another instance writing: wait this long before giving up


def describe(exc: sqlite3.Error) -> str:
    """An SQLite failure in the user's terms."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return "the file is damaged or is not a conversation library"
    if "disk is full" in text or "database or disk is full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the file is read-only (check its permissions)"
    if "locked" in text or "busy" in text:
        return "another program is holding it locked; try again"
    if "unable to open" in text:
        return "it cannot be opened (check the directory and its permissions)"
    if "closed" in text:
        return "the library was closed"
    return text


_MOVE_AWAY = "; it was left as it is (move it away to start a new library)"


def _refuse(path: Path, why: str) -> LibraryError:
    return LibraryError(f"Cannot use the conversation library {str(path)!r}: {why}.")


def _path_problem(path: Path) -> str | None:
    if path.is_dir():
        return "it is a directory; give the name of a file"
    if path.exists() and not path.is_file():
        return "it is not a regular file"
    return None


def _private(path: Path) -> None:
    """Mode 0600 on the file, its ``-wal`` and ``-shm`` (those that exist;
    a file this user may write but not chmod is left as it is)."""
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(path.with_name(name), 0o600)


def connect(path: Path | None) -> sqlite3.Connection:
    """The library's connection, its schema current (``None``: in memory).

    Raises :class:`LibraryError` when the file cannot be used as a library;
    then nothing was written to it.
    """
    if path is None:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db)
        return db
    path = Path(path)
    problem = _path_problem(path)
    if problem is not None:
        raise _refuse(path, problem)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with path.open("rb") as handle:
            header = handle.read(len(_HEADER))
    except FileNotFoundError:
        header = b""
    except PermissionError:
        raise _refuse(path, "it cannot be read (check its permissions)") from None
    except OSError as exc:
        raise _refuse(path, (exc.strerror or str(exc)).lower()) from None
    if header and header != _HEADER:
        raise _refuse(
            path, "it is not an SQLite database (a damaged file, or another kind)" + _MOVE_AWAY
        )
    # The files SQLite creates (the database, -wal, -shm, the backup) are
    # private from their first byte; umask is per process, so it is put back
    # as soon as the file is open and migrated.
    old_umask = os.umask(0o077)
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            _prepare(db, path)
        except BaseException:
            db.close()
            raise
    except sqlite3.Error as exc:
        why = describe(exc)
        raise _refuse(
            path, why + (_MOVE_AWAY if "damaged" in why else "; it was left as it is")
        ) from None
    finally:
        os.umask(old_umask)
    _private(path)
    return db


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    """Check the file is a library this code can read, then back it up,
    switch it to WAL and migrate it. Nothing is written before the checks."""
    db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    tables = int(db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    if application_id not in (0, APPLICATION_ID) or (application_id == 0 and tables):
        raise _refuse(path, "it is an SQLite database, but not a conversation library" + _MOVE_AWAY)
    if version > SCHEMA_VERSION:
        raise _refuse(
            path,
            f"it was written by a newer version of ernie-tui (library version {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Update ernie-tui to open it; "
            "the file was left as it is",
        )
    db.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION and tables:
        backup(db, path, version)
    mode = str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
    if mode.lower() != "wal":  # pragma: no cover - a file system without shared memory
        db.execute("PRAGMA journal_mode = DELETE")
    # In WAL mode, NORMAL makes every commit survive the program being killed
    # (only a power cut can take the last commits, never the file).
    db.execute("PRAGMA synchronous = NORMAL")
    if version < SCHEMA_VERSION:
        _migrate(db)


@contextlib.contextmanager
def bulk_indexing(db: sqlite3.Connection) -> Iterator[None]:
    """Inside a transaction: the messages inserted in the block are indexed
    for search together at its end rather than one by one (the insert
    trigger stands aside). Rows inserted in the block must have seqs above
    every existing one (SQLite's own rowids do)."""
    if not db.in_transaction:
        raise RuntimeError("bulk_indexing needs a transaction")
    top = int(db.execute("SELECT coalesce(max(seq), 0) FROM messages").fetchone()[0])
    db.execute("UPDATE search_state SET bulk = 1")
    try:
        yield
        db.execute(
            f"INSERT INTO message_index (rowid, text) SELECT seq, text || '{SEARCH_PAD}' "
            "FROM messages WHERE seq > ? AND state != 'streaming'",
            (top,),
        )
    finally:
        db.execute("UPDATE search_state SET bulk = 0")


def backup_path(path: Path, version: int) -> Path:
    """Where the copy made before migrating from ``version`` goes: an earlier
    copy is never overwritten."""
    candidate = path.with_name(f"{path.name}.bak-v{version}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak-v{version}.{n}")
        n += 1
    return candidate


def backup(db: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the library (as SQLite sees it, ``-wal`` included) beside it."""
    target = backup_path(path, version)
    copy = sqlite3.connect(target)
    try:
        db.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
    finally:
        copy.close()
    _private(target)
    return target


def _migrate(db: sqlite3.Connection) -> None:
    """Run the steps the file lacks, in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        # Another instance may have migrated the file while this one waited.
        now = int(db.execute("PRAGMA user_version").fetchone()[0])
        if now > SCHEMA_VERSION:
            raise sqlite3.DatabaseError("the file was changed by a newer version meanwhile")
        for step in MIGRATIONS[now:]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
