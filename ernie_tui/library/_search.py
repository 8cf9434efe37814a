"""Search over an account's conversations: their names and every message.

:meth:`SearchMethods.search` takes what a user types: words separated by
white space, each of which must be found (in any case) inside a name or a
message. Chinese words match inside a longer run of text (``周报`` in
``帮我写一份周报的提纲``), English words match any word they begin (``week``
finds "weekly") and any text they are part of; a query may mix both. Nothing
in a query is syntax: quotes, ``*``, ``AND``, ``NEAR(`` or ``-x`` are words.

How a word is found (the indexes are made by the last step of
:data:`~._schema.MIGRATIONS`):

- A word of three or more characters is looked up in the trigram index of
  the messages (``message_index``) or names (``name_index``), as an FTS5
  phrase in quotes.
- A word of one or two characters is a prefix of the trigrams that begin at
  each place it occurs (every value is indexed with two spaces after it).
  When a longer word narrows the search, the short ones are checked with
  ``LIKE`` on those candidates. When there is no longer word and the short
  word's trigrams are few (a rare word), the index finds its messages through
  them; when they are many (a common word), the account's messages are read
  newest first until enough hold every word, which a common word makes quick.
- An answer still streaming (or left streaming by a program that died) is
  not in the index yet: those few rows are checked with ``LIKE``.

Message hits come newest first (by when the message was written), then
conversations whose name matches, by last activity. Every hit is checked
against its text once more, so a hit always shows the words it was found by.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from ..sanitize import clean_line
from ._base import Base
from ._records import SearchHit, valid_text

__all__ = ["SearchMethods", "fold", "make_snippet", "query_terms"]

_SNIPPET_BEFORE = 30
_SNIPPET_LENGTH = 120
_SPACE = re.compile(r"\s+")

#: A short word is looked up through its trigrams when it begins at most this
#: many distinct ones …
_MAX_TRIGRAMS = 200
#: … in at most this many messages in all; else the messages are read newest
#: first (a word that common is found in the first few hundred).
_MAX_TRIGRAM_DOCS = 5000

_MESSAGE_COLUMNS = (
    "m.seq, m.created, COALESCE(c.remote_id, c.id), c.name, COALESCE(m.remote_id, m.id), "
    "m.role, m.text"
)
_NAME_COLUMNS = "COALESCE(c.remote_id, c.id), c.name, c.activity"


def fold(text: str) -> str:
    """``text`` in lower case, as the index compares it, with each character
    where it was (so offsets in one are offsets in the other)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def query_terms(query: str) -> list[str]:
    """The words of a query, folded, each once, longest first; a word that
    lies inside a longer one is dropped (it adds nothing). Empty: nothing
    to find."""
    words = _SPACE.split(fold(valid_text(query).replace("\x00", " ")).strip())
    unique = sorted(dict.fromkeys(w for w in words if w), key=len, reverse=True)
    kept: list[str] = []
    for word in unique:
        if not any(word in longer for longer in kept):
            kept.append(word)
    return kept


def _phrase(text: str) -> str:
    """``text`` as an FTS5 string: a phrase, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _likes(column: str, terms: Sequence[str]) -> str:
    return "".join(f" AND {column} LIKE ? ESCAPE '\\'" for _ in terms)


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def make_snippet(text: str, terms: Sequence[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line piece of ``text`` around the first match of ``terms``
    (folded, as :func:`query_terms` gives them), made safe to show (no
    control characters or escape sequences), and where each term matched in
    it (overlapping matches merged)."""
    folded = fold(text)
    first = min((i for i in (folded.find(t) for t in terms if t) if i >= 0), default=0)
    # Cleaning and flattening only shorten the text: a generous raw window
    # around the match is enough, and a long message is not cleaned whole.
    low = max(0, first - 4 * _SNIPPET_BEFORE)
    high = min(len(text), first + 2 * _SNIPPET_LENGTH)
    flat = _SPACE.sub(" ", clean_line(text[low:high]))
    if low == 0:
        flat = flat.lstrip()
    if high == len(text):
        flat = flat.rstrip()
    window = fold(flat)
    at = min((i for i in (window.find(t) for t in terms if t) if i >= 0), default=0)
    start = max(0, at - _SNIPPET_BEFORE)
    end = min(len(flat), start + _SNIPPET_LENGTH)
    prefix = "…" if start > 0 or low > 0 else ""
    suffix = "…" if end < len(flat) or high < len(text) else ""
    window = window[start:end]
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = window.find(term) if term else -1
        while found >= 0:
            spans.append((len(prefix) + found, len(prefix) + found + len(term)))
            found = window.find(term, found + 1)
    return prefix + flat[start:end] + suffix, _merged(spans)


