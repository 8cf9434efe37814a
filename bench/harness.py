"""Run a terminal app in a pseudo-terminal and read its screen, as a user's
terminal would.

:class:`Terminal` spawns the app on the slave side of a pty of a fixed size,
reads the master side in a thread into a ``pyte`` screen, counts the bytes the
app writes and stamps every chunk with ``time.perf_counter()``. Watches
(:meth:`Terminal.watch`) are predicates on the screen checked after every
chunk, so the time a text appeared is the arrival time of the chunk that drew
it, not the time a poll noticed it.

:class:`ServerClock` wraps the embedded server's ASGI app to record when each
reply finished sending, so "after the list arrives" can be measured in the
same clock.

Process figures come from ``/proc``: CPU seconds of the app's process tree
(utime + stime of the process and its live descendants, plus what reaped
children left in cutime/cstime) and VmRSS.
"""

from __future__ import annotations

import atexit
import bisect
import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyte

__all__ = [
    "ServerClock",
    "Terminal",
    "Watch",
    "cpu_seconds",
    "line_ends_with",
    "median",
    "percentile",
    "rss_bytes",
]

_CLK_TCK = os.sysconf("SC_CLK_TCK")

# Characters an app may draw after the text on a line: scrollbars, borders,
# a streaming cursor.
_TRAILING = r"[\s│┃║|▏▎▍▌▋▊▉█▐▕▔▁▂▃▄▅▆▇]*$"


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# -- /proc ------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces.
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(x) for x in task.read_text().split())
        except OSError:
            continue
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants."""
    ticks = 0
    for member in _tree(pid):
        fields = _stat_fields(member)
        if fields is None:
            continue
        # After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        ticks += sum(int(fields[i - 3]) for i in (14, 15, 16, 17))
    return ticks / _CLK_TCK


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (VmRSS)."""
    total = 0
    for member in _tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            total += int(match.group(1)) * 1024
    return total


# -- the screen -------------------------------------------------------------

Predicate = Callable[[list[str]], bool]


def line_ends_with(tail: str, *also: str) -> Predicate:
    """A predicate: some screen line ends with ``tail`` (scrollbars, borders
    and a cursor after it allowed), and every string of ``also`` is on screen."""
    pattern = re.compile(re.escape(tail) + _TRAILING)

    def check(lines: list[str]) -> bool:
        if not all(any(a in line for line in lines) for a in also):
            return False
        return any(pattern.search(line) for line in lines)

    return check


def contains(*texts: str) -> Predicate:
    """A predicate: every one of ``texts`` is on screen (each on one line)."""

    def check(lines: list[str]) -> bool:
        return all(any(t in line for line in lines) for t in texts)

    return check


@dataclass
class Watch:
    """A predicate on the screen and the perf_counter time it first held."""

    predicate: Predicate
    at: float | None = None
    event: threading.Event = field(default_factory=threading.Event)


