"""The ERNIE Bot web protocol: an async client, its typed results and errors,
and the seed document's synchronous ``Ernie`` API. No Textual, no keyring."""

from ._acs import (
    AcsTokenProvider,
    AcsTokens,
    AcsTokensProvider,
    CommandAcsToken,
    CurlAcsToken,
    FixedAcsToken,
    NoAcsToken,
    UrlAcsToken,
)
from ._ask import is_thinking_model
from ._client import DEFAULT_BASE_URL, ErnieClient
from ._exceptions import (
    AccessRestrictedError,
    ErnieError,
    IncompleteAnswerError,
    NetworkError,
    NotSignedInError,
    ProtocolError,
    ReplyTooLargeError,
    ServerTimeoutError,
    ServiceError,
)
from ._http import Timeouts
from ._limits import Limits
from ._models import (
    Answer,
    AnswerPiece,
    Chat,
    Citation,
    ConversationDetail,
    Conversations,
    Session,
    Share,
)
from ._secret import Secret, mask
from ._stream import AnswerStream
from ._sync import Ernie
from ._url import display_url

__all__ = [
    "DEFAULT_BASE_URL",
    "AccessRestrictedError",
    "AcsTokenProvider",
    "AcsTokens",
    "AcsTokensProvider",
    "Answer",
    "AnswerPiece",
    "AnswerStream",
    "Chat",
    "Citation",
    "CommandAcsToken",
    "ConversationDetail",
    "Conversations",
    "CurlAcsToken",
    "Ernie",
    "ErnieClient",
    "ErnieError",
    "FixedAcsToken",
    "IncompleteAnswerError",
    "Limits",
    "NetworkError",
    "NoAcsToken",
    "NotSignedInError",
    "ProtocolError",
    "ReplyTooLargeError",
    "Secret",
    "ServerTimeoutError",
    "ServiceError",
    "Session",
    "Share",
    "Timeouts",
    "UrlAcsToken",
    "display_url",
    "is_thinking_model",
    "mask",
]
