"""``ernie-tui --demo --backend qianfan``: the embedded server (it answers
``/v2`` as Qianfan does), a demo API key of Qianfan's form, and a library of
the demo's own, filled with a few conversations.

The library is a file in a temporary directory, removed when the program
exits; the config handed to the app points at it (``library_path``), so the
app's own :func:`~ernie_tui.wiring.make_backend` opens it. The user's own
library is never touched. The web demo (``--demo``) caches its conversations
in a library of its own too (:func:`demo_library_path`).
"""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api_key import ApiKeyCredential
    from ..config import Config
    from ..library import Library

__all__ = ["DEMO_API_KEY", "demo_library_path", "seed_library", "start_qianfan_demo"]

DEMO_API_KEY = "bce-v3/ALTAK-ernie-tui-demo/offline-demo-key-not-a-real-secret"
"""The demo's API key: of the form the embedded server takes, and no secret."""

THINKING_MODEL = "ernie-x1-turbo-32k"


def seed_library(library: Library, account: str, model: str) -> None:
    """Three conversations: one pinned, one with a thinking model's answer
    (its reasoning first), one with a system prompt. ``model`` is the one the
    other two use."""
    from ..library import ROOT
    from ..server.bot import answer_for, thinking_for

    def conversation(
        name: str,
        questions: list[str],
        *,
        model: str = model,
        system_prompt: str = "",
        thinking: bool = False,
    ) -> str:
        conversation = library.new_conversation(
            account, name, model=model, system_prompt=system_prompt
        )
        parent, previous = ROOT, ""
        for turn, question in enumerate(questions, 1):
            asked = library.add_question(account, conversation, question, parent)
            parent = library.start_answer(account, conversation, asked, model)
            library.finish_answer(
                account,
                parent,
                text=answer_for(question, turn=turn, previous=previous),
                reasoning=thinking_for(question) if thinking else "",
            )
            previous = question
        return conversation

    pinned = conversation(
        "旅行计划 Trip to Hangzhou",
        ["帮我规划一个杭州三日游", "第二天想去西湖，有什么建议？"],
    )
    conversation(
        "为什么天空是蓝色的？", ["为什么天空是蓝色的？"], model=THINKING_MODEL, thinking=True
    )
    conversation(
        "Python 小老师 A Python tutor",
        ["How do I read a file line by line in Python?"],
        system_prompt="You are a patient Python tutor. Answer briefly, with one example.",
    )
    library.set_pinned(account, pinned, True)


def demo_library_path() -> Path:
    """A library file for a demo, in a temporary directory removed when the
    program exits: a demo never writes to the user's own library."""
    folder = Path(tempfile.mkdtemp(prefix="ernie-tui-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "library.db"


def start_qianfan_demo(config: Config) -> tuple[Config, ApiKeyCredential]:
    """Start the embedded server in this process on a free loopback port and a
    demo library of its own (seeded, removed at exit); returns the config to
    run with (backend ``qianfan``, the server's ``/v2``, that library) and the
    demo API key."""
    from ..api import Secret
    from ..api_key import ApiKeyCredential
    from ..backends.qianfan import account_of
    from ..library import Library
    from ..server import ServerThread, Store

    server = ServerThread(Store(), rate=30.0).start()
    path = demo_library_path()
    key = Secret(DEMO_API_KEY)
    with Library(path) as library:
        seed_library(library, account_of(key), config.qianfan.model)
    qianfan = dataclasses.replace(config.qianfan, base_url=server.base_url + "/v2", appid="")
    demo = dataclasses.replace(config, backend="qianfan", qianfan=qianfan, library_path=path)
    return demo, ApiKeyCredential(key, "demo")
