"""Paging through and switching between conversations (issue 15): the real app
in a 120x40 pseudo-terminal against the embedded server, seeded as case 5
is (a 2,000-message conversation).

- ``page``: PageUp from the newest message of the 2,000-message history to
  the oldest, the history pane focused: bytes, CPU and time to settle per
  press, and the whole run; then PageDown presses back.
- ``switch``: opening a conversation from the sidebar, short → short, into
  the 2,000-message one and out of it again: Enter → the new conversation's
  newest message on screen, and the bytes written for the switch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .cases import (
    NEWEST_MARK,
    OLDEST_MARK,
    Bench,
    Figure,
    _history_turns,
)
from .harness import Terminal, contains, cpu_seconds, median

LONG = "Long history"
SCRATCH = "Scratch on top"
MAX_PAGE_PRESSES = 2000
PAGE_DOWN_PRESSES = 20


def _seed_long(bench: Bench) -> tuple[str, int]:
    """A fresh account holding the 2,000-message conversation (and a newer
    empty one on top, so the app does not open the long one by itself)."""
    bduss, account = bench.account()
    ids = bench.server.store.bulk_sessions(account, [LONG, SCRATCH])
    bench.server.store.bulk_turns(account, ids[0], _history_turns())
    bench.server.store.touch(account, ids[1])
    return bduss, account


def _open(bench: Bench, term: Terminal, name: str, mark: str) -> tuple[float, float, int]:
    """Open conversation ``name`` through the sidebar's filter; (Enter →
    ``mark`` on screen, Enter → screen settled, bytes written until then)."""
    profile = bench.profile
    bench.keys(term, profile.filter)
    if bench.profile.name == "ernie-tui":  # empty the filter box: end, ctrl+u
        bench.keys(term, ["end", "\x15"])
    bench.type_text(term, name)
    for key in profile.open_first_match[:-1]:
        term.key(key)
        time.sleep(0.15)
    term.settled(time.perf_counter(), quiet=0.15)
    watch = term.watch(contains(mark))
    pressed = term.key(profile.open_first_match[-1])
    shown = term.wait(watch, 60, mark)
    end = term.settled(shown, quiet=0.3, timeout=30)
    return shown - pressed, end - pressed, term.bytes_between(pressed, end)


def _press(term: Terminal, key: str, quiet: float = 0.12) -> tuple[int, float, float]:
    """Press ``key`` and wait for the screen to settle: (bytes, CPU s,
    seconds from the key to the last output)."""
    cpu0 = cpu_seconds(term.pid)
    pressed = term.key(key)
    end = term.settled(pressed, quiet=quiet, timeout=10, answer=True)
    cpu1 = cpu_seconds(term.pid)
    return term.bytes_between(pressed, end), cpu1 - cpu0, end - pressed


def case_page(bench: Bench, runs: int) -> list[Figure]:
    case = "page 2,000 messages, pgup/pgdn"
    size = Figure(case, "bytes per pgup press (median)", "KB", 20)
    size_worst = Figure(case, "bytes per pgup press (worst)", "KB", None, combine="max")
    cpu = Figure(case, "CPU per pgup press (median)", "ms", 30)
    settle = Figure(case, "pgup → screen settled (median)", "s", None)
    settle_worst = Figure(case, "pgup → screen settled (worst)", "s", 0.1, combine="max")
    slow = Figure(case, "pgup presses over 100 ms to settle", "", None)
    total = Figure(case, "newest → oldest: bytes in all", "MB", 3)
    total_cpu = Figure(case, "newest → oldest: CPU in all", "s", None)
    presses = Figure(case, "pgup presses newest → oldest", "", None)
    top = Figure(case, "oldest message reached by pgup", "", 1, check=True)
    down = Figure(case, "bytes per pgdn press (median)", "KB", 20)
    down_cpu = Figure(case, "CPU per pgdn press (median)", "ms", 30)
    bduss, _ = _seed_long(bench)
    for _ in range(runs):
        with bench.app(bduss) as term:
            term.wait_for(LONG, 30)
            term.settled(time.perf_counter(), quiet=0.5)
            _open(bench, term, LONG, NEWEST_MARK)
            bench.keys(term, bench.profile.history)
            term.settled(time.perf_counter(), quiet=0.3)
            oldest = term.watch(contains(OLDEST_MARK))
            sizes: list[float] = []
            cpus: list[float] = []
            settles: list[float] = []
            while oldest.at is None and len(sizes) < MAX_PAGE_PRESSES:
                written, spent, took = _press(term, "pageup")
                sizes.append(written / 1e3)
                cpus.append(spent * 1e3)
                settles.append(took)
            top.values.append(1.0 if oldest.at is not None else 0.0)
            presses.values.append(len(sizes))
            size.values.append(median(sizes))
            size_worst.values.append(max(sizes))
            cpu.values.append(median(cpus))
            settle.values.append(median(settles))
            settle_worst.values.append(max(settles))
            slow.values.append(sum(1 for t in settles if t > 0.1))
            total.values.append(sum(sizes) / 1e3)
            total_cpu.values.append(sum(cpus) / 1e3)
            downs = [_press(term, "pagedown") for _ in range(PAGE_DOWN_PRESSES)]
            down.values.append(median([d[0] / 1e3 for d in downs]))
            down_cpu.values.append(median([d[1] * 1e3 for d in downs]))
            bench.log(
                f"{len(sizes)} pgup presses: {sum(sizes) / 1e3:.2f} MB, "
                f"{sum(cpus) / 1e3:.2f} CPU s, median {median(sizes):.1f} KB / "
                f"{median(cpus):.0f} ms, worst settle {max(settles) * 1e3:.0f} ms"
            )
    return [
        size,
        size_worst,
        cpu,
        settle,
        settle_worst,
        slow,
        total,
        total_cpu,
        presses,
        top,
        down,
        down_cpu,
    ]


SHORT_A = "Short chat Alpha"
SHORT_B = "Short chat Bravo"
MARK_A = "Alpha's answer is on screen"
MARK_B = "Bravo's answer is on screen"


def case_switch(bench: Bench, runs: int) -> list[Figure]:
    case = "switch conversations"
    figures: dict[str, tuple[Figure, Figure]] = {}
    for label, target in (("short → short", 0.08), ("into 2,000", 0.15), ("out of 2,000", 0.15)):
        figures[label] = (
            Figure(case, f"{label}: Enter → messages on screen", "s", target),
            Figure(case, f"{label}: bytes per switch", "KB", None),
        )
    bduss, account = _seed_long(bench)
    store = bench.server.store
    ids = store.bulk_sessions(account, [SHORT_A, SHORT_B])
    store.bulk_turns(account, ids[0], [("Alpha question", f"Alpha answer.\n\n{MARK_A}.")])
    store.bulk_turns(account, ids[1], [("Bravo question", f"Bravo answer.\n\n{MARK_B}.")])
    steps: list[tuple[str, str, str]] = [
        ("", SHORT_A, MARK_A),
        ("short → short", SHORT_B, MARK_B),
        ("short → short", SHORT_A, MARK_A),
        ("into 2,000", LONG, NEWEST_MARK),
        ("out of 2,000", SHORT_B, MARK_B),
        ("into 2,000", LONG, NEWEST_MARK),
        ("out of 2,000", SHORT_A, MARK_A),
    ]
    for _ in range(runs):
        with bench.app(bduss) as term:
            term.wait_for(SHORT_B, 30)
            term.settled(time.perf_counter(), quiet=0.5)
            for label, name, mark in steps:
                shown, _settled, written = _open(bench, term, name, mark)
                if label:
                    on_screen, size = figures[label]
                    on_screen.values.append(shown)
                    size.values.append(written / 1e3)
                    bench.log(f"{label}: {shown * 1e3:.0f} ms, {written / 1e3:.1f} KB")
    return [f for pair in figures.values() for f in pair]


CASES: dict[str, Callable[[Bench, int], list[Figure]]] = {
    "page": case_page,
    "switch": case_switch,
}
RUNS = {"page": 3, "switch": 3}
