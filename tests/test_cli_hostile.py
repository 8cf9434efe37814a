"""The command line against hostile server text and bad input, byte by byte.

The CLI runs as a real subprocess. Between it and the embedded server sits a
small rewriting proxy (a real HTTP hop on its own loopback port): the embedded
server stores and sends only real text, while a hostile or broken server can
send JSON strings holding lone surrogates (``"\\udc9b"``), which Python decodes
to characters that become the raw C1 bytes 0x9B / 0x9D / 0x80 through
``surrogateescape`` (Python's UTF-8 mode) or raise ``UnicodeEncodeError``. The
proxy turns private-use placeholders in the server's replies into those
escapes, so every command meets exactly what such a server sends.

Each run is checked: no "Traceback" on stderr, and stdout (or the file
written) is valid UTF-8 with no C0/C1 control (but newline and tab), no escape
sequence, no lone surrogate, no bidi or invisible formatting character.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from conftest import Account
from ptyrun import PtyApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from test_cli import Cli

from ernie_tui.api import ErnieClient
from ernie_tui.sanitize import clean, clean_line
from ernie_tui.server import AppThread, ServerThread
from ernie_tui.server.faults import Fault

# Placeholder → the JSON escape the proxy puts in its place.
ESCAPES = {
    "\ue000": "\\udc9b",  # surrogateescape: the byte 0x9B, a C1 CSI
    "\ue001": "\\udc9d",  # 0x9D, a C1 OSC
    "\ue002": "\\ud800",  # a lone high surrogate: UnicodeEncodeError in strict mode
    "\ue003": "\\udc80",  # 0x80, a C1 control
}
# What the client decodes each placeholder to.
DECODED = {ord(k): json.loads(f'"{v}"') for k, v in ESCAPES.items()}

HOSTILE_NAME = (
    "name \ue000[31m red \ue001]0;title\x07 \ue002 \ue003 \x1b[2J\u202eevil\u202c "
    "\u200b\u2066\U000e0041 end"
)
HOSTILE_ANSWER = (
    "line one \ue000[2J \ue002 \x9b31m\n"
    "\ue001]52;c;ZXZpbA==\x07 line two \ue003 \u202ertl\u202c\n"
    "**bold** \U000e0041\U000e007f 你好 👩\u200d💻 end"
)


def server_sent(text: str) -> str:
    """``text`` as the client decodes it from the proxy's reply."""
    return text.translate(DECODED)


# -- the proxy ---------------------------------------------------------------------------


@dataclass
class Proxy:
    base_url: str
    #: (pattern, replacement) applied to reply bodies after the placeholders.
    rules: list[tuple[bytes, bytes]] = field(default_factory=list)


