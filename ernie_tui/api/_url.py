"""Server addresses with a user name and password in them (``userinfo``):
shown with the password masked, sent without it in the URL."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

__all__ = ["display_url", "host_shown", "split_userinfo"]

MASK = "***"


def _userinfo_span(url: str) -> tuple[int, int]:
    """Where the userinfo of ``url`` starts and where its ``@`` is; ``(-1, -1)``
    when there is none.

    The userinfo ends at the last ``@`` before any query or fragment, which
    also covers a malformed address such as ``http://u:p/w@host`` (an unescaped
    ``/`` in the password): better to mask too much than to show a password."""
    scheme_end = url.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    end = len(url)
    for mark in "?#":
        found = url.find(mark, start)
        if found >= 0:
            end = min(end, found)
    at = url.rfind("@", start, end)
    return (start, at) if at >= 0 else (-1, -1)


def display_url(url: str) -> str:
    """``url`` as it may be shown (in errors, reprs and logs): a password in it
    becomes ``***``, as does a lone user name (often a token).

    ``http://me:secret@host/`` → ``http://me:***@host/``;
    ``https://token@host`` → ``https://***@host``."""
    start, at = _userinfo_span(url)
    if at < 0:
        return url
    user, colon, _ = url[start:at].partition(":")
    shown = f"{user}:{MASK}" if colon and user else MASK
    return url[:start] + shown + url[at:]


def split_userinfo(url: str) -> tuple[str, str, str] | None:
    """``url`` without its userinfo, and the (percent-decoded) user name and
    password that were in it; ``None`` when it has none."""
    start, at = _userinfo_span(url)
    if at < 0:
        return None
    user, _, password = url[start:at].partition(":")
    return url[:start] + url[at + 1 :], unquote(user), unquote(password)


def host_shown(base_url: str) -> str:
    """The host a client of ``base_url`` names itself by (its ``host``: with
    the port, a password masked), known without making the client."""
    shown = display_url(base_url.rstrip("/"))
    return urlsplit(shown).netloc or shown
