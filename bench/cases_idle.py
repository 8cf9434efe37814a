"""Idle (issue 15): what the app writes to the terminal while nothing
happens, the composer focused, after start-up.

The app is started on a one-conversation account, the composer is focused,
a few characters are typed (the last input), and the bytes written are
counted over the next :data:`WINDOW` seconds twice: the first window holds
the composer's few seconds of blinking after the last key, the second one is
the steady state (the target).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .cases import WARM_UP, Bench, Figure

WINDOW = 10.0


def case_idle(bench: Bench, runs: int) -> list[Figure]:
    case = "idle, composer focused"
    first = Figure(case, f"bytes/s, first {WINDOW:.0f} s after the last key", "B/s", None)
    steady = Figure(case, f"bytes/s, the {WINDOW:.0f} s after that", "B/s", 50)
    for _ in range(runs):
        bduss, account = bench.account()
        bench.server.store.bulk_sessions(account, [WARM_UP])
        with bench.app(bduss) as term:
            term.wait_for(WARM_UP, 30)
            term.settled(time.perf_counter(), quiet=0.5)
            bench.keys(term, bench.profile.composer)
            bench.type_text(term, "idle")
            began = time.perf_counter()
            time.sleep(2 * WINDOW)
            middle = began + WINDOW
            first.values.append(term.bytes_between(began, middle) / WINDOW)
            steady.values.append(term.bytes_between(middle, middle + WINDOW) / WINDOW)
            bench.log(f"idle: {first.values[-1]:.0f} B/s, then {steady.values[-1]:.0f} B/s")
    return [first, steady]


CASES: dict[str, Callable[[Bench, int], list[Figure]]] = {"idle": case_idle}
RUNS = {"idle": 3}
