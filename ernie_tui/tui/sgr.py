"""Terminal attributes (SGR) as a state: what a sequence leaves the terminal
in, and the shortest sequence from one state to another. The app's output
(:mod:`.output`) writes only the attributes that change."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["DEFAULT", "SHOWN_ON_BLANKS", "State", "apply_sgr", "transition"]

# Attribute codes and the bit each sets in a state's flags.
_ON = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16, 6: 32, 7: 64, 8: 128, 9: 256, 21: 512, 51: 1024, 52: 2048}
_ON[53] = 4096
# Codes that turn attributes off, and the bits they clear.
_OFF = {22: 1 | 2, 23: 4, 24: 8 | 512, 25: 16 | 32, 27: 64, 28: 128, 29: 256, 54: 1024 | 2048}
_OFF[55] = 4096
_BIT_CODE = {bit: code for code, bit in _ON.items()}
SHOWN_ON_BLANKS = 8 | 64 | 256 | 512 | 1024 | 2048 | 4096
"""Underline, reverse, strike, double underline, frame, circle, overline:
the attributes a blank cell shows."""

State = tuple[int, str, str]
"""Flags, foreground and background (their SGR parameters, ``""`` for the
terminal's default)."""
DEFAULT: State = (0, "", "")
_COLOUR = re.compile(r"(?:3|4|9|10)[0-7]")


@lru_cache(4096)
def apply_sgr(state: State | None, params: str) -> State | None:
    """``state`` after the SGR sequence with ``params``; ``None`` for a
    sequence this does not understand (the state is then unknown).

    Cached: a frame has a few hundred sequences, nearly all of them the
    same few styles of the theme, each read twice (what a piece shows, what
    to write)."""
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


@lru_cache(4096)
def transition(current: State | None, target: State) -> str:
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
