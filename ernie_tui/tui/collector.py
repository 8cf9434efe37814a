"""What lives as long as the app is kept out of Python's full garbage
collections.

A full collection walks every object the program holds; paging through a
long history runs one every ~3 s, and each one paused the app for as long as
the walk took. About 80,000 of those objects are the app's own, made at
start-up (modules, classes, the screens and their styles) and never garbage:
a second after start-up they are collected once and then frozen
(``gc.freeze``), so later collections walk only what came after them. A
start-up object that becomes garbage later (the first screen's widgets when
another replaces them) stays in memory until the app ends: once, and small.
The app thaws them when it ends, for a program that runs it again.
"""

from __future__ import annotations

import gc

__all__ = ["FREEZE_AFTER", "freeze_start_up", "thaw"]

FREEZE_AFTER = 1.0
"""Seconds after the app's mount: its first screens are built by then."""


def freeze_start_up() -> None:
    """Collect once, then keep everything alive now out of later collections."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector."""
    gc.unfreeze()
