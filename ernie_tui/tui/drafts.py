"""Drafts: the unsent question of each conversation, kept across switches and
restarts in ``drafts.json`` (written atomically, only when something changed)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

__all__ = ["NEW_CONVERSATION", "Drafts"]

log = logging.getLogger("ernie_tui.tui")

NEW_CONVERSATION = ""
"""The draft key of a conversation not created yet."""


class Drafts:
    """Draft text per conversation id, saved to a JSON file (kept in memory
    only when ``path`` is ``None``: the offline demo's ids mean nothing later)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._drafts: dict[str, str] = {}
        self._dirty = False
        self._load()

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
        if isinstance(raw, dict):
            self._drafts = {str(k): v for k, v in raw.items() if isinstance(v, str) and v}

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

    def save(self) -> bool:
        """Write the file if anything changed; returns whether it wrote."""
        if not self._dirty or self.path is None:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".drafts-", suffix=".json", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(self._drafts, handle, ensure_ascii=False, indent=1)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not save drafts to %s: %s", self.path, exc)
            return False
        self._dirty = False
        return True
