"""The asynchronous Qianfan V2 client: one ``httpx.AsyncClient`` per object,
the API key added to each request as it is sent, and the API's requests. The
answer stream is in :mod:`._stream`, the errors in :mod:`._exceptions`."""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from ..api import (
    ErnieError,
    Limits,
    NetworkError,
    ProtocolError,
    ReplyTooLargeError,
    Secret,
    ServerTimeoutError,
    ServiceError,
    Timeouts,
)
from ..api._http import _tls_context, deadline, network_error
from ..api._limits import read_limited
from ..api._net import asyncio_transport
from ..api._url import display_url, split_userinfo
from ._exceptions import KeyRefusedError, ModelsUnavailableError, error_fields, error_for
from ._models import ChatMessage, ChatReply, ModelInfo
from ._parse import loads, parse_models, parse_reply
from ._stream import ChatStream

__all__ = ["CHECK_MODEL", "DEFAULT_BASE_URL", "QianfanClient"]

log = logging.getLogger("ernie_tui.qianfan")

DEFAULT_BASE_URL = "https://qianfan.baidubce.com/v2"
CHECK_MODEL = "ernie-lite-8k"
"""The cheap model a key is checked with when the server lists no models."""
USER_AGENT = "ernie-tui (Qianfan V2 client)"


def _printable(value: str) -> bool:
    return all("!" <= ch <= "~" for ch in value)


