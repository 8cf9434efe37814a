"""The sidebar: a filter box over a virtual list of conversations.

:class:`ConversationList` is a line-API ``ScrollView``: one widget whatever the
number of conversations, and only the visible rows are rendered, so 10,000
entries fill and filter quickly (a widget per row does not: see
TEXTUAL-NOTES). It never calls the API; it posts messages and the screen acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from ...api import Conversations, Session
from ...sanitize import clean_line

__all__ = ["ConversationList", "Sidebar", "short_date"]


def short_date(create_time: str, now: datetime) -> str:
    """The sidebar's date: ``HH:MM`` today, ``MM-DD`` this year, else
    ``YYYY-MM-DD``. ``create_time`` is ``YYYY-MM-DD HH:MM:SS`` (Beijing time, as
    the service gives it) and is shown as given."""
    if len(create_time) < 16 or create_time[4] != "-":
        return clean_line(create_time[:10])
    if create_time[:10] == now.strftime("%Y-%m-%d"):
        return create_time[11:16]
    if create_time[:4] == now.strftime("%Y"):
        return create_time[5:10]
    return create_time[:10]


@dataclass(slots=True)
class _Entry:
    session: Session
    name: str
    folded: str
    date: str


@dataclass(slots=True)
class _Row:
    header: str | None
    entry: _Entry | None


class ConversationList(ScrollView, can_focus=True):
    """Pinned and normal conversations in two sections, one line each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
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

    COMPONENT_CLASSES = {
        "conversation-list--header",
        "conversation-list--cursor",
        "conversation-list--open",
        "conversation-list--mark",
        "conversation-list--date",
        "conversation-list--empty",
    }

    DEFAULT_CSS = """
    ConversationList {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    ConversationList > .conversation-list--header {
        color: $text-muted;
        text-style: bold;
    }
    ConversationList > .conversation-list--cursor {
        background: $block-cursor-blurred-background;
    }
    ConversationList:focus > .conversation-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    ConversationList > .conversation-list--open {
        color: $accent;
        text-style: bold;
    }
    ConversationList > .conversation-list--mark {
        color: $warning;
        text-style: bold;
    }
    ConversationList > .conversation-list--date {
        color: $text-muted;
    }
    ConversationList > .conversation-list--empty {
        color: $text-muted;
        text-style: italic;
    }
    """

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
        self._pinned: list[_Entry] = []
        self._normal: list[_Entry] = []
        self._rows: list[_Row] = []
        self._filter = ""
        self._cursor = -1
        self.marked: set[str] = set()
        self.open_id: str | None = None

    # -- data ----------------------------------------------------------------

    def set_conversations(self, conversations: Conversations, now: datetime) -> None:
        """Show these conversations (keeping the cursor on the same one)."""

        def entries(sessions: tuple[Session, ...]) -> list[_Entry]:
            out = []
            for s in sessions:
                name = clean_line(s.name) or "(untitled)"
                out.append(_Entry(s, name, name.casefold(), short_date(s.create_time, now)))
            return out

        self._pinned = entries(conversations.top)
        self._normal = entries(conversations.normal)
        known = {e.session.session_id for e in self._pinned} | {
            e.session.session_id for e in self._normal
        }
        self.marked &= known
        self._rebuild()

    @property
    def filter(self) -> str:
        return self._filter

    def set_filter(self, text: str) -> None:
        """Show only conversations whose name holds ``text`` (case-insensitive)."""
        folded = text.casefold().strip()
        if folded == self._filter:
            return
        self._filter = folded
        self._rebuild()

    @property
    def count(self) -> int:
        """How many conversations are listed (after the filter)."""
        return sum(1 for r in self._rows if r.entry is not None)

    @property
    def total(self) -> int:
        """How many conversations there are (before the filter)."""
        return len(self._pinned) + len(self._normal)

    @property
    def highlighted(self) -> Session | None:
        """The conversation under the cursor."""
        if 0 <= self._cursor < len(self._rows):
            entry = self._rows[self._cursor].entry
            return entry.session if entry else None
        return None

    def visible_sessions(self) -> list[Session]:
        """The listed conversations, top to bottom."""
        return [r.entry.session for r in self._rows if r.entry is not None]

    def set_open(self, session_id: str | None) -> None:
        """Highlight the open conversation and move the cursor to it."""
        self.open_id = session_id
        if session_id is not None:
            for index, row in enumerate(self._rows):
                if row.entry is not None and row.entry.session.session_id == session_id:
                    self._move(index)
                    break
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    def _rebuild(self) -> None:
        keep = self.highlighted
        needle = self._filter
        pinned = [e for e in self._pinned if needle in e.folded] if needle else self._pinned
        normal = [e for e in self._normal if needle in e.folded] if needle else self._normal
        rows: list[_Row] = []
        if pinned or (not needle and self._pinned):
            rows.append(_Row(f"Pinned ({len(pinned)})", None))
            rows.extend(_Row(None, e) for e in pinned)
        rows.append(_Row(f"Conversations ({len(normal)})", None))
        rows.extend(_Row(None, e) for e in normal)
        self._rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        cursor = -1
        if keep is not None:
            for index, row in enumerate(rows):
                if row.entry is not None and row.entry.session.session_id == keep.session_id:
                    cursor = index
                    break
        if cursor < 0:
            cursor = self._next_entry(0, 1)
        self._cursor = cursor
        if cursor < 0:
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            self._show_cursor()
        self.refresh()

    # -- cursor --------------------------------------------------------------

    def _next_entry(self, start: int, step: int) -> int:
        index = start
        while 0 <= index < len(self._rows):
            if self._rows[index].entry is not None:
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
            self._cursor - 1 if self._cursor and self._rows[self._cursor - 1].header else None
        )
        if self._cursor < top or (want_top is not None and want_top < top):
            target = want_top if want_top is not None else self._cursor
        elif self._cursor >= top + height:
            target = self._cursor - height + 1
        if target != top:
            self.scroll_to(y=target, animate=False, immediate=True)

    # -- rendering -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            if index == 1 and not any(r.entry for r in self._rows):
                style = self.get_component_rich_style("conversation-list--empty")
                text = "  no match" if self._filter else "  nothing yet"
                return Strip([Segment(set_cell_size(text, width), style)], width)
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        base = self.rich_style
        if row.header is not None:
            style = base + self.get_component_rich_style("conversation-list--header")
            return Strip([Segment(set_cell_size(" " + row.header, width), style)], width)
        entry = row.entry
        assert entry is not None
        style = base
        session_id = entry.session.session_id
        if session_id == self.open_id:
            style += self.get_component_rich_style("conversation-list--open")
        if index == self._cursor:
            style += self.get_component_rich_style("conversation-list--cursor", partial=True)
        marked = session_id in self.marked
        mark_style = (
            style + self.get_component_rich_style("conversation-list--mark", partial=True)
            if marked
            else style
        )
        date_style = style + self.get_component_rich_style("conversation-list--date", partial=True)
        if index == self._cursor:
            date_style = style
        mark = "✓ " if marked else ("▌ " if session_id == self.open_id else "  ")
        date = f" {entry.date} " if entry.date else " "
        room = width - 2 - cell_len(date)
        if room < 4:
            date, room = " ", width - 3
        name = entry.name
        if cell_len(name) > room:
            name = set_cell_size(name, max(room - 1, 0)) + "…"
        else:
            name = set_cell_size(name, max(room, 0))
        return Strip(
            [
                Segment(mark, mark_style),
                Segment(name, style),
                Segment(date, date_style + Style(bold=False)),
            ],
            width,
        ).crop(0, width)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        self._show_cursor()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + round(self.scroll_y)
        if 0 <= index < len(self._rows) and self._rows[index].entry is not None:
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

    def action_toggle_mark(self) -> None:
        session = self.highlighted
        if session is None:
            return
        marked = session.session_id not in self.marked
        if marked:
            self.marked.add(session.session_id)
        else:
            self.marked.discard(session.session_id)
        self.refresh()
        self.post_message(self.MarkToggled(self, session.session_id, marked))
        self.action_cursor_down()


class Sidebar(Vertical):
    """The filter box and the conversation list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "focus_list", "List", show=False),
    ]

    DEFAULT_CSS = """
    Sidebar {
        width: 32;
        max-width: 36%;
        height: 1fr;
        border-right: vkey $panel-lighten-2;
        background: $surface;
    }
    Sidebar > Input {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    Sidebar > Input:focus {
        background: $primary 20%;
    }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter conversations…", id="filter")
        yield ConversationList(id="conversations")

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.conversation_list.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.conversation_list.focus()

    def action_focus_list(self) -> None:
        self.conversation_list.focus()
