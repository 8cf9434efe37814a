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


# -- the search screen: a query typed → its results on the screen --------------------

UI_QUERIES = ("周报", "斐波那契", "week", "Python 列表", "鲸鱼座")
ALT_S = "\x1bs"  # Search conversations
CTRL_U = "\x15"  # empty the query box


def _results_shown(query: str) -> Callable[[list[str]], bool]:
    def shown(lines: list[str]) -> bool:
        screen = "\n".join(lines)
        return query in screen and (
            "· times in" in screen or f"No conversation holds “{query}”" in screen
        )

    return shown


def case_search_ui(bench: Bench, runs: int) -> list[Figure]:
    """The search bench's library (10,000 conversations, 200,000 messages) in
    the app on the Qianfan backend: each query written at once into the
    search box (as a burst of keys), timed until its results (or "No
    conversation holds …") are on the screen."""
    import shutil
    import sqlite3

    from .cases_search import CONVERSATIONS, MESSAGES, _library_file, build

    case = "search screen (10,000 conversations, 200,000 messages)"
    shown = Figure(case, "query typed → results on screen", "s", 0.08)
    source = _library_file()
    if not source.exists():
        bench.log(f"building {source} …")
        build(source, CONVERSATIONS, MESSAGES)
    key, account = bench.qianfan_account()
    env = bench.env("", api_key=key)
    target = bench.library_path(env)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as db:
        db.execute("UPDATE conversations SET account = ?", (account,))
    with bench.app("", model="ernie-4.5-turbo-32k", env=env) as term:
        term.wait_for("Conversations (", 60)
        term.settled(time.perf_counter(), quiet=0.5)
        term.write(ALT_S)
        term.wait_for("Type words to find", 10)
        for _ in range(runs):
            for query in UI_QUERIES:
                term.write(CTRL_U)
                term.wait_for("Type words to find", 10)
                term.settled(time.perf_counter(), quiet=0.3)
                watch = term.watch(_results_shown(query))
                typed = term.write(query)
                shown.values.append(term.wait(watch, 10, query) - typed)
                term.settled(time.perf_counter(), quiet=0.2)
    bench.log(f"search screen {[round(v * 1e3) for v in shown.values]} ms")
    return [shown]


CASES["search-ui"] = case_search_ui
RUNS["search-ui"] = 3
