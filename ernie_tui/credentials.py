"""Where the credential lives: the OS keyring, or the environment.

The credential is the pair of Baidu cookies ``BAIDUID`` and ``BDUSS_BFESS``.
It is kept as ONE keyring item per server host: service ``ernie-tui``,
username = the host (``yiyan.baidu.com``, ``127.0.0.1:8765``), value = the
JSON object ``{"BAIDUID": "…", "BDUSS_BFESS": "…"}``.

Only a real OS keyring counts (Secret Service, macOS Keychain, Windows
Credential Locker). keyring's ``fail`` and ``null`` backends and every
plaintext or file backend (``keyrings.alt``) count as "no keyring": nothing is
ever written to a plaintext file. The environment variables ``ERNIE_BAIDUID``
and ``ERNIE_BDUSS_BFESS`` override the keyring (CI and scripts).

``keyring`` is imported lazily, and every call into it runs in a thread with a
timeout (:func:`call_with_timeout`): some systems make it hang for seconds.
No function here logs, prints or raises with a cookie value in it.

:class:`Credential` and the reading of pasted cookies live in
:mod:`ernie_tui.cookies`, :func:`host_of` in :mod:`ernie_tui.urls`; all three
are importable from here.

The Qianfan backend's credential, an API key, follows every rule above in a
keyring item of its own (:mod:`ernie_tui.api_key`, through :func:`read_item`,
:func:`store_item` and :func:`remove_item`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .api import Secret
from .cookies import Credential, parse_cookie_text
from .urls import host_of

__all__ = [
    "ENV_BAIDUID",
    "ENV_BDUSS",
    "KEYRING_TIMEOUT",
    "SERVICE",
    "Credential",
    "KeyringUnavailableError",
    "call_with_timeout",
    "delete_credential",
    "from_environment",
    "host_of",
    "keyring_backend_name",
    "keyring_usable",
    "load_credential",
    "parse_cookie_text",
    "read_item",
    "remove_item",
    "save_credential",
    "store_item",
]

log = logging.getLogger("ernie_tui.credentials")

ENV_BAIDUID = "ERNIE_BAIDUID"
ENV_BDUSS = "ERNIE_BDUSS_BFESS"
SERVICE = "ernie-tui"
KEYRING_TIMEOUT = 5.0

T = TypeVar("T")


def from_environment() -> Credential | None:
    """The credential from ``ERNIE_BAIDUID`` and ``ERNIE_BDUSS_BFESS`` when both
    are set."""
    baiduid = os.environ.get(ENV_BAIDUID, "").strip()
    bduss = os.environ.get(ENV_BDUSS, "").strip()
    if baiduid and bduss:
        return Credential(Secret(baiduid), Secret(bduss), "environment")
    return None


# -- errors --------------------------------------------------------------------


def _remedies(
    platform: str | None = None,
    env: tuple[str, ...] = (ENV_BAIDUID, ENV_BDUSS),
    for_this_run: bool = True,
) -> str:
    platform = platform or sys.platform
    overrides = "they override" if len(env) > 1 else "it overrides"
    env_text = f"or set {' and '.join(env)} in the environment ({overrides} the keyring)"
    if platform.startswith("linux") or platform.startswith("freebsd"):
        how = (
            "Start a Secret Service keyring, for example over SSH on a headless machine: "
            "dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock; ernie-tui' "
            "(type a password for the keyring, then press Ctrl-D), "
        )
    elif platform == "darwin":
        how = "Unlock the login keychain with `security unlock-keychain` and try again, "
    elif platform in ("win32", "cygwin"):
        how = (
            "Make sure Windows Credential Locker (Credential Manager) is available to your "
            "account, "
        )
    else:
        how = "Install and unlock an OS keyring supported by Python's keyring package, "
    run = (
        " You can also keep the credential for this run only: it is then forgotten when "
        "the app exits."
    )
    return f"{how}{env_text}.{run if for_this_run else ''} It is never written to a plaintext file."


class KeyringUnavailableError(Exception):
    """No usable OS keyring. ``str()`` is a plain explanation with the remedies for
    this platform (Linux: a Secret Service daemon via ``dbus-run-session``, or the
    environment variables; macOS: ``security unlock-keychain``; Windows:
    Credential Locker), and that the credential can be kept for this run only.
    ``env`` names the environment variables that stand in for the keyring (the
    cookies' by default); ``for_this_run=False`` leaves out keeping it for this
    run only (the command line cannot)."""

    def __init__(
        self,
        reason: str = "No usable OS keyring was found",
        *,
        env: tuple[str, ...] = (),
        for_this_run: bool = True,
    ) -> None:
        self.reason = reason.rstrip(". ")
        self.remedies = _remedies(env=env or (ENV_BAIDUID, ENV_BDUSS), for_this_run=for_this_run)
        super().__init__(f"{self.reason}. {self.remedies}")


# -- the keyring, off the caller's thread ---------------------------------------


def call_with_timeout(fn: Callable[[], T], timeout: float = KEYRING_TIMEOUT) -> T:
    """Run ``fn`` (a keyring call) in a daemon thread and wait at most
    ``timeout`` seconds. Its exception is re-raised here; on timeout raises
    :class:`KeyringUnavailableError`. The thread is a daemon, so a keyring that
    never answers cannot keep the process from exiting."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="ernie-tui-keyring", daemon=True).start()
    if not done.wait(timeout):
        raise KeyringUnavailableError(
            f"The keyring did not answer within {timeout:g} s (it may be locked, or waiting "
            "for a password prompt that cannot be shown here)"
        )
    if "error" in box:
        error: BaseException = box["error"]
        raise error
    value: T = box["value"]
    return value


def _is_unusable(backend: object) -> bool:
    """fail/null backends, and plaintext or file backends, are "no keyring"."""
    cls = type(backend)
    module = cls.__module__
    name = cls.__name__
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return True
    if module.startswith(("keyrings.alt", "keyrings.cryptfile")):
        return True
    lowered = name.lower()
    return "plaintext" in lowered or "file" in lowered


def _backend() -> Any | None:
    """The keyring backend to use, or ``None`` when there is no usable one.

    For keyring's chainer, the highest-priority usable member is used
    directly, so a write can never fall through to a plaintext member."""
    import keyring

    backend = keyring.get_keyring()
    if type(backend).__name__ == "ChainerBackend":
        for member in getattr(backend, "backends", ()):
            if not _is_unusable(member):
                return member
        return None
    return None if _is_unusable(backend) else backend


def _backend_with_timeout(timeout: float) -> Any | None:
    return call_with_timeout(_backend, timeout)


def _display_name(backend: object) -> str:
    name = getattr(backend, "name", None)
    return name if isinstance(name, str) and name else type(backend).__name__


def keyring_backend_name(timeout: float = KEYRING_TIMEOUT) -> str:
    """The usable keyring's display name (``"SecretService Keyring"``), or
    ``"none"`` when there is no usable keyring."""
    try:
        backend = _backend_with_timeout(timeout)
    except Exception as exc:
        log.debug("no keyring backend: %s", type(exc).__name__)
        return "none"
    return "none" if backend is None else _display_name(backend)


def keyring_detected_name(timeout: float = KEYRING_TIMEOUT) -> str:
    """What keyring itself picked, usable or not (``"fail Keyring"``)."""
    try:
        import keyring

        return _display_name(call_with_timeout(keyring.get_keyring, timeout))
    except Exception as exc:
        log.debug("no keyring backend: %s", type(exc).__name__)
        return "none"


def keyring_usable(timeout: float = KEYRING_TIMEOUT) -> bool:
    """Whether a real OS keyring is there (``False`` for fail/null/plaintext)."""
    try:
        return _backend_with_timeout(timeout) is not None
    except Exception as exc:
        log.debug("no keyring backend: %s", type(exc).__name__)
        return False


def _encode(credential: Credential) -> str:
    return json.dumps(
        {
            "BAIDUID": credential.baiduid.reveal(),
            "BDUSS_BFESS": credential.bduss_bfess.reveal(),
        }
    )


def _decode(raw: str) -> Credential | None:
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    baiduid = obj.get("BAIDUID")
    bduss = obj.get("BDUSS_BFESS")
    if not (isinstance(baiduid, str) and isinstance(bduss, str) and baiduid and bduss):
        return None
    return Credential(Secret(baiduid), Secret(bduss), "keyring")


# -- one keyring item: read, stored and read back, removed -------------------------


def read_item(service: str, user: str, timeout: float) -> str | None:
    """The item's value; raises when the keyring is missing or fails."""
    backend = _backend_with_timeout(timeout)
    if backend is None:
        raise KeyringUnavailableError()
    raw = call_with_timeout(lambda: backend.get_password(service, user), timeout)
    return raw if isinstance(raw, str) else None


def store_item(service: str, user: str, value: str, timeout: float) -> None:
    """Write the item and read it back to verify."""
    backend = _backend_with_timeout(timeout)
    if backend is None:
        raise KeyringUnavailableError()
    try:
        call_with_timeout(lambda: backend.set_password(service, user, value), timeout)
    except KeyringUnavailableError:
        raise
    except Exception as exc:
        raise KeyringUnavailableError(
            f"The keyring ({_display_name(backend)}) refused to store the credential "
            f"({type(exc).__name__})"
        ) from None
    try:
        back = call_with_timeout(lambda: backend.get_password(service, user), timeout)
    except KeyringUnavailableError:
        raise
    except Exception as exc:
        raise KeyringUnavailableError(
            f"The keyring ({_display_name(backend)}) stored the credential but could not "
            f"read it back ({type(exc).__name__})"
        ) from None
    if back != value:
        raise KeyringUnavailableError(
            f"The keyring ({_display_name(backend)}) did not keep the credential: reading "
            "it back gave something else"
        )


def remove_item(service: str, user: str, timeout: float) -> bool:
    """Remove the item; whether there was one."""
    backend = _backend_with_timeout(timeout)
    if backend is None:
        raise KeyringUnavailableError()
    try:
        existing = call_with_timeout(lambda: backend.get_password(service, user), timeout)
    except KeyringUnavailableError:
        raise
    except Exception as exc:
        raise KeyringUnavailableError(
            f"The keyring ({_display_name(backend)}) could not be read ({type(exc).__name__})"
        ) from None
    if existing is None:
        return False
    from keyring.errors import PasswordDeleteError

    try:
        call_with_timeout(lambda: backend.delete_password(service, user), timeout)
    except PasswordDeleteError:
        return False
    except KeyringUnavailableError:
        raise
    except Exception as exc:
        raise KeyringUnavailableError(
            f"The keyring ({_display_name(backend)}) could not remove the credential "
            f"({type(exc).__name__})"
        ) from None
    return True


# -- the web cookies ---------------------------------------------------------------


def _read(host: str, timeout: float) -> Credential | None:
    """The stored credential; raises when the keyring is missing or fails."""
    raw = read_item(SERVICE, host, timeout)
    if raw is None:
        return None
    credential = _decode(raw)
    if credential is None:
        log.debug("the keyring item for %s is not a credential this version understands", host)
    return credential


def load_credential(host: str, timeout: float = KEYRING_TIMEOUT) -> Credential | None:
    """The credential for ``host``: the environment variables first (source
    ``environment``), then the keyring (source ``keyring``); ``None`` when
    neither has one. A missing, broken or hanging keyring gives ``None``."""
    credential = from_environment()
    if credential is not None:
        return credential
    try:
        return _read(host, timeout)
    except Exception as exc:
        log.debug("no credential from the keyring for %s: %s", host, type(exc).__name__)
        return None


def save_credential(host: str, credential: Credential, timeout: float = KEYRING_TIMEOUT) -> None:
    """Store ``credential`` as the one keyring item for ``host`` and read it back
    to verify. Raises :class:`KeyringUnavailableError` when there is no usable
    keyring, it fails, it hangs, or it does not keep what was written."""
    store_item(SERVICE, host, _encode(credential), timeout)


def delete_credential(host: str, timeout: float = KEYRING_TIMEOUT) -> bool:
    """Remove the keyring item for ``host``. ``True`` when one was removed,
    ``False`` when there was none. Raises :class:`KeyringUnavailableError` when
    there is no usable keyring or it fails."""
    return remove_item(SERVICE, host, timeout)
