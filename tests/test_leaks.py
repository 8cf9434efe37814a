"""The cookies never leak: crash the real app (``ernie-tui`` launched through
``ernie_tui.cli.main``, in a pseudo-terminal) with a credential loaded, and
search everything it printed — the screen and Textual's crash traceback,
which shows local variables — for the cookie values.

The crash is injected into something the app really does: the call that
builds its client from the credential, or the sign-in handler that takes the
cookies the user typed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ernie_tui.server import ServerThread

TESTS = Path(__file__).parent
BAIDUID = "LEAKTESTBAIDUID0123456789ABCDEF:FG=1"
BDUSS = "leak-test-bduss-" + "Q7" * 24 + "-end"

DRIVER = r"""
import sys

crash = sys.argv[1]
if crash == "client":
    from ernie_tui.tui import app as app_module

    real = app_module.make_client

    def make_client(config, credential):
        client = real(config, credential)
        raise RuntimeError("injected crash while opening the client")

    app_module.make_client = make_client
elif crash == "signin":
    from ernie_tui.tui.screens import signin

    def _busy(self, busy):
        raise RuntimeError("injected crash in the sign-in handler")

    signin.SignInScreen._busy = _busy

from ernie_tui.cli import main

raise SystemExit(main(sys.argv[2:]))
"""

_ANSI = re.compile(
    r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b."
)


_running: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_app_left_behind() -> Iterator[None]:
    """A test that fails half-way must not leave its app running."""
    yield
    while _running:
        proc = _running.pop()
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


class PtyApp:
    """The app in a 120x40 pseudo-terminal; everything it writes is kept."""

    def __init__(
        self,
        crash: str,
        base_url: str,
        env: dict[str, str],
        tmp_path: Path,
        *args: str,
    ) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.argv = [sys.executable, "-c", DRIVER, crash, "--base-url", base_url, *args]
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=tmp_path,
            start_new_session=True,
            close_fds=True,
        )
        _running.append(self.proc)
        os.close(slave)
        self.master = master
        self.raw = b""

    def _pump(self, wait: float) -> bool:
        """Read what is there; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.raw += data
        return True

    def wait_for(self, marker: str, limit: float = 60.0) -> None:
        """Read until ``marker`` shows (the limit only guards against a hang)."""
        deadline = time.monotonic() + limit
        while marker not in self.plain:
            if time.monotonic() > deadline or not self._pump(0.2):
                raise AssertionError(f"{marker!r} never appeared; output:\n{self.plain[-3000:]}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def settle(self, seconds: float = 0.5) -> None:
        """Give the app a moment to act on the keys (pacing, not an assertion)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._pump(0.05):
            pass

    def finish(self, limit: float = 60.0) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self._pump(0.2):
            if self.proc.poll() is not None and not self._pump(0.2):
                break
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        os.close(self.master)
        return self.plain

    @property
    def plain(self) -> str:
        return _ANSI.sub("", self.raw.decode("utf-8", "replace"))


def assert_no_cookie(app: PtyApp) -> None:
    raw = app.raw.decode("utf-8", "replace")
    plain = app.plain
    # Also with the panel borders and line breaks of a wrapped value removed.
    squeezed = re.sub(r"[\s│╭╮╰╯─┃┆]+", "", plain)
    for value in (BAIDUID, BDUSS):
        assert value not in app.argv
        hidden = value[4:-4]  # what the masked form must never show
        for text in (raw, plain, squeezed):
            assert value not in text
            assert hidden[:12] not in text
            assert hidden[-12:] not in text


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ERNIE_", "PYTHON_KEYRING", "PYTHONPATH"))
    }
    env.update(
        TERM="xterm-256color",
        COLUMNS="120",
        LINES="40",
        PYTHONPATH=str(TESTS),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        ERNIE_TUI_CONFIG=str(config),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        HOME=str(tmp_path),
    )
    yield env


def test_a_crash_with_the_credential_loaded_prints_no_cookie(
    server: ServerThread, env: dict[str, str], tmp_path: Path
) -> None:
    env.update(ERNIE_BAIDUID=BAIDUID, ERNIE_BDUSS_BFESS=BDUSS)
    app = PtyApp("client", server.base_url, env, tmp_path)
    plain = app.finish()
    assert app.proc.returncode != 0
    # Textual printed the crash with its locals: the credential is among them,
    # masked (proving the search below looked at a traceback that held it).
    assert "injected crash while opening the client" in plain
    assert "credential = Credential(" in plain
    assert f"Secret('{BDUSS[:4]}…{BDUSS[-4:]}')" in plain
    assert_no_cookie(app)


def test_typed_cookies_never_show_on_screen(
    server: ServerThread, env: dict[str, str], tmp_path: Path
) -> None:
    app = PtyApp("none", server.base_url, env, tmp_path)
    app.wait_for("BAIDUID cookie value")
    app.settle()
    app.type(BAIDUID + "\r")
    app.settle()
    app.type(BDUSS + "\r")
    # The server accepts them, the (fail) keyring cannot keep them: the screen
    # says so. Then quit.
    app.wait_for("cannot be kept")
    app.type("\x11")  # ctrl+q
    app.finish()
    assert_no_cookie(app)


def test_a_crash_in_sign_in_prints_no_cookie(
    server: ServerThread, env: dict[str, str], tmp_path: Path
) -> None:
    app = PtyApp("signin", server.base_url, env, tmp_path)
    app.wait_for("BAIDUID cookie value")
    app.settle()
    app.type(BAIDUID + "\r")
    app.settle()
    app.type(BDUSS + "\r")
    plain = app.finish()
    assert "injected crash in the sign-in handler" in plain
    assert_no_cookie(app)


def test_login_without_a_keyring_says_how_to_go_on_and_echoes_nothing(
    server: ServerThread, env: dict[str, str], tmp_path: Path
) -> None:
    """Without a keyring the command line cannot keep the cookies (and cannot
    offer "for this run only": only the app can): it says to use the
    environment instead, and nothing typed is echoed."""
    app = PtyApp("none", server.base_url, env, tmp_path, "login")
    app.wait_for("BAIDUID: ")
    app.type(BAIDUID + "\r")
    app.wait_for("BDUSS_BFESS: ")
    app.type(BDUSS + "\r")
    # The server accepted them; the (fail) keyring cannot keep them.
    app.wait_for("could not be stored")
    plain = app.finish()
    assert "gnome-keyring-daemon" in plain and "ERNIE_BDUSS_BFESS" in plain
    assert app.proc.returncode != 0
    assert "BAIDUID cookie value" not in plain
    assert_no_cookie(app)  # hidden input: nothing echoed
