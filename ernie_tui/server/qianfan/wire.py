"""What the embedded server's ``/v2`` shares on the wire: its models, the API
key check, error bodies, the rate-limit headers and the token estimate.

It speaks as Qianfan V2 does (``/work/shared/QIANFAN.md``): a bearer key of the
form ``bce-v3/ALTAK-…/…``; errors as ``{"error": {"code", "message", "type"},
"id"}``. Each distinct key counts its own requests and tokens per minute."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..faults import Fault

__all__ = [
    "DEFAULT_MESSAGE",
    "MODELS",
    "REQUESTS_PER_MINUTE",
    "STATUS_OF",
    "TOKENS_PER_MINUTE",
    "Meter",
    "ServedModel",
    "error",
    "error_body",
    "fault_code",
    "key_of",
    "new_id",
    "tokens_in",
]

K = 1024
WEB_NOT_SIGNED_IN = "请先登录"


@dataclass(frozen=True, slots=True)
class ServedModel:
    id: str
    context_tokens: int
    reasoning: bool = False


MODELS: dict[str, ServedModel] = {
    m.id: m
    for m in (
        ServedModel("ernie-4.5-turbo-128k", 128 * K),
        ServedModel("ernie-4.5-turbo-32k", 32 * K),
        ServedModel("ernie-4.5-8k-preview", 8 * K),
        ServedModel("ernie-4.0-turbo-8k", 8 * K),
        ServedModel("ernie-3.5-8k", 8 * K),
        ServedModel("ernie-speed-128k", 128 * K),
        ServedModel("ernie-lite-8k", 8 * K),
        ServedModel("ernie-tiny-8k", 8 * K),
        ServedModel("ernie-4.5-turbo-vl-32k", 32 * K),
        ServedModel("ernie-x1-turbo-32k", 32 * K, reasoning=True),
        ServedModel("ernie-x1.1-preview", 64 * K, reasoning=True),
        ServedModel("ernie-5.0-thinking-preview", 128 * K, reasoning=True),
    )
}
"""The models served, with their context (prompts over it are refused)."""

REQUESTS_PER_MINUTE = 300
TOKENS_PER_MINUTE = 300_000

STATUS_OF = {
    "malformed_json": 400,
    "invalid_model": 400,
    "invalid_messages": 400,
    "characters_too_long": 400,
    "tokens_too_long": 400,
    "invalid_argument": 400,
    "invalid_iam_token": 401,
    "invalid_appid": 401,
    "no_parameter_permission": 401,
    "system_unsafe": 403,
    "user_setting_unsafe": 403,
    "rpm_rate_limit_exceeded": 429,
    "tpm_rate_limit_exceeded": 429,
    "internal_error": 500,
}

DEFAULT_MESSAGE = {
    "malformed_json": "Malformed json",
    "invalid_model": "Invalid model",
    "invalid_messages": "Invalid messages",
    "characters_too_long": "Prompt characters too long",
    "tokens_too_long": "Prompt tokens too long",
    "invalid_argument": "Invalid argument",
    "invalid_iam_token": "IAM Certification failed",
    "invalid_appid": "Invalid appid",
    "no_parameter_permission": "No permission to use the parameter",
    "system_unsafe": "The input or output contains unsafe content",
    "user_setting_unsafe": "The input or output violates the user's safety settings",
    "rpm_rate_limit_exceeded": "Rate limit reached for requests per minute",
    "tpm_rate_limit_exceeded": "Rate limit reached for tokens per minute",
    "internal_error": "Internal error",
}

_TYPE = {400: "invalid_request_error", 401: "invalid_request_error", 403: "safety_error"}
_KEY = re.compile(r"bce-v3/ALTAK-[A-Za-z0-9_-]{1,128}/[A-Za-z0-9_-]{1,256}")
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9_]+|[^\sA-Za-z0-9_]")


def new_id() -> str:
    return f"as-{secrets.token_hex(5)}"


def key_of(request: Request) -> str | None:
    """The request's API key, when it has one of Qianfan's form."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _KEY.fullmatch(token):
        return None
    return token


def fault_code(fault: Fault) -> str:
    """The error code an ``error`` fault stands for on ``/v2``: its ``msg``,
    or ``invalid_iam_token`` for the web's default (请先登录, not signed in)."""
    return "invalid_iam_token" if fault.msg == WEB_NOT_SIGNED_IN else fault.msg


def error_body(code: str, message: str = "", status: int = 0) -> tuple[int, dict[str, Any]]:
    """The status and body of a Qianfan error: ``status`` 0 is the one
    ``code`` stands for."""
    status = status or STATUS_OF.get(code, 400)
    body = {
        "error": {
            "code": code,
            "message": message or DEFAULT_MESSAGE.get(code, code),
            "type": _TYPE.get(status, "rate_limit_error" if status == 429 else "server_error"),
        },
        "id": new_id(),
    }
    return status, body


def error(
    code: str, message: str = "", *, status: int = 0, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A Qianfan error reply (see :func:`error_body`)."""
    status, body = error_body(code, message, status)
    return JSONResponse(body, status_code=status, headers=headers)


def tokens_in(text: str) -> int:
    """About how many tokens ``text`` is: one per CJK character, word or mark."""
    return len(_TOKEN.findall(text))


class Meter:
    """Requests and tokens per key in the current minute, for the
    ``X-Ratelimit-*`` headers (nothing is refused for them)."""

    def __init__(self) -> None:
        self._minute = 0
        self._used: dict[str, list[int]] = {}

    def _of(self, key: str) -> list[int]:
        minute = int(time.time() // 60)
        if minute != self._minute:
            self._minute, self._used = minute, {}
        return self._used.setdefault(key, [0, 0])

    def count(self, key: str, tokens: int) -> None:
        used = self._of(key)
        used[0] += 1
        used[1] += tokens

    def headers(self, key: str, *, exhausted: str = "") -> dict[str, str]:
        """The headers for ``key``; ``exhausted`` (``"rpm"``/``"tpm"``) shows
        that limit as used up."""
        requests, tokens = self._of(key)
        left_requests = 0 if exhausted == "rpm" else max(0, REQUESTS_PER_MINUTE - requests)
        left_tokens = 0 if exhausted == "tpm" else max(0, TOKENS_PER_MINUTE - tokens)
        return {
            "X-Ratelimit-Limit-Requests": str(REQUESTS_PER_MINUTE),
            "X-Ratelimit-Remaining-Requests": str(left_requests),
            "X-Ratelimit-Limit-Tokens": str(TOKENS_PER_MINUTE),
            "X-Ratelimit-Remaining-Tokens": str(left_tokens),
        }
