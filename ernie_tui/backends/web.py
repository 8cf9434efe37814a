"""The ERNIE Bot web protocol behind the seam: :class:`WebBackend` adapts an
:class:`~ernie_tui.api.ErnieClient`. A question goes with its conversation's
model; a thinking model's reasoning streams as :class:`ThinkingText`.

Given a library, it keeps the account's conversations there as they arrive
(:mod:`.web_cache`): lists and histories, what the user renames, pins and
deletes once the service accepted it, and every finished answer; the app reads
them back without the network and searches them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ..api import ConversationDetail, Conversations, Session, Share
from ..library import Library
from ._base import (
    AnswerText,
    AskEvent,
    Backend,
    Capabilities,
    Final,
    Ids,
    Images,
    ModelChoice,
    SearchHit,
    ThinkingText,
)
from .accounts import web_account_of
from .web_cache import WebCache

if TYPE_CHECKING:
    from ..api import AnswerStream, ErnieClient

__all__ = ["WEB_MODELS", "WebAskStream", "WebBackend", "web_account_of"]


class WebAskStream:
    """An answer of the web protocol as :mod:`backends` events. ``on_session``
    hears the id of the conversation the answer is in, as soon as it is known;
    ``on_final`` the finished answer (and its reasoning), before it is yielded."""

    __slots__ = ("_on_final", "_on_session", "_stream")

    def __init__(
        self,
        stream: AnswerStream,
        on_session: Callable[[str], None] | None = None,
        on_final: Callable[[Final, str], None] | None = None,
    ) -> None:
        self._stream = stream
        self._on_session = on_session
        self._on_final = on_final

    @property
    def text(self) -> str:
        return self._stream.text

    @property
    def session_id(self) -> str:
        return self._stream.session_id

    @property
    def bot_chat_id(self) -> str:
        return self._stream.bot_chat_id

    async def __aenter__(self) -> Self:
        await self._stream.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stream.__aexit__(exc_type, exc, tb)

    async def aclose(self) -> None:
        await self._stream.aclose()

    def __aiter__(self) -> AsyncIterator[AskEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[AskEvent]:
        stream = self._stream
        session_id = stream.session_id
        bot_chat_id = ""
        async for piece in stream:
            if stream.session_id != session_id or stream.bot_chat_id != bot_chat_id:
                if stream.session_id != session_id and self._on_session is not None:
                    self._on_session(stream.session_id)
                session_id, bot_chat_id = stream.session_id, stream.bot_chat_id
                yield Ids(session_id, stream.user_chat_id, bot_chat_id)
            if piece.reasoning:
                yield ThinkingText(piece.reasoning)
            if piece.text:
                yield AnswerText(piece.text)
            if piece.urls:
                yield Images(piece.urls)
        answer = stream.answer
        assert answer is not None  # the stream raises when it ends without one
        final_session = answer.session_id or stream.session_id
        final_bot = answer.bot_chat_id or stream.bot_chat_id
        if final_session != session_id and self._on_session is not None:
            self._on_session(final_session)
        if final_session != session_id or final_bot != bot_chat_id:
            yield Ids(final_session, answer.user_chat_id or stream.user_chat_id, final_bot)
        final = Final(
            answer.text,
            answer.urls,
            final_session,
            answer.user_chat_id or stream.user_chat_id,
            final_bot,
        )
        if self._on_final is not None:
            self._on_final(final, answer.reasoning)
        yield final


WEB_MODELS: tuple[ModelChoice, ...] = (
    ModelChoice("EB35", "ERNIE 3.5"),
    ModelChoice("EB45T", "ERNIE 4.5 Turbo"),
    ModelChoice("X1_1", "ERNIE X1 (thinks before answering)", reasoning=True),
    ModelChoice("EB50", "ERNIE 5.0"),
)
"""The model codes of the web service's ask body (seen in 2025–26)."""


