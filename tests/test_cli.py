"""The command line, run as real subprocesses (``python -m ernie_tui ...``)
against the embedded server, with a test keyring (never the machine's own).

Every run is checked for the cookie values: they may appear in no argv, no
stdout and no stderr."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Account

from ernie_tui.api import ErnieClient
from ernie_tui.credentials import SERVICE
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault

TESTS = Path(__file__).parent


@dataclass
class Run:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``ernie-tui`` in a subprocess with a clean environment."""

    def __init__(self, tmp_path: Path, server: ServerThread, account: Account) -> None:
        self.tmp_path = tmp_path
        self.server = server
        self.account = account
        self.keyring_file = tmp_path / "keyring.json"
        self.config = tmp_path / "config.toml"
        self.config.write_text(f'base_url = "{server.base_url}"\n', encoding="utf-8")
        self.secrets = (account.baiduid.reveal(), account.bduss.reveal())

    def env(self, *, signed_in: bool = True, backend: str = "MemoryKeyring") -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ERNIE_", "PYTHON_KEYRING", "PYTHONPATH"))
        }
        env.update(
            PYTHONPATH=str(TESTS),
            PYTHON_KEYRING_BACKEND=f"keyring_backend.{backend}" if "." not in backend else backend,
            ERNIE_TUI_TEST_KEYRING=str(self.keyring_file),
            ERNIE_TUI_CONFIG=str(self.config),
            XDG_CONFIG_HOME=str(self.tmp_path / "xdg"),
            XDG_DATA_HOME=str(self.tmp_path / "data"),  # the library (web cache) goes here
            NO_COLOR="1",
        )
        if signed_in:
            env["ERNIE_BAIDUID"] = self.secrets[0]
            env["ERNIE_BDUSS_BFESS"] = self.secrets[1]
        return env

    def argv(self, args: Sequence[str]) -> list[str]:
        argv = [sys.executable, "-m", "ernie_tui", *args]
        for secret in self.secrets:
            assert not any(secret in a for a in argv), "a cookie value in argv"
        return argv

    def check_clean(self, *texts: str) -> None:
        for text in texts:
            for secret in self.secrets:
                assert secret not in text, "a cookie value was printed"

    def __call__(
        self,
        *args: str,
        stdin: str | None = None,
        signed_in: bool = True,
        backend: str = "MemoryKeyring",
    ) -> Run:
        done = subprocess.run(
            self.argv(args),
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env(signed_in=signed_in, backend=backend),
            timeout=120,
        )
        self.check_clean(done.stdout, done.stderr)
        return Run(done.returncode, done.stdout, done.stderr)

    def stored(self) -> dict[tuple[str, str], str]:
        if not self.keyring_file.exists():
            return {}
        return {(s, u): p for s, u, p in json.loads(self.keyring_file.read_text())}


@pytest.fixture
def cli(tmp_path: Path, server: ServerThread, account: Account) -> Cli:
    return Cli(tmp_path, server, account)


def host(server: ServerThread) -> str:
    return server.base_url.split("://", 1)[1]


def ids_from(err: str) -> dict[str, str]:
    found = {}
    for line in err.splitlines():
        name, sep, value = line.partition(": ")
        if sep and name in ("session", "parent"):
            found[name] = value.strip()
    return found


# -- help -----------------------------------------------------------------------------


def test_help_is_light_and_every_command_has_help(cli: Cli) -> None:
    probe = (
        "import sys\n"
        "from ernie_tui.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', sorted(m for m in ('textual', 'httpx', 'keyring') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=cli.env(), timeout=60
    )
    assert "HEAVY []" in done.stdout
    assert "login" in done.stdout and "exit codes" in done.stdout
    for command in ("login", "logout", "status", "ask", "list", "export", "share", "serve"):
        run = cli(command, "--help")
        assert run.code == 0
        assert f"usage: ernie-tui {command}" in run.out


def test_usage_errors_exit_2(cli: Cli) -> None:
    run = cli("export")
    assert run.code == 2
    assert "ID" in run.err and run.out == ""


# -- ask ------------------------------------------------------------------------------


