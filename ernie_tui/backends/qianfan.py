"""Baidu's official Qianfan V2 API behind the seam: the service keeps no
conversations, so :class:`QianfanBackend` keeps them in the local library and
sends the whole thread (the system prompt, then the turns, trimmed oldest
first to the model's context) with every question.

The question is stored before it is sent and the answer as it streams
(``Library.append_answer``), so a crash, a cut stream or a kill -9 loses
nothing that arrived; an answer that fails is kept marked incomplete, one the
user stops marked stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ..api import ConversationDetail, Conversations, ServiceError, Session, Share
from ..library import ROOT, Library, SearchHit, State
from ..qianfan import (
    BUILTIN_MODELS,
    ChatMessage,
    ChatStream,
    ModelsUnavailableError,
    QianfanClient,
    model_info,
)
from ._base import (
    AnswerText,
    AskEvent,
    Backend,
    Capabilities,
    Citations,
    Final,
    Ids,
    ModelChoice,
    ThinkingText,
    Trimmed,
    Usage,
    Withheld,
)
from .accounts import qianfan_account_of

__all__ = [
    "DEFAULT_MODEL",
    "QianfanAskStream",
    "QianfanBackend",
    "account_of",
    "estimate_tokens",
    "trim_thread",
]

DEFAULT_MODEL = "ernie-4.5-turbo-32k"
ANSWER_ROOM = 0.25
"""The share of a model's context left free for the answer when trimming."""


account_of = qianfan_account_of
"""The library's account for an API key (:func:`.accounts.qianfan_account_of`)."""


def estimate_tokens(text: str) -> int:
    """About how many tokens ``text`` takes: a CJK character is about one, an
    English word about one and a third; three UTF-8 bytes a token is close to
    both and never much under."""
    return len(text.encode("utf-8", "replace")) // 3 + 1


def trim_thread(
    turns: Sequence[tuple[str, str]], question: str, context_tokens: int
) -> tuple[list[ChatMessage], int]:
    """The messages to send (the system prompt first, the newest turns that
    fit, the question last) and how many turns were left out. Empty answers
    (stopped before any text) are left out with their question."""
    system = [ChatMessage("system", text) for role, text in turns if role == "system" and text]
    pairs: list[tuple[str, str]] = []
    pending = ""
    for role, text in turns:
        if role == "user":
            pending = text
        elif role == "assistant" and pending and text:
            pairs.append((pending, text))
            pending = ""
    budget = int(context_tokens * (1 - ANSWER_ROOM))
    budget -= sum(estimate_tokens(m.content) for m in system) + estimate_tokens(question)
    kept: list[tuple[str, str]] = []
    for asked, answered in reversed(pairs):
        cost = estimate_tokens(asked) + estimate_tokens(answered)
        if cost > budget:
            break
        budget -= cost
        kept.append((asked, answered))
    kept.reverse()
    messages = list(system)
    for asked, answered in kept:
        messages += [ChatMessage("user", asked), ChatMessage("assistant", answered)]
    messages.append(ChatMessage("user", question))
    return messages, len(pairs) - len(kept)


