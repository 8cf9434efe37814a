"""A small, lenient decoder for the service's server-sent event stream.

It follows the event-stream format (``field:value``, one optional space after
the colon, blank line ends an event, ``:`` starts a comment, several ``data``
lines join with newlines) and also takes what the service sends beside it: a
bare JSON line outside any field (``{"task_id": …}`` while an image is drawn,
or a whole JSON error envelope in place of a stream).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str


class SSEDecoder:
    """Feed it lines (without their line ends); it returns finished events."""

    __slots__ = ("_data", "_event")

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> ServerSentEvent | None:
        """Take one line; return the event it finishes, if any."""
        if not line:
            return self._dispatch()
        first = line[0]
        if first == ":":
            return None
        if first == "{" or first == "[":
            # A bare JSON line: a complete payload on its own.
            pending = self._dispatch()
            if pending is not None:
                self._data.append(line)
                return pending
            return ServerSentEvent("message", line)
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value.strip()
        # id, retry and unknown fields are ignored.
        return None

    def flush(self) -> ServerSentEvent | None:
        """The event left when the stream ends without a blank line."""
        return self._dispatch()

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(self._event or "message", "\n".join(self._data))
        self._event = ""
        self._data = []
        return event
