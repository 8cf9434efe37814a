"""The network under the clients' httpx: asyncio's own streams.

httpx reads a response through httpcore's anyio backend, and anyio's socket
stream turns the socket's reading on and off around every read (two
``epoll_ctl`` calls and a checkpoint each time). A streamed answer is one
small read per event: case 1's stream of the benchmarks, read by the client
alone, took 0.20–0.27 s of CPU that way and 0.18–0.20 s through these
streams. asyncio's ``StreamReader`` keeps reading into its buffer and hands
over what arrived. The same timeouts and the same httpcore errors as the
anyio backend's: httpx turns them into its own errors as before.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from httpcore._utils import is_socket_readable

__all__ = ["AsyncioBackend", "asyncio_transport"]

HAPPY_EYEBALLS_DELAY = 0.25
"""Seconds before trying a host's next address alongside the first (anyio's)."""


class _Stream(httpcore.AsyncNetworkStream):
    """One connection: asyncio's reader and writer of it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("the server sent nothing in time") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("the server took nothing in time") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self._writer.close()
            raise httpcore.ConnectTimeout("the TLS handshake took too long") from None
        except (OSError, ssl.SSLError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        writer = self._writer
        if info == "ssl_object":
            return writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return writer.get_extra_info("sockname")
        if info == "server_addr":
            return writer.get_extra_info("peername")
        if info == "socket":
            return writer.get_extra_info("socket")
        if info == "is_readable":
            # An idle connection the server closed, or sent something on, is
            # not reused. What arrived is in the reader's buffer already, or
            # still in the socket's if the loop has not read it yet.
            buffered = bool(getattr(self._reader, "_buffer", b""))
            return buffered or self._reader.at_eof() or writer.is_closing() or _readable(writer)
        return None


def _readable(writer: asyncio.StreamWriter) -> bool:
    # httpcore's own check, as its anyio backend makes it.
    return is_socket_readable(writer.get_extra_info("socket"))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's connections opened as asyncio streams."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY,
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout("the connection took too long") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock: socket.socket | None = writer.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return _Stream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def asyncio_transport(ssl_context: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """httpx's own transport (its limits, its errors) over :class:`AsyncioBackend`.

    httpx takes no network backend, so its pool is replaced by one built with
    httpx's default limits and this backend (``_pool`` is the attribute every
    httpx from 0.23 on sends through)."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
    limits = httpx.Limits()
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncioBackend(),
    )
    return transport