def _proxy_app(upstream: str, proxy: list[Proxy]) -> Starlette:
    async def forward(request: Request) -> Response:
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("host", "content-length", "accept-encoding", "connection")
        }
        async with httpx.AsyncClient(base_url=upstream, timeout=60) as client:
            reply = await client.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers=headers,
            )
        body = reply.content
        for placeholder, escape in ESCAPES.items():
            body = body.replace(placeholder.encode(), escape.encode())
        for pattern, replacement in proxy[0].rules:
            body = re.sub(pattern, replacement, body)
        content_type = reply.headers.get("content-type", "application/json")
        return Response(body, status_code=reply.status_code, media_type=content_type)

    methods = ["GET", "POST", "PUT", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


@pytest.fixture(scope="module")
def _proxy_thread(_shared_server: ServerThread) -> Iterator[list[Proxy]]:
    holder: list[Proxy] = []
    with AppThread(_proxy_app(_shared_server.base_url, holder)) as thread:
        holder.append(Proxy(thread.base_url))
        yield holder


@pytest.fixture
def proxy(_proxy_thread: list[Proxy], server: ServerThread) -> Iterator[Proxy]:
    yield _proxy_thread[0]
    _proxy_thread[0].rules.clear()


# -- running the CLI ----------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: bytes
    err: bytes

    @property
    def err_text(self) -> str:
        return self.err.decode("utf-8", "replace")


# Environments: Python's UTF-8 mode (stdio use surrogateescape: a lone
# surrogate would leave as a raw byte) and strict mode (it would raise).
MODES = {"utf8-mode": {"PYTHONUTF8": "1"}, "strict": {"PYTHONUTF8": "0"}}


def run(cli: Cli, *args: str | bytes, stdin: bytes = b"", **env: str) -> Run:
    argv: list[str | bytes] = [sys.executable, "-m", "ernie_tui", *args]
    for secret in cli.secrets:
        assert not any(secret.encode() in os.fsencode(a) for a in argv)
    done = subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        env={**cli.env(), **env},
        timeout=120,
    )
    cli.check_clean(done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    return Run(done.returncode, done.stdout, done.stderr)


def _dangerous(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Zl", "Zp"):
        return True
    if category == "Cf":
        return ch not in "\u200c\u200d"
    return "\U000e0000" <= ch <= "\U000e007f"


def terminal_safe(data: bytes, *, allow: str = "\n\t") -> str:
    """``data`` decoded, after checking it is safe to show in a terminal."""
    # Strict UTF-8: a raw 0x80-0x9F byte (a C1 control to an 8-bit terminal)
    # or an encoded surrogate fails here.
    text = data.decode("utf-8")
    assert "\x1b" not in text
    bad = [f"U+{ord(ch):04X}" for ch in text if ch not in allow and _dangerous(ch)]
    assert bad == [], f"dangerous characters reached the terminal: {bad}"
    return text


def one_line_error(run: Run) -> str:
    text = terminal_safe(run.err)
    lines = [line for line in text.splitlines() if not line.startswith("ernie-tui: warning")]
    assert len(lines) == 1, text
    assert lines[0].startswith("ernie-tui: ")
    return lines[0]


async def hostile_conversation(client: ErnieClient, server: ServerThread) -> str:
    """A conversation with a hostile name, question and answer; its id."""
    server.state.faults.add(Fault("answer", text=HOSTILE_ANSWER))
    answer = await client.ask("question \ue000[31m \ue002 \ue003 asked")
    await client.rename_conversation(answer.session_id, HOSTILE_NAME)
    return answer.session_id


@pytest.fixture
def cli(tmp_path: Path, server: ServerThread, account: Account) -> Cli:
    return Cli(tmp_path, server, account)


# -- ask ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_ask_with_lone_surrogates_keeps_the_answer_and_the_ids(
    cli: Cli, server: ServerThread, proxy: Proxy, mode: str
) -> None:
    server.state.faults.add(Fault("answer", text=HOSTILE_ANSWER))
    done = run(cli, "--base-url", proxy.base_url, "ask", "hello", **MODES[mode])
    assert done.code == 0, done.err_text
    out = terminal_safe(done.out)
    assert "line one" in out and "line two" in out and "你好 👩\u200d💻 end" in out
    err = terminal_safe(done.err).splitlines()
    assert [line.split(":")[0] for line in err if not line.startswith("ernie-tui")] == [
        "session",
        "parent",
    ]


def test_ask_on_a_terminal_writes_no_raw_c1_byte(
    cli: Cli, server: ServerThread, proxy: Proxy, tmp_path: Path
) -> None:
    # A terminal without a locale (LC_ALL=C): Python's UTF-8 mode, where a
    # lone surrogate would go out as the raw byte 0x9B.
    server.state.faults.add(Fault("answer", text=HOSTILE_ANSWER))
    argv = [sys.executable, "-m", "ernie_tui", "--base-url", proxy.base_url, "ask", "hello"]
    app = PtyApp(argv, {**cli.env(), "LC_ALL": "C"}, tmp_path)
    code = app.close(keys="")
    raw = bytes(app.raw)
    assert code == 0, raw
    text = terminal_safe(raw, allow="\r\n\t")
    assert b"Traceback" not in raw
    assert "line one" in text and "end" in text
    assert "session: " in text and "parent: " in text


# -- list / export / share ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_list_with_a_hostile_name(
    cli: Cli, client: ErnieClient, server: ServerThread, proxy: Proxy, mode: str
) -> None:
    session_id = await hostile_conversation(client, server)

    table = run(cli, "--base-url", proxy.base_url, "list", **MODES[mode])
    assert table.code == 0, table.err_text
    line = terminal_safe(table.out).splitlines()[0]
    assert line.startswith(session_id)
    assert line.endswith(clean_line(server_sent(HOSTILE_NAME)))
    assert "name [31m red" in line and line.endswith(" end")

    listed = run(cli, "--base-url", proxy.base_url, "list", "--json", **MODES[mode])
    assert listed.code == 0, listed.err_text
    terminal_safe(listed.out)
    (item,) = json.loads(listed.out)
    # Exactly what the server sent, but a lone surrogate (not text) is U+FFFD:
    # the controls and invisible characters are there, written as escapes.
    assert item["name"] == re.sub("[\ud800-\udfff]", "\ufffd", server_sent(HOSTILE_NAME))
    assert b"\\u202e" in listed.out and b"\\udb40\\udc41" in listed.out


