"""What an answer carries besides its text, as the user sees it: the reasoning
of a thinking model (streamed, folded when the answer begins, unfolded by a
click or a key), web search citations (numbered in the text, listed under
it), the tokens it took, the service's withheld warning, and how it ended;
streamed, and from the history.

The widgets run on their own in a small app (no server): what is asserted is
the text the compositor puts on the screen.
"""

from __future__ import annotations

from typing import Any

from support import until
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget

from ernie_tui.api import Chat, Citation
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.answer_text import AnswerText
from ernie_tui.tui.widgets.history import ChatView
from ernie_tui.tui.widgets.messages import Reply

SIZE = (100, 60)
REASONING = (
    "The user asks for the capital of France.\n\n"
    "Paris has been the capital since the tenth century.\n\n"
    "I will answer briefly and cite the sources."
)
ANSWER = "Paris is the capital ^[1]^ and the largest city ^[2][3]^ of France."
CITATIONS = (
    Citation(2, "Largest cities of Europe", "https://example.org/cities"),
    Citation(1, "Paris — Wikipedia", "https://en.wikipedia.org/wiki/Paris"),
    Citation(3, "", "https://example.net/no-title"),
)
FOLDED = f"▸ Thought for {len(REASONING):,} characters (click or press t to expand)"
UNFOLDED = f"▾ Thought for {len(REASONING):,} characters (click or press t to collapse)"


class AnswerApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ChatView()


def rows(pilot: Pilot[Any], widget: Widget) -> list[str]:
    """The screen rows ``widget`` covers, as the compositor draws them now,
    cropped to the widget (trailing spaces dropped)."""
    region = widget.region
    strips = pilot.app.screen._compositor.render_strips()
    return [
        strips[y].crop(region.x, region.right).text.rstrip()
        for y in range(region.y, min(region.bottom, len(strips)))
    ]


def seen(pilot: Pilot[Any], widget: Widget) -> str:
    return "\n".join(rows(pilot, widget))


def screen_styles(pilot: Pilot[Any]) -> list[str]:
    """Hyperlinks and click actions anywhere on the screen."""
    found = []
    for strip in pilot.app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is not None and style.link:
                found.append(f"link {style.link!r} on {segment.text!r}")
            if style is not None and any("@click" in str(k) for k in style.meta):
                found.append(f"action on {segment.text!r}")
    return found


async def streaming(pilot: Pilot[Any]) -> tuple[ChatView, StreamingAnswer]:
    chat = pilot.app.query_one(ChatView)
    answer = await chat.add_answer(StreamingAnswer(retry_hint="ctrl+r"))
    return chat, answer


async def click_on(pilot: Pilot[Any], widget: Widget, literal: str) -> None:
    for y, row in enumerate(rows(pilot, widget)):
        x = row.find(literal)
        if x >= 0:
            await pilot.click(widget, offset=(x + 2, y))
            await pilot.pause()
            return
    raise AssertionError(f"{literal!r} is not on the screen")


# -- thinking ------------------------------------------------------------------------


async def test_thinking_streams_then_folds_when_the_answer_begins() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat, answer = await streaming(pilot)
        first, second, third = REASONING.split("\n\n")
        answer.append_thinking(first + "\n\n" + second[:20])
        await until(pilot, lambda: "Paris has been the" in seen(pilot, answer))
        shown = seen(pilot, answer)
        assert "▾ Thinking…" in shown
        assert first in shown
        answer.append_thinking(second[20:] + "\n\n" + third)
        await until(pilot, lambda: third in seen(pilot, answer))
        assert answer.text == ""

        answer.append("Paris is the capital.")
        await until(pilot, lambda: "Paris is the capital." in seen(pilot, answer))
        shown = seen(pilot, answer)
        assert FOLDED in shown
        assert first not in shown and third not in shown
        assert answer.reasoning == REASONING

        await click_on(pilot, answer, "Thought for")
        await until(pilot, lambda: third in seen(pilot, answer))
        assert UNFOLDED in seen(pilot, answer)

        chat.focus()
        await pilot.press("t")
        await until(pilot, lambda: FOLDED in seen(pilot, answer))
        assert first not in seen(pilot, answer)
        await pilot.press("enter")
        await until(pilot, lambda: first in seen(pilot, answer))
        answer.finish("Paris is the capital.")
        await until(pilot, lambda: answer.state == "done")
        await pilot.pause()
        assert UNFOLDED in seen(pilot, answer)  # the user's choice stays


