"""``Ernie``: the seed document's synchronous API, on top of :class:`ErnieClient`.

Method names, arguments and return values are exactly the seed's (camelCase,
string ids, plain dicts). Failures raise the client's errors
(:class:`~ernie_tui.api.ErnieError` and its subclasses).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import AsyncGenerator, Coroutine, Generator
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Self, TypeVar

from ._acs import AcsTokenProvider
from ._client import DEFAULT_BASE_URL, ErnieClient
from ._http import Timeouts
from ._models import Chat, Session, Share
from ._secret import Secret

__all__ = ["Ernie"]

T = TypeVar("T")


def _session_dict(s: Session) -> dict[str, Any]:
    return {
        "sessionId": s.session_id,
        "createTime": s.create_time,
        "sessionName": s.name,
        "state": s.state,
        "pluginIds": s.plugin_ids,
    }


def _chat_dict(c: Chat) -> dict[str, Any]:
    return {"chatId": c.chat_id, "role": c.role, "text": c.text, "createTime": c.create_time}


def _share_dict(s: Share) -> dict[str, Any]:
    return {
        "shareId": s.share_id,
        "sessionId": s.session_id,
        "key": s.key,
        "createTime": s.create_time,
        "userId": s.user_id,
    }


def _shutdown(
    loop: asyncio.AbstractEventLoop, thread: threading.Thread, client: ErnieClient | None
) -> None:
    """Close ``client`` on ``loop``, stop the loop, end its thread, close it."""
    if loop.is_closed():
        return
    if thread is threading.current_thread():
        # Dropped inside the loop itself: only ask it to stop.
        loop.call_soon(loop.stop)
        return
    if thread.is_alive():
        if client is not None:
            future = asyncio.run_coroutine_threadsafe(client.aclose(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
    if not thread.is_alive():
        loop.close()


class Ernie:
    """The synchronous ERNIE Bot API of the seed document.

    ``Ernie(BAIDUID, BDUSS_BFESS)`` talks to ``https://yiyan.baidu.com``; pass
    ``base_url`` to talk to another server (such as ``ernie-tui serve``).
    Its calls run on a private event loop in a background thread, so it works
    inside and outside asyncio programs alike. Call :meth:`close` (or use it as
    a context manager) when done.
    """

    def __init__(
        self,
        BAIDUID: str,
        BDUSS_BFESS: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        acs_token: AcsTokenProvider | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        baiduid, bduss = Secret(BAIDUID), Secret(BDUSS_BFESS)
        del BAIDUID, BDUSS_BFESS  # only the masked forms stay in locals
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="ernie-sync-loop", daemon=True
        )
        self._thread.start()
        self._closer: weakref.finalize[Any, Any] | None = None

        async def make() -> ErnieClient:
            return ErnieClient(
                baiduid, bduss, base_url=base_url, acs_token=acs_token, timeouts=timeouts
            )

        try:
            self.client = self._run(make())
        except BaseException:
            _shutdown(self._loop, self._thread, None)
            raise
        # Closes the client and ends the thread when close() is forgotten: on
        # garbage collection, or at interpreter exit at the latest.
        self._closer = weakref.finalize(self, _shutdown, self._loop, self._thread, self.client)

    def __repr__(self) -> str:
        return f"Ernie(base_url={self.client.shown_url!r})"

    @property
    def closed(self) -> bool:
        return self._loop.is_closed()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop.is_closed():
            coro.close()
            raise RuntimeError("this Ernie object is closed")
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt: do not leave it running
            raise

    def close(self) -> None:
        """Close the connections and stop the background thread. Idempotent."""
        if self._closer is not None:
            self._closer()
        else:
            _shutdown(self._loop, self._thread, None)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the seed API --------------------------------------------------------

    def getConversation(self) -> dict[str, Any]:
        """获取会话: ``{"top": [...], "normal": [...]}``."""
        conversations = self._run(self.client.list_conversations())
        return {
            "top": [_session_dict(s) for s in conversations.top],
            "normal": [_session_dict(s) for s in conversations.normal],
        }

    def newConversation(self, name: str) -> str:
        """新建会话: the new session id."""
        return self._run(self.client.new_conversation(name))

    def renameConversation(self, sessionId: str, name: str) -> bool:
        """重命名会话."""
        self._run(self.client.rename_conversation(str(sessionId), name))
        return True

    def deleteConversation(self, sessionId: str) -> bool:
        """删除会话."""
        self._run(self.client.delete_conversation(str(sessionId)))
        return True

    def deleteConversations(self, sessionIds: list[str]) -> bool:
        """批量删除会话."""
        self._run(self.client.delete_conversations([str(s) for s in sessionIds]))
        return True

    def topConversation(self, sessionId: str) -> bool:
        """置顶会话."""
        self._run(self.client.pin_conversation(str(sessionId)))
        return True

    def cancelTopConversation(self, sessionId: str) -> bool:
        """取消置顶会话."""
        self._run(self.client.unpin_conversation(str(sessionId)))
        return True

    def getConversationDetail(self, sessionId: str) -> dict[str, Any] | None:
        """获取会话详情, or ``None`` for an unknown session id."""
        detail = self._run(self.client.get_conversation_detail(str(sessionId)))
        if detail is None:
            return None
        return {
            "base": _session_dict(detail.base),
            "histories": [_chat_dict(c) for c in detail.histories],
            "currentChatId": detail.current_chat_id,
        }

    def getShareConversation(self) -> list[dict[str, Any]]:
        """获取分享会话."""
        return [_share_dict(s) for s in self._run(self.client.list_shares())]

    def deleteShareConversation(self, shareId: str) -> bool:
        """删除分享会话."""
        self._run(self.client.delete_share(str(shareId)))
        return True

    def deleteShareConversations(self, userId: str) -> bool:
        """批量删除分享会话."""
        self._run(self.client.delete_all_shares(str(userId)))
        return True

    def shareConversation(self, sessionId: str, chatIds: list[str]) -> str:
        """分享会话: the share key."""
        return self._run(self.client.share_conversation(str(sessionId), chatIds))

    def askStream(
        self,
        question: str,
        sessionId: str,
        parentChatId: str,
    ) -> Generator[dict[str, Any], None, None]:
        """流提问: yields ``{'answer', 'urls', 'chatId', 'done': False}`` per
        increment, then ``{'answer', 'urls', 'botChatId', 'done': True}``."""
        client = self.client

        async def pieces() -> AsyncGenerator[dict[str, Any], None]:
            async with client.ask_stream(question, str(sessionId), str(parentChatId)) as stream:
                async for piece in stream:
                    yield {
                        "answer": piece.text,
                        "urls": list(piece.urls),
                        "chatId": stream.bot_chat_id,
                        "done": False,
                    }
                answer = stream.answer
                assert answer is not None
                yield {
                    "answer": answer.text,
                    "urls": list(answer.urls),
                    "botChatId": answer.bot_chat_id,
                    "done": True,
                }

        agen = pieces()

        async def step() -> dict[str, Any]:
            return await agen.__anext__()

        try:
            while True:
                try:
                    item = self._run(step())
                except StopAsyncIteration:
                    return
                yield item
        finally:
            if not self._loop.is_closed():
                self._run(agen.aclose())

    def ask(self, question: str, sessionId: str, parentChatId: str) -> dict[str, Any]:
        """提问: ``{'answer', 'urls', 'botChatId'}``."""
        answer = self._run(self.client.ask(question, str(sessionId), str(parentChatId)))
        return {"answer": answer.text, "urls": list(answer.urls), "botChatId": answer.bot_chat_id}
