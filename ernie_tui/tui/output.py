"""The app's terminal output, written in fewer bytes (for SSH links).

Textual writes every piece of a line with its whole style and a reset after
it (``ESC[38;2;224;224;224;48;2;18;18;18m text ESC[0m``), moves the cursor
before every piece and again at the end of each line, and writes blank cells
one space at a time: of the ~9.4 KB a repaint of the history pane costs,
~5.5 KB were colours and resets and ~2 KB spaces. :class:`Compactor` writes
the same screen with less:

- only the attributes that change between two pieces, or a reset and the new
  ones when that is shorter;
- blank cells in whatever foreground is current (a space shows only its
  background, unless it is underlined, struck, overlined or reversed);
- runs of blank cells erased in one step (``ECH``, plus a cursor move when
  text follows) where the terminal erases in the current background, as its
  terminfo's ``bce`` says;
- one cursor move where Textual wrote several in a row (a line feed among
  them only where it cannot scroll: the next move goes further down).

The terminal is left in the same attributes after each write as Textual
would leave it. :func:`compact_output` makes a driver class write through it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["Compactor", "compact_output", "erases_in_background"]

_TOKEN = re.compile(
    r"\x1b\[([0-9;:?<>=]*)[ -/]*([@-~])"  # CSI: parameters, final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (hyperlinks, titles)
    r"|\x1b.?"  # any other escape
    r"|\n|\r"
    r"|( +)"  # blank cells
    r"|[^\x1b\n\r ]+",
    re.S,
)

# Attribute codes and the bit each sets in a state's flags.
_ON = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16, 6: 32, 7: 64, 8: 128, 9: 256, 21: 512, 51: 1024, 52: 2048}
_ON[53] = 4096
# Codes that turn attributes off, and the bits they clear.
_OFF = {22: 1 | 2, 23: 4, 24: 8 | 512, 25: 16 | 32, 27: 64, 28: 128, 29: 256, 54: 1024 | 2048}
_OFF[55] = 4096
_BIT_CODE = {bit: code for code, bit in _ON.items()}
_SHOWN_ON_BLANKS = 8 | 64 | 256 | 512 | 1024 | 2048 | 4096
"""Underline, reverse, strike, double underline, frame, circle, overline:
the attributes a blank cell shows."""

State = tuple[int, str, str]
"""Flags, foreground and background (their SGR parameters, ``""`` for the
terminal's default)."""
DEFAULT: State = (0, "", "")
_COLOUR = re.compile(r"(?:3|4|9|10)[0-7]")

ECH_FROM = 8
"""The shortest run of blank cells erased rather than written."""


def _apply(state: State | None, params: str) -> State | None:
    """``state`` after the SGR sequence with ``params``; ``None`` for a
    sequence this does not understand (the state is then unknown)."""
    codes = params.split(";")
    if ":" in params or (state is None and codes[0] not in ("", "0")):
        return None
    flags, fg, bg = state if state is not None else DEFAULT
    index = 0
    while index < len(codes):
        code = codes[index]
        index += 1
        if code in ("", "0"):
            flags, fg, bg = DEFAULT
            continue
        if not code.isdigit():
            return None
        number = int(code)
        if number in (38, 48):
            kind = codes[index] if index < len(codes) else ""
            width = 2 if kind == "5" else 4 if kind == "2" else 0
            if not width or index + width > len(codes):
                return None
            colour = ";".join([code, *codes[index : index + width]])
            index += width
            if number == 38:
                fg = colour
            else:
                bg = colour
        elif number in _ON:
            flags |= _ON[number]
        elif number in _OFF:
            flags &= ~_OFF[number]
        elif number == 39:
            fg = ""
        elif number == 49:
            bg = ""
        elif _COLOUR.fullmatch(code):
            if number < 40 or 90 <= number < 100:
                fg = code
            else:
                bg = code
        else:
            return None
    return flags, fg, bg


def _absolute(state: State) -> list[str]:
    flags, fg, bg = state
    params = [str(_BIT_CODE[bit]) for bit in sorted(_BIT_CODE) if flags & bit]
    return [*params, *([fg] if fg else []), *([bg] if bg else [])]


def _transition(current: State | None, target: State) -> str:
    """The shortest SGR sequence that takes the terminal from ``current``
    (``None``: unknown) to ``target``; ``""`` when they are the same."""
    if current == target:
        return ""
    reset = "\x1b[" + ";".join(["0", *_absolute(target)]) + "m"
    if current is None:
        return reset
    flags, fg, bg = current
    want, want_fg, want_bg = target
    params: list[str] = []
    cleared = 0
    for code, bits in _OFF.items():
        if flags & bits & ~want:
            params.append(str(code))
            cleared |= bits
    kept = flags & ~cleared
    params.extend(str(_BIT_CODE[bit]) for bit in sorted(_BIT_CODE) if want & bit & ~kept)
    if fg != want_fg:
        params.append(want_fg or "39")
    if bg != want_bg:
        params.append(want_bg or "49")
    diff = "\x1b[" + ";".join(params) + "m"
    return diff if len(diff) < len(reset) else reset


class Compactor:
    """Rewrites what Textual writes to the terminal into fewer bytes that
    draw the same screen. One per terminal: it knows the attributes each
    write left the terminal in."""

    def __init__(self, *, erase: bool) -> None:
        self.erase = erase
        """Whether runs of blank cells may be erased (the terminal's ``bce``)."""
        self.state: State | None = None
        """The terminal's attributes as the last write left them (``None``:
        not known, as before the first write)."""

    def forget(self) -> None:
        """The terminal may have been written to by someone else (the app
        was suspended): assume nothing of its attributes."""
        self.state = None

    def compact(self, data: str) -> str:
        if "\x1b" not in data:
            return data
        out: list[str] = []
        emit = out.append
        shown = self.state  # the attributes the terminal has
        wanted = shown  # the attributes Textual asked for
        motion: list[str] = []  # cursor moves not written yet
        feeds: list[int] = []  # the rows line feeds among them were made on
        row = -1  # the cursor's row (-1: unknown)

        def settle() -> None:
            """Give the terminal the attributes asked for."""
            nonlocal shown
            if wanted is not None and shown != wanted:
                emit(_transition(shown, wanted))
                shown = wanted

        def move() -> None:
            """Write the cursor moves held back."""
            if motion:
                if feeds:  # a line feed that scrolls fills in the background
                    settle()
                emit("".join(motion))
                motion.clear()
                feeds.clear()

        tokens = list(_token_texts(data))
        index = -1
        while index + 1 < len(tokens):
            index += 1
            text, kind, params = tokens[index]
            if kind == "m":
                after = _apply(wanted, params)
                if after is None:  # not understood: written as it is
                    move()
                    settle()
                    emit(text)
                    shown = None
                wanted = after
            elif kind == "H":
                target = _row_of(params)
                if target < 0 or any(feed < 0 or feed >= target for feed in feeds):
                    move()  # a line feed among them may have scrolled
                motion[:] = [text]
                feeds.clear()
                row = target
            elif kind in ("\n", "\r"):
                if kind == "\n":
                    feeds.append(row)
                    row = row + 1 if row >= 0 else -1
                motion.append(text)
            elif kind == " " and wanted is not None and not wanted[0] & _SHOWN_ON_BLANKS:
                move()
                if shown is None or shown[0] & _SHOWN_ON_BLANKS:
                    settle()
                elif shown[2] != wanted[2]:  # a blank shows only its background
                    blank = (shown[0], shown[1], wanted[2])
                    emit(_transition(shown, blank))
                    shown = blank
                index, count, wanted = _blank_run(tokens, index, wanted)
                text = " " * count
                if self.erase and count >= ECH_FROM:
                    emit(f"\x1b[{count}X")
                    if _next_kind(tokens, index) != "H":
                        # The last cell written, not moved over: the cursor
                        # ends where text leaves it, at the right edge too.
                        emit(f"\x1b[{count - 1}C ")
                else:
                    emit(text)
            else:
                move()
                settle()
                emit(text)
        settle()
        move()
        self.state = shown
        return "".join(out)


def _blank_run(
    tokens: list[tuple[str, str, str]], index: int, wanted: State
) -> tuple[int, int, State]:
    """The blank cells from token ``index`` on that show the same background,
    across the attribute changes between them: (index of the last of them,
    how many cells, the attributes asked for after it)."""
    count = len(tokens[index][0])
    state: State | None = wanted
    for later in range(index + 1, len(tokens)):
        text, kind, params = tokens[later]
        if kind == "m":
            state = _apply(state, params)
            if state is None:
                break
        elif kind == " " and state is not None and not state[0] & _SHOWN_ON_BLANKS:
            if state[2] != wanted[2]:
                break
            index, count, wanted = later, count + len(text), state
        else:
            break
    return index, count, wanted


def _next_kind(tokens: list[tuple[str, str, str]], index: int) -> str:
    """The kind of the first token after ``index`` that is not an SGR."""
    for _, kind, _ in tokens[index + 1 :]:
        if kind != "m":
            return kind
    return ""


def _token_texts(data: str) -> Iterator[tuple[str, str, str]]:
    """``data`` as (text, kind, parameters): kind is a CSI's final byte,
    ``"\\n"``, ``"\\r"``, ``" "`` for blank cells, ``"t"`` for other text and
    ``"e"`` for any other escape."""
    for match in _TOKEN.finditer(data):
        text = match.group(0)
        final = match.group(2)
        if final is not None:
            params = match.group(1)
            if (
                final in "mH"
                and not params.startswith(("?", "<", ">", "="))
                and len(text) == (len(params) + 3)
            ):
                yield text, final, params
            else:
                yield text, "e", ""
        elif text in ("\n", "\r"):
            yield text, text, ""
        elif match.group(3) is not None:
            yield text, " ", ""
        elif text.startswith("\x1b"):
            yield text, "e", ""
        else:
            yield text, "t", ""


def _row_of(params: str) -> int:
    """The row (1-based) a cursor position moves to; -1 when not plain."""
    row = params.split(";", 1)[0]
    if row == "":
        return 1
    return int(row) if row.isdigit() else -1


def erases_in_background() -> bool:
    """Whether the terminal erases in the current background colour (its
    terminfo's ``bce``), so blank runs may be erased rather than written."""
    try:
        import curses

        curses.setupterm(fd=sys.__stdout__.fileno() if sys.__stdout__ else -1)
        return curses.tigetflag("bce") > 0
    except Exception:  # no terminfo, no curses (Windows), no terminal
        return False


def compact_output(driver_class: type[Any]) -> type[Any]:
    """A subclass of ``driver_class`` that writes through a :class:`Compactor`."""

    class CompactDriver(driver_class):  # type: ignore[misc]
        _compactor: Compactor | None = None

        def write(self, data: str) -> None:
            compactor = self._compactor
            if compactor is None:
                compactor = self._compactor = Compactor(erase=erases_in_background())
            super().write(compactor.compact(data))

        def start_application_mode(self) -> None:
            if self._compactor is not None:
                self._compactor.forget()
            super().start_application_mode()

    CompactDriver.__name__ = CompactDriver.__qualname__ = f"Compact{driver_class.__name__}"
    return CompactDriver
