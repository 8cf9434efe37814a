"""The library's account for each backend's sign-in: a digest, never the
credential. Kept apart from the backends so that what only reads the library
(the app's first screen) names an account without importing a client."""

from __future__ import annotations

import hashlib

from ..api import Secret

__all__ = ["qianfan_account_of", "web_account_of"]


def web_account_of(host: str, bduss: Secret) -> str:
    """The library's account for a web sign-in: a digest of the server's host
    and the BDUSS cookie, never the cookie (one cache per account and host)."""
    digest = hashlib.sha256(f"{host}\n{bduss.reveal()}".encode()).hexdigest()[:24]
    return f"web:{digest}"


def qianfan_account_of(api_key: Secret) -> str:
    """The library's account for an API key: a digest, never the key."""
    digest = hashlib.sha256(api_key.reveal().encode()).hexdigest()[:24]
    return f"qianfan:{digest}"
