"""The ``/v2`` endpoints: ``POST /v2/chat/completions`` (streamed or whole)
and ``GET /v2/models``, for any key of Qianfan's form, with the faults queued
for their paths.

A request is checked in the service's order: the key (401
``invalid_iam_token``), the app id, the body (400 ``malformed_json``), the
model (400 ``invalid_model``), the messages (400 ``invalid_messages``), the
options (400 ``invalid_argument``), then the thread's length against the
model's context (400 ``characters_too_long``, ``tokens_too_long``)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..context import Context
from ..faults import Fault
from ..http import BadJSON, parse_json
from .answer import Asked, Outgoing, compose, reply_body, stream
from .wire import MODELS, Meter, error, fault_code, key_of, tokens_in

__all__ = ["CHAT_PATH", "MODELS_PATH", "V2", "routes"]

CHAT_PATH = "/v2/chat/completions"
MODELS_PATH = "/v2/models"
CHARS_PER_TOKEN = 4
"""A thread over ``CHARS_PER_TOKEN`` characters per token of the model's
context is refused as ``characters_too_long`` before its tokens are counted."""


class Refuse(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _text_of(content: object) -> str | None:
    """A message's text: a string, or the text of a list of parts."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return None
    texts = []
    for part in content:
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            return None
        if part["type"] == "text":
            if not isinstance(part.get("text"), str):
                return None
            texts.append(part["text"])
    return "".join(texts)


def _messages(raw: object) -> list[tuple[str, str]]:
    bad = Refuse(error("invalid_messages"))
    if not isinstance(raw, list) or not raw:
        raise bad
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise bad
        role, text = item.get("role"), _text_of(item.get("content"))
        if role not in ("system", "user", "assistant") or text is None:
            raise bad
        if role == "system" and index != 0:
            raise bad
        out.append((role, text))
    if out[-1][0] != "user" or not out[-1][1].strip():
        raise Refuse(error("invalid_messages", "The last message must be the user's question"))
    return out


def _flag(body: dict[str, Any], name: str, inner: str = "") -> bool:
    value = body.get(name)
    if inner and isinstance(value, dict):
        value = value.get(inner)
    elif inner:
        value = None if value is None else "bad"
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Refuse(error("invalid_argument", f"{name} must be a boolean"))
    return value


def _asked(body: dict[str, Any]) -> Asked:
    name = body.get("model")
    model = MODELS.get(name) if isinstance(name, str) else None
    if model is None:
        raise Refuse(error("invalid_model"))
    messages = _messages(body.get("messages"))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (
        not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1
    ):
        raise Refuse(error("invalid_argument", "max_completion_tokens must be at least 1"))
    asked = Asked(
        model=model,
        messages=messages,
        stream=_flag(body, "stream"),
        include_usage=_flag(body, "stream_options", "include_usage"),
        web_search=_flag(body, "web_search", "enable"),
        max_tokens=max_tokens,
    )
    chars = sum(len(text) for _, text in messages)
    if chars > CHARS_PER_TOKEN * model.context_tokens:
        raise Refuse(error("characters_too_long"))
    if sum(tokens_in(text) for _, text in messages) > model.context_tokens:
        raise Refuse(error("tokens_too_long"))
    return asked


class V2:
    """The ``/v2`` handlers of one app, and its per-key meter."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.meter = Meter()

    def _key(self, request: Request) -> str:
        key = key_of(request)
        if key is None:
            raise Refuse(error("invalid_iam_token"))
        appid = request.headers.get("appid")
        if appid is not None and not appid.startswith("app-"):
            raise Refuse(error("invalid_appid"))
        return key

    def _fault_error(self, fault: Fault, key: str) -> JSONResponse:
        code = fault_code(fault)
        response = error(code, fault.text, status=fault.status)
        if response.status_code == 429:
            exhausted = "tpm" if code.startswith("tpm") else "rpm"
            response.headers.update(self.meter.headers(key, exhausted=exhausted))
            if fault.seconds > 0:
                response.headers["Retry-After"] = str(math.ceil(fault.seconds))
        return response

    async def _before(self, faults: list[Fault], key: str) -> Response | None:
        """The reply a fault puts in place of the real one, if any."""
        for fault in faults:
            if fault.after is not None:
                continue
            if fault.kind == "stall":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "http500":
                return PlainTextResponse("Internal Server Error", status_code=500)
            elif fault.kind == "error":
                return self._fault_error(fault, key)
            elif fault.kind == "malformed":
                return Response("<html><body>502 Bad Gateway</body></html>", media_type="text/html")
            elif fault.kind == "raw":
                return Response(
                    fault.text, status_code=fault.status or 200, media_type=fault.content_type
                )
        return None

    async def chat(self, request: Request) -> Response:
        try:
            key = self._key(request)
            faults = self.ctx.faults_for(request)
            injected = await self._before(faults, key)
            if injected is not None:
                return injected
            try:
                body = parse_json(await request.body())
            except BadJSON as exc:
                raise Refuse(error("malformed_json", f"Malformed json: {exc}")) from None
            if not isinstance(body, dict):
                raise Refuse(error("malformed_json", "Malformed json: not an object"))
            asked = _asked(body)
        except Refuse as refuse:
            return refuse.response
        state = self.ctx.state
        out = compose(asked, faults, state.image_base)
        self.meter.count(key, out.usage["total_tokens"])
        headers = self.meter.headers(key)
        rate = state.rate
        for fault in faults:
            if fault.kind == "rate":
                rate = fault.rate
        if not asked.stream:
            return await self._whole(out, faults, rate, headers, key)
        headers.update({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return StreamingResponse(
            stream(state, out, asked, faults, rate),
            media_type="text/event-stream; charset=utf-8",
            headers=headers,
        )

    async def _whole(
        self, out: Outgoing, faults: list[Fault], rate: float, headers: dict[str, str], key: str
    ) -> Response:
        """A non-streamed reply: it comes when the whole answer is composed."""
        for fault in faults:
            if fault.after is None:
                continue
            if fault.kind == "stall":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "error":
                return self._fault_error(fault, key)
        if rate > 0:
            await asyncio.sleep(min(len(out.increments) / rate, 30.0))
        self.ctx.state.last_stream_end = time.perf_counter()
        return JSONResponse(reply_body(out), headers=headers)

    async def models(self, request: Request) -> Response:
        try:
            key = self._key(request)
        except Refuse as refuse:
            return refuse.response
        injected = await self._before(self.ctx.faults_for(request), key)
        if injected is not None:
            return injected
        created = int(time.time())
        data = [
            {"id": model.id, "object": "model", "created": created, "owned_by": "baidu"}
            for model in MODELS.values()
        ]
        return JSONResponse({"object": "list", "data": data})


def routes(ctx: Context) -> list[Route]:
    """The ``/v2`` routes, acting on ``ctx`` (its faults; no storage: the
    service keeps no conversations)."""
    v2 = V2(ctx)
    return [
        Route(CHAT_PATH, v2.chat, methods=["POST"]),
        Route(MODELS_PATH, v2.models, methods=["GET"]),
    ]
