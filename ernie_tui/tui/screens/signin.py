"""The sign-in screen: a Qianfan API key, or the two ERNIE Bot web cookies,
or the offline demo.

Shown when there is no credential, and when the service says the sign-in
expired or the key was refused. Checking the credential is a network call (an
async worker); saving it to the OS keyring is a blocking call (a thread worker
that reports back with ``call_from_thread``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, LoadingIndicator, Static

from ...api import ErnieError, NotSignedInError, Secret
from ...api_key import (
    ENV_API_KEY,
    AnyCredential,
    ApiKeyCredential,
    parse_api_key,
    save_api_key,
)
from ...config import Config
from ...credentials import (
    ENV_BAIDUID,
    ENV_BDUSS,
    Credential,
    KeyringUnavailableError,
    host_of,
    parse_cookie_text,
    save_credential,
)
from ...sanitize import clean_line
from ..host import ErnieScreen
from ..plain import plain_block
from ..widgets.text_input import TextInput

if TYPE_CHECKING:
    pass

__all__ = ["SignInScreen"]

KEY_HOW = (
    "A Qianfan API key — Baidu's official ERNIE API, for anyone with a key (Qianfan "
    "console → API Key; it looks like bce-v3/ALTAK-…/…):"
)


def cookies_how(host: str) -> str:
    """How to find the cookies, for the configured host."""
    return (
        f"Or two cookies of a browser signed in at {host} (developer tools → Application → "
        "Cookies). Kept in your OS keyring, never in a file."
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
    """Ask for an API key or the cookies, or start the offline demo."""

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
        self._pending: tuple[AnyCredential, Config] | None = None

    def compose(self) -> ComposeResult:
        config = self.host.config
        with VerticalScroll(id="signin-scroll"), Vertical(id="signin-box"):
            yield Static("Sign in to ERNIE", id="signin-title", markup=False)
            yield Static(plain_block(self.reason), id="signin-reason", markup=False)
            yield Static(KEY_HOW, id="signin-key-how", classes="signin-how", markup=False)
            with Horizontal(classes="signin-row"):
                yield Label("API key", markup=False)
                yield TextInput(
                    password=True, placeholder="bce-v3/ALTAK-…/…", id="api-key", compact=True
                )
                yield Button("Use the key", id="signin-key", variant="primary", compact=True)
            yield Static(
                plain_block(cookies_how(host_of(config.base_url))),
                id="signin-how",
                classes="signin-how",
                markup=False,
            )
            with Horizontal(classes="signin-row"):
                yield Label("BAIDUID", markup=False)
                yield TextInput(
                    password=True, placeholder="BAIDUID cookie value", id="baiduid", compact=True
                )
            with Horizontal(classes="signin-row"):
                yield Label("BDUSS_BFESS", markup=False)
                yield TextInput(
                    password=True,
                    placeholder="BDUSS_BFESS cookie value",
                    id="bduss",
                    compact=True,
                )
            yield Static("", id="signin-error", markup=False)
            with Vertical(id="keyring-missing"):
                yield Static("", id="keyring-reason", markup=False)
                yield Button(
                    "Use for this run only", id="session-only", variant="warning", compact=True
                )
            yield LoadingIndicator(id="signin-busy")
            with Horizontal(id="signin-buttons"):
                yield Button("Sign in with the cookies", id="signin", compact=True)
                yield Button("Try the offline demo", id="demo", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#signin-reason").display = bool(self.reason)
        self.query_one("#signin-error").display = False
        self.query_one("#keyring-missing").display = False
        self.query_one("#signin-busy").display = False
        first = "#api-key" if self.host.config.backend == "qianfan" else "#baiduid"
        self.query_one(first, Input).focus()
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
        if text:
            self.call_after_refresh(error.scroll_visible, animate=False)

    @on(Input.Submitted, "#baiduid")
    def _next_field(self) -> None:
        self.query_one("#bduss", Input).focus()

    @on(Input.Submitted, "#api-key")
    @on(Button.Pressed, "#signin-key")
    def _sign_in_with_key(self) -> None:
        try:
            credential = parse_api_key(self.query_one("#api-key", Input).value)
        except ValueError as exc:
            self._error(str(exc))
            return
        config = dataclasses.replace(self.host.config, backend="qianfan")
        self._start_check(ApiKeyCredential(credential.key, "keyring"), config)

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
            self._error("Fill in both cookies: BAIDUID and BDUSS_BFESS (or paste an API key).")
            return
        try:
            parsed = cookies_from_fields(fields)
        except ValueError as exc:
            self._error(str(exc))
            return
        config = dataclasses.replace(self.host.config, backend="web")
        self._start_check(Credential(parsed.baiduid, parsed.bduss_bfess, "keyring"), config)

    def _start_check(self, credential: AnyCredential, config: Config) -> None:
        self._error("")
        self.query_one("#keyring-missing").display = False
        self._busy(True)
        self._check(credential, config)

    @work(exclusive=True, group="signin", exit_on_error=False)
    async def _check(self, credential: AnyCredential, config: Config) -> None:
        """Check the credential with a cheap request before keeping it."""
        try:
            backend = self.host.create_backend(credential, config)
        except Exception as exc:  # the library file or the address
            self._busy(False)
            self._error(clean_line(str(exc)))
            return
        try:
            await backend.verify()
        except NotSignedInError:
            self._busy(False)
            if isinstance(credential, ApiKeyCredential):
                self._error(
                    "The service refused this API key (bad or expired). Copy it again from "
                    "the Qianfan console (API Key)."
                )
            else:
                self._error(
                    "The service did not accept these cookies (not signed in). Copy them "
                    f"again from a browser where you are signed in to {host_of(config.base_url)}."
                )
            return
        except ErnieError as exc:
            self._busy(False)
            self._error(clean_line(exc.message))
            return
        finally:
            await backend.aclose()
        self._save(credential, config)

    @work(thread=True, exclusive=True, group="keyring", exit_on_error=False)
    def _save(self, credential: AnyCredential, config: Config) -> None:
        """Keep the credential in the OS keyring (blocking: a thread)."""
        try:
            if isinstance(credential, ApiKeyCredential):
                save_api_key(host_of(config.qianfan.base_url), credential)
            else:
                save_credential(host_of(config.base_url), credential)
        except KeyringUnavailableError as exc:
            self.app.call_from_thread(self._no_keyring, credential, config, exc.reason)
            return
        self.app.call_from_thread(self.host.signed_in, credential, config)

    def _no_keyring(self, credential: AnyCredential, config: Config, reason: str) -> None:
        self._busy(False)
        if isinstance(credential, ApiKeyCredential):
            pending: AnyCredential = ApiKeyCredential(credential.key, "session")
            what, env = "The key works, but it", ENV_API_KEY
        else:
            pending = Credential(credential.baiduid, credential.bduss_bfess, "session")
            what, env = "The cookies work, but they", f"{ENV_BAIDUID} and {ENV_BDUSS}"
        self._pending = (pending, config)
        # Short, so the box still fits a 100x30 screen: `ernie-tui status`
        # tells how to start a keyring.
        self.query_one("#keyring-reason", Static).update(
            plain_block(
                f"{what} cannot be kept: {reason.rstrip('. ')}. Use for this run only, or "
                f"set {env} (see `ernie-tui status`)."
            )
        )
        self.query_one("#keyring-missing").display = True
        button = self.query_one("#session-only", Button)
        button.focus()
        self.call_after_refresh(button.scroll_visible, animate=False)

    @on(Button.Pressed, "#session-only")
    def _session_only(self) -> None:
        if self._pending is not None:
            self.host.signed_in(*self._pending)

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
            config, credential = starter(self.host.config)
        except Exception as exc:
            message = f"The offline demo could not start ({type(exc).__name__}: {exc})."
            self.app.call_from_thread(self._demo_failed, message)
            return
        self.app.call_from_thread(self.host.signed_in, credential, config)

    def _demo_failed(self, message: str) -> None:
        self._busy(False)
        self._error(clean_line(message))
