"""The Textual app: settings, the credential, the client's lifetime, and which
screen shows (sign-in or main).

Start-up is on the performance issue's clock (exec to a filled sidebar):

- When this machine kept the web account's list, the first screen is that
  list (:class:`~.screens.start.StartScreen`: no chat widgets, no network
  client imported yet); the main screen replaces it once built, and the keys
  typed meanwhile are held and handed to it in order.
- Otherwise the list is fetched in a thread of its own
  (:class:`~.prefetch.ListPrefetch`) from the moment the app loads, while the
  main screen is imported, composed and styled.

Screens are imported only when first shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from textual import events
from textual.app import App, SystemCommand
from textual.driver import Driver
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from ..api import host_shown
from ..api_key import AnyCredential, ApiKeyCredential
from ..config import Config, base_url_of, make_client
from ..cookies import Credential
from ..core.drafts import Drafts
from ..sanitize import clean, clean_line
from . import collector, textual_fixes
from .prefetch import ListPrefetch
from .prefs import Prefs
from .terminal import terminal_driver
from .times import BEIJING, Times

if TYPE_CHECKING:
    from ..api import ErnieClient
    from ..backends import Backend, Conversations
    from .screens.main import MainScreen

__all__ = ["BEIJING", "ErnieApp"]


def _beijing_now() -> datetime:
    return datetime.now(BEIJING)


class ErnieApp(App[None]):
    """A terminal client for ERNIE Bot."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "ERNIE Bot"

    LIST_PREFETCH_SIZE: ClassVar[int] = 10_000
    """The page size of the list fetched at start-up; the main screen uses the
    early result only if it asks for this many (``MainScreen.LIST_PAGE_SIZE``)."""

    def __init__(
        self,
        config: Config,
        credential: AnyCredential | None,
        *,
        demo_starter: Callable[[Config], tuple[Config, AnyCredential]] | None = None,
        data_dir: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        textual_fixes.apply()
        super().__init__()
        self.credential = credential
        self.demo_starter = demo_starter
        if data_dir is None:
            from platformdirs import user_data_path

            data_dir = user_data_path("ernie-tui")
        if config.library_path is None:
            # The library (Qianfan's conversations, the web cache) lives with
            # the drafts (the same place as default_path(), unless data_dir
            # says otherwise).
            config = dataclasses.replace(config, library_path=data_dir / "library.db")
        self.config = config
        self.data_dir = data_dir
        self.clock = clock or _beijing_now
        self.drafts = Drafts(data_dir / "drafts.json")
        self.prefs = Prefs.load(data_dir / "ui.json")
        self.backend: Backend | None = None
        self._prefetch: ListPrefetch | None = None
        self._kept: Conversations | None = None
        """The list kept on this machine, to start on (read in ``on_load``)."""
        self._held: list[events.Event] | None = None
        """Keys and pastes typed while the first screen shows (``None``: none held)."""

    def now(self) -> datetime:
        """Now, for the sidebar's dates (the service's times are Beijing time)."""
        return self.clock()

    @property
    def times(self) -> Times:
        """How times are shown: the config's ``time_zone``, from Beijing time,
        in which both backends give them (the web service's clock; the
        library's times are given the same way, see ``wiring.SERVICE_ZONE``)."""
        return Times.of(self.config.time_zone, source=BEIJING)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast. Its message is always plain text, never markup: toasts carry
        names and error messages from the server (``markup`` is ignored)."""
        super().notify(
            clean(message),
            title=clean_line(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def get_driver_class(self) -> type[Driver]:
        return terminal_driver(super().get_driver_class(), on_end=self._terminal_gone)

    class TerminalGone(Message):
        """The terminal closed: no input will come again."""

    def _terminal_gone(self) -> None:
        # From the driver's input thread, which the app joins as it ends: a
        # message (posting is thread-safe), not a call waited for.
        self.post_message(self.TerminalGone())

    def on_ernie_app_terminal_gone(self, event: TerminalGone) -> None:
        """Quit as ctrl+q does (the drafts saved): no input will come."""
        self.exit(return_code=1)

    def panic(self, *renderables: RenderableType) -> None:
        """A crash: the app exits non-zero (Textual's own panic leaves 0)."""
        self.exit(return_code=1)
        super().panic(*renderables)

    def on_load(self) -> None:
        credential = self.credential
        if credential is None:
            return
        self._kept = self._kept_list(credential)
        if self._kept is None and not isinstance(credential, ApiKeyCredential):
            # (The Qianfan backend's list is local: nothing to fetch early.)
            self._prefetch_list(credential)

    def _prefetch_list(self, credential: Credential) -> None:
        # A bare client's backend: no library to open in the thread (the main
        # screen's backend keeps the list), nothing more to import while the
        # main thread builds the screen.
        from ..backends import WebBackend

        self._prefetch = ListPrefetch(
            lambda: WebBackend(self.create_client(credential)), self.LIST_PREFETCH_SIZE
        )

    def _kept_list(self, credential: AnyCredential) -> Conversations | None:
        """The list this machine keeps for ``credential``, when there is one
        to start on (the first screen: :class:`~.screens.start.StartScreen`)."""
        from ..wiring import kept_list

        try:
            kept = kept_list(self.config, credential)
        except Exception as exc:  # the main screen's backend reads it again, and says why
            self.log.warning(f"kept list unreadable ({type(exc).__name__})")
            return None
        return kept if kept is not None and (kept.top or kept.normal) else None

    # -- the first screen on a kept list ----------------------------------------------

    def _start_screen(self, kept: Conversations) -> Screen[None]:
        from .screens.start import StartScreen

        credential = self.credential
        masked = credential.masked if credential is not None else ""
        host = host_shown(base_url_of(self.config))
        open_id = self.prefs.last_open.get(Prefs.account_key(host, masked), "")
        if credential is not None and credential.source == "demo":
            masked += " (offline demo)"  # as the main screen's status line says
        if not open_id or kept.find(open_id) is None:
            open_id = (kept.normal or kept.top)[0].session_id  # as the main screen opens
        return StartScreen(
            kept, open_id=open_id, now=self.now(), times=self.times, account=masked, server=host
        )

    async def on_event(self, event: events.Event) -> None:
        # While the first screen shows, keys and pastes wait for the main
        # screen (replayed in order by _open_main).
        typed = isinstance(event, events.Key | events.Paste) and not event.is_forwarded
        if typed and self._held is not None:
            self._held.append(event)
            return
        if isinstance(event, events.Key | events.MouseEvent):
            collector.quiet.heard()
        await super().on_event(event)

    def _open_main(self) -> None:
        """After the first screen is on the terminal: the main screen (its
        imports and the backend), then what was typed meanwhile."""
        credential = self.credential
        assert credential is not None
        if not isinstance(credential, ApiKeyCredential):
            self._prefetch_list(credential)
        self.run_worker(self._switch_to_main(self._main(credential)), exit_on_error=True)

    async def _switch_to_main(self, screen: Screen[None]) -> None:
        # In a worker: the switch needs the app's own message loop.
        try:
            await self.switch_screen(screen)
        finally:
            # After the focus the main screen's mount asked for (queued
            # before this), on the app's loop: no key comes in between.
            self.call_later(self._release_held)

    async def _release_held(self) -> None:
        # On the app's loop: nothing else is dispatched until this returns.
        held, self._held = self._held or [], None
        for event in held:
            await super().on_event(event)

    def take_prefetched_list(self, page_size: int) -> ListPrefetch | None:
        """The list fetched at start-up, once (later fetches go to the server)."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is None or prefetch.page_size != page_size:
            return None
        return prefetch

    def on_mount(self) -> None:
        self.set_timer(collector.FREEZE_AFTER, collector.freeze_start_up)
        theme = self.prefs.theme_for(self.config.theme)
        if theme not in self.available_themes:
            theme = self.config.theme
        if theme in self.available_themes:
            self.theme = theme
        else:
            self.notify(
                f"Unknown theme {self.config.theme!r} in the config; using {self.theme}.",
                severity="warning",
                markup=False,
            )
        self.theme_changed_signal.subscribe(self, self._theme_picked)
        if self.config.keymap:
            keymap = dict(self.config.keymap)
            from .screens.main.keys import PAIRED_IDS

            for first, second in PAIRED_IDS.items():
                if first in keymap:
                    keymap.setdefault(second, keymap[first])
            self.set_keymap(keymap)
        if self.credential is not None and self._kept is not None:
            self._held = []
            self.push_screen(self._start_screen(self._kept))
            self._kept = None
            self.call_after_refresh(self._open_main)
        elif self.credential is not None:
            self.push_screen(self._main(self.credential))
        else:
            from .screens.signin import SignInScreen

            self.push_screen(SignInScreen())

    def _theme_picked(self, theme: Theme) -> None:
        """A theme was picked (the palette's Theme): keep it for the next run."""
        if theme.name == self.prefs.theme_for(self.config.theme):
            return  # the one started with: nothing new to keep
        try:
            self.prefs.keep_theme(theme.name, self.config.theme)
        except OSError as exc:
            self.notify(
                f"The theme {theme.name} is used for this run only: "
                f"{self.prefs.path} could not be written ({exc.strerror or exc}).",
                severity="warning",
                markup=False,
            )

    def _main(self, credential: AnyCredential) -> MainScreen:
        from .screens.main import MainScreen

        if self.backend is not None:
            old = self.backend
            self.run_worker(old.aclose(), exit_on_error=False)
        self.credential = credential
        if credential.source == "demo":
            self.drafts.save()
            self.drafts = Drafts(None)
        self.backend = self.create_backend(credential)
        return MainScreen(self.backend, self.drafts)

    def create_backend(self, credential: AnyCredential, config: Config | None = None) -> Backend:
        """The backend for ``credential`` under ``config`` (the app's by
        default): the web protocol on cookies (its conversations cached in the
        library), Qianfan on an API key."""
        from ..wiring import make_backend

        config = config or self.config
        if isinstance(credential, ApiKeyCredential) or config.backend == "qianfan":
            return make_backend(config, credential)
        client = (
            self.create_client(credential)
            if config is self.config
            else make_client(config, credential)
        )
        return make_backend(config, credential, client=client)

    def create_client(self, credential: Credential) -> ErnieClient:
        """The protocol client for this config and credential (a seam for tests
        that route the public host to an embedded server)."""
        return make_client(self.config, credential)

    def signed_in(self, credential: AnyCredential, config: Config | None = None) -> None:
        """The sign-in screen has a working credential (or started the demo)
        for ``config`` (the app's, or a new one: the demo's, the backend the
        user chose)."""
        if config is not None:
            self.config = config
        self._show_screen(self._main(credential))

    def sign_in_again(self, reason: str) -> None:
        """The server says the sign-in expired: ask for fresh cookies."""
        from .screens.signin import SignInScreen

        if isinstance(self.screen, SignInScreen):
            return
        self._show_screen(SignInScreen(reason))

    def _show_screen(self, screen: Screen[None]) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    async def on_unmount(self) -> None:
        collector.quiet.stop()
        collector.thaw()
        self.drafts.save()
        if self.backend is not None:
            await self.backend.aclose()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from .screens.main import MainScreen

        if isinstance(screen, MainScreen):
            yield from screen.commands()
        for command in super().get_system_commands(screen):
            if command.title == "Quit":
                yield SystemCommand("Quit", "Quit ERNIE Bot", self.action_quit)
            elif command.title == "Screenshot":
                yield SystemCommand(
                    "Screenshot",
                    "Save an SVG picture of the screen in ~/Downloads (else the data folder)",
                    lambda: self.set_timer(0.1, self.action_screenshot),  # the palette gone
                )
            elif command.title != "Keys":
                yield command

    def screenshot_folder(self) -> Path:
        """Where screenshots go: the Downloads folder, or the data folder's
        ``screenshots`` when there is none."""
        from platformdirs import user_downloads_path

        downloads = user_downloads_path()
        return downloads if downloads.is_dir() else self.data_dir / "screenshots"

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG picture of the screen and say where it went."""
        folder = Path(path).expanduser() if path else self.screenshot_folder()
        name = filename or f"ernie-bot-{datetime.now():%Y-%m-%d-%H%M%S}.svg"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(name, str(folder))
        except OSError as exc:
            self.notify(
                f"Could not save the screenshot in {folder}: {exc.strerror or exc}.",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Saved the screenshot to {saved}", title="Screenshot", markup=False)


if TYPE_CHECKING:
    from .host import AppHost

    def _is_a_host(app: ErnieApp) -> AppHost:
        return app  # mypy checks that the app gives the screens what they need
