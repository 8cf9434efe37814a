"""The ERNIE Bot web protocol behind the seam: :class:`WebBackend` adapts an
:class:`~ernie_tui.api.ErnieClient`, with no change in behaviour."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ..api import AnswerStream, ConversationDetail, Conversations, ErnieClient, Session, Share
from ._base import AnswerText, AskEvent, Backend, Capabilities, Final, Ids, Images

__all__ = ["WebAskStream", "WebBackend"]


class WebAskStream:
    """An answer of the web protocol as :mod:`backends` events."""

    __slots__ = ("_stream",)

    def __init__(self, stream: AnswerStream) -> None:
        self._stream = stream

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
                session_id, bot_chat_id = stream.session_id, stream.bot_chat_id
                yield Ids(session_id, stream.user_chat_id, bot_chat_id)
            if piece.text:
                yield AnswerText(piece.text)
            if piece.urls:
                yield Images(piece.urls)
        answer = stream.answer
        assert answer is not None  # the stream raises when it ends without one
        final_session = answer.session_id or stream.session_id
        final_bot = answer.bot_chat_id or stream.bot_chat_id
        if final_session != session_id or final_bot != bot_chat_id:
            yield Ids(final_session, answer.user_chat_id or stream.user_chat_id, final_bot)
        yield Final(
            answer.text,
            answer.urls,
            final_session,
            answer.user_chat_id or stream.user_chat_id,
            final_bot,
        )


class WebBackend:
    """Conversations kept by the ERNIE Bot web service."""

    capabilities = Capabilities(shares=True, server_history=True)

    def __init__(self, client: ErnieClient) -> None:
        self.client = client

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
        await self.client.aclose()

    async def verify(self) -> None:
        await self.client.list_pinned()

    async def list_conversations(self, page_size: int = 1000) -> Conversations:
        return await self.client.list_conversations(page_size)

    async def new_conversation(self, name: str) -> str:
        return await self.client.new_conversation(name)

    async def rename(self, session_id: str, name: str) -> None:
        await self.client.rename_conversation(session_id, name)

    async def delete(self, session_ids: Sequence[str]) -> None:
        if len(session_ids) == 1:
            await self.client.delete_conversation(session_ids[0])
        else:
            await self.client.delete_conversations(session_ids)

    async def set_pinned(self, session_id: str, pinned: bool) -> None:
        if pinned:
            await self.client.pin_conversation(session_id)
        else:
            await self.client.unpin_conversation(session_id)

    async def open(self, session: Session) -> ConversationDetail | None:
        return await self.client.get_conversation_detail(session.session_id, base=session)

    def ask(
        self, question: str, session_id: str = "", parent: str = "0", *, name: str | None = None
    ) -> WebAskStream:
        return WebAskStream(self.client.ask_stream(question, session_id, parent, session_name=name))

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
