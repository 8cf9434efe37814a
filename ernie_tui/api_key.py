"""The Qianfan backend's credential: an API key (``bce-v3/ALTAK-…/…``), where
it came from, and reading it from what the user pastes (:func:`parse_api_key`).

It is a secret like the web cookies, with every rule of theirs
(:mod:`ernie_tui.credentials`): held in a :class:`~ernie_tui.api.Secret`, shown
only masked, never in argv, a log line, a repr or a file. It is kept as ONE
keyring item per server host: service ``ernie-tui/qianfan``, username = the
host of the base URL (``qianfan.baidubce.com``), value the JSON object
``{"API_KEY": "…"}``, every write read back to verify it; only a real OS
keyring counts. ``QIANFAN_API_KEY`` in the environment overrides the keyring.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass

from .api import Secret
from .cookies import Credential
from .credentials import (
    KEYRING_TIMEOUT,
    KeyringUnavailableError,
    read_item,
    remove_item,
    store_item,
)

__all__ = [
    "API_KEY_SERVICE",
    "ENV_API_KEY",
    "HOW_TO_GET_A_KEY",
    "AnyCredential",
    "ApiKeyCredential",
    "api_key_from_environment",
    "delete_api_key",
    "key_in_text",
    "load_api_key",
    "parse_api_key",
    "save_api_key",
]

log = logging.getLogger("ernie_tui.api_key")

ENV_API_KEY = "QIANFAN_API_KEY"
API_KEY_SERVICE = "ernie-tui/qianfan"

HOW_TO_GET_A_KEY = (
    "Get a key in the Qianfan console (https://console.bce.baidu.com/qianfan/ → "
    "API Key → Create API Key): it looks like bce-v3/ALTAK-…/…. An OpenAI-compatible "
    "service (e.g. AI Studio, --base-url https://aistudio.baidu.com/llm/lmapi/v3) takes "
    "its own access token the same way."
)

_PREFIX = "bce-v3/"
_QIANFAN_KEY = re.compile(r"bce-v3/ALTA\w*-", re.IGNORECASE)
_KEY_OK = re.compile(r"^[\x21-\x7e]+$")
_LABELS = re.compile(r"^(?:export\s+)?(?:QIANFAN_API_KEY\s*=|Authorization\s*:)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ApiKeyCredential:
    """An API key of the Qianfan V2 API (or of an OpenAI-compatible service),
    and where it came from (``environment``, ``keyring``, ``session`` for
    this run only, or ``demo``). ``repr`` shows it masked."""

    key: Secret
    source: str = "session"

    @property
    def masked(self) -> str:
        """The key as the status line shows it: ``bce-v3/ALTA…`` and its last
        four characters for a Qianfan key, else the first and last four."""
        value = self.key.reveal()
        if value.startswith(_PREFIX) and len(value) > len(_PREFIX) + 10:
            return _PREFIX + Secret(value[len(_PREFIX) :]).masked
        return self.key.masked


AnyCredential = Credential | ApiKeyCredential
"""What signs a backend in: the web cookies, or an API key."""


def key_in_text(text: str) -> bool:
    """Whether ``text`` holds something shaped like a Qianfan API key (the
    command line refuses it before anything can echo it)."""
    return _QIANFAN_KEY.search(text) is not None


def api_key_from_environment() -> ApiKeyCredential | None:
    """The key in ``QIANFAN_API_KEY``, when it is set."""
    value = os.environ.get(ENV_API_KEY, "").strip()
    return ApiKeyCredential(Secret(value), "environment") if value else None


def parse_api_key(text: str) -> ApiKeyCredential:
    """The API key in what the user pasted: the key alone, or with its
    ``Bearer``, ``Authorization:`` or ``QIANFAN_API_KEY=`` label, quotes
    around it allowed. Raises :class:`ValueError` with a user-facing message
    that never echoes what was pasted."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        raise ValueError(f"Nothing was pasted. {HOW_TO_GET_A_KEY}")
    if len(lines) > 1:
        raise ValueError(
            f"What was pasted has {len(lines)} lines; an API key is one line. Paste the key alone."
        )
    value = _LABELS.sub("", lines[0]).strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    if not value:
        raise ValueError(f"No API key in what was pasted. {HOW_TO_GET_A_KEY}")
    if not _KEY_OK.match(value):
        raise ValueError(
            "What was pasted holds spaces or control characters, so it is not an API key "
            f"(its {len(value)} characters are not shown). Paste the key alone, whole."
        )
    if len(value) < 16:
        raise ValueError(f"That is too short to be an API key ({len(value)} characters).")
    return ApiKeyCredential(Secret(value), "session")


# -- the keyring item --------------------------------------------------------------


def load_api_key(host: str, timeout: float = KEYRING_TIMEOUT) -> ApiKeyCredential | None:
    """The API key for ``host`` (its base URL's host): ``QIANFAN_API_KEY``
    first (source ``environment``), then the keyring (source ``keyring``);
    ``None`` when neither has one. A missing, broken or hanging keyring gives
    ``None``."""
    credential = api_key_from_environment()
    if credential is not None:
        return credential
    try:
        raw = read_item(API_KEY_SERVICE, host, timeout)
    except Exception as exc:
        log.debug("no API key from the keyring for %s: %s", host, type(exc).__name__)
        return None
    if raw is None:
        return None
    try:
        obj = json.loads(raw)
    except ValueError:
        obj = None
    key = obj.get("API_KEY") if isinstance(obj, dict) else None
    if not isinstance(key, str) or not key.strip():
        log.debug("the keyring item for %s is not an API key this version understands", host)
        return None
    return ApiKeyCredential(Secret(key), "keyring")


def save_api_key(host: str, credential: ApiKeyCredential, timeout: float = KEYRING_TIMEOUT) -> None:
    """Store the key as the one keyring item for ``host`` and read it back to
    verify. Raises :class:`~ernie_tui.credentials.KeyringUnavailableError`
    (its remedies naming ``QIANFAN_API_KEY``) when there is no usable keyring,
    it fails, it hangs, or it does not keep what was written."""
    value = json.dumps({"API_KEY": credential.key.reveal()})
    try:
        store_item(API_KEY_SERVICE, host, value, timeout)
    except KeyringUnavailableError as exc:
        raise KeyringUnavailableError(exc.reason, env=(ENV_API_KEY,)) from None


def delete_api_key(host: str, timeout: float = KEYRING_TIMEOUT) -> bool:
    """Remove the key's keyring item for ``host``: ``True`` when one was
    removed, ``False`` when there was none. Raises
    :class:`~ernie_tui.credentials.KeyringUnavailableError` when there is no
    usable keyring or it fails."""
    try:
        return remove_item(API_KEY_SERVICE, host, timeout)
    except KeyringUnavailableError as exc:
        raise KeyringUnavailableError(exc.reason, env=(ENV_API_KEY,)) from None
