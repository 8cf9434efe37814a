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


def test_no_key_of_the_main_screen_is_taken_by_the_question_box() -> None:
    """The question box usually has the focus, and its own keys win over the
    screen's (F5–F7 select in a text area): a screen key it takes would do
    nothing where the user presses it."""
    from textual.widgets import TextArea

    from ernie_tui.tui.screens.main.keys import KEYS
    from ernie_tui.tui.widgets.composer import Composer

    def keys(bindings: object) -> set[str]:
        out: set[str] = set()
        for binding in bindings:  # type: ignore[attr-defined]
            key = binding.key if hasattr(binding, "key") else binding[0]
            out.update(k.strip() for k in key.split(","))
        return out

    taken = keys(TextArea.BINDINGS) | keys(Composer.BINDINGS)
    assert keys(KEYS) & taken == set()
