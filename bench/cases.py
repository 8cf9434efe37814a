"""The benchmark's cases (issue 6): the real app in a 120x40 pseudo-terminal
against the embedded server, run in this process.

Each case function takes a :class:`Bench` and the number of runs and returns
:class:`Figure` rows. What differs between the app and the toy app used to
validate the harness (how to start it, which keys reach the filter, the list,
the composer and the history pane) is in an :class:`AppProfile`.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ernie_tui.server import Fault, ServerThread, Store
from ernie_tui.server.bot import answer_for, long_answer, split_increments, thinking_for
from ernie_tui.server.faults import ASK_PATH

from .harness import (
    ServerClock,
    Terminal,
    contains,
    cpu_seconds,
    line_ends_with,
    median,
    percentile,
    rss_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
COLS, ROWS = 120, 40

BAIDUID = "BENCHBAIDUID0000000000000000000:FG=1"
LIST_PATHS = ("/eb/session/list", "/eb/session/top/list")
HISTORY_PATH = "/eb/chat/history"
CHAT_PATH = "/v2/chat/completions"
QIANFAN_MODEL = "ernie-4.5-turbo-32k"
THINKING_MODEL = "ernie-x1-turbo-32k"


# -- figures -----------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table: a figure's values over the runs and its target."""

    case: str
    name: str
    unit: str
    target: float | None
    values: list[float] = field(default_factory=list)
    note: str = ""
    #: How the runs combine: ``median`` (default) or ``max``.
    combine: str = "median"
    #: For a check (1 = yes, 0 = no) rather than a measurement.
    check: bool = False

    @property
    def value(self) -> float:
        if not self.values:
            return float("nan")
        return max(self.values) if self.combine == "max" else median(self.values)

    @property
    def passed(self) -> bool | None:
        if not self.values or self.value != self.value:  # nan
            return False
        if self.target is None:
            return None
        return self.value >= self.target if self.check else self.value <= self.target

    def fmt(self, value: float | None) -> str:
        if value is None:
            return "–"
        if value != value:
            return "error"
        if self.check:
            return "yes" if value >= 1 else "no"
        if self.unit == "s" and abs(value) < 1:
            return f"{value * 1000:.0f} ms"
        if self.unit == "MB":
            return f"{value:.2f} MB"
        if self.unit == "MiB":
            return f"{value:.0f} MiB"
        if self.unit == "ms":
            return f"{value:.0f} ms"
        if self.unit == "µs":
            return f"{value:.0f} µs"
        if not self.unit:
            return f"{value:,.0f}"
        if self.unit == "x":
            return f"{value:.2f}x"
        return f"{value:.2f} {self.unit}"

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "(report)"
        if self.check:
            return "yes"
        return f"≤ {self.fmt(self.target)}"


# -- the app under test --------------------------------------------------------


@dataclass
class AppProfile:
    """How to start and drive one app."""

    name: str
    argv: Callable[[str], list[str]]
    #: Keys that put the focus in the composer.
    composer: Sequence[str]
    #: Keys that put the focus in the sidebar's filter box (text there filters).
    filter: Sequence[str]
    #: Keys from the filter box, after filtering, to open the first match.
    open_first_match: Sequence[str]
    #: Keys that put the focus in the history pane.
    history: Sequence[str]
    #: Keys that start a new, empty conversation (so the composer's question
    #: streams into an empty pane).
    new_conversation: Sequence[str] = ()
    #: The app on the Qianfan backend: argv for a ``/v2`` base URL and a
    #: model id (None: the app has no such backend).
    qianfan_argv: Callable[[str, str], list[str]] | None = None


def real_app_argv(base_url: str) -> list[str]:
    exe = VENV_BIN / "ernie-tui"
    head = [str(exe)] if exe.exists() else [PYTHON, "-m", "ernie_tui"]
    return [*head, "--base-url", base_url]


