"""``ernie-tui ask`` to a pipe: CPU per streamed increment beyond the
client's own decode (issue 15, figure 5).

The command runs as a child process against ``ernie-tui serve --rate 0`` (a
separate process, so the server's CPU is not counted), its stdout a pipe that
is read and thrown away. Its CPU for an answer of ``n`` increments less its CPU
for an answer of one increment (the same imports, sign-in and request) is the
cost of the increments; per increment, less the client's decode
(:func:`bench.api_bench.bench_stream`), it is what ``ask`` adds.
Run ``python -m bench.ask_bench``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile

from .api_bench import _control, _cookies, _server_process, bench_stream

RUNS = 5
_DATA = tempfile.TemporaryDirectory(prefix="ernie-bench-ask-")
INCREMENTS = 5_000
AIM_US = 30.0


def _ask_cpu(base_url: str, increments: int) -> float:
    """CPU seconds (user + system) of one ``ernie-tui ask`` whose answer has
    ``increments`` increments."""
    _control(base_url, "ask", "/faults", {"kind": "long", "increments": increments})
    cookies = _cookies("ask")
    env = dict(
        os.environ,
        ERNIE_BAIDUID=cookies["BAIDUID"],
        ERNIE_BDUSS_BFESS=cookies["BDUSS_BFESS"],
        ERNIE_TUI_BASE_URL=base_url,
        ERNIE_TUI_CONFIG=os.devnull,
        XDG_DATA_HOME=_DATA.name,  # the library and cache, never the user's own
        XDG_CACHE_HOME=_DATA.name,
        XDG_STATE_HOME=_DATA.name,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-m", "ernie_tui", "ask", "benchmark"],
        env=env,
        capture_output=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"ask failed: {proc.stderr.decode(errors='replace').strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_ask(base_url: str, increments: int = INCREMENTS, runs: int = RUNS) -> list[float]:
    """Microseconds ``ask`` spends per increment, one figure a run."""
    samples = []
    for _ in range(runs):
        short = _ask_cpu(base_url, 1)
        long = _ask_cpu(base_url, increments)
        samples.append((long - short) / (increments - 1) * 1e6)
    return samples


def ask_row(base_url: str, decode_us: float, runs: int = RUNS) -> tuple[str, str]:
    """The figure as a row of the API table: ``ask``'s CPU per increment and
    what it adds to the client's decode (``decode_us``)."""
    per = bench_ask(base_url, runs=runs)
    median = statistics.median(per)
    beyond = median - decode_us
    return (
        f"`ask` to a pipe, CPU per increment ({INCREMENTS:,} increments)",
        f"{median:.1f} µs (runs {min(per):.1f}–{max(per):.1f}); "
        f"{beyond:.1f} µs beyond the client's decode (aim ≤ {AIM_US:g} µs)",
    )


def run(runs: int = RUNS) -> list[str]:
    with _server_process() as base_url:
        decode = bench_stream(base_url, runs=runs) * 1e6
        name, value = ask_row(base_url, decode, runs)
    return [f"{name}: {value}; client decode {decode:.1f} µs"]


if __name__ == "__main__":
    for line in run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS):
        print(line)
