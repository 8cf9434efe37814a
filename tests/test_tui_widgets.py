"""The main screen's widgets on their own: the virtual conversation list, the
streaming answer's block splitting, the windowed history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from support import until
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input

from ernie_tui.api import Chat, Conversations, Session
from ernie_tui.tui.widgets.answer import StreamingAnswer, split_finished_blocks
from ernie_tui.tui.widgets.answer_text import AnswerText
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.messages import Question, Reply
from ernie_tui.tui.widgets.sidebar import ConversationList, Sidebar, short_date

NOW = datetime(2026, 11, 20, 10, 0, 0)


def shown(widget: Widget) -> str:
    """The text a widget puts on the screen."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


# -- dates ---------------------------------------------------------------------------


def test_short_date_today_this_year_and_older() -> None:
    assert short_date("2026-11-20 09:05:33", NOW) == "09:05"
    assert short_date("2026-03-02 23:59:59", NOW) == "03-02"
    assert short_date("2025-12-31 08:00:00", NOW) == "2025-12-31"
    assert short_date("", NOW) == ""


# -- block splitting -----------------------------------------------------------------


def test_blocks_split_at_blank_lines_outside_fenced_code() -> None:
    text = "# Title\n\nPara one\nstill one\n\n```py\nx = 1\n\ny = 2\n```\n\nunfinished"
    blocks, rest = split_finished_blocks(text)
    assert blocks == ["# Title", "Para one\nstill one", "```py\nx = 1\n\ny = 2\n```"]
    assert rest == "unfinished"


def test_open_fence_keeps_everything_in_the_tail() -> None:
    text = "intro\n\n~~~\ncode\n\nmore code\n"
    blocks, rest = split_finished_blocks(text)
    assert blocks == ["intro"]
    assert rest == "~~~\ncode\n\nmore code\n"


def test_a_line_not_yet_ended_is_not_a_boundary() -> None:
    blocks, rest = split_finished_blocks("para\n   ")
    assert blocks == []
    assert rest == "para\n   "


# -- the streaming answer ------------------------------------------------------------


class AnswerApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ChatView()


async def test_streaming_answer_keeps_finished_lines_and_ends_like_a_reply() -> None:
    app = AnswerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        answer = await chat.add_answer(StreamingAnswer())
        lines = answer.query_one(AnswerText)
        text = (
            "".join(f"Paragraph {i} has some words.\n\n" for i in range(30))
            + "- a list\n- of two\n\n```python\nx = 1\n```\n\ntail"
        )
        midway: list[Any] = []
        for start in range(0, len(text), 7):
            answer.append(text[start : start + 7])
            if start % 70 == 0:
                await pilot.pause(0.15)
                if start >= len(text) // 2 and not midway:
                    finished = len(split_finished_blocks(text[: start + 7])[0])
                    await until(pilot, lambda n=finished: answer.block_count == n, "a flush")
                    midway = lines.lines[:-3]
        # The answer is flushed on a timer (FLUSH_INTERVAL), not on each piece.
        await until(pilot, lambda: answer.block_count >= 32, "the last flush")
        await until(pilot, lambda: "tail" in lines.lines[-1].text, "the tail")
        assert answer.block_count == 32
        # Finished blocks were rendered once: their lines are the same objects.
        assert len(midway) > 20
        assert all(a is b for a, b in zip(midway, lines.lines, strict=False))
        assert "tail" in lines.lines[-1].text
        answer.finish(text)
        reply = Reply(text)
        await chat.mount(reply)
        await pilot.pause(0.1)
        assert answer.state == "done"
        assert answer.text == text
        # The finished answer looks exactly like the same answer from the history
        # (a Reply: label, border and padding around the same markdown lines).
        assert lines.size.height == lines.line_count  # the reserved lines are given back
        shown_reply = shown(reply).splitlines()
        assert [line[2:].rstrip() for line in shown_reply[1:]] == [
            strip.text.rstrip() for strip in lines.lines
        ]


async def test_final_text_that_differs_is_rendered_once_more() -> None:
    app = AnswerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        answer = await chat.add_answer(StreamingAnswer())
        answer.append("partial one\n\npartial two")
        await pilot.pause(0.1)
        answer.finish("the whole\n\nauthoritative\n\nanswer")
        await pilot.pause()
        assert answer.text == "the whole\n\nauthoritative\n\nanswer"
        assert answer.block_count == 3


