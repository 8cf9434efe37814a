"""``python -m bench`` (``make bench``): the real app in a pseudo-terminal
against the embedded server; prints a table of medians.

    python -m bench              every case, full runs; writes bench/README-figures.md
    python -m bench --quick      every case once (a smoke test)
    python -m bench --case 1     one case (repeatable: --case 1 --case 7)
    python -m bench --case 1q    case 1 on the Qianfan backend (1qt: a thinking model)
    python -m bench --toy        drive bench/toyapp.py instead (harness check)
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import shlex
import sys
import time
import traceback
from pathlib import Path

from . import cases_idle, cases_library, cases_paging, cases_search
from .cases import CASES as CORE_CASES
from .cases import REAL, TOY, Bench, Figure
from .cases import RUNS as CORE_RUNS

_MORE = (cases_paging, cases_idle, cases_search, cases_library)
CASES = {**CORE_CASES, **{k: v for m in _MORE for k, v in m.CASES.items()}}
RUNS = {**CORE_RUNS, **{k: v for m in _MORE for k, v in m.RUNS.items()}}

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "README-figures.md"

PEERS = """\
Peers, from the issue (same machine class, same 120x40 pseudo-terminal, the same
2,000-increment markdown answer at 100 increments/s):

| client | CPU s (stream) | bytes to the terminal | last increment on screen after end | RSS |
|---|---|---|---|---|
| oterm 0.26 (Textual 8.2) | 19.5 | 1.6 MB | 2.6 s | 292 MiB |
| elia 1.10 (Textual 0.79) | 38.4 | 8.2 MB | 24 s | 318 MiB |

Sent as fast as the server can, the same answer finished rendering 16.5 s (oterm)
and 31 s (elia) after the last byte arrived.
"""

METHOD = """\
`make bench` (`python -m bench`) starts the embedded server in its own process
and spawns the real `ernie-tui --base-url …` in a 120x40 pseudo-terminal
(`TERM=xterm-256color`, `COLORTERM=truecolor`, credentials from the
environment, config/data/cache directories in a temporary directory, the null
keyring). A thread reads the terminal into a `pyte` screen, counting bytes and
stamping each chunk with `time.perf_counter()`; a figure "on screen" is the
arrival time of the chunk that made the text appear, compared with the server's
own stamp of when the answer stream ended (or when a reply finished sending).
CPU is utime+stime of the app's process tree from `/proc` between Enter and the
screen settling (0.3 s without output) after the last increment appeared;
bytes are what the app wrote to the terminal in that window; RSS is VmRSS
after the stream. "Screen settled" after a key is the last output before
0.12–0.15 s of silence. Each figure is the median over the runs shown (the
"worst" rows take the maximum), the lowest and highest run after it. Case 3
streams at 400 increments/s so the 8,000-increment answer takes 20 s rather
than 80 s; it compares CPU per increment between 2,000 and 8,000 increments
at that same rate.
Case 1q is case 1 on the Qianfan backend (`--backend qianfan --base-url
…/v2`, the API key in `QIANFAN_API_KEY`, the conversation list from the app's
own library in the temporary data directory): the same answer from the
embedded server's `/v2/chat/completions`, paced by the same `rate` fault, and
the same targets; 1qt asks `ernie-x1-turbo-32k`, whose reasoning streams
first, at the same rate, inside the same window.
"""


ANALYSIS = """\
Profiled with py-spy (`python -m bench --case 1 --wrap 'py-spy record -f raw -o p.txt --'`).

- Streaming (cases 1, 2, 3, 7). The first design mounted a widget per finished
  markdown block and updated a tail widget 15 times a second: the answer grew
  on nearly every update, so Textual re-laid out and repainted the whole pane
  each time (8.9 s of CPU, 4.95 MB to the terminal, typing p95 0.16 s). The
  answer's text is now one line-API widget (`AnswerText` in
  `ernie_tui/tui/widgets/answer_text.py`): finished blocks are rendered to lines once,
  only the unfinished tail is re-rendered (with one shared markdown parser),
  only lines that changed are repainted, the height grows in steps of 2/3 of
  the pane so an update changes no geometry, and the tail is updated 6 times a
  second; the stream worker reads increments that arrive together in one go,
  and the composer's cursor holds still while an answer streams.
  What remains of case 1's ~2 s: Textual repainting the pane once per height
  step (it has no terminal-scroll support) and the changed lines of each
  update, Rich/pygments re-highlighting the code block in the tail, and the
  HTTP client's per-chunk cost. Going lower needs bigger steps (less context
  on screen while it streams) or highlighting that only adds the new line.
