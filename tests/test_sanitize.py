"""Untrusted server text never carries a control character, an invisible
format character or a lone surrogate to the terminal."""

from __future__ import annotations

import html.entities
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ernie_tui.sanitize import clean, clean_line, clean_rendered, has_control

HOSTILE = [
    "\x1b]52;c;ZXZpbA==\x07",  # clipboard write
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",  # hidden link
    "\x1b[2J\x1b[H",  # clear screen
    "\x9b31m",  # one-byte C1 CSI
    "\x9d0;title\x9c",  # C1 OSC ... ST
    "\x1bP+q\x1b\\",  # DCS
    "\x07\x08\x00\x7f",
    "\u202eevil\u202c",  # bidi override
    "\u2067isolate\u2069\u061c\u200e\u200f",  # isolates and marks
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad",  # zero-width, invisible
    "\U000e0001\U000e0041\U000e007f",  # tag characters
    "\udc9b\udc9d\ud800\udfff",  # lone surrogates (0x9B / 0x9D under surrogateescape)
    "\ufff9hidden\ufffb",  # interlinear annotation
]

# Format characters (Cf) that stay: joiners some scripts and emoji sequences
# need, and visible signs.
KEPT_FORMAT = frozenset(
    "\u200c\u200d"
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd"
)


def _dangerous(ch: str, *, allow: str) -> bool:
    if ch in allow:
        return False
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Zl", "Zp"):
        return True
    if category == "Cf":
        return ch not in KEPT_FORMAT
    # Characters that later Unicode versions than this Python's made format
    # controls, in blocks whose other members already are.
    return "\U00013430" <= ch <= "\U0001343f" or "\U000e0000" <= ch <= "\U000e007f"


def _leftovers(text: str, *, allow: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if _dangerous(ch, allow=allow)]


def test_known_sequences_are_removed_with_their_parameters() -> None:
    for seq in HOSTILE:
        for function in (clean, clean_rendered):
            out = function(f"before {seq} after")
            assert _leftovers(out, allow="\n\t") == []
            assert out.startswith("before ") and out.endswith(" after")
        assert _leftovers(clean_line(f"before {seq} after"), allow="") == []
    # The parameters of an OSC 52 write do not survive as visible text either.
    assert "ZXZpbA" not in clean("a\x1b]52;c;ZXZpbA==\x07b")
    assert clean("a\x1b]52;c;ZXZpbA==\x07b") == "ab"