def real_app_qianfan_argv(base_url: str, model: str) -> list[str]:
    return [*real_app_argv(base_url), "--backend", "qianfan", "--model", model]


REAL = AppProfile(
    name="ernie-tui",
    argv=real_app_argv,
    composer=("ctrl+l",),
    filter=("ctrl+f",),
    open_first_match=("down", "enter"),
    history=("ctrl+l", "shift+tab"),
    new_conversation=("ctrl+n",),
    qianfan_argv=real_app_qianfan_argv,
)

TOY = AppProfile(
    name="toy app (bench/toyapp.py)",
    argv=lambda url: [PYTHON, "-m", "bench.toyapp", "--base-url", url],
    composer=(),
    filter=("ctrl+f",),
    open_first_match=("enter", "enter"),
    history=("tab", "tab", "tab"),
)


# -- one benchmark session: a server, a profile, apps started on demand ---------


class Bench:
    """The embedded server in this process, and a way to start the app on it."""

    def __init__(
        self, profile: AppProfile, *, verbose: bool = False, wrap: Sequence[str] = ()
    ) -> None:
        self.profile = profile
        self.verbose = verbose
        #: A command the app is started under (a profiler); figures then
        #: include the wrapper's own cost.
        self.wrap = list(wrap)
        self.server = ServerThread(Store(), rate=0)
        self.clock = ServerClock(self.server.app)
        self.server.app = self.clock
        self.server.start()
        self._accounts = 0
        self._tmp = Path(tempfile.mkdtemp(prefix="ernie-bench-"))

    def close(self) -> None:
        self.server.stop()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def log(self, text: str) -> None:
        if self.verbose:
            print(f"  · {text}", file=sys.stderr, flush=True)

    def account(self) -> tuple[str, int]:
        """A fresh account: its BDUSS_BFESS cookie and its id in the store."""
        self._accounts += 1
        bduss = f"bench-{os.getpid()}-{self._accounts:04d}-" + "b" * 40
        return bduss, self.server.store.account(bduss)

    def qianfan_account(self) -> tuple[str, str]:
        """A fresh Qianfan API key (of the service's form, no secret) and its
        account in the library."""
        from ernie_tui.api import Secret
        from ernie_tui.backends.qianfan import account_of

        self._accounts += 1
        key = f"bce-v3/ALTAK-bench{os.getpid()}/{self._accounts:04d}" + "k" * 32
        return key, account_of(Secret(key))

    def env(self, bduss: str, api_key: str = "") -> dict[str, str]:
        """The app's environment: its own home and XDG directories; the web
        cookies for ``bduss``, or the Qianfan ``api_key`` when one is given."""
        home = Path(tempfile.mkdtemp(dir=self._tmp))
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ERNIE_", "TEXTUAL", "XDG_", "QIANFAN_"))
        }
        env.update(
            TERM="xterm-256color",
            COLORTERM="truecolor",
            COLUMNS=str(COLS),
            LINES=str(ROWS),
            LANG=os.environ.get("LANG", "C.UTF-8") or "C.UTF-8",
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_CACHE_HOME=str(home / "cache"),
            ERNIE_TUI_CONFIG=str(home / "config" / "ernie-tui" / "config.toml"),
            # No OS keyring is touched, whatever the app tries.
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if api_key:
            env["QIANFAN_API_KEY"] = api_key
        else:
            env.update(ERNIE_BAIDUID=BAIDUID, ERNIE_BDUSS_BFESS=bduss)
        return env

    @staticmethod
    def library_path(env: dict[str, str]) -> Path:
        """Where the app started with ``env`` keeps its library."""
        return Path(env["XDG_DATA_HOME"]) / "ernie-tui" / "library.db"

    @contextmanager
    def app(
        self, bduss: str, *, model: str = "", env: dict[str, str] | None = None
    ) -> Iterator[Terminal]:
        """The app in a pseudo-terminal: on the web backend, or with ``model``
        on the Qianfan one (``env`` then holds its API key)."""
        if model:
            if self.profile.qianfan_argv is None:
                raise RuntimeError(f"{self.profile.name} has no Qianfan backend")
            argv = self.profile.qianfan_argv(self.server.base_url + "/v2", model)
        else:
            argv = self.profile.argv(self.server.base_url)
        term = Terminal(
            [*self.wrap, *argv],
            env if env is not None else self.env(bduss),
            cols=COLS,
            rows=ROWS,
            cwd=str(ROOT),
        )
        term.start()
        try:
            yield term
        finally:
            term.close()

    def keys(self, term: Terminal, keys: Sequence[str], gap: float = 0.15) -> None:
        for key in keys:
            term.key(key)
            time.sleep(gap)
        term.settled(time.perf_counter(), quiet=0.15)

    def type_text(self, term: Terminal, text: str, gap: float = 0.02) -> None:
        for char in text:
            term.write(char)
            time.sleep(gap)
        term.settled(time.perf_counter(), quiet=0.15)


def _names(prefix: str, count: int) -> list[str]:
    """Conversation names, oldest first: ``{prefix} 00000`` …"""
    return [f"{prefix} {i:05d}" for i in range(count)]


# -- streaming: cases 1, 2, 3, 8 -------------------------------------------------


def tail_predicate(increments: int) -> tuple[Callable[[list[str]], bool], str]:
    """A screen predicate for "the last increment is on screen": the answer's
    last line (without its markdown list marker) ends a screen line, and the
    line that names the last section is on screen too."""
    text = "".join(long_answer(increments))
    last = text.rstrip("\n").rsplit("\n", 1)[-1].lstrip("-# ").strip()
    section = text.rsplit("of section ", 1)[-1].split(",", 1)[0]
    anchor = f"of section {section},"
    return line_ends_with(last, anchor), f"{last!r} with {anchor!r}"


@dataclass
class StreamRun:
    cpu: float
    bytes: int
    lag: float
    rss: int
    wall: float


WARM_UP = "Bench warm-up conversation"


@contextmanager
def _streaming_app(bench: Bench, model: str) -> Iterator[Terminal]:
    """The app with one conversation in its list: on the web backend (the
    server's store), or with ``model`` on Qianfan (the app's own library)."""
    if not model:
        bduss, account = bench.account()
        bench.server.store.bulk_sessions(account, [WARM_UP])
        with bench.app(bduss) as term:
            yield term
        return
    from ernie_tui.library import Library

    key, account = bench.qianfan_account()
    env = bench.env("", api_key=key)
    path = bench.library_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Library(path) as library:
        library.new_conversation(account, WARM_UP, model=model)
    with bench.app("", model=model, env=env) as term:
        yield term


def stream_once(bench: Bench, increments: int, rate: float, model: str = "") -> StreamRun:
    """Start the app, ask a question whose answer is ``increments`` long at
    ``rate`` per second, and measure from Enter until the screen settles after
    the last increment is on it. With ``model``, the app runs on the Qianfan
    backend with that model (a thinking model streams its reasoning first)."""
    predicate, what = tail_predicate(increments)
    path = CHAT_PATH if model else ASK_PATH
    with _streaming_app(bench, model) as term:
        term.wait_for(WARM_UP, 30)
        term.settled(time.perf_counter(), quiet=0.3)
        bench.keys(term, bench.profile.new_conversation)
        bench.keys(term, bench.profile.composer)
        bench.type_text(term, f"Benchmark question {increments}")
        bench.server.state.faults.add(
            Fault(kind="long", path=path, increments=increments),
            Fault(kind="rate", path=path, rate=rate),
        )
        bench.server.state.last_stream_end = 0.0
        watch = term.watch(predicate)
        cpu0 = cpu_seconds(term.pid)
        sent = term.key("enter")
        budget = (increments / rate if rate else 5.0) + 120.0
        if model:
            budget += 60.0  # a thinking model's reasoning first
        shown = term.wait(watch, budget, what)
        end = term.settled(shown, quiet=0.3, timeout=60)
        cpu1 = cpu_seconds(term.pid)
        stream_end = bench.server.state.last_stream_end
        if stream_end < sent:
            raise RuntimeError("the server recorded no stream end for this question")
        run = StreamRun(
            cpu=cpu1 - cpu0,
            bytes=term.bytes_between(sent, end),
            lag=shown - stream_end,
            rss=rss_bytes(term.pid),
            wall=end - sent,
        )
    bench.log(
        f"{model or 'web'} {increments} @ {rate or 'max'}/s: cpu {run.cpu:.2f} s, "
        f"{run.bytes / 1e6:.2f} MB, lag {run.lag * 1e3:.0f} ms, "
        f"rss {run.rss / 2**20:.0f} MiB, wall {run.wall:.1f} s"
    )
    return run


# Streaming targets, round two (issue 15); the first round's were 2.0 s,
# 0.8 MB, 100 ms and 500 ms at full speed.
STREAM_CPU = 0.8
"""Case 1 and its Qianfan variants: CPU seconds during the stream."""
STREAM_MB = 0.15
"""Megabytes written to the terminal during the stream."""
STREAM_LAG = 0.05
"""Seconds from the stream's end to its last increment on screen."""
FULL_SPEED_LAG = 0.15
"""The same at full speed (case 2)."""


def case_1(bench: Bench, runs: int) -> list[Figure]:
    case = "1 stream 2,000 @ 100/s"
    cpu = Figure(case, "CPU during the stream", "s", STREAM_CPU)
    size = Figure(case, "bytes to the terminal", "MB", STREAM_MB)
    lag = Figure(case, "last increment on screen after stream end", "s", STREAM_LAG)
    mem = Figure("8 memory", "RSS after case 1", "MiB", 120)
    for _ in range(runs):
        run = stream_once(bench, 2000, 100)
        cpu.values.append(run.cpu)
        size.values.append(run.bytes / 1e6)
        lag.values.append(run.lag)
        mem.values.append(run.rss / 2**20)
    return [cpu, size, lag, mem]


def _case_1_on_qianfan(bench: Bench, runs: int, case: str, model: str) -> list[Figure]:
    """Case 1 (same answer, rate, targets and measurement) on the Qianfan backend."""
    cpu = Figure(case, "CPU during the stream", "s", STREAM_CPU)
    size = Figure(case, "bytes to the terminal", "MB", STREAM_MB)
    lag = Figure(case, "last increment on screen after stream end", "s", STREAM_LAG)
    mem = Figure(case, "RSS after the stream", "MiB", 120)
    for _ in range(runs):
        run = stream_once(bench, 2000, 100, model=model)
        cpu.values.append(run.cpu)
        size.values.append(run.bytes / 1e6)
        lag.values.append(run.lag)
        mem.values.append(run.rss / 2**20)
    return [cpu, size, lag, mem]


def case_1q(bench: Bench, runs: int) -> list[Figure]:
    return _case_1_on_qianfan(
        bench, runs, f"1q stream 2,000 @ 100/s, Qianfan {QIANFAN_MODEL}", QIANFAN_MODEL
    )


def case_1qt(bench: Bench, runs: int) -> list[Figure]:
    reasoning = len(split_increments(thinking_for("Benchmark question 2000")))
    case = f"1qt as 1q, {THINKING_MODEL}: {reasoning} reasoning + 2,000"
    return _case_1_on_qianfan(bench, runs, case, THINKING_MODEL)


def case_2(bench: Bench, runs: int) -> list[Figure]:
    case = "2 stream 2,000 at full speed"
    lag = Figure(case, "last increment on screen after stream end", "s", FULL_SPEED_LAG)
    cpu = Figure(case, "CPU during the stream", "s", None)
    for _ in range(runs):
        run = stream_once(bench, 2000, 0)
        lag.values.append(run.lag)
        cpu.values.append(run.cpu)
    return [lag, cpu]


def case_3(bench: Bench, runs: int) -> list[Figure]:
    case = "3 cost per increment (@ 400/s)"
    short = Figure(case, "CPU per increment, 2,000", "µs", None)
    long = Figure(case, "CPU per increment, 8,000", "µs", None)
    for _ in range(runs):
        short.values.append(stream_once(bench, 2000, 400).cpu / 2000 * 1e6)
        long.values.append(stream_once(bench, 8000, 400).cpu / 8000 * 1e6)
    ratio = Figure(case, "8,000 vs 2,000 per increment", "x", 1.25)
    if short.values and long.values:
        ratio.values.append(long.value / short.value)
    return [short, long, ratio]


# -- start-up: case 4 --------------------------------------------------------------


def case_4(bench: Bench, runs: int) -> list[Figure]:
    case = "4 start-up"
    start = Figure(case, "exec → sidebar filled (1,000 conversations)", "s", 0.6)
    helps = Figure(case, "ernie-tui --help", "s", 0.3)
    first = Figure(case, "exec → first output to the terminal", "s", None)
    asked = Figure(case, "exec → list reply sent by the server", "s", None)
    bduss, account = bench.account()
    names = _names("Startup", 1000)
    bench.server.store.bulk_sessions(account, names)
    newest = names[-1]
    for _ in range(runs):
        with bench.app(bduss) as term:
            shown = term.wait_for(newest, 30)
            start.values.append(shown - term.started)
            output = term.first_chunk_after(term.started)
            if output is not None:
                first.values.append(output - term.started)
            replies = [bench.clock.first(p, after=term.started) for p in LIST_PATHS]
            if all(replies):
                asked.values.append(max(r for r in replies if r) - term.started)
            term.settled(shown, quiet=0.2)
    argv = [*bench.profile.argv(bench.server.base_url)[:-2], "--help"]
    env = bench.env(bduss)
    for _ in range(max(runs, 5)):
        began = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True, timeout=30)
        helps.values.append(time.perf_counter() - began)
    bench.log(f"start {start.values}, --help {helps.values}")
    return [start, first, asked, helps]


