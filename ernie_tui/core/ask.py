"""The ask flow: one question and its answer, as a state machine.

A :class:`Turn` goes ``idle → streaming → done | stopped | failed``
(:data:`TRANSITIONS`); :class:`AskFlow` holds at most one streaming turn and the
last stopped or failed one (for Retry), refuses what cannot be done now (a
second send while an answer streams, a retry of nothing), runs the backend's
answer stream and tells its listener what happened as :data:`FlowEvent`
values. It knows no widget: the app's main screen and the command line's
``ask`` are two listeners of the same flow. Regenerate and edit-and-resend
are :meth:`AskFlow.resend`: the question (the same, or edited) asked again
from the parent of the one it replaces, so the service (or the library)
keeps the old answer as another branch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..backends import (
    AnswerText,
    AskStream,
    Backend,
    Citations,
    ErnieError,
    Final,
    Ids,
    Images,
    ThinkingText,
    Trimmed,
    Usage,
    Withheld,
)
from .events import (
    Created,
    Done,
    Extra,
    Failed,
    FlowEvent,
    Started,
    Stopped,
    Text,
    Thinking,
    TurnImages,
)

__all__ = [
    "TRANSITIONS",
    "AskFlow",
    "Created",
    "Done",
    "Extra",
    "Failed",
    "FlowEvent",
    "Pacing",
    "Refusal",
    "Started",
    "State",
    "Stopped",
    "Text",
    "Thinking",
    "Turn",
    "TurnImages",
    "short_name",
]

State = Literal["idle", "streaming", "done", "stopped", "failed"]
Step = Literal["start", "end", "stop", "error"]

TRANSITIONS: dict[tuple[State, Step], State] = {
    ("idle", "start"): "streaming",
    ("streaming", "end"): "done",
    ("streaming", "stop"): "stopped",
    ("streaming", "error"): "failed",
}
"""Every step a turn can take; any other is a bug (:class:`RuntimeError`)."""

NAME_LENGTH = 20


def short_name(question: str, limit: int = NAME_LENGTH) -> str:
    """A new conversation's name: its first question on one line, shortened."""
    text = " ".join(question.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(eq=False)
class Turn:
    """One question and its answer."""

    question: str
    session_id: str
    """The conversation; empty until the service creates a new one."""
    parent: str
    """The answer this question continues from (``"0"``: the start)."""
    name: str
    """A new conversation's name."""
    key: str
    """The drafts key the question was asked under (empty for a new one)."""
    state: State = "idle"
    received: bool = False
    """Whether any answer text arrived."""
    bot_chat_id: str = ""
    """The answer's id: the next question's parent."""
    ids: list[str] = field(default_factory=list)
    """The ids of this turn's question and answer, as they became known."""
    final: Final | None = None
    error: ErnieError | None = None

    def step(self, step: Step) -> State:
        """Take ``step``; raises :class:`RuntimeError` if it is not allowed."""
        new = TRANSITIONS.get((self.state, step))
        if new is None:
            raise RuntimeError(f"a {self.state} turn cannot {step}")
        self.state = new
        return new


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a question or a retry was not started; ``message`` is for the user."""

    reason: Literal["blank", "too long", "busy", "nothing to retry", "elsewhere"]
    message: str = ""


@dataclass(frozen=True, slots=True)
class Pacing:
    """How an answer stream shares the event loop.

    A fast stream never suspends the loop (its bytes are already there), so
    every ``yield_every`` seconds it lets others run. An increment that took
    longer than ``network_wait`` to arrive was waited for (a trickling
    stream): the next ones are let pile up for ``gather`` seconds and read
    together, since one read through httpx costs more than an increment's own
    work (and the screen shows them a few times a second anyway)."""

    yield_every: float = 0.02
    network_wait: float = 0.002
    gather: float = 0.025


def _busy(hint: str) -> Refusal:
    """A question refused while an answer streams (no ``hint``: said nothing)."""
    if not hint:
        return Refusal("busy")
    return Refusal(
        "busy", f"An answer is still streaming. Wait for it, or press {hint} to stop it."
    )


class AskFlow:
    """At most one answer streaming, and the last stopped or failed question."""

    def __init__(
        self,
        backend: Backend,
        listener: Callable[[FlowEvent], object],
        *,
        question_limit: int = 2000,
        pacing: Pacing | None = None,
    ) -> None:
        self.backend = backend
        self.listener = listener
        self.question_limit = question_limit
        self.pacing = pacing or Pacing()
        self.current: Turn | None = None
        """The turn whose answer is streaming."""
        self.retryable: Turn | None = None
        """The last turn whose answer was stopped or failed (for Retry), until
        the next question."""
        self._task: asyncio.Task[object] | None = None

    @property
    def failed(self) -> Turn | None:
        """The retryable turn, if its answer failed (rather than was stopped)."""
        turn = self.retryable
        return turn if turn is not None and turn.state == "failed" else None

    # -- starting ---------------------------------------------------------------------

    def begin(
        self,
        question: str,
        session_id: str,
        parent: str,
        *,
        name: str | None = None,
        busy_hint: str = "escape",
    ) -> Turn | Refusal:
        """A new turn for ``question`` in the conversation ``session_id`` (empty:
        a new one, named ``name``, by default the question shortened),
        continuing from ``parent``; or why not. The turn is the current one at
        once (a second send meanwhile is refused); :meth:`run` streams it."""
        if not question.strip():
            return Refusal("blank")
        if len(question) > self.question_limit:
            return Refusal(
                "too long",
                f"The question is {len(question):,} characters long; the limit is "
                f"{self.question_limit:,}. Shorten it and send again.",
            )
        if self.current is not None:
            # The same question sent twice (a double Enter): nothing to say.
            return _busy("" if self.current.question == question else busy_hint)
        turn = Turn(
            question=question,
            session_id=session_id,
            parent=parent if session_id else "0",
            name=short_name(question) if name is None else name,
            key=session_id,
        )
        self.current = turn
        self.retryable = None
        return turn

    def resend(
        self, question: str, session_id: str, parent: str, *, busy_hint: str = "escape"
    ) -> Turn | Refusal:
        """Regenerate or edit and resend: ``question`` (the one asked, or its
        edit) asked again in ``session_id`` from ``parent``, the parent of the
        question it replaces (``"0"``: the start). The old question and answer
        stay where they were, another branch of the thread."""
        if not session_id:
            return Refusal("nothing to retry", "Ask a first question before regenerating one.")
        if self.current is not None:  # even for the same question: say so
            return _busy(busy_hint)
        return self.begin(question, session_id, parent or "0", busy_hint=busy_hint)

    def retry(self, open_id: str) -> Turn | Refusal:
        """A new turn asking the stopped or failed question again from the same
        parent, when its conversation (``open_id``) is the open one."""
        failed = self.retryable
        if failed is None:
            return Refusal("nothing to retry", "There is no stopped or failed answer to retry.")
        if self.current is not None:
            return Refusal("busy", "An answer is still streaming.")
        if failed.session_id != open_id:
            return Refusal(
                "elsewhere", "Open the conversation whose answer stopped or failed to retry it."
            )
        self.retryable = None
        turn = Turn(failed.question, failed.session_id, failed.parent, failed.name, failed.key)
        self.current = turn
        return turn

    # -- stopping ---------------------------------------------------------------------

    def stop(self) -> bool:
        """Stop the streaming answer (what arrived stays); whether one was."""
        if self.current is None or self._task is None or self._task.done():
            return False
        self._task.cancel()
        return True

    def stop_in(self, session_ids: set[str]) -> bool:
        """Stop the answer if it streams in one of these conversations (before
        they are deleted)."""
        current = self.current
        return current is not None and current.session_id in session_ids and self.stop()

    def forget(self, session_ids: set[str]) -> None:
        """These conversations are gone: nothing of them to retry."""
        if self.retryable is not None and self.retryable.session_id in session_ids:
            self.retryable = None

    # -- streaming --------------------------------------------------------------------

    async def run(self, turn: Turn) -> None:
        """Stream the answer of ``turn`` (a turn from :meth:`begin` or
        :meth:`retry`), telling the listener each step. Cancelling the task
        (or :meth:`stop`) stops it: the turn ends stopped and the
        cancellation goes on. A backend error ends it failed; nothing raises."""
        emit = self.listener
        self._task = asyncio.current_task()
        turn.step("start")
        emit(Started(turn))
        stream = None
        try:
            async with self.backend.ask(
                turn.question,
                turn.session_id,
                turn.parent,
                name=None if turn.session_id else turn.name,
            ) as stream:
                await self._pump(turn, stream)
        except asyncio.CancelledError:
            if stream is not None and stream.bot_chat_id:
                self._note_answer_id(turn, stream.bot_chat_id)
            self._end(turn, "stop")
            self.retryable = turn
            emit(Stopped(turn))
            raise
        except ErnieError as exc:
            turn.error = exc
            self._end(turn, "error")
            self.retryable = turn
            emit(Failed(turn, exc))
            return
        assert turn.final is not None
        self._end(turn, "end")
        emit(Done(turn, turn.final))

    async def _pump(self, turn: Turn, stream: AskStream) -> None:
        emit = self.listener
        pacing = self.pacing
        loop = asyncio.get_running_loop()
        asked = loop.time()
        breather = asked + pacing.yield_every
        async for event in stream:
            arrived = loop.time()
            if arrived > breather:
                await asyncio.sleep(0)
                breather = loop.time() + pacing.yield_every
            if isinstance(event, AnswerText):
                turn.received = True
                emit(Text(turn, event.text))
            elif isinstance(event, Ids):
                self._take_ids(turn, event)
            elif isinstance(event, ThinkingText):
                emit(Thinking(turn, event.text))
            elif isinstance(event, Images):
                emit(TurnImages(turn, event.urls))
            elif isinstance(event, Citations | Usage | Withheld | Trimmed):
                emit(Extra(turn, event))
            elif isinstance(event, Final):
                self._take_ids(turn, Ids(event.session_id, event.user_chat_id, event.bot_chat_id))
                turn.final = event
                continue
            if pacing.gather and arrived - asked > pacing.network_wait:
                await asyncio.sleep(pacing.gather)
                breather = loop.time() + pacing.yield_every  # others just ran
            asked = loop.time()

    def _take_ids(self, turn: Turn, ids: Ids) -> None:
        if ids.session_id and not turn.session_id:
            old_key = turn.key
            turn.session_id = ids.session_id
            turn.key = ids.session_id
            self.listener(Created(turn, old_key))
        if ids.user_chat_id and ids.user_chat_id not in turn.ids:
            turn.ids.append(ids.user_chat_id)
        if ids.bot_chat_id:
            self._note_answer_id(turn, ids.bot_chat_id)

    @staticmethod
    def _note_answer_id(turn: Turn, bot_chat_id: str) -> None:
        turn.bot_chat_id = bot_chat_id
        if bot_chat_id not in turn.ids:
            turn.ids.append(bot_chat_id)

    def _end(self, turn: Turn, step: Step) -> None:
        turn.step(step)
        if self.current is turn:
            self.current = None
        self._task = None
