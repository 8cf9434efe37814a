"""What the app's own screens share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from ..app import ErnieApp

__all__ = ["ErnieScreen"]


class ErnieScreen(Screen[None]):
    """A screen of :class:`~ernie_tui.tui.app.ErnieApp`, with the app typed."""

    @property
    def ernie_app(self) -> ErnieApp:
        from ..app import ErnieApp  # imported here: app.py imports the screens

        app = self.app
        assert isinstance(app, ErnieApp)
        return app
