"""The ``ernie-tui`` argument parser: the commands, their options, and the
options every command accepts."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from .client import ENV_BACKEND, ENV_BASE_URL
from .exits import EXIT_USAGE
from .output import shown
from .search import positive_limit

__all__ = ["build_parser"]

_EPILOG = """\
commands:
  (none)    open the full-screen app
  login     sign in: store the cookies (web) or the API key (qianfan) in the OS keyring
  logout    remove the stored cookies or API key
  status    where the credential is kept, and whether the server accepts it
  ask       ask a question; the answer streams to stdout
  list      list conversations, pinned first
  export    write a conversation as Markdown or JSON
  search    find the messages and names that hold some words (on this machine)
  share     print a share link for a conversation (web)
  sync      fetch every conversation's history into this machine's cache (web)
  cache     cache clear: delete this account's cached conversations (web)
  serve     run the embedded ERNIE Bot server (demo and tests)

backends: web (ERNIE Bot's web service, signed in with browser cookies; the
default) and qianfan (Baidu's official Qianfan V2 API, with an API key; the
conversations are kept on this machine). Choose with --backend, ERNIE_TUI_BACKEND
or `backend = "qianfan"` in the config.

exit codes: 0 ok, 1 error, 2 usage or config error, 3 not signed in, 4 network,
5 port taken (serve).
The cookies and the API key are never accepted as command-line values: use
`ernie-tui login` (or QIANFAN_API_KEY for the key).
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors (which quote the command line) shown
    without control characters."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown(message)}\n")


