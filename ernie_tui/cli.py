"""The ``ernie-tui`` command: the app, the embedded server, and subcommands
for scripts. Heavy modules are imported only by the command that needs them,
so ``ernie-tui --help`` stays fast."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence

from .config import Config
from .credentials import Credential, from_environment

__all__ = ["main", "start_demo"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ernie-tui",
        description="A full-screen terminal client for Baidu's ERNIE Bot (文心一言).",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help="server to talk to (env ERNIE_TUI_BASE_URL; default https://yiyan.baidu.com)",
    )
    parser.add_argument("--config", default=None, help="config file (env ERNIE_TUI_CONFIG)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the offline demo: an embedded server with a demo account",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the embedded ERNIE Bot server (demo and tests)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    serve.add_argument(
        "--rate", type=float, default=30.0, help="increments per second (0: as fast as possible)"
    )
    serve.add_argument(
        "--seed-demo", action="store_true", help="fill the demo account with conversations"
    )
    return parser


def _serve(args: argparse.Namespace) -> int:
    from .server import DEMO_BDUSS, Store, seed_demo, serve_forever

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}, reachable from other machines.", file=sys.stderr)
    store = Store(args.db or ":memory:")
    if args.seed_demo:
        seed_demo(store, image_base=f"http://{args.host}:{args.port}")
        print(f"demo account: BDUSS_BFESS={DEMO_BDUSS}", file=sys.stderr)
    print(f"ernie-tui server on http://{args.host}:{args.port}", file=sys.stderr)
    serve_forever(store, host=args.host, port=args.port, rate=args.rate)
    return 0


def start_demo() -> tuple[str, Credential]:
    """Start the embedded server in this process on a free loopback port, with
    the demo account filled; returns its base URL and the demo credential."""
    from .api import Secret
    from .server import DEMO_BAIDUID, DEMO_BDUSS, ServerThread, Store, seed_demo

    server = ServerThread(Store(), rate=30.0).start()
    seed_demo(server.store, image_base=server.base_url)
    return server.base_url, Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "demo")


def _launch(args: argparse.Namespace) -> int:
    """Open the app: on the demo, on the credential found, or on sign-in."""
    config = Config()
    base_url = args.base_url or os.environ.get("ERNIE_TUI_BASE_URL")
    if base_url:
        config = dataclasses.replace(config, base_url=base_url)
    credential: Credential | None
    if args.demo:
        demo_url, credential = start_demo()
        config = dataclasses.replace(config, base_url=demo_url)
    else:
        credential = from_environment()
    from .tui.app import ErnieApp

    app = ErnieApp(config=config, credential=credential, demo_starter=start_demo)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _launch(args)


if __name__ == "__main__":
    raise SystemExit(main())