async def test_streamed_control_sequences_are_removed() -> None:
    app = AnswerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        answer = await chat.add_answer(StreamingAnswer())
        answer.append("safe \x1b]52;c;ZXZpbA==\x07text \x9b2J")
        await pilot.pause(0.1)
        assert "\x1b" not in answer.text and "\x9b" not in answer.text
        assert answer.text.startswith("safe ")


async def test_history_window_and_control_characters() -> None:
    chats = []
    for i in range(100):
        chats.append(Chat(f"u{i}", "user", f"question {i}\x1b[2J"))
        chats.append(Chat(f"r{i}", "robot", f"answer {i}", urls=("https://img.example/x.png",)))
    app = AnswerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_chats(chats)
        await until(pilot, lambda: chat.mounted_messages >= 40, "the window")
        assert chat.mounted_messages == 40
        assert all("\x1b" not in q.text for q in chat.query(Question))
        reply = chat.query(Reply).last()
        assert reply.urls == ("https://img.example/x.png",)
        assert "https://img.example/x.png" in shown(reply)


async def test_a_scroll_before_the_window_is_filled_mounts_no_second_batch() -> None:
    # The pane scrolls (it follows the bottom) while the newest messages are
    # laid out, before the rest of the first window is mounted above them:
    # that fill is the window, not a prefetch on top of it.
    chats = [Chat(str(i), "user" if i % 2 else "robot", f"message {i}") for i in range(400)]
    app = AnswerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_chats(chats)
        chat.watch_scroll_y(0.0, 0.0)
        await until(pilot, lambda: chat.mounted_messages >= 40, "the window")
        await pilot.pause(0.1)
        assert chat.mounted_messages == 40
        assert chat.window == (360, 400)


# -- the conversation list -------------------------------------------------------------


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Sidebar()


def sessions(count: int, *, prefix: str = "Conversation") -> tuple[Session, ...]:
    return tuple(Session(str(i), f"{prefix} {i}", "2026-11-20 09:00:00") for i in range(count))


async def test_ten_thousand_conversations_fill_filter_and_scroll() -> None:
    app = ListApp()
    messages: list[Any] = []
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        listing = app.query_one(ConversationList)
        listing.set_conversations(Conversations(sessions(3), sessions(10_000)), NOW)
        await pilot.pause()
        assert listing.count == 10_003
        listing.focus()
        await pilot.press("end")
        assert listing.highlighted is not None
        assert listing.highlighted.name == "Conversation 9999"
        assert listing.scroll_y > 0  # the cursor was kept visible
        await pilot.press("enter")
        selected = [m for m in messages if isinstance(m, ConversationList.Selected)]
        assert selected and selected[-1].session.name == "Conversation 9999"
        app.query_one(Input).focus()
        await pilot.press(*"conversation 999")
        assert [s.name for s in listing.visible_sessions()] == [
            "Conversation 999",
            "Conversation 9990",
            "Conversation 9991",
            "Conversation 9992",
            "Conversation 9993",
            "Conversation 9994",
            "Conversation 9995",
            "Conversation 9996",
            "Conversation 9997",
            "Conversation 9998",
            "Conversation 9999",
        ]


async def test_marks_are_toggled_with_space_and_shown() -> None:
    app = ListApp()
    async with app.run_test(size=(100, 20)) as pilot:
        listing = app.query_one(ConversationList)
        listing.set_conversations(Conversations((), sessions(5)), NOW)
        listing.focus()
        await pilot.press("space", "down", "space")
        assert listing.marked == {"0", "2"}
        first_entry = listing.render_line(1).text
        assert first_entry.startswith("✓ Conversation 0")
        assert first_entry.rstrip().endswith("09:00")
        # Marking moves the cursor down, as in file managers.
        await pilot.press("up", "up", "up", "space")
        assert listing.marked == {"2"}


async def test_names_are_sanitised_in_the_list() -> None:
    app = ListApp()
    async with app.run_test(size=(100, 20)) as pilot:
        listing = app.query_one(ConversationList)
        hostile = Session("1", "evil\x1b]52;c;ZXZpbA==\x07name\nnext", "2026-11-20 09:00:00")
        listing.set_conversations(Conversations((), (hostile,)), NOW)
        await pilot.pause()
        line = listing.render_line(1).text
        assert "\x1b" not in line and "\x07" not in line
        assert "evilname next" in line
