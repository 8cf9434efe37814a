"""The seam between the services and the rest of the house: one
:class:`Backend` protocol, its typed results and stream events, and the
implementations (:class:`WebBackend`: the ERNIE Bot web protocol). No Textual.

The results are the frozen dataclasses of ``ernie_tui.api`` and the errors its
``ErnieError`` tree, re-exported here so that callers need nothing else."""

from ..api import (
    AccessRestrictedError,
    Chat,
    ConversationDetail,
    Conversations,
    ErnieError,
    IncompleteAnswerError,
    NetworkError,
    NotSignedInError,
    ProtocolError,
    ReplyTooLargeError,
    ServerTimeoutError,
    ServiceError,
    Session,
    Share,
)
from ._base import (
    AnswerText,
    AskEvent,
    AskStream,
    Backend,
    Capabilities,
    Citation,
    Citations,
    Final,
    Ids,
    Images,
    ModelChoice,
    SearchHit,
    ThinkingText,
    Trimmed,
    Usage,
    Withheld,
)
from .web import WebAskStream, WebBackend

__all__ = [
    "AccessRestrictedError",
    "AnswerText",
    "AskEvent",
    "AskStream",
    "Backend",
    "Capabilities",
    "Chat",
    "Citation",
    "Citations",
    "ConversationDetail",
    "Conversations",
    "ErnieError",
    "Final",
    "Ids",
    "Images",
    "IncompleteAnswerError",
    "ModelChoice",
    "NetworkError",
    "NotSignedInError",
    "ProtocolError",
    "ReplyTooLargeError",
    "SearchHit",
    "ServerTimeoutError",
    "ServiceError",
    "Session",
    "Share",
    "ThinkingText",
    "Trimmed",
    "Usage",
    "WebAskStream",
    "WebBackend",
    "Withheld",
]
