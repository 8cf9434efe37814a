"""The sidebar's times in the configured zone (Pilot): the real app on a real
embedded server whose clock wrote the conversations in Beijing time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Account
from support import make_app, ready
from textual.geometry import Region

from ernie_tui.server import ServerThread, Store
from ernie_tui.tui.times import BEIJING
from ernie_tui.tui.widgets.conversation_list import ConversationList

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=BEIJING)
"""The app's now: 04:00 UTC, the same day in both zones."""

CREATED = {
    "Tea ceremony notes": "2026-02-27 20:00:00",  # 12:00 UTC that day
    "Early bird": "2026-03-01 07:00:00",  # 23:00 UTC the day before
    "Morning question": "2026-03-01 09:30:00",  # 01:30 UTC today
}


@pytest.fixture
def stamped() -> Iterator[ServerThread]:
    """A server whose conversations were created at the times of CREATED."""
    times = iter(CREATED.values())
    store = Store(clock=lambda: next(times, "2026-03-01 11:00:00"))
    with ServerThread(store, rate=0) as server:
        yield server


def sidebar(app: object) -> list[str]:
    listing = app.screen.query_one(ConversationList)  # type: ignore[attr-defined]
    region = Region(0, 0, listing.size.width, listing.size.height)
    return [strip.text.rstrip() for strip in listing.render_lines(region) if strip.text.strip()]


def named(rows: list[str]) -> list[tuple[str, str]]:
    """The conversation rows as (name, date), past the mark."""
    return [tuple(row[2:].rsplit(None, 1)) for row in rows[1:]]  # type: ignore[misc]


async def shown_in(server: ServerThread, account: Account, tmp_path: Path, zone: str) -> list[str]:
    owner = server.store.account(account.bduss.reveal())
    for name in CREATED:
        server.store.new_session(owner, name)
    app = make_app(server, account, tmp_path, time_zone=zone)
    app.clock = lambda: NOW
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.pause()
        return sidebar(app)


async def test_utc_shows_utc_times_today_as_a_time_and_says_so(
    stamped: ServerThread, account: Account, tmp_path: Path
) -> None:
    rows = await shown_in(stamped, account, tmp_path, "UTC")
    assert rows[0].startswith(" Conversations (3)") and rows[0].endswith("UTC")
    by_name = dict(named(rows))
    # Created 09:30 in Beijing: 01:30 UTC, today, so only the time.
    assert by_name["Morning question"] == "01:30"
    # 07:00 in Beijing is still yesterday in UTC: "today" is UTC's.
    assert by_name["Early bird"] == "02-28"
    assert by_name["Tea ceremony notes"] == "02-27"


async def test_the_order_matches_the_shown_times(
    stamped: ServerThread, account: Account, tmp_path: Path
) -> None:
    rows = await shown_in(stamped, account, tmp_path, "UTC")
    # Newest first, and so are the dates shown (a time today, then earlier days).
    assert named(rows) == [
        ("Morning question", "01:30"),
        ("Early bird", "02-28"),
        ("Tea ceremony notes", "02-27"),
    ]


async def test_beijing_time_is_labelled_with_its_zone(
    stamped: ServerThread, account: Account, tmp_path: Path
) -> None:
    rows = await shown_in(stamped, account, tmp_path, "Asia/Shanghai")
    assert rows[0].endswith(" Shanghai")  # the city: "Asia/Shanghai" is too wide here
    assert rows[1].endswith("09:30") and rows[2].endswith("07:00")
