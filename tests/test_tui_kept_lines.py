"""The history's messages keep their rendered lines (``KeptLines``): what they
show still follows every change a user can make: the reasoning unfolded, the
answer selected, the theme, the width of the pane."""

from __future__ import annotations

from pathlib import Path

from conftest import Account
from rich.color import Color
from rich.segment import Segment
from support import SIZE, make_app, seed
from test_tui_history_window import long_history, open_long
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from ernie_tui.api import Chat, Citation
from ernie_tui.server import ServerThread
from ernie_tui.tui.widgets.messages import Question, Reply
from ernie_tui.tui.widgets.window import WINDOW

ANSWER = "Tea is brewed **slowly**; " + "the leaves unfold in the cup " * 6
REASONING = "First think about water temperature."


class _Pane(App[None]):
    def compose(self) -> ComposeResult:
        yield Question("How is tea brewed?")
        yield Reply(ANSWER, reasoning=REASONING)


def _lines(widget: Reply | Question) -> list[str]:
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


def _colours(widget: Reply, words: str) -> set[tuple[Color | None, Color | None]]:
    """The colours (foreground, background) of the words on the line showing
    ``words`` (not of the border beside them)."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    row = next(s for s in widget.render_lines(region) if words in s.text)
    return {
        (seg.style.color, seg.style.bgcolor)
        for seg in row
        if seg.style is not None and any(char.isalpha() for char in seg.text)
    }


async def test_unfolding_the_reasoning_shows_it_and_folding_hides_it() -> None:
    async with _Pane().run_test(size=(70, 30)) as pilot:
        reply = pilot.app.query_one(Reply)
        folded = _lines(reply)
        assert not any("water temperature" in line for line in folded)
        reply.toggle_thinking()
        await pilot.pause()
        assert any("water temperature" in line for line in _lines(reply))
        assert reply.size.height > len([line for line in folded if line.strip()]) - 1
        reply.toggle_thinking()
        await pilot.pause()
        assert not any("water temperature" in line for line in _lines(reply))


async def test_a_narrower_pane_wraps_the_answer_again() -> None:
    async with _Pane().run_test(size=(100, 30)) as pilot:
        reply = pilot.app.query_one(Reply)
        wide = reply.size.height
        await pilot.resize_terminal(40, 30)
        await pilot.pause()
        narrow = _lines(reply)
        assert reply.size.height > wide
        assert all(len(line) <= 40 for line in narrow)
        words = " ".join(" ".join(narrow).split())
        assert words.count("unfold") == 6


async def test_selecting_an_answer_and_changing_the_theme_repaint_its_text() -> None:
    async with _Pane().run_test(size=(70, 30)) as pilot:
        reply = pilot.app.query_one(Reply)
        plain = _colours(reply, "Tea is brewed")
        reply.add_class("-selected")
        await pilot.pause()
        assert _colours(reply, "Tea is brewed") != plain
        summary = _colours(reply, "Thought for")
        pilot.app.theme = "nord" if pilot.app.theme != "nord" else "gruvbox"
        await pilot.pause()
        assert _colours(reply, "Thought for") != summary


async def test_a_question_keeps_its_words_across_widths() -> None:
    async with _Pane().run_test(size=(70, 30)) as pilot:
        question = pilot.app.query_one(Question)
        assert any("How is tea brewed?" in line for line in _lines(question))
        await pilot.resize_terminal(14, 30)
        await pilot.pause()
        words = " ".join(_lines(question)).split()
        assert question.size.height > 2
        assert all(word in words for word in ("How", "is", "tea", "brewed?"))


def _cells(lines: list[Strip]) -> list[list[Segment]]:
    return [list(strip) for strip in lines]


async def test_a_message_rendered_ahead_is_the_message_shown() -> None:
    """The lines a window renders ahead for a message on another widget of
    its kind are the lines that widget renders once it shows the message."""
    chats = [
        Chat("q2", "user", "Is green tea **brewed** cooler?"),
        Chat(
            "a2",
            "robot",
            "Yes [1]: 80 °C.\n\n```python\nbrew(80)\n```\n\n"
            "| tea | °C |\n|---|---|\n| green | 80 |",
            urls=("https://example.com/tea.png",),
            reasoning="Green leaves scorch.",
            model="ernie-4.5",
            prompt_tokens=12,
            completion_tokens=30,
            flag=1,
            citations=(Citation(1, "Tea", "https://example.com/tea"),),
            state="stopped",
        ),
        Chat("a3", "robot", "Plain."),
    ]
    async with _Pane().run_test(size=(60, 40)) as pilot:
        question, answer = pilot.app.query_one(Question), pilot.app.query_one(Reply)
        for chat in chats:
            widget = question if chat.role == "user" else answer
            width = widget.content_size.width
            ahead = widget.lines_of(widget.renderable_for(chat), width)
            widget.show(chat)
            await pilot.pause()
            shown = widget.lines_of(widget.render(), width)
            assert _cells(ahead) == _cells(shown)
            assert chat.text.split()[0].strip("*") in "".join(s.text for s in shown)


async def test_paging_shows_older_messages_with_their_lines_rendered_ahead(
    server: ServerThread, account: Account, tmp_path: Path
) -> None:
    seed(server, account, [("Long", long_history())])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        _, chat = await open_long(pilot)
        start = chat.window[0]
        while chat.window[0] > start - 4 * WINDOW:
            await pilot.press("pageup")
            await pilot.pause()
        await pilot.pause()
        # Of the 160 older messages shown (in new widgets until the window
        # has grown to its most, in old ones after that), at least half came
        # with lines rendered ahead (all of them, as a rule) ...
        assert chat._ahead.taken >= 2 * WINDOW, chat._ahead.taken
        # ... and each message shows what it renders itself.
        for widget in chat.children:
            if not isinstance(widget, Question | Reply):
                continue
            width = widget.content_size.width
            assert _cells(widget._lines(width)) == _cells(widget.lines_of(widget.render(), width))
