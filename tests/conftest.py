"""Shared fixtures: the real embedded server on an ephemeral loopback port.

Each test gets an account of its own (a fresh BDUSS_BFESS cookie), so tests
sharing the session-wide server never see each other's conversations.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from ernie_tui.api import ErnieClient, Secret, Timeouts
from ernie_tui.server import ServerThread, Store

_accounts = itertools.count(1)


@dataclass(frozen=True)
class Account:
    """A test account's cookies; repr masks them like the real ones."""

    baiduid: Secret
    bduss: Secret


_PRIVATE_DIRECTORIES = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


@pytest.fixture(scope="session", autouse=True)
def _private_directories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user's own data, config, cache and state directories are never
    touched: the app's library (and the web backend's cache in it), drafts
    and preferences go to a temporary directory, for this process and the
    commands it starts."""
    base = tmp_path_factory.mktemp("home")
    saved = {name: os.environ.get(name) for name in _PRIVATE_DIRECTORIES}
    for name in _PRIVATE_DIRECTORIES:
        os.environ[name] = str(base / name.lower())
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def _shared_server() -> Iterator[ServerThread]:
    # control=True: tests queue faults and seed accounts over HTTP too.
    with ServerThread(Store(), rate=0, control=True) as server:
        yield server


@pytest.fixture
def server(_shared_server: ServerThread) -> Iterator[ServerThread]:
    """The session-wide server; faults and pace are reset after each test."""
    yield _shared_server
    _shared_server.state.faults.clear()
    _shared_server.state.rate = 0


@pytest.fixture
def own_server() -> Iterator[ServerThread]:
    """A server of this test's own, which it may stop and start again."""
    server = ServerThread(Store(), rate=0, control=True).start()
    yield server
    server.stop()


@pytest.fixture
def account() -> Account:
    n = next(_accounts)
    return Account(
        baiduid=Secret(f"TESTBAIDUID{os.getpid()}X{n:06d}:FG=1"),
        bduss=Secret(f"test-bduss-{os.getpid()}-{n:06d}-" + "q" * 24),
    )


@pytest.fixture
async def client(server: ServerThread, account: Account) -> AsyncIterator[ErnieClient]:
    async with ErnieClient(
        account.baiduid,
        account.bduss,
        base_url=server.base_url,
        timeouts=Timeouts(connect=5, request=10, idle=10),
    ) as c:
        yield c
