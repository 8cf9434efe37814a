"""Run the real app in a pseudo-terminal and keep every byte it writes.

:class:`PtyApp` starts ``python -m ernie_tui`` (or any argv) on a pty of a
given size, feeds what it writes to a ``pyte`` screen (to wait on what a user
would see) and keeps the raw bytes (to assert on what reached the terminal).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyte

__all__ = ["PtyApp", "app_env"]


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment for the app: XDG dirs, config and home in ``tmp_path``,
    no keyring, nothing of the caller's ERNIE_* settings."""
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text("", encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ERNIE_", "PYTHON_KEYRING", "PYTHONPATH", "XDG_"))
    }
    env.update(
        TERM="xterm-256color",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        ERNIE_TUI_CONFIG=str(config),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        HOME=str(tmp_path),
    )
    env.update(extra)
    return env


class PtyApp:
    """A process on a ``columns`` x ``lines`` pseudo-terminal."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: Path,
        *,
        columns: int = 100,
        lines: int = 30,
    ) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.argv = argv
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "COLUMNS": str(columns), "LINES": str(lines)},
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self._closed = False

    @classmethod
    def ernie(
        cls, base_url: str, env: dict[str, str], cwd: Path, *, columns: int = 100, lines: int = 30
    ) -> PtyApp:
        """The ernie-tui app itself, on ``base_url``."""
        argv = [sys.executable, "-m", "ernie_tui", "--base-url", base_url]
        return cls(argv, env, cwd, columns=columns, lines=lines)

    @classmethod
    def on_one_conversation(cls, server: Any, account: Any, tmp_path: Path, name: str) -> PtyApp:
        """The app, 100x30, on ``account`` (the test's web account) whose
        list holds the conversation ``name``; returned once it shows and the
        screen has settled."""
        bduss = account.bduss.reveal()
        server.store.bulk_sessions(server.store.account(bduss), [name])
        env = app_env(tmp_path, ERNIE_BAIDUID=f"{name}BAIDUID:FG=1", ERNIE_BDUSS_BFESS=bduss)
        app = cls.ernie(server.base_url, env, tmp_path, columns=100, lines=30)
        app.wait_for(name)
        app.settle()
        return app

    # -- reading ---------------------------------------------------------------

    def pump(self, wait: float) -> bool:
        """Read what is there (waiting up to ``wait`` s); False once closed."""
        if self._closed:
            return False
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            self._closed = True
            return False
        if not data:
            self._closed = True
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    @property
    def display(self) -> str:
        """The screen as a user sees it now, one line per row."""
        return "\n".join(self.screen.display)

    def wait_until(self, check: Callable[[], bool], what: str, limit: float = 60.0) -> None:
        """Read until ``check()`` holds (the limit only guards against a hang)."""
        deadline = time.monotonic() + limit
        while not check():
            if time.monotonic() > deadline or not self.pump(0.1):
                raise AssertionError(f"never saw {what}; the screen:\n{self.display}")

    def wait_for(self, text: str, limit: float = 60.0) -> None:
        """Read until ``text`` is on the screen."""
        self.wait_until(lambda: text in self.display, repr(text), limit)

    def settle(self, quiet: float = 0.3, limit: float = 10.0) -> None:
        """Read until the app has written nothing for ``quiet`` s."""
        deadline = time.monotonic() + limit
        before = -1
        while len(self.raw) != before and time.monotonic() < deadline:
            before = len(self.raw)
            end = time.monotonic() + quiet
            while time.monotonic() < end and self.pump(0.05):
                pass

    def blank_screen(self) -> None:
        """Read what comes next onto a blank screen of the same size."""
        self.screen = pyte.Screen(self.screen.columns, self.screen.lines)
        self.stream = pyte.ByteStream(self.screen)

    # -- writing ----------------------------------------------------------------

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def resize(self, columns: int, lines: int) -> None:
        """Give the terminal another size, and say so: the app has no
        controlling terminal (its own session) to be sent SIGWINCH by. The
        screen read onto keeps its size."""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        os.kill(self.proc.pid, signal.SIGWINCH)

    # -- ending -----------------------------------------------------------------

    def close(self, keys: str = "\x11", limit: float = 20.0) -> int:
        """Send ``keys`` (ctrl+q: quit), read to the end, return the exit code."""
        if self.proc.poll() is None and keys:
            with contextlib.suppress(OSError):
                self.type(keys)
        deadline = time.monotonic() + limit
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump(0.1)
        while self.pump(0.05):
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait(10)
        os.close(self.master)
        return code
