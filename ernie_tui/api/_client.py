"""The asynchronous ERNIE Bot client: one ``httpx.AsyncClient`` per object,
and the protocol's requests. The answer stream is in :mod:`._stream`, the
HTTP layer (timeouts, deadlines, the connection pool) in :mod:`._http`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from ._acs import AcsTokenProvider, NoAcsToken
from ._exceptions import (
    ErnieError,
    NetworkError,
    ProtocolError,
    ServerTimeoutError,
    http_status_error,
)
from ._http import Timeouts, basic_auth, deadline, network_error, open_http
from ._limits import Limits, read_limited
from ._models import Answer, ConversationDetail, Conversations, Session, Share
from ._parse import (
    parse_detail,
    parse_envelope,
    parse_json,
    parse_sessions,
    parse_shares,
)
from ._secret import Secret
from ._stream import AnswerStream
from ._url import display_url, host_shown, split_userinfo

__all__ = ["DEFAULT_BASE_URL", "ErnieClient"]

log = logging.getLogger("ernie_tui.api")

DEFAULT_BASE_URL = "https://yiyan.baidu.com"
DEFAULT_MODEL = "EB35"


class ErnieClient:
    """An asynchronous client of the ERNIE Bot web protocol.

    Use it as an async context manager, or call :meth:`aclose` when done.

    A user name and password in ``base_url`` (``https://me:pw@host``) are sent
    as HTTP Basic credentials and never shown: :attr:`base_url` is the address
    without them, :attr:`shown_url` and :attr:`host` have the password masked.
    :attr:`limits` bounds what the client takes from the server.
    """

    def __init__(
        self,
        baiduid: str | Secret,
        bduss_bfess: str | Secret,
        *,
        base_url: str = DEFAULT_BASE_URL,
        acs_token: AcsTokenProvider | None = None,
        timeouts: Timeouts | None = None,
        limits: Limits | None = None,
        model: str = DEFAULT_MODEL,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.baiduid = Secret(baiduid)
        self.bduss_bfess = Secret(bduss_bfess)
        given = base_url.rstrip("/")
        self.shown_url = display_url(given)
        """The base URL as it may be shown: a password in it masked."""
        basic = None
        userinfo = split_userinfo(given)
        if userinfo is not None:
            given, user, password = userinfo
            basic = basic_auth(user, password)
        del userinfo
        self.base_url = given
        """Where requests go: the base URL without a user name or password."""
        self.host = host_shown(base_url)
        self.acs_token: AcsTokenProvider = acs_token or NoAcsToken()
        self.timeouts = timeouts or Timeouts()
        self.limits = limits or Limits()
        self.model = model
        try:
            self._http = self._make_http(basic, transport)
        except httpx.InvalidURL as exc:
            raise NetworkError(
                f"The server address {self.shown_url!r} is not a valid URL ({exc})."
            ) from None

    def _make_http(
        self, basic: Secret | None, transport: httpx.AsyncBaseTransport | None
    ) -> httpx.AsyncClient:
        return open_http(
            self.base_url, self.baiduid, self.bduss_bfess, basic, self.timeouts, transport
        )

    def __repr__(self) -> str:
        return f"ErnieClient(base_url={self.shown_url!r}, account={self.bduss_bfess.masked!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    # -- plumbing --------------------------------------------------------

    @staticmethod
    def _body(**fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"deviceType": "pc", "timestamp": int(time.time() * 1000)}
        body.update(fields)
        return body

    def _deadline_passed(self) -> ServerTimeoutError:
        return ServerTimeoutError(
            f"{self.host} did not send its whole reply within {self.timeouts.request:g} s, "
            "so the request was stopped. Try again; if the server is only slow, raise the "
            "request timeout ([timeouts] request in the config file)."
        )

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One ordinary request: the whole reply within the request timeout, at
        most ``limits.reply_bytes`` of it, parsed."""
        started = time.perf_counter()
        request = self._http.build_request(
            method, path, json=body, headers={"Content-Type": "application/json"}
        )
        try:
            async with deadline(self.timeouts.request, self._deadline_passed):
                response = await self._http.send(request, stream=True)
                try:
                    status = response.status_code
                    if status != 200:
                        raise http_status_error(status)
                    content = await read_limited(response, self.limits.reply_bytes, self.host)
                finally:
                    await response.aclose()
        except httpx.HTTPError as exc:
            log.info("%s %s failed: %s", method, path, type(exc).__name__)
            raise network_error(exc, self.host) from None
        except ErnieError as exc:
            log.info("%s %s failed: %s", method, path, type(exc).__name__)
            raise
        log.debug(
            "%s %s -> %s, %d bytes in %.1f ms",
            method,
            path,
            status,
            len(content),
            (time.perf_counter() - started) * 1000,
        )
        return parse_envelope(parse_json(content))

    # -- conversations -----------------------------------------------------

    async def list_pinned(self) -> tuple[Session, ...]:
        data = await self._call("POST", "/eb/session/top/list", self._body())
        return parse_sessions(data, pinned=True)

    async def list_normal(self, page_size: int = 1000) -> tuple[Session, ...]:
        data = await self._call("POST", "/eb/session/list", self._body(pageSize=page_size))
        return parse_sessions(data, pinned=False)

    async def list_conversations(self, page_size: int = 1000) -> Conversations:
        """Pinned and normal conversations, fetched together; ``page_size`` caps
        the normal ones (the web client asks for 1,000)."""
        top, normal = await asyncio.gather(self.list_pinned(), self.list_normal(page_size))
        pinned_ids = {s.session_id for s in top}
        return Conversations(
            top=top, normal=tuple(s for s in normal if s.session_id not in pinned_ids)
        )

    async def new_conversation(self, name: str) -> str:
        """Create a conversation; returns its id."""
        data = await self._call("POST", "/eb/session/new", self._body(sessionName=name, plugins=[]))
        session_id = data.get("sessionId") if isinstance(data, dict) else None
        if session_id in (None, ""):
            raise ProtocolError("The service created a conversation but sent no id.")
        return str(session_id)

    async def rename_conversation(self, session_id: str, name: str) -> None:
        await self._call(
            "POST", "/eb/session/new", self._body(sessionId=session_id, sessionName=name)
        )

    async def delete_conversation(self, session_id: str) -> None:
        await self._call("POST", "/eb/session/delete", self._body(sessionId=session_id))

    async def delete_conversations(self, session_ids: Sequence[str]) -> None:
        await self._call(
            "POST", "/eb/session/delete", self._body(sessionIds=[str(s) for s in session_ids])
        )

    async def pin_conversation(self, session_id: str) -> None:
        await self._call("POST", "/eb/session/top/move", self._body(sessionId=session_id))

    async def unpin_conversation(self, session_id: str) -> None:
        await self._call("POST", "/eb/session/top/cancel", self._body(sessionId=session_id))

    async def get_conversation_detail(
        self, session_id: str, *, base: Session | None = None, page_size: int = 2000
    ) -> ConversationDetail | None:
        """The history of a conversation, or ``None`` when there is no such
        conversation. Pass ``base`` when the caller already has the session, to
        skip looking it up in the lists."""
        if base is None:
            base = (await self.list_conversations()).find(session_id)
            if base is None:
                return None
        data = await self._call(
            "POST", "/eb/chat/history", self._body(sessionId=session_id, pageSize=page_size)
        )
        return parse_detail(data, base)

    # -- shares ------------------------------------------------------------

    async def list_shares(self) -> tuple[Share, ...]:
        return parse_shares(await self._call("GET", "/eb/share/list"))

    async def delete_share(self, share_id: str) -> None:
        await self._call("DELETE", f"/eb/share/{share_id}", {})

    async def delete_all_shares(self, user_id: str) -> None:
        await self._call("DELETE", "/eb/share/all", {"userId": user_id})

    async def share_conversation(self, session_id: str, chat_ids: Sequence[str]) -> str:
        """Share the given chats of a conversation; returns the share key."""
        data = await self._call(
            "POST",
            "/eb/share/key/gen",
            self._body(sessionId=session_id, botChatId=[str(c) for c in chat_ids]),
        )
        key = data.get("key") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise ProtocolError("The service made a share but sent no share key.")
        return key

    def share_url(self, key: str) -> str:
        """Where a share is viewed: ``{base_url}/share/{key}`` (a link for
        others: never with the base URL's user name or password)."""
        return f"{self.base_url}/share/{key}"

    # -- asking ------------------------------------------------------------

    def ask_stream(
        self,
        question: str,
        session_id: str = "",
        parent_chat_id: str = "0",
        *,
        session_name: str | None = None,
        model: str | None = None,
        web_search: bool = False,
        reasoning: bool = False,
    ) -> AnswerStream:
        """Ask a question; use as ``async with client.ask_stream(q) as answer``.

        An empty ``session_id`` creates a new conversation named
        ``session_name`` (default: the question). ``model`` is the model code
        of the ask body (default: :attr:`model`); a thinking one (``X1…``)
        reasons first: iterating yields its increments too when
        ``reasoning`` is true (pieces with ``reasoning`` set, ``text`` empty),
        and the answer keeps it whole. ``web_search`` lets the answer search
        the web.
        """
        return AnswerStream(
            self,
            question,
            session_id or "",
            parent_chat_id or "0",
            session_name if session_name is not None else question,
            model=model or self.model,
            web_search=web_search,
            reasoning=reasoning,
        )

    async def ask(
        self,
        question: str,
        session_id: str = "",
        parent_chat_id: str = "0",
        *,
        model: str | None = None,
    ) -> Answer:
        """Ask and wait for the whole answer."""
        async with self.ask_stream(question, session_id, parent_chat_id, model=model) as stream:
            async for _ in stream:
                pass
        assert stream.answer is not None
        return stream.answer
