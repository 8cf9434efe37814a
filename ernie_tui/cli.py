"""The ``ernie-tui`` command: the app, the embedded server, and subcommands
for scripts. Heavy modules (textual, httpx, keyring) are imported only by the
command that needs them, so ``ernie-tui --help`` stays fast.

Exit codes: 0 success, 1 error, 2 usage or config error, 3 not signed in (no
credential, or the server rejected it), 4 network (unreachable, timed out, an
answer cut off), 5 port taken (``serve``: another program listens there), 130
interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, TextIO

if TYPE_CHECKING:
    from .api import ErnieClient
    from .config import Config
    from .credentials import Credential

__all__ = [
    "EXIT_ERROR",
    "EXIT_NETWORK",
    "EXIT_NOT_SIGNED_IN",
    "EXIT_PORT_TAKEN",
    "EXIT_USAGE",
    "main",
    "start_demo",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_SIGNED_IN = 3
EXIT_NETWORK = 4
EXIT_PORT_TAKEN = 5
EXIT_INTERRUPTED = 130

ENV_BASE_URL = "ERNIE_TUI_BASE_URL"
ENV_DEBUG = "ERNIE_TUI_DEBUG"
MAX_STDIN = 1 << 20

_EPILOG = """\
commands:
  (none)    open the full-screen app
  login     sign in: store the BAIDUID and BDUSS_BFESS cookies in the OS keyring
  logout    remove the stored cookies
  status    where the credential is kept, and whether the server accepts it
  ask       ask a question; the answer streams to stdout
  list      list conversations, pinned first
  export    write a conversation as Markdown or JSON
  share     print a share link for a conversation
  serve     run the embedded ERNIE Bot server (demo and tests)

exit codes: 0 ok, 1 error, 2 usage or config error, 3 not signed in, 4 network,
5 port taken (serve).
The cookies are never accepted as command-line values: use `ernie-tui login`.
"""


class _Fail(Exception):
    """A user-facing failure: the message goes to stderr, the code is the exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _shown(text: str) -> str:
    """A message for the terminal, made of our own words, what the user typed
    and file names (server text in it has been through the sanitiser): a byte
    that was not UTF-8 (a surrogate from ``surrogateescape``) and every control
    or invisible character but newline and tab show as escapes (``\\udcff``,
    ``\\x1b``), so the terminal acts on none and the user sees what is there."""
    from .sanitize import INVISIBLE

    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    unshowable = f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{INVISIBLE}]"
    return re.sub(unshowable, lambda m: m.group().encode("unicode_escape").decode(), text)


def _err(message: str) -> None:
    print(f"ernie-tui: {_shown(message)}", file=sys.stderr, flush=True)


# -- the parser -------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors (which quote the command line) shown
    without control characters."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {_shown(message)}\n")


