"""Snapshots of what an answer carries, at 100x30 and 80x24: the reasoning of
a thinking model while it streams and once folded, and an answer with web
search citations (numbered in the text, listed under it) with its tokens and
the withheld warning.

The history pane runs on its own in a small app (no server, no clock, no
cursor). Accept new ones with
``pytest tests/test_snapshots_answers.py --snapshot-update`` and look at the
SVGs before committing them.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import until
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from ernie_tui.api import Chat, Citation
from ernie_tui.tui.widgets.answer import StreamingAnswer
from ernie_tui.tui.widgets.history import ChatView

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
QUESTION = "Which city is the capital of France, and how long has it been?"
REASONING = (
    "The user asks which city is the capital of France and since when.\n\n"
    "Paris became the seat of the Capetian kings late in the tenth century; "
    "it has been the capital for most of the time since.\n\n"
    "I should answer briefly and cite "
)
ANSWER = (
    "**Paris** is the capital of France ^[1]^. It has been the seat of the kings "
    "since the late tenth century ^[2]^, and it is the country's largest city ^[1][3]^.\n\n"
    "The marker in `code ^[1]^` stays as written."
)
CITATIONS = (
    Citation(1, "Paris — Wikipedia", "https://en.wikipedia.org/wiki/Paris"),
    Citation(2, "History of Paris", "https://example.org/history/paris"),
    Citation(3, "Largest cities of the European Union", "https://example.net/eu/cities"),
)


class AnswersApp(App[None]):
    """The history pane alone, with one question asked."""

    def compose(self) -> ComposeResult:
        yield ChatView()

    async def on_mount(self) -> None:
        await self.query_one(ChatView).show_chats([Chat("u1", "user", QUESTION)])


async def asked(pilot: Pilot[Any]) -> tuple[ChatView, StreamingAnswer]:
    chat = pilot.app.query_one(ChatView)
    await until(pilot, lambda: bool(chat.children))
    answer = await chat.add_answer(StreamingAnswer())
    return chat, answer


async def ended(pilot: Pilot[Any], answer: StreamingAnswer) -> None:
    """Wait until the answer shows its ending (the line of tokens)."""
    usage = answer.query_one(".answer--usage")
    await until(pilot, lambda: not usage.has_class("-empty"))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_thinking_while_it_streams(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        _chat, answer = await asked(pilot)
        answer.append_thinking(REASONING)
        await until(pilot, lambda: answer.thinking is not None and answer.thinking.body.lines)
        await pilot.pause()

    assert snap_compare(AnswersApp(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_thinking_folded_once_the_answer_came(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        _chat, answer = await asked(pilot)
        answer.append_thinking(REASONING + "the sources.")
        answer.append("**Paris** is the capital of France.")
        answer.set_usage(18, 42, "ernie-x1-turbo-32k")
        answer.finish("**Paris** is the capital of France.")
        await ended(pilot, answer)

    assert snap_compare(AnswersApp(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_answer_with_citations(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        _chat, answer = await asked(pilot)
        answer.append(ANSWER)
        answer.set_citations(CITATIONS)
        answer.set_usage(1204, 96, "ernie-4.5-turbo-128k")
        answer.set_withheld()
        answer.finish(ANSWER)
        await ended(pilot, answer)

    assert snap_compare(AnswersApp(), terminal_size=size, run_before=run_before)
