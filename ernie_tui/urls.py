"""Server addresses: whether a text can be one (:func:`url_problem`), and the
host that names one's keyring item (:func:`host_of`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["host_of", "url_problem"]


def _character(ch: str) -> str:
    """A character no address holds, named for the user."""
    import unicodedata

    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"the byte 0x{code - 0xDC00:02X} (not UTF-8 text)"
    category = unicodedata.category(ch)
    if category == "Cs":
        return f"a lone surrogate (U+{code:04X}, not text)"
    if category in ("Zs", "Zl", "Zp") or ch in "\t\n\r\f\v":
        kind = "a space" if ch == " " else "a blank"
    elif category == "Cc":
        kind = "a control character"
    else:
        kind = "an invisible formatting character"
    return f"{kind} (U+{code:04X})"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a server address, as the end of a sentence about
    it ("… must be …", "… holds …"), or None when it can be one. The reason
    never repeats the address, which may hold a password."""
    from .sanitize import INVISIBLE

    bad = re.search(f"[\\s\\x00-\\x1f\\x7f-\\x9f{INVISIBLE}]", url)
    if bad:
        return (
            f"holds {_character(bad.group())} at character {bad.start() + 1}; a server "
            "address has none: write it in plain characters, like https://yiyan.baidu.com."
        )
    if not re.match(r"https?://", url):
        return "must be an http:// or https:// address, like https://yiyan.baidu.com."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        reason = str(exc)
        if "IPv6" in reason:
            return (
                "has an unclosed or misplaced '[': an IPv6 address goes in brackets, "
                "like http://[::1]:8765."
            )
        if "port" in reason.lower():
            return "has a port that is not a number from 1 to 65535."
        return "is not a valid address: '[' and ']' go only around an IPv6 address."
    if not parts.hostname:
        return "names no host, like https://yiyan.baidu.com."
    if port == 0:
        return "has port 0; a port is a number from 1 to 65535."
    return None


def host_of(base_url: str) -> str:
    """The host (with a port when there is one) that names the keyring item:
    ``https://yiyan.baidu.com/`` → ``yiyan.baidu.com``."""
    text = base_url.strip()
    if "://" not in text:
        text = "//" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if not host:
        return base_url.strip().lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if port is not None and port != default:
        host = f"{host}:{port}"
    return host
