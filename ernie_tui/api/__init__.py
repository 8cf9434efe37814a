"""The ERNIE Bot web protocol: an async client, its typed results and errors,
and the seed document's synchronous ``Ernie`` API. No Textual, no keyring."""

from ._acs import AcsTokenProvider, CommandAcsToken, FixedAcsToken, NoAcsToken, UrlAcsToken
from ._client import DEFAULT_BASE_URL, AnswerStream, ErnieClient, Timeouts
from ._exceptions import (
    AccessRestrictedError,
    ErnieError,
    IncompleteAnswerError,
    NetworkError,
    NotSignedInError,
    ProtocolError,
    ServerTimeoutError,
    ServiceError,
)
from ._models import Answer, AnswerPiece, Chat, ConversationDetail, Conversations, Session, Share
from ._secret import Secret, mask
from ._sync import Ernie

__all__ = [
    "DEFAULT_BASE_URL",
    "AccessRestrictedError",
    "AcsTokenProvider",
    "Answer",
    "AnswerPiece",
    "AnswerStream",
    "Chat",
    "CommandAcsToken",
    "ConversationDetail",
    "Conversations",
    "Ernie",
    "ErnieClient",
    "ErnieError",
    "FixedAcsToken",
    "IncompleteAnswerError",
    "NetworkError",
    "NoAcsToken",
    "NotSignedInError",
    "ProtocolError",
    "Secret",
    "ServerTimeoutError",
    "ServiceError",
    "Session",
    "Share",
    "Timeouts",
    "UrlAcsToken",
    "mask",
]
