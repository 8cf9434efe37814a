"""The demo bot feels like a chat: its answers vary with the question's words
(and are the same for the same question), in Chinese and English, and show
every shape the client renders: prose, nested lists, a table with Chinese
cells, code in several languages, a long answer, a short one, a drawing. The
web ``/eb`` stream and the Qianfan ``/v2`` stream deliver them over real HTTP.
"""

from __future__ import annotations

import os
import re

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from ernie_tui.api import ErnieClient
from ernie_tui.qianfan import ChatMessage, QianfanClient
from ernie_tui.server import ServerThread
from ernie_tui.server.bot import answer_for, split_increments
from ernie_tui.server.corpus import GENERAL, TOPICS
from ernie_tui.tui.widgets.messages import markdown

CJK = re.compile(r"[\u4e00-\u9fff]")
PARSER = MarkdownIt().enable("table")
SEEDS = [
    "帮我规划一个杭州三日游",
    "第二天想去西湖，有什么建议？",
    "推荐几家本地餐馆",
    "What is ownership in Rust?",
    "And borrowing?",
    "帮我写一份周报的提纲",
    "你好",
    "为什么天空是蓝色的？",
]
"""Questions of the demo account's conversations."""


def rendered_lines(text: str, width: int = 100) -> list[str]:
    console = Console(width=width, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(markdown(text))
    return captured.get().splitlines()


def fences(text: str) -> set[str]:
    return {t.info.strip() for t in PARSER.parse(text) if t.type == "fence"}


def table_cells(text: str) -> list[str]:
    tokens = PARSER.parse(text)
    cells = []
    for i, token in enumerate(tokens):
        if token.type in ("td_open", "th_open"):
            cells.append(tokens[i + 1].content)
    return cells


def nested_list(text: str) -> bool:
    depth = deepest = 0
    for token in PARSER.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
    return deepest >= 2


def test_the_corpus_holds_at_least_30_different_answers_in_chinese_and_english() -> None:
    answers = {t.answer("Q") for t in TOPICS if t.text} | {g for g in GENERAL}
    assert len(answers) >= 30
    assert sum(1 for a in answers if CJK.search(a)) >= 20
    assert sum(1 for a in answers if re.search(r"\b(the|is|and)\b", a)) >= 20


def test_the_same_question_gets_the_same_answer_and_the_seeds_all_differ() -> None:
    answers = [answer_for(q) for q in SEEDS]
    assert answers == [answer_for(q) for q in SEEDS]
    assert len(set(answers)) == len(SEEDS)
    # Not the one greeting code block for every question any more.
    assert sum("def greet" in a for a in answers) == 1


def test_the_question_words_choose_the_answer() -> None:
    assert "```rust" in answer_for("What is ownership in Rust?")
    assert "&mut T" in answer_for("And borrowing?")
    assert "瑞利散射" in answer_for("为什么天空是蓝色的？")
    assert "def greet" in answer_for("你好")
    assert "```sql" in answer_for("How do I write a SQL query with a join?")
    assert "```javascript" in answer_for("debounce in JavaScript")


def test_every_shape_the_client_renders_is_there() -> None:
    table = answer_for("帮我规划一个杭州三日游")
    assert any(CJK.search(cell) for cell in table_cells(table))
    assert nested_list(answer_for("第二天想去西湖，有什么建议？"))
    languages: set[str] = set()
    for question in ("Rust", "javascript", "sql", "bash", "python list", "golang", "docker"):
        languages |= fences(answer_for(question))
    assert {"python", "rust", "javascript", "sql", "bash", "go", "dockerfile"} <= languages
    long = answer_for("请给我一份详细的指南")
    assert len(rendered_lines(long)) > 3 * 30  # several screens at 100x30
    short = answer_for("谢谢")
    assert "\n" not in short and len(short) < 80
    drawn = answer_for("画一只猫", image_base="http://h")
    assert '<img src="http://h/demo/image/' in drawn


def test_a_question_no_topic_knows_gets_a_general_answer_that_names_it() -> None:
    question = "How should I arrange my furniture?"
    answer = answer_for(question)
    assert question in answer and answer in {g.replace("«Q»", question) for g in GENERAL}
    questions = [f"Unrelated question number {i}" for i in range(40)]
    shapes = {g for q in questions for g in GENERAL if answer_for(q) == g.replace("«Q»", q)}
    assert len(shapes) == len(GENERAL)  # the hash spreads questions over all of them


@pytest.mark.parametrize("question", ["谢谢", "What is Python?", "详细的指南", "anything at all"])
def test_a_follow_up_names_the_turn_and_the_previous_question(question: str) -> None:
    answer = answer_for(question, turn=2, previous="How do rivers form?")
    assert answer.startswith("> 第 2 轮 · 上一个问题 (previous question): How do rivers form?")
    assert "上一个问题" not in answer_for(question)


def test_every_answer_streams_whole() -> None:
    for topic in TOPICS:
        text = topic.answer("问题 question")
        assert "".join(split_increments(text)) == text
        assert "«Q»" not in text


async def test_the_web_stream_delivers_the_corpus_answer(client: ErnieClient) -> None:
    answer = await client.ask("帮我规划一个杭州三日游")
    assert answer.text == answer_for("帮我规划一个杭州三日游")
    assert "| 第一天 |" in answer.text


async def test_the_qianfan_stream_delivers_the_corpus_answer(server: ServerThread) -> None:
    key = f"bce-v3/ALTAK-bot{os.getpid()}/{os.urandom(12).hex()}"
    async with QianfanClient(key, base_url=server.base_url + "/v2") as client:
        messages = [ChatMessage("user", "What is ownership in Rust?")]
        async with client.chat_stream("ernie-lite-8k", messages) as stream:
            async for _ in stream:
                pass
    assert stream.text == answer_for("What is ownership in Rust?")
    assert "```rust" in stream.text
