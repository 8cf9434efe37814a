"""Typed values of the Qianfan client: what goes in (messages) and what comes
out (increments, usage, whole replies, models). Frozen, nothing more. A
citation (``^[n]^`` in an answer's text) is the web client's own
:class:`~ernie_tui.api.Citation`, so every backend cites alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..api import Citation

__all__ = [
    "BUILTIN_MODELS",
    "ChatMessage",
    "ChatReply",
    "Citation",
    "Delta",
    "ModelInfo",
    "Role",
    "Usage",
    "model_info",
]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of the thread sent with every question: the system prompt
    first, then the turns, the question last."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Delta:
    """One increment of a streamed answer: reasoning text (thinking models
    send it before the answer), answer text, or both. Never both empty."""

    reasoning: str
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    """What a request cost, in tokens, as the service counted it."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True, slots=True)
class ChatReply:
    """A whole answer: its text, the reasoning before it (thinking models),
    and what the service said about it. ``flag != 0`` marks a safety
    intervention; ``finish_reason`` is ``"stop"`` for a finished answer
    (``"length"`` when it hit ``max_tokens``)."""

    text: str
    reasoning: str = ""
    usage: Usage | None = None
    finish_reason: str = ""
    flag: int = 0
    citations: tuple[Citation, ...] = ()
    model: str = ""
    id: str = ""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model the service offers: its id, how many tokens its context holds
    (the thread sent with a question must fit) and whether it reasons before
    answering (its stream starts with reasoning text)."""

    id: str
    context_tokens: int
    reasoning: bool = False


K = 1024

BUILTIN_MODELS: tuple[ModelInfo, ...] = (
    ModelInfo("ernie-4.5-turbo-128k", 128 * K),
    ModelInfo("ernie-4.5-turbo-32k", 32 * K),
    ModelInfo("ernie-4.5-8k-preview", 8 * K),
    ModelInfo("ernie-4.0-turbo-8k", 8 * K),
    ModelInfo("ernie-3.5-8k", 8 * K),
    ModelInfo("ernie-speed-128k", 128 * K),
    ModelInfo("ernie-lite-8k", 8 * K),
    ModelInfo("ernie-tiny-8k", 8 * K),
    ModelInfo("ernie-4.5-turbo-vl-32k", 32 * K),
    ModelInfo("ernie-x1-turbo-32k", 32 * K, reasoning=True),
    ModelInfo("ernie-x1.1-preview", 64 * K, reasoning=True),
    ModelInfo("ernie-5.0-thinking-preview", 128 * K, reasoning=True),
)
"""The models Qianfan documents, for when the service lists none."""

_BUILTIN = {m.id: m for m in BUILTIN_MODELS}
_SIZE = re.compile(r"-(\d{1,4})k(?:-|$)")
_REASONING = re.compile(r"(?:^|[-.])(?:x1|r1|thinking|reasoner)(?:[-.]|$)")
DEFAULT_CONTEXT = 8 * K
"""The context assumed for a model nobody said anything about: the smallest
Qianfan offers, so a thread trimmed to it fits any model."""


def model_info(model_id: str, context_tokens: int | None = None) -> ModelInfo:
    """What is known of ``model_id``: the built-in entry, else a guess from its
    name (``-32k`` → 32K tokens; ``x1``, ``r1``, ``thinking`` → reasons);
    ``context_tokens`` from the server wins when given."""
    known = _BUILTIN.get(model_id)
    lowered = model_id.lower()
    if context_tokens is None or context_tokens <= 0:
        if known is not None:
            return known
        size = _SIZE.search(lowered)
        context_tokens = int(size.group(1)) * K if size else DEFAULT_CONTEXT
    reasoning = known.reasoning if known is not None else bool(_REASONING.search(lowered))
    return ModelInfo(model_id, context_tokens, reasoning)
