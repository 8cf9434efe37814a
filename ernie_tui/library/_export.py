"""A conversation written out: Markdown to read (terminal-safe text) and JSON
to keep (every field as stored). What the app's and the command line's
"Export conversation" write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from ..sanitize import clean, clean_line
from ._records import Conversation, Message, stamp

__all__ = ["FORMAT", "as_json", "as_markdown"]

FORMAT = "ernie-tui conversation"
"""The JSON export's ``format``; ``version`` is 1."""

_STATE_NOTES = {
    "stopped": "Stopped before the end.",
    "incomplete": "Incomplete: the answer was cut off.",
    "streaming": "Still being written when exported.",
}


def _when(moment: datetime, zone: tzinfo | None) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _zone_name(zone: tzinfo | None) -> str:
    """The zone the Markdown's times are in, as an offset from UTC (``UTC+08:00``)."""
    offset = datetime.now(zone).astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - astimezone always gives an aware time
        return "local time"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _quoted(text: str) -> list[str]:
    return [f"> {line}".rstrip() for line in clean(text).strip("\n").split("\n")]


def as_markdown(
    conversation: Conversation, messages: Sequence[Message], zone: tzinfo | None
) -> str:
    """The conversation's current branch as Markdown; every string from a
    user or a service is cleaned for the terminal (``sanitize``)."""
    lines = [f"# {clean_line(conversation.name).strip() or 'Untitled conversation'}", ""]
    meta = [f"Conversation {clean_line(conversation.id)}"]
    if conversation.model:
        meta.append(f"model {clean_line(conversation.model)}")
    meta.append(f"started {_when(conversation.created, zone)}")
    meta.append(f"last active {_when(conversation.activity, zone)}")
    meta.append(f"times in {_zone_name(zone)}")
    lines += ["_" + " · ".join(meta) + "_", ""]
    if conversation.system_prompt.strip():
        lines += ["**System prompt**", "", *_quoted(conversation.system_prompt), ""]
    for message in messages:
        heading = ["You" if message.role == "user" else "Assistant"]
        heading.append(_when(message.created, zone))
        if message.role == "assistant" and message.model:
            heading.append(clean_line(message.model))
        lines += ["## " + " · ".join(heading), ""]
        if message.reasoning.strip():
            lines += ["**Thinking**", "", *_quoted(message.reasoning), ""]
        if message.text.strip():
            lines += [clean(message.text).strip("\n"), ""]
        lines += _notes(message)
    return "\n".join(lines).rstrip() + "\n"


def _notes(message: Message) -> list[str]:
    notes = []
    if message.role == "assistant" and message.state in _STATE_NOTES:
        notes.append(_STATE_NOTES[message.state])
    if message.flag:
        notes.append(f"The service intervened for safety (flag {message.flag}).")
    if message.prompt_tokens is not None or message.completion_tokens is not None:
        notes.append(
            f"Tokens: {message.prompt_tokens or 0} in, {message.completion_tokens or 0} out."
        )
    lines = [f"_{note}_" for note in notes]
    if lines:
        lines.append("")
    if message.citations:
        lines += ["References:", ""]
        for ref in message.citations:
            title = clean_line(ref.title) or clean_line(ref.url)
            lines.append(f"{ref.index}. [{title}]({clean_line(ref.url)})")
        lines.append("")
    return lines


def as_json(conversation: Conversation, messages: Sequence[Message]) -> dict[str, Any]:
    """The conversation's current branch with every stored field (times in
    ISO 8601, UTC); text as stored, not cleaned."""
    return {
        "format": FORMAT,
        "version": 1,
        "id": conversation.id,
        "name": conversation.name,
        "backend": conversation.backend,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "pinned": conversation.pinned,
        "created": stamp(conversation.created),
        "last_activity": stamp(conversation.activity),
        "current": conversation.current,
        "messages": [
            {
                "id": m.id,
                "parent": m.parent,
                "role": m.role,
                "text": m.text,
                "reasoning": m.reasoning,
                "model": m.model,
                "state": m.state,
                "created": stamp(m.created),
                "usage": (
                    None
                    if m.prompt_tokens is None and m.completion_tokens is None
                    else {
                        "prompt_tokens": m.prompt_tokens or 0,
                        "completion_tokens": m.completion_tokens or 0,
                    }
                ),
                "flag": m.flag,
                "citations": [
                    {"index": c.index, "title": c.title, "url": c.url} for c in m.citations
                ],
            }
            for m in messages
        ],
    }
