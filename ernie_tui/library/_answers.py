"""Questions and answers: a question is kept before its request is sent; an
answer is started, streamed in pieces (buffered, written in batches), then
finished or marked stopped/incomplete.

While an answer streams, :meth:`AnswerMethods.append_answer` only adds to a
buffer in memory, and writes (one commit) when ``flush_interval`` seconds
have passed since the last write or ``flush_pieces`` pieces are waiting, or on
:meth:`~Base.flush`. Each write is a commit, so a crash (even ``kill -9``)
keeps everything written: it loses at most the pieces since the last write,
and the answer reads as ``incomplete`` afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ._base import Base, _Pending
from ._errors import NotFoundError
from ._records import (
    ENDED,
    ROOT,
    CitationLike,
    State,
    UsageLike,
    citations_json,
    new_id,
    valid_text,
)

__all__ = ["AnswerMethods"]


class AnswerMethods(Base):
    def add_question(self, account: str, conversation: str, text: str, parent: str) -> str:
        """Keep a question (before its request is sent) after ``parent``
        (an answer, or ``ROOT`` for the first question); it becomes the
        conversation's current message. Returns its id."""
        with self._transaction() as db:
            seq = self._conversation_seq(account, conversation)
            parent_seq = self._parent_seq(seq, parent, "assistant")
            message = new_id()
            now = self._now()
            cur = db.execute(
                "INSERT INTO messages (id, conversation, parent, role, text, state, created) "
                "VALUES (?, ?, ?, 'user', ?, 'complete', ?)",
                (message, seq, parent_seq, valid_text(text), now),
            )
            db.execute(
                "UPDATE conversations SET current = ?, activity = ? WHERE seq = ?",
                (cur.lastrowid, now, seq),
            )
        return message

    def start_answer(self, account: str, conversation: str, parent: str, model: str = "") -> str:
        """Start the answer to the question ``parent`` (a second answer to the
        same question is a regenerated one: a new branch); state
        ``streaming``, and the conversation's current message. Returns its id."""
        if parent in (ROOT, ""):
            raise ValueError("an answer follows a question")
        with self._transaction() as db:
            seq = self._conversation_seq(account, conversation)
            parent_seq = self._parent_seq(seq, parent, "user")
            message = new_id()
            now = self._now()
            cur = db.execute(
                "INSERT INTO messages "
                "(id, conversation, parent, role, model, state, created) "
                "VALUES (?, ?, ?, 'assistant', ?, 'streaming', ?)",
                (message, seq, parent_seq, valid_text(model), now),
            )
            answer_seq = int(cur.lastrowid or 0)
            db.execute(
                "UPDATE conversations SET current = ?, activity = ? WHERE seq = ?",
                (answer_seq, now, seq),
            )
        with self._lock:
            self._pending[message] = _Pending(account, answer_seq, seq, flushed=time.monotonic())
        return message

    def append_answer(
        self, account: str, message: str, text: str = "", reasoning: str = ""
    ) -> None:
        """Add an increment to an answer this library is streaming: cheap (a
        buffer in memory), writes now and then (see the module's docstring).
        :class:`NotFoundError` when no such answer of the account is
        streaming here (finished, deleted, or another account's). Each piece
        is made valid text on its own (a lone surrogate becomes U+FFFD)."""
        with self._lock:
            pending = self._pending.get(message)
            if pending is None or pending.account != account:
                raise NotFoundError(f"there is no answer {message!r} streaming")
            if text:
                pending.text.append(valid_text(text))
            if reasoning:
                pending.reasoning.append(valid_text(reasoning))
            pending.pieces += 1
            if (
                pending.pieces >= self.flush_pieces
                or time.monotonic() - pending.flushed >= self.flush_interval
            ):
                with self._guard():
                    self._write_pending(pending)
                self._written(pending)

    def finish_answer(
        self,
        account: str,
        message: str,
        *,
        text: str | None = None,
        reasoning: str | None = None,
        usage: UsageLike | None = None,
        flag: int = 0,
        citations: Iterable[CitationLike] = (),
        state: State = "complete",
    ) -> None:
        """The answer ended: its final ``text`` and ``reasoning`` (``None``:
        what was streamed), its usage, safety flag, citations and ``state``
        (``complete``, ``incomplete`` or ``stopped``)."""
        if state not in ENDED:
            raise ValueError(f"an answer cannot end {state!r}")
        values = (
            None if text is None else valid_text(text),
            None if reasoning is None else valid_text(reasoning),
            None if usage is None else int(usage.prompt_tokens),
            None if usage is None else int(usage.completion_tokens),
            int(flag),
            citations_json(citations),
            state,
        )
        with self._lock:
            with self._transaction() as db:
                seq, conversation, role = self._message_row(account, message)
                if role != "assistant":
                    raise NotFoundError(f"there is no answer {message!r}")
                pending = self._pending.get(message)
                if pending is not None and pending.pieces:
                    self._write_pending(pending)
                db.execute(
                    "UPDATE messages SET text = COALESCE(?, text), "
                    "reasoning = COALESCE(?, reasoning), prompt_tokens = ?, "
                    "completion_tokens = ?, flag = ?, citations = ?, state = ? WHERE seq = ?",
                    (*values, seq),
                )
                db.execute(
                    "UPDATE conversations SET activity = ? WHERE seq = ?",
                    (self._now(), conversation),
                )
            self._pending.pop(message, None)

    def mark_answer(self, account: str, message: str, state: State) -> None:
        """The answer ended as it is (``stopped`` by the user, ``incomplete``
        when the stream broke, or ``complete``): what was streamed is kept."""
        if state not in ENDED:
            raise ValueError(f"an answer cannot end {state!r}")
        with self._lock:
            with self._transaction() as db:
                seq, _, role = self._message_row(account, message)
                if role != "assistant":
                    raise NotFoundError(f"there is no answer {message!r}")
                pending = self._pending.get(message)
                if pending is not None and pending.pieces:
                    self._write_pending(pending)
                db.execute("UPDATE messages SET state = ? WHERE seq = ?", (state, seq))
            self._pending.pop(message, None)