def _common(default: object) -> _Parser:
    """Options every subcommand accepts too. The subcommands' copy defaults to
    SUPPRESS, so a value given before the subcommand is not reset."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--base-url",
        default=default,
        help=f"server to talk to (env {ENV_BASE_URL}; default: base_url in the config, "
        "https://yiyan.baidu.com)",
    )
    common.add_argument(
        "--config",
        default=default,
        help="config file (env ERNIE_TUI_CONFIG; default: config.toml in the "
        "platform's config directory)",
    )
    return common


def _parser() -> argparse.ArgumentParser:
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
        "sign in: check the cookies with the server and keep them in the OS keyring",
        "Sign in with the BAIDUID and BDUSS_BFESS cookies of a browser signed in at "
        "yiyan.baidu.com.\nThey are asked for with hidden input (or read from standard "
        "input with --stdin),\nchecked against the server, and kept in the OS keyring, "
        "one item per server host.\nThey are never accepted as command-line values.",
    )
    login.add_argument(
        "--stdin",
        action="store_true",
        help="read a pasted 'Cookie:' header or 'BAIDUID=…; BDUSS_BFESS=…' from standard input",
    )
    add("logout", "remove the stored cookies for this server from the OS keyring")
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
        '  ernie-tui ask --session ID --parent CHATID "a follow-up"',
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

    share = add("share", "share a whole conversation and print its link")
    share.add_argument("session_id", metavar="ID", help="the conversation's id (see `list`)")
    return parser


# -- config and credential -----------------------------------------------------------


def _load_config(args: argparse.Namespace) -> Config:
    """The config with --base-url / ERNIE_TUI_BASE_URL applied; raises _Fail(2)
    for a malformed file."""
    from .config import ConfigError, config_path, load_config, url_problem

    explicit = args.config or os.environ.get("ERNIE_TUI_CONFIG")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise _Fail(f"{exc}\nFix the config file and try again.", EXIT_USAGE) from None
    if explicit and not config_path(args.config).exists():
        _err(f"warning: config file {config_path(args.config)} does not exist; using defaults.")
    base_url = (args.base_url or os.environ.get(ENV_BASE_URL) or "").strip()
    if base_url:
        base_url = base_url.rstrip("/")
        problem = url_problem(base_url)
        if problem is not None:
            from .api import display_url

            source = "--base-url" if args.base_url else ENV_BASE_URL
            raise _Fail(f"{source} {display_url(base_url)!r} {problem}", EXIT_USAGE)
        config = dataclasses.replace(config, base_url=base_url)
    return config


def _find_credential(host: str) -> Credential | None:
    from .credentials import KEYRING_TIMEOUT, call_with_timeout, load_credential

    try:
        return call_with_timeout(lambda: load_credential(host), KEYRING_TIMEOUT + 1)
    except Exception:
        return None


def _require_credential(config: Config) -> Credential:
    from .config import DEFAULT_BASE_URL
    from .credentials import ENV_BAIDUID, ENV_BDUSS, host_of

    host = host_of(config.base_url)
    credential = _find_credential(host)
    if credential is None:
        login = "ernie-tui login"
        if host != host_of(DEFAULT_BASE_URL):
            from .api import display_url

            login += f" --base-url {display_url(config.base_url)}"
        raise _Fail(
            f"not signed in to {host}: run `{login}`, or set {ENV_BAIDUID} and {ENV_BDUSS}.",
            EXIT_NOT_SIGNED_IN,
        )
    return credential


def _error_code(exc: BaseException) -> int:
    from .api import IncompleteAnswerError, NetworkError, NotSignedInError

    if isinstance(exc, NotSignedInError):
        return EXIT_NOT_SIGNED_IN
    if isinstance(exc, NetworkError | IncompleteAnswerError):
        return EXIT_NETWORK
    return EXIT_ERROR


def _with_client(
    config: Config,
    credential: Credential,
    work: Callable[[ErnieClient], Awaitable[int]],
) -> int:
    """Run ``work`` with a client; map the client's errors to messages and codes."""
    import asyncio

    from .api import ErnieError
    from .config import make_client
    from .sanitize import clean_line

    async def run() -> int:
        async with make_client(config, credential) as client:
            return await work(client)

    try:
        return asyncio.run(run())
    except ErnieError as exc:
        raise _Fail(clean_line(str(exc)), _error_code(exc)) from None


# -- login / logout / status ---------------------------------------------------------