async def test_thinking_is_dim_and_renders_only_its_tail_per_increment() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        _chat, answer = await streaming(pilot)
        for i in range(12):
            answer.append_thinking(f"Step {i} of the reasoning goes here.\n\n")
            if i == 5:
                await until(pilot, lambda: "Step 5" in seen(pilot, answer))
                assert answer.thinking is not None
                before = list(answer.thinking.body.lines)
        answer.append_thinking("and the last")
        await until(pilot, lambda: "and the last" in seen(pilot, answer))
        assert answer.thinking is not None
        after = answer.thinking.body.lines
        # Finished blocks were rendered once: their lines are the same objects.
        assert len(before) >= 10
        assert all(a is b for a, b in zip(before, after[: len(before) - 1], strict=False))

        answer.append("The answer.")
        await until(pilot, lambda: "The answer." in seen(pilot, answer))
        assert answer.thinking.body.line_count == 0  # folded: not rendered until unfolded
        text = answer.query_one(".answer--text", AnswerText)
        summary = answer.thinking.query_one(".thinking--summary")
        answer_colour = text.visual_style.foreground
        assert summary.visual_style.foreground != answer_colour
        assert answer.thinking.body.visual_style.foreground == summary.visual_style.foreground


async def test_a_fold_chosen_while_thinking_streams_stays() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat, answer = await streaming(pilot)
        answer.append_thinking("Considering the question.\n\n")
        await until(pilot, lambda: "Considering" in seen(pilot, answer))
        chat.toggle_thinking(answer)
        await until(pilot, lambda: "Considering" not in seen(pilot, answer))
        assert "▸ Thinking… (click or press t to expand)" in seen(pilot, answer)
        answer.append_thinking("More reasoning.")
        answer.append("An answer.")
        await until(pilot, lambda: "An answer." in seen(pilot, answer))
        answer.finish("An answer.")
        await until(pilot, lambda: answer.state == "done")
        await pilot.pause()
        shown = seen(pilot, answer)
        assert "▸ Thought for 42 characters (click or press t to expand)" in shown
        assert "More reasoning." not in shown


async def test_stopped_while_thinking_keeps_the_reasoning_shown() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        _chat, answer = await streaming(pilot)
        answer.append_thinking("Half a thought")
        answer.mark_stopped()
        await until(pilot, lambda: "■ stopped" in seen(pilot, answer))
        shown = seen(pilot, answer)
        assert "Half a thought" in shown
        assert "▾ Thought for 14 characters (click or press t to collapse)" in shown


# -- citations -----------------------------------------------------------------------


async def test_citations_are_numbered_in_the_text_and_listed_under_it() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        _chat, answer = await streaming(pilot)
        answer.set_citations(CITATIONS)
        # A marker split across increments: the half that arrived waits.
        answer.append("Paris is the capital ^[")
        await until(pilot, lambda: "Paris is the capital" in seen(pilot, answer))
        assert "^" not in seen(pilot, answer) and "[" not in seen(pilot, answer)
        answer.append("1")
        await pilot.pause(0.3)
        assert "^" not in seen(pilot, answer) and "[" not in seen(pilot, answer)
        answer.append("]^ and the largest city ^[2][3]^ of France.")
        await until(pilot, lambda: "France." in seen(pilot, answer))
        assert "Paris is the capital [1] and the largest city [2][3] of France." in seen(
            pilot, answer
        )
        assert "Wikipedia" not in seen(pilot, answer)  # listed with the ending
        answer.finish(ANSWER)
        await until(pilot, lambda: "Wikipedia" in seen(pilot, answer))
        shown = rows(pilot, answer)
        start = shown.index("▎ [1] Paris — Wikipedia — https://en.wikipedia.org/wiki/Paris")
        assert shown[start - 1] == "▎"  # a blank line above the list
        assert shown[start + 1] == "▎ [2] Largest cities of Europe — https://example.org/cities"
        assert shown[start + 2] == "▎ [3] https://example.net/no-title"
        assert screen_styles(pilot) == []


