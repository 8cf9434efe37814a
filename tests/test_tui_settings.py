"""A conversation's settings and documents in the app: the model picker, the
web-search and system-prompt commands, and Export conversation (Pilot, the web
backend against the embedded server)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Account
from support import answered, make_app, ready, seed, send, until
from textual.widgets import Input, OptionList

from ernie_tui.server import ServerThread
from ernie_tui.tui.screens.choices import ModelPicker
from ernie_tui.tui.screens.export import ExportDialog


async def test_the_model_picker_sets_the_conversations_model_and_it_is_used(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Models", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        assert "EB35" in str(screen.status.render())
        await pilot.press("alt+m")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker), "the model picker")
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["EB35", "EB45T", "X1_1", "EB50"]
        assert options.highlighted == 0  # the current one
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: app.screen is screen, "the main screen again")
        assert screen.backend.model_of(screen.open_id) == "X1_1"
        await until(pilot, lambda: "X1_1" in str(screen.status.render()), "X1_1 in the status")
        # The next question goes with X1_1: a thinking model, whose reasoning shows.
        await send(pilot, "think about it")
        answer = await answered(pilot)
        assert answer.reasoning and answer.has_thinking


async def test_web_search_and_the_system_prompt_say_why_not_on_the_web_backend(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("One", [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("alt+w")
        await until(pilot, lambda: app.said("cannot search the web"), "the explanation")
        await pilot.press("alt+p")
        await until(pilot, lambda: app.said("no system prompt"), "the explanation")


async def test_export_writes_markdown_or_json_where_the_user_says(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Weekly 周报", [("Write it", "## Summary\n\nDone.")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog), "the export dialog")
        box = app.screen.query_one("#export-path", Input)
        assert box.value == str(tmp_path / "exports" / "Weekly 周报.md")
        await pilot.press("enter")
        target = tmp_path / "exports" / "Weekly 周报.md"
        await until(pilot, lambda: app.said("Exported to"), "the export")
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Weekly 周报") and "#### Summary" in text
        # JSON, to a file the user typed.
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog), "the export dialog")
        await pilot.click("#format-json")
        json_path = tmp_path / "out" / "c.json"
        app.screen.query_one("#export-path", Input).value = str(json_path)
        await pilot.click("#export")
        await until(pilot, lambda: json_path.exists(), "the JSON file")
        data = json.loads(json_path.read_text(encoding="utf-8"))
        assert [m["text"] for m in data["messages"]] == ["Write it", "## Summary\n\nDone."]
        # A file that cannot be written: said so, nothing lost.
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog), "the export dialog")
        app.screen.query_one("#export-path", Input).value = "/proc/nope/x.md"
        await pilot.click("#export")
        await until(pilot, lambda: app.said("Could not write"), "the error")
        assert list((tmp_path / "exports").iterdir()) == [target]
