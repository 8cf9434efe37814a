"""What a command runs with: the config (with --base-url and
``ERNIE_TUI_BASE_URL`` applied), the credential for its server, and a client
whose errors become messages and exit codes."""

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
    from ..config import Config
    from ..credentials import Credential

__all__ = [
    "ENV_BASE_URL",
    "error_code",
    "find_credential",
    "load_config",
    "require_credential",
    "with_client",
]

ENV_BASE_URL = "ERNIE_TUI_BASE_URL"


def load_config(args: argparse.Namespace) -> Config:
    """The config with --base-url / ERNIE_TUI_BASE_URL applied; raises Fail(2)
    for a malformed file."""
    from ..config import ConfigError, config_path, url_problem
    from ..config import load_config as read_config

    explicit = args.config or os.environ.get("ERNIE_TUI_CONFIG")
    try:
        config = read_config(args.config)
    except ConfigError as exc:
        raise Fail(f"{exc}\nFix the config file and try again.", EXIT_USAGE) from None
    if explicit and not config_path(args.config).exists():
        err(f"warning: config file {config_path(args.config)} does not exist; using defaults.")
    for warning in config.warnings:
        err(f"warning: {warning}")
    base_url = (args.base_url or os.environ.get(ENV_BASE_URL) or "").strip()
    if base_url:
        base_url = base_url.rstrip("/")
        problem = url_problem(base_url)
        if problem is not None:
            from ..api import display_url

            source = "--base-url" if args.base_url else ENV_BASE_URL
            raise Fail(f"{source} {display_url(base_url)!r} {problem}", EXIT_USAGE)
        config = dataclasses.replace(config, base_url=base_url)
    return config


def find_credential(host: str) -> Credential | None:
    from ..credentials import KEYRING_TIMEOUT, call_with_timeout, load_credential

    try:
        return call_with_timeout(lambda: load_credential(host), KEYRING_TIMEOUT + 1)
    except Exception:
        return None


def require_credential(config: Config) -> Credential:
    from ..config import DEFAULT_BASE_URL
    from ..credentials import ENV_BAIDUID, ENV_BDUSS, host_of

    host = host_of(config.base_url)
    credential = find_credential(host)
    if credential is None:
        login = "ernie-tui login"
        if host != host_of(DEFAULT_BASE_URL):
            from ..api import display_url

            login += f" --base-url {display_url(config.base_url)}"
        raise Fail(
            f"not signed in to {host}: run `{login}`, or set {ENV_BAIDUID} and {ENV_BDUSS}.",
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
