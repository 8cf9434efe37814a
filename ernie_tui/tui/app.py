"""The Textual app: settings, the credential, the client's lifetime, and which
screen shows (sign-in or main)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from ..api import ErnieClient
from ..config import Config, make_client
from ..credentials import Credential
from .drafts import Drafts
from .screens.main import MainScreen
from .screens.signin import SignInScreen

__all__ = ["BEIJING", "ErnieApp"]

BEIJING = timezone(timedelta(hours=8))


def _beijing_now() -> datetime:
    return datetime.now(BEIJING)


class ErnieApp(App[None]):
    """A terminal client for ERNIE Bot."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "ERNIE Bot"

    def __init__(
        self,
        config: Config,
        credential: Credential | None,
        *,
        demo_starter: Callable[[], tuple[str, Credential]] | None = None,
        data_dir: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.credential = credential
        self.demo_starter = demo_starter
        if data_dir is None:
            from platformdirs import user_data_path

            data_dir = user_data_path("ernie-tui")
        self.data_dir = data_dir
        self.clock = clock or _beijing_now
        self.drafts = Drafts(data_dir / "drafts.json")
        self.client: ErnieClient | None = None

    def now(self) -> datetime:
        """Now, for the sidebar's dates (the service's times are Beijing time)."""
        return self.clock()

    def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.notify(
                f"Unknown theme {self.config.theme!r} in the config; using {self.theme}.",
                severity="warning",
            )
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.credential is not None:
            self.push_screen(self._main(self.credential))
        else:
            self.push_screen(SignInScreen())

    def _main(self, credential: Credential) -> MainScreen:
        if self.client is not None:
            old = self.client
            self.run_worker(old.aclose(), exit_on_error=False)
        self.credential = credential
        if credential.source == "demo":
            self.drafts.save()
            self.drafts = Drafts(None)
        self.client = self.create_client(credential)
        return MainScreen(self.client, self.drafts)

    def create_client(self, credential: Credential) -> ErnieClient:
        """The protocol client for this config and credential (a seam for tests
        that route the public host to an embedded server)."""
        return make_client(self.config, credential)

    def signed_in(self, credential: Credential, base_url: str | None = None) -> None:
        """The sign-in screen has a working credential (or started the demo)."""
        if base_url is not None:
            self.config = dataclasses.replace(self.config, base_url=base_url)
        self._show_screen(self._main(credential))

    def sign_in_again(self, reason: str) -> None:
        """The server says the sign-in expired: ask for fresh cookies."""
        if isinstance(self.screen, SignInScreen):
            return
        self._show_screen(SignInScreen(reason))

    def _show_screen(self, screen: Screen[None]) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    async def on_unmount(self) -> None:
        self.drafts.save()
        if self.client is not None:
            await self.client.aclose()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        if isinstance(screen, MainScreen):
            yield from screen.commands()
        for command in super().get_system_commands(screen):
            if command.title == "Quit":
                yield SystemCommand("Quit", "Quit ERNIE Bot", self.action_quit)
            elif command.title != "Keys":
                yield command
