"""The history pane: the open conversation's questions and answers, and the
answer being streamed.

:class:`ChatView` shows a conversation's history through a
:class:`~.window.MessageWindow` (only a window of a long history is mounted),
adds the messages asked in this session below it, and lets the user select an
answer (for sharing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ...api import Chat
from ...sanitize import clean
from ..plain import plain_block
from .answer import StreamingAnswer
from .layout_once import LayoutOnce
from .messages import AnswerClicked, Question, Reply, ThinkingClicked
from .window import WINDOW, MessageWindow

__all__ = ["ChatView"]


class ChatView(LayoutOnce, MessageWindow):
    """The open conversation's messages, newest at the bottom."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "shift+up",
            "select_previous",
            "Previous answer",
            show=False,
            id="chat.previous_answer",
            tooltip="Select the previous answer (for Share conversation).",
        ),
        Binding(
            "shift+down",
            "select_next",
            "Next answer",
            show=False,
            id="chat.next_answer",
            tooltip="Select the next answer (for Share conversation).",
        ),
        Binding(
            "t,enter",
            "toggle_thinking",
            "Thinking",
            show=False,
            id="chat.toggle_thinking",
            tooltip="Show or hide the reasoning of the selected answer (else the newest).",
        ),
    ]

    DEFAULT_CSS = """
    ChatView {
        height: 1fr;
        padding: 0 1 1 1;
        background: $background;
    }
    ChatView > .chat--empty {
        color: $text-muted;
        text-style: italic;
        margin: 1 0;
    }
    ChatView > .chat--older, ChatView > .chat--newer {
        color: $text-muted;
        text-align: center;
    }
    ChatView > .chat--newer {
        margin: 1 0 0 0;
    }
    """

    class OlderMounted(Message):
        """Older messages were mounted above the window."""

        def __init__(self, chat_view: ChatView, count: int) -> None:
            super().__init__()
            self.chat_view = chat_view
            self.count = count

        @property
        def control(self) -> ChatView:
            return self.chat_view

    # -- filling ---------------------------------------------------------------

    async def show_empty(self, text: str) -> None:
        """Clear the pane and show a hint."""
        async with self._window_lock:
            self._generation += 1
            self._chats = []
            self._start = self._end = 0
            self.selected = None
            await self.remove_children()
            await self.mount(Static(plain_block(text), classes="chat--empty", markup=False))

    async def show_chats(self, chats: Sequence[Chat], *, empty_text: str = "") -> None:
        """Show a conversation's history, scrolled to the newest message.

        Only the newest messages that fill about two screens are mounted at
        once, so they reach the screen in the next frame; the rest of the
        window is mounted above them a frame later."""
        async with self._window_lock:
            self._generation += 1
            self._chats = list(chats)
            self._end = len(self._chats)
            self._start = self._end - self._fill_count(range(self._end - 1, -1, -1))
            fill = self._start > 0 and self._end - self._start < WINDOW
            self._fill_pending = self._generation if fill else -1
            self.selected = None
            await self.remove_children()
            widgets: list[Widget] = [self._widget_for(c) for c in self._chats[self._start :]]
            if not widgets and empty_text:
                widgets.append(Static(plain_block(empty_text), classes="chat--empty", markup=False))
            if self._start:
                widgets.insert(0, self._older_hint())
            await self.mount_all(widgets)
            self.anchor()
        if fill:
            self.call_after_refresh(self._fill_window, self._generation)

    async def add_question(self, text: str) -> Question:
        async with self._window_lock:
            await self._show_newest()
            await self.remove_children(".chat--empty")
            question = Question(text)
            await self.mount(question)
        self.anchor()
        return question

    async def add_answer(self, answer: StreamingAnswer) -> StreamingAnswer:
        async with self._window_lock:
            await self._show_newest()
            await self.remove_children(".chat--empty")
            await self.mount(answer)
            self.anchor()
            await self._prune()
        return answer

    async def _prune(self) -> None:
        """Keep at most two windows of messages mounted while the user keeps
        asking: older ones (asked in this session too) go back to the list that
        scrolling up mounts again. Every widget costs layout time and a task:
        200 questions in one session had grown the pane to 1,400 widgets."""
        mounted = self._message_widgets()
        old = mounted[: len(mounted) - 2 * WINDOW]
        if not old or any(isinstance(w, StreamingAnswer) and w.state == "streaming" for w in old):
            return
        in_window = min(len(old), self._end - self._start)
        folded = [self._as_chat(widget) for widget in old[in_window:]]
        await self._unmount([*old, *self._hints("chat--older")])
        self._start += in_window
        if folded:  # live messages join the history (the window is at its end)
            self._chats.extend(folded)
            self._start = self._end = len(self._chats)
        await self.mount(self._older_hint(), before=mounted[len(old)])

    def _older_mounted(self, count: int) -> None:
        self.post_message(self.OlderMounted(self, count))

    # -- the thread ----------------------------------------------------------------

    @staticmethod
    def _as_chat(widget: Widget) -> Chat:
        if isinstance(widget, Reply | StreamingAnswer):
            return widget.to_chat()
        assert isinstance(widget, Question)
        return Chat(widget.chat_id, "user", widget.text)

    def chats_before(self, widget: Widget) -> list[Chat]:
        """The conversation's messages before ``widget`` (a question or an
        answer shown), oldest first, the unmounted ones included."""
        mounted = self._message_widgets()
        index = mounted.index(widget)
        in_window = self._end - self._start
        if index < in_window:
            return self._chats[: self._start + index]
        return [*self._chats, *(self._as_chat(w) for w in mounted[in_window:index])]

    def questions(self) -> list[str]:
        """The conversation's questions, oldest first (the composer recalls them)."""
        live = self._message_widgets()[self._end - self._start :]
        return [clean(c.text) for c in self._chats if c.role == "user"] + [
            w.text for w in live if isinstance(w, Question)
        ]

    # -- showing one message ---------------------------------------------------------

    async def show_message(self, chat_id: str) -> Widget | None:
        """Scroll to the message ``chat_id`` (a search hit), mounting a window
        around it first when it lies outside the mounted one; its widget, or
        ``None`` when the history shown holds no such message."""
        if not chat_id:
            return None

        def mounted() -> Widget | None:
            widgets = self._message_widgets()
            return next((w for w in widgets if getattr(w, "chat_id", "") == chat_id), None)

        async with self._window_lock:
            widget = mounted()
            index = next((i for i, c in enumerate(self._chats) if c.chat_id == chat_id), -1)
            if widget is None and index >= 0:
                total = len(self._chats)
                newest = total - self._fill_count(range(total - 1, -1, -1))
                if index >= newest:
                    start, end = newest, total
                else:
                    # A window's worth on either side, so that filling it
                    # further from either edge never unmounts the message.
                    start = max(0, index - WINDOW)
                    end = min(
                        total, max(index + WINDOW, start + self._fill_count(range(start, total)))
                    )
                # Deferred steps of the window shown before (filling it from
                # above) would move the view away from the message.
                self._generation += 1
                self._loading_older = True
                await self._rewindow(start, end)
                widget = mounted()
        if widget is None:
            self._loading_older = False
            return None
        self.release_anchor()
        self.call_after_refresh(self._scroll_to_found, widget)
        return widget

    def _scroll_to_found(self, widget: Widget) -> None:
        if widget.parent is self:
            self.scroll_to_widget(widget, animate=False, top=True, immediate=True)
            self.call_after_refresh(self._check_newer, 5)
        # Older messages may be mounted above only once the view has settled
        # on the message (mounted in the same frame, they pushed it away).
        self.call_after_refresh(self._older_allowed)

    def _older_allowed(self) -> None:
        self._loading_older = False
        self.watch_scroll_y(self.scroll_y, self.scroll_y)

    # -- home and end over the whole history ---------------------------------------

    def action_scroll_home(self) -> None:
        """home: the first message of the conversation, however long."""
        if self._start > 0:
            self.call_later(self.show_oldest)
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        """end: the newest message (following new content again)."""
        if not self.at_newest:
            self.call_later(self.show_newest)
        else:
            super().action_scroll_end()

    # -- answers -------------------------------------------------------------------

    def answers(self) -> list[Reply | StreamingAnswer]:
        return [w for w in self.children if isinstance(w, Reply | StreamingAnswer)]

    def last_answer(self) -> Reply | StreamingAnswer | None:
        found = self.answers()
        return found[-1] if found else None

    def scroll_pages(self, pages: int) -> None:
        """Scroll by ``pages`` screens (negative: up), as PgUp / PgDn do here:
        at once, not animated (an animated page repainted the pane ~34 times
        over half a second, ~370 KB to the terminal per press)."""
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_relative(y=pages * height, animate=False, immediate=True)

    def action_page_up(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_pages(-1)

    def action_page_down(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_pages(1)

    @on(AnswerClicked)
    def _answer_clicked(self, event: AnswerClicked) -> None:
        event.stop()
        if isinstance(event.answer, Reply | StreamingAnswer):
            self.select_answer(event.answer)

    @on(ThinkingClicked)
    def _thinking_clicked(self, event: ThinkingClicked) -> None:
        event.stop()
        if isinstance(event.answer, Reply | StreamingAnswer):
            self.toggle_thinking(event.answer)

    def toggle_thinking(self, answer: Reply | StreamingAnswer) -> None:
        """Show or hide an answer's reasoning, keeping its summary line in
        view (a pane that follows the bottom would push it off the top)."""
        answer.toggle_thinking()
        self.call_after_refresh(self._show_summary_line, answer)

    def _show_summary_line(self, answer: Widget) -> None:
        if answer.parent is self:
            region = answer.virtual_region
            line = Region(region.x, region.y + 1, region.width, 1)  # below the label
            self.scroll_to_region(line, animate=False, immediate=True)

    def select_answer(self, answer: Reply | StreamingAnswer | None) -> None:
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = answer
        if answer is not None:
            answer.add_class("-selected")
            self.scroll_to_widget(answer, animate=False)

    def action_select_previous(self) -> None:
        found = self.answers()
        if not found:
            return
        index = found.index(self.selected) if self.selected in found else len(found)
        self.select_answer(found[max(0, index - 1)])

    def action_select_next(self) -> None:
        found = self.answers()
        if not found:
            return
        index = found.index(self.selected) if self.selected in found else len(found) - 1
        self.select_answer(found[min(len(found) - 1, index + 1)])

    def action_toggle_thinking(self) -> None:
        """The selected answer's reasoning, else the newest answer's."""
        selected = self.selected
        if selected is not None and selected.has_thinking:
            self.toggle_thinking(selected)
            return
        for answer in reversed(self.answers()):
            if answer.has_thinking:
                self.toggle_thinking(answer)
                return
