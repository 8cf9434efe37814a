"""Making untrusted text from the server safe to show in a terminal.

Session names, answers, share keys and error messages come from the server.
Neither Rich nor Textual strips control characters, so a reply holding
``ESC ] 52`` (a clipboard write), ``ESC ] 8`` (a hidden link), ``ESC [ 2 J``
or a C1 control would reach the user's terminal. Everything the server says
passes through :func:`clean` (multi-line text) or :func:`clean_line` (one line:
names, keys, messages) before any widget sees it.
"""

from __future__ import annotations

import re

__all__ = ["clean", "clean_line", "has_control"]

# Whole escape sequences first, so their parameters do not survive as text:
# CSI (ESC [ or the C1 CSI) … final byte; OSC/DCS/SOS/PM/APC … terminated by
# BEL or ST (or unterminated to the end); two-byte ESC sequences.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Any control character left: C0 but tab and newline, DEL, C1; also the
# bidirectional overrides and zero-width joiners' dangerous cousins that can
# reorder what the user sees.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_HAS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` with escape sequences and control characters removed; tabs and
    newlines stay (``\\r\\n`` and a lone ``\\r`` become ``\\n``)."""
    if not _HAS.search(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def clean_line(text: str) -> str:
    """One line of untrusted text: as :func:`clean`, with line breaks and tabs
    turned into spaces."""
    text = _SEQUENCES.sub("", text)
    text = re.sub(r"[\t\n\r\u2028\u2029]+", " ", text)
    return _CONTROLS_LINE.sub("", text)


def has_control(text: str) -> bool:
    """Whether ``text`` holds anything :func:`clean` would remove."""
    return bool(_HAS.search(text))
