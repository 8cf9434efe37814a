"""Snapshots of the main screen's chat actions at 100x30 and 80x24: a
conversation marked in the sidebar while its answer streams and another is
open, a question being edited (with the length counter), the code block
picker, and the help built from the key table (two columns at 120x40).

Under the fixed test config of ``test_snapshots.py`` (its app, clock and
public host name), on conversations of their own. Accept new ones with
``pytest tests/test_snapshots_actions.py --snapshot-update`` and look at the
SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import until
from test_snapshots import SIZES, SnapshotApp, demo_credential, main_ready, still
from test_snapshots_dialogs import Host, showing
from textual.pilot import Pilot

from ernie_tui.server import DEMO_BDUSS, Fault, ServerThread, Store
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.main.code_picker import CodeBlockPicker
from ernie_tui.tui.widgets.code_blocks import code_blocks

CODE = (
    "Two ways:\n\n```python\ndef greet(name):\n    return f'Hello, {name}!'\n```\n\n"
    "```bash\necho 'Hello'\n```\n\n```\nplain text block\n```\n"
)
CONVERSATIONS = [
    ("Weekend in Hangzhou", [("帮我规划一个杭州三日游", "第一天：西湖。\n\n第二天：灵隐寺。")]),
    ("Greeting code", [("How do I greet someone in Python?", CODE)]),
]


@pytest.fixture
def chat_server() -> Iterator[ServerThread]:
    store = Store(clock=lambda: "2026-11-20 10:00:00")
    with ServerThread(store, rate=0) as server:
        account = store.account(DEMO_BDUSS)
        for name, turns in CONVERSATIONS:
            store.bulk_turns(account, store.new_session(account, name), turns)
        yield server


def opened(screen: Any) -> str:
    """The open conversation's name, once its history shows."""
    session = screen.open_session
    return "" if session is None or screen.chat.loading else str(session.name)


def app_on(server: ServerThread, tmp_path: Path) -> SnapshotApp:
    return SnapshotApp(server, demo_credential(), tmp_path)


@pytest.mark.parametrize("size", SIZES)
def test_a_stream_elsewhere_is_marked(
    snap_compare: Any, chat_server: ServerThread, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await main_ready(pilot)
        chat_server.state.faults.add(Fault(kind="long", increments=5000), Fault("rate", rate=20))
        screen.composer.set_text("Tell me a long story")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: screen.ask is not None and screen.ask.received)
        listing = screen.conversation_list
        listing.focus()
        await pilot.press("end", "enter")  # the other conversation
        await until(pilot, lambda: opened(screen) == CONVERSATIONS[0][0])
        await until(pilot, lambda: screen.composer.has_focus)  # opening moves the focus
        still(pilot)
        await pilot.pause()

    assert snap_compare(app_on(chat_server, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_editing_a_question_shows_it_and_counts(
    snap_compare: Any, chat_server: ServerThread, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await main_ready(pilot)
        screen.composer.limit = 40  # the question is 33 characters long: counted
        await pilot.press("alt+e")
        await until(pilot, lambda: screen.editing is not None)
        still(pilot)
        await pilot.pause()

    assert snap_compare(app_on(chat_server, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_code_block_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: CodeBlockPicker(code_blocks(CODE)))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(
    "size",
    [pytest.param((120, 40), id="120x40"), *SIZES],
)
def test_help_from_the_key_table(
    snap_compare: Any, chat_server: ServerThread, tmp_path: Path, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await main_ready(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app_on(chat_server, tmp_path), terminal_size=size, run_before=run_before)
