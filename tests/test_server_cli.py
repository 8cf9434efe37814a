"""``ernie-tui serve`` as a real subprocess: bad arguments get one clear line
and an exit code of their own, never a traceback; the control endpoints are
closed unless ``--faults``; a non-loopback host is warned about; bad request
bodies leave no traceback in the server's log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ernie_tui.cli import EXIT_PORT_TAKEN, EXIT_USAGE
from ernie_tui.server import CONTROL_PREFIX, MAX_BODY

SERVE = [sys.executable, "-m", "ernie_tui", "serve"]
COOKIES = {"BAIDUID": "X:FG=1", "BDUSS_BFESS": "serve-cli-account"}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ERNIE_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    return env


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SERVE, *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _one_clear_line(run: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for needle in needles:
        assert needle in lines[0]
    assert "server on" not in run.stderr
    return lines[0]


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "eighty"])
def test_an_invalid_port_is_one_line_and_a_usage_error(tmp_path: Path, port: str) -> None:
    run = _run(tmp_path, "--port", port)
    _one_clear_line(run, "invalid port", port, "0 to 65535")
    assert run.returncode == EXIT_USAGE


def test_a_taken_port_says_so_before_serving_with_a_code_of_its_own(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        run = _run(tmp_path, "--port", port)
    _one_clear_line(run, f"port {port}", "taken", "--port")
    assert run.returncode == EXIT_PORT_TAKEN
    # Not the code of "not signed in", nor any other.
    assert EXIT_PORT_TAKEN not in (0, 1, 2, 3, 4, 130)


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 20)
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp / "no-such-dir" / "ernie.db", ("does not exist",)),
        (lambda tmp: tmp, ("is a directory",)),
        (_corrupt, ("not an SQLite database",)),
        (lambda tmp: Path("/dev/full"), ("not a regular file",)),
    ],
    ids=["missing-directory", "directory", "corrupt-file", "dev-full"],
)
def test_an_unusable_db_is_one_line_and_nothing_is_changed(
    tmp_path: Path, make: Callable[[Path], Path], words: Sequence[str]
) -> None:
    db = make(tmp_path)
    if str(db) == "/dev/full" and not db.exists():
        pytest.skip("no /dev/full here")
    before = db.read_bytes() if db.is_file() else None
    listing = sorted(p.name for p in tmp_path.iterdir())
    run = _run(tmp_path, "--db", str(db), "--port", "0")
    _one_clear_line(run, "cannot use", str(db), *words)
    assert run.returncode == EXIT_USAGE
    if before is not None:
        assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal, -shm, dirs


@dataclass
class Served:
    proc: subprocess.Popen[str]
    base_url: str
    before: list[str]  # stderr lines up to "server on"

    def stop(self) -> str:
        """Interrupt the server as Ctrl-C would; returns the rest of its stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=30)
        return err


@contextmanager
def _serve(tmp_path: Path, *args: str) -> Iterator[Served]:
    proc = subprocess.Popen(
        [*SERVE, "--rate", "0", "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_env(tmp_path),
    )
    served: Served | None = None
    try:
        assert proc.stderr is not None
        before: list[str] = []
        for line in proc.stderr:
            before.append(line.rstrip("\n"))
            if "server on " in line:
                url = line.split("server on ", 1)[1].strip()
                served = Served(proc, url.replace("0.0.0.0", "127.0.0.1"), before)
                break
        assert served is not None, f"the server did not start: {before}"
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_control_endpoints_are_closed_unless_faults(tmp_path: Path) -> None:
    with _serve(tmp_path) as served:
        for method, path in [
            ("POST", f"{CONTROL_PREFIX}/faults"),
            ("DELETE", f"{CONTROL_PREFIX}/faults"),
            ("POST", f"{CONTROL_PREFIX}/seed"),
        ]:
            reply = httpx.request(
                method,
                f"{served.base_url}{path}",
                json={"kind": "answer", "text": "INJECTED", "conversations": 5},
                cookies=COOKIES,
            )
            assert reply.status_code == 404, path
        # The fault header is ignored too: the answer is the bot's own.
        with httpx.stream(
            "POST",
            f"{served.base_url}/eb/chat/conversation/v2",
            json={"text": "hello", "sessionId": "", "parentChatId": "0"},
            headers={"X-Ernie-Fault": '{"kind": "answer", "text": "INJECTED"}'},
            cookies=COOKIES,
        ) as stream:
            body = stream.read().decode()
        assert "hello" in body or "你好" in body
        assert "INJECTED" not in body
        assert not any("--faults" in line for line in served.before)

    with _serve(tmp_path, "--faults") as served:
        reply = httpx.post(
            f"{served.base_url}{CONTROL_PREFIX}/faults", json={"kind": "answer", "text": "INJECTED"}
        )
        assert reply.json() == {"code": 0, "msg": "", "data": {"queued": 1}}
        with httpx.stream(
            "POST",
            f"{served.base_url}/eb/chat/conversation/v2",
            json={"text": "hello", "sessionId": "", "parentChatId": "0"},
            cookies=COOKIES,
        ) as stream:
            assert "INJECTED" in stream.read().decode()
        assert any("--faults" in line and "every account" in line for line in served.before)


def test_the_demo_server_has_no_control_endpoints() -> None:
    from ernie_tui.cli import start_demo

    base_url, credential = start_demo()
    reply = httpx.post(f"{base_url}{CONTROL_PREFIX}/faults", json={"kind": "cut", "after": 1})
    assert reply.status_code == 404
    reply = httpx.post(
        f"{base_url}{CONTROL_PREFIX}/seed",
        json={"conversations": 1},
        cookies={"BDUSS_BFESS": credential.bduss_bfess.reveal()},
    )
    assert reply.status_code == 404


def test_a_host_reachable_from_the_network_is_warned_about(tmp_path: Path) -> None:
    with _serve(tmp_path, "--host", "0.0.0.0") as served:
        [warning] = [line for line in served.before if "warning" in line]
        assert "0.0.0.0" in warning and "reachable from the network" in warning
        assert "any cookie as an account" in warning and "127.0.0.1" in warning
        reply = httpx.post(f"{served.base_url}/eb/session/list", json={}, cookies=COOKIES)
        assert reply.json()["code"] == 0
    with _serve(tmp_path, "--host", "127.0.0.1") as served:
        assert not [line for line in served.before if "warning" in line]


def test_bad_bodies_get_clear_errors_and_leave_no_traceback_in_the_log(tmp_path: Path) -> None:
    with _serve(tmp_path) as served:
        url = f"{served.base_url}/eb/session/new"
        headers = {"Content-Type": "application/json"}
        deep = httpx.post(url, content=b"[" * 100_000, headers=headers, cookies=COOKIES)
        assert deep.status_code == 400
        assert "nested too deeply" in deep.json()["msg"]
        nan = httpx.post(url, content=b'{"sessionName": NaN}', headers=headers, cookies=COOKIES)
        assert nan.status_code == 400
        huge = httpx.post(url, content=b" " * (MAX_BODY + 1), headers=headers, cookies=COOKIES)
        assert huge.status_code == 413
        # The server still serves, and nothing was created by the bad requests.
        listed = httpx.post(f"{served.base_url}/eb/session/list", json={}, cookies=COOKIES)
        assert listed.json()["data"]["sessions"] is None
        log = served.stop()
    assert "Traceback" not in log
    assert "RecursionError" not in log
