"""The app's terminal input, made to survive bytes that are not UTF-8 and
to notice a terminal that went away.

Textual's Linux driver decodes what the terminal sends as strict UTF-8 in its
input thread: one stray byte (a 0xFF pasted from a binary file, a terminal in
Latin-1) raises ``UnicodeDecodeError`` there, input stops and the app dies.
:func:`lenient_input` makes the driver's module decode with
``errors="replace"``: such a byte becomes U+FFFD and the app lives on.

When the terminal closes under a process that gets no hang-up signal (one
started by ``make run``, whose ``make`` takes the signal, or by anything else
in the session), every read of it returns nothing at once, and Textual's
input thread asked again forever: the app spun at 100% CPU with no one to
see it. The decoder is the one place that sees such an empty read; it calls
``on_end`` once, and the app quits the way ctrl+q does (saving the drafts).
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from .output import compact_output

__all__ = ["lenient_input", "terminal_driver"]


_on_end: list[Callable[[], None]] = []
"""What to do when the terminal's input ends (the app's, once)."""


def _replacing_decoder(encoding: str) -> Any:
    """As :func:`codecs.getincrementaldecoder`, with bad bytes replaced and
    the end of the input told to :data:`_on_end`."""
    base: Any = codecs.getincrementaldecoder(encoding)

    class Decoder(base):  # type: ignore[misc]
        def decode(self, data: bytes, final: bool = False) -> str:
            if not data and not final and _on_end:
                # The driver read nothing from a terminal said to be ready:
                # it has gone.
                _on_end.pop()()
            return str(super().decode(data, final))

    return partial(Decoder, errors="replace")


def lenient_input(driver_class: type, on_end: Callable[[], None] | None = None) -> None:
    """Let ``driver_class`` (the app's terminal driver) replace bytes that do
    not decode instead of dying on them, and call ``on_end`` (once) when the
    terminal's input ends. Drivers that do not build their decoder from
    ``codecs.getincrementaldecoder`` are left as they are."""
    _on_end[:] = [on_end] if on_end is not None else []
    module = sys.modules.get(driver_class.__module__)
    if module is not None and getattr(module, "getincrementaldecoder", None) in (
        codecs.getincrementaldecoder,
        _replacing_decoder,
    ):
        module.getincrementaldecoder = _replacing_decoder  # type: ignore[attr-defined]


def terminal_driver(driver_class: type[Any], on_end: Callable[[], None]) -> type[Any]:
    """Textual's driver for this terminal, reading bytes that are not UTF-8,
    calling ``on_end`` when the terminal goes, and writing fewer bytes for
    the same screen (:mod:`.output`; not on Windows, where Textual cuts a
    write into pieces at any character)."""
    lenient_input(driver_class, on_end)
    if sys.platform == "win32":
        return driver_class
    return compact_output(driver_class)
