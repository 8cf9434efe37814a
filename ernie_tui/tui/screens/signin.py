"""The sign-in screen: two masked cookie fields, or the offline demo.

Shown when there is no credential, and when the server says the sign-in
expired. Checking the cookies is a network call (an async worker); saving them
to the OS keyring is a blocking call (a thread worker that reports back with
``call_from_thread``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, LoadingIndicator, Static

from ...api import ErnieError, NotSignedInError, Secret
from ...credentials import (
    Credential,
    KeyringUnavailableError,
    host_of,
    parse_cookie_text,
    save_credential,
)
from ...sanitize import clean_line
from ..host import ErnieScreen
from ..plain import plain_block

if TYPE_CHECKING:
    pass

__all__ = ["SignInScreen"]

HOW = (
    "Sign in with two cookies of a signed-in browser session at yiyan.baidu.com: open the "
    "browser's developer tools → Application (Storage) → Cookies, and copy the values of "
    "BAIDUID and BDUSS_BFESS. They are stored in your OS keyring, never in a file."
)


def cookies_from_fields(fields: tuple[tuple[str, Secret], ...]) -> Credential:
    """The credential in the sign-in fields, read as ``login --stdin`` reads
    what is pasted: either field may hold a whole ``Cookie:`` header or
    ``NAME=value`` pairs; a field holding a bare value is that cookie's.
    Raises :class:`ValueError` with a message that never shows a value."""
    lines = []
    for name, value in fields:
        text = value.reveal()
        if text:
            lines.append(text if looks_pasted(text) else f"{name}={text}")
    return parse_cookie_text("\n".join(lines))


_PASTED = re.compile(r"(?i)^\W*(?:-H\W*)?cookie:|(?:^|[;\s])(?:BAIDUID|BDUSS_BFESS|BDUSS)\s*=")


def looks_pasted(text: str) -> bool:
    """Whether a field holds a header or ``NAME=value`` pairs rather than one
    cookie's value (a BAIDUID value itself holds ``=``: ``…:FG=1``)."""
    return bool(_PASTED.search(text))


class SignInScreen(ErnieScreen):
    """Ask for the cookies, or start the offline demo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f3",
            "demo",
            "Offline demo",
            id="signin.demo",
            tooltip="Try the app on an offline demo server with a demo account.",
        ),
    ]

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason
        self._pending: Credential | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="signin-scroll"), Vertical(id="signin-box"):
            yield Static("Sign in to ERNIE Bot", id="signin-title", markup=False)
            yield Static(plain_block(self.reason), id="signin-reason", markup=False)
            yield Static(HOW, id="signin-how", markup=False)
            yield Label("BAIDUID", markup=False)
            yield Input(password=True, placeholder="BAIDUID cookie value", id="baiduid")
            yield Label("BDUSS_BFESS", markup=False)
            yield Input(password=True, placeholder="BDUSS_BFESS cookie value", id="bduss")
            yield Static("", id="signin-error", markup=False)
            with Vertical(id="keyring-missing"):
                yield Static("", id="keyring-reason", markup=False)
                yield Button("Use for this run only", id="session-only", variant="warning")
            yield LoadingIndicator(id="signin-busy")
            with Horizontal(id="signin-buttons"):
                yield Button("Sign in", id="signin", variant="primary")
                yield Button("Try the offline demo", id="demo")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#signin-reason").display = bool(self.reason)
        self.query_one("#signin-error").display = False
        self.query_one("#keyring-missing").display = False
        self.query_one("#signin-busy").display = False
        self.query_one("#baiduid", Input).focus()
        if self.host.demo_starter is None:
            self.query_one("#demo", Button).display = False

    def _busy(self, busy: bool) -> None:
        self.query_one("#signin-busy").display = busy
        for button in self.query(Button):
            button.disabled = busy

    def _error(self, text: str) -> None:
        error = self.query_one("#signin-error", Static)
        error.update(plain_block(text))
        error.display = bool(text)

    @on(Input.Submitted, "#baiduid")
    def _next_field(self) -> None:
        self.query_one("#bduss", Input).focus()

    @on(Input.Submitted, "#bduss")
    @on(Button.Pressed, "#signin")
    def _sign_in(self) -> None:
        # Wrapped at once: a crash traceback prints locals, and Secret masks itself.
        fields = (
            ("BAIDUID", Secret(self.query_one("#baiduid", Input).value.strip())),
            ("BDUSS_BFESS", Secret(self.query_one("#bduss", Input).value.strip())),
        )
        pasted = any(looks_pasted(value.reveal()) for _, value in fields)
        if not pasted and not all(value for _, value in fields):
            self._error("Fill in both cookies: BAIDUID and BDUSS_BFESS.")
            return
        try:
            parsed = cookies_from_fields(fields)
        except ValueError as exc:
            self._error(str(exc))
            return
        self._error("")
        self.query_one("#keyring-missing").display = False
        self._busy(True)
        self._check(Credential(parsed.baiduid, parsed.bduss_bfess, "keyring"))

    @work(exclusive=True, group="signin", exit_on_error=False)
    async def _check(self, credential: Credential) -> None:
        """Check the cookies with a session list before keeping them."""
        backend = self.host.create_backend(credential)
        try:
            await backend.verify()
        except NotSignedInError:
            self._busy(False)
            self._error(
                "The service did not accept these cookies (not signed in). Copy them again "
                "from a browser where you are signed in to yiyan.baidu.com."
            )
            return
        except ErnieError as exc:
            self._busy(False)
            self._error(clean_line(exc.message))
            return
        finally:
            await backend.aclose()
        self._save(credential)

    @work(thread=True, exclusive=True, group="keyring", exit_on_error=False)
    def _save(self, credential: Credential) -> None:
        """Keep the credential in the OS keyring (blocking: a thread)."""
        host = host_of(self.host.config.base_url)
        try:
            save_credential(host, credential)
        except KeyringUnavailableError as exc:
            self.app.call_from_thread(self._no_keyring, credential, str(exc))
            return
        self.app.call_from_thread(self.host.signed_in, credential)

    def _no_keyring(self, credential: Credential, reason: str) -> None:
        self._busy(False)
        self._pending = Credential(credential.baiduid, credential.bduss_bfess, "session")
        self.query_one("#keyring-reason", Static).update(
            plain_block("The cookies work, but they cannot be kept: " + reason)
        )
        self.query_one("#keyring-missing").display = True
        button = self.query_one("#session-only", Button)
        button.focus()
        self.call_after_refresh(button.scroll_visible, animate=False)

    @on(Button.Pressed, "#session-only")
    def _session_only(self) -> None:
        if self._pending is not None:
            self.host.signed_in(self._pending)

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        if self.host.demo_starter is None:
            return
        self._busy(True)
        self._start_demo()

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _start_demo(self) -> None:
        """Start the embedded demo server (blocking: a thread)."""
        starter = self.host.demo_starter
        assert starter is not None
        try:
            base_url, credential = starter()
        except Exception as exc:
            message = f"The offline demo could not start ({type(exc).__name__}: {exc})."
            self.app.call_from_thread(self._demo_failed, message)
            return
        self.app.call_from_thread(self.host.signed_in, credential, base_url)

    def _demo_failed(self, message: str) -> None:
        self._busy(False)
        self._error(clean_line(message))
