"""The streamed answer: one ``POST /chat/completions`` with ``stream: true``,
read as server-sent events (``data: {chunk}`` … ``data: [DONE]``), each chunk
turned into a :class:`Delta`, every failure into the client's own error with
what arrived."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from ..api import IncompleteAnswerError, ProtocolError, ReplyTooLargeError, ServerTimeoutError
from ..api._http import network_error
from ..api._limits import amount
from ..api._sse import SSEDecoder
from ._exceptions import error_fields
from ._models import ChatReply, Citation, Delta, Usage
from ._parse import citations_of, loads, parse_citations, parse_reply, parse_usage, to_int

if TYPE_CHECKING:
    from ._client import QianfanClient

__all__ = ["ChatStream"]

log = logging.getLogger("ernie_tui.qianfan")

_decode = json.JSONDecoder().raw_decode
_STREAM_STARTS = (b"data:", b"event:", b":")


class ChatStream:
    """A streamed answer; use as ``async with client.chat_stream(...) as
    stream: async for delta in stream: ...``. Iterating yields :class:`Delta`
    increments (reasoning first on thinking models, then the answer).

    Whatever happens, :attr:`text` and :attr:`reasoning` hold what arrived so
    far, and leaving the ``async with`` block closes the response. The stream
    ends when the service said why the answer finished (``finish_reason``)
    and then ``[DONE]`` or the end of the reply; ending any other way raises
    :class:`~ernie_tui.api.IncompleteAnswerError` with the text in
    ``partial``, as every error raised here keeps it. An answer longer than
    the client's ``limits.answer_chars`` (reasoning included), or a line or
    event over ``limits.event_bytes``, stops with ReplyTooLargeError.
    """

    def __init__(self, client: QianfanClient, body: dict[str, Any]) -> None:
        self._client = client
        self._body = body
        self.model: str = body.get("model", "")
        """The model that answers (as the service names it, once it did)."""
        self.id = ""
        self.usage: Usage | None = None
        self.finish_reason = ""
        self.flag = 0
        """Non-zero when the service intervened for safety."""
        self._found: dict[int, Citation] = {}
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._chars = 0
        self._max_chars = client.limits.answer_chars
        self._done = False  # [DONE] arrived, or a whole reply was taken
        self._response: httpx.Response | None = None
        self._pending: Delta | None = None  # a whole reply's text, not yet yielded
        self._buffered = b""  # a stream that came as an ordinary body

    def __repr__(self) -> str:
        return f"ChatStream(model={self.model!r}, chars={self._chars})"

    @property
    def text(self) -> str:
        """The answer so far (all of it once the stream ended)."""
        if len(self._text) > 1:
            self._text = ["".join(self._text)]
        return self._text[0] if self._text else ""

    @property
    def reasoning(self) -> str:
        """The reasoning so far (thinking models; empty for the others)."""
        if len(self._reasoning) > 1:
            self._reasoning = ["".join(self._reasoning)]
        return self._reasoning[0] if self._reasoning else ""

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The web pages the answer cites (``search_results``), by index."""
        return citations_of(self._found)

    async def __aenter__(self) -> Self:
        client = self._client
        timeouts = client.timeouts
        request = client._http.build_request(
            "POST",
            "chat/completions",
            json=self._body,
            headers={"Accept": "text/event-stream, application/json"},
            timeout=httpx.Timeout(timeouts.idle, connect=timeouts.connect),
        )
        # The reply's head within the idle timeout (after connecting); the
        # answer then takes as long as it keeps coming.
        response = await client._send(request, timeouts.connect + timeouts.idle)
        self._response = response
        content_type = response.headers.get("content-type", "")
        if response.status_code == 200 and "event-stream" in content_type:
            return self
        raw = await client._read(response)
        if response.status_code != 200:
            raise client._refusal(response.status_code, raw, response.headers, self.model)
        self._take_body(raw, response.headers)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._response is not None:
            await self._response.aclose()

    def _take_body(self, raw: bytes | bytearray, headers: httpx.Headers) -> None:
        """An ordinary body in place of a stream: an error body (raised), a
        whole reply (taken), or a stream sent with the wrong type (kept)."""
        try:
            obj = loads(raw)
        except ValueError:
            if bytes(raw).lstrip().startswith(_STREAM_STARTS):
                self._buffered = bytes(raw)
                return
            raise ProtocolError(
                "The service answered with something other than an answer (neither JSON nor "
                "an event stream). Check the server address."
            ) from None
        fields = error_fields(obj)
        if fields is not None:
            raise self._client._refusal(None, b"", headers, self.model, fields=fields)
        reply = parse_reply(obj)
        self.id, self.model = reply.id, reply.model or self.model
        self.usage, self.flag = reply.usage, reply.flag
        self.finish_reason = reply.finish_reason or "stop"
        for citation in reply.citations:
            self._found[citation.index] = citation
        if reply.text or reply.reasoning:
            self._pending = Delta(reply.reasoning, reply.text)
            self._count(reply.reasoning, reply.text)
        self._done = True

    def __aiter__(self) -> AsyncIterator[Delta]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Delta]:
        response = self._response
        if response is None:
            raise RuntimeError("use 'async with client.chat_stream(...)' before iterating")
        if self._pending is not None:
            pending, self._pending = self._pending, None
            yield pending
        if self._done:
            return
        decoder = SSEDecoder(self._client.limits.event_bytes)
        take = self._take
        try:
            if self._buffered:
                chunks: AsyncIterator[bytes] = _once(self._buffered)
            elif response.headers.get("content-encoding", "identity") in ("", "identity"):
                # The raw bytes are the content: skip httpx's decoding layer.
                chunks = response.aiter_raw()
            else:
                chunks = response.aiter_bytes()
            async for chunk in chunks:
                for event in decoder.feed_bytes(chunk):
                    delta = take(event.data)
                    if delta is not None:
                        yield delta
                    if self._done:
                        self._check_finished()
                        return
            for event in decoder.flush_bytes():
                delta = take(event.data)
                if delta is not None:
                    yield delta
                if self._done:
                    break
        except httpx.HTTPError as exc:
            if self.finish_reason:
                log.info("the stream broke after its answer finished: %s", type(exc).__name__)
                return
            if isinstance(exc, httpx.ReadTimeout):
                raise ServerTimeoutError(
                    f"The answer stalled: nothing arrived for {self._client.timeouts.idle:g} s, "
                    "so it was stopped. What arrived is kept; try again.",
                    partial=self.text,
                ) from None
            raise network_error(exc, self._client.host, partial=self.text) from None
        except ReplyTooLargeError as exc:
            log.info("stopped a chat stream: %s", type(exc).__name__)
            raise ReplyTooLargeError(exc.message, limit=exc.limit, partial=self.text) from None
        self._check_finished()

    def _check_finished(self) -> None:
        if not self.finish_reason:
            raise IncompleteAnswerError(
                "The answer was cut off before it finished; what arrived is kept. "
                "Ask again to get the whole answer.",
                partial=self.text,
            )

    def _take(self, data: str) -> Delta | None:
        """One event's data: a chunk, ``[DONE]``, an error, or something to skip."""
        if data[:1] != "{":
            data = data.strip()
            if data == "[DONE]":
                self._done = True
                return None
            if data[:1] != "{":
                if data:
                    log.info("skipped a stream event that is not a chunk (%d chars)", len(data))
                return None
        try:
            obj, end = _decode(data)
        except (ValueError, RecursionError):
            log.info("skipped a malformed stream chunk (%d chars)", len(data))
            return None
        if end != len(data) and data[end:].strip():
            log.info("skipped a malformed stream chunk (%d chars)", len(data))
            return None
        if type(obj) is not dict:
            return None
        if not self.id:
            self._take_ids(obj)
        usage = obj.get("usage")
        if usage is not None:
            self.usage = parse_usage(usage) or self.usage
        results = obj.get("search_results")
        if results is not None:
            parse_citations(results, self._found)
        choices = obj.get("choices")
        if not choices or type(choices) is not list:
            fields = error_fields(obj) if choices is None else None
            if fields is not None:
                raise self._client._refusal(
                    None, b"", None, self.model, fields=fields, partial=self.text
                )
            return None
        choice = choices[0]
        if type(choice) is not dict:
            return None
        finish = choice.get("finish_reason")
        if finish:
            self.finish_reason = finish if isinstance(finish, str) else str(to_int(finish))
            parse_citations(choice.get("search_results"), self._found)
        flag = choice.get("flag")
        if flag:
            self.flag = to_int(flag) or self.flag
        delta = choice.get("delta")
        if type(delta) is not dict:
            return None
        content = delta.get("content")
        reasoning = delta.get("reasoning_content")
        if type(content) is not str:
            content = ""
        if type(reasoning) is not str:
            reasoning = ""
        if not content and not reasoning:
            return None
        if content:
            self._text.append(content)
        if reasoning:
            self._reasoning.append(reasoning)
        self._count(reasoning, content)
        return Delta(reasoning, content)

    def _take_ids(self, obj: dict[str, Any]) -> None:
        given = obj.get("id")
        if isinstance(given, str):
            self.id = given
        model = obj.get("model")
        if isinstance(model, str) and model:
            self.model = model

    def _count(self, reasoning: str, content: str) -> None:
        self._chars += len(reasoning) + len(content)
        if self._chars > self._max_chars:
            limit = self._max_chars
            raise ReplyTooLargeError(
                f"The answer passed {amount(limit, 'characters')} without ending, so the "
                "client stopped it. What arrived is kept.",
                limit=limit,
                partial=self.text,
            )

    def reply(self) -> ChatReply:
        """What the stream gave, as one :class:`ChatReply` (the whole answer
        once it ended)."""
        return ChatReply(
            text=self.text,
            reasoning=self.reasoning,
            usage=self.usage,
            finish_reason=self.finish_reason,
            flag=self.flag,
            citations=self.citations,
            model=self.model,
            id=self.id,
        )


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
