"""The demo bot's answers, chosen by the question's words.

Each :class:`Topic` lists keywords; the topic whose keywords the question holds
most answers it (the first of equals, in the order of :data:`TOPICS`). A
question with none of them gets one of the :data:`GENERAL` answers, picked by
a stable hash of the question, so the same question always gets the same
answer. Greetings and questions about the demo get the bot's introduction
(:func:`pick` returns ``None`` for them) unless they name another topic too.
"""

from __future__ import annotations

import hashlib

from .code import CODE
from .general import GENERAL, LONG
from .life import LIFE
from .prose import PROSE
from .topic import QUESTION_MARK, Topic

__all__ = ["GENERAL", "INTRO", "TOPICS", "Topic", "pick"]

INTRO = Topic(
    "intro",
    (
        "你好",
        "您好",
        "hello",
        "hi",
        "hey",
        "演示",
        "demo",
        "想一想",
        "think",
        "你是谁",
        "介绍一下你",
        "who are you",
        "help",
        "帮助",
        "测试",
        "test",
    ),
    "",
)
"""Answered by the bot's introduction (how the demo streams and renders)."""

TOPICS: tuple[Topic, ...] = (*CODE, *PROSE, *LIFE, LONG, INTRO)
"""In order of precedence: the introduction answers only when no other topic does."""


def pick(question: str, topic: str) -> str | None:
    """The answer to ``question`` (``topic`` is the question as the answer may
    repeat it); ``None`` when the introduction answers it."""
    lowered = question.lower()
    best: Topic | None = None
    best_score = 0
    for candidate in TOPICS:
        score = candidate.score(lowered)
        if score > best_score:
            best, best_score = candidate, score
    if best is INTRO:
        return None
    if best is not None:
        return best.answer(topic)
    digest = hashlib.sha1(question.strip().encode()).digest()
    chosen = GENERAL[int.from_bytes(digest[:4], "big") % len(GENERAL)]
    return chosen.replace(QUESTION_MARK, topic)
