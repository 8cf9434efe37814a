"""The web cache's histories: a conversation's chats as the service gave
them, kept, read back, and a finished answer added (see :mod:`._cache`)."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Literal

from ..api import Chat, Citation, ConversationDetail, Session
from ._base import DISPLAY_FORMAT, Base
from ._records import ROOT, citations_json, new_id, read_citations, stamp, valid_text
from ._schema import bulk_indexing

__all__ = ["SERVICE_ZONE", "WEB", "HistoryMethods", "to_service", "to_stored"]

SERVICE_ZONE = timezone(timedelta(hours=8))
"""Beijing time: the zone of the web service's times."""

WEB = "web"
"""The backend of the cache's rows."""
_WEB = WEB

_CHAT_COLUMNS = (
    "seq, remote_id, role, text, reasoning, model, state, created, prompt_tokens, "
    "completion_tokens, flag, citations, urls"
)


@functools.lru_cache(maxsize=32_768)
def to_stored(text: str) -> str:
    """A service time as stored (UTC); one that does not parse, as it is.
    Remembered: each refresh of a list of thousands converts the same times."""
    try:
        moment = datetime.strptime(text, DISPLAY_FORMAT)
    except ValueError:
        return valid_text(text)
    return stamp(moment.replace(tzinfo=SERVICE_ZONE))