# -- a long history: case 5 --------------------------------------------------------

HISTORY_TURNS = 1000  # 2,000 messages
NEWEST_MARK = "Newest answer of the long history"
OLDEST_MARK = "Question 00001 of the long history"


def _history_turns() -> list[tuple[str, str]]:
    turns = []
    for i in range(1, HISTORY_TURNS + 1):
        question = f"Question {i:05d} of the long history"
        answer = answer_for(f"item {i}", turn=i)
        if i == HISTORY_TURNS:
            answer += f"\n\n{NEWEST_MARK}."
        turns.append((question, answer))
    return turns


def _server_history_time(bench: Bench, bduss: str, session_id: str) -> float:
    from ernie_tui.api import ErnieClient, Session

    async def once() -> float:
        async with ErnieClient(BAIDUID, bduss, base_url=bench.server.base_url) as client:
            base = Session(session_id=session_id, name="")
            began = time.perf_counter()
            await client.get_conversation_detail(session_id, base=base)
            return time.perf_counter() - began

    return median([asyncio.run(once()) for _ in range(3)])


def case_5(bench: Bench, runs: int) -> list[Figure]:
    case = "5 open 2,000 messages"
    after = Figure(case, "newest on screen after the history arrived", "s", 0.3)
    total = Figure(case, "Enter → newest on screen", "s", None)
    server = Figure(case, "history fetch alone (server + client)", "s", None)
    first = Figure(case, "home key → first change (median)", "s", 0.1)
    worst = Figure(case, "home key → first change (worst)", "s", None, combine="max")
    settled = Figure(case, "home key → screen settled (median)", "s", None)
    presses = Figure(case, "home presses made", "", None)
    above = Figure(case, "messages still above the window after them", "", None)
    top = Figure(case, "oldest message reached by keys", "", 1, check=True)
    bduss, account = bench.account()
    ids = bench.server.store.bulk_sessions(account, ["Long history", "Scratch on top"])
    bench.server.store.bulk_turns(account, ids[0], _history_turns())
    bench.server.store.touch(account, ids[1])
    server.values.append(_server_history_time(bench, bduss, str(ids[0])))
    profile = bench.profile
    for _ in range(runs):
        with bench.app(bduss) as term:
            term.wait_for("Long history", 30)
            term.settled(time.perf_counter(), quiet=0.5)
            bench.keys(term, profile.filter)
            bench.type_text(term, "Long history")
            watch = term.watch(contains(NEWEST_MARK))
            for key in profile.open_first_match[:-1]:
                term.key(key)
                time.sleep(0.15)
            term.settled(time.perf_counter(), quiet=0.15)
            pressed = term.key(profile.open_first_match[-1])
            shown = term.wait(watch, 120, NEWEST_MARK)
            arrived = bench.clock.last(HISTORY_PATH, after=pressed)
            total.values.append(shown - pressed)
            if arrived is not None:
                after.values.append(shown - arrived)
            term.settled(shown, quiet=0.5, timeout=60)
            bench.keys(term, profile.history)
            # Home until the oldest message shows: a windowed pane brings
            # older messages back each time the view reaches the top.
            oldest = term.watch(contains(OLDEST_MARK))
            firsts: list[float] = []
            settles: list[float] = []
            count = 0
            while oldest.at is None and count < MAX_HOME_PRESSES:
                count += 1
                echo = _key_echo(term, "home")
                if echo is not None:
                    firsts.append(echo[0])
                    settles.append(echo[1])
            if firsts:
                first.values.append(median(firsts))
                worst.values.append(max(firsts))
                settled.values.append(median(settles))
            presses.values.append(count)
            top.values.append(1.0 if oldest.at is not None else 0.0)
            hint = re.search(r"↑ ([\d,]+) earlier", term.text())
            left = float(hint.group(1).replace(",", "")) if hint else 0.0
            above.values.append(0.0 if oldest.at is not None else left)
            bench.log(
                f"open {total.values[-1]:.2f} s; {count} home presses, "
                f"{len(firsts)} changed the screen, first change "
                f"{[round(f * 1e3) for f in firsts]} ms"
            )
    return [after, total, server, first, worst, settled, presses, above, top]


