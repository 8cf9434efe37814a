"""The command line on the qianfan backend, run as real subprocesses against
the embedded server's ``/v2``, with a test keyring (never the machine's own)
and a library in the test's own data directory.

Every run is checked for the API key: it may appear in no argv, no stdout, no
stderr, and no file but the test keyring's mirror."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ernie_tui.api_key import API_KEY_SERVICE
from ernie_tui.server import Fault, ServerThread

TESTS = Path(__file__).parent
_keys = itertools.count(1)


@dataclass
class Run:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``ernie-tui --backend qianfan`` in a subprocess with a clean
    environment; the key reaches it only through ``QIANFAN_API_KEY`` or
    standard input."""

    def __init__(self, tmp_path: Path, server: ServerThread) -> None:
        self.tmp_path = tmp_path
        self.server = server
        self.base_url = server.base_url + "/v2"
        self.host = server.base_url.split("://", 1)[1]
        self.keyring_file = tmp_path / "keyring.json"
        self.config = tmp_path / "config.toml"
        self.config.write_text("", encoding="utf-8")
        self.data = tmp_path / "data"
        self.key = f"bce-v3/ALTAK-cli{os.getpid()}x{next(_keys):04d}/{os.urandom(16).hex()}"
        self.library = self.data / "ernie-tui" / "library.db"

    def env(self, *, key: bool, keyring: str = "MemoryKeyring") -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ERNIE_", "QIANFAN_", "PYTHON_KEYRING", "PYTHONPATH", "XDG_"))
        }
        env.update(
            PYTHONPATH=str(TESTS),
            PYTHON_KEYRING_BACKEND=f"keyring_backend.{keyring}" if "." not in keyring else keyring,
            ERNIE_TUI_TEST_KEYRING=str(self.keyring_file),
            ERNIE_TUI_CONFIG=str(self.config),
            XDG_CONFIG_HOME=str(self.tmp_path / "xdg"),
            XDG_DATA_HOME=str(self.data),
            NO_COLOR="1",
        )
        if key:
            env["QIANFAN_API_KEY"] = self.key
        return env

    def __call__(
        self,
        *args: str,
        stdin: str = "",
        key: bool = True,
        keyring: str = "MemoryKeyring",
        flags: bool = True,
        env: dict[str, str] | None = None,
    ) -> Run:
        chosen = ["--backend", "qianfan", "--base-url", self.base_url] if flags else []
        argv = [sys.executable, "-m", "ernie_tui", *chosen, *args]
        assert not any(self.key in a for a in argv), "the API key in argv"
        done = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env(key=key, keyring=keyring), **(env or {})},
            timeout=120,
        )
        assert self.key not in done.stdout and self.key not in done.stderr, "the key printed"
        return Run(done.returncode, done.stdout, done.stderr)

    def stored(self) -> dict[tuple[str, str], str]:
        if not self.keyring_file.exists():
            return {}
        return {(s, u): p for s, u, p in json.loads(self.keyring_file.read_text())}

    def files_holding_the_key(self) -> list[Path]:
        return [
            path
            for path in self.tmp_path.rglob("*")
            if path.is_file()
            and path != self.keyring_file
            and self.key.encode() in path.read_bytes()
        ]


@pytest.fixture
def cli(tmp_path: Path, server: ServerThread) -> Cli:
    return Cli(tmp_path, server)


def ids_from(err: str) -> dict[str, str]:
    found = {}
    for line in err.splitlines():
        name, sep, value = line.partition(": ")
        if sep and name in ("session", "parent"):
            found[name] = value.strip()
    return found


# -- login / status / logout ----------------------------------------------------------


def test_login_checks_the_key_then_stores_it(cli: Cli) -> None:
    masked = "bce-v3/ALTA…" + cli.key[-4:]
    assert cli("status", key=False).code == 3

    login = cli("login", "--stdin", stdin=f"{cli.key}\n", key=False)
    assert login.code == 0, login.err
    assert "Signed in to" in login.err and masked in login.err
    assert cli.stored() == {(API_KEY_SERVICE, cli.host): json.dumps({"API_KEY": cli.key})}

    status = cli("status", key=False)
    assert status.code == 0, status.err
    assert "backend:     qianfan" in status.out
    assert f"server:      {cli.base_url}" in status.out
    assert "model:       ernie-4.5-turbo-32k" in status.out
    assert f"API key {masked}, from the keyring" in status.out
    assert "server says: accepted" in status.out

    # The environment wins over the keyring, and status says so.
    env_status = cli("status")
    assert "QIANFAN_API_KEY set: it overrides the keyring" in env_status.out
    assert "from the environment" in env_status.out

    assert cli("list", key=False).code == 0  # signed in through the keyring only
    logout = cli("logout", key=False)
    assert logout.code == 0 and "the API key was removed" in logout.err
    assert cli.stored() == {}
    assert "No API key" in cli("logout", key=False).err
    assert cli("status", key=False).code == 3
    assert cli.files_holding_the_key() == []