@pytest.mark.parametrize("mode", MODES)
async def test_export_with_hostile_text_to_stdout_and_to_a_file(
    cli: Cli, client: ErnieClient, server: ServerThread, proxy: Proxy, tmp_path: Path, mode: str
) -> None:
    session_id = await hostile_conversation(client, server)
    base = ("--base-url", proxy.base_url, "export", session_id)

    md = run(cli, *base, **MODES[mode])
    assert md.code == 0, md.err_text
    text = terminal_safe(md.out)
    assert text.startswith(f"# {clean_line(server_sent(HOSTILE_NAME))}\n")
    assert clean(server_sent(HOSTILE_ANSWER)) in text

    data = run(cli, *base, "--format", "json", **MODES[mode])
    assert data.code == 0, data.err_text
    terminal_safe(data.out)
    messages = json.loads(data.out)["messages"]
    assert messages[1]["text"] == re.sub("[\ud800-\udfff]", "\ufffd", server_sent(HOSTILE_ANSWER))

    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    for fmt, name in (("md", "conv.md"), ("json", "conv.json")):
        written = run(cli, *base, "--format", fmt, "-o", str(out_dir / name), **MODES[mode])
        assert written.code == 0, written.err_text
        assert written.out == b""
        terminal_safe((out_dir / name).read_bytes())
    assert sorted(p.name for p in out_dir.iterdir()) == ["conv.json", "conv.md"]


async def test_a_failed_export_to_a_file_leaves_nothing_behind(
    cli: Cli, client: ErnieClient, server: ServerThread, tmp_path: Path
) -> None:
    session_id = await hostile_conversation(client, server)
    out_dir = tmp_path / "exports"
    (out_dir / "taken.md").mkdir(parents=True)  # a directory where the file should go
    before = sorted(p.name for p in out_dir.iterdir())

    done = run(cli, "export", session_id, "-o", str(out_dir / "taken.md"))
    assert done.code == 1
    assert "cannot write" in one_line_error(done)
    assert sorted(p.name for p in out_dir.iterdir()) == before  # no .taken.md.XXXX


async def test_share_with_a_hostile_key(
    cli: Cli, client: ErnieClient, server: ServerThread, proxy: Proxy
) -> None:
    answer = await client.ask("share me")
    proxy.rules.append((rb'"key":"', rb'"key":"\\udc9b[31m\\ud800\\u202e\\udc80'))
    done = run(cli, "--base-url", proxy.base_url, "share", answer.session_id, PYTHONUTF8="1")
    assert done.code == 0, done.err_text
    link = terminal_safe(done.out).strip()
    assert link.startswith(f"{proxy.base_url}/share/[31m")


# -- addresses and config -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("http://[::1", "unclosed or misplaced '['"),
        ("http://127.0.0.1:99999", "port that is not a number from 1 to 65535"),
        ("http://127.0.0.1:0", "port 0"),
        ("http://127.0.0.1\x1b[31m", "control character (U+001B)"),
        ("http://exa mple.com", "a space"),
        ("https://yiyan.baidu.com\u202e", "invisible formatting character (U+202E)"),
        ("yiyan.baidu.com", "http:// or https://"),
    ],
)
def test_a_bad_server_address_is_a_usage_error(cli: Cli, address: str, why: str) -> None:
    for args, env in (
        (("--base-url", address, "list"), {}),
        (("list",), {"ERNIE_TUI_BASE_URL": address}),
    ):
        done = run(cli, *args, **env)
        assert done.code == 2
        message = one_line_error(done)
        assert why in message
        assert ("--base-url" if args[0] == "--base-url" else "ERNIE_TUI_BASE_URL") in message


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("http://127.0.0.1:1\\u001b[31m", "control character (U+001B)"),
        ("http://[::1", "unclosed or misplaced '['"),
        ("http://127.0.0.1:99999", "1 to 65535"),
    ],
)
def test_a_bad_address_in_the_config_names_file_line_and_key(
    cli: Cli, value: str, why: str
) -> None:
    cli.config.write_text(f'theme = "nord"\nbase_url = "{value}"\n', encoding="utf-8")
    for command in ("status", "list"):
        done = run(cli, command)
        assert done.code == 2
        text = terminal_safe(done.err)
        assert f"{cli.config}, line 2, key 'base_url'" in text
        assert why in text
        assert done.out == b""


