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
from collections.abc import Callable, Sequence

from textual.containers import VerticalScroll
from textual.layout import Layout
from textual.widget import Widget
from textual.widgets import Static

from ...api import Chat
from .answer import StreamingAnswer
from .messages import Question, Reply

__all__ = ["MAX_WINDOW", "PREFETCH_PAGES", "WINDOW", "MessageWindow"]

WINDOW = 40
"""How many messages are mounted at first, and how many more each time the
user reaches the top (or, below an older window, the bottom)."""
MAX_WINDOW = 3 * WINDOW
"""At most this many history messages stay mounted while the user scrolls
through a long history: the far end of the window is unmounted again."""
PAGING_BATCH = WINDOW
"""How many messages scrolling mounts at a time. Each batch costs a layout of
the pane, a repaint and the hints mounted again whatever its size, so smaller
batches only add up to more (10 at a time: three times the presses over
100 ms, 50% more bytes)."""
PREFETCH_PAGES = 2
"""More messages are mounted while the view is this many pages from the
window's edge, so PgUp / PgDn never wait at the edge for them."""


class MessageWindow(VerticalScroll):
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
        self._loading_older = False
        self._loading_newer = False
        self._kept: tuple[Widget, int] | None = None
        """A widget to keep where it is on screen at the next layout: it and
        its top before the change (content lines)."""
        self._shifted = 0
        """How far that layout moved the view to keep it in place."""
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
            await self._mount_older(WINDOW - (self._end - self._start))

    def _older_hint(self) -> Static:
        return Static(
            f"↑ {self._start:,} earlier messages — scroll up to see them, home for the oldest",
            classes="chat--older",
            markup=False,
        )

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
            moved = not self.at_newest
            await self._show_newest()
        self.anchor()
        if moved and self._end - self._start < WINDOW:
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
        if top < self.scroll_y + (1 + PREFETCH_PAGES) * self._page_height():
            self._loading_newer = True
            self.call_after_refresh(self._mount_newer, PAGING_BATCH)

    # -- geometry without asking the compositor --------------------------------------

    def _page_height(self) -> int:
        return max(1, self.container_size.height)

    def _height(self, widget: Widget) -> int:
        """``widget``'s height in the pane: its laid-out size, else (mounted
        but not laid out yet) what its content takes at the pane's width."""
        height = widget.outer_size.height
        if height:
            return height
        gutter = widget.styles.gutter
        # The size the layout places the children in: inside the padding
        # (as container_size) and beside the scrollbar.
        container = self.container_size
        container = container.with_width(container.width - self.scrollbar_size_vertical)
        width = max(1, container.width - gutter.width - widget.styles.margin.width)
        content = widget.get_content_height(container, self.app.size, width)
        return content + gutter.height

    def _span(self, widgets: Sequence[Widget], *, end: bool = False) -> int:
        """Lines from the top of the content to the top of the last of
        ``widgets`` when they are stacked from the top, margins collapsed as
        the vertical layout does; ``end``: to the bottom of the content below
        all of them."""
        y = 0
        below = 0
        for index, widget in enumerate(widgets):
            margin = widget.styles.margin
            y += max(below, margin.top) if index else margin.top
            if index == len(widgets) - 1 and not end:
                return y
            y += self._height(widget)
            below = margin.bottom
        return y + below

    def _top_of(self, widget: Widget) -> int:
        children = list(self.children)
        return self._span(children[: children.index(widget) + 1])

    def _keep_place(self, ref: Widget, ref_y: int, done: Callable[[], None]) -> None:
        """Keep ``ref`` where it was on screen (content was added or removed
        above it; its top was ``ref_y``): the view moves by as much as ``ref``
        did in the layout of the next frame, so no frame shows it moved;
        after that frame, check (and correct), then call ``done``. The move is
        relative to wherever the view is by then: a PgUp pressed while the
        messages were being mounted still moves it a page."""
        self._kept = (ref, ref_y)
        self._shifted = 0

        def check() -> None:
            try:
                self._kept = None
                if ref.parent is self:
                    rest = self._top_of(ref) - ref_y - self._shifted
                    if rest:
                        y = self.scroll_y + rest
                        self.scroll_to(y=y, animate=False, immediate=True)
            finally:
                done()

        self.call_after_refresh(check)

    def pre_layout(self, layout: Layout) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            ref, ref_y = kept
            if ref.parent is self:
                # Before the children are placed: they are placed at this
                # offset in the same frame (unvalidated: the virtual size is
                # not the new one yet).
                old_y = self.scroll_y
                y = round(max(0.0, old_y + self._top_of(ref) - ref_y))
                self._shifted = y - round(old_y)
                self.set_scroll(None, y)
                self.set_reactive(Widget.scroll_target_y, y)
                if self.show_vertical_scrollbar:
                    self.vertical_scrollbar.position = y

    def _older_done(self) -> None:
        self._loading_older = False

    def _newer_done(self) -> None:
        self._loading_newer = False
        self._check_newer(2)

    def _older_mounted(self, count: int) -> None:
        """``count`` older messages were mounted above the window."""

    async def _mount_older(self, count: int = WINDOW) -> None:
        """Mount up to ``count`` older messages above the window, keeping the
        view where it is; unmount the window's far end past :data:`MAX_WINDOW`."""
        scheduled = False
        try:
            async with self._window_lock:
                if self._start <= 0 or count <= 0:
                    return
                end = self._start
                begin = max(0, end - count)
                widgets = [self._widget_for(c) for c in self._chats[begin:end]]
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
                with self.app.batch_update():
                    self._start = begin
                    if first is not None:
                        await self.mount_all(widgets, before=first)
                    else:
                        await self.mount_all(widgets)
                    await self.remove_children(hints)
                    if self._start:
                        await self.mount(self._older_hint(), before=widgets[0])
                    if keep:
                        await self._trim_bottom()
                    if keep and first is not None:
                        self._keep_place(first, ref_y, self._older_done)
                        scheduled = True
                self._older_mounted(len(widgets))
        finally:
            if not scheduled:
                self.call_after_refresh(self._older_done)

    async def _trim_bottom(self) -> None:
        window = self._window_widgets()
        excess = len(window) - MAX_WINDOW
        if excess <= 0:
            return
        await self._unmount([*window[-excess:], *self._hints("chat--newer")])
        self._end -= excess
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
        try:
            async with self._window_lock:
                hints = self._hints("chat--newer")
                if self.at_newest or not hints:
                    return
                hint = hints[0]
                stop = min(len(self._chats), self._end + count)
                widgets = [self._widget_for(c) for c in self._chats[self._end : stop]]
                with self.app.batch_update():
                    await self.mount_all(widgets, before=hint)
                    self._end = stop
                    if self.at_newest:
                        await hint.remove()
                    elif isinstance(hint, Static):
                        hint.update(self._newer_text())
                    window = self._window_widgets()
                    excess = len(window) - MAX_WINDOW
                    if excess > 0:
                        ref = window[excess]
                        older = self._hints("chat--older")
                        ref_y = self._top_of(ref)
                        await self._unmount([*window[:excess], *older])
                        self._start += excess
                        await self.mount(self._older_hint(), before=ref)
                        self._keep_place(ref, ref_y, self._newer_done)
                        scheduled = True
        finally:
            if not scheduled:
                self.call_after_refresh(self._newer_done)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        near_top = new_value < PREFETCH_PAGES * self._page_height()
        if near_top and self._start > 0 and not self._loading_older:
            self._loading_older = True
            self.call_after_refresh(self._mount_older, PAGING_BATCH)
        self._check_newer()
