"""The sign-in screen: cookies checked against the server, kept in a keyring
of the tests' own, the no-keyring path, and the offline demo."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from conftest import Account
from keyring.backends import fail
from keyring_backend import MemoryKeyring
from support import SIZE, until
from textual.pilot import Pilot
from textual.widgets import Input

from ernie_tui.config import Config
from ernie_tui.credentials import Credential, host_of
from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.signin import SignInScreen


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def signed_out_app(
    server: ServerThread,
    tmp_path: Path,
    demo: Callable[[Config], tuple[Config, Credential]] | None = None,
) -> ErnieApp:
    config = Config(base_url=server.base_url, request_timeout=10, idle_timeout=10)
    return ErnieApp(config, None, demo_starter=demo, data_dir=tmp_path)


async def fill(pilot: Pilot[Any], account: Account) -> None:
    app = pilot.app
    app.screen.query_one("#baiduid", Input).value = account.baiduid.reveal()
    app.screen.query_one("#bduss", Input).value = account.bduss.reveal()
    await pilot.pause()


async def test_sign_in_keeps_the_cookies_in_the_keyring(
    server: ServerThread, account: Account, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await fill(pilot, account)
        svg = app.export_screenshot()
        assert account.bduss.reveal() not in svg  # masked while typed
        await pilot.click("#signin")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.credential is not None and app.credential.bduss_bfess == account.bduss
        assert [key[1] for key in memory_keyring.items] == [host_of(server.base_url)]
        stored = next(iter(memory_keyring.items.values()))
        assert account.bduss.reveal() in stored


async def test_without_a_keyring_the_cookies_can_be_used_for_this_run(
    server: ServerThread, account: Account, tmp_path: Path, no_keyring: None
) -> None:
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, account)
        await pilot.click("#signin")
        await until(pilot, lambda: app.screen.query_one("#keyring-missing").display)
        reason = str(app.screen.query_one("#keyring-reason").render())
        assert "cannot be kept" in reason
        assert isinstance(app.screen, SignInScreen)
        assert app.focused is app.screen.query_one("#session-only")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.credential is not None and app.credential.source == "session"


async def test_refused_cookies_are_explained_and_nothing_is_stored(
    server: ServerThread, account: Account, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    server.state.faults.add(Fault(kind="error", path="/eb/session/top/list", code=4))
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, account)
        await pilot.click("#signin")
        await until(pilot, lambda: app.screen.query_one("#signin-error").display)
        error = str(app.screen.query_one("#signin-error").render())
        assert "did not accept these cookies" in error
        assert account.bduss.reveal() not in error
        assert isinstance(app.screen, SignInScreen)
        assert memory_keyring.items == {}


async def test_empty_fields_are_refused(server: ServerThread, tmp_path: Path) -> None:
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#signin")
        await pilot.pause()
        assert "Fill in both" in str(app.screen.query_one("#signin-error").render())


async def test_offline_demo_opens_the_main_screen(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    started: list[bool] = []

    def demo(config: Config) -> tuple[Config, Credential]:
        started.append(True)
        config = dataclasses.replace(config, base_url=server.base_url)
        return config, Credential(account.baiduid, account.bduss, "demo")

    app = signed_out_app(server, tmp_path, demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#demo")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert started == [True]
        assert "offline demo" in screen.status.account


@pytest.mark.parametrize(
    "field",
    ["baiduid", "bduss"],
)
async def test_a_pasted_cookie_header_in_either_field_is_split(
    server: ServerThread,
    account: Account,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    field: str,
) -> None:
    """A whole ``Cookie:`` header pasted into one field signs in as
    ``login --stdin`` would: the header is split, not stored as BAIDUID."""
    header = (
        f"Cookie: other=1; BAIDUID={account.baiduid.reveal()}; "
        f"BDUSS_BFESS={account.bduss.reveal()}; more=2"
    )
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one(f"#{field}", Input).value = header
        await pilot.pause()
        await pilot.click("#signin")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.credential is not None
        assert app.credential.baiduid == account.baiduid
        assert app.credential.bduss_bfess == account.bduss


async def test_a_pair_in_one_field_and_a_bare_value_in_the_other(
    server: ServerThread, account: Account, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#baiduid", Input).value = f"BAIDUID={account.baiduid.reveal()}"
        app.screen.query_one("#bduss", Input).value = account.bduss.reveal()
        await pilot.pause()
        await pilot.click("#signin")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.credential is not None
        assert app.credential.baiduid == account.baiduid
        assert app.credential.bduss_bfess == account.bduss


async def test_a_header_without_bduss_is_explained_without_echoing_it(
    server: ServerThread, account: Account, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    app = signed_out_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        secret = account.baiduid.reveal()
        app.screen.query_one("#baiduid", Input).value = f"Cookie: BAIDUID={secret}; x=1"
        await pilot.pause()
        await pilot.click("#signin")
        await until(pilot, lambda: app.screen.query_one("#signin-error").display)
        error = str(app.screen.query_one("#signin-error").render())
        assert "No BDUSS_BFESS cookie" in error
        assert secret not in error
        assert isinstance(app.screen, SignInScreen)
        assert memory_keyring.items == {}