def _common(default: object) -> _Parser:
    """Options every subcommand accepts too. The subcommands' copy defaults to
    SUPPRESS, so a value given before the subcommand is not reset."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--backend",
        choices=("web", "qianfan"),
        default=default,
        help=f"the service to use (env {ENV_BACKEND}; default: backend in the config, web)",
    )
    common.add_argument(
        "--base-url",
        default=default,
        help=f"server to talk to (env {ENV_BASE_URL}; default: the backend's base_url in "
        "the config, https://yiyan.baidu.com for web, https://qianfan.baidubce.com/v2 "
        "for qianfan: any OpenAI-compatible base URL ending in its version path works)",
    )
    common.add_argument(
        "--model",
        default=default,
        metavar="ID",
        help="the model new conversations use: a model id for qianfan "
        "(ernie-4.5-turbo-32k, ernie-x1-turbo-32k, …), a model code for web "
        "(EB35, EB45T, X1_1, EB50); default: model in the config",
    )
    common.add_argument(
        "--config",
        default=default,
        help="config file (env ERNIE_TUI_CONFIG; default: config.toml in the "
        "platform's config directory)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common(argparse.SUPPRESS)
    parser = _Parser(
        prog="ernie-tui",
        description="A full-screen terminal client for Baidu's ERNIE Bot (文心一言).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common(None)],
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the offline demo: an embedded server with a demo account",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str, description: str | None = None) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=description or help_text,
            parents=[common],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    serve = sub.add_parser("serve", help="run the embedded ERNIE Bot server (demo and tests)")
    serve.add_argument("--port", default="8765", help="0 to 65535; 0: any free port")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    serve.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    serve.add_argument(
        "--faults",
        action="store_true",
        help="for tests: open the control endpoints (/__ernie_tui__/faults and /seed) "
        "and the X-Ernie-Fault header, which let anyone who reaches the server break "
        "or replace the answers of every account",
    )
    serve.add_argument(
        "--rate", type=float, default=30.0, help="increments per second (0: as fast as possible)"
    )
    serve.add_argument(
        "--seed-demo", action="store_true", help="fill the demo account with conversations"
    )

    login = add(
        "login",
        "sign in: check the credential with the server and keep it in the OS keyring",
        "Sign in with the BAIDUID and BDUSS_BFESS cookies of a browser signed in at "
        "yiyan.baidu.com\n(web), or with a Qianfan API key (--backend qianfan: from the "
        "Qianfan console\n→ API Key, it looks like bce-v3/ALTAK-…/…).\nIt is asked for "
        "with hidden input (or read from standard input with --stdin),\nchecked against "
        "the server, and kept in the OS keyring, one item per server host.\nIt is never "
        "accepted as a command-line value.",
    )
    login.add_argument(
        "--stdin",
        action="store_true",
        help="read a pasted 'Cookie:' header or 'BAIDUID=…; BDUSS_BFESS=…' (web), or "
        "the API key (qianfan), from standard input",
    )
    logout = add(
        "logout",
        "remove the stored cookies or API key for this server from the OS keyring",
        "Remove the stored cookies or API key for this server from the OS keyring.\n"
        "Web: on a terminal, asks whether to delete the account's conversations cached\n"
        "on this machine too.",
    )
    keep = logout.add_mutually_exclusive_group()
    keep.add_argument(
        "--keep-cache", action="store_true", help="keep the conversations cached here (web)"
    )
    keep.add_argument(
        "--clear-cache",
        action="store_true",
        help="delete the conversations cached here too, without asking (web)",
    )
    status = add(
        "status",
        "show where the credential is kept, masked, and whether the server accepts it",
    )
    status.add_argument(
        "--no-check", action="store_true", help="do not ask the server whether it accepts it"
    )

    ask = add(
        "ask",
        "ask a question; the answer streams to stdout",
        "Ask a question. The answer streams to stdout as it arrives; the conversation id\n"
        "and the chat to continue from are printed to stderr, so a script can continue:\n"
        '  ernie-tui ask --session ID --parent CHATID "a follow-up"\n'
        "With --backend qianfan the conversation is kept on this machine.",
    )
    ask.add_argument("question", help="the question ('-' reads it from standard input)")
    ask.add_argument("--session", default="", metavar="ID", help="continue this conversation")
    ask.add_argument(
        "--parent",
        default="",
        metavar="CHATID",
        help="the chat to continue from (default: the conversation's latest)",
    )

    lst = add("list", "list conversations, pinned first")
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")

    export = add("export", "write a conversation as Markdown or JSON")
    export.add_argument("session_id", metavar="ID", help="the conversation's id (see `list`)")
    export.add_argument("--format", choices=("md", "json"), default="md", help="default: md")
    export.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="write to FILE (default: stdout)"
    )

    search = add(
        "search",
        "find the messages and conversation names that hold every word of a query",
        "Search the conversations kept on this machine (Qianfan's; the web cache's)\n"
        "for messages and names holding every word of QUERY, in any case: Chinese\n"
        "words inside longer text (周报 finds 帮我写一份周报的提纲), English words as\n"
        "prefixes (week finds weekly); quotes, * and AND are plain words. Messages\n"
        "come newest first, then names. Exit 1 when nothing matches.",
    )
    search.add_argument("query", nargs="+", metavar="QUERY", help="the words to find")
    search.add_argument("--json", action="store_true", help="print JSON instead of text")
    search.add_argument(
        "--limit",
        type=positive_limit,
        default=20,
        metavar="N",
        help="at most N hits (default 20)",
    )

    add(
        "sync",
        "fetch every conversation's history into this machine's cache (web)",
        "Fetch the history of every conversation into the local library, for offline\n"
        "reading and search, at most [library] sync_rate requests a second (default 2).\n"
        "Conversations already kept and unchanged are skipped, so a sync stopped with\n"
        "Ctrl-C goes on where it stopped when run again.",
    )
    cache = add("cache", "the conversations cached on this machine (web)")
    cache_sub = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    clear = cache_sub.add_parser(
        "clear",
        help="delete this account's cached conversations (the service keeps them)",
        description="Delete the conversations of this account and server cached on this "
        "machine. The service keeps them; the Qianfan conversations are never touched.",
        parents=[common],
    )
    clear.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    clear.add_argument(
        "--all",
        action="store_true",
        help="clear the cache of every web account on this machine (no sign-in needed)",
    )

    share = add("share", "share a whole conversation and print its link")
    share.add_argument("session_id", metavar="ID", help="the conversation's id (see `list`)")
    return parser
