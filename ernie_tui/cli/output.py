"""Safe printing for the command line: messages shown without control
characters, JSON safe for a terminal, printing that never fails on the
terminal's encoding, and files written atomically."""

from __future__ import annotations

import os
import re
import sys
from typing import Any, TextIO

from .exits import Fail

__all__ = ["err", "json_dumps", "never_raise_on_encoding", "print_rows", "shown", "write_file"]


def shown(text: str) -> str:
    """A message for the terminal, made of our own words, what the user typed
    and file names (server text in it has been through the sanitiser): a byte
    that was not UTF-8 (a surrogate from ``surrogateescape``) and every control
    or invisible character but newline and tab show as escapes (``\\udcff``,
    ``\\x1b``), so the terminal acts on none and the user sees what is there."""
    from ..sanitize import INVISIBLE

    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    unshowable = f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{INVISIBLE}]"
    return re.sub(unshowable, lambda m: m.group().encode("unicode_escape").decode(), text)


def err(message: str) -> None:
    print(f"ernie-tui: {shown(message)}", file=sys.stderr, flush=True)


def print_rows(out: TextIO, rows: list[tuple[str, str]]) -> None:
    """``key: value`` lines, the values aligned (``status``)."""
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        print(f"{key + ':':<{width}} {shown(value)}", file=out)
    out.flush()


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"  # a lone surrogate is no text: what a UTF-8 decoder shows
    if code > 0xFFFF:  # a tag character: as JSON writes it, a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_dumps(obj: Any) -> str:
    """JSON with Chinese kept readable, safe to print to a terminal, and valid
    UTF-8 (I-JSON, RFC 7493): every character the sanitiser would remove is
    written as an escape (``\\u001b``, ``\\u009b``, ``\\u202e``), so a script
    still gets exactly what the server sent; a lone surrogate, which is not
    text and which no UTF-8 can hold, becomes U+FFFD."""
    import json

    from ..sanitize import INVISIBLE

    unsafe = re.compile(f"[\x7f-\x9f\u2028\u2029{INVISIBLE}]")
    return unsafe.sub(_json_escape, json.dumps(obj, ensure_ascii=False, indent=2))


def write_file(path: str, text: str) -> None:
    """Write atomically: a reader never sees half a file, a failure leaves the
    old file as it was and no temporary file behind."""
    import contextlib
    import tempfile
    from pathlib import Path

    target = Path(path).expanduser()
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise Fail(f"cannot write {target}: {exc.strerror or exc}.") from None
    try:
        # The text is sanitised; "replace" is the last guard, never an error.
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException as exc:  # whatever went wrong, ^C included: no temporary file stays
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise Fail(f"cannot write {target}: {exc.strerror or exc}.") from None
        raise


def never_raise_on_encoding() -> None:
    """Make printing never fail on a character the terminal's encoding lacks:
    stdout writes ``?`` for it (never the raw byte that ``surrogateescape``, as
    in Python's UTF-8 mode, would make of a lone surrogate), stderr a
    backslash escape (as Python does there already). What is printed has been
    through the sanitiser; this is the last guard."""
    import io

    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper) and not stream.closed:
            stream.reconfigure(errors=errors)
