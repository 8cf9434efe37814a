"""``ernie-tui list``, ``export`` and ``share``: the account's conversations
as a table or JSON, one written as Markdown or JSON, one shared as a link.
With the qianfan backend they are the conversations of the local library
(exported as the library writes them); there are no share links."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .client import load_config, require_credential, with_backend
from .exits import EXIT_OK, Fail
from .output import json_dumps, shown, write_file

if TYPE_CHECKING:
    from ..backends import Backend

__all__ = ["export", "list_conversations", "share"]


def list_conversations(args: argparse.Namespace) -> int:
    from ..sanitize import clean_line

    config = load_config(args)
    credential = require_credential(config)

    async def work(backend: Backend) -> int:
        sessions = (await backend.list_conversations()).all()
        if args.json:
            print(
                json_dumps(
                    [
                        {
                            "id": s.session_id,
                            "name": s.name,
                            "create_time": s.create_time,
                            "pinned": s.pinned,
                            "model": s.model,
                        }
                        for s in sessions
                    ]
                )
            )
            return EXIT_OK
        if not sessions:
            print('No conversations yet. Start one with: ernie-tui ask "…"', file=sys.stderr)
            return EXIT_OK
        width = max(len(clean_line(s.session_id)) for s in sessions)
        for s in sessions:
            mark = "pinned" if s.pinned else "      "
            print(
                f"{clean_line(s.session_id):<{width}}  {mark}  "
                f"{clean_line(s.create_time):<19}  {clean_line(s.name)}"
            )
        return EXIT_OK

    return with_backend(config, credential, work)


def _export_markdown(detail: Any) -> str:
    from ..core.export import conversation_markdown

    return conversation_markdown(detail)


def _export_json(detail: Any) -> str:
    from ..core.export import conversation_json

    return json_dumps(conversation_json(detail)) + "\n"


def export(args: argparse.Namespace) -> int:
    config = load_config(args)
    credential = require_credential(config)
    session_id = args.session_id.strip()

    async def work(backend: Backend) -> int:
        from ..backends import WebBackend

        if isinstance(backend, WebBackend):
            detail = await backend.client.get_conversation_detail(session_id)
            if detail is None:
                raise Fail(f"there is no conversation with id {session_id!r} (see `list`).")
            text = _export_markdown(detail) if args.format == "md" else _export_json(detail)
            count = len(detail.messages)
        else:
            text, count = _export_local(backend, session_id, args.format)
        if args.output in ("-", ""):
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_file(args.output, text)
            print(f"Wrote {count} messages to {shown(args.output)}.", file=sys.stderr)
        return EXIT_OK

    return with_backend(config, credential, work)


def _export_local(backend: Backend, session_id: str, form: str) -> tuple[str, int]:
    """A conversation of the local library, as the library writes it, and
    how many messages it holds."""
    from ..backends.qianfan import QianfanBackend
    from ..library import NotFoundError

    assert isinstance(backend, QianfanBackend)
    library, account = backend.library, backend.account
    try:
        if form == "md":
            text = library.export_markdown(account, session_id)
        else:
            text = json_dumps(library.export_json(account, session_id)) + "\n"
        messages = library.messages(account, session_id) or ()
    except NotFoundError:
        raise Fail(f"there is no conversation with id {session_id!r} (see `list`).") from None
    return text, len(messages)


def share(args: argparse.Namespace) -> int:
    from ..sanitize import clean_line

    config = load_config(args)
    if config.backend != "web":
        raise Fail(
            "Qianfan keeps no conversations, so there is no share link to make: the "
            "conversation is on this machine. Write it to a file with `ernie-tui export "
            "ID -o FILE` instead."
        )
    credential = require_credential(config)
    session_id = args.session_id.strip()

    async def work(backend: Backend) -> int:
        from ..backends import WebBackend

        assert isinstance(backend, WebBackend)
        client = backend.client
        detail = await client.get_conversation_detail(session_id)
        if detail is None:
            raise Fail(f"there is no conversation with id {session_id!r} (see `list`).")
        chat_ids = [c.chat_id for c in detail.messages]
        if not chat_ids:
            raise Fail(f"conversation {session_id!r} has no messages to share yet.")
        key = await client.share_conversation(session_id, chat_ids)
        print(clean_line(client.share_url(key)))
        return EXIT_OK

    return with_backend(config, credential, work)
