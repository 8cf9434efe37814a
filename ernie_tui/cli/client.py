"""What a command runs with: the config (with --backend/``ERNIE_TUI_BACKEND``,
--base-url/``ERNIE_TUI_BASE_URL`` and --model applied), the credential for its
server (the cookies, or the API key for the qianfan backend), and a client or
backend whose errors become messages and exit codes."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from .exits import EXIT_ERROR, EXIT_NETWORK, EXIT_NOT_SIGNED_IN, EXIT_USAGE, Fail
from .output import err

if TYPE_CHECKING:
    from ..api import ErnieClient
    from ..api_key import AnyCredential, ApiKeyCredential
    from ..backends import Backend
    from ..config import Config
    from ..credentials import Credential

__all__ = [
    "ENV_BACKEND",
    "ENV_BASE_URL",
    "error_code",
    "find_api_key",
    "find_credential",
    "key_login_command",
    "load_config",
    "login_command",
    "require_credential",
    "with_backend",
    "with_client",
]

ENV_BASE_URL = "ERNIE_TUI_BASE_URL"
ENV_BACKEND = "ERNIE_TUI_BACKEND"


def load_config(args: argparse.Namespace) -> Config:
    """The config with the backend (--backend > ERNIE_TUI_BACKEND > the file),
    then its base URL (--base-url > ERNIE_TUI_BASE_URL > the file) and model
    (--model) applied; raises Fail(2) for a malformed file or value."""
    from ..config import ConfigError, config_path, url_problem, with_base_url, with_model
    from ..config import load_config as read_config
    from ..config_checks import BACKENDS, model_problem

    explicit = args.config or os.environ.get("ERNIE_TUI_CONFIG")
    try:
        config = read_config(args.config)
    except ConfigError as exc:
        raise Fail(f"{exc}\nFix the config file and try again.", EXIT_USAGE) from None
    if explicit and not config_path(args.config).exists():
        err(f"warning: config file {config_path(args.config)} does not exist; using defaults.")
    for warning in config.warnings:
        err(f"warning: {warning}")
    backend = getattr(args, "backend", None) or os.environ.get(ENV_BACKEND, "").strip().lower()
    if backend:
        if backend not in BACKENDS:
            raise Fail(
                f"{ENV_BACKEND} must be one of {', '.join(BACKENDS)} (it is {backend[:40]!r}).",
                EXIT_USAGE,
            )
        config = dataclasses.replace(config, backend=backend)
    base_url = (args.base_url or os.environ.get(ENV_BASE_URL) or "").strip()
    if base_url:
        base_url = base_url.rstrip("/")
        problem = url_problem(base_url)
        if problem is not None:
            from ..api import display_url

            source = "--base-url" if args.base_url else ENV_BASE_URL
            raise Fail(f"{source} {display_url(base_url)!r} {problem}", EXIT_USAGE)
        config = with_base_url(config, base_url)
    model = (getattr(args, "model", None) or "").strip()
    if model:
        problem = model_problem(config.backend, model)
        if problem is not None:
            raise Fail(f"--model {model[:40]!r} {problem}", EXIT_USAGE)
        config = with_model(config, model)
    return config


def find_credential(host: str) -> Credential | None:
    from ..credentials import KEYRING_TIMEOUT, call_with_timeout, load_credential

    try:
        return call_with_timeout(lambda: load_credential(host), KEYRING_TIMEOUT + 1)
    except Exception:
        return None


def find_api_key(host: str) -> ApiKeyCredential | None:
    from ..api_key import load_api_key
    from ..credentials import KEYRING_TIMEOUT, call_with_timeout

    try:
        return call_with_timeout(lambda: load_api_key(host), KEYRING_TIMEOUT + 1)
    except Exception:
        return None


def require_credential(config: Config) -> AnyCredential:
    """The credential for the config's backend and server; Fail(3) when
    there is none."""
    from ..credentials import ENV_BAIDUID, ENV_BDUSS, host_of

    if config.backend == "qianfan":
        return _require_api_key(config)
    host = host_of(config.base_url)
    credential = find_credential(host)
    if credential is None:
        raise Fail(
            f"not signed in to {host}: run `{login_command(config)}`, or set {ENV_BAIDUID} "
            f"and {ENV_BDUSS}.",
            EXIT_NOT_SIGNED_IN,
        )
    return credential


def login_command(config: Config) -> str:
    """The command that stores the cookies for the config's web server (with
    its ``--base-url`` unless it is the default one)."""
    from ..api import display_url
    from ..config import DEFAULT_BASE_URL
    from ..credentials import host_of

    login = "ernie-tui login"
    if host_of(config.base_url) != host_of(DEFAULT_BASE_URL):
        login += f" --base-url {display_url(config.base_url)}"
    return login


def key_login_command(config: Config) -> str:
    """The command that stores an API key for the config's Qianfan server."""
    from ..api import display_url
    from ..config import QIANFAN_BASE_URL
    from ..credentials import host_of

    login = "ernie-tui login --backend qianfan"
    if host_of(config.qianfan.base_url) != host_of(QIANFAN_BASE_URL):
        login += f" --base-url {display_url(config.qianfan.base_url)}"
    return login


def _require_api_key(config: Config) -> ApiKeyCredential:
    from ..api_key import ENV_API_KEY
    from ..credentials import host_of

    host = host_of(config.qianfan.base_url)
    credential = find_api_key(host)
    if credential is None:
        raise Fail(
            f"no API key for {host}: run `{key_login_command(config)}`, or set {ENV_API_KEY}.",
            EXIT_NOT_SIGNED_IN,
        )
    return credential


def error_code(exc: BaseException) -> int:
    from ..api import IncompleteAnswerError, NetworkError, NotSignedInError

    if isinstance(exc, NotSignedInError):
        return EXIT_NOT_SIGNED_IN
    if isinstance(exc, NetworkError | IncompleteAnswerError):
        return EXIT_NETWORK
    return EXIT_ERROR


def with_client(
    config: Config,
    credential: Credential,
    work: Callable[[ErnieClient], Awaitable[int]],
) -> int:
    """Run ``work`` with a client; map the client's errors to messages and codes."""
    import asyncio

    from ..api import ErnieError
    from ..config import make_client
    from ..sanitize import clean_line

    async def run() -> int:
        async with make_client(config, credential) as client:
            return await work(client)

    try:
        return asyncio.run(run())
    except ErnieError as exc:
        raise Fail(clean_line(str(exc)), error_code(exc)) from None


def with_backend(
    config: Config,
    credential: AnyCredential,
    work: Callable[[Backend], Awaitable[int]],
) -> int:
    """Run ``work`` with the config's backend (:func:`~ernie_tui.wiring.make_backend`);
    map its errors, and the local library's, to messages and codes."""
    import asyncio

    from ..api import ErnieError
    from ..library import LibraryError, NotFoundError
    from ..sanitize import clean_line
    from ..wiring import make_backend

    async def run() -> int:
        backend = make_backend(config, credential)
        try:
            return await work(backend)
        finally:
            await backend.aclose()

    try:
        return asyncio.run(run())
    except ErnieError as exc:
        raise Fail(clean_line(str(exc)), error_code(exc)) from None
    except LibraryError as exc:
        raise Fail(clean_line(str(exc))) from None
    except NotFoundError as exc:
        raise Fail(f"{clean_line(str(exc))} (see `ernie-tui list`).") from None
