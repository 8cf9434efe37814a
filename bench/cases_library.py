"""The library at start-up (issue 14): the sidebar from the web cache.

Case 4c starts the app twice on one account of 1,000 conversations with the
same data directory: the first start fills the cache from the server; before
the second, the server is told to stall its list replies for longer than the
measurement, so whatever fills the sidebar then came from the cache. The
figure is exec → the newest conversation's name on the screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ernie_tui.server.faults import Fault

from .cases import LIST_PATHS, Bench, Figure, _names

STALL = 20.0  # seconds the list replies hang in the second start


def case_4c(bench: Bench, runs: int) -> list[Figure]:
    case = "4c start-up from the cache"
    start = Figure(case, "exec → sidebar filled from the cache (1,000, server stalled)", "s", 0.35)
    bduss, account = bench.account()
    names = _names("Cached", 1000)
    bench.server.store.bulk_sessions(account, names)
    newest = names[-1]
    env = bench.env(bduss)
    with bench.app(bduss, env=env) as term:  # fills the cache
        shown = term.wait_for(newest, 30)
        term.settled(shown, quiet=0.5)
    for _ in range(runs):
        bench.server.state.faults.clear()
        bench.server.state.faults.add(
            *(Fault(kind="stall", path=path, seconds=STALL, count=20) for path in LIST_PATHS)
        )
        try:
            with bench.app(bduss, env=env) as term:
                shown = term.wait_for(newest, STALL - 5)
                start.values.append(shown - term.started)
                replied = [bench.clock.first(p, after=term.started) for p in LIST_PATHS]
                if any(t is not None and t < shown for t in replied):
                    raise RuntimeError("the server answered the list before the sidebar filled")
                term.settled(shown, quiet=0.2)
        finally:
            bench.server.state.faults.clear()
        time.sleep(0.2)
    bench.log(f"start from the cache {start.values}")
    return [start]


CASES: dict[str, Callable[[Bench, int], list[Figure]]] = {"4c": case_4c}
RUNS = {"4c": 5}
