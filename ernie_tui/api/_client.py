"""The asynchronous ERNIE Bot client: one ``httpx.AsyncClient`` per object."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
import ssl
import time
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from ._acs import AcsTokenProvider, NoAcsToken
from ._exceptions import (
    ErnieError,
    IncompleteAnswerError,
    NetworkError,
    ProtocolError,
    ReplyTooLargeError,
    ServerTimeoutError,
    http_status_error,
    service_error,
)
from ._limits import MAX_ANSWER_CHARS, Limits, amount, read_limited
from ._models import Answer, AnswerPiece, ConversationDetail, Conversations, Session, Share
from ._parse import (
    parse_detail,
    parse_envelope,
    parse_json,
    parse_sessions,
    parse_shares,
)
from ._secret import Secret
from ._sse import ServerSentEvent, SSEDecoder
from ._text import hold_partial_tag, split_images
from ._url import display_url, split_userinfo

__all__ = ["DEFAULT_BASE_URL", "AnswerStream", "ErnieClient", "Timeouts"]

log = logging.getLogger("ernie_tui.api")

DEFAULT_BASE_URL = "https://yiyan.baidu.com"
DEFAULT_MODEL = "EB35"
ESCAPED_CHAR_BYTES = 12
"""The most bytes one character of answer text takes in a stream's JSON (an
escaped surrogate pair): an answer's final event, which repeats the whole
text, may pass the event limit by this much per character that arrived."""
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


class Timeouts:
    """How long to wait: to connect; for a whole ordinary reply (``request``: a
    deadline from sending the request to the reply's last byte, however
    steadily the bytes come); and, on an answer stream, between two arrivals
    (``idle``: an answer may take as long as it keeps coming)."""

    __slots__ = ("connect", "idle", "request")

    def __init__(self, connect: float = 10.0, request: float = 30.0, idle: float = 60.0) -> None:
        self.connect = connect
        self.request = request
        self.idle = idle

    def __repr__(self) -> str:
        return f"Timeouts(connect={self.connect}, request={self.request}, idle={self.idle})"


@functools.cache
def _tls_context(scheme: str) -> ssl.SSLContext:
    """The TLS settings for a base URL's scheme, built once per process.

    httpx builds a verifying context (loading certifi's CA bundle: ~40 ms) for
    every client, even one that only speaks plain HTTP to a loopback server.
    For ``https`` this is that same context, shared by every client; for
    anything else a bare client context, which verifies everything and trusts
    no CA: the client follows no redirects and only talks to its base URL, so
    it never opens a TLS connection, and would fail closed if it did."""
    if scheme == "https":
        return httpx.create_ssl_context(trust_env=False)
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class _CookieAuth(httpx.Auth):
    """Adds the two cookies to each request at the moment it is sent, so they sit
    in no long-lived header mapping; and the HTTP Basic credentials when the
    base URL held a user name and password."""

    def __init__(self, baiduid: Secret, bduss: Secret, basic: Secret | None = None) -> None:
        self._baiduid = baiduid
        self._bduss = bduss
        self._basic = basic

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        parts = []
        if self._baiduid:
            parts.append(f"BAIDUID={self._baiduid.reveal()}")
        if self._bduss:
            parts.append(f"BDUSS_BFESS={self._bduss.reveal()}")
        if parts:
            request.headers["Cookie"] = "; ".join(parts)
        if self._basic:
            request.headers["Authorization"] = self._basic.reveal()
        yield request

    def __repr__(self) -> str:
        return "_CookieAuth(***)"


def _network_error(exc: httpx.HTTPError, host: str, *, partial: str = "") -> ErnieError:
    if isinstance(exc, httpx.ConnectTimeout):
        return ServerTimeoutError(
            f"Connecting to {host} timed out. Check your network and the server address.",
            partial=partial,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return ServerTimeoutError(
            f"{host} stopped answering (timed out waiting for a reply). Try again.",
            partial=partial,
        )
    if isinstance(exc, httpx.TimeoutException):
        return ServerTimeoutError(f"The request to {host} timed out. Try again.", partial=partial)
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(
            f"Cannot reach {host}: the connection was refused or failed. Check your "
            "network and the server address, then try again.",
            partial=partial,
        )
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return NetworkError(f"The server address {host!r} is not a valid URL.", partial=partial)
    return NetworkError(
        f"The connection to {host} broke ({type(exc).__name__}). Try again.", partial=partial
    )


def _basic_auth(user: str, password: str) -> Secret:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return Secret(f"Basic {token}")


@contextlib.asynccontextmanager
async def _deadline(seconds: float, error: Callable[[], ErnieError]) -> AsyncIterator[None]:
    """Stop the block after ``seconds`` with ``error()``, whatever it awaits."""
    timeout = asyncio.timeout(seconds)
    try:
        async with timeout:
            yield
    except TimeoutError:
        if timeout.expired():
            raise error() from None
        raise


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
            basic = _basic_auth(user, password)
        del userinfo
        self.base_url = given
        """Where requests go: the base URL without a user name or password."""
        self.host = urlsplit(self.shown_url).netloc or self.shown_url
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
        return httpx.AsyncClient(
            base_url=self.base_url,
            auth=_CookieAuth(self.baiduid, self.bduss_bfess, basic),
            headers={
                "User-Agent": USER_AGENT,
                "Origin": "https://yiyan.baidu.com",
                "Referer": "https://yiyan.baidu.com/",
                "Accept": "application/json, text/plain, */*",
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
            },
            timeout=httpx.Timeout(self.timeouts.request, connect=self.timeouts.connect),
            transport=transport,
            verify=_tls_context(urlsplit(self.base_url).scheme.lower()),
            follow_redirects=False,
            trust_env=False,
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
            async with _deadline(self.timeouts.request, self._deadline_passed):
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
            raise _network_error(exc, self.host) from None
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
    ) -> AnswerStream:
        """Ask a question; use as ``async with client.ask_stream(q) as answer``.

        An empty ``session_id`` creates a new conversation named
        ``session_name`` (default: the question).
        """
        return AnswerStream(
            self,
            question,
            session_id or "",
            parent_chat_id or "0",
            session_name if session_name is not None else question,
        )

    async def ask(self, question: str, session_id: str = "", parent_chat_id: str = "0") -> Answer:
        """Ask and wait for the whole answer."""
        async with self.ask_stream(question, session_id, parent_chat_id) as stream:
            async for _ in stream:
                pass
        assert stream.answer is not None
        return stream.answer


class AnswerStream:
    """A streamed answer. Iterate it for :class:`AnswerPiece` increments; when
    it ends, :attr:`answer` holds the authoritative final :class:`Answer`.

    Whatever happens, :attr:`text` holds what arrived so far, and leaving the
    ``async with`` block closes the response. An answer longer than the
    client's ``limits.answer_chars``, or a stream line or event longer than
    ``limits.event_bytes``, stops with :class:`ReplyTooLargeError`, which
    keeps what arrived in ``partial`` like every other error.
    """

    def __init__(
        self,
        client: ErnieClient,
        question: str,
        session_id: str,
        parent_chat_id: str,
        session_name: str,
    ) -> None:
        self._client = client
        self.question = question
        self.session_id = session_id
        self.parent_chat_id = parent_chat_id
        self.session_name = session_name
        self.bot_chat_id = ""
        self.user_chat_id = ""
        self.answer: Answer | None = None
        self._pieces: list[str] = []
        self._urls: list[str] = []
        self._held = ""  # the start of an <img>/<br> tag cut between increments
        self._chars = 0  # the length of the text in _pieces
        self._max_chars = MAX_ANSWER_CHARS  # the client's limit, taken when iterating
        self._decoder: SSEDecoder | None = None
        self._event_limit = 0
        self._response: httpx.Response | None = None

    def __repr__(self) -> str:
        return f"AnswerStream(session_id={self.session_id!r}, chars={len(self.text)})"

    @property
    def text(self) -> str:
        """The answer so far (the final text once it has ended)."""
        if self.answer is not None:
            return self.answer.text
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    @property
    def urls(self) -> tuple[str, ...]:
        return self.answer.urls if self.answer is not None else tuple(self._urls)

    async def __aenter__(self) -> Self:
        client = self._client
        token = await client.acs_token.token(client.baiduid)
        sign = token.reveal() if token else ""
        body = client._body(
            code=0,
            jt="",
            msg="",
            model=client.model,
            parentChatId=self.parent_chat_id,
            pluginInfo=[],
            plugins=[],
            sessionId=self.session_id,
            sessionName=self.session_name,
            sign=sign,
            text=self.question,
            type=10,
        )
        headers = {
            "Content-Type": "application/json",
            "Accept": "text/event-stream, application/json",
        }
        if sign:
            headers["Acs-Token"] = sign
        del sign, token
        request = client._http.build_request(
            "POST",
            "/eb/chat/conversation/v2",
            json=body,
            headers=headers,
            timeout=httpx.Timeout(client.timeouts.idle, connect=client.timeouts.connect),
        )

        def silent() -> ServerTimeoutError:
            return ServerTimeoutError(
                f"{client.host} stopped answering (timed out waiting for a reply). Try again."
            )

        try:
            # The reply's head, however slowly it comes, within the idle timeout
            # (after connecting); the answer then takes as long as it keeps coming.
            async with _deadline(client.timeouts.connect + client.timeouts.idle, silent):
                self._response = await client._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _network_error(exc, client.host) from None
        response = self._response
        if response.status_code != 200:
            await response.aclose()
            raise http_status_error(response.status_code)
        content_type = response.headers.get("content-type", "")
        if "event-stream" not in content_type:
            # An ordinary reply (an error envelope): bounded like any other.
            try:
                async with _deadline(client.timeouts.request, client._deadline_passed):
                    raw = await read_limited(response, client.limits.reply_bytes, client.host)
            except httpx.HTTPError as exc:
                raise _network_error(exc, client.host) from None
            finally:
                await response.aclose()
            parse_envelope(parse_json(raw))
            raise ProtocolError("The service answered with something other than an answer.")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._response is not None:
            await self._response.aclose()

    def __aiter__(self) -> AsyncIterator[AnswerPiece]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[AnswerPiece]:
        response = self._response
        if response is None:
            raise RuntimeError("use 'async with client.ask_stream(...)' before iterating")
        if self.answer is not None:
            return
        self._event_limit = self._client.limits.event_bytes
        decoder = self._decoder = SSEDecoder(self._event_limit)
        self._max_chars = self._client.limits.answer_chars
        handle = self._handle
        # Without a content-encoding the raw bytes are the content: skip httpx's
        # decoding layer, which costs a little on each of thousands of chunks.
        encoded = response.headers.get("content-encoding", "identity") not in ("", "identity")
        chunks = response.aiter_bytes() if encoded else response.aiter_raw()
        try:
            async for chunk in chunks:
                for event in decoder.feed_bytes(chunk):
                    piece = handle(event)
                    if piece is not None:
                        yield piece
                    if self.answer is not None:
                        return
            for event in decoder.flush_bytes():
                piece = handle(event)
                if piece is not None:
                    yield piece
                if self.answer is not None:
                    return
        except httpx.HTTPError as exc:
            err = _network_error(exc, self._client.host, partial=self.text)
            if isinstance(exc, httpx.ReadTimeout):
                err = ServerTimeoutError(
                    f"The answer stalled: nothing arrived for {self._client.timeouts.idle:g} s, "
                    "so it was stopped. What arrived is kept; try again.",
                    partial=self.text,
                )
            raise err from None
        except ReplyTooLargeError as exc:
            log.info("stopped an answer stream: %s", type(exc).__name__)
            raise ReplyTooLargeError(exc.message, limit=exc.limit, partial=self.text) from None
        if self.answer is None:
            raise IncompleteAnswerError(
                "The answer was cut off before it finished; what arrived is kept. "
                "Ask again to get the whole answer.",
                partial=self.text,
            )

    def _handle(self, event: ServerSentEvent) -> AnswerPiece | None:
        try:
            obj = parse_json(event.data)
        except ProtocolError:
            log.info("skipped a malformed stream line (%d chars)", len(event.data))
            return None
        if not isinstance(obj, dict):
            return None
        if "code" not in obj:
            return None  # task_id progress lines and the like
        code = obj.get("code")
        if code not in (0, "0"):
            msg = obj.get("msg")
            try:
                code_int = int(code)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                code_int = -1
            raise service_error(code_int, msg if isinstance(msg, str) else "", partial=self.text)
        data = obj.get("data")
        if not isinstance(data, dict):
            return None
        name = event.event
        if name == "major":
            self._take_major(data)
            return None
        if name != "message":
            return None
        content = data.get("content")
        content = content if isinstance(content, str) else ""
        is_end = data.get("is_end")
        if is_end in (1, "1", True):
            final = data.get("tokens_all")
            if not isinstance(final, str):
                final = self.text + content
            text, urls = split_images(final)
            if len(text) > self._max_chars:
                raise self._too_long()
            self.answer = Answer(
                text=text,
                urls=urls,
                bot_chat_id=self.bot_chat_id,
                session_id=self.session_id,
                user_chat_id=self.user_chat_id,
            )
            self._pieces = [text]
            return None
        if self._held:
            content = self._held + content
            self._held = ""
        if not content:
            return None
        if "<" in content:
            content, self._held = hold_partial_tag(content)
            if not content:
                return None
        text, urls = split_images(content)
        self._pieces.append(text)
        self._chars += len(text)
        if self._chars > self._max_chars:
            raise self._too_long()
        if self._decoder is not None:
            # The final event repeats the whole answer (``tokens_all``), JSON-escaped:
            # its line may be as long as the text that arrived, and no longer.
            self._decoder.max_event = self._event_limit + ESCAPED_CHAR_BYTES * self._chars
        if urls:
            self._urls.extend(urls)
        return AnswerPiece(text=text, urls=urls, chat_id=self.bot_chat_id)

    def _too_long(self) -> ReplyTooLargeError:
        limit = self._max_chars
        return ReplyTooLargeError(
            f"The answer passed {amount(limit, 'characters')} without ending, so the client "
            "stopped it. What arrived is kept.",
            limit=limit,
            partial=self.text,
        )

    def _take_major(self, data: dict[str, Any]) -> None:
        session = data.get("createSessionResponseVoCommonResult")
        if isinstance(session, dict) and isinstance(session.get("data"), dict):
            session_id = session["data"].get("sessionId")
            if session_id not in (None, ""):
                self.session_id = str(session_id)
        chat = data.get("createChatResponseVoCommonResult")
        if isinstance(chat, dict) and isinstance(chat.get("data"), dict):
            bot = chat["data"].get("botChat")
            if isinstance(bot, dict) and bot.get("id") not in (None, ""):
                self.bot_chat_id = str(bot["id"])
            user = chat["data"].get("userChat")
            if isinstance(user, dict) and user.get("id") not in (None, ""):
                self.user_chat_id = str(user["id"])
