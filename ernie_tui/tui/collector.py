"""What lives as long as the app is kept out of Python's full garbage
collections.

A full collection walks every object the program holds; paging through a
long history runs one every ~3 s, and each one paused the app for as long as
the walk took. About 80,000 of those objects are the app's own, made at
start-up (modules, classes, the screens and their styles) and never garbage.
A second after the app mounts they are frozen (``gc.freeze``, which walks
nothing and takes no time), so later collections walk only what came after
them. They are not collected first: that collection would be a pause of its
own, at a moment the user may be typing or a long list arriving. Garbage
not yet collected by then, and what of them becomes garbage later (the
messages of the conversation shown at start-up, once another is opened),
stays in memory until the app ends: once, a window of messages at most. The
app thaws them when it ends, for a program that runs it again.
"""

from __future__ import annotations

import gc

__all__ = ["FREEZE_AFTER", "freeze_start_up", "thaw"]

FREEZE_AFTER = 1.0
"""Seconds after the app's mount: its first screens are built by then."""


def freeze_start_up() -> None:
    """Keep everything the collector tracks now out of later collections."""
    gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector."""
    gc.unfreeze()