class _BearerAuth(httpx.Auth):
    """Adds the API key to each request at the moment it is sent, so it sits in
    no long-lived header mapping."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


class QianfanClient:
    """An asynchronous client of the Qianfan V2 API (or any OpenAI-compatible
    server: ``base_url`` ends with its version path, such as ``/v2``).

    Use it as an async context manager, or call :meth:`aclose` when done. The
    API key is a :class:`~ernie_tui.api.Secret`: no repr, log line or error
    shows it. :attr:`limits` bounds what the client takes from the server.
    The service keeps no conversations: send the whole thread each time.
    """

    def __init__(
        self,
        api_key: Secret | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        appid: str = "",
        timeouts: Timeouts | None = None,
        limits: Limits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        value = Secret(api_key).reveal().strip()
        if value[:7].lower() == "bearer ":  # pasted with its scheme
            value = value[7:].strip()
        key = Secret(value)
        del value
        if not key:
            raise KeyRefusedError("No API key was given. Sign in with your Qianfan API key.")
        if not _printable(key.reveal()):
            raise KeyRefusedError(
                "The API key holds spaces or characters no API key has. Paste it again, whole."
            )
        self._key = key
        given = base_url.strip().rstrip("/")
        self.shown_url = display_url(given)
        """The base URL as it may be shown."""
        if split_userinfo(given) is not None:
            raise NetworkError(
                f"The server address {self.shown_url!r} holds a user name or password; a "
                "Qianfan address takes none (the API key is the credential)."
            )
        parts = urlsplit(given)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise NetworkError(
                f"The server address {self.shown_url!r} is not a valid URL: it starts with "
                f"https:// (or http://) and names a server, as in {DEFAULT_BASE_URL}."
            )
        self.base_url = given
        self.host = urlsplit(self.shown_url).netloc
        """The server, for messages."""
        appid = appid.strip()
        if appid and not _printable(appid):
            raise ErnieError(f"The app id {appid!r} holds characters an app id cannot have.")
        self.appid = appid
        self.timeouts = timeouts or Timeouts()
        self.limits = limits or Limits()
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if appid:
            headers["appid"] = appid
        tls = _tls_context(parts.scheme.lower())
        try:
            self._http = httpx.AsyncClient(
                base_url=given + "/",
                auth=_BearerAuth(key),
                headers=headers,
                timeout=httpx.Timeout(self.timeouts.request, connect=self.timeouts.connect),
                transport=transport if transport is not None else asyncio_transport(tls),
                verify=tls,
                follow_redirects=False,
                trust_env=False,
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise NetworkError(
                f"The server address {self.shown_url!r} is not a valid URL ({exc})."
            ) from None

    def __repr__(self) -> str:
        return f"QianfanClient(base_url={self.shown_url!r}, key={self._key.masked!r})"

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

    def _deadline_passed(self) -> ServerTimeoutError:
        return ServerTimeoutError(
            f"{self.host} did not send its whole reply within {self.timeouts.request:g} s, "
            "so the request was stopped. Try again; if the server is only slow, raise the "
            "request timeout ([timeouts] request in the config file)."
        )

    async def _send(self, request: httpx.Request, wait: float) -> httpx.Response:
        """Send ``request``; its reply's head within ``wait`` seconds."""

        def silent() -> ServerTimeoutError:
            return ServerTimeoutError(
                f"{self.host} stopped answering (timed out waiting for a reply). Try again."
            )

        try:
            async with deadline(wait, silent):
                return await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            log.info("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
            raise network_error(exc, self.host) from None

    async def _read(self, response: httpx.Response) -> bytearray:
        """The body of ``response`` (within the request timeout and
        ``limits.reply_bytes``); closes it."""
        try:
            async with deadline(self.timeouts.request, self._deadline_passed):
                return await read_limited(response, self.limits.reply_bytes, self.host)
        except httpx.HTTPError as exc:
            raise network_error(exc, self.host) from None
        finally:
            await response.aclose()

    def _refusal(
        self,
        status: int | None,
        raw: bytes | bytearray,
        headers: Mapping[str, str] | None,
        model: str = "",
        *,
        fields: tuple[str, str] | None = None,
        partial: str = "",
    ) -> ServiceError:
        """The error for a refusal: HTTP ``status`` with body ``raw``, or an
        error body's ``fields`` that came in place of (or inside) a stream."""
        if fields is None:
            try:
                fields = error_fields(loads(raw))
            except ValueError:
                fields = None
        code, message = fields or ("", "")
        if status == 404 and not code:
            return ServiceError(
                f"Nothing answers at {self.shown_url} (HTTP 404). Check the server address: it "
                f"ends with the API's version path, as in {DEFAULT_BASE_URL}.",
                status=404,
                partial=partial,
            )
        error = error_for(
            status, code, message, headers, model=model, partial=partial, hide=self._key.reveal()
        )
        log.info("the service refused: HTTP %s %s", error.status, type(error).__name__)
        return error

    def _chat_body(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        *,
        stream: bool,
        web_search: bool,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        if not messages:
            raise ValueError("a chat needs at least one message")
        if max_tokens is not None and max_tokens < 1:
            raise ValueError("max_tokens is at least 1")
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
        }
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        if web_search:
            body["web_search"] = {"enable": True, "enable_citation": True, "enable_trace": False}
        if max_tokens is not None:
            body["max_completion_tokens"] = max_tokens
        return body

    # -- the API ---------------------------------------------------------

    async def list_models(self) -> tuple[ModelInfo, ...]:
        """The models the server offers (``GET /models``). Raises
        :class:`ModelsUnavailableError` when it keeps no list (use
        :data:`BUILTIN_MODELS` then), the mapped error when it refuses."""
        request = self._http.build_request("GET", "models")
        async with deadline(self.timeouts.request, self._deadline_passed):
            response = await self._send(request, self.timeouts.request)
            raw = await self._read(response)
        status = response.status_code
        if status in (404, 405, 501):
            raise ModelsUnavailableError(
                f"{self.host} keeps no model list (HTTP {status}).", status=status
            )
        if status != 200:
            raise self._refusal(status, raw, response.headers)
        try:
            models = parse_models(loads(raw))
        except ValueError:
            models = None
        if not models:
            raise ModelsUnavailableError(
                f"{self.host} answered its model list with something else.", status=status
            )
        return models

    async def check_key(self, model: str = CHECK_MODEL) -> None:
        """Whether the service takes the API key: the model list where the
        server has one, else a one-token answer from ``model``. Raises
        :class:`KeyRefusedError` for a refused key, the mapped error for
        anything else that went wrong."""
        try:
            await self.list_models()
            return
        except ModelsUnavailableError:
            pass
        await self.chat(model, [ChatMessage("user", "hi")], max_tokens=1)

    def chat_stream(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        *,
        web_search: bool = False,
        max_tokens: int | None = None,
    ) -> ChatStream:
        """Ask ``model``, given the whole thread ``messages`` (the question
        last); use as ``async with client.chat_stream(...) as stream``.
        ``web_search`` lets the model search and cite the web; ``max_tokens``
        caps the answer's length."""
        body = self._chat_body(
            model, messages, stream=True, web_search=web_search, max_tokens=max_tokens
        )
        return ChatStream(self, body)

    async def chat(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        *,
        web_search: bool = False,
        max_tokens: int | None = None,
    ) -> ChatReply:
        """Ask and wait for the whole answer (one non-streamed reply)."""
        body = self._chat_body(
            model, messages, stream=False, web_search=web_search, max_tokens=max_tokens
        )
        timeouts = self.timeouts
        request = self._http.build_request(
            "POST",
            "chat/completions",
            json=body,
            timeout=httpx.Timeout(timeouts.idle, connect=timeouts.connect),
        )
        # The service composes the whole answer before its reply starts.
        response = await self._send(request, timeouts.connect + timeouts.idle)
        raw = await self._read(response)
        if response.status_code != 200:
            raise self._refusal(response.status_code, raw, response.headers, model)
        try:
            obj = loads(raw)
        except ValueError:
            raise self._not_json() from None
        fields = error_fields(obj)
        if fields is not None:
            raise self._refusal(None, b"", response.headers, model, fields=fields)
        reply = parse_reply(obj)
        if len(reply.text) + len(reply.reasoning) > self.limits.answer_chars:
            raise ReplyTooLargeError(
                "The answer was longer than the client takes, so it was dropped.",
                limit=self.limits.answer_chars,
            )
        return reply

    def _not_json(self) -> ErnieError:
        return ProtocolError(
            f"{self.host} sent a reply that is not JSON; a proxy may have answered instead. "
            "Check the server address."
        )
