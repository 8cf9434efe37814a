"""Benchmark of the protocol client against the embedded server.

Measures what the issue asks for:

- client CPU per streamed increment (decode + yield): ``time.process_time``
  around consuming a long answer stream from a server running in a SEPARATE
  process (``ernie-tui serve --rate 0``), so the server's CPU is not counted;
- wall time to list 1,000 conversations (``list_conversations``);
- wall time to load a 2,000-message history (``get_conversation_detail``).

Each figure is the median of 5 runs. Run ``python -m bench.api_bench``; the
project's ``bench/__main__.py`` calls :func:`run`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from ernie_tui.api import ErnieClient, Timeouts

RUNS = 5
INCREMENTS = 5_000
CONVERSATIONS = 1_000
MESSAGES = 2_000
AIM_INCREMENT_US = 20.0
AIM_LOAD_MS = 100.0
CONTROL = "/__ernie_tui__"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server_process() -> Iterator[str]:
    """``ernie-tui serve --rate 0`` in a child process; yields its base URL."""
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "ernie_tui",
        "serve",
        "--faults",
        "--rate",
        "0",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"the server did not start: {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 20 s") from None
                time.sleep(0.05)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def _cookies(name: str) -> dict[str, str]:
    return {"BAIDUID": f"BENCH{os.getpid()}:FG=1", "BDUSS_BFESS": f"bench-{name}-{os.getpid()}"}


def _control(base_url: str, name: str, path: str, body: object) -> Any:
    reply = httpx.post(f"{base_url}{CONTROL}{path}", json=body, cookies=_cookies(name), timeout=60)
    reply.raise_for_status()
    obj = reply.json()
    if obj.get("code") != 0:
        raise RuntimeError(f"control call {path} failed: {obj}")
    return obj.get("data")


def _client(base_url: str, name: str) -> ErnieClient:
    cookies = _cookies(name)
    return ErnieClient(
        cookies["BAIDUID"],
        cookies["BDUSS_BFESS"],
        base_url=base_url,
        timeouts=Timeouts(connect=10, request=60, idle=60),
    )


def _median(
    runs: int, measure: Callable[[], Coroutine[Any, Any, float]]
) -> tuple[float, list[float]]:
    async def all_runs() -> list[float]:
        return [await measure() for _ in range(runs)]

    samples = asyncio.run(all_runs())
    return statistics.median(samples), samples


def bench_stream(base_url: str, increments: int = INCREMENTS, runs: int = RUNS) -> float:
    """Client CPU seconds per increment (median of ``runs``)."""

    async def once() -> float:
        _control(base_url, "stream", "/faults", {"kind": "long", "increments": increments})
        async with _client(base_url, "stream") as client:
            await client.list_pinned()  # connect outside the measurement
            count = 0
            started = time.process_time()
            async with client.ask_stream("benchmark") as stream:
                async for _ in stream:
                    count += 1
            spent = time.process_time() - started
        if count != increments:
            raise RuntimeError(f"expected {increments} increments, got {count}")
        return spent / count

    return _median(runs, once)[0]


def bench_list(base_url: str, conversations: int = CONVERSATIONS, runs: int = RUNS) -> float:
    """Wall seconds to list ``conversations`` conversations (median)."""
    _control(base_url, "list", "/seed", {"conversations": conversations})

    async def once() -> float:
        async with _client(base_url, "list") as client:
            await client.list_pinned()  # connect outside the measurement
            started = time.perf_counter()
            found = await client.list_conversations()
            spent = time.perf_counter() - started
        if len(found.all()) != conversations:
            raise RuntimeError(f"expected {conversations} conversations, got {len(found.all())}")
        return spent

    return _median(runs, once)[0]


def bench_history(base_url: str, messages: int = MESSAGES, runs: int = RUNS) -> float:
    """Wall seconds to load a ``messages``-message history (median)."""
    data = _control(base_url, "history", "/seed", {"conversations": 1, "messages": messages})
    session_id = data["sessionIds"][-1]

    async def once() -> float:
        async with _client(base_url, "history") as client:
            base = (await client.list_conversations()).find(session_id)
            started = time.perf_counter()
            detail = await client.get_conversation_detail(session_id, base=base)
            spent = time.perf_counter() - started
        if detail is None or len(detail.messages) != messages:
            got = None if detail is None else len(detail.messages)
            raise RuntimeError(f"expected {messages} messages, got {got}")
        return spent

    return _median(runs, once)[0]


def run() -> list[tuple[str, str]]:
    """Run every measurement; returns ``(name, figure)`` rows."""
    from .ask_bench import ask_row

    with _server_process() as base_url:
        per_increment = bench_stream(base_url)
        listing = bench_list(base_url)
        history = bench_history(base_url)
        ask = ask_row(base_url, per_increment * 1e6)
    return [
        (
            f"client CPU per streamed increment ({INCREMENTS:,} increments)",
            f"{per_increment * 1e6:.1f} µs (aim < {AIM_INCREMENT_US:g} µs)",
        ),
        (
            f"list {CONVERSATIONS:,} conversations",
            f"{listing * 1e3:.1f} ms (aim < {AIM_LOAD_MS:g} ms)",
        ),
        (
            f"load a {MESSAGES:,}-message history",
            f"{history * 1e3:.1f} ms (aim < {AIM_LOAD_MS:g} ms)",
        ),
        ask,
    ]


def main() -> None:
    rows = run()
    width = max(len(name) for name, _ in rows)
    print(f"{'API benchmark (median of ' + str(RUNS) + ' runs)':<{width}}  figure")
    print(f"{'-' * width}  {'-' * 30}")
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


if __name__ == "__main__":
    main()
