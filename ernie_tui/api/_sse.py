"""A small, lenient decoder for the service's server-sent event stream.

It follows the event-stream format (``field:value``, one optional space after
the colon, blank line ends an event, ``:`` starts a comment, several ``data``
lines join with newlines) and also takes what the service sends beside it: a
bare JSON line outside any field (``{"task_id": …}`` while an image is drawn,
or a whole JSON error envelope in place of a stream).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._exceptions import ReplyTooLargeError
from ._limits import MAX_EVENT_BYTES, amount

__all__ = ["SSEDecoder", "ServerSentEvent"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str


class SSEDecoder:
    """Feed it raw chunks (:meth:`feed_bytes`) or lines without their line ends
    (:meth:`feed`); it returns finished events.

    Its work is linear in the bytes fed, however the stream is cut: the start
    of an unfinished line is kept as the chunks it came in and joined once,
    when its line end arrives. A line, or an event's data, longer than
    ``max_event`` bytes raises :class:`~ernie_tui.api.ReplyTooLargeError` as
    soon as it passes the limit."""

    __slots__ = ("_cr", "_data", "_data_size", "_event", "_pending", "_size", "max_event")

    def __init__(self, max_event: int = MAX_EVENT_BYTES) -> None:
        self.max_event = max_event
        self._event = ""
        self._data: list[str] = []
        self._data_size = 0  # the length of the lines in _data
        self._pending: list[bytes] = []  # the unfinished last line, as it came
        self._size = 0  # its length
        self._cr = False  # the last chunk ended with CR: an LF next ends no line

    @property
    def buffered(self) -> int:
        """How many bytes wait for their line end."""
        return self._size

    def _too_large(self) -> ReplyTooLargeError:
        return ReplyTooLargeError(
            f"The answer stream sent a line or event larger than {amount(self.max_event)}, "
            "so the client stopped reading it. What arrived is kept; try again.",
            limit=self.max_event,
        )

    def feed_bytes(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take a chunk of the raw stream, cut anywhere; return the events it
        finishes. Lines end with LF, CRLF or CR; bytes that are not UTF-8 become
        U+FFFD."""
        if self._cr and chunk:
            self._cr = False
            if chunk[:1] == b"\n":  # the second half of a CRLF
                chunk = chunk[1:]
        pending = self._pending
        if b"\n" not in chunk and b"\r" not in chunk:
            # No line ends: keep the chunk as it is, copying nothing.
            if chunk:
                pending.append(chunk)
                self._size += len(chunk)
                if self._size > self.max_event:
                    raise self._too_large()
            return []
        if pending:
            # The line's start is joined once, now that its end is here.
            buffer = pending[0] + chunk if len(pending) == 1 else b"".join([*pending, chunk])
            pending.clear()
        else:
            buffer = chunk
        if b"\r" in buffer:
            # A CR at the end ends its line; an LF starting the next chunk is its pair.
            self._cr = buffer.endswith(b"\r")
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buffer.split(b"\n")
        rest = lines.pop()
        self._size = len(rest)
        if rest:
            pending.append(rest)
        limit = self.max_event
        if len(buffer) > limit and (self._size > limit or max(map(len, lines), default=0) > limit):
            raise self._too_large()
        events = []
        data = self._data
        for raw in lines:
            # The two common lines inline, the rest through feed().
            if raw.startswith(b"data:"):
                value = raw[5:]
                if value[:1] == b" ":
                    value = value[1:]
                self._data_size += len(value)
                if self._data_size > limit:
                    raise self._too_large()
                data.append(value.decode("utf-8", "replace"))
            elif not raw:
                if data:
                    events.append(ServerSentEvent(self._event or "message", "\n".join(data)))
                    data.clear()
                    self._data_size = 0
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
        rest = b"".join(self._pending)
        self._pending, self._size, self._cr = [], 0, False
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
                self._data_size = len(line)
                return pending
            return ServerSentEvent("message", line)
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data_size += len(value)
            if self._data_size > self.max_event:
                raise self._too_large()
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
        self._data_size = 0
        return event
