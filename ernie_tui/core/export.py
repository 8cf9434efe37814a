"""A conversation as a document: Markdown to read, JSON to process. The app's
"Export conversation" and the command line's ``export`` write these.

The Markdown is cleaned of control characters (it is meant for a terminal or
an editor); an answer's own headings are moved two levels down so they sit
under the message's ``##`` heading (fenced code is left as it is). The JSON
keeps the text exactly as it came.
"""

from __future__ import annotations

import re
from typing import Any

from ..backends import ConversationDetail
from ..sanitize import clean, clean_line

__all__ = [
    "SEAM_TIMES",
    "SEAM_ZONE",
    "conversation_json",
    "conversation_markdown",
    "demote_headings",
]

SEAM_TIMES = "Beijing time"
"""The clock of the times the seam gives (the web service's; the Qianfan
backend's library is read in the same zone): exports name it."""
SEAM_ZONE = "UTC+08:00"
"""The same as an offset, for the JSON export's ``time_zone``."""

_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def demote_headings(text: str, levels: int = 2) -> str:
    """``text`` with its ATX headings ``levels`` deeper (at most ``######``),
    except inside fenced code."""
    out = []
    fence = ""
    for line in text.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
        elif opened:
            fence = opened.group(1)
        else:
            line = _HEADING.sub(lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + levels), line)
        out.append(line)
    return "\n".join(out)


def conversation_markdown(
    detail: ConversationDetail, *, system_prompt: str = "", time_label: str = SEAM_TIMES
) -> str:
    """The conversation as Markdown: its name, when it started, the system
    prompt, then each message under a ``##`` heading with its reasoning,
    images, sources and tokens. ``time_label`` names the clock of the times
    (the seam's: Beijing time; empty: not named)."""
    base = detail.base
    zone = f" ({time_label})" if time_label else ""
    lines = [f"# {clean_line(base.name) or 'Untitled conversation'}", ""]
    meta = f"Conversation {clean_line(base.session_id)}"
    if base.create_time:
        meta += f", started {clean_line(base.create_time)}{zone}"
    lines += [f"_{meta}_", ""]
    if system_prompt:
        lines += ["> **System prompt:** " + clean_line(system_prompt), ""]
    for chat in detail.messages:
        who = "You" if chat.role == "user" else "ERNIE Bot"
        when = f" · {clean_line(chat.create_time)}" if chat.create_time else ""
        lines += [f"## {who}{when}", ""]
        if chat.reasoning:
            thought = clean(chat.reasoning).strip().replace("\n", "\n> ")
            lines += ["> **Thinking**", ">", f"> {thought}", ""]
        text = clean(chat.text).rstrip()
        lines += [demote_headings(text) if chat.role == "robot" else text, ""]
        for url in chat.urls:
            lines += [f"![image]({clean_line(url)})", ""]
        for cited in chat.citations:
            lines.append(f"[{cited.index}] {clean_line(cited.title)} — {clean_line(cited.url)}")
        if chat.citations:
            lines.append("")
        notes = []
        if chat.state in ("incomplete", "stopped"):
            notes.append("the answer did not finish" if chat.state == "incomplete" else "stopped")
        if chat.flag:
            notes.append("the service withheld part of this answer")
        if chat.prompt_tokens or chat.completion_tokens:
            model = f" · {clean_line(chat.model)}" if chat.model else ""
            notes.append(f"{chat.prompt_tokens} + {chat.completion_tokens} tokens{model}")
        if notes:
            lines += [f"_{'; '.join(notes)}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def conversation_json(detail: ConversationDetail, *, system_prompt: str = "") -> dict[str, Any]:
    """The conversation as a JSON object (text as it came, nothing cleaned)."""
    base = detail.base
    out: dict[str, Any] = {
        "id": base.session_id,
        "name": base.name,
        "create_time": base.create_time,
        "time_zone": SEAM_ZONE,
        "pinned": base.pinned,
        "model": base.model,
        "current_chat_id": detail.current_chat_id,
    }
    if system_prompt:
        out["system_prompt"] = system_prompt
    messages = []
    for chat in detail.messages:
        message: dict[str, Any] = {
            "id": chat.chat_id,
            "role": chat.role,
            "text": chat.text,
            "urls": list(chat.urls),
            "create_time": chat.create_time,
        }
        if chat.reasoning:
            message["reasoning"] = chat.reasoning
        if chat.model:
            message["model"] = chat.model
        if chat.prompt_tokens or chat.completion_tokens:
            message["usage"] = {
                "prompt_tokens": chat.prompt_tokens,
                "completion_tokens": chat.completion_tokens,
            }
        if chat.flag:
            message["flag"] = chat.flag
        if chat.citations:
            message["citations"] = [
                {"index": c.index, "title": c.title, "url": c.url} for c in chat.citations
            ]
        if chat.state:
            message["state"] = chat.state
        messages.append(message)
    out["messages"] = messages
    return out
