"""``ernie-tui login``, ``logout`` and ``status`` for the qianfan backend: the
API key in the OS keyring (or ``QIANFAN_API_KEY``), and whether the service
accepts it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .exits import EXIT_ERROR, EXIT_NOT_SIGNED_IN, EXIT_OK, EXIT_USAGE, Fail
from .inputs import read_stdin
from .output import err, print_rows

if TYPE_CHECKING:
    from ..api_key import ApiKeyCredential
    from ..config import Config

__all__ = ["login", "logout", "status"]


def _check(config: Config, credential: ApiKeyCredential) -> None:
    """Ask the service whether it takes the key; raises Fail with what
    happened when it does not (3: refused, 4: network, 1: anything else)."""
    import asyncio

    from ..api import ErnieError, Timeouts
    from ..qianfan import QianfanClient
    from ..sanitize import clean_line
    from .client import error_code

    async def run() -> None:
        client = QianfanClient(
            credential.key,
            base_url=config.qianfan.base_url,
            appid=config.qianfan.appid,
            timeouts=Timeouts(
                connect=config.connect_timeout,
                request=config.request_timeout,
                idle=config.idle_timeout,
            ),
        )
        async with client:
            await client.check_key(config.qianfan.model)

    try:
        asyncio.run(run())
    except ErnieError as exc:
        raise Fail(clean_line(str(exc)), error_code(exc)) from None


def _read_interactive() -> str:
    import getpass

    from ..api_key import HOW_TO_GET_A_KEY

    print(f"Paste your Qianfan API key. {HOW_TO_GET_A_KEY}\nInput is hidden.", file=sys.stderr)
    return getpass.getpass("API key: ")


def login(args: argparse.Namespace, config: Config) -> int:
    from ..api_key import ENV_API_KEY, api_key_from_environment, parse_api_key, save_api_key
    from ..credentials import KeyringUnavailableError, host_of, keyring_backend_name

    host = host_of(config.qianfan.base_url)
    if args.stdin:
        text = read_stdin("the API key")
    elif not sys.stdin.isatty():
        raise Fail(
            "standard input is not a terminal, so the API key cannot be asked for with "
            "hidden input. Pipe it in with `ernie-tui login --backend qianfan --stdin`.",
            EXIT_USAGE,
        )
    else:
        try:
            text = _read_interactive()
        except EOFError:
            raise Fail("nothing entered; not signed in.", EXIT_USAGE) from None
    try:
        credential = parse_api_key(text)
    except ValueError as exc:
        raise Fail(f"{exc} Nothing was stored.", EXIT_USAGE) from None
    del text

    try:
        _check(config, credential)
    except Fail as exc:
        what = (
            "the key was refused"
            if exc.code == EXIT_NOT_SIGNED_IN
            else "the key could not be checked"
        )
        raise Fail(f"{host}: {what}, so it was not stored. {exc.message}", exc.code) from None

    try:
        save_api_key(host, credential)
    except KeyringUnavailableError as exc:
        unavailable = KeyringUnavailableError(exc.reason, env=(ENV_API_KEY,), for_this_run=False)
        err(f"{host} accepted the API key, but it could not be stored.\n{unavailable}")
        return EXIT_ERROR
    print(
        f"Signed in to {host} with the API key {credential.masked}. It is kept in the "
        f"keyring ({keyring_backend_name()}).",
        file=sys.stderr,
    )
    if api_key_from_environment() is not None:
        err(
            f"note: {ENV_API_KEY} is set and takes precedence over the keyring; unset it "
            "to use what was just stored."
        )
    return EXIT_OK


def logout(args: argparse.Namespace, config: Config) -> int:
    from ..api_key import ENV_API_KEY, api_key_from_environment, delete_api_key
    from ..credentials import KeyringUnavailableError, host_of

    host = host_of(config.qianfan.base_url)
    try:
        removed = delete_api_key(host)
    except KeyringUnavailableError as exc:
        raise Fail(f"could not sign out: {exc.reason}.") from None
    if removed:
        print(f"Signed out of {host}: the API key was removed from the keyring.", file=sys.stderr)
    else:
        print(f"No API key for {host} was stored in the keyring.", file=sys.stderr)
    if api_key_from_environment() is not None:
        err(
            f"note: {ENV_API_KEY} is still set in the environment and still signs you in; "
            "unset it too."
        )
    return EXIT_OK


def status(args: argparse.Namespace, config: Config) -> int:
    from ..api import display_url
    from ..api_key import ENV_API_KEY, api_key_from_environment
    from ..credentials import (
        KeyringUnavailableError,
        host_of,
        keyring_backend_name,
        keyring_detected_name,
    )
    from ..library import default_path
    from .client import find_api_key, key_login_command

    qianfan = config.qianfan
    host = host_of(qianfan.base_url)
    out = sys.stdout
    rows: list[tuple[str, str]] = [
        ("backend", "qianfan (the Qianfan V2 API; conversations kept on this machine)"),
        ("server", display_url(qianfan.base_url)),
        ("model", qianfan.model + (", web search on" if qianfan.web_search else "")),
    ]
    if qianfan.appid:
        rows.append(("appid", qianfan.appid))
    if config.path is not None:
        found = "" if config.path.exists() else " (not found: defaults)"
        rows.append(("config", f"{config.path}{found}"))
    rows.append(("library", str(config.library_path or default_path())))
    backend = keyring_backend_name()
    if backend == "none":
        detected = keyring_detected_name()
        reason = (
            f"keyring picked {detected!r}, which is not an OS keyring"
            if detected != "none"
            else "no keyring backend"
        )
        rows.append(("keyring", f"none ({reason})"))
        if api_key_from_environment() is None:
            remedy = KeyringUnavailableError(env=(ENV_API_KEY,), for_this_run=False).remedies
            rows.append(("remedy", remedy))
    else:
        rows.append(("keyring", backend))
    if api_key_from_environment() is not None:
        rows.append(("environment", f"{ENV_API_KEY} set: it overrides the keyring"))
    else:
        rows.append(("environment", "not in use"))
    credential = find_api_key(host)
    if credential is None:
        rows.append(("credential", f"none for {host}: run `{key_login_command(config)}`"))
        print_rows(out, rows)
        return EXIT_NOT_SIGNED_IN
    rows.append(("credential", f"API key {credential.masked}, from the {credential.source}"))
    if args.no_check:
        print_rows(out, rows)
        return EXIT_OK
    try:
        _check(config, credential)
    except Fail as exc:
        word = "refused" if exc.code == EXIT_NOT_SIGNED_IN else "not checked"
        rows.append(("server says", f"{word}: {exc.message}"))
        print_rows(out, rows)
        return exc.code
    rows.append(("server says", "accepted"))
    print_rows(out, rows)
    return EXIT_OK
