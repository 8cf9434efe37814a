"""The ``ernie-tui`` command: the app, the embedded server, and subcommands
for scripts. Heavy modules (textual, httpx, keyring) are imported only by the
command that needs them, so ``ernie-tui --help`` stays fast.

Where each part lives:

- ``parser``: the argument parser, its commands and options.
- ``account``: ``login``, ``logout``, ``status``; ``account_key``: the same
  for the qianfan backend's API key.
- ``conversations``: ``list``, ``export``, ``share``; ``search``: ``search``.
- ``ask``: ``ask``.
- ``cache``: ``sync`` and ``cache clear`` (the web backend's cache), and
  what ``logout`` asks about it.
- ``serve``: ``serve``, and the demo server of ``--demo``; ``demo``: the
  Qianfan demo of ``--demo --backend qianfan`` (server, key, seeded library).
- ``app``: opening the full-screen app.
- ``client``: the config (the backend chosen), the credential and the client
  or backend a command runs with.
- ``inputs``: standard input and ids checked as UTF-8 text.
- ``output``: safe printing (sanitised messages, JSON, encodings) and the
  atomic file writer.
- ``exits``: the exit codes (the table is in its docstring) and ``Fail``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence

from . import account, app, ask, cache, conversations, search, serve
from .exits import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_NOT_SIGNED_IN,
    EXIT_PORT_TAKEN,
    EXIT_USAGE,
    Fail,
)
from .inputs import check_text_arguments
from .output import err, never_raise_on_encoding
from .parser import build_parser
from .serve import start_demo

__all__ = [
    "EXIT_ERROR",
    "EXIT_NETWORK",
    "EXIT_NOT_SIGNED_IN",
    "EXIT_PORT_TAKEN",
    "EXIT_USAGE",
    "main",
    "start_demo",
]

ENV_DEBUG = "ERNIE_TUI_DEBUG"

_COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    "serve": serve.serve,
    "login": account.login,
    "logout": account.logout,
    "status": account.status,
    "ask": ask.ask,
    "list": conversations.list_conversations,
    "export": conversations.export,
    "share": conversations.share,
    "search": search.search,
    "sync": cache.sync,
    "cache": cache.cache,
    None: app.launch,
}


def _cookie_in_argv(argv: Sequence[str]) -> bool:
    pattern = re.compile(r"(?:BDUSS|BAIDUID)\w*\s*=\s*\S", re.IGNORECASE)
    return any(pattern.search(arg) for arg in argv)


_KEY_OPTION = re.compile(r"--?(?:api[-_]?key|key|token|access[-_]?token)(?:=|$)", re.IGNORECASE)
_KEY_VALUE = re.compile(r"bce-v3/ALTA\w*-|QIANFAN_API_KEY\s*=\s*\S", re.IGNORECASE)


def _api_key_in_argv(argv: Sequence[str]) -> bool:
    """A Qianfan API key (``bce-v3/ALTAK-…``, ``QIANFAN_API_KEY=…``) or an
    option that would carry one (``--api-key``, ``--token``): the key is a
    secret that argv would leak."""
    return any(_KEY_OPTION.match(arg) or _KEY_VALUE.search(arg) for arg in argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _cookie_in_argv(argv):
        # Refuse before argparse, whose usage errors would echo the value.
        err(
            "cookie values are never taken from the command line: they would leak into "
            "`ps` and your shell history. Run `ernie-tui login` and paste them at the "
            "hidden prompt, or pipe them in with `ernie-tui login --stdin`. If you typed "
            "a real cookie, remove that line from your shell history."
        )
        return EXIT_USAGE
    if _api_key_in_argv(argv):
        err(
            "an API key is never taken from the command line: it would leak into `ps` and "
            "your shell history. Run `ernie-tui login --backend qianfan` and paste it at the "
            "hidden prompt, pipe it in with `ernie-tui login --backend qianfan --stdin`, or "
            "set QIANFAN_API_KEY in the environment. If you typed a real key, remove that "
            "line from your shell history (and consider revoking the key)."
        )
        return EXIT_USAGE
    never_raise_on_encoding()
    args = build_parser().parse_args(argv)
    command = _COMMANDS[args.command]
    try:
        check_text_arguments(args)
        return command(args)
    except Fail as exc:
        err(exc.message)
        return exc.code
    except KeyboardInterrupt:
        err("interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`ernie-tui list | head -1`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line, exit 1, the traceback on request
        return _crashed(exc)


def _crashed(exc: BaseException) -> int:
    """Report an unexpected error in one line (the traceback only with
    ``ERNIE_TUI_DEBUG=1``: it may show local file paths), and give the exit
    code of an error."""
    import traceback
    from pathlib import Path

    if os.environ.get(ENV_DEBUG, "").strip() not in ("", "0"):
        traceback.print_exception(exc, file=sys.stderr)
    leaf = exc
    while isinstance(leaf, BaseExceptionGroup) and leaf.exceptions:
        leaf = leaf.exceptions[0]
    frames = [f for f in traceback.extract_tb(leaf.__traceback__) if "ernie_tui" in f.filename]
    where = f" in {Path(frames[-1].filename).name}, line {frames[-1].lineno}" if frames else ""
    err(
        f"unexpected error ({type(leaf).__name__}{where}). This is a bug in ernie-tui: "
        f"please report it, with what the same command prints when run with {ENV_DEBUG}=1."
    )
    return EXIT_ERROR
