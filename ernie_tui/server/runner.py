"""Running the embedded server: in a background thread (tests, ``--demo``) or
in the foreground (``ernie-tui serve``)."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path

import uvicorn

from .app import ServerState, create_app
from .storage import Store

__all__ = ["ServerThread", "serve_forever"]


def _config(state: ServerState, host: str, port: int, sock: socket.socket | None) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(state),
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


class ServerThread:
    """The embedded server on a loopback port, in a thread of its own.

    ``port=0`` picks a free port; :attr:`base_url` says which. :meth:`stop`
    and :meth:`start` again keep the same port and the same storage, so a test
    can take the server away and bring it back.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate: float = 0.0,
    ) -> None:
        self.state = ServerState(store=store or Store(), rate=rate)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        if self.port == 0:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind((self.host, 0))
                self.port = probe.getsockname()[1]
        self.state.image_base = self.base_url
        server = uvicorn.Server(_config(self.state, self.host, self.port, None))
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve()), name="ernie-server", daemon=True
        )
        self._thread.start()
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the embedded server could not start on {self.base_url}")
            threading.Event().wait(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(
    store: Store | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    db: str | Path | None = None,
    rate: float = 30.0,
) -> None:
    """Serve in the foreground until interrupted (``ernie-tui serve``)."""
    state = ServerState(store=store or Store(db or ":memory:"), rate=rate)
    state.image_base = f"http://{host}:{port}"
    config = _config(state, host, port, None)
    uvicorn.Server(config).run()
