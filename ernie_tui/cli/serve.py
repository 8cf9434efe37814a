"""``ernie-tui serve``, the embedded ERNIE Bot server, and the demo server
that ``ernie-tui --demo`` starts in the app's own process."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .exits import EXIT_OK, EXIT_PORT_TAKEN, EXIT_USAGE, Fail
from .output import err

if TYPE_CHECKING:
    from ..credentials import Credential

__all__ = ["serve", "start_demo"]


def _serve_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise Fail(
            f"invalid port {text!r}: give a number from 0 to 65535 (0: any free port).",
            EXIT_USAGE,
        )
    return port


def serve(args: argparse.Namespace) -> int:
    import errno
    import sqlite3

    from ..server import (
        DEMO_BDUSS,
        StorageError,
        Store,
        is_loopback,
        listen,
        seed_demo,
        serve_forever,
    )

    port = _serve_port(args.port)
    host = args.host.strip()
    if not host:
        raise Fail("--host is empty: give an address, e.g. 127.0.0.1.", EXIT_USAGE)
    try:
        store = Store(args.db or ":memory:")
    except StorageError as exc:
        raise Fail(f"{exc} Nothing was changed.", EXIT_USAGE) from None
    try:
        sock = listen(host, port)
    except OSError as exc:
        store.close()
        if exc.errno == errno.EADDRINUSE:
            raise Fail(
                f"port {port} on {host} is taken: another program (another `ernie-tui "
                "serve`?) listens there. Stop it, or choose another port with --port.",
                EXIT_PORT_TAKEN,
            ) from None
        raise Fail(f"{exc.strerror or exc}.", EXIT_USAGE) from None
    port = sock.getsockname()[1]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    if not is_loopback(host):
        demo = " and holds the demo account (--seed-demo)" if args.seed_demo else ""
        err(
            f"warning: serving on {host}, reachable from the network: this server takes "
            f"any cookie as an account{demo}, so anyone who can reach this machine can "
            "read and change what it stores. Use --host 127.0.0.1 to keep it to this machine."
        )
    if args.faults:
        err(
            "warning: --faults: the control endpoints are open; anyone who can reach the "
            "server can break or replace the answers of every account. For tests only."
        )
    if args.seed_demo:
        try:
            seed_demo(store, image_base=url)
        except sqlite3.Error as exc:
            sock.close()
            raise Fail(f"cannot fill the demo account in {args.db!r}: {exc}.") from None
        print(f"demo account: BDUSS_BFESS={DEMO_BDUSS}", file=sys.stderr)
    print(f"ernie-tui server on {url}", file=sys.stderr, flush=True)
    serve_forever(store, host=host, rate=args.rate, control=args.faults, sock=sock)
    return EXIT_OK


def start_demo() -> tuple[str, Credential]:
    """Start the embedded server in this process on a free loopback port, with
    the demo account filled; returns its base URL and the demo credential."""
    from ..api import Secret
    from ..credentials import Credential
    from ..server import DEMO_BAIDUID, DEMO_BDUSS, ServerThread, Store, seed_demo

    server = ServerThread(Store(), rate=30.0).start()
    seed_demo(server.store, image_base=server.base_url)
    return server.base_url, Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "demo")
