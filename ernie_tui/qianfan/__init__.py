"""The Qianfan V2 API (Baidu's official ERNIE API, OpenAI-compatible): an
async client, its typed values and its errors. No Textual, no keyring.

Errors are those of :mod:`ernie_tui.api` (``ErnieError`` and its tree), with
the subclasses listed in :mod:`._exceptions`; the API key is a
:class:`~ernie_tui.api.Secret` and shows in no repr, log line or error."""

from ._client import CHECK_MODEL, DEFAULT_BASE_URL, QianfanClient
from ._exceptions import (
    InputTooLongError,
    KeyRefusedError,
    ModelsUnavailableError,
    RateLimitedError,
    UnknownModelError,
    UnsafeContentError,
)
from ._models import (
    BUILTIN_MODELS,
    ChatMessage,
    ChatReply,
    Citation,
    Delta,
    ModelInfo,
    Role,
    Usage,
    model_info,
)
from ._stream import ChatStream

__all__ = [
    "BUILTIN_MODELS",
    "CHECK_MODEL",
    "DEFAULT_BASE_URL",
    "ChatMessage",
    "ChatReply",
    "ChatStream",
    "Citation",
    "Delta",
    "InputTooLongError",
    "KeyRefusedError",
    "ModelInfo",
    "ModelsUnavailableError",
    "QianfanClient",
    "RateLimitedError",
    "Role",
    "UnknownModelError",
    "UnsafeContentError",
    "Usage",
    "model_info",
]
