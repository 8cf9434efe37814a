"""Running the embedded server: in a background thread (tests, ``--demo``) or
in the foreground (``ernie-tui serve``)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from .app import ServerState, create_app
from .storage import Store

__all__ = ["AppThread", "ServerThread", "is_loopback", "listen", "serve_forever"]


def _config(app: ASGIApp, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        loop="asyncio",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=1,
    )


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (``port=0``: a free one); raises
    :class:`OSError` saying which address could not be used, with the original
    ``errno`` (``errno.EADDRINUSE`` when the port is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named TCP, so that asyncio turns Nagle's algorithm off on the
    # connections it accepts (it does only for sockets that say so): each
    # event of a stream leaves when it is written, as from a real server.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except (OSError, OverflowError) as exc:
        sock.close()
        errno = exc.errno if isinstance(exc, OSError) else None
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        raise OSError(errno, f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(False)
    return sock


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AppThread:
    """Any ASGI app served by uvicorn on a loopback port, in a thread of its own.

    ``port=0`` picks a free port; :attr:`base_url` says which. :meth:`stop`
    and :meth:`start` again keep the same port. :meth:`start` raises
    :class:`OSError` at once when the address cannot be bound, and
    :class:`RuntimeError` when the server does not come up within
    ``start_timeout`` seconds.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        start_timeout: float = 10.0,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _before_start(self) -> None:
        """Called once the port is known, before serving starts."""

    def start(self) -> Self:
        if self.running:
            return self
        sock = listen(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._before_start()
        server = uvicorn.Server(_config(self.app, self.host, self.port))
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # SystemExit from uvicorn included
                failure.append(exc)
            finally:
                sock.close()

        thread = threading.Thread(target=run, name=f"ernie-server-{self.port}", daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not server.started:
            if not thread.is_alive():
                self._server = self._thread = None
                reason = f": {failure[0]!r}" if failure else ""
                raise RuntimeError(f"the embedded server on {self.base_url} stopped{reason}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the embedded server on {self.base_url} did not start within "
                    f"{self.start_timeout:g} s"
                )
            thread.join(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (open streams are cut)."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=10)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ServerThread(AppThread):
    """The embedded ERNIE Bot server on a loopback port, in a thread of its own.

    :meth:`stop` and :meth:`start` again keep the same port and the same
    storage, so a test can take the server away and bring it back.
    ``control=True`` opens the control endpoints and the ``X-Ernie-Fault``
    header (tests only); in-process, ``state.faults`` works either way.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate: float = 0.0,
        control: bool = False,
    ) -> None:
        self.state = ServerState(store=store or Store(), rate=rate)
        self.control = control
        super().__init__(create_app(self.state, control=control), host=host, port=port)

    @property
    def store(self) -> Store:
        return self.state.store

    def _before_start(self) -> None:
        self.state.image_base = self.base_url


def serve_forever(
    store: Store | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    db: str | Path | None = None,
    rate: float = 30.0,
    control: bool = False,
    sock: socket.socket | None = None,
) -> None:
    """Serve in the foreground until interrupted (``ernie-tui serve``), on
    ``sock`` when given (bound with :func:`listen`, so the caller learns at once
    whether the address is free), else on ``host:port``."""
    if sock is None:
        sock = listen(host, port)
    port = sock.getsockname()[1]
    state = ServerState(store=store or Store(db or ":memory:"), rate=rate)
    shown = f"[{host}]" if ":" in host else host
    state.image_base = f"http://{shown}:{port}"
    config = _config(create_app(state, control=control), host, port)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
