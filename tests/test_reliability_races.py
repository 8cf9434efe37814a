"""Races a quick user provokes: switching while histories load, sending twice,
deleting the conversation whose answer is streaming. The real app, the real
server; assertions sample what the pane shows on every frame."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from support import (
    answered,
    main_screen,
    make_app,
    messages,
    open_named,
    poll_until,
    ready,
    seed,
    send,
)
from textual.widgets import Button

from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.dialogs import ConfirmDialog
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.widgets.answer import StreamingAnswer

NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


def _turns(name: str) -> list[tuple[str, str]]:
    return [(f"{name} question {i}", f"{name} answer {i}") for i in range(3)]


class PaneWatcher:
    """Checks, whenever asked, that a loaded pane shows only the open
    conversation's messages."""

    def __init__(self, screen: MainScreen, ids: dict[str, str]) -> None:
        self.screen = screen
        self.names = {v: k for k, v in ids.items()}
        self.samples = 0
        self.wrong: list[str] = []

    def check(self) -> None:
        screen = self.screen
        if screen.chat.loading:
            return  # the loading indicator covers the pane
        shown = messages(screen.chat)
        if not shown:
            return
        self.samples += 1
        open_name = self.names.get(screen.open_id, "?")
        strangers = [text for _, text in shown if not text.startswith(open_name)]
        if strangers:
            self.wrong.append(f"{open_name} open, pane shows {strangers[:2]}")


async def test_rapid_switching_never_shows_another_conversations_history(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    ids = seed(server, account, [(name, _turns(name)) for name in NAMES])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        watcher = PaneWatcher(screen, ids)
        watcher.check()
        assert watcher.samples == 1  # Echo, the newest, is open and shown
        # Replies arrive out of order: the early choices answer last.
        stalls = [0.9, 0.6, 0.05, 0.4, 0.0, 0.3, 0.0]
        server.state.faults.add(
            *(Fault("stall", path="/eb/chat/history", seconds=s) for s in stalls)
        )
        listing = screen.conversation_list
        listing.focus()
        await pilot.press("home")
        for step in ["down", "down", "up", "down", "down", "up", "down"]:
            listing.focus()  # opening moves the focus to the composer
            await pilot.press(step, "enter")
            watcher.check()
        final = listing.highlighted
        assert final is not None
        # Until every stalled reply has come back (or been abandoned), keep looking.
        deadline = time.monotonic() + max(stalls) + 0.5
        while time.monotonic() < deadline or screen.chat.loading:
            watcher.check()
            await pilot.pause(0.02)
            assert time.monotonic() < deadline + 10, "the last history never loaded"
        assert len(server.state.faults) == 0  # every history request was made
        assert watcher.wrong == []
        assert watcher.samples > 5  # the pane was looked at while replies came in
        assert screen.open_id == final.session_id
        assert messages(screen.chat)[0] == ("user", f"{final.name} question 0")
        assert len(messages(screen.chat)) == 6


async def test_switching_away_and_back_during_a_stream_keeps_it_in_its_conversation(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    ids = seed(server, account, [(name, _turns(name)) for name in NAMES[:2]])
    gate = Fault("gate", after=3, seconds=20)
    server.state.faults.add(gate)
    app = make_app(server, account, tmp_path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            watcher = PaneWatcher(screen, ids)
            assert screen.open_session is not None and screen.open_session.name == "Bravo"
            await send(pilot, "Bravo streaming question")
            await poll_until(pilot, lambda: screen.ask is not None and screen.ask.received, "text")

            await open_named(pilot, "Alpha")
            watcher.check()
            assert watcher.wrong == []
            assert "Bravo streaming question" not in [t for _, t in messages(screen.chat)]

            await open_named(pilot, "Bravo")
            shown = messages(screen.chat)
            assert shown[-2] == ("user", "Bravo streaming question")
            assert screen.ask is not None  # still streaming, shown again
            gate.gate.set()
            answer = await answered(pilot)
            assert answer.state == "done"
            assert "Bravo streaming question" in answer.text
            assert [t for _, t in messages(screen.chat)].count("Bravo streaming question") == 1
            bot_chat = answer.chat_id

            # The thread continues from the streamed answer.
            parents = len(server.state.parents)
            await send(pilot, "Bravo follow-up")
            await answered(pilot)
            assert server.state.parents[parents:] == [bot_chat]
    finally:
        gate.gate.set()


async def test_send_pressed_three_times_sends_once(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    gate = Fault("gate", after=2, seconds=20)
    server.state.faults.add(gate)
    app = make_app(server, account, tmp_path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            asks = server.state.asks
            screen.composer.focus()
            screen.composer.insert("Just once")
            await pilot.press("enter", "enter", "enter")
            await poll_until(pilot, lambda: screen.ask is not None and screen.ask.received, "text")
            await pilot.press("enter")
            gate.gate.set()
            await answered(pilot)
            assert server.state.asks - asks == 1
            assert [t for r, t in messages(screen.chat) if r == "user"] == ["Just once"]
    finally:
        gate.gate.set()


async def test_deleting_the_streaming_conversation_stops_the_stream_first(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    ids = seed(server, account, [(name, _turns(name)) for name in NAMES[:2]])
    owner = server.store.account(account.bduss.reveal())
    gate = Fault("gate", after=2, seconds=20)
    server.state.faults.add(gate)
    app = make_app(server, account, tmp_path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(pilot)
            assert screen.open_id == ids["Bravo"]
            await send(pilot, "Doomed question")
            await poll_until(pilot, lambda: screen.ask is not None and screen.ask.received, "text")
            streaming = screen.ask.answer if screen.ask else None
            assert isinstance(streaming, StreamingAnswer)

            # The delete request waits on the server: meanwhile, the stream must
            # already be stopped while the conversation still exists.
            server.state.faults.add(Fault("stall", path="/eb/session/delete", seconds=0.5))
            await pilot.press("f8")
            await poll_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the dialog")
            app.screen.query_one("#confirm", Button).press()
            await poll_until(pilot, lambda: screen.ask is None, "the stream to stop")
            assert server.store.session(owner, int(ids["Bravo"])) is not None
            assert streaming.state == "stopped"

            await poll_until(
                pilot, lambda: screen.open_id == ids["Alpha"] and not screen.chat.loading, "next"
            )
            assert server.store.session(owner, int(ids["Bravo"])) is None
            assert [s.name for s in screen.conversations.all()] == ["Alpha"]
            gate.gate.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.errors() == []
            assert all(t.startswith("Alpha") for _, t in messages(screen.chat))
            assert main_screen(app).failed is None
    finally:
        gate.gate.set()
