"""The app's terminal input, made to survive bytes that are not UTF-8.

Textual's Linux driver decodes what the terminal sends as strict UTF-8 in its
input thread: one stray byte (a 0xFF pasted from a binary file, a terminal in
Latin-1) raises ``UnicodeDecodeError`` there, input stops and the app dies.
:func:`lenient_input` makes the driver's module decode with
``errors="replace"``: such a byte becomes U+FFFD and the app lives on.
"""

from __future__ import annotations

import codecs
import sys
from functools import partial
from typing import Any

__all__ = ["lenient_input"]


def _replacing_decoder(encoding: str) -> Any:
    """As :func:`codecs.getincrementaldecoder`, with bad bytes replaced."""
    return partial(codecs.getincrementaldecoder(encoding), errors="replace")


def lenient_input(driver_class: type) -> None:
    """Let ``driver_class`` (the app's terminal driver) replace bytes that do
    not decode instead of dying on them. Drivers that do not build their
    decoder from ``codecs.getincrementaldecoder`` are left as they are."""
    module = sys.modules.get(driver_class.__module__)
    if module is not None and getattr(module, "getincrementaldecoder", None) is (
        codecs.getincrementaldecoder
    ):
        module.getincrementaldecoder = _replacing_decoder  # type: ignore[attr-defined]
