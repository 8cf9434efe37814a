"""The demo bot: markdown answers chosen by the question's words from a corpus
(:mod:`.corpus`), in small increments, the way the service streams them."""

from __future__ import annotations

import hashlib
import re

from .corpus import pick

__all__ = ["DRAW_WORDS", "answer_for", "long_answer", "split_increments", "thinking_for"]

DRAW_WORDS = ("画", "draw")

# An <img …> or <br> tag is one token: the service sends each whole, inside
# one increment.
_TOKEN = re.compile(
    r"<(?:img|br)\b[^<>]*>|\s*[A-Za-z0-9_]{1,6}|\s*[^\sA-Za-z0-9_]|\s+",
    re.DOTALL | re.IGNORECASE,
)


def split_increments(text: str, size: int = 4) -> list[str]:
    """Cut ``text`` into increments of about ``size`` characters, the way the
    service streams (whole words and single CJK characters stay together)."""
    pieces: list[str] = []
    current = ""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if current and len(current) + len(token) > size:
            pieces.append(current)
            current = ""
        current += token
    if current:
        pieces.append(current)
    return pieces


def _short(question: str, limit: int = 40) -> str:
    flat = " ".join(question.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _draw(question: str, image_base: str) -> str:
    digest = hashlib.sha1(question.encode()).hexdigest()[:16].upper()
    url = (
        f"{image_base.rstrip('/')}/demo/image/{digest}.svg"
        if image_base
        else (f"http://eb118-file.cdn.bcebos.com/upload/{digest}?x-bce-process=style/wm_ai")
    )
    return (
        f'我画好了，欢迎对我提出反馈和建议，帮助我快速进步。<img src="{url}" />'
        "<br>你可以完整描述你的需求来继续作画，如：“帮我画一枝晶莹剔透的牡丹花”。"
    )


def _introduction(topic: str, turn: int, previous: str) -> str:
    """The bot introducing the demo (to a greeting, or a question about it)."""
    lines = [
        f"## {topic}",
        "",
        f"你好！这是演示模式的回答（第 {turn} 轮）。This is the offline demo bot "
        "answering your question.",
    ]
    if previous:
        lines += ["", f"> 上一个问题 (previous question): {_short(previous, 60)}"]
    lines += [
        "",
        "### 要点 Key points",
        "",
        f"1. **理解问题**：你问的是“{topic}”。",
        "2. *Streaming*: this answer arrives in small increments, as ERNIE Bot sends them.",
        "3. Markdown works: `inline code`, **bold**, lists and code blocks.",
        "",
        "```python",
        "def greet(name: str) -> str:",
        '    """Say hello."""',
        '    return f"你好, {name}!"',
        "",
        f"print(greet({topic[:20]!r}))",
        "```",
        "",
        "- 更多问题请继续提问：试试“用 Rust 写一个斐波那契函数”、“帮我规划杭州三日游”"
        "或“画一只猫”。",
        "- Ask a follow-up: the thread continues from this answer.",
    ]
    return "\n".join(lines)


def answer_for(question: str, *, turn: int = 1, previous: str = "", image_base: str = "") -> str:
    """A demo answer for ``question`` (the same question always gets the same
    answer); all but a one-line answer name the question, most as their
    title. ``turn`` counts the questions in the conversation so far;
    ``previous`` is the question before this one: a follow-up answer names it,
    so the thread is seen to continue."""
    lowered = question.lower()
    if any(word in lowered for word in DRAW_WORDS):
        return _draw(question, image_base)
    topic = _short(question)
    answer = pick(question, topic)
    if answer is None:
        return _introduction(topic, turn, previous)
    if topic not in answer and "\n" in answer:  # the question as its title
        answer = f"## {topic}\n\n{answer}"
    if previous:
        context = f"> 第 {turn} 轮 · 上一个问题 (previous question): {_short(previous, 60)}"
        answer = f"{context}\n\n{answer}"
    return answer


def thinking_for(question: str) -> str:
    """The reasoning a thinking model of the demo shows before its answer."""
    topic = _short(question)
    return (
        f"用户问的是“{topic}”。先想一想该怎么回答。\n"
        "This is the offline demo, so the answer comes from the demo bot: it should show "
        "a heading, a list and a code block, so the client's rendering can be checked.\n"
        "好的，思考完毕，开始回答。"
    )


_SECTION = """## Section {n}: 流式输出 streaming

Paragraph {n} explains how a terminal client renders a long answer while it is
still arriving. 终端客户端需要在回答到达时高效地渲染长文本，而不是每次都重新渲染全部内容。

- item one of section {n}, with `inline code` and **bold text**
- item two: 中文列表项，包含一些说明文字
- item three: a longer line that wraps in a narrow terminal window to test the layout

```python
def section_{n}(values: list[int]) -> int:
    total = 0
    for value in values:
        total += value * {n}
    return total
```

"""


def long_answer(increments: int) -> list[str]:
    """A markdown answer of exactly ``increments`` increments (for benchmarks)."""
    pieces: list[str] = []
    n = 1
    while len(pieces) < increments:
        pieces.extend(split_increments(_SECTION.format(n=n)))
        n += 1
    return pieces[:increments]