def test_ask_streams_the_answer_and_continues_the_thread(cli: Cli, account: Account) -> None:
    first = cli("ask", "什么是文心一言?")
    assert first.code == 0, first.err
    assert "什么是文心一言" in first.out
    ids = ids_from(first.err)
    assert ids["session"] and ids["parent"]

    second = cli("ask", "and then?", "--session", ids["session"], "--parent", ids["parent"])
    assert second.code == 0, second.err
    assert ids_from(second.err)["session"] == ids["session"]
    # Without --parent the thread continues from the conversation's latest chat.
    third = cli("ask", "one more", "--session", ids["session"])
    assert third.code == 0, third.err

    exported = cli("export", ids["session"], "--format", "json")
    messages = json.loads(exported.out)["messages"]
    assert [m["text"] for m in messages if m["role"] == "user"] == [
        "什么是文心一言?",
        "and then?",
        "one more",
    ]


def test_ask_writes_each_piece_as_it_arrives(cli: Cli, server: ServerThread) -> None:
    gate = Fault("gate", after=3, seconds=120)
    server.state.faults.add(gate)
    proc = subprocess.Popen(
        cli.argv(["ask", "stream please"]),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.env(),
    )
    chunks: queue.Queue[bytes] = queue.Queue()
    assert proc.stdout is not None

    def reader() -> None:
        assert proc.stdout is not None
        while chunk := proc.stdout.read1(4096):
            chunks.put(chunk)
        chunks.put(b"")

    threading.Thread(target=reader, daemon=True).start()
    try:
        # The server holds the rest of the answer until the gate opens, so text
        # arriving here was written before the answer was complete. (The
        # generous wait only guards against hanging forever.)
        first = chunks.get(timeout=60)
        assert first.strip()
        assert not gate.gate.is_set()
    finally:
        gate.gate.set()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    cli.check_clean(out.decode(), err.decode())


def test_ask_strips_terminal_escapes_from_the_answer(cli: Cli, server: ServerThread) -> None:
    server.state.faults.add(
        Fault("answer", text="safe \x1b]52;c;cm0gLXJmIH4=\x07text\x1b[2J\x9b31m here\x07")
    )
    run = cli("ask", "hello")
    assert run.code == 0, run.err
    assert "safe" in run.out and "here" in run.out
    for bad in ("\x1b", "\x07", "\x9b"):
        assert bad not in run.out


def test_a_cut_answer_keeps_what_arrived_and_exits_4(cli: Cli, server: ServerThread) -> None:
    server.state.faults.add(Fault("cut", after=3))
    run = cli("ask", "tell me")
    assert run.code == 4
    assert run.out.strip()  # the part that arrived
    assert "cut off" in run.err
    assert ids_from(run.err)["session"]


def test_a_question_over_the_limit_is_refused(cli: Cli) -> None:
    cli.config.write_text(
        f'base_url = "{cli.server.base_url}"\nquestion_limit = 10\n', encoding="utf-8"
    )
    run = cli("ask", "x" * 11)
    assert run.code == 2
    assert "limit is 10" in run.err


def test_ask_reads_the_question_from_stdin(cli: Cli) -> None:
    run = cli("ask", "-", stdin="问题来自标准输入\n")
    assert run.code == 0, run.err
    assert "问题来自标准输入" in run.out


# -- list / export / share ---------------------------------------------------------------


async def test_list_puts_pinned_first(cli: Cli, client: ErnieClient) -> None:
    a = await client.new_conversation("alpha")
    b = await client.new_conversation("beta \x1b[31mred")
    c = await client.new_conversation("gamma")
    await client.pin_conversation(a)

    table = cli("list")
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    assert lines[0].startswith(a) and "pinned" in lines[0]
    assert {line.split()[0] for line in lines[1:]} == {b, c}
    assert "\x1b" not in table.out

    listed = json.loads(cli("list", "--json").out)
    assert listed[0]["id"] == a and listed[0]["pinned"] is True
    assert {item["name"] for item in listed} == {"alpha", "beta \x1b[31mred", "gamma"}