_LIVE: weakref.WeakSet[Terminal] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Never leave an app running: it has no controlling terminal to hang up."""
    for term in list(_LIVE):
        term.close(timeout=1.0)


class Terminal:
    """An app in a pseudo-terminal of ``cols`` x ``rows``."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        *,
        cols: int = 120,
        rows: int = 40,
        cwd: str | None = None,
    ) -> None:
        self.argv = list(argv)
        self.env = env
        self.cols = cols
        self.rows = rows
        self.cwd = cwd
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes = 0
        #: (perf_counter, size) of every chunk read.
        self.chunks: list[tuple[float, int]] = []
        self.started = 0.0
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._watches: list[Watch] = []
        self._lines = [" " * cols for _ in range(rows)]
        self._master = -1
        self._reader: threading.Thread | None = None
        self._closed = threading.Event()

    # -- life cycle --

    def start(self) -> Terminal:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self._master = master
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()
        self.started = time.perf_counter()
        # A session of its own, so the app and anything it starts can be
        # ended together by the process group id we know.
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        _LIVE.add(self)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def close(self, timeout: float = 3.0, quit_key: bytes = b"\x11") -> None:
        """End the app: its quit key (ctrl+q) first, so a profiler wrapping it
        can write its report; then its process group, TERM then KILL."""
        proc = self.proc
        if proc is not None and proc.poll() is None and quit_key:
            self.write(quit_key)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
        if proc is not None and proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        _LIVE.discard(self)
        self._closed.set()
        if self._reader is not None:
            self._reader.join(timeout=2)
        if self._master >= 0:
            os.close(self._master)
            self._master = -1

    def __enter__(self) -> Terminal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> None:
        while not self._closed.is_set():
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO: the slave side closed
                return
            if not data:
                return
            now = time.perf_counter()
            with self._lock:
                self.bytes += len(data)
                self.chunks.append((now, len(data)))
                self.stream.feed(data)
                self._refresh_lines()
                pending = [w for w in self._watches if w.at is None]
                if pending:
                    lines = self._lines
                    for watch in pending:
                        if watch.predicate(lines):
                            watch.at = now
                            watch.event.set()
                    self._watches = [w for w in self._watches if w.at is None]
            self._answer_queries(data)

    def _answer_queries(self, data: bytes) -> None:
        # Answer "where is the cursor" like a terminal; everything else a real
        # terminal might answer (kitty keyboard, sync output) stays unanswered,
        # as in a plain xterm.
        if b"\x1b[6n" in data:
            with self._lock:
                y, x = self.screen.cursor.y, self.screen.cursor.x
            self.write(f"\x1b[{y + 1};{x + 1}R".encode())

    # -- reading the screen --

    def _refresh_lines(self) -> None:
        # pyte's own ``display`` fails on a cell left empty by an overwritten
        # wide character; wide characters hold their cell and an empty one.
        screen = self.screen
        for y in screen.dirty:
            if 0 <= y < self.rows:
                row = screen.buffer[y]
                self._lines[y] = "".join(row[x].data for x in range(self.cols))
        screen.dirty.clear()

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    def watch(self, predicate: Predicate | str) -> Watch:
        """Start watching for ``predicate`` (or a text) from now on; it may
        already hold, in which case its time is now."""
        if isinstance(predicate, str):
            predicate = contains(predicate)
        watch = Watch(predicate)
        with self._lock:
            if predicate(self._lines):
                watch.at = time.perf_counter()
                watch.event.set()
            else:
                self._watches.append(watch)
        return watch

    def wait(self, watch: Watch, timeout: float, what: str = "") -> float:
        """Wait for ``watch``; its time, or :class:`TimeoutError` with the screen."""
        if not watch.event.wait(timeout):
            self.check_alive()
            raise TimeoutError(
                f"not on screen after {timeout:.1f} s: {what or watch.predicate}\n"
                f"--- screen ---\n{self.text()}\n--------------"
            )
        assert watch.at is not None
        return watch.at

    def wait_for(self, predicate: Predicate | str, timeout: float = 10.0) -> float:
        return self.wait(self.watch(predicate), timeout, str(predicate))

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(
                f"the app exited with {self.proc.returncode}\n--- screen ---\n{self.text()}"
            )

    def settled(
        self, since: float, quiet: float = 0.12, timeout: float = 5.0, *, answer: bool = False
    ) -> float:
        """Wait until the app has written nothing for ``quiet`` seconds; the
        time of the last chunk written after ``since`` (``since`` itself if
        it wrote nothing).

        ``answer``: ``since`` is a key that changes the screen, so first wait
        (up to ``timeout``) for the app to write anything after it. Without
        it, an app busy for longer than ``quiet`` right after the key (a
        garbage collection, say) looks settled at once, and its late paint
        is put down to the next key."""
        deadline = time.perf_counter() + timeout
        if answer:
            while self.first_chunk_after(since) is None and time.perf_counter() < deadline:
                time.sleep(0.002)
        while True:
            now = time.perf_counter()
            with self._lock:
                last = self.chunks[-1][0] if self.chunks else 0.0
            if now - max(last, since) >= quiet or now > deadline:
                return last if last > since else since
            time.sleep(min(0.01, quiet / 4))

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(size for at, size in self.chunks if start <= at <= end)

    def first_chunk_after(self, since: float) -> float | None:
        """When the app first wrote after ``since`` (None: not since)."""
        with self._lock:
            index = bisect.bisect_right(self.chunks, (since, float("inf")))
            return self.chunks[index][0] if index < len(self.chunks) else None

    # -- typing --

    def write(self, data: bytes | str) -> float:
        """Send bytes as keys; the perf_counter time they were sent."""
        raw = data.encode() if isinstance(data, str) else data
        at = time.perf_counter()
        if self._master >= 0:
            os.write(self._master, raw)
        return at

    def key(self, name: str) -> float:
        return self.write(KEYS.get(name, name))


#: xterm byte sequences of the keys the cases press.
KEYS = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "escape": "\x1b",
    "backspace": "\x7f",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "pageup": "\x1b[5~",
    "pagedown": "\x1b[6~",
    "ctrl+home": "\x1b[1;5H",
    "ctrl+end": "\x1b[1;5F",
    "ctrl+f": "\x06",
    "ctrl+n": "\x0e",
    "ctrl+q": "\x11",
    "ctrl+b": "\x02",
    "ctrl+l": "\x0c",
    "ctrl+o": "\x0f",
    "ctrl+p": "\x10",
    "ctrl+s": "\x13",
    "f1": "\x1bOP",
}


# -- the server's side of the clock ------------------------------------------


class ServerClock:
    """ASGI middleware: when each reply finished sending, by request path."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sent: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def stamped(message: Any) -> None:
            await send(message)
            if message.get("type") == "http.response.body" and not message.get("more_body"):
                with self._lock:
                    self.sent.setdefault(path, []).append(time.perf_counter())

        await self.app(scope, receive, stamped)

    def last(self, path: str, after: float = 0.0) -> float | None:
        with self._lock:
            stamps = [t for t in self.sent.get(path, []) if t > after]
        return stamps[-1] if stamps else None

    def first(self, path: str, after: float = 0.0) -> float | None:
        with self._lock:
            stamps = [t for t in self.sent.get(path, []) if t > after]
        return stamps[0] if stamps else None