def test_status_shows_a_file_name_with_control_characters_escaped(
    cli: Cli, server: ServerThread, tmp_path: Path
) -> None:
    config = tmp_path / "conf\x1b]52;c;ZXZp\x07\u202e.toml"
    config.write_text(f'base_url = "{server.base_url}"\n', encoding="utf-8")
    done = run(cli, "status", "--no-check", ERNIE_TUI_CONFIG=str(config))
    assert done.code == 0, done.err_text
    (line,) = [line for line in terminal_safe(done.out).splitlines() if line.startswith("config:")]
    assert line.endswith(r"/conf\x1b]52;c;ZXZp\x07\u202e.toml")


# -- input that is not UTF-8 ---------------------------------------------------------------


def test_a_question_on_stdin_that_is_not_utf8(cli: Cli) -> None:
    done = run(cli, "ask", "-", stdin="问题".encode("gb18030") + b"\xff\n")
    assert done.code == 2
    assert "standard input is not UTF-8 text" in one_line_error(done)


def test_cookies_on_stdin_that_are_not_utf8(cli: Cli) -> None:
    done = run(cli, "login", "--stdin", stdin=b"BAIDUID=\xff\xfe; BDUSS_BFESS=x\n")
    assert done.code == 2
    assert "standard input is not UTF-8 text" in one_line_error(done)
    assert cli.stored() == {}


def test_a_question_in_argv_that_is_not_utf8(cli: Cli) -> None:
    done = run(cli, "ask", b"what is \xff\xfe?")
    assert done.code == 2
    message = one_line_error(done)
    assert "the question holds the byte 0xFF, which is not UTF-8" in message


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "hi", "--session", b"12\xff"),
        ("ask", "hi", "--session", "1", "--parent", b"\xc3"),
        ("export", b"42\x9b"),
        ("share", b"\xed\xa0\x80"),
    ],
)
def test_an_id_in_argv_that_is_not_utf8(cli: Cli, args: tuple[str | bytes, ...]) -> None:
    done = run(cli, *args)
    assert done.code == 2
    assert "which is not UTF-8; ids are digits" in one_line_error(done)


def test_usage_errors_quote_the_command_line_without_controls(cli: Cli) -> None:
    done = run(cli, "list", "\x1b]52;c;ZXZp\x07extra", b"\xff")
    assert done.code == 2
    text = terminal_safe(done.err)
    assert r"unrecognized arguments: \x1b]52;c;ZXZp\x07extra \udcff" in text


# -- an unexpected crash ---------------------------------------------------------------------------

CRASH = (
    "import sys\n"
    "import ernie_tui.cli as cli\n"
    "def broken(args):\n"
    "    raise ExceptionGroup('inside', [ZeroDivisionError('secret-detail')])\n"
    "cli._COMMANDS['list'] = broken\n"
    "raise SystemExit(cli.main(['list']))\n"
)


@pytest.mark.parametrize("debug", ["", "1"])
def test_an_unexpected_crash_exits_1_in_one_line(cli: Cli, debug: str) -> None:
    # No real command crashes (that is the point): a command is replaced by
    # one that does, to prove what main() does with a bug.
    done = subprocess.run(
        [sys.executable, "-c", CRASH],
        capture_output=True,
        env={**cli.env(), "ERNIE_TUI_DEBUG": debug},
        timeout=60,
    )
    assert done.returncode == 1
    err = done.stderr.decode()
    assert "ernie-tui: unexpected error (ZeroDivisionError)" in err
    assert "ERNIE_TUI_DEBUG=1" in err
    if debug:
        assert "Traceback" in err and "secret-detail" in err
    else:
        assert "Traceback" not in err and "secret-detail" not in err
        assert len(err.strip().splitlines()) == 1
