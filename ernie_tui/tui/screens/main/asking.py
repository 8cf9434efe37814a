"""The main screen asking: the composer's question goes to the core's ask
flow, and the flow's events become widgets (the question, the streamed
answer, its ending). Stop and Retry are the flow's, and so is a question
sent again from its own parent (:meth:`AskingScreen.resend`: Regenerate, and
an edited question)."""

from __future__ import annotations

from textual import on, work

from ....backends import Chat, Citations, ErnieError, Session, Trimmed, Usage, Withheld
from ....core import (
    Created,
    Done,
    Extra,
    Failed,
    FlowEvent,
    Refusal,
    Stopped,
    Text,
    Thinking,
    Turn,
)
from ....core.conversations import NEW_CONVERSATION
from ...widgets.answer import StreamingAnswer
from ...widgets.composer import Composer
from .listing import ListingScreen
from .panes import TurnView

__all__ = ["AskingScreen"]


class AskingScreen(ListingScreen):
    """Questions and their answers."""

    _blink: bool | None = None
    """The composer's cursor blink setting while a stream holds it steady."""

    @on(Composer.Submitted)
    async def _on_submitted(self, event: Composer.Submitted) -> None:
        edit = self.editing
        if edit is not None and edit.session_id == self.open_id:
            await self.resend(event.text, edit.before, edit.parent, edited=True)
            return
        turn = self.flow.begin(
            event.text, self.open_id, self.state.parent, busy_hint=self._busy_hint()
        )
        if isinstance(turn, Refusal):
            self._refused(turn)
            return
        self.composer.set_text("")
        self.drafts.set(turn.key, "")
        self.schedule_draft_save()
        await self._start(self.view_of(turn))

    async def resend(
        self, question: str, before: list[Chat], parent: str, *, edited: bool = False
    ) -> bool:
        """Ask ``question`` again from ``parent``, in place of the question that
        followed ``before`` (the messages kept in view): the old question and
        its answer stay on the service (or in the library), another branch.
        Whether it was sent."""
        turn = self.flow.resend(question, self.open_id, parent, busy_hint=self._busy_hint())
        if isinstance(turn, Refusal):
            self._refused(turn)
            return False
        if edited:
            self.end_edit()
            self.composer.set_text("")
            self.drafts.set(turn.key, "")
            self.schedule_draft_save()
        answers = [c.chat_id for c in before if c.role == "robot" and c.chat_id]
        self.state.loaded(parent, answers)
        await self.chat.show_chats(before)
        await self._start(self.view_of(turn))
        return True

    def _busy_hint(self) -> str:
        key = self.key_for("stop") or "escape"
        ask = self.ask
        if ask is not None and not self.streaming_here:
            return f"{key} in “{self.name_of(ask.session_id, ask.turn.name)}”"
        return key

    def _refused(self, refusal: Refusal) -> None:
        if refusal.message:
            title = "Question too long" if refusal.reason == "too long" else ""
            self.notify(refusal.message, title=title, severity="warning", markup=False)

    async def _start(self, view: TurnView) -> None:
        self.status.streaming = True
        # A steady cursor while an answer streams: each blink is a repaint.
        if self._blink is None:
            self._blink = self.composer.cursor_blink
            self.composer.cursor_blink = False
        self.composer.add_class("-busy")
        if view.question_widget is None or not view.question_widget.is_attached:
            view.question_widget = await self.chat.add_question(view.question)
        view.answer = StreamingAnswer(retry_hint=self.key_for("retry"))
        await self.chat.add_answer(view.answer)
        self.conversation_list.set_streaming(view.session_id or None)
        self.refresh_bindings()  # Stop applies
        self._stream(view)

    @work(group="ask", exit_on_error=False)
    async def _stream(self, view: TurnView) -> None:
        await self.flow.run(view.turn)
        if view.turn.state == "failed" and view.turn.error is not None:
            await self._failed(view, view.turn.error)

    # -- what the flow says -------------------------------------------------------------

    def _on_flow(self, event: FlowEvent) -> None:
        view = self.view_of(event.turn)
        turn = event.turn
        if isinstance(event, Text):
            if view.answer is not None:
                view.answer.chat_id = turn.bot_chat_id
                view.answer.append(event.text)
        elif isinstance(event, Thinking):
            if view.answer is not None:
                view.answer.append_thinking(event.text)
        elif isinstance(event, Extra):
            self._extra(view, event.event)
        elif isinstance(event, Created):
            self._created(turn, event.old_key)
        elif isinstance(event, Done):
            self._finished()
            if view.answer is not None:
                view.answer.chat_id = turn.bot_chat_id
                view.answer.finish(event.final.text, event.final.urls)
            self.state.answered(turn.session_id, turn.bot_chat_id)
            self.refresh_conversations()
        elif isinstance(event, Stopped):
            self._finished()
            if view.answer is not None:
                view.answer.mark_stopped()
            if turn.received:
                self.state.answered(turn.session_id, turn.bot_chat_id, done=False)
        elif isinstance(event, Failed):
            self._finished()

    def _extra(self, view: TurnView, event: Citations | Usage | Withheld | Trimmed) -> None:
        answer = view.answer
        if isinstance(event, Trimmed):
            turns = f"{event.turns} oldest turn{'s' if event.turns != 1 else ''}"
            self.notify(
                f"This conversation is longer than the model takes: its {turns} "
                "were left out of this question.",
                title="Thread trimmed",
                severity="warning",
                markup=False,
            )
        elif answer is None:
            return
        elif isinstance(event, Citations):
            answer.set_citations(event.items)
        elif isinstance(event, Usage):
            answer.set_usage(
                event.prompt_tokens,
                event.completion_tokens,
                self.backend.model_of(view.session_id),
            )
        elif isinstance(event, Withheld):
            answer.set_withheld()

    def _created(self, turn: Turn, old_key: str) -> None:
        """A new conversation got its id from the first answer."""
        self.drafts.move(old_key, turn.session_id)
        session = Session(
            session_id=turn.session_id,
            name=turn.name,
            create_time=self.now().strftime("%Y-%m-%d %H:%M:%S"),
        )
        if self.open_id == NEW_CONVERSATION:
            self.state.open_id = turn.session_id
        self.state.add(session)
        self.conversation_list.set_streaming(turn.session_id)
        self.show_conversations()

    def _finished(self) -> None:
        current, retryable = self.flow.current, self.flow.retryable
        self.views = {t: v for t, v in self.views.items() if t is current or t is retryable}
        self.conversation_list.set_streaming(None)
        self.refresh_bindings()  # Stop no longer applies, Retry may
        self.status.streaming = False
        if self._blink is not None:
            self.composer.cursor_blink, self._blink = self._blink, None
        self.composer.remove_class("-busy")

    async def _failed(self, view: TurnView, exc: ErnieError) -> None:
        turn = view.turn
        if not turn.received:
            # Nothing arrived: take the question back to the composer.
            for widget in (view.answer, view.question_widget):
                if widget is not None and widget.is_attached:
                    await widget.remove()
            view.answer = None
            view.question_widget = None
            if self.open_id == turn.session_id:
                if not self.composer.text.strip():
                    self.composer.set_text(turn.question)
                    self.drafts.set(turn.session_id, turn.question)
            elif not self.drafts.get(turn.session_id):
                self.drafts.set(turn.session_id, turn.question)
            self.schedule_draft_save()
        elif view.answer is not None:
            view.answer.mark_incomplete()
        self.report(exc, title="The answer failed")

    # -- stop and retry -----------------------------------------------------------------

    def action_stop(self) -> None:
        """Stop the open conversation's answer; one streaming elsewhere goes on."""
        if self.streaming_here:
            self.flow.stop()
            return
        ask = self.ask
        if ask is not None:
            name = self.name_of(ask.session_id, ask.turn.name)
            self.notify(
                f"The answer in “{name}” is still streaming: open that conversation to stop it.",
                title="Nothing to stop here",
                markup=False,
            )

    async def action_retry(self) -> None:
        failed = self.retryable
        turn = self.flow.retry(self.open_id)
        if isinstance(turn, Refusal):
            message = turn.message
            retryable = self.flow.retryable
            if turn.reason == "elsewhere" and retryable is not None:
                name = self.name_of(retryable.session_id, retryable.name)
                message = f"The answer to retry is in “{name}”: open it, then retry."
            self.notify(message, severity="warning", markup=False)
            return
        view = self.view_of(turn)
        if failed is not None:
            if failed.answer is not None and failed.answer.is_attached:
                await failed.answer.remove()
            view.question_widget = failed.question_widget
            if not failed.received and self.composer.text == failed.question:
                self.composer.set_text("")
                self.drafts.set(failed.turn.key, "")
            self.views.pop(failed.turn, None)
        await self._start(view)
