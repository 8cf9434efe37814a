"""The ``/v2`` answer: the demo bot's reply to a thread (reasoning first on a
thinking model, ``^[n]^`` citations with web search), sent whole or as a
stream of ``chat.completion.chunk`` events with the faults queued for it."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..bot import answer_for, long_answer, split_increments, thinking_for
from ..faults import Fault
from ..state import ServerState
from .wire import ServedModel, error_body, fault_code, new_id, tokens_in

__all__ = ["Asked", "Outgoing", "compose", "reply_body", "stream"]

_IMG = re.compile(r'<img\s+src="([^"<>]*)"\s*/?>', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Asked:
    """A chat request, checked."""

    model: ServedModel
    messages: list[tuple[str, str]]  # (role, text)
    stream: bool = False
    include_usage: bool = False
    web_search: bool = False
    max_tokens: int | None = None


@dataclass
class Outgoing:
    """The answer about to be sent: its increments (``("r", text)`` reasoning,
    ``("c", text)`` content), how it ends and what it cost."""

    id: str
    model: str
    increments: list[tuple[str, str]]
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def usage(self) -> dict[str, int]:
        completion = len(self.increments)
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }


def _cited(text: str, question: str) -> tuple[str, list[dict[str, Any]]]:
    """``text`` with two ``^[n]^`` markers, and the search results they cite."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip() and not line.startswith(("#", "```", ">", "-", "!")):
            lines[i] = line + "^[1]^"
            break
    text = "\n".join(lines) + "\n\n以上内容参考了网络搜索结果。^[2]^"
    topic = " ".join(question.split())[:40]
    return text, [
        {
            "index": 1,
            "url": f"https://example.com/search?q={quote(topic)}",
            "title": f"搜索结果：{topic}",
        },
        {"index": 2, "url": "https://example.org/ernie-demo", "title": "ERNIE demo page"},
    ]


def compose(asked: Asked, faults: list[Fault], image_base: str) -> Outgoing:
    """The demo bot's answer to the thread (or the one a fault asks for)."""
    users = [text for role, text in asked.messages if role == "user"]
    question = users[-1]
    text: str | None = None
    pieces: list[str] | None = None
    for fault in faults:
        if fault.kind == "answer":
            text = fault.text
        elif fault.kind == "long":
            pieces = long_answer(fault.increments)
    results: list[dict[str, Any]] = []
    if pieces is None:
        if text is None:
            previous = users[-2] if len(users) > 1 else ""
            text = answer_for(question, turn=len(users), previous=previous, image_base=image_base)
            # The API has no <img> tags: a drawing is a markdown image.
            text = _IMG.sub(r"![image](\1)", text).replace("<br>", "\n")
        if asked.web_search:
            text, results = _cited(text, question)
        pieces = split_increments(text)
    increments = [("c", piece) for piece in pieces]
    if asked.model.reasoning:
        increments[:0] = [("r", piece) for piece in split_increments(thinking_for(question))]
    finish = "stop"
    if asked.max_tokens is not None and len(increments) > asked.max_tokens:
        increments, finish = increments[: asked.max_tokens], "length"
    return Outgoing(
        id=new_id(),
        model=asked.model.id,
        increments=increments,
        finish_reason=finish,
        prompt_tokens=sum(tokens_in(text) + 4 for _, text in asked.messages),
        results=results,
    )


def reply_body(out: Outgoing) -> dict[str, Any]:
    """The whole answer as one ``chat.completion``."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": "".join(t for kind, t in out.increments if kind == "c"),
    }
    reasoning = "".join(t for kind, t in out.increments if kind == "r")
    if reasoning:
        message["reasoning_content"] = reasoning
    body: dict[str, Any] = {
        "id": out.id,
        "object": "chat.completion",
        "created": out.created,
        "model": out.model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": out.finish_reason, "flag": 0}
        ],
        "usage": out.usage,
    }
    if out.results:
        body["search_results"] = out.results
    return body


def _data(obj: Any, variant: int = 0) -> bytes:
    """One event. ``variant`` 1 and 2 are the forms a lenient client must take
    too: a comment and ``event:``/``id:`` lines; ``data:`` without its space."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if variant == 1:
        return f": keep-alive\n\nevent: message\nid: {obj.get('id', '')}\ndata: {text}\n\n".encode()
    if variant == 2:
        return f"data:{text}\n\n".encode()
    return f"data: {text}\n\n".encode()


MALFORMED = b'data: {"id":"as-0","object":"chat.completion.chunk","choices":[{"delta":{"conte\n\n'


async def stream(
    state: ServerState, out: Outgoing, asked: Asked, faults: list[Fault], rate: float
) -> AsyncIterator[bytes]:
    """The answer's chunks, paced at ``rate`` increments a second, then the
    final chunk (``finish_reason``, usage when asked, search results) and
    ``[DONE]``; the faults cut, stall, break or end it with an error."""
    head = {"id": out.id, "object": "chat.completion.chunk", "created": out.created}
    head["model"] = out.model
    unknown = any(f.kind == "unknown" for f in faults)
    started = time.perf_counter()
    count = len(out.increments)
    try:
        for index in range(count + 1):
            for fault in faults:
                at = fault.after
                if at is None or not (at == index or (index == count and at > count)):
                    continue
                if fault.kind == "cut":
                    return
                if fault.kind == "error":
                    yield _data(error_body(fault_code(fault), fault.text, fault.status)[1])
                    return
                if fault.kind == "stall":
                    await asyncio.sleep(fault.seconds)
                if fault.kind == "gate":
                    await asyncio.to_thread(fault.gate.wait, fault.seconds or 10.0)
                if fault.kind == "malformed":
                    yield MALFORMED
            if index == count:
                break
            if rate > 0:
                delay = started + index / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            kind, piece = out.increments[index]
            delta: dict[str, str] = {"role": "assistant"} if index == 0 else {}
            delta["reasoning_content" if kind == "r" else "content"] = piece
            choice = {"index": 0, "delta": delta, "finish_reason": None, "flag": 0}
            yield _data({**head, "choices": [choice]}, index % 3 if unknown else 0)
        final: dict[str, Any] = {
            **head,
            "choices": [{"index": 0, "delta": {}, "finish_reason": out.finish_reason, "flag": 0}],
        }
        if out.results:
            final["search_results"] = out.results
        if asked.include_usage:
            final["usage"] = out.usage
        yield _data(final)
        yield b"data: [DONE]\n\n"
    finally:
        state.last_stream_end = time.perf_counter()
