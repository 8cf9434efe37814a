"""``ernie-tui search QUERY``: where the conversations kept on this machine
hold every word of the query (the Qianfan backend's library; the web
backend's cache once it keeps one). Each hit names the conversation (id and
name), the message, its time and a snippet; ``--json`` gives the same as a
list of objects. No hits: a line on stderr and exit 1, as grep does."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .client import load_config, require_credential, with_backend
from .exits import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Fail
from .output import json_dumps, shown

if TYPE_CHECKING:
    from ..backends import Backend

__all__ = ["positive_limit", "search"]

MAX_LIMIT = 10_000


def positive_limit(text: str) -> int:
    """``--limit``: a whole number from 1 to :data:`MAX_LIMIT`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"give a number from 1 to {MAX_LIMIT:,}")
    return value


def search(args: argparse.Namespace) -> int:
    from ..library._records import valid_text
    from ..sanitize import clean_line

    query = valid_text(" ".join(args.query))
    if not query.split():
        raise Fail("give the words to search for, e.g. `ernie-tui search 周报`.", EXIT_USAGE)
    config = load_config(args)
    credential = require_credential(config)

    async def work(backend: Backend) -> int:
        if not backend.capabilities.search:
            problem = getattr(backend, "cache_problem", "")
            why = f": {problem}" if problem else ""
            raise Fail("this backend keeps no conversations on this machine to search" + why + ".")
        hits = backend.search(query, args.limit)
        if args.json:
            print(
                json_dumps(
                    [
                        {
                            "conversation": h.conversation,
                            "name": h.name,
                            "message": h.message,
                            "role": h.role,
                            "time": h.time,
                            "snippet": h.snippet,
                            "spans": [list(span) for span in h.spans],
                        }
                        for h in hits
                    ]
                )
            )
        if not hits:
            print(f"No conversation holds {shown(query)!r}.", file=sys.stderr)
            return EXIT_ERROR
        if args.json:
            return EXIT_OK
        for h in hits:
            where = f"message {clean_line(h.message)}" if h.message else "name"
            if h.role is not None:
                where += f" ({'question' if h.role == 'user' else 'answer'})"
            print(f"{clean_line(h.time)}  {clean_line(h.conversation)}  {clean_line(h.name)}")
            print(f"    {where}: {clean_line(h.snippet)}")
        sys.stdout.flush()
        return EXIT_OK

    return with_backend(config, credential, work)
