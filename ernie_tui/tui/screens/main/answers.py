"""The main screen's commands on answers: regenerate one and edit and resend
a question (both through the ask flow, from that question's own parent), copy
the last answer, the selected one or one of its code blocks (through OSC 52,
so it reaches the user's own terminal over SSH); search the conversations and
open one at the matching message; and the composer's requests (clear it,
scroll the history from it). A key whose command does not apply
now (dimmed in the footer) says why when pressed, rather than nothing."""

from __future__ import annotations

from contextlib import suppress
from typing import ClassVar

from textual import events, on, work
from textual.worker import WorkerCancelled, WorkerFailed

from ....backends import Chat, SearchHit
from ....sanitize import clean
from ...times import times_of
from ...widgets.answer import StreamingAnswer
from ...widgets.code_blocks import code_blocks
from ...widgets.composer import Composer
from ...widgets.messages import Reply
from ..search import SearchScreen
from .asking import AskingScreen
from .code_picker import CodeBlockPicker
from .panes import Edit

__all__ = ["EXPLAINED", "AnswersScreen"]

EXPLAINED = ("stop", "retry")
"""The commands whose key is dimmed when they do not apply; pressed, they say why."""


class AnswersScreen(AskingScreen):
    """What the user does with the answers shown."""

    FOUND_SECONDS: ClassVar[float] = 4.0
    """How long a message found by a search stays highlighted."""
    _last_search = ""

    def on_key(self, event: events.Key) -> None:
        active = self.active_bindings.get(event.key)
        if active is None or active.enabled or active.node is not self:
            return
        action = active.binding.action
        if action in EXPLAINED:
            event.stop()
            self.call_later(getattr(self, f"action_{action}"))

    # -- the question of an answer ------------------------------------------------------

    def _answer(self) -> Reply | StreamingAnswer | None:
        """The answer a command applies to: the selected one, else the last."""
        return self.chat.selected or self.chat.last_answer()

    def _asked(self, answer: Reply | StreamingAnswer) -> tuple[str, list[Chat], str] | None:
        """The question ``answer`` answers, the messages before it, and its
        parent: the last answer before it with text (``"0"``: the start)."""
        before = self.chat.chats_before(answer)
        if not before or before[-1].role != "user":
            return None
        question, kept = before[-1].text, before[:-1]
        parent = next(
            (c.chat_id for c in reversed(kept) if c.role == "robot" and c.chat_id and c.text),
            "0",
        )
        return question, kept, parent

    def _asked_or_say(self, doing: str) -> tuple[str, list[Chat], str] | None:
        answer = self._answer()
        if answer is None:
            self.notify(f"There is no answer to {doing} yet.", severity="warning", markup=False)
            return None
        found = self._asked(answer)
        if found is None:
            self.notify(
                f"The question of this answer is not shown: scroll up to it, then {doing}.",
                severity="warning",
                markup=False,
            )
        return found

    async def action_regenerate_answer(self) -> None:
        found = self._asked_or_say("regenerate it")
        if found is not None and await self.resend(*found):
            self.notify(
                "A new answer; the earlier one is kept as another branch.", timeout=3, markup=False
            )

    def action_edit_and_resend(self) -> None:
        found = self._asked_or_say("edit its question")
        if found is None:
            return
        question, before, parent = found
        self.editing = Edit(self.open_id, before, parent)
        composer = self.composer
        composer.edit_text(clean(question))
        cancel = self.key_for("clear_composer")
        composer.set_editing(f"Editing: Enter resends it, {cancel or 'alt+u'} cancels")
        composer.focus()

    # -- copying ------------------------------------------------------------------------

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(
            f"Copied {what} ({len(text):,} characters) to the clipboard.", timeout=3, markup=False
        )

    def action_copy_last_answer(self) -> None:
        answer = self.chat.last_answer()
        if answer is None or not answer.text:
            self.notify("There is no answer to copy yet.", severity="warning", markup=False)
            return
        self._copy(answer.text, "the last answer")

    def action_copy_selected_answer(self) -> None:
        answer = self.chat.selected
        if answer is None:
            select = self.key_for("select_previous") or "shift+↑"
            last = self.key_for("copy_last_answer")
            self.notify(
                f"No answer is selected: select one with {select} in the history"
                + (f" ({last} copies the last one)." if last else "."),
                severity="warning",
                markup=False,
            )
            return
        if not answer.text:
            self.notify("The selected answer has no text yet.", severity="warning", markup=False)
            return
        self._copy(answer.text, "the selected answer")

    @work(group="copy", exclusive=True, exit_on_error=False)
    async def action_copy_code_block(self) -> None:
        answer = self._answer()
        which = "selected" if answer is not None and answer is self.chat.selected else "last"
        blocks = code_blocks(answer.text) if answer is not None else []
        if not blocks:
            self.notify(
                f"The {which} answer has no code block."
                if answer is not None
                else "There is no answer to copy code from yet.",
                severity="warning",
                markup=False,
            )
            return
        index: int | None = 0
        if len(blocks) > 1:
            index = await self.app.push_screen_wait(CodeBlockPicker(blocks))
        if index is None:
            return
        block = blocks[index]
        self.app.copy_to_clipboard(block.code)
        self.notify(
            f"Copied code block {block.describe(index + 1)} to the clipboard.",
            timeout=3,
            markup=False,
        )

    # -- the composer -------------------------------------------------------------------

    def action_clear_composer(self) -> None:
        composer = self.composer
        if composer.clear_text():
            self.notify(
                "Cleared the question box (ctrl+z brings it back).", timeout=3, markup=False
            )
        self.end_edit()
        composer.focus()

    @on(Composer.ScrollRequested)
    def _scroll_history(self, event: Composer.ScrollRequested) -> None:
        self.chat.scroll_pages(event.pages)

    def action_select_previous_answer(self) -> None:
        self.chat.action_select_previous()

    # -- searching ----------------------------------------------------------------------

    def action_search_conversations(self) -> None:
        backend = self.backend
        if not backend.capabilities.search:
            problem = clean(str(getattr(backend, "cache_problem", "") or ""))
            why = f": {problem}" if problem else " (the Qianfan backend does: --backend qianfan)."
            self.notify(
                "Search looks through the conversations kept on this machine, and this "
                f"backend keeps none{why}",
                title="Cannot search",
                severity="warning",
                markup=False,
            )
            return

        screen = SearchScreen(backend, times_of(self.app), self._last_search)

        def chosen(hit: SearchHit | None) -> None:
            self._last_search = screen.searched  # shown again, selected, next time
            if hit is not None:
                self.open_hit(hit)

        self.app.push_screen(screen, chosen)

    @work(group="search-open", exclusive=True, exit_on_error=False)
    async def open_hit(self, hit: SearchHit) -> None:
        """Open a search hit's conversation, as a click in the list does,
        scrolled to the matching message, which stays highlighted a while (a
        hit on the name just opens it)."""
        session = self.state.find(hit.conversation)
        if session is None:
            self.notify(
                "That conversation is no longer listed: it may have been deleted.",
                severity="warning",
                markup=False,
            )
            return
        chat = self.chat
        found = None
        here = self.open_id == session.session_id and not chat.loading
        if here:
            found = await chat.show_message(hit.message)
        if not here or (found is None and hit.message and not self.streaming_here):
            self.open_conversation(session)
            await self._history_loaded()
            if self.open_id != session.session_id or chat.loading:
                return  # another one was opened meanwhile, or it did not load
            found = await chat.show_message(hit.message)
        self.composer.focus()
        if found is None:
            if hit.message:
                self.notify(
                    "The matching message is not in the part of the conversation shown "
                    "(another branch of it, or changed since).",
                    severity="warning",
                    markup=False,
                )
            return
        found.add_class("-found")
        self.set_timer(self.FOUND_SECONDS, lambda: found.remove_class("-found"))

    async def _history_loaded(self) -> None:
        """Wait until the open conversation's history is shown."""
        for worker in [w for w in self.workers if w.node is self and w.group == "history"]:
            with suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