class WebBackend:
    """Conversations kept by the ERNIE Bot web service; with ``cache`` (a
    library) and ``cache_account`` (``"web:…"``, see ``wiring.web_account_of``)
    also on this machine."""

    def __init__(
        self, client: ErnieClient, cache: Library | None = None, cache_account: str = ""
    ) -> None:
        self.client = client
        self.web_search = False
        self.capabilities = Capabilities(
            shares=True, server_history=True, thinking=True, search=cache is not None
        )
        self._cache = WebCache(cache, cache_account) if cache is not None else None
        self._problem = ""
        self._models: dict[str, str] = {}
        """Conversations' own models, for this run (the service's lists do not say)."""

    @property
    def cache(self) -> WebCache | None:
        """What this machine keeps of the account (``None``: nothing)."""
        return self._cache

    @property
    def cache_problem(self) -> str:
        """Why conversations are not (or were last not) kept on this machine,
        in the user's terms ("" when they are)."""
        if self._cache is not None and self._cache.problem:
            return self._cache.problem
        return self._problem

    @cache_problem.setter
    def cache_problem(self, problem: str) -> None:
        self._problem = problem

    @property
    def model(self) -> str:
        return self.client.model

    @model.setter
    def model(self, model: str) -> None:
        self.client.model = model

    async def models(self) -> tuple[ModelChoice, ...]:
        return WEB_MODELS

    def model_of(self, session_id: str) -> str:
        return self._models.get(session_id, self.client.model)

    async def set_model(self, session_id: str, model: str) -> None:
        if session_id:
            self._models[session_id] = model
        else:
            self.client.model = model

    async def set_system_prompt(self, session_id: str, prompt: str) -> None:
        raise NotImplementedError("the web service has no system prompt")

    def system_prompt_of(self, session_id: str) -> str:
        return ""

    def __repr__(self) -> str:
        return f"WebBackend({self.client!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def host(self) -> str:
        return self.client.host

    async def aclose(self) -> None:
        try:
            if self._cache is not None:
                self._cache.flush()
        finally:
            await self.client.aclose()

    async def verify(self) -> None:
        await self.client.list_pinned()

    async def list_conversations(self, page_size: int = 1000) -> Conversations:
        conversations = await self.client.list_conversations(page_size)
        self.listed(conversations, page_size)
        return conversations

    def listed(self, conversations: Conversations, page_size: int) -> None:
        if self._cache is not None:
            # A list as long as its page may have been cut: keep what it
            # holds, delete nothing.
            self._cache.keep_list_soon(
                conversations, complete=len(conversations.normal) < page_size
            )

    async def new_conversation(self, name: str) -> str:
        return await self.client.new_conversation(name)

    async def rename(self, session_id: str, name: str) -> None:
        await self.client.rename_conversation(session_id, name)
        if self._cache is not None:
            self._cache.renamed(session_id, name)

    async def delete(self, session_ids: Sequence[str]) -> None:
        if len(session_ids) == 1:
            await self.client.delete_conversation(session_ids[0])
        else:
            await self.client.delete_conversations(session_ids)
        if self._cache is not None:
            self._cache.forget(session_ids)

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        if pinned:
            await self.client.pin_conversation(session_id)
        else:
            await self.client.unpin_conversation(session_id)
        if self._cache is not None:
            self._cache.pinned(session_id, pinned)

    async def open(self, session: Session) -> ConversationDetail | None:
        detail = await self.client.get_conversation_detail(session.session_id, base=session)
        if self._cache is not None:
            if detail is None:
                self._cache.forget([session.session_id])
            else:
                self._cache.keep_history_soon(detail)  # after the caller has shown it
        return detail

    def cached_conversations(self) -> Conversations | None:
        return self._cache.conversations() if self._cache is not None else None

    def cached_detail(self, session: Session) -> ConversationDetail | None:
        return self._cache.detail(session) if self._cache is not None else None

    def search(self, query: str, limit: int = 50) -> tuple[SearchHit, ...]:
        return self._cache.search(query, limit) if self._cache is not None else ()

    def fresh_histories(self) -> frozenset[str] | None:
        """The conversations whose kept history a sync may skip (``None``:
        nothing is kept on this machine, so there is nothing to sync into)."""
        return self._cache.fresh() if self._cache is not None else None

    def ask(
        self, question: str, session_id: str = "", parent: str = "0", *, name: str | None = None
    ) -> WebAskStream:
        """Ask with the conversation's model (:meth:`model_of`); a new
        conversation keeps the model it was started with."""
        model = self.model_of(session_id)
        stream = self.client.ask_stream(
            question,
            session_id,
            parent,
            session_name=name,
            model=model,
            web_search=self.web_search,
            reasoning=True,
        )

        def remember(new_id: str) -> None:
            if new_id and new_id not in self._models:
                self._models[new_id] = model

        cache = self._cache

        def keep(final: Final, reasoning: str) -> None:
            if cache is not None:
                cache.keep_answer(final, reasoning, question, name or question, model)

        return WebAskStream(stream, None if session_id else remember, keep)

    async def list_shares(self) -> tuple[Share, ...]:
        return await self.client.list_shares()

    async def share(self, session_id: str, chat_ids: Sequence[str]) -> str:
        return self.share_url(await self.client.share_conversation(session_id, chat_ids))

    async def delete_share(self, share_id: str) -> None:
        await self.client.delete_share(share_id)

    async def delete_all_shares(self, user_id: str) -> None:
        await self.client.delete_all_shares(user_id)

    def share_url(self, key: str) -> str:
        return self.client.share_url(key)


if TYPE_CHECKING:

    def _is_a_backend(backend: WebBackend) -> Backend:
        return backend  # mypy checks that WebBackend implements the protocol
