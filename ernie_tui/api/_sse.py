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
    """Feed it raw chunks (:meth:`feed_bytes`) or lines without their line ends
    (:meth:`feed`); it returns finished events."""

    __slots__ = ("_buffer", "_data", "_event")

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._buffer = b""

    def feed_bytes(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take a chunk of the raw stream, cut anywhere; return the events it
        finishes. Lines end with LF, CRLF or CR; bytes that are not UTF-8 become
        U+FFFD."""
        buffer = self._buffer + chunk if self._buffer else chunk
        held_cr = b""
        if b"\r" in buffer:
            if buffer.endswith(b"\r"):
                # Maybe the first half of a CRLF cut between two chunks.
                buffer, held_cr = buffer[:-1], b"\r"
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buffer.split(b"\n")
        self._buffer = lines.pop() + held_cr
        events = []
        data = self._data
        for raw in lines:
            # The two common lines inline, the rest through feed().
            if raw.startswith(b"data:"):
                value = raw[5:]
                if value[:1] == b" ":
                    value = value[1:]
                data.append(value.decode("utf-8", "replace"))
            elif not raw:
                if data:
                    events.append(ServerSentEvent(self._event or "message", "\n".join(data)))
                    data.clear()
                self._event = ""
            else:
                event = self.feed(raw.decode("utf-8", "replace"))
                if event is not None:
                    events.append(event)
                data = self._data
        return events

    def flush_bytes(self) -> list[ServerSentEvent]:
        """The events left when the raw stream ends (an unfinished last line
        counts as a line)."""
        events = []
        rest, self._buffer = self._buffer, b""
        if rest:
            for raw in rest.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
                event = self.feed(raw.decode("utf-8", "replace"))
                if event is not None:
                    events.append(event)
        event = self.flush()
        if event is not None:
            events.append(event)
        return events

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
        self._data.clear()
        return event
