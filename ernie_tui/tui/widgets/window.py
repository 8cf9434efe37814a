"""The window of a long history: only part of it is mounted.

At most :data:`MAX_WINDOW` messages of the history are mounted: older ones
are mounted when the user scrolls to the window's top, later ones when they
scroll to its bottom, and the far end is unmounted again; home moves the
window to the first messages and end back to the newest. Messages asked in
this session (the *live* ones) are mounted below the window.

Paging through a long history stays cheap: the next messages are mounted
while the view is still :data:`PREFETCH_PAGES` pages from the window's edge,
in one batch (no frame is painted half-way), and the view is moved by the
height of what was added or removed above it as the frame is laid out, so
no frame shows the view moved and the pane is repainted, not the screen.
Geometry comes from the widgets' own sizes: asking Textual where an
off-screen widget is makes it rebuild its whole map, and the next scroll then
repaints the whole screen.

:class:`MessageWindow` keeps the window; :class:`~.history.ChatView` (the
history pane) fills it and adds the live messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ...api import Chat
from .. import collector
from .ahead import LinesAhead, model_for
from .answer import StreamingAnswer
from .kept_view import KeptView
from .messages import Question, Reply
from .reuse import place, reuse

__all__ = ["MAX_WINDOW", "PREFETCH_PAGES", "WINDOW", "MessageWindow"]

WINDOW = 40
"""How many messages are mounted at first, and how many more each time the
user reaches the top (or, below an older window, the bottom)."""
MAX_WINDOW = 3 * WINDOW
"""At most this many history messages stay mounted while the user scrolls
through a long history: the far end of the window is unmounted again."""
PAGING_BATCH = WINDOW
"""How many messages scrolling mounts at a time. A batch costs a layout and a
repaint of the pane whatever its size: smaller ones add up to more (20 at a
time: twice the presses over 100 ms; 10: four times, 50% more bytes)."""
PREFETCH_PAGES = 2
"""More messages are mounted while the view is this many pages from the
window's edge, so PgUp / PgDn never wait at the edge for them."""
AHEAD_PAGES = 2 * PREFETCH_PAGES + 1
"""The lines of those messages are rendered ahead while the view is this many
pages from the window's edge (:mod:`.ahead`)."""


