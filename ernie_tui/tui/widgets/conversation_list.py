"""The conversation list: a line-API ``ScrollView`` of pinned and normal
conversations in two sections, one row each (drawn by :mod:`.rows`).

One widget whatever the number of conversations, and only the visible rows
are rendered, so 10,000 entries fill and filter quickly (a widget per row
does not: see TEXTUAL-NOTES). It never calls the API; it posts messages and
the screen acts.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...api import Conversations, Session
from ..times import SERVICE_TIMES, Times
from .rows import (
    COMPONENT_CLASSES,
    LIST_CSS,
    Entry,
    Row,
    RowCache,
    RowStyles,
    draw_entry,
    draw_header,
    draw_text,
    entries,
    matching,
)

__all__ = ["ConversationList"]


class ConversationList(ScrollView, can_focus=True):
    """Pinned and normal conversations in two sections, one line each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding(
            "enter",
            "select",
            "Open",
            id="sidebar.open",
            tooltip="Open the highlighted conversation.",
        ),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            id="sidebar.mark",
            tooltip="Mark or unmark the highlighted conversation for Delete conversations.",
        ),
    ]

    COMPONENT_CLASSES = COMPONENT_CLASSES
    DEFAULT_CSS = LIST_CSS

    class Selected(Message):
        """The user chose a conversation to open."""

        def __init__(self, conversation_list: ConversationList, session: Session) -> None:
            super().__init__()
            self.conversation_list = conversation_list
            self.session = session

        @property
        def control(self) -> ConversationList:
            return self.conversation_list

    class MarkToggled(Message):
        """A conversation was marked or unmarked for a batch delete."""

        def __init__(
            self, conversation_list: ConversationList, session_id: str, marked: bool
        ) -> None:
            super().__init__()
            self.conversation_list = conversation_list
            self.session_id = session_id
            self.marked = marked

        @property
        def control(self) -> ConversationList:
            return self.conversation_list

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._pinned: list[Entry] = []
        self._normal: list[Entry] = []
        self._matches: tuple[list[Entry], list[Entry]] = ([], [])
        """The entries that match the filter, pinned and normal."""
        self._rows: list[Row] = []
        self._count = 0
        self._styles: RowStyles | None = None
        self._filter = ""
        self._cursor = -1
        self.marked: set[str] = set()
        self.open_id: str | None = None
        self.streaming_id: str | None = None
        """The conversation whose answer is streaming (marked with a dot)."""
        self.times = SERVICE_TIMES
        """How the dates are shown; the first header names its zone."""
        self._cache: RowCache | None = None
        """The last refresh's dates, for the next one."""

    # -- data ----------------------------------------------------------------

    def set_conversations(
        self, conversations: Conversations, now: datetime, times: Times = SERVICE_TIMES
    ) -> None:
        """Show these conversations (keeping the cursor on the same one), their
        dates in the zone of ``times``, "today" being ``now``'s day there."""
        self.times = times
        cache = RowCache.after(self._cache, times.today(now), times)
        self._pinned = entries(conversations.top, cache)
        self._normal = entries(conversations.normal, cache)
        self._cache = cache.kept(len(self._pinned) + len(self._normal))
        if self.marked:
            known = {e.session.session_id for e in self._pinned} | {
                e.session.session_id for e in self._normal
            }
            self.marked &= known
        self._matches = matching(self._filter, self._pinned, self._normal)
        self._rebuild()

    @property
    def filter(self) -> str:
        return self._filter

    def set_filter(self, text: str) -> None:
        """Show only conversations whose name holds ``text`` (case-insensitive)."""
        folded = text.casefold().strip()
        old = self._filter
        if folded == old:
            return
        self._filter = folded
        if old and old in folded:
            # Narrowed: only what matched before can match now.
            self._matches = matching(folded, *self._matches)
        else:
            self._matches = matching(folded, self._pinned, self._normal)
        self._rebuild()

    @property
    def count(self) -> int:
        """How many conversations are listed (after the filter)."""
        return self._count

    @property
    def total(self) -> int:
        """How many conversations there are (before the filter)."""
        return len(self._pinned) + len(self._normal)

    @property
    def highlighted(self) -> Session | None:
        """The conversation under the cursor."""
        if 0 <= self._cursor < len(self._rows):
            row = self._rows[self._cursor]
            return row.session if isinstance(row, Entry) else None
        return None

    def visible_sessions(self) -> list[Session]:
        """The listed conversations, top to bottom."""
        return [r.session for r in self._rows if isinstance(r, Entry)]

    def set_open(self, session_id: str | None) -> None:
        """Highlight the open conversation and move the cursor to it."""
        self.open_id = session_id
        if session_id is not None:
            for index, row in enumerate(self._rows):
                if isinstance(row, Entry) and row.session.session_id == session_id:
                    self._move(index)
                    break
        self.refresh()

    def set_streaming(self, session_id: str | None) -> None:
        """Mark the conversation whose answer streams (``None``: none does)."""
        if session_id != self.streaming_id:
            self.streaming_id = session_id
            self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    def _rebuild(self) -> None:
        """Lay the matches out in rows (work linear in the matches, in C)."""
        keep = self._rows[self._cursor] if 0 <= self._cursor < len(self._rows) else None
        pinned, normal = self._matches
        rows: list[Row] = []
        if pinned or (not self._filter and self._pinned):
            rows.append(f"Pinned ({len(pinned)})")
            rows += pinned
        rows.append(f"Conversations ({len(normal)})")
        rows += normal
        self._rows = rows
        self._count = len(pinned) + len(normal)
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        cursor = -1
        if isinstance(keep, Entry):
            try:
                cursor = rows.index(keep)  # entries compare by identity
            except ValueError:
                cursor = self._find(keep.session.session_id)
        if cursor < 0:
            cursor = self._next_entry(0, 1)
        self._cursor = cursor
        if cursor < 0:
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            self._show_cursor()
        self.refresh()

    def _find(self, session_id: str) -> int:
        for index, row in enumerate(self._rows):
            if isinstance(row, Entry) and row.session.session_id == session_id:
                return index
        return -1

    # -- cursor --------------------------------------------------------------

    def _next_entry(self, start: int, step: int) -> int:
        index = start
        while 0 <= index < len(self._rows):
            if isinstance(self._rows[index], Entry):
                return index
            index += step
        return -1

    def _move(self, index: int) -> None:
        if index < 0 or index == self._cursor:
            return
        self._cursor = index
        self._show_cursor()
        self.refresh()

    def _show_cursor(self) -> None:
        if self._cursor < 0:
            return
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        target = top
        # Keep the section header above the first entry visible.
        want_top = (
            self._cursor - 1
            if self._cursor and isinstance(self._rows[self._cursor - 1], str)
            else None
        )
        if self._cursor < top or (want_top is not None and want_top < top):
            target = want_top if want_top is not None else self._cursor
        elif self._cursor >= top + height:
            target = self._cursor - height + 1
        if target != top:
            self.scroll_to(y=target, animate=False, immediate=True)

    # -- rendering -----------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Look the styles up once per paint: ``rich_style`` walks the
        # ancestors and cost more than the rest of a line.
        self._styles = self._paint_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._styles = None

    def _paint_styles(self) -> RowStyles:
        return RowStyles.look_up(self.rich_style, self.get_component_rich_style)

    def render_line(self, y: int) -> Strip:
        styles = self._styles or self._paint_styles()
        index = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            if index == 1 and not self._count:
                text = "  no match" if self._filter else "  nothing yet"
                return draw_text(text, width, styles.empty)
            return Strip.blank(width, styles.base)
        entry = self._rows[index]
        if isinstance(entry, str):
            if index:
                return draw_text(" " + entry, width, styles.header)
            times = self.times
            return draw_header(" " + entry, (times.label, times.short_label), width, styles)
        session_id = entry.session.session_id
        return draw_entry(
            entry,
            width,
            styles,
            is_open=session_id == self.open_id,
            on_cursor=index == self._cursor,
            marked=session_id in self.marked,
            streaming=session_id == self.streaming_id,
        )

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        self._show_cursor()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + round(self.scroll_y)
        if 0 <= index < len(self._rows) and isinstance(self._rows[index], Entry):
            self._move(index)
            self.action_select()

    # -- actions -------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self._move(self._next_entry(self._cursor - 1, -1))

    def action_cursor_down(self) -> None:
        self._move(self._next_entry(self._cursor + 1, 1))

    def action_page_up(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        target = self._next_entry(max(self._cursor - height, 0), 1)
        self._move(target)

    def action_page_down(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        target = self._next_entry(min(self._cursor + height, len(self._rows) - 1), -1)
        self._move(target)

    def action_first(self) -> None:
        self._move(self._next_entry(0, 1))

    def action_last(self) -> None:
        self._move(self._next_entry(len(self._rows) - 1, -1))

    def action_select(self) -> None:
        session = self.highlighted
        if session is not None:
            self.post_message(self.Selected(self, session))

    def toggle_mark(self, session_id: str) -> None:
        """Mark or unmark a conversation for a batch delete."""
        marked = session_id not in self.marked
        if marked:
            self.marked.add(session_id)
        else:
            self.marked.discard(session_id)
        self.refresh()
        self.post_message(self.MarkToggled(self, session_id, marked))

    def action_toggle_mark(self) -> None:
        session = self.highlighted
        if session is not None:
            self.toggle_mark(session.session_id)
            self.action_cursor_down()
