"""The seam: what the app and the command line ask of a backend.

A backend speaks one service (the ERNIE Bot web protocol today; Qianfan and a
local library next). Everything above it (``core/``, ``tui/``, ``cli``) uses
only this protocol, its results (the frozen dataclasses re-exported from
``api``) and its events; :class:`Capabilities` says what a backend can do, so
the UI hides or explains what it can't.

Errors are those of the ``ErnieError`` tree (``ernie_tui.api``), whatever the
backend: a backend maps its own service's failures onto it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from ..api import Citation, ConversationDetail, Conversations, Session, Share
from ..library import SearchHit

__all__ = [
    "AnswerText",
    "AskEvent",
    "AskStream",
    "Backend",
    "Capabilities",
    "Citation",
    "Citations",
    "Final",
    "Ids",
    "Images",
    "ModelChoice",
    "SearchHit",
    "ThinkingText",
    "Trimmed",
    "Usage",
    "Withheld",
]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do."""

    shares: bool = False
    """Public share links kept by the service (list, create, delete)."""
    server_history: bool = False
    """The service keeps the conversations (else this machine does)."""
    thinking: bool = False
    """Answers may come with reasoning text first."""
    web_search: bool = False
    """Answers may search the web and cite what they found (a toggle)."""
    system_prompt: bool = False
    """A conversation may have a system prompt."""
    search: bool = False
    """Its conversations can be searched on this machine (:meth:`Backend.search`)."""


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """A model the user may choose."""

    id: str
    label: str = ""
    context_tokens: int = 0
    """How many tokens of thread the model takes (0: unknown)."""
    reasoning: bool = False
    """Whether it thinks aloud before answering."""


# -- what an answer stream yields ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThinkingText:
    """An increment of the reasoning shown before the answer."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerText:
    """An increment of the answer's text."""

    text: str


@dataclass(frozen=True, slots=True)
class Images:
    """Images the answer drew or showed, by address."""

    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Citations:
    items: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens the question and the answer took."""

    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class Ids:
    """Where the conversation stands: its id (a new one gets it with the first
    increment) and the answer's id, which the next question continues from."""

    session_id: str
    user_chat_id: str = ""
    bot_chat_id: str = ""


@dataclass(frozen=True, slots=True)
class Final:
    """The answer ended: its authoritative text, and where to continue from."""

    text: str
    urls: tuple[str, ...] = ()
    session_id: str = ""
    user_chat_id: str = ""
    bot_chat_id: str = ""


@dataclass(frozen=True, slots=True)
class Trimmed:
    """The thread was too long for the model: its oldest ``turns`` were left
    out of this question."""

    turns: int


@dataclass(frozen=True, slots=True)
class Withheld:
    """The service withheld part of the answer (``flag != 0``)."""

    flag: int


AskEvent = ThinkingText | AnswerText | Images | Citations | Usage | Ids | Trimmed | Withheld | Final
"""What iterating an :class:`AskStream` yields; :class:`Final` comes last."""


class AskStream(Protocol):
    """An answer being streamed: ``async with backend.ask(...) as stream:
    async for event in stream: ...``. Leaving the block (or :meth:`aclose`)
    stops the answer and closes the connection. Whatever happens, :attr:`text`
    holds the answer so far and the ids say where the conversation stands;
    errors carry what arrived in ``partial``."""

    @property
    def text(self) -> str: ...

    @property
    def session_id(self) -> str: ...

    @property
    def bot_chat_id(self) -> str: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[AskEvent]: ...

    async def aclose(self) -> None: ...


class Backend(Protocol):
    """One service's conversations and answers."""

    capabilities: Capabilities

    @property
    def host(self) -> str:
        """The service as the status line shows it (no password)."""
        ...

    async def aclose(self) -> None: ...

    async def verify(self) -> None:
        """A cheap request that raises ``NotSignedInError`` when the service
        refuses the credential (the sign-in screen's check)."""

    # -- conversations --------------------------------------------------------

    async def list_conversations(self, page_size: int = 1000) -> Conversations: ...

    def listed(self, conversations: Conversations, page_size: int) -> None:
        """A list fetched for this account by another client (the app's
        early fetch at start-up, in a thread of its own): kept as
        :meth:`list_conversations` keeps its own."""

    async def new_conversation(self, name: str) -> str:
        """Create an empty conversation; returns its id."""
        ...

    async def rename(self, session_id: str, name: str) -> None: ...

    async def delete(self, session_ids: Sequence[str]) -> None: ...

    async def set_pinned(self, session_id: str, pinned: bool) -> None: ...

    async def open(self, session: Session) -> ConversationDetail | None:
        """A conversation's messages and the point to continue from, or
        ``None`` when it no longer exists."""
        ...

    def cached_conversations(self) -> Conversations | None:
        """The conversation list as this machine last kept it, at once and
        without the network (``None``: nothing kept). The app shows it at
        start-up and while the service is unreachable."""
        ...

    def cached_detail(self, session: Session) -> ConversationDetail | None:
        """A conversation's history as this machine last kept it, without the
        network (``None``: not kept)."""
        ...

    def search(self, query: str, limit: int = 50) -> tuple[SearchHit, ...]:
        """Where the conversations kept on this machine hold every word of
        ``query`` (where ``capabilities.search``; else nothing). Local and
        fast: one query of the library, safe to call per keystroke."""
        ...

    def ask(
        self, question: str, session_id: str = "", parent: str = "0", *, name: str | None = None
    ) -> AskStream:
        """Ask in a conversation (``session_id`` empty: a new one named
        ``name``), continuing from the answer ``parent``."""
        ...

    # -- shares (where ``capabilities.shares``) --------------------------------------

    async def list_shares(self) -> tuple[Share, ...]: ...

    async def share(self, session_id: str, chat_ids: Sequence[str]) -> str:
        """Share answers of a conversation; returns the link."""
        ...

    async def delete_share(self, share_id: str) -> None: ...

    async def delete_all_shares(self, user_id: str) -> None: ...

    def share_url(self, key: str) -> str: ...

    # -- models, system prompt, web search ---------------------------------------------

    model: str
    """The model new conversations use (a conversation remembers its own)."""
    web_search: bool
    """Whether questions may search the web (where ``capabilities.web_search``)."""

    async def models(self) -> tuple[ModelChoice, ...]:
        """The models to choose from."""
        ...

    def model_of(self, session_id: str) -> str:
        """The model a conversation uses (its own, else :attr:`model`)."""
        ...

    async def set_model(self, session_id: str, model: str) -> None:
        """Use ``model`` in this conversation from now on (empty id: new ones)."""

    async def set_system_prompt(self, session_id: str, prompt: str) -> None:
        """Where ``capabilities.system_prompt``."""

    def system_prompt_of(self, session_id: str) -> str:
        """The conversation's system prompt (empty: none)."""
        ...
