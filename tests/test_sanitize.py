"""Untrusted server text never carries a control character to the terminal."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ernie_tui.sanitize import clean, clean_line, has_control

HOSTILE = [
    "\x1b]52;c;ZXZpbA==\x07",  # clipboard write
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",  # hidden link
    "\x1b[2J\x1b[H",  # clear screen
    "\x9b31m",  # one-byte C1 CSI
    "\x9d0;title\x9c",  # C1 OSC ... ST
    "\x1bP+q\x1b\\",  # DCS
    "\x07\x08\x00\x7f",
    "\u202eevil\u202c",  # bidi override
]


def _controls(text: str, *, allow: str) -> list[str]:
    return [
        ch
        for ch in text
        if ch not in allow
        and (
            unicodedata.category(ch) == "Cc"
            or "\u202a" <= ch <= "\u202e"
            or "\u2066" <= ch <= "\u2069"
        )
    ]


def test_known_sequences_are_removed_with_their_parameters() -> None:
    for seq in HOSTILE:
        out = clean(f"before {seq} after")
        assert _controls(out, allow="\n\t") == []
        assert out.startswith("before ") and out.endswith(" after")
    # The parameters of an OSC 52 write do not survive as visible text either.
    assert "ZXZpbA" not in clean("a\x1b]52;c;ZXZpbA==\x07b")
    assert clean("a\x1b]52;c;ZXZpbA==\x07b") == "ab"


def test_plain_text_wide_and_combining_characters_survive() -> None:
    text = "你好，世界 👋🏽 e\u0301 **bold** `code`\n\tindented"
    assert clean(text) == text
    assert not has_control(text)


def test_line_endings_become_newlines() -> None:
    assert clean("a\r\nb\rc") == "a\nb\nc"


def test_clean_line_is_one_line() -> None:
    assert clean_line("name\nwith\tbreaks\x1b[31m red") == "name with breaks red"


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_clean_never_leaves_a_control_character(text: str) -> None:
    out = clean(text)
    assert _controls(out, allow="\n\t") == []
    assert not has_control(out)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_clean_line_never_leaves_a_control_or_line_break(text: str) -> None:
    out = clean_line(text)
    assert _controls(out, allow="") == []
    assert "\n" not in out and "\r" not in out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=200))
def test_clean_keeps_text_without_controls(text: str) -> None:
    if not any("\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" for ch in text):
        assert clean(text) == text
