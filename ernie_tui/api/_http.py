"""The HTTP layer under the client: its timeouts, the ``httpx.AsyncClient`` it
sends through (headers, cookies, TLS), deadlines, and httpx's errors told as
the client's own."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import ssl
from collections.abc import AsyncIterator, Callable, Generator
from urllib.parse import urlsplit

import httpx

from ._exceptions import ErnieError, NetworkError, ServerTimeoutError
from ._net import asyncio_transport
from ._secret import Secret

__all__ = ["Timeouts", "basic_auth", "deadline", "network_error", "open_http", "origin_of"]

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


class Timeouts:
    """How long to wait: to connect; for a whole ordinary reply (``request``: a
    deadline from sending the request to the reply's last byte, however
    steadily the bytes come); and, on an answer stream, between two arrivals
    (``idle``: an answer may take as long as it keeps coming). A thinking
    model's reasoning (``thought`` events) arrives like the answer, so each
    increment of it starts the idle wait again: a minute of thinking or more
    is no stall while it keeps coming, and the 60 s default allows a minute
    of silence."""

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
        extra = request.headers.get("Cookie")
        if extra:  # the browser's other cookies, set by the request (a copied one's)
            parts.append(extra)
        if parts:
            request.headers["Cookie"] = "; ".join(parts)
        if self._basic:
            request.headers["Authorization"] = self._basic.reveal()
        yield request

    def __repr__(self) -> str:
        return "_CookieAuth(***)"


def basic_auth(user: str, password: str) -> Secret:
    """The ``Authorization`` header value for HTTP Basic credentials."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return Secret(f"Basic {token}")


def origin_of(base_url: str) -> str:
    """``scheme://host[:port]`` of a base URL (given without a user name or
    password): the page's origin."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else base_url


def open_http(
    base_url: str,
    baiduid: Secret,
    bduss: Secret,
    basic: Secret | None,
    timeouts: Timeouts,
    transport: httpx.AsyncBaseTransport | None,
) -> httpx.AsyncClient:
    """The connection pool a client sends through: the web client's headers,
    the cookies added per request, the request and connect timeouts, no
    redirects and nothing taken from the environment. ``Origin`` and
    ``Referer`` name the configured host, as the web page does."""
    origin = origin_of(base_url)
    tls = _tls_context(urlsplit(base_url).scheme.lower())
    return httpx.AsyncClient(
        base_url=base_url,
        auth=_CookieAuth(baiduid, bduss, basic),
        headers={
            "User-Agent": USER_AGENT,
            "Origin": origin,
            "Referer": f"{origin}/",
            "Device-Type": "pc",
            "Accept": "application/json, text/plain, */*",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
        },
        timeout=httpx.Timeout(timeouts.request, connect=timeouts.connect),
        transport=transport if transport is not None else asyncio_transport(tls),
        verify=tls,
        follow_redirects=False,
        trust_env=False,
    )


def network_error(exc: httpx.HTTPError, host: str, *, partial: str = "") -> ErnieError:
    """httpx's ``exc`` as the client's own error, told in the user's terms."""
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
    if isinstance(exc, httpx.ConnectError) and (refused := _certificate_refused(exc)):
        return NetworkError(
            f"Cannot reach {host} securely: its certificate is not trusted ({refused}). "
            "A proxy or firewall that inspects HTTPS on your network can cause this.",
            partial=partial,
        )
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


def _certificate_refused(exc: BaseException) -> str:
    """Why the server's certificate was refused, if that is what ``exc``
    (or an error it was raised from) says; empty if not."""
    seen: BaseException | None = exc
    for _ in range(8):  # httpx's error, httpcore's, the ssl module's
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or "it could not be verified"
        seen = seen.__cause__ or seen.__context__
    return ""


@contextlib.asynccontextmanager
async def deadline(seconds: float, error: Callable[[], ErnieError]) -> AsyncIterator[None]:
    """Stop the block after ``seconds`` with ``error()``, whatever it awaits."""
    timeout = asyncio.timeout(seconds)
    try:
        async with timeout:
            yield
    except TimeoutError:
        if timeout.expired():
            raise error() from None
        raise
