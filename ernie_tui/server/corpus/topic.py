"""One answer of the demo bot's corpus and the words that call it up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["QUESTION_MARK", "Topic"]

QUESTION_MARK = "«Q»"
"""Where an answer repeats the question (shortened) in its text."""

_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff]")


def _pattern(keyword: str) -> re.Pattern[str]:
    """Chinese keywords match anywhere; English ones as whole words, with an
    ending (``list`` matches ``lists``, ``borrow`` matches ``borrowing``)."""
    if _CJK.search(keyword):
        return re.compile(re.escape(keyword))
    return re.compile(rf"(?<![a-z0-9]){re.escape(keyword)}(?:s|es|ing|ed)?(?![a-z0-9])")


@dataclass(frozen=True)
class Topic:
    """An answer (markdown) and the lower-case keywords that select it."""

    name: str
    keywords: tuple[str, ...]
    text: str
    _patterns: tuple[re.Pattern[str], ...] = field(
        init=False, repr=False, compare=False, default=()
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_patterns", tuple(_pattern(k) for k in self.keywords))

    def score(self, lowered: str) -> int:
        """How many of the keywords ``lowered`` (the question) holds."""
        return sum(1 for pattern in self._patterns if pattern.search(lowered))

    def answer(self, topic: str) -> str:
        return self.text.replace(QUESTION_MARK, topic)
