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
from test_tui_history_window import long_history, open_long
from textual._styles_cache import StylesCache
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget

from ernie_tui.server import ServerThread
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.messages import Question, Reply
from ernie_tui.tui.widgets.window import MAX_WINDOW, WINDOW


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
        _, chat = await open_long(pilot)
        await pilot.pause()
        # Each jump unmounts the window and mounts another, painted.
        await jump_back_and_forth(pilot, chat, 4)
        assert lines_of_gone_widgets(app) == 0
        # The mounted answers show their Markdown; none keeps it parsed.
        assert "0999" in str(chat.children[-1].render_line(1).text)
        assert alive(Token) == []


def messages(chat: ChatView) -> list[Question | Reply]:
    return [w for w in chat.children if isinstance(w, Question | Reply)]


async def test_paging_shows_older_messages_in_the_widgets_it_no_longer_needs(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        await pilot.press("shift+up")  # the newest answer, selected
        assert chat.selected is not None
        used = {id(w): w for w in messages(chat)}
        start = chat.window[0]
        while chat.window[0] > max(0, start - 4 * MAX_WINDOW):
            await pilot.press("pageup")
            await pilot.pause()
            used.update((id(w), w) for w in messages(chat))
        await pilot.pause()
        # Past the window four times over, the widgets of a window and two
        # batches showed all of it.
        assert len(used) <= MAX_WINDOW + 2 * WINDOW, len(used)
        # Each shows its own message: questions in order, each followed by
        # its answer; the selected answer, gone from the window, is no
        # longer shown selected.
        shown = messages(chat)
        numbers = [int(w.text.split()[1]) for w in shown if isinstance(w, Question)]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        for question, answer in zip(shown[::2], shown[1::2], strict=True):
            assert isinstance(question, Question) and isinstance(answer, Reply)
            assert answer.text.startswith(f"answer **{question.text.split()[1]}**")
        assert chat.selected is None
        assert not any(w.has_class("-selected") for w in used.values())


async def test_the_lines_of_the_history_are_not_left_in_cycles(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    """A line of a message, once drawn and let go, is freed at once: not
    left for a full garbage collection to find (and walk until then)."""
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_long(pilot)
        gc.collect()
        gc.disable()
        try:
            for _ in range(30):
                await pilot.press("pageup")
                await pilot.pause()
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            # Lines of the messages (the scroll bar's own are Textual's).
            cycled = sum(
                1
                for o in gc.garbage
                if isinstance(o, Strip)
                and any(word in o.text for word in ("You", "ERNIE", "paragraph"))
            )
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert cycled < 10, cycled


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
