"""Typed results of the ERNIE Bot client: frozen dataclasses, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Answer",
    "AnswerPiece",
    "Chat",
    "ChatState",
    "Citation",
    "ConversationDetail",
    "Conversations",
    "Session",
    "Share",
]

Role = Literal["user", "robot"]
ChatState = Literal["", "complete", "incomplete", "stopped", "streaming"]


@dataclass(frozen=True, slots=True)
class Citation:
    """One reference an answer cites as ``[n]`` (web search)."""

    index: int
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Session:
    """One conversation as the session lists give it."""

    session_id: str
    name: str
    create_time: str = ""
    state: int = 1
    plugin_ids: str = ""
    model: str = ""
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Conversations:
    """The account's conversations: pinned first, then the normal ones."""

    top: tuple[Session, ...] = ()
    normal: tuple[Session, ...] = ()

    def all(self) -> tuple[Session, ...]:
        """Pinned then normal, as the sidebar lists them."""
        return self.top + self.normal

    def find(self, session_id: str) -> Session | None:
        """The session with this id, or ``None``."""
        for session in self.all():
            if session.session_id == session_id:
                return session
        return None


@dataclass(frozen=True, slots=True)
class Chat:
    """One message of a conversation's history.

    ``text`` has ``<img>`` tags removed and ``<br>`` turned into newlines; the
    image sources are in ``urls``.
    """

    chat_id: str
    role: Role
    text: str
    create_time: str = ""
    urls: tuple[str, ...] = ()
    reasoning: str = ""
    """The reasoning a thinking model showed before the answer."""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    flag: int = 0
    """Non-zero: the service withheld part of this answer (a safety intervention)."""
    citations: tuple[Citation, ...] = ()
    state: ChatState = ""
    """``incomplete`` or ``stopped`` for an answer that did not finish."""


@dataclass(frozen=True, slots=True)
class ConversationDetail:
    """A conversation's history, oldest message first."""

    base: Session
    histories: tuple[Chat, ...]
    current_chat_id: str

    @property
    def messages(self) -> tuple[Chat, ...]:
        """The history without the empty placeholder chats the service adds."""
        return tuple(c for c in self.histories if c.text or c.urls or c.role == "user")


@dataclass(frozen=True, slots=True)
class Share:
    """A shared conversation; viewed at ``{base}/share/{key}``."""

    share_id: str
    session_id: str
    key: str
    chat_ids: tuple[str, ...] = ()
    create_time: str = ""
    update_time: str = ""
    user_id: str = ""


@dataclass(frozen=True, slots=True)
class AnswerPiece:
    """One increment of a streamed answer: of its text (``text``, ``urls``), or
    of the reasoning a thinking model shows first (``reasoning``, with ``text``
    empty)."""

    text: str
    urls: tuple[str, ...] = ()
    chat_id: str = ""
    reasoning: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole answer: the authoritative final text and where to continue from.

    ``bot_chat_id`` is the next question's ``parentChatId``.
    """

    text: str
    urls: tuple[str, ...] = field(default_factory=tuple)
    bot_chat_id: str = ""
    session_id: str = ""
    user_chat_id: str = ""
    reasoning: str = ""
    """What a thinking model reasoned before the answer (empty for the others)."""