class QianfanAskStream:
    """One question to Qianfan, its answer kept in the library as it streams."""

    def __init__(
        self,
        backend: QianfanBackend,
        question: str,
        session_id: str,
        parent: str,
        name: str,
    ) -> None:
        self._backend = backend
        self._question = question
        self._name = name
        self._parent = parent if parent not in ("", "0") else ROOT
        self.session_id = session_id
        self.question_id = ""
        self.bot_chat_id = ""
        self._stream: ChatStream | None = None
        self._trimmed = 0
        self._ended = False

    @property
    def text(self) -> str:
        return self._stream.text if self._stream is not None else ""

    async def __aenter__(self) -> Self:
        backend = self._backend
        library, account = backend.library, backend.account
        if not self.session_id:
            self.session_id = library.new_conversation(account, self._name, model=backend.model)
        model = backend.model_of(self.session_id)
        turns = library.thread(account, self.session_id, self._parent)
        context = backend.context_of(model)
        messages, self._trimmed = trim_thread(turns, self._question, context)
        # Kept before it is sent: nothing the user typed is lost.
        self.question_id = library.add_question(
            account, self.session_id, self._question, self._parent
        )
        self._stream = backend.client.chat_stream(model, messages, web_search=backend.web_search)
        await self._stream.__aenter__()
        self.bot_chat_id = library.start_answer(account, self.session_id, self.question_id, model)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._ended and self.bot_chat_id:
            cancelled = exc_type is None or issubclass(exc_type, asyncio.CancelledError)
            self._end("stopped" if cancelled else "incomplete")
        await self.aclose()

    async def aclose(self) -> None:
        if self._stream is not None:
            await self._stream.aclose()

    def _end(self, state: State) -> None:
        self._ended = True
        backend = self._backend
        backend.library.mark_answer(backend.account, self.bot_chat_id, state)

    def __aiter__(self) -> AsyncIterator[AskEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[AskEvent]:
        stream = self._stream
        assert stream is not None, "use 'async with backend.ask(...)' before iterating"
        backend = self._backend
        library, account, answer = backend.library, backend.account, self.bot_chat_id
        yield Ids(self.session_id, self.question_id, answer)
        if self._trimmed:
            yield Trimmed(self._trimmed)
        async for delta in stream:
            library.append_answer(account, answer, delta.content, delta.reasoning)
            if delta.reasoning:
                yield ThinkingText(delta.reasoning)
            if delta.content:
                yield AnswerText(delta.content)
        citations = stream.citations
        library.finish_answer(
            account,
            answer,
            text=stream.text,
            reasoning=stream.reasoning,
            usage=stream.usage,
            flag=stream.flag,
            citations=citations,
        )
        self._ended = True
        if citations:
            yield Citations(citations)
        if stream.usage is not None:
            yield Usage(stream.usage.prompt_tokens, stream.usage.completion_tokens)
        if stream.flag:
            yield Withheld(stream.flag)
        yield Final(stream.text, (), self.session_id, self.question_id, answer)


class QianfanBackend:
    """Conversations kept on this machine, answered by Qianfan V2."""

    capabilities = Capabilities(
        shares=False,
        server_history=False,
        thinking=True,
        web_search=True,
        system_prompt=True,
        search=True,
    )

    def __init__(
        self,
        client: QianfanClient,
        library: Library,
        account: str,
        *,
        model: str = DEFAULT_MODEL,
        web_search: bool = False,
    ) -> None:
        self.client = client
        self.library = library
        self.account = account
        self.model = model
        self.web_search = web_search
        self._contexts: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"QianfanBackend({self.client!r}, model={self.model!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def host(self) -> str:
        return self.client.host

    async def aclose(self) -> None:
        await self.client.aclose()

    async def verify(self) -> None:
        await self.client.check_key()

    # -- conversations ----------------------------------------------------------------

    async def list_conversations(self, page_size: int = 1000) -> Conversations:
        return self.library.list_conversations(self.account)

    def listed(self, conversations: Conversations, page_size: int) -> None:
        return None  # the list is the library's own

    async def new_conversation(self, name: str) -> str:
        return self.library.new_conversation(self.account, name, model=self.model)

    async def rename(self, session_id: str, name: str) -> None:
        self.library.rename(self.account, session_id, name)

    async def delete(self, session_ids: Sequence[str]) -> None:
        self.library.delete(self.account, session_ids)

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        self.library.set_pinned(self.account, session_id, pinned)

    async def open(self, session: Session) -> ConversationDetail | None:
        return self.library.open(self.account, session.session_id)

    def cached_conversations(self) -> Conversations | None:
        return self.library.list_conversations(self.account)

    def cached_detail(self, session: Session) -> ConversationDetail | None:
        return self.library.open(self.account, session.session_id)

    def search(self, query: str, limit: int = 50) -> tuple[SearchHit, ...]:
        return self.library.search(self.account, query, limit=limit)

    def ask(
        self, question: str, session_id: str = "", parent: str = "0", *, name: str | None = None
    ) -> QianfanAskStream:
        return QianfanAskStream(self, question, session_id, parent, name or question)

    # -- shares: the service has none ----------------------------------------------------

    async def list_shares(self) -> tuple[Share, ...]:
        return ()

    async def share(self, session_id: str, chat_ids: Sequence[str]) -> str:
        raise ServiceError(
            "Qianfan keeps no conversations, so there is no share link to make. "
            "Use Export conversation to save it as Markdown or JSON instead."
        )

    async def delete_share(self, share_id: str) -> None:
        return None

    async def delete_all_shares(self, user_id: str) -> None:
        return None

    def share_url(self, key: str) -> str:
        return ""

    # -- models, system prompt ----------------------------------------------------------

    async def models(self) -> tuple[ModelChoice, ...]:
        try:
            listed = await self.client.list_models()
        except ModelsUnavailableError:
            listed = BUILTIN_MODELS
        for info in listed:
            self._contexts[info.id] = info.context_tokens
        return tuple(
            ModelChoice(m.id, m.id, m.context_tokens, m.reasoning) for m in listed or BUILTIN_MODELS
        )

    def context_of(self, model: str) -> int:
        known = self._contexts.get(model)
        return known if known else model_info(model).context_tokens

    def model_of(self, session_id: str) -> str:
        if session_id:
            conversation = self.library.conversation(self.account, session_id)
            if conversation is not None and conversation.model:
                return conversation.model
        return self.model

    async def set_model(self, session_id: str, model: str) -> None:
        if session_id:
            self.library.set_model(self.account, session_id, model)
        else:
            self.model = model

    async def set_system_prompt(self, session_id: str, prompt: str) -> None:
        self.library.set_system_prompt(self.account, session_id, prompt)

    def system_prompt_of(self, session_id: str) -> str:
        conversation = self.library.conversation(self.account, session_id)
        return conversation.system_prompt if conversation is not None else ""


if TYPE_CHECKING:

    def _is_a_backend(backend: QianfanBackend) -> Backend:
        return backend  # mypy checks that QianfanBackend implements the protocol
