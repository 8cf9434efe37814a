"""Where the ``Acs-Token`` of a chat request comes from.

The service wants an ``Acs-Token`` header on chat requests. It is made by
browser JavaScript that changes often, so the client does not compute it; a
provider gives it:

- :class:`NoAcsToken` (the default): no token is sent.
- :class:`FixedAcsToken`: a token the user copied, from the config file.
- :class:`CommandAcsToken`: a command the user configured; its standard output
  is the token. It receives ``BAIDUID`` on its standard input, never as an
  argument.
- :class:`UrlAcsToken`: an HTTP URL the user configured. It receives a POST
  with the JSON body ``{"BAIDUID": "…"}`` and answers with the token as plain
  text or as JSON ``{"token": "…"}`` (``acs_token`` and ``Acs-Token`` are
  accepted too). This sends the ``BAIDUID`` cookie to that URL: configure one
  only if you trust it. ``BDUSS_BFESS`` is never sent. A user name and
  password in the URL are sent as HTTP Basic credentials and never shown; the
  whole reply must come within the timeout, and be at most 64 KB.
- :class:`CurlAcsToken`: a file holding a chat request the user copied from
  the browser ("Copy as cURL"); it gives the ``Acs-Token``, the body's
  ``sign`` and ``jt``, and the browser's other cookies (:class:`AcsTokens`).
  The file is read for each question, so copying a fresh request into it
  takes effect at once. These tokens expire: when the service refuses,
  the error says to copy the request again.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import httpx

from ._curl import CurlError, parse_curl
from ._exceptions import NetworkError, ProtocolError, ServerTimeoutError
from ._limits import read_limited
from ._secret import EMPTY, Secret
from ._url import display_url, split_userinfo

__all__ = [
    "AcsTokenProvider",
    "AcsTokens",
    "AcsTokensProvider",
    "CommandAcsToken",
    "CurlAcsToken",
    "FixedAcsToken",
    "NoAcsToken",
    "UrlAcsToken",
    "request_tokens",
]


class AcsTokenProvider(Protocol):
    """Gives the ``Acs-Token`` for the next chat request, or ``None``."""

    async def token(self, baiduid: Secret) -> Secret | None: ...


@dataclass(frozen=True, slots=True)
class AcsTokens:
    """What a chat request carries to show the page made it: the ``Acs-Token``
    header, the body's ``sign`` and ``jt``, and cookies of the browser beside
    the credential's (``ab_sr``, ``XFCS``, …)."""

    acs_token: Secret
    sign: Secret
    jt: Secret = EMPTY
    cookies: tuple[tuple[str, Secret], ...] = ()
    stale_hint: str = ""
    """Added to the error when the service refuses the request (they expire)."""


@runtime_checkable
class AcsTokensProvider(Protocol):
    """A provider that gives the whole :class:`AcsTokens`, not just the header.
    It may check them against the signed-in account's cookies."""

    async def tokens(self, baiduid: Secret, bduss_bfess: Secret) -> AcsTokens | None: ...


async def request_tokens(
    provider: AcsTokenProvider, baiduid: Secret, bduss_bfess: Secret
) -> AcsTokens | None:
    """What the next chat request carries, from any provider: a plain token
    is both the ``Acs-Token`` header and the body's ``sign``."""
    if isinstance(provider, AcsTokensProvider):
        return await provider.tokens(baiduid, bduss_bfess)
    token = await provider.token(baiduid)
    return AcsTokens(token, token) if token else None


class NoAcsToken:
    """Send no ``Acs-Token``."""

    async def token(self, baiduid: Secret) -> Secret | None:
        return None

    def __repr__(self) -> str:
        return "NoAcsToken()"


class FixedAcsToken:
    """The same token on every request."""

    def __init__(self, token: str | Secret) -> None:
        self._token = Secret(token)

    async def token(self, baiduid: Secret) -> Secret | None:
        return self._token

    def __repr__(self) -> str:
        return f"FixedAcsToken({self._token!r})"


