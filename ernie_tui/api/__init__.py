"""The ERNIE Bot web protocol: an async client, its typed results and errors,
and the seed document's synchronous ``Ernie`` API. No Textual, no keyring.

The errors, the typed results and the secrets are imported with the package;
the client and what sends (``httpx``: ~80 ms to import) only when first
named, so what merely shows conversations (the app's first screen on the
cache) starts without loading the network."""

from typing import TYPE_CHECKING

from .._lazy import lazy_names
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
from ._url import display_url, host_shown

if TYPE_CHECKING:
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
    from ._http import Timeouts
    from ._limits import Limits
    from ._stream import AnswerStream
    from ._sync import Ernie

_LAZY = {
    "AcsTokenProvider": "._acs",
    "AcsTokens": "._acs",
    "AcsTokensProvider": "._acs",
    "CommandAcsToken": "._acs",
    "CurlAcsToken": "._acs",
    "FixedAcsToken": "._acs",
    "NoAcsToken": "._acs",
    "UrlAcsToken": "._acs",
    "is_thinking_model": "._ask",
    "DEFAULT_BASE_URL": "._client",
    "ErnieClient": "._client",
    "Timeouts": "._http",
    "Limits": "._limits",
    "AnswerStream": "._stream",
    "Ernie": "._sync",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

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
    "host_shown",
    "is_thinking_model",
    "mask",
]