async def test_export_markdown_and_json_to_a_file(
    cli: Cli, client: ErnieClient, tmp_path: Path
) -> None:
    answer = await client.ask("导出测试 export me")
    session_id = answer.session_id

    md = cli("export", session_id)
    assert md.code == 0, md.err
    assert md.out.startswith("# 导出测试 export me")
    assert "## You" in md.out and "## ERNIE Bot" in md.out

    target = tmp_path / "out" / "conv.json"
    target.parent.mkdir()
    written = cli("export", session_id, "--format", "json", "-o", str(target))
    assert written.code == 0, written.err
    assert written.out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["id"] == session_id
    assert [m["role"] for m in data["messages"]] == ["user", "robot"]
    assert data["messages"][1]["text"] == answer.text

    missing = cli("export", "424242")
    assert missing.code == 1
    assert "no conversation with id '424242'" in missing.err


async def test_share_prints_the_link(cli: Cli, client: ErnieClient) -> None:
    answer = await client.ask("share me")
    run = cli("share", answer.session_id)
    assert run.code == 0, run.err
    link = run.out.strip()
    assert link.startswith(f"{cli.server.base_url}/share/")
    shares = await client.list_shares()
    assert [s.key for s in shares] == [link.rsplit("/", 1)[1]]
    assert set(shares[0].chat_ids) == {answer.user_chat_id, answer.bot_chat_id}


# -- not signed in, rejected, unreachable, bad config --------------------------------------


def test_not_signed_in_exits_3(cli: Cli) -> None:
    run = cli("list", signed_in=False)
    assert run.code == 3
    assert "ernie-tui login" in run.err


def test_a_rejected_credential_exits_3(cli: Cli, server: ServerThread) -> None:
    server.state.faults.add(Fault("error", path="/eb/session", count=2))
    run = cli("list")
    assert run.code == 3
    assert "请先登录" in run.err


def test_an_unreachable_server_exits_4(cli: Cli, own_server: ServerThread) -> None:
    base_url = own_server.base_url
    own_server.stop()
    for args in (("list", "--base-url", base_url), ("--base-url", base_url, "list")):
        run = cli(*args)
        assert run.code == 4
        assert "Cannot reach" in run.err


def test_a_malformed_config_exits_2_and_the_app_does_not_start(cli: Cli) -> None:
    cli.config.write_text('theme = "nord"\n[timeouts]\nidle = "long"\n', encoding="utf-8")
    for args in (("list",), ()):
        run = cli(*args)
        assert run.code == 2
        assert f"{cli.config}, line 3, key 'timeouts.idle'" in run.err
        assert run.out == ""  # no screen was drawn


def test_cookie_values_on_the_command_line_are_refused_unechoed(cli: Cli) -> None:
    fake = "fake-bduss-value-typed-by-mistake-0123"
    run = cli("login", f"BDUSS_BFESS={fake}")
    assert run.code == 2
    assert "never taken from the command line" in run.err
    assert fake not in run.err and fake not in run.out


# -- login / status / logout ---------------------------------------------------------------


def test_login_status_logout(cli: Cli, server: ServerThread, account: Account) -> None:
    baiduid, bduss = cli.secrets
    before = cli("status", signed_in=False)
    assert before.code == 3
    assert "environment: not in use" in before.out

    login = cli(
        "login",
        "--stdin",
        stdin=f"Cookie: PSTM=1; BAIDUID={baiduid}; BDUSS_BFESS={bduss}\n",
        signed_in=False,
    )
    assert login.code == 0, login.err
    assert "Signed in to" in login.err and account.bduss.masked in login.err
    stored = cli.stored()
    assert list(stored) == [(SERVICE, host(server))]
    assert json.loads(stored[(SERVICE, host(server))]) == {"BAIDUID": baiduid, "BDUSS_BFESS": bduss}

    status = cli("status", signed_in=False)
    assert status.code == 0, status.err
    assert "MemoryKeyring" in status.out
    assert f"BDUSS_BFESS {account.bduss.masked}" in status.out
    assert "from the keyring" in status.out
    assert "accepted" in status.out

    # The environment variables win over the keyring, and status says so.
    env_status = cli("status")
    assert "they override the keyring" in env_status.out
    assert "from the environment" in env_status.out

    # A command signed in through the keyring only.
    assert cli("list", signed_in=False).code == 0

    logout = cli("logout", signed_in=False)
    assert logout.code == 0
    assert "removed" in logout.err
    assert cli.stored() == {}
    again = cli("logout", signed_in=False)
    assert again.code == 0 and "No cookies" in again.err
    assert cli("status", signed_in=False).code == 3


