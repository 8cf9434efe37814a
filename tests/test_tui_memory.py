"""What paging through a long history leaves in memory, in the real app: the
messages it unmounts go with everything they drew, a mounted answer holds its
lines but not its parsed Markdown, and the objects of start-up are kept out
of Python's full garbage collections while the app runs (and given back when
it ends). Every full collection walks what is left, and a key pressed while
one runs waits for it.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from conftest import Account
from markdown_it.token import Token
from support import SIZE, make_app, ready, seed, until
from test_tui_history_window import long_history
from textual._styles_cache import StylesCache
from textual.pilot import Pilot
from textual.widget import Widget

from ernie_tui.server import ServerThread
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.window import WINDOW


def alive(kind: type) -> list[Any]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind)]


def lines_of_gone_widgets(app: Any) -> int:
    """Lines drawn by widgets no longer in the app, still held in memory."""
    mine = {id(w._styles_cache) for w in alive(Widget)}
    return sum(len(c._cache) for c in alive(StylesCache) if id(c) not in mine)


async def jump_back_and_forth(pilot: Pilot[Any], chat: ChatView, times: int) -> None:
    for _ in range(times):
        await pilot.press("home")
        await until(pilot, lambda: chat.window[0] == 0)
        await pilot.pause()
        await pilot.press("end")
        await until(pilot, lambda: chat.at_newest)
        await pilot.pause()


async def test_unmounted_messages_leave_nothing_they_drew_behind(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        chat = screen.chat
        await until(pilot, lambda: chat.mounted_messages == WINDOW)
        chat.focus()
        await pilot.pause()
        # Each jump unmounts the window and mounts another, painted.
        await jump_back_and_forth(pilot, chat, 4)
        assert lines_of_gone_widgets(app) == 0
        # The mounted answers show their Markdown; none keeps it parsed.
        assert "0999" in str(chat.children[-1].render_line(1).text)
        assert alive(Token) == []


async def test_start_up_objects_are_frozen_while_the_app_runs(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Short", [("hello", "hi")])])
    app = make_app(server, account, tmp_path)
    assert gc.get_freeze_count() == 0
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await until(pilot, lambda: gc.get_freeze_count() > 0, "the start-up objects frozen")
    assert gc.get_freeze_count() == 0
