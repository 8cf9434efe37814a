"""``ernie-tui login``, ``logout`` and ``status``: the credential in the OS
keyring, and whether the server accepts it. The qianfan backend's API key is
in :mod:`.account_key`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from . import account_key
from .client import find_credential, load_config, login_command, with_client
from .exits import EXIT_ERROR, EXIT_NOT_SIGNED_IN, EXIT_OK, EXIT_USAGE, Fail
from .inputs import read_stdin
from .output import err, print_rows

if TYPE_CHECKING:
    from ..api import ErnieClient

__all__ = ["login", "logout", "status"]


def _read_interactive(host: str) -> str:
    import getpass

    print(
        f"Paste the cookies of a browser signed in at {host} (developer tools → "
        "Application/Storage → Cookies).\nInput is hidden. You may paste a whole Cookie "
        "header at the first prompt.",
        file=sys.stderr,
    )
    first = getpass.getpass("BAIDUID: ")
    if "BDUSS" in first.upper() and "=" in first:
        return first
    second = getpass.getpass("BDUSS_BFESS: ")
    return f"BAIDUID={first.strip()}\nBDUSS_BFESS={second.strip()}"


def login(args: argparse.Namespace) -> int:
    from ..credentials import (
        ENV_BAIDUID,
        ENV_BDUSS,
        KeyringUnavailableError,
        from_environment,
        host_of,
        keyring_backend_name,
        parse_cookie_text,
        save_credential,
    )

    config = load_config(args)
    if config.backend == "qianfan":
        return account_key.login(args, config)
    host = host_of(config.base_url)
    if args.stdin:
        text = read_stdin("the cookies")
    elif not sys.stdin.isatty():
        raise Fail(
            "standard input is not a terminal, so the cookies cannot be asked for with "
            "hidden input. Pipe them in with `ernie-tui login --stdin`.",
            EXIT_USAGE,
        )
    else:
        try:
            text = _read_interactive(host)
        except EOFError:
            raise Fail("nothing entered; not signed in.", EXIT_USAGE) from None
    try:
        credential = parse_cookie_text(text)
    except ValueError as exc:
        raise Fail(f"{exc} Nothing was stored.", EXIT_USAGE) from None
    del text

    async def check(client: ErnieClient) -> int:
        conversations = await client.list_conversations()
        return len(conversations.all())

    try:
        count = with_client(config, credential, check)
    except Fail as exc:
        verb = "rejected" if exc.code == EXIT_NOT_SIGNED_IN else "could not check"
        raise Fail(
            f"{host} {verb} these cookies, so they were not stored: {exc.message}", exc.code
        ) from None

    try:
        save_credential(host, credential)
    except KeyringUnavailableError as exc:
        # Keeping them for one run is the app's sign-in screen's to offer: a
        # command that ends here has no run to keep them for.
        unavailable = KeyringUnavailableError(exc.reason, for_this_run=False)
        err(
            f"{host} accepted the cookies, but they could not be stored.\n{unavailable}\n"
            f"Without a keyring, set {ENV_BAIDUID} and {ENV_BDUSS} in the environment "
            "of the commands and of the app."
        )
        return EXIT_ERROR
    print(
        f"Signed in to {host} as {credential.masked} ({_conversations(count)}). "
        f"The cookies are kept in the keyring ({keyring_backend_name()}).",
        file=sys.stderr,
    )
    if from_environment() is not None:
        err(
            f"note: {ENV_BAIDUID} and {ENV_BDUSS} are set and take precedence over the "
            "keyring; unset them to use what was just stored."
        )
    return EXIT_OK


def logout(args: argparse.Namespace) -> int:
    from ..credentials import (
        ENV_BAIDUID,
        ENV_BDUSS,
        KeyringUnavailableError,
        delete_credential,
        from_environment,
        host_of,
    )

    config = load_config(args)
    if config.backend == "qianfan":
        return account_key.logout(args, config)
    host = host_of(config.base_url)
    credential = find_credential(host)  # names the account's cache
    try:
        removed = delete_credential(host)
    except KeyringUnavailableError as exc:
        raise Fail(f"could not sign out: {exc}") from None
    if removed:
        print(f"Signed out of {host}: the cookies were removed from the keyring.", file=sys.stderr)
    else:
        print(f"No cookies for {host} were stored in the keyring.", file=sys.stderr)
    if credential is not None:
        from .cache import offer_to_clear

        offer_to_clear(args, config, credential)
    if from_environment() is not None:
        err(
            f"note: {ENV_BAIDUID} and {ENV_BDUSS} are still set in the environment and "
            "still sign you in; unset them too."
        )
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    from ..api import display_url
    from ..credentials import (
        ENV_BAIDUID,
        ENV_BDUSS,
        KeyringUnavailableError,
        from_environment,
        host_of,
        keyring_backend_name,
        keyring_detected_name,
    )

    config = load_config(args)
    if config.backend == "qianfan":
        return account_key.status(args, config)
    host = host_of(config.base_url)
    out = sys.stdout
    rows: list[tuple[str, str]] = [
        ("backend", "web (ERNIE Bot's web service, signed in with cookies)"),
        ("server", display_url(config.base_url)),
        ("model", config.model),
    ]
    if config.path is not None:
        found = "" if config.path.exists() else " (not found: defaults)"
        rows.append(("config", f"{config.path}{found}"))
    backend = keyring_backend_name()
    if backend == "none":
        detected = keyring_detected_name()
        reason = (
            f"keyring picked {detected!r}, which is not an OS keyring"
            if detected != "none"
            else "no keyring backend"
        )
        rows.append(("keyring", f"none ({reason})"))
        if from_environment() is None:
            rows.append(("remedy", KeyringUnavailableError(for_this_run=False).remedies))
    else:
        rows.append(("keyring", backend))
    set_vars = [name for name in (ENV_BAIDUID, ENV_BDUSS) if os.environ.get(name, "").strip()]
    if len(set_vars) == 2:
        rows.append(
            ("environment", f"{ENV_BAIDUID} and {ENV_BDUSS} set: they override the keyring")
        )
    elif set_vars:
        rows.append(("environment", f"only {set_vars[0]} set: ignored (both are needed)"))
    else:
        rows.append(("environment", "not in use"))
    credential = find_credential(host)
    if credential is None:
        rows.append(("credential", f"none for {host}: run `{login_command(config)}`"))
        print_rows(out, rows)
        return EXIT_NOT_SIGNED_IN
    rows.append(
        (
            "credential",
            f"from the {credential.source}: BAIDUID {credential.baiduid.masked}, "
            f"BDUSS_BFESS {credential.bduss_bfess.masked}",
        )
    )
    if args.no_check:
        print_rows(out, rows)
        return EXIT_OK

    async def check(client: ErnieClient) -> int:
        return len((await client.list_conversations()).all())

    try:
        count = with_client(config, credential, check)
    except Fail as exc:
        word = "rejected" if exc.code == EXIT_NOT_SIGNED_IN else "not checked"
        rows.append(("server says", f"{word}: {exc.message}"))
        print_rows(out, rows)
        return exc.code
    rows.append(("server says", f"accepted ({_conversations(count)})"))
    print_rows(out, rows)
    return EXIT_OK


def _conversations(count: int) -> str:
    return "1 conversation" if count == 1 else f"{count} conversations"
