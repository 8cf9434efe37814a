"""``ernie-tui sync`` and ``ernie-tui cache clear``: the web backend's cache
of the account's conversations in the local library; and the question
``logout`` asks about it (:func:`offer_to_clear`).

The cache is per account and server (a digest of the host and the BDUSS
cookie names it), so these commands need the sign-in, except
``cache clear --all``, which clears the web cache of every account.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .client import load_config, require_credential, with_backend
from .exits import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Fail
from .output import err, shown

if TYPE_CHECKING:
    from ..backends import Backend
    from ..backends.web_cache import WebCache
    from ..config import Config
    from ..core.sync import SyncProgress
    from ..credentials import Credential

__all__ = ["cache", "offer_to_clear", "sync"]

_KEPT_NOT_CACHED = (
    "the qianfan backend's conversations are kept on this machine, not cached: "
    "there is nothing to {what} (delete conversations in the app instead)."
)


def _cache_of(backend: Backend) -> WebCache:
    """The web backend's cache, or Fail saying why there is none."""
    cache = getattr(backend, "cache", None)
    if cache is None:
        problem = getattr(backend, "cache_problem", "") or "this backend keeps no cache"
        raise Fail(problem)
    return cache  # type: ignore[no-any-return]


def _plural(count: int) -> str:
    return "1 conversation" if count == 1 else f"{count} conversations"


def _ask(question: str) -> bool:
    print(question + " [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in ("y", "yes")


# -- sync ----------------------------------------------------------------------------


def _line(progress: SyncProgress) -> str:
    return (
        f"syncing: {progress.done}/{progress.total} ({progress.fetched} fetched, "
        f"{progress.skipped} already kept, {progress.failed} failed)"
    )


def sync(args: argparse.Namespace) -> int:
    from ..core.sync import SyncProgress, sync_all

    config = load_config(args)
    if config.backend == "qianfan":
        print(_KEPT_NOT_CACHED.format(what="sync").capitalize(), file=sys.stderr)
        return EXIT_OK
    credential = require_credential(config)
    tty = sys.stderr.isatty()
    last = [SyncProgress(0, 0, 0, 0, 0)]

    def show(progress: SyncProgress) -> None:
        last[0] = progress
        if tty:
            print(f"\r{_line(progress)}\x1b[K", end="", file=sys.stderr, flush=True)
        else:
            print(_line(progress), file=sys.stderr, flush=True)

    async def work(backend: Backend) -> int:
        import asyncio  # here: ``--help`` and the other commands load no asyncio

        _cache_of(backend)
        try:
            result = await sync_all(backend, rate=config.sync_rate, on_progress=show)
        except asyncio.CancelledError:
            done = last[0]
            if tty:
                print(file=sys.stderr)
            err(
                f"sync stopped: {done.fetched} fetched of {done.total} are kept; "
                "`ernie-tui sync` goes on from there."
            )
            raise
        if tty:
            print(file=sys.stderr)
        print(
            f"Synced {_plural(result.total)}: {result.fetched} fetched, "
            f"{result.skipped} already kept, {result.failed} failed.",
            file=sys.stderr,
        )
        if result.failed:
            err(
                f"{_plural(result.failed)} could not be fetched; run `ernie-tui sync` again "
                "to try them again."
            )
            return EXIT_ERROR
        return EXIT_OK

    return with_backend(config, credential, work)


# -- cache clear ------------------------------------------------------------------------


def cache(args: argparse.Namespace) -> int:
    """``cache clear [--yes] [--all]``."""
    from ..library import Library, LibraryError, default_path
    from ..sanitize import clean_line

    config = load_config(args)
    if config.backend == "qianfan":
        raise Fail(_KEPT_NOT_CACHED.format(what="clear"), EXIT_USAGE)
    if args.all:
        path = config.library_path or default_path()
        if not path.exists():
            print("There is no conversation library on this machine.", file=sys.stderr)
            return EXIT_OK
        _confirm(args, "Delete the cached web conversations of every account on this machine")
        try:
            with Library(path) as library:
                count = library.clear_every_kept()
        except LibraryError as exc:
            raise Fail(clean_line(str(exc))) from None
        print(f"Cleared the web cache: {_plural(count)} deleted.", file=sys.stderr)
        return EXIT_OK
    credential = require_credential(config)

    async def work(backend: Backend) -> int:
        kept = _cache_of(backend)
        listed = kept.conversations()
        count = len(listed.all()) if listed is not None else 0
        if not count:
            print(f"Nothing is cached for this account on {backend.host}.", file=sys.stderr)
            return EXIT_OK
        _confirm(
            args,
            f"Delete the {_plural(count)} cached on this machine for this account on "
            f"{shown(backend.host)} (the service keeps them)",
        )
        removed = kept.clear()
        print(f"Cleared the cache: {_plural(removed)} deleted.", file=sys.stderr)
        return EXIT_OK

    return with_backend(config, credential, work)


def _confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise Fail(
            "standard input is not a terminal, so there is no one to confirm; "
            "pass --yes to clear the cache.",
            EXIT_USAGE,
        )
    if not _ask(question + "?"):
        raise Fail("nothing was deleted.", EXIT_OK)


# -- logout ------------------------------------------------------------------------------


def offer_to_clear(args: argparse.Namespace, config: Config, credential: Credential) -> None:
    """After signing out: clear the account's cache if ``--clear-cache``, or
    if the user says so on a terminal; keep it with ``--keep-cache`` or
    without a terminal (saying how to clear it later)."""
    if getattr(args, "keep_cache", False):
        return
    asked = bool(getattr(args, "clear_cache", False))

    async def work(backend: Backend) -> int:
        kept = getattr(backend, "cache", None)
        if kept is None:
            return EXIT_OK
        listed = kept.conversations()
        count = len(listed.all()) if listed is not None else 0
        if not count:
            return EXIT_OK
        clear = asked
        if not clear and sys.stdin.isatty():
            clear = _ask(
                f"Also delete the {_plural(count)} of this account cached on this machine "
                "(the service keeps them)?"
            )
        if clear:
            removed = kept.clear()
            print(f"Cleared the cache: {_plural(removed)} deleted.", file=sys.stderr)
        elif not sys.stdin.isatty():
            print(
                f"The {_plural(count)} cached on this machine were kept "
                "(`ernie-tui logout --clear-cache`, or `ernie-tui cache clear --all`, "
                "deletes them).",
                file=sys.stderr,
            )
        return EXIT_OK

    try:
        with_backend(config, credential, work)
    except Fail as exc:
        err(f"the cache was not cleared: {exc.message}")
