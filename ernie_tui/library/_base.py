"""What the library's operations share: the connection and its lock, the
error guard, transactions, the buffer of answers being streamed, the lookups
that check a conversation or message is the account's, and reading rows."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Self

from ._errors import LibraryError, NotFoundError
from ._records import ROOT, Message, Role, State, read_citations, read_time, stamp
from ._schema import connect, describe

__all__ = ["BATCH", "DISPLAY_FORMAT", "MESSAGE_COLUMNS", "Base"]

BATCH = 500
"""Ids per statement, well under SQLite's limit of variables."""

#: How the web protocol writes times (``Session.create_time``, ``Chat.create_time``).
DISPLAY_FORMAT = "%Y-%m-%d %H:%M:%S"

#: The columns :meth:`Base._message` reads, ``m`` the message, ``p`` its parent.
MESSAGE_COLUMNS = (
    "m.seq, m.id, p.id, m.role, m.text, m.reasoning, m.model, m.state, m.created, "
    "m.prompt_tokens, m.completion_tokens, m.flag, m.citations"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False, slots=True)
class _Pending:
    """An answer being streamed: the pieces not written yet."""

    account: str
    seq: int
    conversation: int
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    pieces: int = 0
    flushed: float = 0.0
    """``time.monotonic()`` of the last write."""