def to_service(stored: str) -> str:
    """A stored time as the service wrote it."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        return stored
    return moment.astimezone(SERVICE_ZONE).strftime(DISPLAY_FORMAT)


def _urls_json(urls: Iterable[str]) -> str:
    return json.dumps([valid_text(u) for u in urls], ensure_ascii=False)


def _read_urls(text: str) -> tuple[str, ...]:
    try:
        raw = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(u) for u in raw) if isinstance(raw, list) else ()


def _chat_values(chat: Chat) -> tuple[object, ...]:
    """What a chat is stored as, in the order of :data:`_CHAT_COLUMNS`
    after ``seq`` and ``remote_id``."""
    if chat.role == "user":
        state = "complete"
    else:
        state = chat.state if chat.state in ("incomplete", "stopped") else "complete"
        if chat.state == "streaming":
            state = "incomplete"
    return (
        "user" if chat.role == "user" else "assistant",
        valid_text(chat.text),
        valid_text(chat.reasoning),
        valid_text(chat.model),
        state,
        to_stored(chat.create_time),
        int(chat.prompt_tokens),
        int(chat.completion_tokens),
        int(chat.flag),
        citations_json(chat.citations),
        _urls_json(chat.urls),
    )


def _chat(row: Sequence[object]) -> Chat:
    role: Literal["user", "robot"] = "user" if row[2] == "user" else "robot"
    return Chat(
        chat_id=str(row[1]),
        role=role,
        text=str(row[3]),
        create_time=to_service(str(row[7])),
        urls=_read_urls(str(row[12])),
        reasoning=str(row[4]),
        model=str(row[5]),
        prompt_tokens=row[8] if isinstance(row[8], int) else 0,
        completion_tokens=row[9] if isinstance(row[9], int) else 0,
        flag=row[10] if isinstance(row[10], int) else 0,
        citations=tuple(Citation(c.index, c.title, c.url) for c in read_citations(str(row[11]))),
        state=_chat_state(role, str(row[6])),
    )


def _chat_state(role: str, stored: str) -> Literal["", "incomplete", "stopped"]:
    if role == "user" or stored == "complete":
        return ""
    return "stopped" if stored == "stopped" else "incomplete"


class HistoryMethods(Base):
    def _web_row(self, db: sqlite3.Connection, account: str, session_id: str) -> tuple[int, ...]:
        row = db.execute(
            "SELECT seq, fetched IS NOT NULL FROM conversations "
            "WHERE account = ? AND backend = ? AND remote_id = ?",
            (account, _WEB, valid_text(session_id)),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row is not None else ()

    def _add_row(
        self, db: sqlite3.Connection, account: str, base: Session, *, fetched: str | None
    ) -> int:
        """A conversation the list has not given yet: first of the normal ones."""
        time = to_stored(base.create_time)
        top = db.execute(
            "SELECT MIN(position) FROM conversations WHERE account = ? AND backend = ? "
            "AND pinned_at IS NULL",
            (account, _WEB),
        ).fetchone()[0]
        cur = db.execute(
            "INSERT INTO conversations (id, account, backend, name, created, activity, model, "
            "remote_id, position, service_state, plugin_ids, fetched, stale) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new_id(),
                account,
                _WEB,
                valid_text(base.name),
                time,
                time,
                valid_text(base.model),
                valid_text(base.session_id),
                (top - 1) if isinstance(top, int) else 0,
                int(base.state),
                valid_text(base.plugin_ids),
                fetched,
                1 if fetched is not None else 0,
            ),
        )
        return int(cur.lastrowid or 0)

    def keep_history(self, account: str, detail: ConversationDetail) -> None:
        """Keep a conversation's history as the service gave it (it is then
        fresh); a conversation not cached yet is added."""
        with self._transaction() as db:
            found = self._web_row(db, account, detail.base.session_id)
            if found:
                seq = found[0]
                listed = db.execute(
                    "SELECT activity FROM conversations WHERE seq = ?", (seq,)
                ).fetchone()
                fetched = to_service(str(listed[0]))
            else:
                seq = self._add_row(db, account, detail.base, fetched=None)
                fetched = detail.base.create_time
            existing = db.execute(
                f"SELECT {_CHAT_COLUMNS} FROM messages WHERE conversation = ? ORDER BY seq",
                (seq,),
            ).fetchall()
            chats = detail.histories
            ids = [valid_text(c.chat_id) for c in chats]
            if [str(r[1]) for r in existing] != ids[: len(existing)]:
                db.execute("DELETE FROM messages WHERE conversation = ?", (seq,))
                existing = []
            last: int | None = None
            for row, chat in zip(existing, chats, strict=False):
                values = _chat_values(chat)
                if tuple(row[2:]) != values:
                    db.execute(
                        "UPDATE messages SET role = ?, text = ?, reasoning = ?, model = ?, "
                        "state = ?, created = ?, prompt_tokens = ?, completion_tokens = ?, "
                        "flag = ?, citations = ?, urls = ? WHERE seq = ?",
                        (*values, row[0]),
                    )
                last = int(row[0])
            with bulk_indexing(db):  # a history of thousands: indexed together
                for chat in chats[len(existing) :]:
                    last = self._insert_chat(db, seq, last, chat)
            current = db.execute(
                "SELECT seq FROM messages WHERE conversation = ? AND remote_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                (seq, valid_text(detail.current_chat_id)),
            ).fetchone()
            db.execute(
                "UPDATE conversations SET current = ?, fetched = ?, stale = 0 WHERE seq = ?",
                (current[0] if current is not None else None, fetched, seq),
            )

    @staticmethod
    def _insert_chat(
        db: sqlite3.Connection, conversation: int, parent: int | None, chat: Chat
    ) -> int:
        cur = db.execute(
            "INSERT INTO messages (id, conversation, parent, remote_id, role, text, reasoning, "
            "model, state, created, prompt_tokens, completion_tokens, flag, citations, urls) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), conversation, parent, valid_text(chat.chat_id), *_chat_values(chat)),
        )
        return int(cur.lastrowid or 0)

    def kept_history(self, account: str, session_id: str) -> ConversationDetail | None:
        """The cached history (``None``: none kept), its ``base`` the cached
        list's entry."""
        with self._guard() as db:
            row = db.execute(
                "SELECT c.seq, c.remote_id, c.name, c.activity, c.service_state, c.plugin_ids, "
                "c.model, c.pinned_at, cur.remote_id FROM conversations c "
                "LEFT JOIN messages cur ON cur.seq = c.current "
                "WHERE c.account = ? AND c.backend = ? AND c.remote_id = ? "
                "AND c.fetched IS NOT NULL",
                (account, _WEB, valid_text(session_id)),
            ).fetchone()
            if row is None:
                return None
            chats = db.execute(
                f"SELECT {_CHAT_COLUMNS} FROM messages WHERE conversation = ? ORDER BY seq",
                (row[0],),
            ).fetchall()
        base = Session(
            session_id=str(row[1]),
            name=str(row[2]),
            create_time=to_service(str(row[3])),
            state=int(row[4]),
            plugin_ids=str(row[5]),
            model=str(row[6]),
            pinned=row[7] is not None,
        )
        current = str(row[8]) if row[8] is not None else ROOT
        return ConversationDetail(base, tuple(_chat(r) for r in chats), current)

    def keep_turn(
        self, account: str, session_id: str, question: Chat, answer: Chat, *, name: str = ""
    ) -> None:
        """Add a finished question and answer to the cached history (the
        answer becomes the one to continue from, the conversation the first
        of the normal ones). A conversation not cached yet is added with
        them (marked to be fetched again: the service may hold more); to one
        cached without its history nothing is added (it would read as the
        whole history)."""
        with self._transaction() as db:
            found = self._web_row(db, account, session_id)
            if not found:
                base = Session(session_id, name or question.text[:64], question.create_time)
                seq = self._add_row(db, account, base, fetched=question.create_time)
            elif not found[1]:
                return
            else:
                seq = found[0]
            known = db.execute(
                "SELECT 1 FROM messages WHERE conversation = ? AND remote_id IN (?, ?)",
                (seq, valid_text(question.chat_id), valid_text(answer.chat_id)),
            ).fetchone()
            if known is not None:
                return
            parent = db.execute(
                "SELECT MAX(seq) FROM messages WHERE conversation = ?", (seq,)
            ).fetchone()[0]
            asked = self._insert_chat(db, seq, parent, question)
            answered = self._insert_chat(db, seq, asked, answer)
            db.execute(
                "UPDATE conversations SET current = ?, position = CASE WHEN pinned_at IS NULL "
                "THEN (SELECT COALESCE(MIN(position), 0) - 1 FROM conversations "
                "WHERE account = ? AND backend = ? AND pinned_at IS NULL) ELSE position END "
                "WHERE seq = ?",
                (answered, account, _WEB, seq),
            )
