"""Snapshots of every dialog over a trivial host screen, at 100x30 and 80x24.

Accept new ones with ``pytest tests/test_snapshots_dialogs.py --snapshot-update``
and look at the SVGs before committing them.

The shares screen is shown with real shares from an embedded server of this
module's own, with a fixed clock and fixed share keys, reached under the
public host name so the links do not carry a random port.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import ToServer
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from ernie_tui.api import ErnieClient, Secret
from ernie_tui.backends import WebBackend
from ernie_tui.server import ServerThread, Store
from ernie_tui.tui.screens.dialogs import ConfirmDialog, RenameDialog
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.share_dialogs import LinkDialog, ShareDialog
from ernie_tui.tui.screens.shares import SharesScreen

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
PUBLIC = "https://yiyan.baidu.com"
BAIDUID = Secret("SNAPSHOTBAIDUID0000000000000000:FG=1")

HELP_KEYS = [
    ("ctrl+n", "New conversation"),
    ("f2", "Rename conversation"),
    ("ctrl+t", "Pin or unpin conversation"),
    ("delete", "Delete conversation"),
    ("space", "Mark a conversation for deleting several"),
    ("ctrl+d", "Delete the marked conversations"),
    ("ctrl+s", "Share conversation"),
    ("ctrl+o", "Manage shares"),
    ("ctrl+y", "Copy last answer"),
    ("ctrl+b", "Show or hide the sidebar"),
    ("ctrl+f", "Filter the conversations"),
    ("enter", "Send the question"),
    ("ctrl+j", "New line in the question"),
    ("escape", "Stop the answer that is streaming"),
    ("ctrl+p", "Command palette"),
    ("f1", "Help"),
    ("ctrl+q", "Quit"),
]


class Host(App[None]):
    """A trivial screen for the dialogs to sit on."""

    CSS = """
    #host-text { height: 1fr; padding: 1 2; color: $text-muted; }
    """

    def __init__(self, make: Callable[[Host], Screen[Any]] | None = None) -> None:
        super().__init__()
        self.make = make
        self.client: ErnieClient | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "\n".join(f"Conversation {n}: a line of the host screen" for n in range(1, 40)),
            id="host-text",
        )

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()


def showing(make: Callable[[Host], Screen[Any]]) -> Callable[[Pilot[Any]], Any]:
    """A ``run_before`` that pushes the dialog and waits until it settles."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, Host)
        app.push_screen(make(app))
        await pilot.pause()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_rename(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: RenameDialog("Weekend trip to Hangzhou: what to pack"))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_rename_refused(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: RenameDialog("Weekend trip"))
    assert snap_compare(
        Host(), terminal_size=size, run_before=run_before, press=["backspace", "space", "enter"]
    )


@pytest.mark.parametrize("size", SIZES)
def test_confirm(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(
        lambda app: ConfirmDialog(
            "Delete conversation",
            "Delete “Weekend trip to Hangzhou”? Its questions and answers are gone for good.",
        )
    )
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_share(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: ShareDialog("Weekend trip to Hangzhou", True))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_share_without_answer(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: ShareDialog("Weekend trip to Hangzhou", False))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_link(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: LinkDialog(f"{PUBLIC}/share/IUGAEK", copied=True))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_link_not_copied(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: LinkDialog(f"{PUBLIC}/share/IUGAEK", copied=False))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: HelpScreen(HELP_KEYS))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


# -- the shares screen --------------------------------------------------------


@pytest.fixture
def fixed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerThread]:
    """An embedded server with a fixed clock and predictable share keys."""
    # The store draws share keys from random.SystemRandom(): make it a seeded one.
    monkeypatch.setattr(random, "SystemRandom", lambda: random.Random(4))
    store = Store(clock=lambda: "2024-05-01 09:30:00")
    with ServerThread(store, rate=0) as server:
        yield server


def public_client(server: ServerThread, bduss: str) -> ErnieClient:
    return ErnieClient(BAIDUID, Secret(bduss), base_url=PUBLIC, transport=ToServer(server.base_url))


def with_shares(server: ServerThread, bduss: str, names: list[str]) -> None:
    async def make() -> None:
        async with public_client(server, bduss) as client:
            for name in names:
                session_id = await client.new_conversation(name)
                answer = await client.ask(f"Tell me about {name}", session_id)
                await client.share_conversation(session_id, [answer.bot_chat_id])

    asyncio.run(make())


def shares_screen(server: ServerThread, bduss: str) -> Callable[[Host], Screen[Any]]:
    def make(app: Host) -> Screen[Any]:
        app.client = public_client(server, bduss)
        return SharesScreen(WebBackend(app.client))

    return make


@pytest.mark.parametrize("size", SIZES)
def test_shares(snap_compare: Any, fixed_server: ServerThread, size: tuple[int, int]) -> None:
    bduss = "snapshot-bduss-shares-" + "q" * 24
    with_shares(fixed_server, bduss, ["Weekend trip", "Dumpling recipes", "Poems about rain"])
    run_before = showing(shares_screen(fixed_server, bduss))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_shares_empty(snap_compare: Any, fixed_server: ServerThread, size: tuple[int, int]) -> None:
    run_before = showing(shares_screen(fixed_server, "snapshot-bduss-empty-" + "q" * 24))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)
