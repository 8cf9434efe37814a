"""Pilot tests of the dialogs and the shares screen, in a tiny host app.

Each dialog is pushed with a callback that records what it dismissed with, so
every test sees exactly what the main screen will receive. The shares screen
talks to the real embedded server.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import screen_text
from textual.app import App, ComposeResult
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, RadioButton, Static

from ernie_tui.api import ErnieClient
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.dialogs import ConfirmDialog, RenameDialog
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.share_dialogs import LinkDialog, ShareDialog
from ernie_tui.tui.screens.shares import SharesScreen, short_time

HOSTILE = "Plans \x1b]52;c;SGVsbG8=\x07\x1b[2J\x9b31m\x1b]8;;http://evil/\x07[b]bold[/b]"


class Host(App[None]):
    """A trivial app that pushes one dialog and records its result."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[Any] = []
        self.copied: list[str] = []
        self.notes: list[tuple[SeverityLevel, str]] = []

    def compose(self) -> ComposeResult:
        yield Static("The host screen")

    def show(self, screen: Screen[Any]) -> None:
        self.push_screen(screen, self.results.append)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.notes.append((severity, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


# -- rename ---------------------------------------------------------------


async def test_rename_returns_the_new_stripped_name() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(RenameDialog("Old name"))
        await pilot.pause()
        field = app.screen.query_one("#rename-input", Input)
        assert field.value == "Old name"
        assert app.focused is field
        # The whole name is selected, so typing replaces it.
        await pilot.press("space", *"Trip", "space", "space", *"plans", "space", "enter")
        await pilot.pause()
    assert app.results == ["Trip  plans"]


async def test_rename_button_submits() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(RenameDialog("Old"))
        await pilot.pause()
        await pilot.press("end", *"er")
        await pilot.click("#rename")
        await pilot.pause()
    assert app.results == ["Older"]


async def test_empty_rename_is_refused_with_a_message() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(RenameDialog("Old name"))
        await pilot.pause()
        error = app.screen.query_one("#rename-error", Static)
        assert not error.display
        await pilot.press("backspace", "space", "space", "enter")
        await pilot.pause()
        assert app.results == []
        assert isinstance(app.screen, RenameDialog)
        assert error.display
        assert "needs a name" in screen_text(app)
        # Typing again clears the message; a real name then goes through.
        await pilot.press(*"New")
        await pilot.pause()
        assert not error.display
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == ["New"]


@pytest.mark.parametrize("how", ["escape", "cancel"])
async def test_rename_cancelled_returns_none(how: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(RenameDialog("Old name"))
        await pilot.pause()
        await pilot.press(*"abc")
        if how == "escape":
            await pilot.press("escape")
        else:
            await pilot.click("#cancel")
        await pilot.pause()
        assert not isinstance(app.screen, RenameDialog)
    assert app.results == [None]


async def test_rename_keeps_a_300_character_name_whole() -> None:
    name = "名" * 100 + "x" * 200
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(RenameDialog(name))
        await pilot.pause()
        await pilot.press("end", "enter")
        await pilot.pause()
    assert app.results == [name]


async def test_rename_prefill_drops_control_sequences() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(RenameDialog(HOSTILE))
        await pilot.pause()
        value = app.screen.query_one("#rename-input", Input).value
        assert "\x1b" not in value and "\x9b" not in value and "\x07" not in value
        assert value.startswith("Plans ")


# -- confirm ----------------------------------------------------------------


async def test_confirm_opens_on_cancel_and_enter_cancels() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ConfirmDialog("Delete conversation", "Delete “Trip plans”?"))
        await pilot.pause()
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "cancel"
        assert app.screen.query_one("#confirm", Button).variant == "error"
        assert "Delete “Trip plans”?" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [False]


async def test_confirm_chosen_returns_true() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ConfirmDialog("Delete conversation", "Delete it?", confirm_label="Delete"))
        await pilot.pause()
        await pilot.press("right")
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "confirm"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [True]


async def test_confirm_click_and_escape() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ConfirmDialog("Delete", "Delete it?"))
        await pilot.pause()
        await pilot.click("#confirm")
        await pilot.pause()
        app.show(ConfirmDialog("Delete", "Delete it?"))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [True, False]