def test_every_code_point_is_either_kept_as_it_is_or_removed() -> None:
    """The whole code space, one character at a time: the dangerous ones go,
    every other one is left exactly as it was."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if _dangerous(ch, allow="\t\n"):
            assert clean(ch) in ("", "\n"), f"U+{code:04X} survives clean"
            assert clean_rendered(ch) == "", f"U+{code:04X} survives clean_rendered"
            assert clean_line(ch) in ("", " "), f"U+{code:04X} survives clean_line"
            assert has_control(f"a{ch}b")
        else:
            assert clean(ch) == ch, f"U+{code:04X} is changed by clean"
            assert clean_rendered(ch) == ch, f"U+{code:04X} is changed by clean_rendered"
            assert not has_control(f"a{ch}b")
            if ch not in "\t\n":
                assert clean_line(ch) == ch, f"U+{code:04X} is changed by clean_line"


def test_lone_surrogates_are_removed_so_the_text_encodes() -> None:
    # json.loads('"\\udc9b"') gives a lone surrogate; written through
    # surrogateescape it would be the raw byte 0x9B, a C1 CSI.
    out = clean("a\udc9b[31mb\ud800c")
    assert out == "a[31mbc"
    assert out.encode("utf-8") == b"a[31mbc"
    assert clean_line("\udc9d0;t\x07x") == "0;tx"


def test_plain_text_wide_and_combining_characters_survive() -> None:
    text = "你好，世界 👋🏽 e\u0301 **bold** `code`\n\tindented 👩\u200d💻 ❤\ufe0f 1\ufe0f\u20e3"
    assert clean(text) == text
    assert clean_rendered(text) == text
    assert not has_control(text)
    persian = "می\u200cخواهم"  # ZWNJ is part of the word
    assert clean_line(persian) == persian


def test_line_endings() -> None:
    assert clean("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\ne"
    assert clean_rendered("a\r\nb\rc\u2028d\u2029e\tf") == "a\nbcde\tf"
    assert clean_line("name\nwith\tbreaks\x1b[31m red\u2028x") == "name with breaks red x"


# -- Hypothesis: text from every Unicode category ------------------------------------

EVERY_CATEGORY = st.characters(
    categories=(
        "Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs",
        "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me",
        "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
        "Sm", "Sc", "Sk", "So",
    )
)  # fmt: skip
SEQUENCE_PARTS = st.sampled_from(["\x1b", "\x1b[", "\x1b]", "\x9b", "\x9d", "\x07", "\x9c", ";"])
HOSTILE_TEXT = st.lists(
    st.one_of(EVERY_CATEGORY, SEQUENCE_PARTS, st.sampled_from(HOSTILE)),
    max_size=60,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(HOSTILE_TEXT)
def test_clean_never_leaves_anything_dangerous(text: str) -> None:
    out = clean(text)
    assert _leftovers(out, allow="\n\t") == []
    assert "\x1b" not in out
    assert not has_control(out)
    assert clean(out) == out
    out.encode("utf-8")  # no lone surrogate: encodes without an error


@settings(max_examples=600, deadline=None)
@given(HOSTILE_TEXT)
def test_clean_line_never_leaves_anything_dangerous_or_a_line_break(text: str) -> None:
    out = clean_line(text)
    assert _leftovers(out, allow="") == []
    assert "\n" not in out and "\r" not in out and "\t" not in out
    assert clean_line(out) == out


@settings(max_examples=600, deadline=None)
@given(HOSTILE_TEXT)
def test_clean_rendered_never_leaves_anything_dangerous_nor_adds_a_line(text: str) -> None:
    out = clean_rendered(text)
    assert _leftovers(out, allow="\n\t") == []
    # No line break is added; one is removed only inside a removed escape
    # string (an unterminated OSC runs to the end of the text).
    if any(ch in "\x1b\x90\x98\x9d\x9e\x9f" for ch in text):
        assert out.count("\n") <= text.count("\n")
    else:
        assert out.count("\n") == text.count("\n")
    assert clean_rendered(out) == out


# Ordinary text: Chinese, English, digits, punctuation, symbols, combining
# marks, spaces, emoji with skin tones, variation selectors and ZWJ.
ORDINARY = st.lists(
    st.one_of(
        st.characters(categories=("L", "M", "N", "P", "S", "Zs")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from(
            ["👋🏽", "👩\u200d💻", "👨\u200d👩\u200d👧", "❤\ufe0f", "1\ufe0f\u20e3", "🇨🇳", "😀"]
        ),
        st.sampled_from(sorted(KEPT_FORMAT)),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(ORDINARY)
def test_ordinary_text_is_unchanged(text: str) -> None:
    if any(_dangerous(ch, allow="") for ch in text):  # Mn/Mc/Me hold no such
        pytest.fail(f"the strategy made a dangerous character: {text!r}")
    assert clean(text) == text
    assert clean_line(text) == text
    assert clean_rendered(text) == text
    assert not has_control(text)


# -- Hypothesis: character references decoded by markdown-it --------------------------

_INVISIBLE_ENTITIES = sorted(
    name
    for name, value in html.entities.html5.items()
    if name.endswith(";") and any(_dangerous(ch, allow="\t\n") for ch in value)
)
_CODE_POINTS = st.one_of(
    st.integers(0, sys.maxunicode),
    st.sampled_from([0x9B, 0x9D, 0x1B, 0x202E, 0x2066, 0x200B, 0xFEFF, 0xAD, 0xD800, 0xDC9B]),
    st.integers(0xE0000, 0xE007F),
)
REFERENCE = st.one_of(
    _CODE_POINTS.map(lambda c: f"&#x{c:X};"),
    _CODE_POINTS.map(lambda c: f"&#x{c:x};"),
    _CODE_POINTS.map(lambda c: f"&#{c};"),
    st.sampled_from(_INVISIBLE_ENTITIES).map(lambda name: f"&{name}"),
)
MARKDOWN = st.lists(
    st.one_of(
        REFERENCE,
        st.sampled_from(["**", "_", "`", "[", "](http://e/", ")", "# ", "\n", "\n\n", "> ", "- "]),
        st.text(alphabet=EVERY_CATEGORY, max_size=5),
        st.sampled_from(["你好", "hello", "👩\u200d💻"]),
    ),
    max_size=40,
).map("".join)


def _token_texts(markdown: str) -> list[str]:
    texts: list[str] = []
    for token in MarkdownIt().parse(markdown):
        texts.append(token.content)
        for child in token.children or []:
            texts.append(child.content)
            texts.extend(str(value) for value in child.attrs.values())
    return texts


@settings(max_examples=500, deadline=None)
@given(MARKDOWN)
def test_character_references_decoded_by_markdown_it_are_cleaned(markdown: str) -> None:
    for text in [MarkdownIt().render(markdown), *_token_texts(markdown)]:
        out = clean_rendered(text)
        assert _leftovers(out, allow="\n\t") == [], (markdown, text)


def test_each_dangerous_reference_decodes_to_something_clean_rendered_removes() -> None:
    md = MarkdownIt()
    # The references do decode to the characters (so the last step is needed) …
    assert "\u202e" in md.render("a &#x202E; b")
    assert "\U000e0041" in md.render("&#xE0041;")
    # … and the last step removes them, and every invisible named entity.
    for reference in ["&#x202E;", "&#8238;", "&#xE0041;", "&#x2066;", "&#xFEFF;", "&#x200B;"]:
        assert clean_rendered(md.render(f"x{reference}y")) == "<p>xy</p>\n"
    for name in _INVISIBLE_ENTITIES:
        out = clean_rendered(md.render(f"x&{name}y"))
        assert _leftovers(out, allow="\n\t") == [], name
    assert "zwj;" not in _INVISIBLE_ENTITIES and "zwnj;" not in _INVISIBLE_ENTITIES
    assert "lrm;" in _INVISIBLE_ENTITIES and "shy;" in _INVISIBLE_ENTITIES
