"""What a question sends: the fields of the ask body beyond those every
request has, and the headers of the chat request. The service added fields
over time (``isNewYiyan``, ``isSlowThought``, ``deepThoughtStatus``,
``webSearch``, ``pluginIds``, ``file_ids``, a non-empty ``jt``); older and
newer forms of it take them all."""

from __future__ import annotations

from typing import Any

from ._acs import AcsTokens
from ._exceptions import AccessRestrictedError
from ._http import origin_of

__all__ = ["ask_fields", "ask_headers", "is_thinking_model", "with_hint"]


def is_thinking_model(model: str) -> bool:
    """Whether the web service's ``model`` code is a thinking model (ERNIE X1:
    ``X1``, ``X1_1``, ``X1T``…), asked with ``isSlowThought``."""
    return model.upper().startswith("X1")


def ask_fields(
    *,
    question: str,
    session_id: str,
    session_name: str,
    parent_chat_id: str,
    model: str,
    web_search: bool,
    tokens: AcsTokens | None,
) -> dict[str, Any]:
    """The ask body's own fields (``deviceType`` and ``timestamp`` aside)."""
    thinking = is_thinking_model(model)
    return {
        "code": 0,
        "jt": tokens.jt.reveal() if tokens else "",
        "msg": "",
        "model": model,
        "parentChatId": parent_chat_id,
        "pluginInfo": [],
        "plugins": [],
        "pluginIds": "",
        "sessionId": session_id,
        "sessionName": session_name,
        "sign": tokens.sign.reveal() if tokens else "",
        "text": question,
        "type": 10,
        "isNewYiyan": True,
        "isSlowThought": thinking,
        "deepThoughtStatus": 1 if thinking else 0,
        "webSearch": 1 if web_search else 0,
        "file_ids": None,
    }


def ask_headers(base_url: str, session_id: str, tokens: AcsTokens | None) -> dict[str, str]:
    """The chat request's headers: a ``Referer`` of the conversation's page, and
    the ``Acs-Token`` and the browser's other cookies when there are any (the
    credential's cookies are added to these as the request is sent)."""
    origin = origin_of(base_url)
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream, application/json",
        "Referer": f"{origin}/chat/{session_id}" if session_id else f"{origin}/",
    }
    if tokens is not None:
        if tokens.acs_token:
            headers["Acs-Token"] = tokens.acs_token.reveal()
        if tokens.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v.reveal()}" for k, v in tokens.cookies)
    return headers


def with_hint(exc: AccessRestrictedError, hint: str) -> AccessRestrictedError:
    """``exc`` with the token provider's word on expired tokens added."""
    if not hint:
        return exc
    return AccessRestrictedError(
        f"{exc.message} {hint}", code=exc.code, msg=exc.msg, status=exc.status, partial=exc.partial
    )
