"""Sync all conversations (core.sync.sync_all) against the embedded server:
it fetches every history into the cache at the configured rate (measured by
the server's own record of when each request arrived), skips what is kept
and unchanged (a second run fetches nothing), counts and skips a failing
conversation, stops on an expired sign-in, and keeps what it fetched when
cancelled."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Account
from test_web_cache import seed

from ernie_tui.api import ErnieClient, NotSignedInError, Timeouts
from ernie_tui.backends import WebBackend
from ernie_tui.backends.web import web_account_of
from ernie_tui.core.sync import SyncProgress, sync_all
from ernie_tui.library import Library
from ernie_tui.server import ServerThread, Store
from ernie_tui.server.faults import Fault

HISTORY = "/eb/chat/history"


class Arrivals:
    """ASGI middleware: the server-side time (``time.monotonic()``) and path
    of every request as it arrives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[float, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((time.monotonic(), scope["path"]))
        await self.app(scope, receive, send)


@pytest.fixture
def recorded() -> Iterator[tuple[ServerThread, Arrivals]]:
    server = ServerThread(Store(), rate=0, control=True)
    arrivals = Arrivals(server.app)
    server.app = arrivals
    server.start()
    yield server, arrivals
    server.stop()


@pytest.fixture
async def backend(
    recorded: tuple[ServerThread, Arrivals], account: Account, tmp_path: Path
) -> AsyncIterator[WebBackend]:
    server, _ = recorded
    library = Library(tmp_path / "library.db")
    client = ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=server.base_url,
        timeouts=Timeouts(connect=5, request=10, idle=10),
    )
    async with WebBackend(client, library, web_account_of(client.host, account.bduss)) as b:
        yield b
    library.close()


def _seed(server: ServerThread, account: Account, count: int) -> dict[str, str]:
    return seed(
        server,
        account,
        [(f"对话 {i} talk", [(f"问题 {i} question", f"回答 {i} answer")]) for i in range(count)],
    )


async def test_sync_fetches_every_history_and_a_second_run_nothing(
    recorded: tuple[ServerThread, Arrivals], account: Account, backend: WebBackend
) -> None:
    server, arrivals = recorded
    _seed(server, account, 5)
    seen: list[SyncProgress] = []
    result = await sync_all(backend, rate=1000, on_progress=seen.append)
    assert result == SyncProgress(done=5, total=5, fetched=5, skipped=0, failed=0)
    assert [p.done for p in seen] == [0, 1, 2, 3, 4, 5]
    listed = backend.cached_conversations()
    assert listed is not None and len(listed.all()) == 5
    for session in listed.all():
        kept = backend.cached_detail(session)
        assert kept is not None
        assert kept == await backend.client.get_conversation_detail(
            session.session_id, base=session
        )
    assert len(backend.search("answer")) == 5
    before = len([p for _, p in arrivals.seen if p == HISTORY])
    again = await sync_all(backend, rate=1000)
    assert again == SyncProgress(done=5, total=5, fetched=0, skipped=5, failed=0)
    assert len([p for _, p in arrivals.seen if p == HISTORY]) == before  # nothing fetched


async def test_sync_keeps_to_the_rate(
    recorded: tuple[ServerThread, Arrivals], account: Account, backend: WebBackend
) -> None:
    server, arrivals = recorded
    _seed(server, account, 4)
    rate = 10.0
    arrivals.seen.clear()
    await sync_all(backend, rate=rate)
    starts = [t for t, p in arrivals.seen if p.startswith("/eb/")]
    assert len(starts) == 2 + 4  # the list (pinned and normal, together), four histories
    # The two list requests go together and count twice.
    gaps = [b - a for a, b in itertools.pairwise(starts[1:])]
    assert starts[2] - starts[0] >= 2 * 0.9 / rate
    assert all(gap >= 0.9 / rate for gap in gaps), gaps


async def test_a_conversation_changed_elsewhere_is_fetched_again(
    recorded: tuple[ServerThread, Arrivals], account: Account, backend: WebBackend
) -> None:
    server, _ = recorded
    ids = _seed(server, account, 4)
    await sync_all(backend, rate=1000)
    owner = server.store.account(account.bduss.reveal())
    oldest = ids["对话 0 talk"]
    server.store.bulk_turns(owner, int(oldest), [("在网页上问的 asked on the web", "好的 ok")])
    server.store.touch(owner, int(oldest))  # as the service lists it: now the newest
    result = await sync_all(backend, rate=1000)
    assert (result.fetched, result.skipped) == (1, 3)
    assert backend.search("asked on the web")


async def test_a_failing_conversation_is_counted_and_skipped(
    recorded: tuple[ServerThread, Arrivals], account: Account, backend: WebBackend
) -> None:
    server, _ = recorded
    _seed(server, account, 4)
    server.state.faults.add(Fault("http500", path=HISTORY, count=1))
    result = await sync_all(backend, rate=1000)
    assert result == SyncProgress(done=4, total=4, fetched=3, skipped=0, failed=1)
    retry = await sync_all(backend, rate=1000)
    assert (retry.fetched, retry.skipped, retry.failed) == (1, 3, 0)


async def test_an_expired_sign_in_stops_the_sync_and_keeps_what_was_fetched(
    recorded: tuple[ServerThread, Arrivals], account: Account, backend: WebBackend
) -> None:
    server, arrivals = recorded
    _seed(server, account, 4)

    def after_two(progress: SyncProgress) -> None:
        if progress.fetched == 2:
            server.state.faults.add(Fault("error", path=HISTORY, code=4, msg="请先登录"))

    with pytest.raises(NotSignedInError):
        await sync_all(backend, rate=1000, on_progress=after_two)
    assert len([p for _, p in arrivals.seen if p == HISTORY]) == 3  # it stopped there
    fresh = backend.fresh_histories()
    assert fresh is not None and len(fresh) == 2


async def test_a_cancelled_sync_keeps_what_it_fetched(
    recorded: tuple[ServerThread, Arrivals], account: Account, backend: WebBackend
) -> None:
    server, _ = recorded
    _seed(server, account, 6)
    two = asyncio.Event()

    def progress(p: SyncProgress) -> None:
        if p.fetched == 2:
            two.set()

    task = asyncio.create_task(sync_all(backend, rate=20, on_progress=progress))
    await two.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    fresh = backend.fresh_histories()
    assert fresh is not None and len(fresh) >= 2
    rest = await sync_all(backend, rate=1000)
    assert rest.skipped == len(fresh) and rest.fetched == 6 - len(fresh)


async def test_a_backend_without_a_cache_has_nothing_to_sync(
    recorded: tuple[ServerThread, Arrivals], account: Account
) -> None:
    server, arrivals = recorded
    _seed(server, account, 2)
    client = ErnieClient(account.baiduid, account.bduss, base_url=server.base_url)
    async with WebBackend(client) as bare:
        arrivals.seen.clear()
        result = await sync_all(bare, rate=1000)
    assert result.total == 0
    assert not [p for _, p in arrivals.seen if p == HISTORY]
