"""What the screens need from the app, as a typed interface below both.

The app (``tui/app.py``) imports the screens to show them; the screens never
import the app: they reach it through :class:`AppHost`, which
:class:`~ernie_tui.tui.app.ErnieApp` implements (``tests/test_tui_layers.py``
checks that it does).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.screen import Screen

from ..api_key import AnyCredential
from ..config import Config

if TYPE_CHECKING:
    from ..backends import Backend, Conversations

__all__ = ["AppHost", "ErnieScreen", "Prefetched"]


class Prefetched(Protocol):
    """The conversation list fetched while the app was starting."""

    page_size: int

    async def result(self) -> Conversations: ...


class AppHost(Protocol):
    """The app as the screens see it."""

    config: Config
    credential: AnyCredential | None
    data_dir: Path
    demo_starter: Callable[[Config], tuple[Config, AnyCredential]] | None

    def now(self) -> datetime: ...

    def take_prefetched_list(self, page_size: int) -> Prefetched | None: ...

    def create_backend(self, credential: AnyCredential, config: Config | None = None) -> Backend:
        """The backend for ``credential`` (under ``config``, by default the app's)."""
        ...

    def signed_in(self, credential: AnyCredential, config: Config | None = None) -> None: ...

    def sign_in_again(self, reason: str) -> None: ...


class ErnieScreen(Screen[None]):
    """A screen of the app, with the app typed as :class:`AppHost`."""

    @property
    def host(self) -> AppHost:
        app: object = self.app
        return app  # type: ignore[return-value]