async def test_markers_in_code_stay_as_written() -> None:
    text = "Use `x^[1]^y` here ^[1]^.\n\n```\nprint('^[2]^')\n```\n\n    indented ^[3]^\n"
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat, answer = await streaming(pilot)
        for start in range(0, len(text), 5):
            answer.append(text[start : start + 5])
        await until(pilot, lambda: "indented" in seen(pilot, answer))
        streamed = seen(pilot, answer)
        await answer.remove()
        reply = Reply(text)
        await chat.mount(reply)
        await pilot.pause()
        for shown in (streamed, seen(pilot, reply)):
            assert "x^[1]^y" in shown
            assert "here [1]." in shown
            assert "print('^[2]^')" in shown
            assert "indented ^[3]^" in shown


async def test_hostile_titles_and_urls_are_shown_literally_without_links() -> None:
    title = "[@click=app.quit]Q[/] \x1b]8;;https://evil.example/\x07bank\x1b]8;;\x07 [/x]"
    url = "https://evil.example/\x1b[2J\x9b2Jpath\u202e"
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        _chat, answer = await streaming(pilot)
        answer.append("See ^[1]^.")
        answer.set_citations([Citation(1, title, url)])
        answer.finish("See ^[1]^.")
        await until(pilot, lambda: "bank" in seen(pilot, answer))
        shown = seen(pilot, answer)
        assert "[1] [@click=app.quit]Q[/] bank [/x] — https://evil.example/path" in shown
        assert screen_styles(pilot) == []
        await click_on(pilot, answer, "[@click")
        assert app.is_running and app.return_code is None


# -- usage, withheld, endings --------------------------------------------------------


async def test_usage_and_withheld_lines_after_the_answer() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat, answer = await streaming(pilot)
        answer.append("An answer.")
        answer.set_usage(1234, 30, "ernie-x1-turbo-32k")
        answer.set_withheld()
        await until(pilot, lambda: "An answer." in seen(pilot, answer))
        assert "tokens" not in seen(pilot, answer)  # shown with the ending
        answer.finish("An answer.")
        await until(pilot, lambda: "tokens" in seen(pilot, answer))
        assert rows(pilot, answer)[-2:] == [
            "▎ ⚠ The service withheld part of this answer.",
            "▎ 1,234 + 30 tokens · ernie-x1-turbo-32k",
        ]
        other = await chat.add_answer(StreamingAnswer())
        other.append("No tokens known.")
        other.set_usage(0, 0, "ernie-4.5")
        other.finish("No tokens known.")
        await until(pilot, lambda: other.state == "done")
        await pilot.pause()
        assert "tokens ·" not in seen(pilot, other) and "withheld" not in seen(pilot, other)
        hostile = await chat.add_answer(StreamingAnswer())
        hostile.set_usage(1, 2, "[@click=app.quit]m[/] \x1b]8;;https://evil.example/\x07[/x]")
        hostile.finish("A model with a strange name.")
        await until(pilot, lambda: "tokens" in seen(pilot, hostile))
        assert rows(pilot, hostile)[-1] == "▎ 1 + 2 tokens · [@click=app.quit]m[/] [/x]"
        assert screen_styles(pilot) == []


async def test_history_reply_endings_read_as_the_streamed_ones() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat, stopped = await streaming(pilot)
        stopped.append("Cut here")
        stopped.mark_stopped()
        cut = await chat.add_answer(StreamingAnswer(retry_hint="ctrl+r"))
        cut.append("Cut there")
        cut.mark_incomplete()
        await until(pilot, lambda: cut.state == "incomplete")
        await pilot.pause()
        replies = [
            Reply.from_chat(Chat("r1", "robot", "Cut here", state="stopped")),
            Reply.from_chat(Chat("r2", "robot", "Cut there", state="incomplete")),
        ]
        await chat.mount_all(replies)
        await pilot.pause()
        assert rows(pilot, replies[0])[:-1] == rows(pilot, stopped)[:-1]
        assert rows(pilot, replies[0])[-1] == "▎ ■ stopped — the answer was stopped here."
        # A stopped answer is retried as a cut one is (the streamed answer says so).
        assert rows(pilot, stopped)[-1] == (
            "▎ ■ stopped — the answer was stopped here. Press ctrl+r to retry."
        )
        # No retry for an old answer: the hint is the streamed answer's alone.
        assert rows(pilot, replies[1])[-1] == "▎ ⚠ incomplete — the answer did not finish."
        assert rows(pilot, cut)[-1] == (
            "▎ ⚠ incomplete — the answer did not finish. Press ctrl+r to retry."
        )


