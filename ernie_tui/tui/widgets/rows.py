"""One row of the conversation list, drawn with the line API: the names and
dates a row shows (cleaned and folded once), its styles, and the strip of
cells it becomes. No widget here: :mod:`.conversation_list` lays the rows out
and paints them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...api import Session
from ...sanitize import clean_line
from ..times import SERVICE_TIMES, Times

__all__ = [
    "COMPONENT_CLASSES",
    "LIST_CSS",
    "Entry",
    "Row",
    "RowCache",
    "RowStyles",
    "draw_entry",
    "draw_header",
    "draw_text",
    "entries",
    "matching",
    "short_date",
]

#: The list's component classes (the styles :class:`RowStyles` looks up) and its CSS.
COMPONENT_CLASSES = {
    "conversation-list--header",
    "conversation-list--cursor",
    "conversation-list--open",
    "conversation-list--mark",
    "conversation-list--streaming",
    "conversation-list--date",
    "conversation-list--empty",
}

LIST_CSS = """
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
    color: $block-cursor-blurred-foreground;
}
ConversationList:focus > .conversation-list--cursor {
    background: $block-cursor-background;
    color: $block-cursor-foreground;
    text-style: bold;
}
ConversationList > .conversation-list--open {
    color: $text-accent;
    text-style: bold;
}
ConversationList > .conversation-list--mark {
    color: $text-warning;
    text-style: bold;
}
ConversationList > .conversation-list--streaming {
    color: $text-success;
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


def short_date(create_time: str, now: datetime, times: Times = SERVICE_TIMES) -> str:
    """The sidebar's date: ``HH:MM`` today, ``MM-DD`` this year, else
    ``YYYY-MM-DD``, in the zone ``times`` shows (today too is reckoned
    there). ``create_time`` is ``YYYY-MM-DD HH:MM:SS`` as the backend gives it
    (in ``times.source``)."""
    return _short_date(times.convert(create_time), times.today(now))


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
class Entry:
    session: Session
    name: str
    folded: str
    date: str


_NOT_BOLD = Style(bold=False)

Row = Entry | str
"""A row of the list: a conversation, or a section header's text."""


@dataclass(slots=True, frozen=True)
class RowStyles:
    """The styles of one paint, looked up once rather than per line."""

    base: Style
    header: Style
    open: Style
    cursor: Style
    mark: Style
    streaming: Style
    date: Style
    empty: Style

    @classmethod
    def look_up(cls, base: Style, component: Callable[..., Style]) -> RowStyles:
        """The styles of the list's component classes (``conversation-list--…``)
        over ``base``, from ``get_component_rich_style``."""

        def part(name: str, partial: bool = True) -> Style:
            full = component(f"conversation-list--{name}")
            if not partial:
                return full
            # Only what the class sets, in the colours of the full style: a
            # partial style gives an "auto" colour ($text-muted) as white and
            # drops the alpha of a translucent one (the light themes' dates).
            own = component(f"conversation-list--{name}", partial=True)
            return own + Style(
                color=full.color if own.color is not None else None,
                bgcolor=full.bgcolor if own.bgcolor is not None else None,
            )

        return cls(
            base=base,
            header=base + part("header", False),
            open=part("open", False),
            cursor=part("cursor"),
            mark=part("mark"),
            streaming=part("streaming"),
            date=part("date"),
            empty=part("empty", False),
        )


_UNSEEN = object()

_Month = tuple[str, str, int]
"""How a month's stamps (in the source zone) move to the shown zone: those
before the first ``HH:MM`` fall on the shown day before theirs, those from
the second on the day after; then by how many minutes the clocks differ."""


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(slots=True)
class RowCache:
    """Names and dates repeat across refreshes: each distinct one is cleaned
    and folded once per refresh.

    Dates are moved to the zone ``times`` shows with the clocks' difference
    through their month (one conversion at each end of it: a conversion
    costs more than the rest of a row), and which shown day a stamp falls on
    is a comparison of its ``HH:MM``: only today's rows need the time itself,
    and only stamps moved to another day a date computed. ``today`` is the
    shown zone's day.
    """

    today: str
    times: Times = SERVICE_TIMES
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    months: dict[str, _Month | None] = field(default_factory=dict)
    """By the stamps' ``YYYY-MM`` (``None``: the clocks' difference changes
    in that month, or it is no month)."""
    moved: dict[tuple[str, int], str] = field(default_factory=dict)
    """The row's date of the day before (-1) or after (1) a day."""

    @classmethod
    def after(cls, previous: RowCache | None, today: str, times: Times) -> RowCache:
        """A cache for a refresh on ``today``: the dates of the ``previous``
        refresh are kept when it was for the same day and times (a refresh
        mostly lists the same conversations)."""
        cache = cls(today, times)
        if previous is not None and (previous.today, previous.times) == (today, times):
            cache.dates = previous.dates
        return cache

    def kept(self, listed: int) -> RowCache:
        """What the next refresh may start from: the dates only, and none when
        those of conversations gone since pile up beyond the ``listed`` ones."""
        dates = self.dates if len(self.dates) <= 2 * listed + 1000 else {}
        return RowCache(self.today, self.times, dates=dates)

    def date_of(self, stamp: str) -> str:
        """The row's date of ``stamp`` (``YYYY-MM-DD HH:MM[:SS]``, in the
        times' source zone): :func:`short_date`."""
        if self.times.unchanged:
            return _short_date(stamp, self.today)
        key = stamp[:7]
        month = self.months.get(key, _UNSEEN)
        if month is _UNSEEN:
            month = self.months[key] = self._month(key)
        clock = stamp[11:16]
        if isinstance(month, tuple) and stamp[13:14] == ":" and len(clock) == 5:
            before, after, shift = month
            day = stamp[:10]
            step = -1 if clock < before else 1 if clock >= after else 0
            if step:
                shown = self.moved.get((day, step))
                if shown is None:
                    shown = self.moved[(day, step)] = self._moved(day, step)
            else:
                shown = "" if day == self.today else _short_date(stamp, self.today)
            if shown:
                return shown
            hours, minutes = clock[:2], clock[3:]
            if hours.isdigit() and minutes.isdigit():
                return _clock(int(hours) * 60 + int(minutes) + shift - step * 1440)
        return _short_date(self.times.convert(stamp), self.today)

    def _month(self, key: str) -> _Month | None:
        try:
            first = date.fromisoformat(key + "-01")
        except ValueError:
            return None
        last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        times = self.times
        shifts = set()
        for moment in (datetime.combine(first, time()), datetime.combine(last, time(23, 59))):
            source = moment.replace(tzinfo=times.source) if times.source is not None else moment
            shown = source.astimezone(times.shown).replace(tzinfo=None)
            shifts.add((shown - moment).total_seconds())
        seconds = shifts.pop()
        if shifts or seconds % 60 or abs(seconds) >= 86_400:
            return None
        shift = int(seconds) // 60
        before = _clock(-shift) if shift < 0 else ""
        after = _clock(1440 - shift) if shift > 0 else "~"
        return before, after, shift

    def _moved(self, day: str, step: int) -> str:
        """The row's date of the day ``step`` days from ``day`` (``""``: today)."""
        try:
            shown = (date.fromisoformat(day) + timedelta(days=step)).isoformat()
        except ValueError:
            return day
        return "" if shown == self.today else _short_date(shown + " 00:00", self.today)


def entries(sessions: tuple[Session, ...], cache: RowCache) -> list[Entry]:
    """The rows of ``sessions``. A row's date is the session's
    ``create_time``, which the lists give as the time they are ordered by
    (the library: the last activity)."""
    names, dates = cache.names, cache.dates
    out = []
    for s in sessions:
        shown = names.get(s.name)
        if shown is None:
            name = _line(s.name) or "(untitled)"
            shown = names[s.name] = (name, name.casefold())
        stamp = s.create_time
        date = dates.get(stamp)
        if date is None:
            date = dates[stamp] = cache.date_of(stamp)
        out.append(Entry(s, shown[0], shown[1], date))
    return out


def matching(
    needle: str, pinned: list[Entry], normal: list[Entry]
) -> tuple[list[Entry], list[Entry]]:
    """The entries whose folded name holds ``needle``, pinned and normal."""
    if not needle:
        return pinned, normal
    return (
        [e for e in pinned if needle in e.folded],
        [e for e in normal if needle in e.folded],
    )


def draw_text(text: str, width: int, style: Style) -> Strip:
    """A header or a hint, filling the row."""
    return Strip([Segment(set_cell_size(text, width), style)], width)


def draw_header(text: str, labels: tuple[str, ...], width: int, styles: RowStyles) -> Strip:
    """A section header with, over the dates, the first of ``labels`` that
    fits beside it (none when none does)."""
    room = width - cell_len(text) - 2
    for label in labels:
        size = cell_len(label)
        if label and size <= room:
            return Strip(
                [
                    Segment(set_cell_size(text, width - size - 1), styles.header),
                    Segment(label + " ", styles.header + styles.date + _NOT_BOLD),
                ],
                width,
            )
    return draw_text(text, width, styles.header)


def draw_entry(
    entry: Entry,
    width: int,
    styles: RowStyles,
    *,
    is_open: bool,
    on_cursor: bool,
    marked: bool,
    streaming: bool = False,
) -> Strip:
    """A conversation's row: its mark (✓ marked, ● its answer streams, ▌ open),
    its name (cut with "…") and its date."""
    style = styles.base
    if is_open:
        style += styles.open
    if on_cursor:
        style += styles.cursor
    if marked:
        mark, mark_style = "✓ ", style + styles.mark
    elif streaming:
        mark, mark_style = "● ", style + styles.streaming
    else:
        mark, mark_style = ("▌ " if is_open else "  "), style
    date_style = style if on_cursor else style + styles.date
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
