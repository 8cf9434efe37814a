"""Making untrusted text from the server safe to show in a terminal.

Session names, answers, share keys and error messages come from the server.
Neither Rich nor Textual strips control characters, so a reply holding
``ESC ] 52`` (a clipboard write), ``ESC ] 8`` (a hidden link), ``ESC [ 2 J``
or a C1 control would reach the user's terminal. Everything the server says
passes through :func:`clean` (multi-line text) or :func:`clean_line` (one line:
names, keys, messages) before any widget sees it, and text that a Markdown
renderer produced (which decodes character references such as ``&#x202E;``)
passes through :func:`clean_rendered` at the last step.

What is removed, by all three:

- escape sequences, whole with their parameters (CSI, OSC, DCS, SOS, PM, APC,
  two-byte ``ESC`` sequences, and their one-byte C1 forms);
- C0 controls but tab and newline, DEL, C1 controls;
- lone surrogates (U+D800–U+DFFF): JSON can carry them (``"\\udc9b"``), and
  written to a terminal they either raise ``UnicodeEncodeError`` or, through
  ``surrogateescape``, become the raw byte 0x9B (a C1 CSI);
- invisible format characters that can hide, reorder or disguise text: the
  bidirectional marks, embeddings, overrides and isolates (U+061C,
  U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), zero-width space U+200B, word
  joiner and invisible operators U+2060–U+2064, the deprecated format controls
  U+206A–U+206F, U+FEFF, U+180E, the soft hyphen U+00AD (terminals do not
  hyphenate; some draw it, some do not, so it also breaks alignment),
  interlinear annotations U+FFF9–U+FFFB, the Egyptian hieroglyph, shorthand
  and musical format controls, and the tag characters U+E0000–U+E007F (so an
  emoji subdivision flag shows as its plain black flag).

Kept: ZWNJ U+200C and ZWJ U+200D (Persian, Indic scripts and emoji sequences
such as 👩‍💻 need them), variation selectors, combining marks, the visible
prepended number signs (U+0600–U+0605, U+06DD, U+070F, U+0890–U+0891,
U+08E2, U+110BD, U+110CD), private-use and unassigned code points.

Line breaks: :func:`clean` turns ``\\r\\n``, a lone ``\\r``, U+2028 and U+2029
into ``\\n``; :func:`clean_line` turns every line break and tab into a space;
:func:`clean_rendered` changes no line breaks (it removes ``\\r``, U+2028 and
U+2029, which a renderer has already laid out as zero-width).
"""

from __future__ import annotations

import re

__all__ = ["INVISIBLE", "clean", "clean_line", "clean_rendered", "has_control"]

_INVISIBLE_BMP = (
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero width space
    "\u200e\u200f"  # left-to-right / right-to-left mark
    "\u202a-\u202e"  # embeddings, pop, overrides
    "\u2060-\u2064"  # word joiner, invisible times/separator/plus, function application
    "\u2066-\u206f"  # isolates; deprecated shaping and swapping controls
    "\ufeff"  # zero width no-break space (BOM)
    "\ufff9-\ufffb"  # interlinear annotation anchor, separator, terminator
    "\ud800-\udfff"  # surrogates (only lone ones can be in a str decoded from JSON)
)
_INVISIBLE_ASTRAL = (
    "\U00013430-\U0001343f"  # Egyptian hieroglyph format controls
    "\U0001bca0-\U0001bca3"  # shorthand format controls
    "\U0001d173-\U0001d17a"  # musical symbol format controls
    "\U000e0000-\U000e007f"  # tag characters
)
#: The invisible format characters and lone surrogates removed besides the
#: C0/C1 controls, as the body of a regular-expression character class.
INVISIBLE = _INVISIBLE_BMP + _INVISIBLE_ASTRAL
_C0_C1 = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # all but tab and newline

# Whole escape sequences first, so their parameters do not survive as text:
# CSI (ESC [ or the C1 CSI) … final byte; OSC/DCS/SOS/PM/APC … terminated by
# BEL or ST (or unterminated to the end); two-byte ESC sequences.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Everything any of the functions removes or changes.
_HAS = re.compile(f"[{_C0_C1}\u2028\u2029{INVISIBLE}]")
_HAS_LINE = re.compile(f"[\t\n{_C0_C1}\u2028\u2029{INVISIBLE}]")
# The fast first look: the BMP characters exactly, and one range spanning the
# astral ones (every astral range in a class costs time on every character,
# BMP ones included; a single range costs little). Only when this finds an
# astral character (an emoji, say) does the exact search run, from there on.
_FIRST_LOOK = re.compile(f"[{_C0_C1}\u2028\u2029{_INVISIBLE_BMP}\U00013430-\U000e007f]")
_FIRST_LOOK_LINE = re.compile(f"[\t\n{_C0_C1}\u2028\u2029{_INVISIBLE_BMP}\U00013430-\U000e007f]")
# What is left to remove once the sequences are gone and line breaks handled.
_REMOVE = re.compile(f"[{_C0_C1}\u2028\u2029{INVISIBLE}]+")
_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")


def _found(first_look: re.Pattern[str], exact: re.Pattern[str], text: str) -> bool:
    match = first_look.search(text)
    if match is None:
        return False
    return match.group() < "\U00010000" or exact.search(text, match.start()) is not None


def clean(text: str) -> str:
    """``text`` with escape sequences, control and invisible format characters
    and lone surrogates removed; tabs and newlines stay (``\\r\\n``, a lone
    ``\\r``, U+2028 and U+2029 become ``\\n``)."""
    if not _found(_FIRST_LOOK, _HAS, text):
        return text
    text = _BREAKS.sub("\n", text)
    return _REMOVE.sub("", _SEQUENCES.sub("", text))


def clean_line(text: str) -> str:
    """One line of untrusted text: as :func:`clean`, with line breaks and tabs
    turned into spaces."""
    if not _found(_FIRST_LOOK_LINE, _HAS_LINE, text):
        return text
    text = _SEQUENCES.sub("", text)
    text = _LINE_BREAKS.sub(" ", text)
    return _REMOVE.sub("", text)


def clean_rendered(text: str) -> str:
    """Text a renderer produced (a Rich segment of rendered Markdown): the same
    removals as :func:`clean`, with no line break added or turned into another
    (``\\r``, U+2028 and U+2029 are removed; a newline goes only with the
    escape sequence it is inside)."""
    if not _found(_FIRST_LOOK, _HAS, text):
        return text
    return _REMOVE.sub("", _SEQUENCES.sub("", text))


def has_control(text: str) -> bool:
    """Whether ``text`` holds anything :func:`clean` would remove or change."""
    return _found(_FIRST_LOOK, _HAS, text)