def test_a_refused_key_is_not_stored(cli: Cli) -> None:
    refused = "sk-" + os.urandom(16).hex()  # not of Qianfan's form: the server says 401
    run = cli("login", "--stdin", stdin=refused, key=False)
    assert run.code == 3
    assert "the key was refused, so it was not stored" in run.err
    assert refused not in run.err and refused not in run.out
    assert cli.stored() == {}


def test_a_key_that_cannot_be_checked_says_what_happened(cli: Cli, server: ServerThread) -> None:
    server.state.faults.add(Fault("error", path="/v2/models", msg="internal_error"))
    run = cli("login", "--stdin", stdin=cli.key, key=False)
    assert run.code == 1
    assert "the key could not be checked, so it was not stored" in run.err
    assert "500" in run.err or "internal" in run.err.lower()
    assert cli.stored() == {}


def test_login_with_no_keyring_points_at_the_environment(cli: Cli) -> None:
    run = cli("login", "--stdin", stdin=cli.key, key=False, keyring="keyring.backends.fail.Keyring")
    assert run.code == 1
    assert "accepted the API key, but it could not be stored" in run.err
    assert "QIANFAN_API_KEY" in run.err
    assert "for this run only" not in run.err  # the command line cannot offer that
    assert cli.files_holding_the_key() == []


def test_a_paste_that_is_no_key_is_explained_unechoed(cli: Cli) -> None:
    run = cli("login", "--stdin", stdin="my key is secret-words\n", key=False)
    assert run.code == 2
    assert "not an API key" in run.err and "secret-words" not in run.err
    assert cli("login", key=False).code == 2  # no terminal: asks for --stdin


def test_a_key_on_the_command_line_is_refused_unechoed(cli: Cli) -> None:
    typed = "bce-v3/ALTAK-typedbymistake/0123456789abcdef"
    for args in (("login", typed), ("ask", "--api-key", "sk-abcdef123456"), ("--token=abc",)):
        run = cli(*args, key=False)
        assert run.code == 2
        assert "never taken from the command line" in run.err
        assert typed not in run.err and "sk-abcdef123456" not in run.err


# -- ask / list / export ----------------------------------------------------------------


def test_ask_creates_a_local_conversation_and_continues_it(cli: Cli) -> None:
    first = cli("ask", "什么是千帆大模型平台?")
    assert first.code == 0, first.err
    assert "什么是千帆大模型平台" in first.out
    ids = ids_from(first.err)
    assert ids["session"] and ids["parent"]

    second = cli("ask", "--session", ids["session"], "and then?")
    assert second.code == 0, second.err
    # The demo bot answers with the previous question: it was sent the thread.
    assert "previous question): 什么是千帆大模型平台?" in second.out
    assert ids_from(second.err)["session"] == ids["session"]

    # --parent continues from an earlier answer: a new branch after the first.
    third = cli("ask", "--session", ids["session"], "--parent", ids["parent"], "instead?")
    assert third.code == 0, third.err
    assert "previous question): 什么是千帆大模型平台?" in third.out

    exported = json.loads(cli("export", ids["session"], "--format", "json").out)
    asked = [m["text"] for m in exported["messages"] if m["role"] == "user"]
    assert asked == ["什么是千帆大模型平台?", "instead?"]
    assert exported["model"] == "ernie-4.5-turbo-32k"
    assert cli.library.exists()
    assert cli.files_holding_the_key() == []


def test_a_cut_answer_keeps_what_arrived_here_and_in_the_library(
    cli: Cli, server: ServerThread
) -> None:
    server.state.faults.add(Fault("cut", after=3, path="/v2/chat/completions"))
    run = cli("ask", "tell me")
    assert run.code == 4
    assert run.out.strip()  # the part that arrived
    session = ids_from(run.err)["session"]
    md = cli("export", session).out
    assert "Incomplete: the answer was cut off." in md
    assert run.out.strip().splitlines()[0] in md


def test_a_missing_conversation_or_parent_is_an_error(cli: Cli) -> None:
    run = cli("ask", "--session", "0123456789abcdef", "hello")
    assert run.code == 1 and "no conversation with id '0123456789abcdef'" in run.err
    session = ids_from(cli("ask", "hello").err)["session"]
    run = cli("ask", "--session", session, "--parent", "fedcba9876543210", "again")
    assert run.code == 1 and "fedcba9876543210" in run.err
    assert "unexpected error" not in run.err


def test_the_model_option_and_a_thinking_model(cli: Cli) -> None:
    run = cli("--model", "ernie-x1-turbo-32k", "ask", "why is the sky blue?")
    assert run.code == 0, run.err
    session = ids_from(run.err)["session"]
    exported = json.loads(cli("export", session, "--format", "json").out)
    assert exported["model"] == "ernie-x1-turbo-32k"
    assert exported["messages"][1]["reasoning"]  # the thinking was kept
    md = cli("export", session).out
    assert "**Thinking**" in md

    bad = cli("ask", "--model", "no such model!", "hi")
    assert bad.code == 2 and "--model" in bad.err and "is not a model id" in bad.err


