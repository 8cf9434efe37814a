"""``ernie-tui ask``: a question asked, the answer streamed to stdout, and
the ids to continue from printed to stderr. The same for every backend: with
qianfan the conversation is kept in the local library."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from .client import load_config, require_credential, with_backend
from .exits import EXIT_OK, EXIT_USAGE, Fail
from .inputs import not_utf8, read_stdin

if TYPE_CHECKING:
    from ..backends import Backend
    from ..config import Config

__all__ = ["ask"]


def _read_question(args: argparse.Namespace, config: Config) -> str:
    question: str = args.question
    if question == "-":
        question = read_stdin("the question")
    problem = not_utf8(question)
    if problem is not None:
        raise Fail(
            f"the question holds {problem}: check your terminal's character encoding "
            "(it should be UTF-8), or pass the question on standard input with `ask -`.",
            EXIT_USAGE,
        )
    question = question.strip()
    if not question:
        raise Fail("the question is empty.", EXIT_USAGE)
    if len(question) > config.question_limit:
        raise Fail(
            f"the question has {len(question)} characters; the limit is "
            f"{config.question_limit} (question_limit in the config file).",
            EXIT_USAGE,
        )
    return question


def ask(args: argparse.Namespace) -> int:
    from ..sanitize import clean, clean_line

    config = load_config(args)
    question = _read_question(args, config)
    credential = require_credential(config)
    out = sys.stdout

    async def work(backend: Backend) -> int:
        from ..backends import WebBackend
        from ..core import AskFlow, FlowEvent, Pacing, Refusal, Text

        session_id = args.session.strip()
        parent = args.parent.strip()
        if session_id and not parent:
            parent = await _latest(backend, session_id)
        wrote = ""

        def show(event: FlowEvent) -> None:
            nonlocal wrote
            if isinstance(event, Text):
                text = clean(event.text)
                if text:
                    out.write(text)
                    out.flush()
                    wrote = text

        # The same ask flow as the app's; a pipe needs no gathering of pieces.
        flow = AskFlow(
            backend,
            show,
            question_limit=config.question_limit,
            pacing=Pacing(gather=0.0),
        )
        # The web service names a new conversation itself from what it is sent;
        # a local one is named as the app names it (the question, shortened).
        name = question if isinstance(backend, WebBackend) else None
        turn = flow.begin(question, session_id, parent or "0", name=name)
        if isinstance(turn, Refusal):
            raise Fail(turn.message or f"the question was not sent ({turn.reason}).", EXIT_USAGE)
        try:
            await flow.run(turn)
        except BaseException:  # ^C: what arrived stays, and the ids
            _end_line(out, wrote)
            _report_ids(turn.session_id, turn.bot_chat_id)
            raise
        if turn.error is not None:  # an error or a cut: what arrived stays, and the ids
            _end_line(out, wrote)
            _report_ids(turn.session_id, turn.bot_chat_id)
            raise turn.error
        final = turn.final
        assert final is not None
        if not wrote and final.text:
            text = clean(final.text)  # a reply that came in one final message
            out.write(text)
            wrote = text
        _end_line(out, wrote)
        for url in final.urls:
            out.write(f"image: {clean_line(url)}\n")
        out.flush()
        _report_ids(turn.session_id, turn.bot_chat_id)
        return EXIT_OK

    return with_backend(config, credential, work)


async def _latest(backend: Backend, session_id: str) -> str:
    """The answer a question in ``session_id`` continues from: the
    conversation's current one (``"0"``: none yet)."""
    from ..api import Session
    from ..backends import WebBackend

    if isinstance(backend, WebBackend):
        detail = await backend.client.get_conversation_detail(session_id)
    else:
        detail = await backend.open(Session(session_id, ""))
    if detail is None:
        raise Fail(f"there is no conversation with id {session_id!r} (see `list`).")
    return detail.current_chat_id or "0"


def _end_line(out: TextIO, wrote: str) -> None:
    if wrote and not wrote.endswith("\n"):
        out.write("\n")
        out.flush()


def _report_ids(session_id: str, chat_id: str) -> None:
    from ..sanitize import clean_line

    if session_id:
        print(f"session: {clean_line(session_id)}", file=sys.stderr)
    if chat_id:
        print(f"parent: {clean_line(chat_id)}", file=sys.stderr)
    sys.stderr.flush()