class CommandAcsToken:
    """Run a command; its standard output (stripped) is the token."""

    def __init__(self, command: str | list[str], *, timeout: float = 20.0) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("the Acs-Token command is empty")
        self.timeout = timeout

    async def token(self, baiduid: Secret) -> Secret | None:
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:
            raise NetworkError(
                f"The Acs-Token command {self.argv[0]!r} could not be started: "
                f"{exc.strerror or exc}. Check acs_token.command in the config file."
            ) from None
        try:
            out, _ = await asyncio.wait_for(
                proc.communicate(baiduid.reveal().encode() + b"\n"), self.timeout
            )
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise ServerTimeoutError(
                f"The Acs-Token command took longer than {self.timeout:g} s and was stopped."
            ) from None
        if proc.returncode != 0:
            raise ProtocolError(
                f"The Acs-Token command failed (exit code {proc.returncode}); "
                "run it by hand to see why."
            )
        token = out.decode("utf-8", "replace").strip()
        return Secret(token) if token else None

    def __repr__(self) -> str:
        return f"CommandAcsToken({self.argv[0]!r})"


class UrlAcsToken:
    """Ask an HTTP service the user configured (it receives ``BAIDUID``)."""

    MAX_REPLY_BYTES = 64 * 1024
    """The largest reply taken (a token is a few hundred bytes)."""

    def __init__(self, url: str, *, timeout: float = 20.0) -> None:
        self.shown_url = display_url(url)
        self._auth: httpx.BasicAuth | None = None
        userinfo = split_userinfo(url)
        if userinfo is not None:
            url, user, password = userinfo
            self._auth = httpx.BasicAuth(user, password)
        del userinfo
        self.url = url
        """The service's address, without a user name or password."""
        self.timeout = timeout

    async def token(self, baiduid: Secret) -> Secret | None:
        try:
            async with (
                asyncio.timeout(self.timeout),
                httpx.AsyncClient(timeout=self.timeout, auth=self._auth) as client,
                client.stream("POST", self.url, json={"BAIDUID": baiduid.reveal()}) as reply,
            ):
                status = reply.status_code
                body: bytes | bytearray = b""
                if status == 200:
                    body = await read_limited(reply, self.MAX_REPLY_BYTES, "the Acs-Token service")
        except (httpx.TimeoutException, TimeoutError):
            raise ServerTimeoutError(
                "The Acs-Token service did not answer in time. Check acs_token.url."
            ) from None
        except httpx.HTTPError:
            raise NetworkError(
                "The Acs-Token service could not be reached. Check acs_token.url."
            ) from None
        if status != 200:
            raise ProtocolError(
                f"The Acs-Token service answered HTTP {status}. Check acs_token.url."
            )
        text = body.decode("utf-8", "replace").strip()
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                for key in ("token", "acs_token", "Acs-Token", "acsToken"):
                    value = obj.get(key)
                    if isinstance(value, str) and value:
                        return Secret(value)
                data = obj.get("data")
                if isinstance(data, str) and data:
                    return Secret(data)
            raise ProtocolError("The Acs-Token service's reply held no token.")
        return Secret(text) if text else None

    def __repr__(self) -> str:
        return f"UrlAcsToken({self.shown_url!r})"


# -- a request copied from the browser --------------------------------------------------

HOW_TO_COPY = (
    "In the browser, sign in to ERNIE Bot and ask anything; in the developer tools' "
    "Network tab, right-click the conversation/v2 request, choose Copy > Copy as cURL, "
    "and save it to that file. The Acs-Token, sign and jt in it expire, so copy the "
    "request again whenever the service refuses."
)
_IDENTITY = {"BAIDUID", "BAIDUID_BFESS", "BDUSS", "BDUSS_BFESS"}
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[\x21-\x3a\x3c-\x7e]*")  # printable ASCII, no space or ";"
_MADE = re.compile(r"\d{13}_(\d{13})_")


