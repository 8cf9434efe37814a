"""What the user gives the command line: standard input read as UTF-8 text
within a limit, and ids from the command line checked to be text."""

from __future__ import annotations

import argparse
import re
import sys
from typing import BinaryIO

from .exits import EXIT_USAGE, Fail

__all__ = ["MAX_STDIN", "check_text_arguments", "not_utf8", "read_stdin"]

MAX_STDIN = 1 << 20


def not_utf8(text: str) -> str | None:
    """Why ``text`` (from argv or a file) is not text the server can take: a
    byte that was not UTF-8 (decoded with ``surrogateescape``) or another lone
    surrogate; None when it is fine."""
    bad = re.search("[\ud800-\udfff]", text)
    if bad is None:
        return None
    code = ord(bad.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"the byte 0x{code - 0xDC00:02X}, which is not UTF-8"
    return f"U+{code:04X}, a lone surrogate"


def read_stdin(what: str) -> str:
    """Standard input as UTF-8 text, at most ``MAX_STDIN`` characters' worth;
    raises Fail(2) naming ``what`` when it is closed, not UTF-8 or too long.
    The message never quotes what was read (it may be cookies)."""
    stream = sys.stdin
    if stream is None or stream.closed:
        raise Fail(f"standard input is closed, so {what} cannot be read from it.", EXIT_USAGE)
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    if buffer is None:  # replaced by a text-only stream
        return stream.read(MAX_STDIN)
    cap = 4 * MAX_STDIN  # UTF-8 takes at most 4 bytes a character
    data = buffer.read(cap + 1)
    if len(data) > cap:
        raise Fail(
            f"standard input holds more than {cap >> 20} MiB; that is too long for {what}.",
            EXIT_USAGE,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Fail(
            f"standard input is not UTF-8 text (byte {exc.start + 1} of {len(data)} is not), "
            f"so {what} cannot be read from it. Convert it first, e.g. with "
            "`iconv -f GB18030 -t UTF-8`.",
            EXIT_USAGE,
        ) from None


def check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an id given on the command line that is not UTF-8 text (the
    question is checked when it is read; file names may be any bytes)."""
    for name, label in (
        ("session", "--session"),
        ("parent", "--parent"),
        ("session_id", "the conversation id"),
    ):
        value = getattr(args, name, None)
        problem = not_utf8(value) if isinstance(value, str) else None
        if problem is not None:
            raise Fail(
                f"{label} holds {problem}; ids are digits, as `ernie-tui list` prints them.",
                EXIT_USAGE,
            )