class SearchMethods(Base):
    def search(self, account: str, query: str, *, limit: int = 50) -> tuple[SearchHit, ...]:
        """Where the account's conversations hold every word of ``query``:
        matching messages, newest first, then conversations whose name
        matches, by last activity. At most ``limit`` hits; an empty query
        finds nothing; no query raises."""
        terms = query_terms(query)
        if not terms or limit <= 0:
            return ()
        self.flush()
        with self._guard() as db:
            messages = self._message_rows(db, account, terms, limit)
            names = self._name_rows(db, account, terms, limit - len(messages))
        hits: list[SearchHit] = []
        for conversation, name, message, role, created, text in messages:
            snippet, spans = make_snippet(text, terms)
            hits.append(
                SearchHit(
                    conversation=conversation,
                    name=name,
                    message=message,
                    role="user" if role == "user" else "assistant",
                    time=self._shown(created),
                    snippet=snippet,
                    spans=spans,
                )
            )
        for conversation, name, activity in names:
            snippet, spans = make_snippet(name, terms)
            hits.append(
                SearchHit(
                    conversation=conversation,
                    name=name,
                    message="",
                    role=None,
                    time=self._shown(activity),
                    snippet=snippet,
                    spans=spans,
                )
            )
        return tuple(hits)

    # -- messages ---------------------------------------------------------------

    def _message_rows(
        self, db: sqlite3.Connection, account: str, terms: list[str], limit: int
    ) -> list[tuple[str, str, str, str, str, str]]:
        """``(conversation, name, message, role, created, text)`` of the
        messages holding every term, newest first, at most ``limit``."""
        long = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3]
        joined = "JOIN conversations c ON c.seq = m.conversation"
        order = "ORDER BY m.created DESC, m.seq DESC LIMIT ?"
        match = " ".join(_phrase(t) for t in long) if long else self._short_match(db, short)
        found = 0
        if match:
            found = int(
                db.execute(
                    "SELECT count(*) FROM message_index WHERE message_index MATCH ?", (match,)
                ).fetchone()[0]
            )
        rows: list[tuple[object, ...]] = []
        if match is None or (found and found * found > limit * self._message_count(db)):
            # Many messages match: reading them newest first finds enough soon,
            # sooner than sorting every match.
            where = "" if match is None else " AND m.seq IN (SELECT rowid FROM message_index "
            where += "" if match is None else "WHERE message_index MATCH ?)"
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages m INDEXED BY messages_by_created "
                f"{joined} WHERE c.account = ?{where}{_likes('m.text', short)} {order}",
                (account, *([] if match is None else [match]), *map(_like, short), limit),
            ).fetchall()
        elif found:
            # CROSS JOIN: the index leads (SQLite keeps that order); the
            # newest are chosen on the keys alone, then their rows are read.
            rows = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM (SELECT m.seq AS seq FROM message_index i "
                f"CROSS JOIN messages m ON m.seq = i.rowid {joined} "
                f"WHERE message_index MATCH ? AND c.account = ?{_likes('m.text', short)} {order}"
                f") AS top CROSS JOIN messages m ON m.seq = top.seq {joined} {order}",
                (match, account, *map(_like, short), limit, limit),
            ).fetchall()
        streaming = db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m INDEXED BY messages_streaming {joined} "
            f"WHERE m.state = 'streaming' AND c.account = ?{_likes('m.text', terms)} {order}",
            (account, *map(_like, terms), limit),
        ).fetchall()
        if streaming:
            seen = {r[0] for r in rows}
            rows = sorted(
                [*rows, *(r for r in streaming if r[0] not in seen)],
                key=lambda r: (str(r[1]), str(r[0]).zfill(20)),
                reverse=True,
            )
        out = []
        for _, created, conversation, name, message, role, text in rows:
            text = str(text)
            if _holds(text, terms):
                out.append(
                    (str(conversation), str(name), str(message), str(role), str(created), text)
                )
        return out[:limit]

    @staticmethod
    def _message_count(db: sqlite3.Connection) -> int:
        """About how many messages the file holds (at once: the last rowid)."""
        return int(db.execute("SELECT COALESCE(max(seq), 0) FROM messages").fetchone()[0])

    def _short_match(self, db: sqlite3.Connection, short: list[str]) -> str | None:
        """An FTS5 query that finds the messages holding the rarest of the
        short words (``""``: one of them occurs nowhere), or ``None`` when each
        is so common that reading the messages newest first is quicker."""
        best: list[str] | None = None
        best_docs = _MAX_TRIGRAM_DOCS + 1
        for term in short:
            rows = db.execute(
                "SELECT term, doc FROM message_trigrams WHERE term >= ? AND term <= ? LIMIT ?",
                (term, term + "\U0010ffff", _MAX_TRIGRAMS + 1),
            ).fetchall()
            if not rows:
                return ""
            docs = sum(int(r[1]) for r in rows)
            if len(rows) <= _MAX_TRIGRAMS and docs < best_docs:
                best, best_docs = [str(r[0]) for r in rows], docs
        if best is None:
            return None
        return " OR ".join(_phrase(t) for t in best)

    # -- names ------------------------------------------------------------------

    def _name_rows(
        self, db: sqlite3.Connection, account: str, terms: list[str], limit: int
    ) -> list[tuple[str, str, str]]:
        """``(conversation, name, activity)`` of the conversations whose name
        holds every term, the last active first, at most ``limit``."""
        if limit <= 0:
            return []
        long = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3]
        order = "ORDER BY c.activity DESC, c.seq DESC LIMIT ?"
        if long:
            rows = db.execute(
                f"SELECT {_NAME_COLUMNS} FROM name_index n CROSS JOIN conversations c "
                "ON c.seq = n.rowid WHERE name_index MATCH ? AND c.account = ?"
                f"{_likes('c.name', short)} {order}",
                (" ".join(_phrase(t) for t in long), account, *map(_like, short), limit),
            ).fetchall()
        else:
            # An account's names are few and short: read them all.
            rows = db.execute(
                f"SELECT {_NAME_COLUMNS} FROM conversations c "
                f"WHERE c.account = ?{_likes('c.name', short)} {order}",
                (account, *map(_like, short), limit),
            ).fetchall()
        return [
            (str(conversation), str(name), str(activity))
            for conversation, name, activity in rows
            if _holds(str(name), terms)
        ]


def _holds(text: str, terms: Sequence[str]) -> bool:
    folded = fold(text)
    return all(t in folded for t in terms)
