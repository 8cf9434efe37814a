"""The errors of the Qianfan client: the ``ErnieError`` tree of
:mod:`ernie_tui.api`, with a few subclasses where a caller acts differently.

The tree (new classes marked ``+``)::

    ErnieError
    ├── ServiceError                 the service refused (HTTP status, error body)
    │   ├── NotSignedInError
    │   │   └── + KeyRefusedError    401 invalid_iam_token: the API key is bad or expired
    │   ├── + RateLimitedError       429: retry_after and the X-Ratelimit-* figures
    │   ├── + InputTooLongError      400 tokens_too_long / characters_too_long
    │   ├── + UnknownModelError      invalid_model: no such model, or not for this key
    │   ├── + UnsafeContentError     403 system_unsafe / user_setting_unsafe
    │   └── + ModelsUnavailableError the server keeps no model list (404, 405, not JSON)
    ├── NetworkError
    │   └── ServerTimeoutError       connect timeout, a stalled stream, a slow reply
    ├── ProtocolError
    │   └── ReplyTooLargeError       over the client's Limits
    └── IncompleteAnswerError        the stream ended before the answer finished

Other refusals (500 ``internal_error``, 400 ``invalid_argument``, …) are plain
:class:`ServiceError` with their HTTP ``status``. The server's own message is
kept in ``msg``; no message ever holds the API key.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping
from typing import Any

from ..api import NotSignedInError, ServiceError

__all__ = [
    "InputTooLongError",
    "KeyRefusedError",
    "ModelsUnavailableError",
    "RateLimitedError",
    "UnknownModelError",
    "UnsafeContentError",
    "error_fields",
    "error_for",
]

MAX_SHOWN = 200
"""The most characters of the server's own message an error repeats."""

_STATUS_OF = {
    "invalid_iam_token": 401,
    "invalid_appid": 401,
    "no_parameter_permission": 401,
    "system_unsafe": 403,
    "user_setting_unsafe": 403,
    "rpm_rate_limit_exceeded": 429,
    "tpm_rate_limit_exceeded": 429,
    "internal_error": 500,
}
"""The HTTP status an error code stands for, when it came without one (an
error body in place of a stream, or inside it)."""


class KeyRefusedError(NotSignedInError):
    """The service refused the API key: wrong, revoked or expired."""