async def test_hostile_name_never_reaches_the_terminal() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ConfirmDialog(f"Delete {HOSTILE}", f"Delete “{HOSTILE}”?"))
        await pilot.pause()
        svg = app.export_screenshot()
        text = screen_text(app)
        for bad in ("\x1b", "\x9b", "\x07", "52;c;", "http://evil"):
            assert bad not in svg
            assert bad not in text
        # Shown as plain text: the markup-like part is printed, not applied.
        assert "[b]bold[/b]" in text
        assert "Delete “Plans" in text
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [False]


# -- share ------------------------------------------------------------------


async def test_share_whole_conversation_is_the_default() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ShareDialog("Trip plans", can_share_answer=True))
        await pilot.pause()
        assert "Trip plans" in screen_text(app)
        await pilot.press("enter")  # shares with the highlighted "Whole conversation"
        await pilot.pause()
    assert app.results == ["all"]


async def test_share_selected_answer_only() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ShareDialog("Trip plans", can_share_answer=True))
        await pilot.pause()
        await pilot.press("down", "enter", "enter")
        await pilot.pause()
    assert app.results == ["answer"]


async def test_share_answer_option_disabled_when_not_allowed() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ShareDialog("Trip plans", can_share_answer=False))
        await pilot.pause()
        answer = app.screen.query_one("#share-answer", RadioButton)
        assert answer.disabled
        assert "No answer is selected" in screen_text(app)
        # The arrow keys skip it, and clicking it does nothing.
        await pilot.press("down", "space")
        await pilot.pause()
        assert not answer.value
        await pilot.click("#share-answer")
        await pilot.click("#share")
        await pilot.pause()
    assert app.results == ["all"]