class Base:
    """The connection and what every operation needs."""

    def __init__(
        self,
        path: Path | None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        zone: tzinfo | None = None,
        flush_interval: float = 0.25,
        flush_pieces: int = 32,
    ) -> None:
        self.path = path
        self.clock = clock
        self.zone = zone
        """The zone of the ``"%Y-%m-%d %H:%M:%S"`` times given to the app (``None``:
        this machine's)."""
        self.flush_interval = flush_interval
        self.flush_pieces = flush_pieces
        self._lock = threading.RLock()
        self._pending: dict[str, _Pending] = {}
        self._db = connect(path)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path) if self.path else 'in memory'})"

    # -- the connection -------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; an SQLite failure becomes a
        :class:`LibraryError` in the user's terms, an id that is not valid
        text (a lone surrogate) a :class:`NotFoundError`."""
        with self._lock:
            try:
                yield self._db
            except UnicodeEncodeError:
                # Only an id or account can get here (text is made valid on
                # the way in): one that is not valid text names nothing.
                raise NotFoundError("there is no conversation or message with that id") from None
            except sqlite3.Error as exc:
                where = f" {str(self.path)!r}" if self.path else ""
                raise LibraryError(
                    f"The conversation library{where} could not be used: {describe(exc)}."
                ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (under :meth:`_guard`)."""
        with self._guard() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        """Write what is buffered and close the file. An answer still
        streaming stays ``streaming`` in the file and reads as ``incomplete``."""
        with self._lock:
            try:
                self.flush()
            finally:
                self._pending.clear()
                self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what is streaming ------------------------------------------------------

    def flush(self) -> None:
        """Write every buffered piece of the answers being streamed, in one
        commit: once this returns, a crash keeps them."""
        with self._lock:
            waiting = [p for p in self._pending.values() if p.pieces]
            if len(waiting) == 1:
                with self._guard():
                    self._write_pending(waiting[0])
            elif waiting:
                with self._transaction():
                    for pending in waiting:
                        self._write_pending(pending)
            for pending in waiting:
                self._written(pending)

    def _write_pending(self, pending: _Pending) -> None:
        """Add the buffered pieces to the row (the caller commits, then
        calls :meth:`_written`; a failed write keeps them buffered)."""
        self._db.execute(
            "UPDATE messages SET text = text || ?, reasoning = reasoning || ? WHERE seq = ?",
            ("".join(pending.text), "".join(pending.reasoning), pending.seq),
        )

    @staticmethod
    def _written(pending: _Pending) -> None:
        pending.text.clear()
        pending.reasoning.clear()
        pending.pieces = 0
        pending.flushed = time.monotonic()

    def _delete_rows(self, db: sqlite3.Connection, seqs: Sequence[int]) -> int:
        """Inside a transaction: delete these conversation rows with their
        messages (and what was buffered for them); returns how many."""
        for start in range(0, len(seqs), BATCH):
            batch = list(seqs[start : start + BATCH])
            marks = ",".join("?" * len(batch))
            db.execute(f"DELETE FROM messages WHERE conversation IN ({marks})", batch)
            db.execute(f"DELETE FROM conversations WHERE seq IN ({marks})", batch)
        self._forget_pending(seqs)
        return len(seqs)

    def _forget_pending(self, conversations: Sequence[int]) -> None:
        gone = set(conversations)
        for key in [k for k, p in self._pending.items() if p.conversation in gone]:
            del self._pending[key]

    # -- times ------------------------------------------------------------------

    def _now(self) -> str:
        return stamp(self.clock())

    def _shown(self, stored: str) -> str:
        """A stored time as the web protocol writes one, in :attr:`zone`."""
        return self._shown_time(read_time(stored))

    def _shown_time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime(DISPLAY_FORMAT)

    # -- lookups (callers hold the guard) -----------------------------------------

    def _conversation_seq(self, account: str, conversation: str) -> int:
        """The row of the account's conversation; :class:`NotFoundError` when
        it has none with this id."""
        row = self._db.execute(
            "SELECT seq FROM conversations WHERE account = ? AND id = ?", (account, conversation)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"there is no conversation {conversation!r}")
        return int(row[0])

    def _message_row(self, account: str, message: str) -> tuple[int, int, str]:
        """``(seq, conversation seq, role)`` of one of the account's messages."""
        row = self._db.execute(
            "SELECT m.seq, m.conversation, m.role FROM messages m "
            "JOIN conversations c ON c.seq = m.conversation WHERE c.account = ? AND m.id = ?",
            (account, message),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"there is no message {message!r}")
        return int(row[0]), int(row[1]), str(row[2])

    def _parent_seq(self, conversation_seq: int, parent: str, role: Role) -> int | None:
        """The row of ``parent`` in the conversation (``None``: the start),
        which must be a message of ``role``."""
        if parent in (ROOT, ""):
            return None
        row = self._db.execute(
            "SELECT seq, role FROM messages WHERE conversation = ? AND id = ?",
            (conversation_seq, parent),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"there is no message {parent!r} in this conversation")
        if row[1] != role:
            what = "a question" if role == "user" else "an answer"
            raise ValueError(f"message {parent!r} is not {what}")
        return int(row[0])

    def _branch(self, leaf: int | None) -> list[Message]:
        """The messages from the first question to ``leaf``, oldest first."""
        if leaf is None:
            return []
        rows = self._db.execute(
            "WITH RECURSIVE branch(seq, depth) AS ("
            " SELECT ?, 0"
            " UNION ALL"
            " SELECT m.parent, b.depth + 1 FROM messages m JOIN branch b ON m.seq = b.seq"
            " WHERE m.parent IS NOT NULL"
            f") SELECT {MESSAGE_COLUMNS} FROM branch b JOIN messages m ON m.seq = b.seq"
            " LEFT JOIN messages p ON p.seq = m.parent ORDER BY b.depth DESC",
            (leaf,),
        ).fetchall()
        return [self._message(row) for row in rows]

    def _message(self, row: Sequence[object]) -> Message:
        message_id = str(row[1])
        state = str(row[7])
        if state == "streaming" and message_id not in self._pending:
            state = "incomplete"  # left streaming by a program that died
        return Message(
            id=message_id,
            parent=str(row[2]) if row[2] is not None else ROOT,
            role="user" if row[3] == "user" else "assistant",
            text=str(row[4]),
            reasoning=str(row[5]),
            model=str(row[6]),
            state=_state(state),
            created=read_time(str(row[8])),
            prompt_tokens=_int_or_none(row[9]),
            completion_tokens=_int_or_none(row[10]),
            flag=_int_or_none(row[11]) or 0,
            citations=read_citations(str(row[12])),
        )


def _state(text: str) -> State:
    if text == "complete":
        return "complete"
    if text == "streaming":
        return "streaming"
    if text == "stopped":
        return "stopped"
    return "incomplete"


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None
