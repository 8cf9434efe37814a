"""A key remapped in the config file's [keymap] table works, and the old key
no longer does."""

from __future__ import annotations

from pathlib import Path

from conftest import Account
from support import make_app, ready, seed, until

from ernie_tui.server import ServerThread
from ernie_tui.tui.screens.dialogs import RenameDialog


async def test_keymap_from_config_remaps_a_binding(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Older", [("q", "a")])])
    app = make_app(
        server,
        account,
        tmp_path,
        keymap={"ernie.new_conversation": "f10", "ernie.rename_conversation": "f12"},
    )
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.open_id != ""
        await pilot.press("ctrl+n")  # no longer bound
        await pilot.pause()
        assert screen.open_id != ""
        await pilot.press("f10")
        await until(pilot, lambda: screen.open_id == "")
        await pilot.press("f12")
        await pilot.pause()
        # A new, unsaved conversation has nothing to rename; open one first.
        screen.conversation_list.focus()
        await pilot.press("home", "enter")
        await until(pilot, lambda: screen.open_id != "")
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, RenameDialog))