MAX_HOME_PRESSES = 150


def _key_echo(term: Terminal, key: str, quiet: float = 0.15) -> tuple[float, float] | None:
    """Press ``key``; (first change on screen, screen settled), seconds after
    the key was sent, or None when the screen did not change."""
    pressed = term.key(key)
    end = term.settled(pressed, quiet=quiet, timeout=10)
    first = term.first_chunk_after(pressed)
    if first is None:
        return None
    return first - pressed, end - pressed


# -- 10,000 conversations: case 6 --------------------------------------------------

FILTER_TEXT = "Topic 00042"


def case_6(bench: Bench, runs: int) -> list[Figure]:
    case = "6 sidebar of 10,000"
    fill = Figure(case, "sidebar filled after the list arrived", "s", 0.3)
    since_exec = Figure(case, "exec → sidebar filled", "s", None)
    reply = Figure(case, "exec → list reply sent by the server", "s", None)
    keystroke = Figure(case, "filter keystroke → screen settled (median)", "s", 0.05)
    worst = Figure(case, "filter keystroke → screen settled (worst)", "s", None, combine="max")
    count = Figure(case, "conversations the sidebar says it holds", "", None)
    listed = Figure(case, "all 10,000 reachable (oldest found by filter)", "", 1, check=True)
    bduss, account = bench.account()
    names = _names("Topic", 10_000)
    bench.server.store.bulk_sessions(account, names)
    for _ in range(runs):
        with bench.app(bduss) as term:
            shown = term.wait_for(names[-1], 60)
            # The first replies after start: the app fetches the list again later.
            arrived = max(
                (t for t in (bench.clock.first(p, after=term.started) for p in LIST_PATHS) if t),
                default=None,
            )
            since_exec.values.append(shown - term.started)
            if arrived is not None:
                fill.values.append(shown - arrived)
                reply.values.append(arrived - term.started)
            term.settled(shown, quiet=0.5, timeout=30)
            held = re.search(r"Conversations\D{0,3}(\d[\d,]*)", term.text())
            if held:
                count.values.append(float(held.group(1).replace(",", "")))
            bench.keys(term, bench.profile.filter)
            times = []
            for char in FILTER_TEXT:
                pressed = term.write(char)
                end = term.settled(pressed, quiet=0.15, timeout=10, answer=True)
                times.append(end - pressed)
                time.sleep(0.05)
            keystroke.values.append(median(times))
            worst.values.append(max(times))
            # An entry: the name with its date after it, or a second line
            # holding the name (the filter box may show the typed text too).
            lines = term.lines()
            entry = re.compile(re.escape(FILTER_TEXT) + r"\s{2,}\S")
            found = any(entry.search(line) for line in lines) or (
                sum(FILTER_TEXT in line for line in lines) >= 2
            )
            listed.values.append(1.0 if found else 0.0)
    bench.log(f"fill {fill.values}, keystrokes {keystroke.values} worst {worst.values}")
    return [fill, since_exec, reply, keystroke, worst, count, listed]


