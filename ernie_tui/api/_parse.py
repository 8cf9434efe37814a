"""Parsers from the service's JSON replies to the client's typed results.

They accept any JSON value and either return a result or raise one of the
client's own errors: unknown fields are ignored, missing ones get defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._exceptions import ProtocolError, service_error
from ._models import Chat, ConversationDetail, Session, Share
from ._text import split_images

__all__ = [
    "parse_detail",
    "parse_envelope",
    "parse_json",
    "parse_sessions",
    "parse_shares",
]


_decode = json.JSONDecoder().raw_decode


def parse_json(body: bytes | bytearray | str) -> Any:
    """Decode a reply body, or raise :class:`ProtocolError`."""
    try:
        if isinstance(body, str) and body[:1] == "{":
            # The stream's hot path: skip json.loads' checks and its regex.
            obj, end = _decode(body)
            if end == len(body) or not body[end:].strip():
                return obj
            raise ValueError("extra data after the JSON value")
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError(
            "The service sent a reply that is not JSON; it may have changed, or a proxy "
            "answered instead. Check the server address."
        ) from exc


def _as_int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    return default


def _as_str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return (
            str(value)
            if not isinstance(value, float) or not value.is_integer()
            else str(int(value))
        )
    return ""


def parse_envelope(obj: Any) -> Any:
    """Check ``{"code": 0, "msg": …, "data": …}`` and return ``data``."""
    if not isinstance(obj, Mapping) or "code" not in obj:
        raise ProtocolError(
            "The service's reply had no status code; it may have changed. "
            "Check the server address or update ernie-tui."
        )
    code = _as_int(obj.get("code"), default=-1)
    if code != 0:
        raise service_error(code, _as_str(obj.get("msg")))
    return obj.get("data")


def _session(raw: object, *, pinned: bool) -> Session | None:
    if not isinstance(raw, Mapping):
        return None
    session_id = _as_str(raw.get("sessionId"))
    if not session_id:
        return None
    return Session(
        session_id=session_id,
        name=_as_str(raw.get("sessionName")),
        create_time=_as_str(raw.get("createTime")),
        state=_as_int(raw.get("state"), 1),
        plugin_ids=_as_str(raw.get("pluginIds")),
        model=_as_str(raw.get("model")),
        pinned=pinned,
    )


def parse_sessions(data: Any, *, pinned: bool) -> tuple[Session, ...]:
    """The ``sessions`` of a session-list reply (``null`` means none)."""
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise ProtocolError("The conversation list from the service was not understood.")
    raw = data.get("sessions")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ProtocolError("The conversation list from the service was not understood.")
    out = []
    for item in raw:
        session = _session(item, pinned=pinned)
        if session is not None:
            out.append(session)
    return tuple(out)


def _chat(chat_key: str, raw: object) -> Chat | None:
    if not isinstance(raw, Mapping):
        return None
    chat_id = _as_str(raw.get("id")) or chat_key
    role = raw.get("role")
    if role not in ("user", "robot"):
        return None
    message = raw.get("message")
    content = ""
    if isinstance(message, list) and message and isinstance(message[0], Mapping):
        content = _as_str(message[0].get("content"))
    elif isinstance(message, str):
        content = message
    text, urls = split_images(content)
    return Chat(
        chat_id=chat_id,
        role="user" if role == "user" else "robot",
        text=text,
        create_time=_as_str(raw.get("createTime")),
        urls=urls,
    )


def _id_key(chat_id: str) -> tuple[int, int, str]:
    return (0, int(chat_id), "") if chat_id.isdigit() else (1, 0, chat_id)


def parse_detail(data: Any, base: Session) -> ConversationDetail:
    """A chat-history reply, ordered by ``createTime`` then id."""
    if not isinstance(data, Mapping):
        raise ProtocolError("The conversation history from the service was not understood.")
    raw_chats = data.get("chats") or {}
    chats: list[Chat] = []
    if isinstance(raw_chats, Mapping):
        for key, raw in raw_chats.items():
            chat = _chat(_as_str(key), raw)
            if chat is not None:
                chats.append(chat)
    elif isinstance(raw_chats, list):
        for raw in raw_chats:
            chat = _chat("", raw)
            if chat is not None and chat.chat_id:
                chats.append(chat)
    else:
        raise ProtocolError("The conversation history from the service was not understood.")
    chats.sort(key=lambda c: (c.create_time, _id_key(c.chat_id)))
    current = _as_str(data.get("currentChatId"))
    return ConversationDetail(
        base=base,
        histories=tuple(chats),
        current_chat_id=current if current else "0",
    )


def parse_shares(data: Any) -> tuple[Share, ...]:
    """A share-list reply (a list of shares, or ``null``)."""
    if data is None:
        return ()
    if isinstance(data, Mapping):
        data = data.get("list") or data.get("shares") or []
    if not isinstance(data, list):
        raise ProtocolError("The share list from the service was not understood.")
    out = []
    for raw in data:
        if not isinstance(raw, Mapping):
            continue
        share_id = _as_str(raw.get("id"))
        if not share_id:
            continue
        chat_ids = _as_str(raw.get("chatIds"))
        out.append(
            Share(
                share_id=share_id,
                session_id=_as_str(raw.get("sessionId")),
                key=_as_str(raw.get("shareKey")),
                chat_ids=tuple(c for c in chat_ids.split(",") if c),
                create_time=_as_str(raw.get("createTime")),
                update_time=_as_str(raw.get("updateTime")),
                user_id=_as_str(raw.get("userId")),
            )
        )
    return tuple(out)