def _read_interactive() -> str:
    import getpass

    print(
        "Paste the cookies of a browser signed in at yiyan.baidu.com (developer tools → "
        "Application/Storage → Cookies).\nInput is hidden. You may paste a whole Cookie "
        "header at the first prompt.",
        file=sys.stderr,
    )
    first = getpass.getpass("BAIDUID: ")
    if "BDUSS" in first.upper() and "=" in first:
        return first
    second = getpass.getpass("BDUSS_BFESS: ")
    return f"BAIDUID={first.strip()}\nBDUSS_BFESS={second.strip()}"


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _login(args: argparse.Namespace) -> int:
    from .credentials import (
        ENV_BAIDUID,
        ENV_BDUSS,
        KeyringUnavailableError,
        from_environment,
        host_of,
        keyring_backend_name,
        parse_cookie_text,
        save_credential,
    )

    config = _load_config(args)
    host = host_of(config.base_url)
    if args.stdin:
        text = _read_stdin("the cookies")
    elif not sys.stdin.isatty():
        raise _Fail(
            "standard input is not a terminal, so the cookies cannot be asked for with "
            "hidden input. Pipe them in with `ernie-tui login --stdin`.",
            EXIT_USAGE,
        )
    else:
        try:
            text = _read_interactive()
        except EOFError:
            raise _Fail("nothing entered; not signed in.", EXIT_USAGE) from None
    try:
        credential = parse_cookie_text(text)
    except ValueError as exc:
        raise _Fail(f"{exc} Nothing was stored.", EXIT_USAGE) from None
    del text

    async def check(client: ErnieClient) -> int:
        conversations = await client.list_conversations()
        return len(conversations.all())

    try:
        count = _with_client(config, credential, check)
    except _Fail as exc:
        verb = "rejected" if exc.code == EXIT_NOT_SIGNED_IN else "could not check"
        raise _Fail(
            f"{host} {verb} these cookies, so they were not stored: {exc.message}", exc.code
        ) from None

    try:
        save_credential(host, credential)
    except KeyringUnavailableError as exc:
        _err(f"the server accepted the cookies, but they could not be stored.\n{exc}")
        if args.stdin or not _interactive():
            return EXIT_ERROR
        answer = input("Keep them for this run only and open the app now? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Not signed in; nothing was stored.", file=sys.stderr)
            return EXIT_ERROR
        session = dataclasses.replace(credential, source="session")
        return _run_app(config, session)
    print(
        f"Signed in to {host} as {credential.masked} ({_conversations(count)}). "
        f"The cookies are kept in the keyring ({keyring_backend_name()}).",
        file=sys.stderr,
    )
    if from_environment() is not None:
        _err(
            f"note: {ENV_BAIDUID} and {ENV_BDUSS} are set and take precedence over the "
            "keyring; unset them to use what was just stored."
        )
    return EXIT_OK


def _logout(args: argparse.Namespace) -> int:
    from .credentials import (
        ENV_BAIDUID,
        ENV_BDUSS,
        KeyringUnavailableError,
        delete_credential,
        from_environment,
        host_of,
    )

    config = _load_config(args)
    host = host_of(config.base_url)
    try:
        removed = delete_credential(host)
    except KeyringUnavailableError as exc:
        raise _Fail(f"could not sign out: {exc}") from None
    if removed:
        print(f"Signed out of {host}: the cookies were removed from the keyring.", file=sys.stderr)
    else:
        print(f"No cookies for {host} were stored in the keyring.", file=sys.stderr)
    if from_environment() is not None:
        _err(
            f"note: {ENV_BAIDUID} and {ENV_BDUSS} are still set in the environment and "
            "still sign you in; unset them too."
        )
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from .api import display_url
    from .credentials import (
        ENV_BAIDUID,
        ENV_BDUSS,
        KeyringUnavailableError,
        from_environment,
        host_of,
        keyring_backend_name,
        keyring_detected_name,
    )

    config = _load_config(args)
    host = host_of(config.base_url)
    out = sys.stdout
    rows: list[tuple[str, str]] = [("server", display_url(config.base_url))]
    if config.path is not None:
        found = "" if config.path.exists() else " (not found: defaults)"
        rows.append(("config", f"{config.path}{found}"))
    backend = keyring_backend_name()
    if backend == "none":
        detected = keyring_detected_name()
        reason = (
            f"keyring picked {detected!r}, which is not an OS keyring"
            if detected != "none"
            else "no keyring backend"
        )
        rows.append(("keyring", f"none ({reason})"))
        if from_environment() is None:
            rows.append(("remedy", KeyringUnavailableError().remedies))
    else:
        rows.append(("keyring", backend))
    set_vars = [name for name in (ENV_BAIDUID, ENV_BDUSS) if os.environ.get(name, "").strip()]
    if len(set_vars) == 2:
        rows.append(
            ("environment", f"{ENV_BAIDUID} and {ENV_BDUSS} set: they override the keyring")
        )
    elif set_vars:
        rows.append(("environment", f"only {set_vars[0]} set: ignored (both are needed)"))
    else:
        rows.append(("environment", "not in use"))
    credential = _find_credential(host)
    if credential is None:
        rows.append(("credential", f"none for {host}: run `ernie-tui login`"))
        _print_rows(out, rows)
        return EXIT_NOT_SIGNED_IN
    rows.append(
        (
            "credential",
            f"from the {credential.source}: BAIDUID {credential.baiduid.masked}, "
            f"BDUSS_BFESS {credential.bduss_bfess.masked}",
        )
    )
    if args.no_check:
        _print_rows(out, rows)
        return EXIT_OK

    async def check(client: ErnieClient) -> int:
        return len((await client.list_conversations()).all())

    try:
        count = _with_client(config, credential, check)
    except _Fail as exc:
        word = "rejected" if exc.code == EXIT_NOT_SIGNED_IN else "not checked"
        rows.append(("server says", f"{word}: {exc.message}"))
        _print_rows(out, rows)
        return exc.code
    rows.append(("server says", f"accepted ({_conversations(count)})"))
    _print_rows(out, rows)
    return EXIT_OK


