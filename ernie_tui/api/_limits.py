"""How much the client takes from a server before it stops reading, and the
bounded read of an ordinary reply."""

from __future__ import annotations

import httpx

from ._exceptions import ReplyTooLargeError

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_EVENT_BYTES",
    "MAX_REPLY_BYTES",
    "Limits",
    "amount",
    "read_limited",
]

MiB = 1024 * 1024
MAX_ANSWER_CHARS = 8 * MiB
"""The longest answer text, in characters."""
MAX_EVENT_BYTES = 1 * MiB
"""The longest line, and the largest event, of an answer stream before any
answer text arrived; the final event repeats the whole answer, so the limit
grows with the text that arrived (see ``ESCAPED_CHAR_BYTES``)."""
MAX_REPLY_BYTES = 32 * MiB
"""The largest ordinary (non-stream) reply body, after decompression."""


class Limits:
    """The most the client takes from the server; past a limit it stops
    reading and raises :class:`~ernie_tui.api.ReplyTooLargeError`, keeping the
    answer text that arrived. Lower them freely (tests do)."""

    __slots__ = ("answer_chars", "event_bytes", "reply_bytes")

    def __init__(
        self,
        answer_chars: int = MAX_ANSWER_CHARS,
        event_bytes: int = MAX_EVENT_BYTES,
        reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        self.answer_chars = answer_chars
        self.event_bytes = event_bytes
        self.reply_bytes = reply_bytes

    def __repr__(self) -> str:
        return (
            f"Limits(answer_chars={self.answer_chars}, event_bytes={self.event_bytes}, "
            f"reply_bytes={self.reply_bytes})"
        )


def amount(n: int, unit: str = "bytes") -> str:
    """``n`` for a message: ``32 MB``, ``64 KB``, ``1,000 bytes``."""
    if unit == "bytes":
        if n >= MiB and n % (MiB // 4) == 0:
            return f"{n / MiB:g} MB"
        if n >= 1024 and n % 1024 == 0:
            return f"{n // 1024} KB"
    return f"{n:,} {unit}"


async def read_limited(response: httpx.Response, limit: int, source: str) -> bytearray:
    """The body of ``response``, or :class:`ReplyTooLargeError` as soon as it
    passes ``limit`` bytes (a ``Content-Length`` over it is refused before
    reading). ``source`` names the server in the message."""
    message = (
        f"The reply from {source} was larger than {amount(limit)}, so the client stopped "
        "reading it. The server is misbehaving, or the address points somewhere else."
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ReplyTooLargeError(message, limit=limit)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise ReplyTooLargeError(message, limit=limit)
    return body