def test_login_refuses_a_pair_the_server_rejects(cli: Cli, server: ServerThread) -> None:
    server.state.faults.add(Fault("error", path="/eb/session", count=2))
    baiduid, bduss = cli.secrets
    run = cli("login", "--stdin", stdin=f"BAIDUID={baiduid}; BDUSS_BFESS={bduss}", signed_in=False)
    assert run.code == 3
    assert "rejected these cookies" in run.err and "请先登录" in run.err
    assert cli.stored() == {}


def test_login_with_no_keyring_says_so_and_stores_nothing(cli: Cli) -> None:
    baiduid, bduss = cli.secrets
    run = cli(
        "login",
        "--stdin",
        stdin=f"{baiduid}\n{bduss}\n",
        signed_in=False,
        backend="keyring.backends.fail.Keyring",
    )
    assert run.code == 1
    assert "could not be stored" in run.err
    assert "dbus-run-session" in run.err and "ERNIE_BAIDUID" in run.err
    status = cli("status", signed_in=False, backend="keyring.backends.fail.Keyring")
    assert "keyring:     none" in status.out
    assert "gnome-keyring-daemon" in status.out


def test_login_with_an_unparsable_paste_explains(cli: Cli) -> None:
    run = cli("login", "--stdin", stdin="just some words\n", signed_in=False)
    assert run.code == 2
    assert "No BAIDUID and no BDUSS_BFESS cookie" in run.err
    assert "just some words" not in run.err


def test_login_without_a_terminal_asks_for_stdin(cli: Cli) -> None:
    run = cli("login", signed_in=False)
    assert run.code == 2
    assert "--stdin" in run.err


def test_login_without_a_keyring_points_to_the_environment_not_to_this_run(cli: Cli) -> None:
    """Only the app can keep cookies for one run; the command line says to use
    the environment variables instead, piped or typed at the prompts."""
    from ptyrun import PtyApp

    baiduid, bduss = cli.secrets
    piped = cli(
        "login",
        "--stdin",
        stdin=f"{baiduid}\n{bduss}\n",
        signed_in=False,
        backend="keyring.backends.fail.Keyring",
    )
    assert piped.code == 1
    assert "this run only" not in piped.err
    assert "set ERNIE_BAIDUID and ERNIE_BDUSS_BFESS in the environment" in piped.err

    env = cli.env(signed_in=False, backend="keyring.backends.fail.Keyring")
    typed = PtyApp([sys.executable, "-m", "ernie_tui", "login"], env, cli.tmp_path)
    typed.wait_for(f"signed in at {host(cli.server)}")
    typed.wait_for("BAIDUID: ")
    typed.type(baiduid + "\r")
    typed.wait_for("BDUSS_BFESS: ")
    typed.type(bduss + "\r")
    typed.wait_for("could not be stored")
    code = typed.close(keys="\r")  # would answer a [y/N] prompt, if one were asked
    said = bytes(typed.raw).decode("utf-8", "replace")
    cli.check_clean(said)
    assert code == 1
    assert "this run only" not in said and "[y/N]" not in said
    assert "set ERNIE_BAIDUID and ERNIE_BDUSS_BFESS in the environment" in said
    assert cli.stored() == {}


def test_status_and_the_not_signed_in_hint_keep_the_base_url(cli: Cli) -> None:
    other = "http://127.0.0.1:9"
    status = cli("status", "--base-url", other, signed_in=False)
    assert status.code == 3
    assert f"run `ernie-tui login --base-url {other}`" in status.out
    listed = cli("list", "--base-url", other, signed_in=False)
    assert listed.code == 3
    assert f"run `ernie-tui login --base-url {other}`" in listed.err
    # Without a keyring, status's remedy names the environment, not "this run".
    bare = cli("status", signed_in=False, backend="keyring.backends.fail.Keyring")
    assert "remedy" in bare.out and "this run only" not in bare.out
