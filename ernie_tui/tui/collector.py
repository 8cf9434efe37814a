"""When Python's full garbage collections run while the app does.

A full collection walks every object the program holds. Paging through a
long history runs one every few seconds, and each one paused the app for as
long as the walk took: a key that came in meanwhile, or the layout of the
messages it brought, waited for it. Two things keep those pauses out of the
way of the keys.

*What lives as long as the app is frozen.* About 80,000 objects are the
app's own, made at start-up (modules, classes, the screens and their styles)
and never garbage. A second after the app mounts they are frozen
(``gc.freeze``, which walks nothing and takes no time), so later collections
walk only what came after them. They are not collected first: that
collection would be a pause of its own, at a moment the user may be typing
or a long list arriving. Garbage not yet collected by then, and what of them
becomes garbage later (the messages of the conversation shown at start-up,
once another is opened), stays in memory until the app ends: once, a window
of messages at most. The app thaws them when it ends, for a program that
runs it again.

*A collection that is nearly due runs in the pause after a key.* Python runs
a full collection once enough collections of the younger objects have gone
by (ten, by default) and the old objects have grown by a quarter; which key
it lands on is chance, and it may be the one whose messages are being laid
out. :class:`QuietCollector` hears every key and mouse event; once
:data:`QUIET` seconds pass without one and at least :data:`DUE` younger
collections have gone by since the last full one, it runs the full one
itself. The next key finds it done, and Python's own count starts again.
Without pauses (a key held down) Python collects as it always did.
"""

from __future__ import annotations

import asyncio
import gc
import time

__all__ = [
    "DUE",
    "FREEZE_AFTER",
    "HOLD_AT_MOST",
    "LATE",
    "QUIET",
    "QuietCollector",
    "freeze_start_up",
    "quiet",
    "thaw",
]

FREEZE_AFTER = 1.0
"""Seconds after the app's mount: its first screens are built by then."""

QUIET = 0.04
"""Seconds without a key or a mouse event before a due collection runs:
after the key's own frame (~20 ms for a PageUp), before the next key of a
person paging by hand."""

LATE = 0.01
"""Seconds late the wait may end and still be a pause: later than that, the
loop was busy with something else (a frame being laid out) and the wait
starts again."""

HOLD_AT_MOST = 2.0
"""Seconds a hold lasts at most (a batch takes ~0.1 s)."""

DUE = 5
"""Collections of the younger generation since the last full collection
(``gc.get_count()[2]``) that make one due: half of Python's threshold."""


def freeze_start_up() -> None:
    """Keep everything the collector tracks now out of later collections."""
    gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector."""
    gc.unfreeze()


class QuietCollector:
    """Runs a due full collection once the input has paused and nothing
    holds it back."""

    def __init__(
        self, quiet: float = QUIET, due: int = DUE, hold_at_most: float = HOLD_AT_MOST
    ) -> None:
        self._quiet = quiet
        self._due = due
        self._hold_at_most = hold_at_most
        self._pending: asyncio.TimerHandle | None = None
        self._holds = 0
        self._held_at = 0.0
        self.collections = 0
        """Full collections this object has run."""

    @property
    def held(self) -> bool:
        """Whether something holds collections back now."""
        if self._holds and time.monotonic() - self._held_at > self._hold_at_most:
            self._holds = 0  # a release that never came: forget the holds
        return bool(self._holds)

    def heard(self) -> None:
        """A key or mouse event came in: start the quiet interval again."""
        self._wait()

    def hold(self) -> None:
        """Something the user waits for is under way in steps (a batch of
        messages being mounted, laid out and painted): no collection until
        :meth:`release`, or :data:`HOLD_AT_MOST` seconds."""
        if not self._holds:
            self._held_at = time.monotonic()
        self._holds += 1

    def release(self) -> None:
        """What :meth:`hold` waited for is on screen: the quiet interval
        starts again."""
        self._holds = max(0, self._holds - 1)
        self._wait()

    def stop(self) -> None:
        """Run nothing more (the app is ending)."""
        self._cancel()
        self._holds = 0

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _wait(self) -> None:
        """Start the quiet interval (again)."""
        self._cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop running (the app has ended)
            return
        self._pending = loop.call_later(self._quiet, self._collect)

    def _collect(self) -> None:
        assert self._pending is not None
        late = asyncio.get_running_loop().time() - self._pending.when()
        self._pending = None
        if self.held:
            return  # the release starts the interval again
        if late > LATE:
            # The loop was busy (a layout, a paint): wait for a real pause.
            self._wait()
            return
        if gc.isenabled() and gc.get_count()[2] >= self._due:
            gc.collect(2)
            self.collections += 1


quiet = QuietCollector()
"""The app's: collections are the process's, as is the collector."""
