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
  them only where it cannot scroll: a later move goes further down);
- nothing for a piece of a row that shows already: Textual repaints the
  history pane twice per growth step of a streamed answer, the second time
  cut into other pieces. A piece is left out when the same cells were last
  written with the same text in the same attributes; a resize, a resume, and
  anything that may scroll or clear the screen forget every row.

The terminal is left in the same attributes after each write as Textual
would leave it. :func:`compact_output` makes a driver class write through it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len

from .sgr import SHOWN_ON_BLANKS, State, apply_sgr, transition

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

ECH_FROM = 8
"""The shortest run of blank cells erased rather than written."""


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
        self.rows: dict[int, list[Piece]] = {}
        """The pieces of each row as last written (where, and what their
        cells show). A piece written again the same way is left out."""
        self.size: tuple[int, int] = (0, 0)
        """The terminal's size at the last write."""
        self.cursor = ""
        """The move the last write left the cursor with, when it ended with
        one (empty: not known). A write that would only move it there again
        is left out: a frame in which nothing changed."""

    def forget(self) -> None:
        """The terminal may have been written to by someone else (the app
        was suspended): assume nothing of its attributes or its rows."""
        self.state = None
        self.rows.clear()
        self.cursor = ""

    def resized(self, size: tuple[int, int]) -> None:
        """The terminal is ``size`` now: a terminal that changed its size may
        have moved or cleared what its rows showed."""
        if size != self.size:
            self.size = size
            self.rows.clear()
            self.cursor = ""

    def compact(self, data: str) -> str:
        if "\x1b" not in data:
            if data:  # text at a place not known
                self.rows.clear()
                self.cursor = ""
            return data
        out: list[str] = []
        emit = out.append
        shown = self.state  # the attributes the terminal has
        wanted = shown  # the attributes Textual asked for
        motion: list[str] = []  # cursor moves not written yet

        def settle() -> None:
            """Give the terminal the attributes asked for."""
            nonlocal shown
            if wanted is not None and shown != wanted:
                emit(transition(shown, wanted))
                shown = wanted

        def move() -> None:
            """Write the cursor moves held back."""
            if motion:
                if "\n" in motion:  # a line feed that scrolls fills in the background
                    settle()
                emit("".join(motion))
                motion.clear()

        tokens = list(_token_texts(data))
        same = _unchanged(tokens, self.state, self.rows)
        index = -1
        while index + 1 < len(tokens):
            index += 1
            text, kind, params = tokens[index]
            if index in same:  # on the screen already: only its attributes count
                if kind == "m":
                    wanted = apply_sgr(wanted, params)
                continue
            if kind == "m":
                after = apply_sgr(wanted, params)
                if after is None:  # not understood: written as it is
                    move()
                    settle()
                    emit(text)
                    shown = None
                wanted = after
            elif kind == "H":
                # Moves before this one do nothing, but for a line feed that
                # may scroll (:func:`_unchanged` left out those that cannot).
                if "\n" in motion:
                    move()
                motion[:] = [text]
            elif kind in ("\n", "\r"):
                motion.append(text)
            elif kind == " " and wanted is not None and not wanted[0] & SHOWN_ON_BLANKS:
                move()
                if shown is None or shown[0] & SHOWN_ON_BLANKS:
                    settle()
                elif shown[2] != wanted[2]:  # a blank shows only its background
                    blank = (shown[0], shown[1], wanted[2])
                    emit(transition(shown, blank))
                    shown = blank
                index, count, wanted = _blank_run(tokens, index, wanted)
                text = " " * count
                if self.erase and count >= ECH_FROM:
                    emit(f"\x1b[{count}X")
                    if _next_kind(tokens, index, same) != "H":
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
        written = "".join(out)
        # Only a short write can be no more than that move.
        short = len(written) <= len(self.cursor) + 16
        if written and short and _SYNC.sub("", written) == self.cursor:
            return ""
        ending = _ENDS_WITH_MOVE.search(written[-48:])  # a move and what may follow it
        self.cursor = ending.group(1) if ending else ""
        return written


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
            state = apply_sgr(state, params)
            if state is None:
                break
        elif kind == " " and state is not None and not state[0] & SHOWN_ON_BLANKS:
            if state[2] != wanted[2]:
                break
            index, count, wanted = later, count + len(text), state
        else:
            break
    return index, count, wanted


def _next_kind(tokens: list[tuple[str, str, str]], index: int, same: set[int]) -> str:
    """The kind of the first token after ``index`` that is written and is
    not an SGR."""
    for later in range(index + 1, len(tokens)):
        kind = tokens[later][1]
        if kind != "m" and later not in same:
            return kind
    return ""


