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
from textual.geometry import Region, Size
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
    return _short_date(create_time, now.strftime("%Y-%m-%d"))


def _short_date(create_time: str, today: str) -> str:
    if len(create_time) < 16 or create_time[4] != "-":
        return clean_line(create_time[:10])
    if create_time[:10] == today:
        return create_time[11:16]
    if create_time[:4] == today[:4]:
        return create_time[5:10]
    return create_time[:10]


def _line(text: str) -> str:
    """:func:`clean_line`, skipped for the usual name that has nothing to remove
    (everything ``clean_line`` removes is unprintable)."""
    return text if text.isprintable() else clean_line(text)


@dataclass(slots=True, eq=False)
class _Entry:
    session: Session
    name: str
    folded: str
    date: str


_NOT_BOLD = Style(bold=False)

_Row = _Entry | str
"""A row of the list: a conversation, or a section header's text."""


@dataclass(slots=True, frozen=True)
class _Styles:
    """The styles of one paint, looked up once rather than per line."""

    base: Style
    header: Style
    open: Style
    cursor: Style
    mark: Style
    date: Style
    empty: Style


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
        self._matches: tuple[list[_Entry], list[_Entry]] = ([], [])
        """The entries that match the filter, pinned and normal."""
        self._rows: list[_Row] = []
        self._count = 0
        self._styles: _Styles | None = None
        self._filter = ""
        self._cursor = -1
        self.marked: set[str] = set()
        self.open_id: str | None = None

    # -- data ----------------------------------------------------------------

    def set_conversations(self, conversations: Conversations, now: datetime) -> None:
        """Show these conversations (keeping the cursor on the same one)."""

        today = now.strftime("%Y-%m-%d")
        # Names and dates repeat across refreshes: clean and fold each once.
        names: dict[str, tuple[str, str]] = {}
        dates: dict[str, str] = {}

        def entries(sessions: tuple[Session, ...]) -> list[_Entry]:
            out = []
            for s in sessions:
                shown = names.get(s.name)
                if shown is None:
                    name = _line(s.name) or "(untitled)"
                    shown = names[s.name] = (name, name.casefold())
                date = dates.get(s.create_time)
                if date is None:
                    date = dates[s.create_time] = _short_date(s.create_time, today)
                out.append(_Entry(s, shown[0], shown[1], date))
            return out

        self._pinned = entries(conversations.top)
        self._normal = entries(conversations.normal)
        if self.marked:
            known = {e.session.session_id for e in self._pinned} | {
                e.session.session_id for e in self._normal
            }
            self.marked &= known
        self._matches = self._match(self._filter, self._pinned, self._normal)
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
            self._matches = self._match(folded, *self._matches)
        else:
            self._matches = self._match(folded, self._pinned, self._normal)
        self._rebuild()

    @staticmethod
    def _match(
        needle: str, pinned: list[_Entry], normal: list[_Entry]
    ) -> tuple[list[_Entry], list[_Entry]]:
        if not needle:
            return pinned, normal
        return (
            [e for e in pinned if needle in e.folded],
            [e for e in normal if needle in e.folded],
        )

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
            return row.session if isinstance(row, _Entry) else None
        return None

    def visible_sessions(self) -> list[Session]:
        """The listed conversations, top to bottom."""
        return [r.session for r in self._rows if isinstance(r, _Entry)]

    def set_open(self, session_id: str | None) -> None:
        """Highlight the open conversation and move the cursor to it."""
        self.open_id = session_id
        if session_id is not None:
            for index, row in enumerate(self._rows):
                if isinstance(row, _Entry) and row.session.session_id == session_id:
                    self._move(index)
                    break
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    def _rebuild(self) -> None:
        """Lay the matches out in rows (work linear in the matches, in C)."""
        keep = self._rows[self._cursor] if 0 <= self._cursor < len(self._rows) else None
        pinned, normal = self._matches
        rows: list[_Row] = []
        if pinned or (not self._filter and self._pinned):
            rows.append(f"Pinned ({len(pinned)})")
            rows += pinned
        rows.append(f"Conversations ({len(normal)})")
        rows += normal
        self._rows = rows
        self._count = len(pinned) + len(normal)
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        cursor = -1
        if isinstance(keep, _Entry):
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
            if isinstance(row, _Entry) and row.session.session_id == session_id:
                return index
        return -1

    # -- cursor --------------------------------------------------------------

    def _next_entry(self, start: int, step: int) -> int:
        index = start
        while 0 <= index < len(self._rows):
            if isinstance(self._rows[index], _Entry):
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

    def _paint_styles(self) -> _Styles:
        base = self.rich_style
        component = self.get_component_rich_style
        return _Styles(
            base=base,
            header=base + component("conversation-list--header"),
            open=component("conversation-list--open"),
            cursor=component("conversation-list--cursor", partial=True),
            mark=component("conversation-list--mark", partial=True),
            date=component("conversation-list--date", partial=True),
            empty=component("conversation-list--empty"),
        )

    def render_line(self, y: int) -> Strip:
        styles = self._styles or self._paint_styles()
        index = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            if index == 1 and not self._count:
                text = "  no match" if self._filter else "  nothing yet"
                return Strip([Segment(set_cell_size(text, width), styles.empty)], width)
            return Strip.blank(width, styles.base)
        entry = self._rows[index]
        if isinstance(entry, str):
            return Strip([Segment(set_cell_size(" " + entry, width), styles.header)], width)
        style = styles.base
        session_id = entry.session.session_id
        is_open = session_id == self.open_id
        if is_open:
            style += styles.open
        on_cursor = index == self._cursor
        if on_cursor:
            style += styles.cursor
        marked = session_id in self.marked
        mark_style = style + styles.mark if marked else style
        date_style = style if on_cursor else style + styles.date
        mark = "✓ " if marked else ("▌ " if is_open else "  ")
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
                Segment(date, date_style + _NOT_BOLD),
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
        if 0 <= index < len(self._rows) and isinstance(self._rows[index], _Entry):
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
