"""Snapshots of the conversation-settings dialogs (model picker, system
prompt, export) over the trivial host screen, at 100x30 and 80x24.

Accept new ones with ``pytest tests/test_snapshots_settings.py --snapshot-update``
and look at the SVGs before committing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_snapshots_dialogs import SIZES, Host, showing
from textual.widgets import TextArea

from ernie_tui.backends import ModelChoice
from ernie_tui.backends.web import WEB_MODELS
from ernie_tui.qianfan import BUILTIN_MODELS
from ernie_tui.tui.screens.choices import ModelPicker, SystemPromptDialog
from ernie_tui.tui.screens.export import ExportDialog

QIANFAN = tuple(ModelChoice(m.id, m.id, m.context_tokens, m.reasoning) for m in BUILTIN_MODELS)


@pytest.mark.parametrize("size", SIZES)
def test_model_picker_qianfan(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(
        lambda app: ModelPicker(QIANFAN, "ernie-x1-turbo-32k", scope="this conversation")
    )
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_model_picker_web(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(lambda app: ModelPicker(WEB_MODELS, "EB35", scope="new conversations"))
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_system_prompt(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await showing(lambda app: SystemPromptDialog("你是一位简洁的助手。Answer briefly."))(pilot)
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.pause()

    assert snap_compare(Host(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_export(snap_compare: Any, size: tuple[int, int]) -> None:
    run_before = showing(
        lambda app: ExportDialog(
            Path("/home/you/.local/share/ernie-tui/exports"),
            "Weekly report 周报",
            reason="This service keeps no conversations, so there is no share link "
            "to make: save the conversation to a file instead.",
        )
    )
    assert snap_compare(Host(), terminal_size=size, run_before=run_before)
