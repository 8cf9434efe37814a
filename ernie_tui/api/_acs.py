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
"""

from __future__ import annotations

import asyncio
import json
import shlex
from typing import Protocol

import httpx

from ._exceptions import NetworkError, ProtocolError, ServerTimeoutError
from ._limits import read_limited
from ._secret import Secret
from ._url import display_url, split_userinfo

__all__ = [
    "AcsTokenProvider",
    "CommandAcsToken",
    "FixedAcsToken",
    "NoAcsToken",
    "UrlAcsToken",
]


class AcsTokenProvider(Protocol):
    """Gives the ``Acs-Token`` for the next chat request, or ``None``."""

    async def token(self, baiduid: Secret) -> Secret | None: ...


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
