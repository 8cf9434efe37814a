"""What the app remembers between runs that is no setting of the config: the
theme picked in the palette, in ``ui.json`` in the data directory.

The app never writes the user's config file. A picked theme is kept with the
config's ``theme`` of that moment, and wins only while the config still says
the same: editing the config's ``theme`` later wins over an old pick.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
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
    def _write(path: Path, data: dict[str, str]) -> None:
        """Replace the file atomically: a half-written file is never left."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".ui-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