class RateLimitedError(ServiceError):
    """Too many requests or tokens for the key's limits. ``retry_after`` is how
    many seconds to wait when the server said (``Retry-After`` or a reset
    header), else ``None``; the ``X-Ratelimit-*`` figures are ``None`` when
    the server sent none."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        limit_requests: int | None = None,
        remaining_requests: int | None = None,
        limit_tokens: int | None = None,
        remaining_tokens: int | None = None,
        msg: str = "",
        status: int | None = 429,
        partial: str = "",
    ) -> None:
        super().__init__(message, msg=msg, status=status, partial=partial)
        self.retry_after = retry_after
        self.limit_requests = limit_requests
        self.remaining_requests = remaining_requests
        self.limit_tokens = limit_tokens
        self.remaining_tokens = remaining_tokens


class InputTooLongError(ServiceError):
    """The thread sent is over a limit of the model: ``limit`` is ``"tokens"``
    (its context) or ``"characters"``."""

    def __init__(
        self, message: str, *, limit: str, msg: str = "", status: int | None = 400
    ) -> None:
        super().__init__(message, msg=msg, status=status)
        self.limit = limit


class UnknownModelError(ServiceError):
    """The service has no such ``model``, or this key may not use it."""

    def __init__(
        self, message: str, *, model: str, msg: str = "", status: int | None = 400
    ) -> None:
        super().__init__(message, msg=msg, status=status)
        self.model = model


class UnsafeContentError(ServiceError):
    """The service declined to answer for safety reasons."""


class ModelsUnavailableError(ServiceError):
    """The server keeps no model list (``GET /models`` is not there or answers
    something else): use :data:`~ernie_tui.qianfan.BUILTIN_MODELS`."""


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return ""


def error_fields(obj: Any) -> tuple[str, str] | None:
    """The error code and message of an error body (``{"error": {"code",
    "message", "type"}}``, or the older ``{"error_code", "error_msg"}``), or
    ``None`` when ``obj`` is not one."""
    if not isinstance(obj, Mapping):
        return None
    error = obj.get("error")
    if isinstance(error, Mapping):
        code = _text(error.get("code")) or _text(error.get("type"))
        return code, _text(error.get("message"))
    if isinstance(error, str) and error:
        return "", error
    if "error_code" in obj:
        return _text(obj.get("error_code")), _text(obj.get("error_msg"))
    return None


def _count(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


_DURATION = re.compile(r"(?:\d{1,9}(?:\.\d{0,9})?(?:ms|h|m|s))+")
_PART = re.compile(r"(\d{1,9}(?:\.\d{0,9})?)(ms|h|m|s)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _duration(value: str) -> float | None:
    """Seconds from ``Retry-After`` (seconds or an HTTP date) or an OpenAI-style
    reset header (``1s``, ``6m0s``, ``20ms``); ``None`` when it is none of them."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    if _DURATION.fullmatch(value):
        return sum(float(n) * _UNIT[unit] for n, unit in _PART.findall(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _rate_limited(code: str, shown: str, headers: Mapping[str, str], partial: str) -> ServiceError:
    retry_after = None
    for name in ("retry-after", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        retry_after = _duration(headers.get(name, ""))
        if retry_after is not None:
            break
    figures = {
        "limit_requests": _count(headers, "x-ratelimit-limit-requests"),
        "remaining_requests": _count(headers, "x-ratelimit-remaining-requests"),
        "limit_tokens": _count(headers, "x-ratelimit-limit-tokens"),
        "remaining_tokens": _count(headers, "x-ratelimit-remaining-tokens"),
    }
    tokens = code.startswith("tpm") or figures["remaining_tokens"] == 0
    if tokens and figures["limit_tokens"] is not None:
        which = f"the key's limit of {figures['limit_tokens']:,} tokens a minute"
    elif figures["limit_requests"] is not None:
        which = f"the key's limit of {figures['limit_requests']:,} requests a minute"
    else:
        which = "the key's rate limit"
    when = (
        f"Try again in {math.ceil(retry_after):,} s."
        if retry_after is not None
        else "Wait about a minute (the limits count per minute), then try again."
    )
    return RateLimitedError(
        f"Too many requests: over {which} ({shown}). {when}",
        retry_after=retry_after,
        msg=shown,
        partial=partial,
        **figures,
    )


def error_for(
    status: int | None,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    model: str = "",
    partial: str = "",
    hide: str = "",
) -> ServiceError:
    """The error for a refusal: an HTTP ``status`` (``None`` when the error
    body came in place of, or inside, a stream), the body's error ``code`` and
    ``message``, the reply's headers, the ``model`` asked for. ``hide`` (the
    API key) is masked wherever the server repeated it."""
    if hide:
        code, message = code.replace(hide, "***"), message.replace(hide, "***")
    code = code if len(code) <= 64 else code[:63] + "…"
    message = message if len(message) <= MAX_SHOWN else message[: MAX_SHOWN - 1] + "…"
    if status is None or status == 200:
        status = _STATUS_OF.get(code, 400 if code else 500)
    shown = f"{code}: {message}" if code and message else code or message or f"HTTP {status}"
    named = repr(model) if model else "asked for"
    if code == "invalid_model":
        text = (
            f"This API key may not use the model {named} ({shown}). Pick another model, "
            "or enable it for the key in the Qianfan console."
            if status == 401
            else f"The service has no model {named} ({shown}). Pick one from the model list."
        )
        error: ServiceError = UnknownModelError(text, model=model, msg=message, status=status)
    elif code == "invalid_appid":
        error = ServiceError(
            f"The service refused the app id (the appid setting) ({shown}). Check it, or "
            "leave it empty.",
            msg=message,
            status=status,
        )
    elif code == "no_parameter_permission":
        error = ServiceError(
            f"This API key may not use an option of the request, such as web search "
            f"({shown}). Turn the option off, or enable it in the Qianfan console.",
            msg=message,
            status=status,
        )
    elif code == "invalid_iam_token" or status == 401:
        error = KeyRefusedError(
            f"The API key was refused: it is wrong or expired ({shown}). Check the key (a Qianfan "
            "key looks like bce-v3/ALTAK-…/…) and sign in again with a valid one.",
            msg=message,
            status=status,
        )
    elif status == 429 or code.endswith("rate_limit_exceeded"):
        return _rate_limited(code, shown, headers or {}, partial)
    elif code == "tokens_too_long":
        error = InputTooLongError(
            f"The conversation is over the model's context limit ({shown}). Start a new "
            "conversation, shorten the question, or pick a model with a larger context.",
            limit="tokens",
            msg=message,
            status=status,
        )
    elif code == "characters_too_long":
        error = InputTooLongError(
            f"The question is over the model's character limit ({shown}). Shorten it, or "
            "start a new conversation.",
            limit="characters",
            msg=message,
            status=status,
        )
    elif code in ("system_unsafe", "user_setting_unsafe"):
        whose = "your account's safety settings" if code[0] == "u" else "the service's safety rules"
        error = UnsafeContentError(
            f"The service declined to answer: the conversation tripped {whose} ({shown}). "
            "Rephrase the question, or start a new conversation.",
            msg=message,
            status=status,
        )
    elif status >= 500:
        error = ServiceError(
            f"The service had an internal error ({shown}, HTTP {status}). Try again in a moment.",
            msg=message,
            status=status,
        )
    else:
        error = ServiceError(
            f"The service refused the request ({shown}, HTTP {status}).",
            msg=message,
            status=status,
        )
    error.partial = partial
    return error