class MessageWindow(KeptView, VerticalScroll):
    """A scrolling pane of messages of which only a window is mounted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chats: list[Chat] = []
        """The conversation's messages, oldest first; not those asked in this
        session that are still mounted (the *live* ones: always the newest,
        mounted below the window)."""
        self._start = 0
        self._end = 0
        """The window: ``_chats[_start:_end]`` is mounted."""
        self._generation = 0
        """Counts the conversations shown, so a deferred step of an old one
        does nothing."""
        self._window_lock = asyncio.Lock()
        self._fill_pending = -1
        """The generation whose window is still to be filled from above (no
        prefetch doubles that)."""
        self._loading_older = False
        self._loading_newer = False
        self._ahead = LinesAhead()
        self.selected: Reply | StreamingAnswer | None = None
        """The selected answer; forgotten when its widget is unmounted."""

    @property
    def at_newest(self) -> bool:
        """Whether the window reaches the newest message."""
        return self._end >= len(self._chats)

    @property
    def window(self) -> tuple[int, int]:
        """The mounted part of the history, as ``(start, end)`` indexes."""
        return self._start, self._end

    @property
    def mounted_messages(self) -> int:
        """How many messages are mounted (the window)."""
        return sum(1 for w in self.children if isinstance(w, Question | Reply))

    @staticmethod
    def _widget_for(chat: Chat) -> Widget:
        if chat.role == "user":
            return Question(chat.text, chat_id=chat.chat_id)
        return Reply.from_chat(chat)

    def _message_widgets(self) -> list[Widget]:
        return [w for w in self.children if isinstance(w, Question | Reply | StreamingAnswer)]

    def _window_widgets(self) -> list[Widget]:
        """The mounted history messages (the live ones follow them)."""
        return self._message_widgets()[: self._end - self._start]

    def _live_widgets(self) -> list[Widget]:
        return self._message_widgets()[self._end - self._start :]

    def _fill_count(self, indexes: range) -> int:
        """How many of the messages at ``indexes`` (taken in that order) fill
        the pane about twice, by their estimated height; at most
        :data:`WINDOW`. A jump mounts only these at first, so it shows in
        the next frame."""
        height = self.size.height or 40
        width = max(20, self.size.width - 6)
        lines = count = 0
        for index in indexes:
            if count >= WINDOW or lines >= 2 * height:
                break
            text = self._chats[index].text
            lines += 3 + text.count("\n") + len(text) // width
            count += 1
        return count

    async def _fill_window(self, generation: int) -> None:
        if generation == self._generation:
            self._fill_pending, self._loading_older = -1, True  # cleared by _older_done
            await self._mount_older(WINDOW - (self._end - self._start))

    def _older_hint(self) -> Static:
        return Static(self._older_text(), classes="chat--older", markup=False)

    def _older_text(self) -> str:
        return f"↑ {self._start:,} earlier messages — scroll up to see them, home for the oldest"

    def _newer_hint(self) -> Static:
        return Static(self._newer_text(), classes="chat--newer", markup=False)

    def _newer_text(self) -> str:
        later = len(self._chats) - self._end
        return f"↓ {later:,} later messages — scroll down to see them, end for the newest"

    def _hints(self, kind: str) -> list[Widget]:
        return [w for w in self.children if w.has_class(kind)]

    async def _unmount(self, widgets: list[Widget]) -> None:
        """Remove ``widgets``, forgetting the selection if it is one of them."""
        if self.selected in widgets:
            self.selected = None
        await self.remove_children(widgets)

    async def _rewindow(self, start: int, end: int) -> None:
        """Mount ``_chats[start:end]`` in place of the window (the live
        messages stay below it). Call with the window lock held."""
        self._ahead.clear()
        live = self._live_widgets()
        old = self._window_widgets()
        await self._unmount([*old, *self._hints("chat--older"), *self._hints("chat--newer")])
        self._start, self._end = start, end
        widgets = [self._widget_for(c) for c in self._chats[start:end]]
        if start:
            widgets.insert(0, self._older_hint())
        if end < len(self._chats):
            widgets.append(self._newer_hint())
        if live:
            await self.mount_all(widgets, before=live[0])
        else:
            await self.mount_all(widgets)

    async def _show_newest(self) -> None:
        """Re-window around the newest messages, if the window is elsewhere.
        Call with the window lock held."""
        if not self.at_newest:
            total = len(self._chats)
            await self._rewindow(total - self._fill_count(range(total - 1, -1, -1)), total)

    async def show_oldest(self) -> None:
        """Jump to the first message: the window moves to the oldest ones
        (later ones are mounted as the user scrolls down)."""
        async with self._window_lock:
            if self._start > 0:
                await self._rewindow(0, self._fill_count(range(len(self._chats))))
            self.scroll_home(animate=False, immediate=True)
        self.call_after_refresh(self._check_newer, 5)

    async def show_newest(self) -> None:
        """Jump to the last message: the window moves to the newest ones and
        the pane follows new content again."""
        async with self._window_lock:
            if not self.at_newest:  # pending while mounting: its scrolls prefetch nothing
                self._fill_pending = self._generation
                await self._show_newest()
                if self._end - self._start >= WINDOW:
                    self._fill_pending = -1
        self.anchor()
        if self._fill_pending == self._generation:
            self.call_after_refresh(self._fill_window, self._generation)

    def _check_newer(self, retries: int = 0) -> None:
        """Mount later messages when the hint below the window comes into view
        (``retries``: refreshes to wait for the hint to be laid out)."""
        if self.at_newest or self._loading_newer:
            return
        hints = self._hints("chat--newer")
        if not hints:
            return
        hint = hints[0]
        if not hint.outer_size.height:
            if retries > 0:  # not laid out yet
                self.call_after_refresh(self._check_newer, retries - 1)
            return
        children = list(self.children)
        below = children[children.index(hint) :]
        top = self.virtual_size.height - self._span(below, end=True)
        page = self._page_height()
        if top < self.scroll_y + (1 + PREFETCH_PAGES) * page:
            self._loading_newer = True
            self.call_after_refresh(self._mount_newer, PAGING_BATCH)
        elif top < self.scroll_y + (1 + AHEAD_PAGES) * page:
            self._render_ahead(self._chats[self._end : self._end + PAGING_BATCH])

    def _older_done(self) -> None:
        self._loading_older = False
        collector.quiet.release()

    def _newer_done(self) -> None:
        self._loading_newer = False
        collector.quiet.release()
        self._check_newer(2)

    def _older_mounted(self, count: int) -> None:
        """``count`` older messages were mounted above the window."""

    async def _mount_older(self, count: int = WINDOW) -> None:
        """Mount up to ``count`` older messages above the window, keeping the
        view where it is; unmount the window's far end past :data:`MAX_WINDOW`."""
        scheduled = False
        collector.quiet.hold()  # released by _older_done
        try:
            async with self._window_lock:
                if self._start <= 0 or count <= 0:
                    return
                end = self._start
                begin = max(0, end - count)
                hints = self._hints("chat--older")
                first: Widget | None = None
                for child in self.children:
                    if not child.has_class("chat--older"):
                        first = child
                        break
                # At the bottom (anchored, or all of it fits) the pane keeps
                # showing the bottom by itself.
                keep = self.scroll_y < self.max_scroll_y
                ref_y = self._top_of(first) if first is not None else 0
                window = self._window_widgets()
                excess = len(window) + end - begin - MAX_WINDOW
                spare = window[len(window) - excess :] if keep and excess > 0 else []
                chats = self._chats[begin:end]
                widgets, left = self._reuse(chats, spare)
                with self.app.batch_update():
                    self._start = begin
                    if first is not None:
                        await place(self, widgets, first)
                    else:
                        await self.mount_all(widgets)
                    self._give_lines(widgets, chats)
                    # The widgets shown again left the window's end.
                    self._end -= len(spare) - len(left)
                    if not self._start:
                        await self.remove_children(hints)
                    elif hints and isinstance(hints[0], Static):
                        hints[0].update(self._older_text())
                    if keep:
                        await self._trim_bottom(changed=bool(spare))
                    if keep and first is not None:
                        self._keep_place(first, ref_y, self._older_done)
                        scheduled = True
                self._older_mounted(len(widgets))
        finally:
            if not scheduled:
                self.call_after_refresh(self._older_done)

    def _reuse(
        self, chats: Sequence[Chat], spare: list[Widget]
    ) -> tuple[list[Widget], list[Widget]]:
        """Widgets for ``chats``, the ``spare`` ones (the window's far end)
        shown again where they can be (:mod:`.reuse`); and those left over."""
        if self.selected in spare:
            self.selected = None
        widgets, left = reuse(chats, spare, self._widget_for)
        self._reshown.update(w for w in widgets if w.parent is self)
        return widgets, left

    def _give_lines(self, widgets: Sequence[Widget], chats: Sequence[Chat]) -> None:
        """Give the widgets placed for ``chats`` (shown again, or made and
        mounted: styled now) the lines rendered ahead for them; forget the
        rest."""
        theme = self.app.theme
        for widget, chat in zip(widgets, chats, strict=True):
            self._ahead.give(widget, chat, self._content_width(widget), theme)
        self._ahead.clear()  # what was not taken now is not needed next

    async def _trim_bottom(self, *, changed: bool = False) -> None:
        """Unmount the window's end past :data:`MAX_WINDOW`; ``changed``: its
        end moved already."""
        window = self._window_widgets()
        excess = len(window) - MAX_WINDOW
        if excess > 0:
            await self._unmount(window[-excess:])
            self._end -= excess
        elif not changed:
            return
        hints = self._hints("chat--newer")
        if hints and isinstance(hints[0], Static):
            hints[0].update(self._newer_text())
            return
        live = self._live_widgets()
        if live:
            await self.mount(self._newer_hint(), before=live[0])
        else:
            await self.mount(self._newer_hint())

    async def _mount_newer(self, count: int = WINDOW) -> None:
        """Mount up to ``count`` later messages below the window (scrolling
        down from an older window); unmount its top past :data:`MAX_WINDOW`,
        keeping the view where it is."""
        scheduled = False
        collector.quiet.hold()  # released by _newer_done
        try:
            async with self._window_lock:
                hints = self._hints("chat--newer")
                if self.at_newest or not hints:
                    return
                hint = hints[0]
                stop = min(len(self._chats), self._end + count)
                window = self._window_widgets()
                excess = len(window) + stop - self._end - MAX_WINDOW
                ref = window[excess] if excess > 0 else None
                ref_y = self._top_of(ref) if ref is not None else 0
                spare = window[:excess] if excess > 0 else []
                chats = self._chats[self._end : stop]
                widgets, left = self._reuse(chats, spare)
                with self.app.batch_update():
                    await place(self, widgets, hint)
                    self._give_lines(widgets, chats)
                    # The widgets shown again left the window's top.
                    self._start += len(spare) - len(left)
                    self._end = stop
                    if self.at_newest:
                        await hint.remove()
                    elif isinstance(hint, Static):
                        hint.update(self._newer_text())
                    if ref is not None:
                        await self._unmount(left)
                        self._start += len(left)
                        older = self._hints("chat--older")
                        if older and isinstance(older[0], Static):
                            older[0].update(self._older_text())
                        else:
                            await self.mount(self._older_hint(), before=ref)
                        self._keep_place(ref, ref_y, self._newer_done)
                        scheduled = True
        finally:
            if not scheduled:
                self.call_after_refresh(self._newer_done)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        page = self._page_height()
        if self._start > 0 and not self._loading_older and self._fill_pending != self._generation:
            if new_value < PREFETCH_PAGES * page:
                self._loading_older = True
                self.call_after_refresh(self._mount_older, PAGING_BATCH)
            elif new_value < AHEAD_PAGES * page:
                older = self._chats[max(0, self._start - PAGING_BATCH) : self._start]
                self._render_ahead(older[::-1])
        self._check_newer()

    def _render_ahead(self, chats: Sequence[Chat]) -> None:
        """Render the lines of ``chats`` (those the window shows next, nearest
        first) a slice at a time, unless that is under way."""
        if self._ahead.busy or all(self._ahead.has(chat) for chat in chats):
            return
        generation = self._generation

        def still() -> bool:
            return generation == self._generation

        rendering = self._ahead.render(chats, self._model_for, self.app.theme, still)
        self.run_worker(rendering, group="ahead", exit_on_error=False)

    def _model_for(self, chat: Chat) -> tuple[Question | Reply, int] | None:
        return model_for(chat, self._window_widgets(), self._content_width)
