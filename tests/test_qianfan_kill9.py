"""kill -9 in the middle of a Qianfan answer: the real app in a pseudo-terminal,
the library on disk. After the kill the question and what arrived of the answer
are in the library (the answer marked incomplete when read again)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from ptyrun import PtyApp, app_env

from ernie_tui.api import Secret
from ernie_tui.backends.qianfan import account_of
from ernie_tui.library import Library
from ernie_tui.server import Fault, ServerThread

CHAT = "/v2/chat/completions"


def test_kill_9_mid_stream_keeps_the_question_and_the_partial_answer(
    server: ServerThread, tmp_path: Path, account: Any
) -> None:
    key = f"bce-v3/ALTAK-kill{os.getpid()}/{os.urandom(12).hex()}"
    # The answer stops coming after 60 increments (more than the library writes at once).
    gate = Fault("gate", path=CHAT, after=60, seconds=30)
    server.state.faults.add(Fault("long", path=CHAT, increments=400), gate)
    env = app_env(tmp_path, QIANFAN_API_KEY=key)
    argv = [
        sys.executable,
        "-m",
        "ernie_tui",
        "--backend",
        "qianfan",
        "--base-url",
        server.base_url + "/v2",
        "--model",
        "ernie-lite-8k",
    ]
    app = PtyApp(argv, env, tmp_path, columns=100, lines=30)
    try:
        app.wait_for("Ask ERNIE")
        app.type("Tell me a long story")
        app.wait_for("Tell me a long story")
        app.type("\r")
        app.wait_for("streaming")
        app.settle(quiet=1.0)
        os.killpg(app.proc.pid, signal.SIGKILL)
        app.proc.wait(10)
    finally:
        gate.gate.set()
        app.close(keys="")
    library_file = tmp_path / "data" / "ernie-tui" / "library.db"
    assert library_file.exists()
    with Library(library_file) as library:
        account = account_of(Secret(key))
        listed = library.list_conversations(account).all()
        assert len(listed) == 1
        detail = library.open(account, listed[0].session_id)
    assert detail is not None
    question, answer = detail.messages
    assert question.text == "Tell me a long story"
    assert answer.role == "robot" and answer.text  # what arrived before the kill
    assert answer.state == "incomplete"
