"""The streamed answer: one ``POST /eb/chat/conversation/v2`` read as server-sent
events, each event turned into an :class:`AnswerPiece` or the final
:class:`Answer`, every failure into the client's own error with what arrived.

A thinking model (``X1…``) sends its reasoning first, as ``thought`` events:
their ``is_end: 1`` ends the reasoning, not the answer. ``step`` events (what
the model is doing) are skipped; only ``message`` with ``is_end: 1`` ends it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

from ._acs import AcsTokenProvider, request_tokens
from ._ask import ask_fields, ask_headers, with_hint
from ._exceptions import (
    AccessRestrictedError,
    IncompleteAnswerError,
    ProtocolError,
    ReplyTooLargeError,
    ServerTimeoutError,
    http_status_error,
    service_error,
)
from ._http import Timeouts, deadline, network_error
from ._limits import MAX_ANSWER_CHARS, Limits, amount, read_limited
from ._models import Answer, AnswerPiece
from ._parse import parse_envelope, parse_json
from ._secret import Secret
from ._sse import ServerSentEvent, SSEDecoder
from ._text import hold_partial_tag, split_images

__all__ = ["ESCAPED_CHAR_BYTES", "AnswerStream", "StreamClient"]

log = logging.getLogger("ernie_tui.api")

ESCAPED_CHAR_BYTES = 12
"""The most bytes one character of answer text takes in a stream's JSON (an
escaped surrogate pair): an answer's final event, which repeats the whole
text, may pass the event limit by this much per character that arrived."""


class StreamClient(Protocol):
    """What an answer stream uses of the :class:`~ernie_tui.api.ErnieClient`
    that opened it."""

    acs_token: AcsTokenProvider
    baiduid: Secret
    bduss_bfess: Secret
    model: str
    base_url: str
    host: str
    timeouts: Timeouts
    limits: Limits
    _http: httpx.AsyncClient

    def _body(self, **fields: Any) -> dict[str, Any]: ...

    def _deadline_passed(self) -> ServerTimeoutError: ...


class AnswerStream:
    """A streamed answer. Iterate it for :class:`AnswerPiece` increments; when
    it ends, :attr:`answer` holds the authoritative final :class:`Answer`.

    Whatever happens, :attr:`text` holds what arrived so far, and leaving the
    ``async with`` block closes the response. An answer longer than the
    client's ``limits.answer_chars``, or a stream line or event longer than
    ``limits.event_bytes``, stops with :class:`ReplyTooLargeError`, which
    keeps what arrived in ``partial`` like every other error.

    A thinking model's reasoning is kept in :attr:`reasoning` (and the
    answer's); with ``reasoning=True`` its increments are yielded too, as
    pieces with ``reasoning`` set and ``text`` empty. It may be at most
    ``limits.answer_chars`` long, like the answer.
    """

    def __init__(
        self,
        client: StreamClient,
        question: str,
        session_id: str,
        parent_chat_id: str,
        session_name: str,
        *,
        model: str | None = None,
        web_search: bool = False,
        reasoning: bool = False,
    ) -> None:
        self._client = client
        self.question = question
        self.session_id = session_id
        self.parent_chat_id = parent_chat_id
        self.session_name = session_name
        self._model = model
        self.web_search = web_search
        self._yield_reasoning = reasoning
        self.bot_chat_id = ""
        self.user_chat_id = ""
        self.answer: Answer | None = None
        self._thought: list[str] = []
        self._thought_chars = 0
        self._held_thought = ""
        self._stale_hint = ""  # what to add when the service refuses the tokens
        self._pieces: list[str] = []
        self._urls: list[str] = []
        self._held = ""  # the start of an <img>/<br> tag cut between increments
        self._chars = 0  # the length of the text in _pieces
        self._max_chars = MAX_ANSWER_CHARS  # the client's limit, taken when iterating
        self._decoder: SSEDecoder | None = None
        self._event_limit = 0
        self._response: httpx.Response | None = None

    def __repr__(self) -> str:
        return f"AnswerStream(session_id={self.session_id!r}, chars={len(self.text)})"

    @property
    def text(self) -> str:
        """The answer so far (the final text once it has ended)."""
        if self.answer is not None:
            return self.answer.text
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    @property
    def urls(self) -> tuple[str, ...]:
        return self.answer.urls if self.answer is not None else tuple(self._urls)

    @property
    def model(self) -> str:
        """The model code the question is asked with."""
        return self._model or self._client.model

    @property
    def reasoning(self) -> str:
        """The reasoning a thinking model showed so far (empty for the others)."""
        if self.answer is not None:
            return self.answer.reasoning
        if len(self._thought) > 1:
            self._thought = ["".join(self._thought)]
        return self._thought[0] if self._thought else ""

    async def __aenter__(self) -> Self:
        try:
            return await self._open()
        except AccessRestrictedError as exc:
            raise with_hint(exc, self._stale_hint) from None

    async def _open(self) -> Self:
        client = self._client
        tokens = await request_tokens(client.acs_token, client.baiduid, client.bduss_bfess)
        body = client._body(
            **ask_fields(
                question=self.question,
                session_id=self.session_id,
                session_name=self.session_name,
                parent_chat_id=self.parent_chat_id,
                model=self.model,
                web_search=self.web_search,
                tokens=tokens,
            )
        )
        headers = ask_headers(client.base_url, self.session_id, tokens)
        self._stale_hint = tokens.stale_hint if tokens else ""
        del tokens
        request = client._http.build_request(
            "POST",
            "/eb/chat/conversation/v2",
            json=body,
            headers=headers,
            timeout=httpx.Timeout(client.timeouts.idle, connect=client.timeouts.connect),
        )

        def silent() -> ServerTimeoutError:
            return ServerTimeoutError(
                f"{client.host} stopped answering (timed out waiting for a reply). Try again."
            )

        try:
            # The reply's head, however slowly it comes, within the idle timeout
            # (after connecting); the answer then takes as long as it keeps coming.
            async with deadline(client.timeouts.connect + client.timeouts.idle, silent):
                self._response = await client._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise network_error(exc, client.host) from None
        response = self._response
        if response.status_code != 200:
            await response.aclose()
            raise http_status_error(response.status_code)
        content_type = response.headers.get("content-type", "")
        if "event-stream" not in content_type:
            # An ordinary reply (an error envelope): bounded like any other.
            try:
                async with deadline(client.timeouts.request, client._deadline_passed):
                    raw = await read_limited(response, client.limits.reply_bytes, client.host)
            except httpx.HTTPError as exc:
                raise network_error(exc, client.host) from None
            finally:
                await response.aclose()
            parse_envelope(parse_json(raw))
            raise ProtocolError("The service answered with something other than an answer.")
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

    def __aiter__(self) -> AsyncIterator[AnswerPiece]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[AnswerPiece]:
        response = self._response
        if response is None:
            raise RuntimeError("use 'async with client.ask_stream(...)' before iterating")
        if self.answer is not None:
            return
        self._event_limit = self._client.limits.event_bytes
        decoder = self._decoder = SSEDecoder(self._event_limit)
        self._max_chars = self._client.limits.answer_chars
        handle = self._handle
        # Without a content-encoding the raw bytes are the content: skip httpx's
        # decoding layer, which costs a little on each of thousands of chunks.
        encoded = response.headers.get("content-encoding", "identity") not in ("", "identity")
        chunks = response.aiter_bytes() if encoded else response.aiter_raw()
        try:
            async for chunk in chunks:
                for event in decoder.feed_bytes(chunk):
                    piece = handle(event)
                    if piece is not None:
                        yield piece
                    if self.answer is not None:
                        return
            for event in decoder.flush_bytes():
                piece = handle(event)
                if piece is not None:
                    yield piece
                if self.answer is not None:
                    return
        except httpx.HTTPError as exc:
            err = network_error(exc, self._client.host, partial=self.text)
            if isinstance(exc, httpx.ReadTimeout):
                err = ServerTimeoutError(
                    f"The answer stalled: nothing arrived for {self._client.timeouts.idle:g} s, "
                    "so it was stopped. What arrived is kept; try again.",
                    partial=self.text,
                )
            raise err from None
        except ReplyTooLargeError as exc:
            log.info("stopped an answer stream: %s", type(exc).__name__)
            raise ReplyTooLargeError(exc.message, limit=exc.limit, partial=self.text) from None
        except AccessRestrictedError as exc:
            raise with_hint(exc, self._stale_hint) from None
        if self.answer is None:
            raise IncompleteAnswerError(
                "The answer was cut off before it finished; what arrived is kept. "
                "Ask again to get the whole answer.",
                partial=self.text,
            )

    def _handle(self, event: ServerSentEvent) -> AnswerPiece | None:
        try:
            obj = parse_json(event.data)
        except ProtocolError:
            log.info("skipped a malformed stream line (%d chars)", len(event.data))
            return None
        if not isinstance(obj, dict):
            return None
        if "code" not in obj:
            return None  # task_id progress lines and the like
        code = obj.get("code")
        if code not in (0, "0"):
            msg = obj.get("msg")
            try:
                code_int = int(code)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                code_int = -1
            raise service_error(code_int, msg if isinstance(msg, str) else "", partial=self.text)
        data = obj.get("data")
        if not isinstance(data, dict):
            return None
        name = event.event
        if name == "major":
            self._take_major(data)
            return None
        if name == "thought":
            return self._take_thought(data)
        if name != "message":
            if name == "step":
                log.debug("skipped a step event of the answer stream")
            return None
        content = data.get("content")
        content = content if isinstance(content, str) else ""
        is_end = data.get("is_end")
        if is_end in (1, "1", True):
            final = data.get("tokens_all")
            if not isinstance(final, str):
                final = self.text + content
            text, urls = split_images(final)
            if len(text) > self._max_chars:
                raise self._too_long()
            self.answer = Answer(
                text=text,
                urls=urls,
                bot_chat_id=self.bot_chat_id,
                session_id=self.session_id,
                user_chat_id=self.user_chat_id,
                reasoning=self.reasoning + self._held_thought,
            )
            self._pieces = [text]
            return None
        if self._held:
            content = self._held + content
            self._held = ""
        if not content:
            return None
        if "<" in content:
            content, self._held = hold_partial_tag(content)
            if not content:
                return None
        text, urls = split_images(content)
        self._pieces.append(text)
        self._chars += len(text)
        if self._chars > self._max_chars:
            raise self._too_long()
        self._grow_event_limit()
        if urls:
            self._urls.extend(urls)
        return AnswerPiece(text=text, urls=urls, chat_id=self.bot_chat_id)

    def _grow_event_limit(self) -> None:
        if self._decoder is not None:
            # A final event repeats the whole text (``tokens_all``), JSON-escaped:
            # its line may be as long as the text that arrived, and no longer.
            chars = self._chars + self._thought_chars
            self._decoder.max_event = self._event_limit + ESCAPED_CHAR_BYTES * chars

    def _take_thought(self, data: dict[str, Any]) -> AnswerPiece | None:
        """An increment of the reasoning; its ``is_end`` ends only the reasoning
        (a whole ``tokens_all`` then replaces what arrived)."""
        content = data.get("content")
        content = content if isinstance(content, str) else ""
        final = data.get("tokens_all")
        if data.get("is_end") in (1, "1", True) and isinstance(final, str) and final:
            whole, _ = split_images(final)
            if len(whole) > self._max_chars:
                raise self._too_long("reasoning")
            self._thought, self._thought_chars, self._held_thought = [whole], len(whole), ""
            return None
        if self._held_thought:
            content, self._held_thought = self._held_thought + content, ""
        if "<" in content:
            content, self._held_thought = hold_partial_tag(content)
        if not content:
            return None
        text, _ = split_images(content)
        self._thought_chars += len(text)
        if self._thought_chars > self._max_chars:
            raise self._too_long("reasoning")
        self._thought.append(text)
        self._grow_event_limit()
        if not text or not self._yield_reasoning:
            return None
        return AnswerPiece(text="", chat_id=self.bot_chat_id, reasoning=text)

    def _too_long(self, what: str = "answer") -> ReplyTooLargeError:
        limit = self._max_chars
        return ReplyTooLargeError(
            f"The {what} passed {amount(limit, 'characters')} without ending, so the client "
            "stopped it. What arrived is kept.",
            limit=limit,
            partial=self.text,
        )

    def _take_major(self, data: dict[str, Any]) -> None:
        session = data.get("createSessionResponseVoCommonResult")
        if isinstance(session, dict) and isinstance(session.get("data"), dict):
            session_id = session["data"].get("sessionId")
            if session_id not in (None, ""):
                self.session_id = str(session_id)
        chat = data.get("createChatResponseVoCommonResult")
        if isinstance(chat, dict) and isinstance(chat.get("data"), dict):
            bot = chat["data"].get("botChat")
            if isinstance(bot, dict) and bot.get("id") not in (None, ""):
                self.bot_chat_id = str(bot["id"])
            user = chat["data"].get("userChat")
            if isinstance(user, dict) and user.get("id") not in (None, ""):
                self.user_chat_id = str(user["id"])