def test_list_and_export_the_local_conversations(cli: Cli, tmp_path: Path) -> None:
    assert "No conversations yet" in cli("list").err
    a = ids_from(cli("ask", "alpha question").err)["session"]
    b = ids_from(cli("ask", "beta \x1b[31mred").err)["session"]

    table = cli("list")
    assert table.code == 0, table.err
    assert [line.split()[0] for line in table.out.splitlines()] == [b, a]  # newest first
    assert "\x1b" not in table.out
    listed = json.loads(cli("list", "--json").out)
    assert [item["id"] for item in listed] == [b, a]
    assert listed[0]["name"] == "beta \x1b[31mred" and listed[0]["pinned"] is False

    md = cli("export", a)
    assert md.code == 0, md.err
    assert md.out.startswith("# alpha question")
    assert "## You" in md.out and "## Assistant" in md.out

    target = tmp_path / "out" / "alpha.json"
    target.parent.mkdir()
    written = cli("export", a, "--format", "json", "-o", str(target))
    assert written.code == 0, written.err
    assert "Wrote 2 messages" in written.err and written.out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == "ernie-tui conversation" and data["id"] == a
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert [p.name for p in target.parent.iterdir()] == ["alpha.json"]  # no temporary left

    missing = cli("export", "424242")
    assert missing.code == 1 and "no conversation with id '424242'" in missing.err
    share = cli("share", a)
    assert share.code == 1 and "no share link" in share.err


def test_each_key_sees_only_its_own_conversations(cli: Cli, tmp_path: Path) -> None:
    mine = ids_from(cli("ask", "mine").err)["session"]
    other = f"bce-v3/ALTAK-other{os.getpid()}/{os.urandom(16).hex()}"
    theirs = cli("list", "--json", env={"QIANFAN_API_KEY": other})
    assert theirs.code == 0 and json.loads(theirs.out) == []
    assert cli("export", mine, env={"QIANFAN_API_KEY": other}).code == 1


def test_no_key_exits_3(cli: Cli) -> None:
    run = cli("ask", "hello", key=False)
    assert run.code == 3
    assert f"ernie-tui login --backend qianfan --base-url {cli.base_url}" in run.err
    assert "QIANFAN_API_KEY" in run.err


def test_a_damaged_library_is_named_and_left_as_it_is(cli: Cli) -> None:
    cli.library.parent.mkdir(parents=True)
    cli.library.write_bytes(b"this is not a database\n" * 10)
    run = cli("list")
    assert run.code == 1
    assert str(cli.library) in run.err and "damaged" in run.err
    assert len(run.err.strip().splitlines()) == 1 and "unexpected error" not in run.err
    assert cli.library.read_bytes() == b"this is not a database\n" * 10


# -- choosing the backend, and the config ------------------------------------------------


def test_the_backend_comes_from_the_flag_the_environment_or_the_config(cli: Cli) -> None:
    url = ("--base-url", cli.base_url)
    from_env = cli(*url, "status", "--no-check", flags=False, env={"ERNIE_TUI_BACKEND": "qianfan"})
    assert from_env.code == 0 and "backend:     qianfan" in from_env.out

    cli.config.write_text(f'backend = "qianfan"\n[qianfan]\nbase_url = "{cli.base_url}"\n')
    from_config = cli("status", "--no-check", flags=False)
    assert from_config.code == 0 and "backend:     qianfan" in from_config.out
    assert f"server:      {cli.base_url}" in from_config.out
    assert cli("ask", "from the config", flags=False).code == 0

    # The flag wins over the environment, which wins over the config.
    web = cli("status", "--backend", "web", "--no-check", flags=False)
    assert "backend:     web" in web.out
    env_web = cli("status", "--no-check", flags=False, env={"ERNIE_TUI_BACKEND": "web"})
    assert "backend:     web" in env_web.out
    bad = cli("status", flags=False, env={"ERNIE_TUI_BACKEND": "bard"})
    assert bad.code == 2 and "ERNIE_TUI_BACKEND must be one of web, qianfan" in bad.err


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('backend = "bard"\n', 1, "backend"),
        ('[qianfan]\nmodel = "x"\nweb_search = "yes"\n', 3, "qianfan.web_search"),
        ('theme = "nord"\n[qianfan]\nbase_url = "ftp://example.test/v2"\n', 3, "qianfan.base_url"),
        ('[qianfan]\napi_key = "bce-v3/ALTAK-inthefile/0123456789"\n', 2, "qianfan.api_key"),
        ('[qianfan]\nappid = "bce-v3/ALTAK-inthefile/0123456789"\n', 2, "qianfan.appid"),
    ],
)
def test_bad_config_values_name_file_line_and_key(cli: Cli, text: str, line: int, key: str) -> None:
    cli.config.write_text(text, encoding="utf-8")
    run = cli("status", "--no-check")
    assert run.code == 2
    assert f"{cli.config}, line {line}, key '{key}'" in run.err
    assert "0123456789" not in run.err  # a key in the file is never repeated
