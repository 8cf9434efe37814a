"""Every error the ERNIE Bot client raises.

The tree::

    ErnieError                      base: catch this to catch them all
    ├── ServiceError                the service answered code != 0 or a bad HTTP status
    │   ├── NotSignedInError        请先登录: cookie missing, wrong or expired
    │   └── AccessRestrictedError   用户访问被限制: rate limit, ban, bad Acs-Token
    ├── NetworkError                the service could not be reached (refused, DNS, reset)
    │   └── ServerTimeoutError      connect timeout, no event for the idle timeout, or
    │                               an ordinary reply not whole within the request timeout
    ├── ProtocolError               a reply that could not be understood
    │   └── ReplyTooLargeError      a reply, stream line or answer over the client's limits
    └── IncompleteAnswerError       the answer stream ended before its last message

Each message says what happened and what to do, in the user's terms. An error
raised while an answer was streaming carries what arrived so far in
``partial`` (empty when nothing did). No message ever holds a credential.
"""

from __future__ import annotations

__all__ = [
    "AccessRestrictedError",
    "ErnieError",
    "IncompleteAnswerError",
    "NetworkError",
    "NotSignedInError",
    "ProtocolError",
    "ReplyTooLargeError",
    "ServerTimeoutError",
    "ServiceError",
]

NOT_SIGNED_IN_MSG = "请先登录"
RESTRICTED_MSG = "用户访问被限制"


class ErnieError(Exception):
    """Base of every error this client raises."""

    def __init__(self, message: str, *, partial: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.partial = partial

    def __str__(self) -> str:
        return self.message


class ServiceError(ErnieError):
    """The service refused the request: ``code != 0`` or a non-200 status."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        msg: str = "",
        status: int | None = None,
        partial: str = "",
    ) -> None:
        super().__init__(message, partial=partial)
        self.code = code
        self.msg = msg
        self.status = status


class NotSignedInError(ServiceError):
    """The cookies are missing, wrong or expired (the service said 请先登录)."""


class AccessRestrictedError(ServiceError):
    """The service restricted this account (用户访问被限制): rate limit, ban or a
    missing or stale Acs-Token."""


class NetworkError(ErnieError):
    """The service could not be reached or the connection broke."""


class ServerTimeoutError(NetworkError):
    """Connecting took too long, or the service went silent for too long."""


class ProtocolError(ErnieError):
    """A reply the client could not understand (not JSON, wrong shape)."""


class ReplyTooLargeError(ProtocolError):
    """A reply bigger than the client takes (see :class:`~ernie_tui.api.Limits`):
    an ordinary reply, one line or event of the answer stream, or the answer's
    text. It was stopped there; ``partial`` holds the answer text that arrived
    (empty for an ordinary reply) and ``limit`` the limit that was passed."""

    def __init__(self, message: str, *, limit: int, partial: str = "") -> None:
        super().__init__(message, partial=partial)
        self.limit = limit


class IncompleteAnswerError(ErnieError):
    """The answer stream ended without its final message; ``partial`` holds what
    arrived."""


def service_error(code: int, msg: str, *, partial: str = "") -> ServiceError:
    """The right :class:`ServiceError` for an envelope with ``code != 0``."""
    shown = msg or "no reason given"
    if NOT_SIGNED_IN_MSG in msg:
        return NotSignedInError(
            f"Not signed in ({shown}): the BAIDUID/BDUSS_BFESS cookies are missing or "
            "expired. Sign in again with fresh cookies from your browser.",
            code=code,
            msg=msg,
            partial=partial,
        )
    if RESTRICTED_MSG in msg or "ban" in msg.lower():
        return AccessRestrictedError(
            f"Access restricted by the service ({shown}): too many requests, a banned "
            "account or a missing Acs-Token. Wait a while before trying again, and check "
            "the Acs-Token setting.",
            code=code,
            msg=msg,
            partial=partial,
        )
    return ServiceError(
        f"The service refused the request (code {code}: {shown}).",
        code=code,
        msg=msg,
        partial=partial,
    )


def http_status_error(status: int, *, partial: str = "") -> ServiceError:
    """A :class:`ServiceError` for a reply with a non-200 HTTP status."""
    if status >= 500:
        text = f"The service had an internal error (HTTP {status}). Try again in a moment."
    elif status in (401, 403):
        text = f"The service refused access (HTTP {status}). Sign in again."
        return NotSignedInError(text, status=status, partial=partial)
    else:
        text = f"The service answered HTTP {status}; the request was not carried out."
    return ServiceError(text, status=status, partial=partial)