async def test_a_history_reply_with_all_of_it() -> None:
    chats = [
        Chat("u1", "user", "What is the capital of France?"),
        Chat(
            "r1",
            "robot",
            ANSWER,
            reasoning=REASONING,
            model="ernie-x1-turbo-32k",
            prompt_tokens=12,
            completion_tokens=30,
            flag=1,
            citations=CITATIONS,
            state="incomplete",
        ),
    ]
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_chats(chats)
        await pilot.pause()
        reply = chat.query_one(Reply)
        assert rows(pilot, reply) == [
            "▎ ERNIE",
            f"▎ {FOLDED}",
            "▎ Paris is the capital [1] and the largest city [2][3] of France.",
            "▎",
            "▎ [1] Paris — Wikipedia — https://en.wikipedia.org/wiki/Paris",
            "▎ [2] Largest cities of Europe — https://example.org/cities",
            "▎ [3] https://example.net/no-title",
            "▎ ⚠ The service withheld part of this answer.",
            "▎ 12 + 30 tokens · ernie-x1-turbo-32k",
            "▎ ⚠ incomplete — the answer did not finish.",
        ]
        await click_on(pilot, reply, "Thought for")
        await until(pilot, lambda: UNFOLDED in seen(pilot, reply))
        shown = rows(pilot, reply)
        assert shown[2:8] == [
            "▎ The user asks for the capital of France.",
            "▎",
            "▎ Paris has been the capital since the tenth century.",
            "▎",
            "▎ I will answer briefly and cite the sources.",
            "▎",
        ]
        assert reply.region.height == 16
        chat.focus()
        await pilot.press("t")
        await until(pilot, lambda: FOLDED in seen(pilot, reply))
        assert reply.region.height == 10
        # A click on the answer (not its summary line) selects it.
        await click_on(pilot, reply, "Paris is")
        assert chat.selected is reply


async def test_unfolding_keeps_the_summary_line_in_view() -> None:
    long = "\n\n".join(f"Reasoning paragraph {i}." for i in range(80))
    chats = [Chat("u1", "user", "A question?"), Chat("r1", "robot", "Answer.", reasoning=long)]
    app = AnswerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_chats(chats)
        await pilot.pause()
        chat.focus()
        await pilot.press("t")
        reply = chat.query_one(Reply)
        await until(pilot, lambda: reply.region.height > 80)
        await pilot.pause()
        screen = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any("▾ Thought for" in row for row in screen)
        assert any("Reasoning paragraph 0." in row for row in screen)


async def test_a_streamed_answer_ends_looking_like_its_history_reply() -> None:
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        chat, answer = await streaming(pilot)
        answer.chat_id = "r1"
        for piece in REASONING.split(" "):
            answer.append_thinking(piece + " ")
        for piece in ANSWER.split(" "):
            answer.append(piece + " ")
        answer.set_citations(CITATIONS)
        answer.set_usage(12, 30, "ernie-x1-turbo-32k")
        answer.set_withheld()
        answer.finish(ANSWER)
        await until(pilot, lambda: "tokens" in seen(pilot, answer))
        chat_message = answer.to_chat()
        assert chat_message.reasoning == REASONING + " "
        assert (chat_message.flag, chat_message.state) == (1, "complete")
        assert chat_message.citations == CITATIONS
        reply = Reply.from_chat(chat_message)
        await chat.mount(reply)
        await pilot.pause()
        assert rows(pilot, reply) == rows(pilot, answer)
        chat.toggle_thinking(answer)
        chat.toggle_thinking(reply)
        await until(pilot, lambda: "tenth century" in seen(pilot, reply))
        await until(pilot, lambda: "tenth century" in seen(pilot, answer))
        assert rows(pilot, reply) == rows(pilot, answer)


async def test_an_answer_that_ends_while_it_is_being_removed_raises_nothing() -> None:
    # Its screen closing (the sign-in screen replacing the main one, as when
    # the service says the user is not signed in) removes its parts first.
    app = AnswerApp()
    async with app.run_test(size=SIZE) as pilot:
        _, answer = await streaming(pilot)
        answer.append("Half an answer")
        answer.set_usage(1, 2, "ernie-4.5")
        await pilot.pause()
        await answer.remove_children()
        answer.mark_incomplete("Not signed in.")
        await pilot.pause()
        assert answer.state == "incomplete"