def _conversations(count: int) -> str:
    return "1 conversation" if count == 1 else f"{count} conversations"


def _print_rows(out: TextIO, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        print(f"{key + ':':<{width}} {_shown(value)}", file=out)
    out.flush()


# -- ask / list / export / share -------------------------------------------------------


def _not_utf8(text: str) -> str | None:
    """Why ``text`` (from argv or a file) is not text the server can take: a
    byte that was not UTF-8 (decoded with ``surrogateescape``) or another lone
    surrogate; None when it is fine."""
    bad = re.search("[\ud800-\udfff]", text)
    if bad is None:
        return None
    code = ord(bad.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"the byte 0x{code - 0xDC00:02X}, which is not UTF-8"
    return f"U+{code:04X}, a lone surrogate"


def _read_stdin(what: str) -> str:
    """Standard input as UTF-8 text, at most ``MAX_STDIN`` characters' worth;
    raises _Fail(2) naming ``what`` when it is closed, not UTF-8 or too long.
    The message never quotes what was read (it may be cookies)."""
    stream = sys.stdin
    if stream is None or stream.closed:
        raise _Fail(f"standard input is closed, so {what} cannot be read from it.", EXIT_USAGE)
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    if buffer is None:  # replaced by a text-only stream
        return stream.read(MAX_STDIN)
    cap = 4 * MAX_STDIN  # UTF-8 takes at most 4 bytes a character
    data = buffer.read(cap + 1)
    if len(data) > cap:
        raise _Fail(
            f"standard input holds more than {cap >> 20} MiB; that is too long for {what}.",
            EXIT_USAGE,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Fail(
            f"standard input is not UTF-8 text (byte {exc.start + 1} of {len(data)} is not), "
            f"so {what} cannot be read from it. Convert it first, e.g. with "
            "`iconv -f GB18030 -t UTF-8`.",
            EXIT_USAGE,
        ) from None


def _read_question(args: argparse.Namespace, config: Config) -> str:
    question: str = args.question
    if question == "-":
        question = _read_stdin("the question")
    problem = _not_utf8(question)
    if problem is not None:
        raise _Fail(
            f"the question holds {problem}: check your terminal's character encoding "
            "(it should be UTF-8), or pass the question on standard input with `ask -`.",
            EXIT_USAGE,
        )
    question = question.strip()
    if not question:
        raise _Fail("the question is empty.", EXIT_USAGE)
    if len(question) > config.question_limit:
        raise _Fail(
            f"the question has {len(question)} characters; the limit is "
            f"{config.question_limit} (question_limit in the config file).",
            EXIT_USAGE,
        )
    return question


def _ask(args: argparse.Namespace) -> int:
    from .sanitize import clean, clean_line

    config = _load_config(args)
    question = _read_question(args, config)
    credential = _require_credential(config)
    out = sys.stdout

    async def work(client: ErnieClient) -> int:
        session_id = args.session.strip()
        parent = args.parent.strip()
        if session_id and not parent:
            detail = await client.get_conversation_detail(session_id)
            if detail is None:
                raise _Fail(f"there is no conversation with id {session_id!r} (see `list`).")
            parent = detail.current_chat_id or "0"
        stream = client.ask_stream(question, session_id, parent or "0")
        wrote = ""
        try:
            async with stream:
                async for piece in stream:
                    text = clean(piece.text)
                    if text:
                        out.write(text)
                        out.flush()
                        wrote = text
        except BaseException:  # an error, a cut, ^C: what arrived stays, and the ids
            if wrote and not wrote.endswith("\n"):
                out.write("\n")
                out.flush()
            _report_ids(stream.session_id, stream.bot_chat_id)
            raise
        answer = stream.answer
        if answer is not None and not wrote and answer.text:
            text = clean(answer.text)  # a reply that came in one final message
            out.write(text)
            wrote = text
        if wrote and not wrote.endswith("\n"):
            out.write("\n")
        for url in stream.urls:
            out.write(f"image: {clean_line(url)}\n")
        out.flush()
        _report_ids(stream.session_id, stream.bot_chat_id)
        return EXIT_OK

    return _with_client(config, credential, work)


def _report_ids(session_id: str, chat_id: str) -> None:
    from .sanitize import clean_line

    if session_id:
        print(f"session: {clean_line(session_id)}", file=sys.stderr)
    if chat_id:
        print(f"parent: {clean_line(chat_id)}", file=sys.stderr)
    sys.stderr.flush()


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"  # a lone surrogate is no text: what a UTF-8 decoder shows
    if code > 0xFFFF:  # a tag character: as JSON writes it, a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _json_dumps(obj: Any) -> str:
    """JSON with Chinese kept readable, safe to print to a terminal, and valid
    UTF-8 (I-JSON, RFC 7493): every character the sanitiser would remove is
    written as an escape (``\\u001b``, ``\\u009b``, ``\\u202e``), so a script
    still gets exactly what the server sent; a lone surrogate, which is not
    text and which no UTF-8 can hold, becomes U+FFFD."""
    import json

    from .sanitize import INVISIBLE

    unsafe = re.compile(f"[\x7f-\x9f\u2028\u2029{INVISIBLE}]")
    return unsafe.sub(_json_escape, json.dumps(obj, ensure_ascii=False, indent=2))


def _list(args: argparse.Namespace) -> int:
    from .sanitize import clean_line

    config = _load_config(args)
    credential = _require_credential(config)

    async def work(client: ErnieClient) -> int:
        sessions = (await client.list_conversations()).all()
        if args.json:
            print(
                _json_dumps(
                    [
                        {
                            "id": s.session_id,
                            "name": s.name,
                            "create_time": s.create_time,
                            "pinned": s.pinned,
                            "model": s.model,
                        }
                        for s in sessions
                    ]
                )
            )
            return EXIT_OK
        if not sessions:
            print('No conversations yet. Start one with: ernie-tui ask "…"', file=sys.stderr)
            return EXIT_OK
        width = max(len(clean_line(s.session_id)) for s in sessions)
        for s in sessions:
            mark = "pinned" if s.pinned else "      "
            print(
                f"{clean_line(s.session_id):<{width}}  {mark}  "
                f"{clean_line(s.create_time):<19}  {clean_line(s.name)}"
            )
        return EXIT_OK

    return _with_client(config, credential, work)


def _export_markdown(detail: Any) -> str:
    from .sanitize import clean, clean_line

    base = detail.base
    lines = [f"# {clean_line(base.name) or 'Untitled conversation'}", ""]
    meta = f"Conversation {clean_line(base.session_id)}"
    if base.create_time:
        meta += f", started {clean_line(base.create_time)} (Beijing time)"
    lines += [f"_{meta}_", ""]
    for chat in detail.messages:
        who = "You" if chat.role == "user" else "ERNIE Bot"
        when = f" · {clean_line(chat.create_time)}" if chat.create_time else ""
        lines += [f"## {who}{when}", "", clean(chat.text).rstrip(), ""]
        for url in chat.urls:
            lines += [f"![image]({clean_line(url)})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _export_json(detail: Any) -> str:
    base = detail.base
    return (
        _json_dumps(
            {
                "id": base.session_id,
                "name": base.name,
                "create_time": base.create_time,
                "pinned": base.pinned,
                "model": base.model,
                "current_chat_id": detail.current_chat_id,
                "messages": [
                    {
                        "id": c.chat_id,
                        "role": c.role,
                        "text": c.text,
                        "urls": list(c.urls),
                        "create_time": c.create_time,
                    }
                    for c in detail.messages
                ],
            }
        )
        + "\n"
    )


def _write_file(path: str, text: str) -> None:
    """Write atomically: a reader never sees half a file, a failure leaves the
    old file as it was and no temporary file behind."""
    import contextlib
    import tempfile
    from pathlib import Path

    target = Path(path).expanduser()
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise _Fail(f"cannot write {target}: {exc.strerror or exc}.") from None
    try:
        # The text is sanitised; "replace" is the last guard, never an error.
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException as exc:  # whatever went wrong, ^C included: no temporary file stays
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _Fail(f"cannot write {target}: {exc.strerror or exc}.") from None
        raise


def _export(args: argparse.Namespace) -> int:
    config = _load_config(args)
    credential = _require_credential(config)
    session_id = args.session_id.strip()

    async def work(client: ErnieClient) -> int:
        detail = await client.get_conversation_detail(session_id)
        if detail is None:
            raise _Fail(f"there is no conversation with id {session_id!r} (see `list`).")
        text = _export_markdown(detail) if args.format == "md" else _export_json(detail)
        if args.output in ("-", ""):
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            _write_file(args.output, text)
            print(
                f"Wrote {len(detail.messages)} messages to {_shown(args.output)}.",
                file=sys.stderr,
            )
        return EXIT_OK

    return _with_client(config, credential, work)


def _share(args: argparse.Namespace) -> int:
    from .sanitize import clean_line

    config = _load_config(args)
    credential = _require_credential(config)
    session_id = args.session_id.strip()

    async def work(client: ErnieClient) -> int:
        detail = await client.get_conversation_detail(session_id)
        if detail is None:
            raise _Fail(f"there is no conversation with id {session_id!r} (see `list`).")
        chat_ids = [c.chat_id for c in detail.messages]
        if not chat_ids:
            raise _Fail(f"conversation {session_id!r} has no messages to share yet.")
        key = await client.share_conversation(session_id, chat_ids)
        print(clean_line(client.share_url(key)))
        return EXIT_OK

    return _with_client(config, credential, work)


# -- the server and the app ---------------------------------------------------------------


def _serve_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise _Fail(
            f"invalid port {text!r}: give a number from 0 to 65535 (0: any free port).",
            EXIT_USAGE,
        )
    return port


def _serve(args: argparse.Namespace) -> int:
    import errno
    import sqlite3

    from .server import (
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
        raise _Fail("--host is empty: give an address, e.g. 127.0.0.1.", EXIT_USAGE)
    try:
        store = Store(args.db or ":memory:")
    except StorageError as exc:
        raise _Fail(f"{exc} Nothing was changed.", EXIT_USAGE) from None
    try:
        sock = listen(host, port)
    except OSError as exc:
        store.close()
        if exc.errno == errno.EADDRINUSE:
            raise _Fail(
                f"port {port} on {host} is taken: another program (another `ernie-tui "
                "serve`?) listens there. Stop it, or choose another port with --port.",
                EXIT_PORT_TAKEN,
            ) from None
        raise _Fail(f"{exc.strerror or exc}.", EXIT_USAGE) from None
    port = sock.getsockname()[1]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    if not is_loopback(host):
        demo = " and holds the demo account (--seed-demo)" if args.seed_demo else ""
        _err(
            f"warning: serving on {host}, reachable from the network: this server takes "
            f"any cookie as an account{demo}, so anyone who can reach this machine can "
            "read and change what it stores. Use --host 127.0.0.1 to keep it to this machine."
        )
    if args.faults:
        _err(
            "warning: --faults: the control endpoints are open; anyone who can reach the "
            "server can break or replace the answers of every account. For tests only."
        )
    if args.seed_demo:
        try:
            seed_demo(store, image_base=url)
        except sqlite3.Error as exc:
            sock.close()
            raise _Fail(f"cannot fill the demo account in {args.db!r}: {exc}.") from None
        print(f"demo account: BDUSS_BFESS={DEMO_BDUSS}", file=sys.stderr)
    print(f"ernie-tui server on {url}", file=sys.stderr, flush=True)
    serve_forever(store, host=host, rate=args.rate, control=args.faults, sock=sock)
    return EXIT_OK


def start_demo() -> tuple[str, Credential]:
    """Start the embedded server in this process on a free loopback port, with
    the demo account filled; returns its base URL and the demo credential."""
    from .api import Secret
    from .credentials import Credential
    from .server import DEMO_BAIDUID, DEMO_BDUSS, ServerThread, Store, seed_demo

    server = ServerThread(Store(), rate=30.0).start()
    seed_demo(server.store, image_base=server.base_url)
    return server.base_url, Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "demo")


def _run_app(config: Config, credential: Credential | None) -> int:
    from .tui.app import ErnieApp

    app = ErnieApp(config=config, credential=credential, demo_starter=start_demo)
    app.run()
    return app.return_code or 0


def _launch(args: argparse.Namespace) -> int:
    """Open the app: on the demo, on the credential found, or on sign-in."""
    from .credentials import host_of

    config = _load_config(args)
    credential: Credential | None
    if args.demo:
        demo_url, credential = start_demo()
        config = dataclasses.replace(config, base_url=demo_url)
    else:
        credential = _find_credential(host_of(config.base_url))
    return _run_app(config, credential)


_COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    "serve": _serve,
    "login": _login,
    "logout": _logout,
    "status": _status,
    "ask": _ask,
    "list": _list,
    "export": _export,
    "share": _share,
    None: _launch,
}


def _cookie_in_argv(argv: Sequence[str]) -> bool:
    pattern = re.compile(r"(?:BDUSS|BAIDUID)\w*\s*=\s*\S", re.IGNORECASE)
    return any(pattern.search(arg) for arg in argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _cookie_in_argv(argv):
        # Refuse before argparse, whose usage errors would echo the value.
        _err(
            "cookie values are never taken from the command line: they would leak into "
            "`ps` and your shell history. Run `ernie-tui login` and paste them at the "
            "hidden prompt, or pipe them in with `ernie-tui login --stdin`. If you typed "
            "a real cookie, remove that line from your shell history."
        )
        return EXIT_USAGE
    _never_raise_on_encoding()
    args = _parser().parse_args(argv)
    command = _COMMANDS[args.command]
    try:
        _check_text_arguments(args)
        return command(args)
    except _Fail as exc:
        _err(exc.message)
        return exc.code
    except KeyboardInterrupt:
        _err("interrupted.")
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
    _err(
        f"unexpected error ({type(leaf).__name__}{where}). This is a bug in ernie-tui: "
        f"please report it, with what the same command prints when run with {ENV_DEBUG}=1."
    )
    return EXIT_ERROR


def _never_raise_on_encoding() -> None:
    """Make printing never fail on a character the terminal's encoding lacks:
    stdout writes ``?`` for it (never the raw byte that ``surrogateescape``, as
    in Python's UTF-8 mode, would make of a lone surrogate), stderr a
    backslash escape (as Python does there already). What is printed has been
    through the sanitiser; this is the last guard."""
    import io

    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper) and not stream.closed:
            stream.reconfigure(errors=errors)


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an id given on the command line that is not UTF-8 text (the
    question is checked when it is read; file names may be any bytes)."""
    for name, label in (
        ("session", "--session"),
        ("parent", "--parent"),
        ("session_id", "the conversation id"),
    ):
        value = getattr(args, name, None)
        problem = _not_utf8(value) if isinstance(value, str) else None
        if problem is not None:
            raise _Fail(
                f"{label} holds {problem}; ids are digits, as `ernie-tui list` prints them.",
                EXIT_USAGE,
            )


if __name__ == "__main__":
    raise SystemExit(main())