def _age(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


class CurlAcsToken:
    """The tokens of a chat request copied from the browser ("Copy as cURL")
    and saved to a file; see the module docstring."""

    MAX_FILE_BYTES = 1024 * 1024
    """The largest file read (a copied request is a few kilobytes)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"CurlAcsToken({str(self.path)!r})"

    def _error(self, what: str) -> ProtocolError:
        return ProtocolError(f"The copied browser request in {self.path} {what}. {HOW_TO_COPY}")

    def _read(self) -> tuple[str, float]:
        try:
            with self.path.open("rb") as file:
                raw = file.read(self.MAX_FILE_BYTES + 1)
                made = os.fstat(file.fileno()).st_mtime
        except FileNotFoundError:
            raise self._error("is missing: the file does not exist") from None
        except IsADirectoryError:
            raise self._error("is missing: that is a directory, not a file") from None
        except OSError as exc:
            raise self._error(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
        if len(raw) > self.MAX_FILE_BYTES:
            raise self._error("is not one request: the file is larger than 1 MB")
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return raw.decode("utf-16", "replace"), made  # saved by PowerShell
        return raw.decode("utf-8-sig", "replace"), made

    async def token(self, baiduid: Secret) -> Secret | None:
        tokens = await self.tokens(baiduid, EMPTY)
        return tokens.acs_token

    async def tokens(self, baiduid: Secret, bduss_bfess: Secret) -> AcsTokens:
        text, saved = await asyncio.to_thread(self._read)
        try:
            request = parse_curl(text)
        except CurlError as exc:
            raise self._error(f"cannot be read: {exc}") from None
        del text
        body: object = None
        if request.data is not None:
            try:
                body = json.loads(request.data)
            except ValueError:
                body = None
        fields = body if isinstance(body, dict) else {}
        header = request.header("Acs-Token") or ""
        sign, jt = (v if isinstance(v := fields.get(k), str) else "" for k in ("sign", "jt"))
        if not header and not sign:
            raise self._error(
                "has no Acs-Token header and no sign in its body, so it is not the chat "
                "request (conversation/v2, the one sent when you ask)"
            )
        for name, value in (("Acs-Token", header), ("sign", sign)):
            if value and not _VALUE.fullmatch(value):
                raise self._error(f"has a damaged {name}: it holds characters no token has")
        cookies = []
        for name, value in request.cookies:
            if name.upper() in _IDENTITY:
                self._same_account(name.upper(), value, baiduid, bduss_bfess)
            elif _NAME.fullmatch(name) and _VALUE.fullmatch(value):
                cookies.append((name, Secret(value)))
        made = _MADE.match(header or sign)
        if made and 1.5e12 < int(made.group(1)) < 4e12:
            saved = int(made.group(1)) / 1000
        hint = (
            f"The Acs-Token copied in {self.path} is {_age(time.time() - saved)} old, and "
            "these tokens expire: copy the chat request from the browser again (Copy as "
            "cURL) into that file."
        )
        return AcsTokens(
            acs_token=Secret(header or sign),
            sign=Secret(sign or header),
            jt=Secret(jt),
            cookies=tuple(cookies),
            stale_hint=hint,
        )

    def _same_account(self, name: str, value: str, baiduid: Secret, bduss: Secret) -> None:
        """Refuse a request copied from another account (or another browser)."""
        mine = baiduid.reveal().split(":", 1)[0]
        if name in ("BAIDUID", "BAIDUID_BFESS") and mine and value.split(":", 1)[0] != mine:
            raise self._error(
                "comes from another browser: its BAIDUID is not the signed-in one, and "
                "an Acs-Token only works with the BAIDUID it was made for. Copy it from "
                "the browser whose cookies you signed in with, or sign in again with "
                "this browser's cookies (ernie-tui login)"
            )
        if name == "BDUSS_BFESS" and bduss and value != bduss.reveal():
            raise self._error(
                "comes from another Baidu account: its BDUSS_BFESS is not the signed-in "
                "one. Copy it while signed in as this account, or sign in again with "
                "that account's cookies (ernie-tui login)"
            )
