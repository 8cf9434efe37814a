"""One row of the conversation list, drawn with the line API: the names and
dates a row shows (cleaned and folded once), its styles, and the strip of
cells it becomes. No widget here: :mod:`.conversation_list` lays the rows out
and paints them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...api import Session
from ...sanitize import clean_line

__all__ = [
    "Entry",
    "Row",
    "RowCache",
    "RowStyles",
    "draw_entry",
    "draw_text",
    "entries",
    "matching",
    "short_date",
]


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


@dataclass(slots=True)
class RowCache:
    """Names and dates repeat across refreshes: each distinct one is cleaned
    and folded once per refresh."""

    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)


def entries(sessions: tuple[Session, ...], today: str, cache: RowCache) -> list[Entry]:
    """The rows of ``sessions``."""
    names, dates = cache.names, cache.dates
    out = []
    for s in sessions:
        shown = names.get(s.name)
        if shown is None:
            name = _line(s.name) or "(untitled)"
            shown = names[s.name] = (name, name.casefold())
        date = dates.get(s.create_time)
        if date is None:
            date = dates[s.create_time] = _short_date(s.create_time, today)
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