# -- typing while streaming: case 7 ------------------------------------------------

TYPED = "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDF"  # 40 distinct characters
TYPE_MARK = "Zz:"


def case_7(bench: Bench, runs: int) -> list[Figure]:
    case = "7 typing during a stream"
    p95 = Figure(case, "keystroke → echo, 95th percentile", "s", 0.05)
    p50 = Figure(case, "keystroke → echo, median", "s", None)
    for _ in range(runs):
        bduss, account = bench.account()
        bench.server.store.bulk_sessions(account, ["Bench warm-up conversation"])
        with bench.app(bduss) as term:
            term.wait_for("Bench warm-up conversation", 30)
            term.settled(time.perf_counter(), quiet=0.3)
            bench.keys(term, bench.profile.new_conversation)
            bench.keys(term, bench.profile.composer)
            bench.type_text(term, "Benchmark question while typing")
            bench.server.state.faults.add(
                Fault(kind="long", increments=2000), Fault(kind="rate", rate=100)
            )
            term.key("enter")
            term.wait_for("of section 1,", 30)
            bench.keys(term, bench.profile.composer)
            bench.type_text(term, TYPE_MARK, gap=0.1)
            echoes = []
            typed = TYPE_MARK
            next_at = time.perf_counter()
            for char in TYPED:
                typed += char
                watch = term.watch(contains(typed))
                pressed = term.write(char)
                echoes.append(term.wait(watch, 10, f"typed {typed!r}") - pressed)
                next_at += 0.1
                time.sleep(max(0.0, next_at - time.perf_counter()))
            p95.values.append(percentile(echoes, 0.95))
            p50.values.append(median(echoes))
            bench.log(f"echo p50 {median(echoes) * 1e3:.0f} ms, p95 {p95.values[-1] * 1e3:.0f} ms")
    return [p95, p50]


CASES: dict[str, Callable[[Bench, int], list[Figure]]] = {
    "1": case_1,
    "1q": case_1q,
    "1qt": case_1qt,
    "2": case_2,
    "3": case_3,
    "4": case_4,
    "5": case_5,
    "6": case_6,
    "7": case_7,
}

#: Runs of each case in a full run (case 8 is read off case 1).
RUNS = {"1": 5, "1q": 5, "1qt": 3, "2": 5, "3": 3, "4": 5, "5": 3, "6": 3, "7": 3}
