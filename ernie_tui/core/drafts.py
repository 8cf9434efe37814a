"""Drafts: the unsent question of each conversation, kept across switches and
restarts in ``drafts.json``.

Several instances of the app may share the file. Each saves only when
something changed, and then merges: under a lock (``drafts.json.lock``) it
reads the file again, applies just the drafts it set or deleted itself since it
last read it, and replaces the file atomically (a temporary file in the same
directory, mode 0600, renamed over it). So no instance loses another's drafts,
and a deleted draft stays deleted.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .conversations import NEW_CONVERSATION

if sys.platform != "win32":
    import fcntl

__all__ = ["NEW_CONVERSATION", "Drafts"]

log = logging.getLogger("ernie_tui.core")


def _clean(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str) and v}


class Drafts:
    """Draft text per conversation id, saved to a JSON file (kept in memory
    only when ``path`` is ``None``: the offline demo's ids mean nothing later)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._drafts: dict[str, str] = {}
        self._base: dict[str, str] = {}  # the file as this instance last read or wrote it
        self._dirty = False
        self._load()

    @property
    def lock_path(self) -> Path | None:
        """The lock file next to the drafts file."""
        return None if self.path is None else self.path.with_name(self.path.name + ".lock")

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("could not read the drafts file %s: %s", self.path, exc)
            return
        self._drafts = _clean(raw)
        self._base = dict(self._drafts)

    def get(self, key: str) -> str:
        return self._drafts.get(key, "")

    def set(self, key: str, text: str) -> None:
        """Remember ``text`` as the draft of ``key`` (an empty or blank text
        forgets it)."""
        if not text.strip():
            if key in self._drafts:
                del self._drafts[key]
                self._dirty = True
            return
        if self._drafts.get(key) != text:
            self._drafts[key] = text
            self._dirty = True

    def move(self, old: str, new: str) -> None:
        """The draft of ``old`` now belongs to ``new`` (a new conversation got its id)."""
        text = self._drafts.pop(old, None)
        if text is not None:
            self._drafts[new] = text
            self._dirty = True

    def forget(self, keys: list[str]) -> None:
        for key in keys:
            if self._drafts.pop(key, None) is not None:
                self._dirty = True

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _changes(self) -> dict[str, str | None]:
        """What this instance set (text) or deleted (``None``) since it last
        read or wrote the file."""
        mine, base = self._drafts, self._base
        changes: dict[str, str | None] = {k: v for k, v in mine.items() if base.get(k) != v}
        changes.update((k, None) for k in base if k not in mine)
        return changes

    def _read_for_merge(self, path: Path) -> dict[str, str]:
        """The file's drafts now. A file that is not drafts JSON is kept beside
        it as ``drafts.json.bad`` (nothing is thrown away) and counts as empty;
        an unreadable one raises ``OSError``, so nothing is overwritten."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            bad = path.with_name(path.name + ".bad")
            log.warning("the drafts file %s was damaged (%s); kept as %s", path, exc, bad)
            os.replace(path, bad)
            return {}
        return _clean(raw)

    def _write(self, path: Path, drafts: dict[str, str]) -> None:
        """Replace the file atomically; no temporary file is left on failure."""
        fd, tmp = tempfile.mkstemp(prefix=".drafts-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                json.dump(drafts, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def save(self) -> bool:
        """Merge this instance's changes into the file if it has any; returns
        whether it wrote. Afterwards this instance also holds the drafts other
        instances saved meanwhile."""
        if not self._dirty or self.path is None:
            return False
        path, lock_path = self.path, self.lock_path
        assert lock_path is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if sys.platform != "win32":
                    fcntl.flock(lock, fcntl.LOCK_EX)
                merged = self._read_for_merge(path)
                for key, text in self._changes().items():
                    if text is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = text
                self._write(path, merged)
            finally:
                os.close(lock)  # releases the lock
        except OSError as exc:
            log.warning("could not save drafts to %s: %s", path, exc)
            return False
        self._drafts = merged
        self._base = dict(merged)
        self._dirty = False
        return True