@pytest.mark.parametrize("how", ["escape", "cancel"])
async def test_share_cancelled_returns_none(how: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.show(ShareDialog("Trip plans", can_share_answer=True))
        await pilot.pause()
        if how == "escape":
            await pilot.press("escape")
        else:
            await pilot.click("#cancel")
        await pilot.pause()
    assert app.results == [None]


# -- link -------------------------------------------------------------------

URL = "https://yiyan.baidu.com/share/IUGAEK"


async def test_link_dialog_copy_again_calls_copy_to_clipboard() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.copy_to_clipboard = app.copied.append  # type: ignore[method-assign, assignment]
        app.show(LinkDialog(URL, copied=False))
        await pilot.pause()
        text = screen_text(app)
        assert URL in text
        assert "Not copied yet" in text
        await pilot.click("#copy")
        await pilot.pause()
        assert app.copied == [URL]
        assert "Copied to the clipboard" in screen_text(app)
        await pilot.press("c")
        assert app.copied == [URL, URL]
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_link_dialog_says_copied_and_explains_osc52() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        app.show(LinkDialog(URL, copied=True))
        await pilot.pause()
        text = screen_text(app)
        assert "Copied to the clipboard" in text
        assert "OSC 52" in text and "SSH" in text
        await pilot.press("enter")  # Close has the focus
        await pilot.pause()
    assert app.results == [None]


# -- help -------------------------------------------------------------------


@pytest.mark.parametrize("key", ["escape", "f1", "q"])
async def test_help_lists_keys_and_closes(key: str) -> None:
    keys = [(f"ctrl+{c}", f"Action number {i}") for i, c in enumerate("abcdefghijklmnopqrstuvw")]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(HelpScreen(keys))
        await pilot.pause()
        text = screen_text(app)
        assert "ctrl+a" in text and "Action number 0" in text
        assert "ctrl+j" in text and "ctrl+p" in text  # the composer and palette text
        assert "Action number 22" not in text  # below the fold: the list scrolls
        await pilot.press("end")
        await pilot.pause()
        assert "Action number 22" in screen_text(app)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
    assert app.results == [None]


# -- manage shares against the embedded server ------------------------------


async def make_shares(client: ErnieClient, names: list[str]) -> list[str]:
    keys = []
    for name in names:
        session_id = await client.new_conversation(name)
        answer = await client.ask(f"Tell me about {name}", session_id)
        keys.append(await client.share_conversation(session_id, [answer.bot_chat_id]))
    return keys


async def open_shares(app: Host, pilot: Any, client: ErnieClient) -> SharesScreen:
    screen = SharesScreen(client)
    app.show(screen)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def table_keys(screen: SharesScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_shares_screen_lists_the_shares(client: ErnieClient) -> None:
    keys = await make_shares(client, ["Trip", "Recipes"])
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_shares(app, pilot, client)
        assert sorted(table_keys(screen)) == sorted(keys)
        table = screen.query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[3] == client.share_url(row[0])
        text = screen_text(app)
        assert "Manage shares" in text and "2 shares" in text
        # Enter (or c) copies the highlighted link.
        app.copy_to_clipboard = app.copied.append  # type: ignore[method-assign, assignment]
        await pilot.press("enter", "down", "c")
        assert app.copied == [client.share_url(row[0]), client.share_url(table_keys(screen)[1])]
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_shares_screen_deletes_one_after_confirming(client: ErnieClient) -> None:
    await make_shares(client, ["Trip", "Recipes"])
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_shares(app, pilot, client)
        first = table_keys(screen)[0]
        # Refused at the confirmation: nothing is deleted.
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert first in screen_text(app)
        await pilot.press("enter")  # Cancel has the focus
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert len(await client.list_shares()) == 2
        # Confirmed: gone from the server and from the table.
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen_stack[-1] is screen
        remaining = await client.list_shares()
        assert [s.key for s in remaining] == table_keys(screen)
        assert first not in table_keys(screen) and len(remaining) == 1


async def test_shares_screen_deletes_all_after_confirming(client: ErnieClient) -> None:
    await make_shares(client, ["Trip", "Recipes", "Poems"])
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shares(app, pilot, client)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete all 3 shares?" in screen_text(app)
        await pilot.press("right", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert await client.list_shares() == ()
        assert table_keys(screen) == []
        assert "No shared conversations" in screen_text(app)
        # Nothing left to delete: no dialog opens.
        await pilot.press("D", "d")
        await pilot.pause()
        assert app.screen_stack[-1] is screen


async def test_shares_screen_with_no_shares_says_so(client: ErnieClient) -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shares(app, pilot, client)
        assert "No shared conversations" in screen_text(app)


async def test_shares_screen_reports_a_server_error_and_stays_usable(
    server: ServerThread, client: ErnieClient
) -> None:
    await make_shares(client, ["Trip", "Recipes"])
    app = Host()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_shares(app, pilot, client)
        before = table_keys(screen)
        server.state.faults.add(Fault(kind="http500", path="/eb/share"))
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = [message for severity, message in app.notes if severity == "error"]
        assert len(errors) == 1 and "HTTP 500" in errors[0]
        assert app.screen_stack[-1] is screen
        assert table_keys(screen) == before
        assert len(await client.list_shares()) == 2
        # The list itself failing to load keeps what was shown.
        server.state.faults.add(Fault(kind="http500", path="/eb/share/list"))
        await pilot.press("r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table_keys(screen) == before
        assert "Press r to try again" in screen_text(app)
        # Still usable: deleting now works.
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(table_keys(screen)) == 1
        assert len(await client.list_shares()) == 1


def test_share_times_are_shortened_for_the_table() -> None:
    assert short_time("2024-05-01 09:30:00", this_year="2024") == "05-01 09:30"
    assert short_time("2023-12-31 23:59:59", this_year="2024") == "2023-12-31"
    assert short_time("yesterday", this_year="2024") == "yesterday"