_ENDS_WITH_MOVE = re.compile(r"(\x1b\[[0-9;]*H)(?:\x1b\[\?(?:25|2026)[hl])*\Z")
"""A write that leaves the cursor where a move put it (what may follow the
move shows or hides the cursor, or ends a synchronized update)."""

_SYNC = re.compile(r"\x1b\[\?2026[hl]")
"""The start or end of a synchronized update."""

_HARMLESS = {"\x1b[?25h", "\x1b[?25l", "\x1b[?2026h", "\x1b[?2026l"}
"""Escapes that change nothing on the screen (the cursor shown or hidden, a
synchronised update begun or ended)."""


Piece = tuple[int, int, str]
"""A piece of a row as written: its first and past-last column, and what
its cells show (its text in its attributes)."""


def _unchanged(
    tokens: list[tuple[str, str, str]],
    state: State | None,
    rows: dict[int, list[Piece]],
) -> set[int]:
    """The tokens of ``tokens`` that write a piece of a row exactly as it was
    written before, and nothing has written over since: the screen shows it
    already. Updates ``rows`` with what the others write; forgets all rows
    on anything that may have moved or cleared them."""
    same: set[int] = set()
    row = column = -1  # where the piece under way starts (-1: not known)
    start = last = 0  # its first token (the cursor move) and last text
    width = 0
    wanted = state
    drawn: list[tuple[State | None, str]] = []  # the piece's text, in its attributes
    lowest = [-1] * len(tokens)  # the lowest row a cursor move after each token goes to
    for index in range(len(tokens) - 2, -1, -1):
        _, kind, params = tokens[index + 1]
        below = _row_of(params) if kind == "H" else -1
        lowest[index] = max(lowest[index + 1], below)

    def close() -> None:
        if row < 0 or last <= start:
            return  # nothing written
        pieces = rows.setdefault(row, [])
        end = column + width
        if column > 0 and all(shown for shown, _ in drawn):
            piece = (column, end, repr(drawn))
            if piece in pieces:
                same.update(range(start, last + 1))
                return
            pieces[:] = [p for p in pieces if p[1] <= column or p[0] >= end]
            pieces.append(piece)
        else:
            rows.pop(row, None)

    for index, (text, kind, params) in enumerate(tokens):
        if kind == "H":
            close()
            row, column = _row_of(params), _column_of(params)
            start = last = index
            width = 0
            drawn = []
        elif kind == "m":
            wanted = apply_sgr(wanted, params)
        elif kind in (" ", "t"):
            if row < 0:
                rows.clear()  # text at a place not known
            width += len(text) if kind == " " else cell_len(text)
            last = index
            # What the cells show, however Textual cut it into pieces.
            if drawn and drawn[-1][0] == wanted:
                drawn[-1] = (wanted, drawn[-1][1] + text)
            else:
                drawn.append((wanted, text))
        elif kind == "e" and text.startswith("\x1b]"):
            drawn.append((None, text))  # a hyperlink: its cells are not compared
        else:
            following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
            if kind == "\n" and following == "H" and lowest[index] > row >= 0:
                # A line feed before a cursor move, above a row written later
                # (so not on the bottom row: it cannot scroll) does nothing.
                close()
                same.add(index)
            elif kind == "\r" or (kind == "e" and text in _HARMLESS):
                close()
            else:  # it may scroll or clear the screen
                rows.clear()
            row = column = -1
            start = last = index
    close()
    return same


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


def _column_of(params: str) -> int:
    """The column (1-based) a cursor position moves to; -1 when not plain."""
    parts = params.split(";")
    if len(parts) < 2 or parts[1] == "":
        return 1
    return int(parts[1]) if parts[1].isdigit() else -1


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


def _size_of(driver: object) -> tuple[int, int]:
    """The size of the terminal ``driver`` writes to ((0, 0): none to ask)."""
    for stream in (getattr(driver, "_file", None), sys.__stdout__):
        try:
            columns, lines = os.get_terminal_size(stream.fileno())  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            continue
        return columns, lines
    return 0, 0


def compact_output(driver_class: type[Any]) -> type[Any]:
    """A subclass of ``driver_class`` that writes through a :class:`Compactor`."""

    class CompactDriver(driver_class):  # type: ignore[misc]
        _compactor: Compactor | None = None

        def write(self, data: str) -> None:
            compactor = self._compactor
            if compactor is None:
                compactor = self._compactor = Compactor(erase=erases_in_background())
            compactor.resized(_size_of(self))
            written = compactor.compact(data)
            if written or not data:
                super().write(written)

        def start_application_mode(self) -> None:
            if self._compactor is not None:
                self._compactor.forget()
            super().start_application_mode()

    CompactDriver.__name__ = CompactDriver.__qualname__ = f"Compact{driver_class.__name__}"
    return CompactDriver
