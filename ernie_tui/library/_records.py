"""What the library gives back (frozen dataclasses), what it accepts, and the
small conversions between them and the rows: ids, times, text, citations."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

__all__ = [
    "ENDED",
    "ROOT",
    "CitationLike",
    "Conversation",
    "Message",
    "Reference",
    "Role",
    "SearchHit",
    "State",
    "UsageLike",
    "citations_json",
    "new_id",
    "read_citations",
    "read_time",
    "stamp",
    "valid_text",
]

ROOT = "0"
"""The parent of a conversation's first question (the seam's ``parent="0"``);
an empty string means the same."""

Role = Literal["user", "assistant"]
State = Literal["complete", "streaming", "incomplete", "stopped"]
"""An answer's state: ``streaming`` while it arrives; ``incomplete`` when the
stream broke (or the program died: an answer left ``streaming`` by a crash
reads as ``incomplete``, and so does one another program is still
streaming, until it ends); ``stopped`` when the user stopped it."""

ENDED: tuple[State, ...] = ("complete", "incomplete", "stopped")
"""The states an answer can end in."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One source an answer cites: ``[index]`` in its text."""

    index: int
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation kept in the library."""

    id: str
    name: str
    backend: str
    pinned: bool
    created: datetime
    """When it was created (UTC)."""
    activity: datetime
    """The last question or answer in it, else its creation (UTC)."""
    model: str
    system_prompt: str
    current: str
    """The leaf of the branch shown (a message id), or :data:`ROOT` when empty."""


@dataclass(frozen=True, slots=True)
class Message:
    """A question or an answer."""

    id: str
    parent: str
    """The message it follows, or :data:`ROOT`."""
    role: Role
    text: str
    reasoning: str
    model: str
    state: State
    created: datetime
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    flag: int = 0
    """Non-zero: the service intervened for safety."""
    citations: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One place a search found: a message, or a conversation's name.

    The ids are those the app knows: the web service's for a cached web
    conversation, the library's for its own. ``snippet`` is plain text (the
    match and some words around it, on one line); ``spans`` are the
    ``(start, end)`` offsets in it of what matched the query."""

    conversation: str
    name: str
    message: str
    """The message that matched (empty: the conversation's name matched)."""
    role: Role | None
    time: str
    """When the message was written (else the conversation's last activity),
    ``"%Y-%m-%d %H:%M:%S"`` in the library's zone."""
    snippet: str
    spans: tuple[tuple[int, int], ...] = ()


class UsageLike(Protocol):
    """Tokens an answer took (``backends.Usage`` is one)."""

    @property
    def prompt_tokens(self) -> int: ...

    @property
    def completion_tokens(self) -> int: ...


class CitationLike(Protocol):
    """A cited source (``backends.Citation`` and :class:`Reference` are ones)."""

    @property
    def index(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def url(self) -> str: ...


def new_id() -> str:
    """A new conversation's or message's id: 16 hex digits, random."""
    return secrets.token_hex(8)


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """``text`` as it can be stored: a surrogate pair (two code points) becomes
    the character it encodes, a lone surrogate (which JSON can carry and UTF-8
    cannot) becomes U+FFFD; everything else is kept exactly."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def stamp(moment: datetime) -> str:
    """A time as stored: ISO 8601 in UTC, to the microsecond (a naive time is
    taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def read_time(text: str) -> datetime:
    """A stored time (UTC); one that does not parse reads as the epoch."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def citations_json(citations: Iterable[CitationLike]) -> str:
    return json.dumps(
        [
            {"index": int(c.index), "title": valid_text(c.title), "url": valid_text(c.url)}
            for c in citations
        ],
        ensure_ascii=False,
    )


def read_citations(text: str) -> tuple[Reference, ...]:
    """The stored citations; anything unreadable is skipped."""
    try:
        raw = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("index"), int):
            title, url = item.get("title", ""), item.get("url", "")
            out.append(Reference(item["index"], str(title), str(url)))
    return tuple(out)
