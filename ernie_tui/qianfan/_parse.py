"""From the service's JSON to the client's values. Each parser takes any JSON
value: unknown fields are ignored, missing or mistyped ones get defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..api import ProtocolError
from ._models import ChatReply, Citation, ModelInfo, Usage, model_info

__all__ = [
    "citations_of",
    "loads",
    "parse_citations",
    "parse_models",
    "parse_reply",
    "parse_usage",
    "to_int",
    "to_str",
]

_decode = json.JSONDecoder().raw_decode


def loads(data: str | bytes | bytearray) -> Any:
    """One JSON value, or :class:`ValueError` (trailing data included)."""
    if isinstance(data, bytes | bytearray):
        data = data.decode("utf-8", "replace")
    try:
        obj, end = _decode(data)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if end != len(data) and data[end:].strip():
        raise ValueError("extra data after the JSON value")
    return obj


def to_int(value: object) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None


def to_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_usage(obj: object) -> Usage | None:
    """``usage``: the three token counts (missing ones 0), or ``None``."""
    if not isinstance(obj, Mapping):
        return None
    prompt = to_int(obj.get("prompt_tokens")) or 0
    completion = to_int(obj.get("completion_tokens")) or 0
    total = to_int(obj.get("total_tokens"))
    return Usage(prompt, completion, total if total is not None else prompt + completion)


def parse_citations(obj: object, into: dict[int, Citation]) -> None:
    """``search_results`` (a list of ``{index, title, url}``) added to ``into``
    by index; entries without a usable index or address are skipped."""
    if not isinstance(obj, list):
        return
    for item in obj:
        if not isinstance(item, Mapping):
            continue
        index = to_int(item.get("index"))
        url = to_str(item.get("url"))
        if index is None or not url:
            continue
        into[index] = Citation(index, to_str(item.get("title")), url)


def citations_of(found: dict[int, Citation]) -> tuple[Citation, ...]:
    return tuple(found[i] for i in sorted(found))


def parse_reply(obj: Any) -> ChatReply:
    """A non-streamed ``chat.completion``; :class:`ProtocolError` when it holds
    no answer."""
    if not isinstance(obj, Mapping):
        raise ProtocolError("The service's reply was not understood (not a chat reply).")
    choices = obj.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    if not isinstance(choice, Mapping) or not isinstance(choice.get("message"), Mapping):
        raise ProtocolError("The service's reply held no answer; it may have changed.")
    message = choice["message"]
    found: dict[int, Citation] = {}
    parse_citations(obj.get("search_results"), found)
    parse_citations(choice.get("search_results"), found)
    flag = to_int(choice.get("flag")) or to_int(obj.get("flag")) or 0
    return ChatReply(
        text=to_str(message.get("content")),
        reasoning=to_str(message.get("reasoning_content")),
        usage=parse_usage(obj.get("usage")),
        finish_reason=to_str(choice.get("finish_reason")),
        flag=flag,
        citations=citations_of(found),
        model=to_str(obj.get("model")),
        id=to_str(obj.get("id")),
    )


_CONTEXT_FIELDS = ("context_tokens", "context_length", "context_window", "max_input_tokens")


def parse_models(obj: Any) -> tuple[ModelInfo, ...] | None:
    """A model list (``{"data": [{"id": …}, …]}``), or ``None`` when ``obj`` is
    not one. What a server says of a model's context is used; the rest comes
    from the built-in table or the model's name."""
    if not isinstance(obj, Mapping) or not isinstance(obj.get("data"), list):
        return None
    out: list[ModelInfo] = []
    seen: set[str] = set()
    for item in obj["data"]:
        if not isinstance(item, Mapping):
            continue
        model_id = to_str(item.get("id")).strip()
        if not model_id or model_id in seen or len(model_id) > 200:
            continue
        seen.add(model_id)
        context = None
        for name in _CONTEXT_FIELDS:
            context = to_int(item.get(name))
            if context is not None:
                break
        out.append(model_info(model_id, context))
    return tuple(out)
