"""What the app remembers between runs that is no setting of the config: the
theme picked in the palette and the conversation open last (per account), in
``ui.json`` in the data directory.

The app never writes the user's config file. A picked theme is kept with the
config's ``theme`` of that moment, and wins only while the config still says
the same: editing the config's ``theme`` later wins over an old pick.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Prefs"]


@dataclass
class Prefs:
    """The remembered choices, and the file they live in (``None``: kept
    for this run only)."""

    path: Path | None
    theme: str = ""
    """The theme picked in the palette ("" for none)."""
    config_theme: str = ""
    """The config's ``theme`` when it was picked."""
    last_open: dict[str, str] = field(default_factory=dict)
    """The conversation open last, by account key (:meth:`keep_last_open`)."""

    @classmethod
    def load(cls, path: Path | None) -> Prefs:
        """The choices in ``path``; a missing or unreadable file remembers
        nothing (it is rewritten at the next pick)."""
        prefs = cls(path)
        if path is None:
            return prefs
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return prefs
        if isinstance(raw, dict):
            theme, config_theme = raw.get("theme"), raw.get("config_theme")
            if isinstance(theme, str) and isinstance(config_theme, str):
                prefs.theme, prefs.config_theme = theme, config_theme
            last = raw.get("last_open")
            if isinstance(last, dict):
                prefs.last_open = {
                    k: v for k, v in last.items() if isinstance(k, str) and isinstance(v, str)
                }
        return prefs

    def theme_for(self, config_theme: str) -> str:
        """The theme to start with under a config that says ``config_theme``."""
        if self.theme and self.config_theme == config_theme:
            return self.theme
        return config_theme

    def keep_theme(self, theme: str, config_theme: str) -> None:
        """Remember ``theme``, picked while the config says ``config_theme``.
        Raises :class:`OSError` when the file cannot be written (the choice
        still holds for this run)."""
        self.theme, self.config_theme = theme, config_theme
        if self.path is not None:
            self._write(self.path, {"theme": theme, "config_theme": config_theme})

    @staticmethod
    def account_key(host: str, masked: str) -> str:
        """The key :attr:`last_open` keeps an account's conversation under:
        a digest of the server's ``host`` and the ``masked`` credential, which
        holds nothing of the credential."""
        return hashlib.sha256(f"{host}\0{masked}".encode()).hexdigest()[:16]

    def keep_last_open(self, account: str, session_id: str) -> None:
        """Remember that ``session_id`` is open for ``account`` (a key naming
        the account without its credential; an empty id forgets it). Raises
        :class:`OSError` when the file cannot be written."""
        if self.last_open.get(account, "") == session_id:
            return
        if session_id:
            self.last_open[account] = session_id
        else:
            self.last_open.pop(account, None)
        if self.path is not None:
            self._write(self.path, {"last_open": dict(self.last_open)})

    @staticmethod
    def _write(path: Path, data: dict[str, object]) -> None:
        """Replace the file's ``data`` keys atomically, keeping the others
        (another part of the app may keep its own there): a half-written
        file is never left."""
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            current = {}
        if isinstance(current, dict):
            data = {**current, **data}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".ui-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
