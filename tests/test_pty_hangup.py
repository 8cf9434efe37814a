"""The terminal closing under the app: a process that gets no hang-up signal
(started by ``make run``: ``make`` takes the signal; here the pty is not the
app's controlling terminal, as there) used to spin at 100% CPU for ever,
Textual's input thread reading nothing again and again. It quits now, as
ctrl+q does, and keeps the question being typed.

The real app in a pseudo-terminal against the embedded server.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ptyrun import PtyApp

from ernie_tui.server import ServerThread


def test_the_app_quits_when_its_terminal_closes_and_keeps_the_draft(
    server: ServerThread, tmp_path: Path, account: Any
) -> None:
    app = PtyApp.on_one_conversation(server, account, tmp_path, "HANGUP")
    try:
        app.type("a question half typed")
        app.wait_for("half typed")
        os.close(app.master)  # the terminal goes away (an SSH link dropped)
        try:
            code = app.proc.wait(30)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                "the app was still running 30 s after its terminal closed"
            ) from None
    finally:
        if app.proc.poll() is None:
            app.proc.kill()
            app.proc.wait(10)
    assert code == 1
    drafts = json.loads((tmp_path / "data" / "ernie-tui" / "drafts.json").read_text("utf-8"))
    assert "a question half typed" in json.dumps(drafts, ensure_ascii=False)
