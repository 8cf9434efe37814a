"""Search over an account's conversations: their names and every message.

:meth:`SearchMethods.search` takes what a user types: words separated by
spaces, each to be found (in any case) inside a name or a message; Chinese
words match inside a longer run of text, English words match any word they
begin (and any text they are part of).
"""

from __future__ import annotations

import re

from ._base import Base
from ._records import SearchHit

__all__ = ["SearchMethods", "make_snippet", "query_terms"]

_SNIPPET_BEFORE = 30
_SNIPPET_LENGTH = 120
_SPACE = re.compile(r"\s+")


def query_terms(query: str) -> list[str]:
    """The words of a query, each once, longest first (empty: nothing to find)."""
    seen: dict[str, None] = {}
    for word in _SPACE.split(query.strip()):
        if word:
            seen.setdefault(word.casefold(), None)
    return sorted(seen, key=len, reverse=True)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def make_snippet(text: str, terms: list[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line piece of ``text`` around the first match of ``terms``, and
    where each term matched in it."""
    flat = _SPACE.sub(" ", text).strip()
    folded = flat.casefold()
    # casefold() can change lengths (ß → ss); then offsets are found in the
    # lower-cased text, which keeps them.
    if len(folded) != len(flat):
        folded = flat.lower()
    first = min(
        (i for i in (folded.find(t) for t in terms) if i >= 0),
        default=0,
    )
    start = max(0, first - _SNIPPET_BEFORE)
    end = min(len(flat), start + _SNIPPET_LENGTH)
    piece = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    spans: list[tuple[int, int]] = []
    window = folded[start:end]
    for term in terms:
        at = window.find(term)
        while at >= 0 and term:
            spans.append((len(prefix) + at, len(prefix) + at + len(term)))
            at = window.find(term, at + len(term))
    return prefix + piece + suffix, tuple(sorted(set(spans)))


class SearchMethods(Base):
    def search(self, account: str, query: str, *, limit: int = 50) -> tuple[SearchHit, ...]:
        """Where the account's conversations hold every word of ``query``:
        matching messages, newest first, then conversations whose name
        matches. At most ``limit`` hits; an empty query finds nothing."""
        terms = query_terms(query)
        if not terms or limit <= 0:
            return ()
        self.flush()
        where = " AND ".join("m.text LIKE ? ESCAPE '\\'" for _ in terms)
        names = " AND ".join("c.name LIKE ? ESCAPE '\\'" for _ in terms)
        likes = [_like(t) for t in terms]
        with self._guard() as db:
            rows = db.execute(
                "SELECT COALESCE(c.remote_id, c.id), c.name, COALESCE(m.remote_id, m.id), "
                "m.role, m.created, m.text FROM messages m "
                "JOIN conversations c ON c.seq = m.conversation "
                f"WHERE c.account = ? AND {where} ORDER BY m.created DESC, m.seq DESC LIMIT ?",
                (account, *likes, limit),
            ).fetchall()
            named = db.execute(
                "SELECT COALESCE(c.remote_id, c.id), c.name, c.activity FROM conversations c "
                f"WHERE c.account = ? AND {names} ORDER BY c.activity DESC LIMIT ?",
                (account, *likes, limit),
            ).fetchall()
        hits: list[SearchHit] = []
        for conversation, name, message, role, created, text in rows:
            snippet, spans = make_snippet(str(text), terms)
            hits.append(
                SearchHit(
                    conversation=str(conversation),
                    name=str(name),
                    message=str(message),
                    role="user" if role == "user" else "assistant",
                    time=self._shown(str(created)),
                    snippet=snippet,
                    spans=spans,
                )
            )
        for conversation, name, activity in named[: max(0, limit - len(hits))]:
            snippet, spans = make_snippet(str(name), terms)
            hits.append(
                SearchHit(
                    conversation=str(conversation),
                    name=str(name),
                    message="",
                    role=None,
                    time=self._shown(str(activity)),
                    snippet=snippet,
                    spans=spans,
                )
            )
        return tuple(hits)