- Start-up (case 4). About 0.2 s goes to imports (Textual, httpx) before the
  first byte; the conversation list is fetched from a thread started in
  `App.on_load`, parsed off the UI loop, while Textual builds and styles the
  main screen (the footer's per-key styling alone is ~50 ms). A plain-HTTP
  base URL loads no CA bundle.
- History (case 5). At most 120 messages are mounted; opening mounts about
  two screens first and the rest a frame later; home/end re-window around the
  oldest/newest messages in one step.
- Sidebar (case 6). The list is a virtual line-API widget: a filter keystroke
  costs ~0.3 ms in our code (narrowing searches only the previous matches);
  the rest is Textual's key, input and repaint work. "Filled after the list
  arrived" includes finishing the main screen when the list arrives before it
  is built (the early fetch), so it moves with start-up.
"""


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return "?"
    return out.stdout.strip() or "?"


def _spread(f: Figure) -> str:
    """`` (lowest–highest)`` over the runs, when they differ."""
    if f.check or len(f.values) < 2 or min(f.values) == max(f.values):
        return ""
    low, high = f.fmt(min(f.values)), f.fmt(max(f.values))
    if low == high:
        return ""
    unit = high.rpartition(" ")[2] if " " in high else ""
    if unit and low.endswith(" " + unit):
        low = low[: -len(unit) - 1]
    return f" ({low}–{high})"


def _rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for f in figures:
        verdict = f.passed
        result = "" if verdict is None else ("pass" if verdict else "FAIL")
        value = f.fmt(f.value) + _spread(f) + (f" ({f.note})" if f.note else "")
        rows.append((f.case, f.name, f.target_text, value, str(len(f.values)), result))
    return rows


HEADER = ("case", "figure", "target", "median", "runs", "result")


def _table(figures: list[Figure]) -> list[str]:
    return [
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *["| " + " | ".join(row) + " |" for row in _rows(figures)],
    ]


def _print_table(figures: list[Figure]) -> None:
    rows = [HEADER, *_rows(figures)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _api_rows() -> list[tuple[str, str]]:
    if importlib.util.find_spec("bench.api_bench") is None:
        return []
    from . import api_bench

    run = getattr(api_bench, "run", None)
    if run is None:
        return []
    rows: list[tuple[str, str]] = run()
    return rows


def _write_figures(
    figures: list[Figure], api: list[tuple[str, str]], profile: str, load: str, took: float
) -> None:
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        "## Performance",
        "",
        f"Last full run: {when}, {profile} at commit {_commit()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs shared with other work "
        f"(load average 1/5/15 min before the run: {load}), {took / 60:.0f} min.",
        "",
        *_table(figures),
        "",
    ]
    if api:
        lines += [
            "The protocol client alone (`bench/api_bench.py`):",
            "",
            "| figure | value |",
            "|---|---|",
            *[f"| {name} | {value} |" for name, value in api],
            "",
        ]
    lines += ["### Method", "", METHOD, "### Where the time goes", "", ANALYSIS]
    lines += ["### Peers", "", PEERS]
    FIGURES.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="run each case once")
    parser.add_argument("--case", action="append", choices=[*CASES, "8"], help="run only this case")
    parser.add_argument("--runs", type=int, default=None, help="runs per case (override)")
    parser.add_argument("--toy", action="store_true", help="drive bench/toyapp.py (harness check)")
    parser.add_argument("--no-api", action="store_true", help="skip bench/api_bench.py")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each run")
    parser.add_argument(
        "--wrap",
        default="",
        help="start the app under this command, e.g. 'py-spy record -f raw -o prof.txt --' "
        "(profiling only: the figures then include the wrapper's cost)",
    )
    args = parser.parse_args(argv)

    profile = TOY if args.toy else REAL
    asked = {"1" if c == "8" else c for c in args.case or CASES}
    if profile.qianfan_argv is None and not args.case:
        asked = {c for c in asked if not c.startswith("1q")}  # no Qianfan backend
    wanted = [c for c in CASES if c in asked]
    full = not (args.quick or args.case or args.runs or args.toy or args.wrap)
    load = _load()
    print(f"bench: {profile.name}, cases {wanted}, load average {load}", file=sys.stderr)
    began = time.perf_counter()
    bench = Bench(profile, verbose=args.verbose, wrap=shlex.split(args.wrap))
    figures: list[Figure] = []
    failed = False
    try:
        for number in wanted:
            runs = 1 if args.quick else (args.runs or RUNS[number])
            print(f"case {number}: {runs} run(s)…", file=sys.stderr, flush=True)
            try:
                figures += CASES[number](bench, runs)
            except Exception as exc:
                failed = True
                print(f"case {number} failed: {exc}", file=sys.stderr)
                if args.verbose:
                    traceback.print_exc()
                figures.append(Figure(f"{number}", "(case failed, see stderr)", "", None))
    finally:
        bench.close()
    api = [] if args.no_api or args.case or args.toy else _api_rows()
    took = time.perf_counter() - began
    print()
    _print_table(figures)
    for name, value in api:
        print(f"api: {name}: {value}")
    print(f"\n{took:.0f} s; load average now {_load()}")
    if full:
        _write_figures(figures, api, profile.name, load, took)
        print(f"wrote {FIGURES.relative_to(HERE.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
