"""The app on the Qianfan backend (Pilot): the real app, the real Qianfan
client against the embedded server's /v2, conversations in a real library file
in tmp_path — every flow a user meets."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring_backend import MemoryKeyring
from support import FIXED_NOW, RecordingApp, answered, main_screen, send, until
from textual.widgets import Input

from ernie_tui.api import Secret
from ernie_tui.api_key import ApiKeyCredential
from ernie_tui.backends.qianfan import QianfanBackend, account_of
from ernie_tui.config import Config, QianfanConfig
from ernie_tui.library import Library
from ernie_tui.server import Fault, ServerThread
from ernie_tui.tui.screens.export import ExportDialog
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.signin import SignInScreen

CHAT = "/v2/chat/completions"
X1 = "ernie-x1-turbo-32k"
LITE = "ernie-lite-8k"
SIZE = (120, 40)
_keys = itertools.count(1)


def _key() -> Secret:
    return Secret(f"bce-v3/ALTAK-tui{os.getpid()}x{next(_keys):05d}/{os.urandom(12).hex()}")


def qianfan_config(server: ServerThread, tmp_path: Path, **qianfan: Any) -> Config:
    qianfan.setdefault("model", LITE)
    return Config(
        backend="qianfan",
        qianfan=QianfanConfig(base_url=server.base_url + "/v2", **qianfan),
        library_path=tmp_path / "library.db",
        request_timeout=10,
        idle_timeout=10,
        connect_timeout=5,
    )


def qianfan_app(
    server: ServerThread, tmp_path: Path, key: Secret | None = None, **qianfan: Any
) -> RecordingApp:
    credential = ApiKeyCredential(key or _key(), "session")
    return RecordingApp(
        qianfan_config(server, tmp_path, **qianfan),
        credential,
        data_dir=tmp_path,
        clock=lambda: FIXED_NOW,
    )


async def started(pilot: Any) -> MainScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
    screen = main_screen(app)
    await until(pilot, lambda: not screen.chat.loading and not screen.status.activity)
    return screen


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


async def test_a_thinking_model_answers_and_everything_is_kept_across_a_restart(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    app = qianfan_app(server, tmp_path, key, model=X1)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert isinstance(screen.backend, QianfanBackend)
        assert X1 in str(screen.status.render())
        await send(pilot, "为什么天空是蓝色的？")
        answer = await answered(pilot)
        assert answer.reasoning and answer.has_thinking and answer.text
        assert answer.usage[1] > 0  # completion tokens, shown after the answer
        assert [s.name for s in screen.conversations.all()] == ["为什么天空是蓝色的？"]
        asked = answer.text
    # Restart on the same library: the conversation, the answer and its reasoning.
    app = qianfan_app(server, tmp_path, key, model=X1)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert [s.name for s in screen.conversations.all()] == ["为什么天空是蓝色的？"]
        chats = screen.chat.children
        texts = [getattr(w, "text", "") for w in chats]
        assert "为什么天空是蓝色的？" in texts and asked in texts
        reply = next(w for w in chats if getattr(w, "text", "") == asked)
        assert getattr(reply, "reasoning", "")


async def test_web_search_cites_its_sources(server: ServerThread, tmp_path: Path) -> None:
    app = qianfan_app(server, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await pilot.press("alt+w")
        await until(pilot, lambda: "web search" in str(screen.status.render()))
        await send(pilot, "What is new in Rust?")
        answer = await answered(pilot)
        assert answer.citations and all(c.url.startswith("http") for c in answer.citations)
        assert "^[" not in "".join(
            strip.text for strip in answer.render_lines(answer.region.reset_offset)
        )


async def test_rename_pin_and_delete_work_on_the_library(
    server: ServerThread, tmp_path: Path
) -> None:
    key = _key()
    app = qianfan_app(server, tmp_path, key)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await send(pilot, "first")
        await answered(pilot)
        await pilot.press("ctrl+n")
        await send(pilot, "second")
        await answered(pilot)
        await until(pilot, lambda: len(screen.conversations.all()) == 2)
        screen.rename(screen.open_session, "Renamed here")  # type: ignore[arg-type]
        await until(pilot, lambda: app.said("Renamed to"))
        await pilot.press("ctrl+t")
        await until(pilot, lambda: bool(screen.conversations.top))
        await pilot.press("f8")
        await until(pilot, lambda: not isinstance(app.screen, MainScreen))
        await pilot.click("#confirm")
        await until(pilot, lambda: app.said("Deleted"))
    with Library(tmp_path / "library.db") as library:
        listed = library.list_conversations(account_of(key)).all()
    assert [s.name for s in listed] == ["first"]


async def test_share_offers_export_and_the_file_holds_the_reasoning(
    server: ServerThread, tmp_path: Path
) -> None:
    app = qianfan_app(server, tmp_path, model=X1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await send(pilot, "think and answer")
        await answered(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        assert "no share link" in str(app.screen.query_one(".dialog-hint").render())
        path = Path(app.screen.query_one("#export-path", Input).value)
        await pilot.press("enter")
        await until(pilot, lambda: app.said("Exported to"))
    text = path.read_text(encoding="utf-8")
    assert "> **Thinking**" in text and "think and answer" in text


async def test_a_refused_key_opens_sign_in_and_keeps_the_question(
    server: ServerThread, tmp_path: Path
) -> None:
    app = qianfan_app(server, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        server.state.faults.add(Fault("error", path=CHAT, msg="invalid_iam_token"))
        await send(pilot, "is my key still good?")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
        assert "refused" in str(app.screen.query_one("#signin-reason").render())


async def test_a_rate_limit_says_when_to_retry_and_keeps_the_question(
    server: ServerThread, tmp_path: Path
) -> None:
    app = qianfan_app(server, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        server.state.faults.add(Fault("error", path=CHAT, msg="rpm_rate_limit_exceeded", seconds=7))
        await send(pilot, "too fast?")
        await until(pilot, lambda: bool(app.errors()), "the error")
        assert any("7 s" in e for e in app.errors())
        await until(pilot, lambda: screen.composer.text == "too fast?")


async def test_sign_in_with_an_api_key(
    server: ServerThread, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    config = qianfan_config(server, tmp_path)
    app = RecordingApp(config, None, data_dir=tmp_path, clock=lambda: FIXED_NOW)
    key = _key()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert app.focused is app.screen.query_one("#api-key", Input)
        app.screen.query_one("#api-key", Input).value = "not a key"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one("#signin-error").display)
        assert "not a key" not in str(app.screen.query_one("#signin-error").render())
        app.screen.query_one("#api-key", Input).value = f"Bearer {key.reveal()}"
        await pilot.press("enter")
        await started(pilot)
        assert isinstance(app.credential, ApiKeyCredential) and app.credential.key == key
        svg = app.export_screenshot()
        assert key.reveal() not in svg
    stored = [
        v for (service, _), v in memory_keyring.items.items() if service == "ernie-tui/qianfan"
    ]
    assert len(stored) == 1 and key.reveal() in stored[0]


async def test_the_model_picker_lists_the_servers_models_and_the_choice_is_kept(
    server: ServerThread, tmp_path: Path
) -> None:
    from textual.widgets import OptionList

    from ernie_tui.tui.screens.choices import ModelPicker

    key = _key()
    app = qianfan_app(server, tmp_path, key)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await started(pilot)
        await send(pilot, "first with lite")
        await answered(pilot)
        await pilot.press("alt+m")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker), "the model picker")
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert LITE in ids and X1 in ids
        options.highlighted = ids.index(X1)
        await pilot.press("enter")
        await until(pilot, lambda: X1 in str(screen.status.render()), "X1 in the status line")
        await send(pilot, "now with x1")
        answer = await answered(pilot)
        assert answer.reasoning  # the thinking model answered
        session_id = screen.open_id
    with Library(tmp_path / "library.db") as library:
        conversation = library.conversation(account_of(key), session_id)
    assert conversation is not None and conversation.model == X1
