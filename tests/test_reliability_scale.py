"""Size: a 1 MB answer, a 300-character conversation name, 10,000
conversations, and names mixing wide and combining characters. No crash, no
freeze: after each, the app still answers a key."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from support import answered, make_app, poll_until, ready, seed, static_text

from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.help import HelpScreen


def megabyte_answer() -> str:
    """About 1 MB (UTF-8) of markdown: paragraphs, lists, code, Chinese."""
    section = (
        "## Part {n}\n\n"
        "Paragraph {n}: a long answer keeps arriving while the user reads. "
        "终端里的长回答也要保持流畅。\n\n"
        "- point one of part {n}\n- point two, with `code` and **bold**\n\n"
        "```python\nprint({n})\n```\n\n"
    )
    parts: list[str] = []
    size = 0
    n = 0
    while size < 1_000_000:
        n += 1
        part = section.format(n=n)
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


async def still_answers_a_key(pilot: Any) -> None:
    """F1 opens the help screen and escape closes it: the app is not frozen."""
    app = pilot.app
    await pilot.press("f1")
    await poll_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
    await pilot.press("escape")
    await poll_until(pilot, lambda: not isinstance(app.screen, HelpScreen), "help to close")


async def test_a_one_megabyte_answer(server: ServerThread, account: Any, tmp_path: Path) -> None:
    text = megabyte_answer()
    server.state.faults.add(Fault("answer", text=text))
    app = make_app(server, account, tmp_path, idle_timeout=60.0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        screen.composer.insert("Write a very long answer")
        # The send key's action (pilot.press would wait for every widget's queue,
        # and this answer removes old blocks from the screen as it grows).
        screen.composer.action_submit()
        await poll_until(pilot, lambda: screen.ask is not None and screen.ask.received, "text")
        # Responsive while ~200,000 increments arrive: a key is handled.
        screen.composer.insert("typed meanwhile")
        await poll_until(pilot, lambda: screen.composer.text == "typed meanwhile", "typing")
        t0 = time.perf_counter()
        answer = await answered(pilot, timeout=240)
        print(f"\n1 MB answer: finished {time.perf_counter() - t0:.1f} s after it started")
        assert answer.state == "done"
        assert answer.text.strip() == text.strip()
        assert app.errors() == []
        hidden = static_text(answer.query_one(".answer--hidden"))
        assert "earlier parts of this long answer are not shown" in hidden
        assert answer.block_count > 10_000
        assert len(answer.query(".answer--block")) <= answer.MAX_BLOCKS
        await still_answers_a_key(pilot)
        # Copy takes the whole answer, not only what is on the screen.
        await pilot.press("f4")
        assert app.clipboard == answer.text


async def test_a_300_character_conversation_name(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    long_name = ("很长的名字 long name 🚀 " * 30)[:300]
    ids = seed(server, account, [("Short", [("q", "a")]), (long_name, [("q2", "a2")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        assert screen.open_id == ids[long_name]
        listing = screen.conversation_list
        width = listing.scrollable_content_region.width
        for y in range(3):
            assert listing.render_line(y).cell_length == width
        title = static_text(screen.query_one("#title"))
        assert title.startswith("很长的名字 long name")
        assert screen.query_one("#title").size.height <= 2
        await still_answers_a_key(pilot)
        await pilot.press("f2")  # rename shows the whole name for editing
        field = app.screen.query_one("Input")
        assert field.value == long_name  # type: ignore[attr-defined]
        await pilot.press("escape")


async def test_ten_thousand_conversations(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    owner = server.store.account(account.bduss.reveal())
    server.store.bulk_sessions(owner, [f"Conversation {i + 1}" for i in range(10_000)])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot, timeout=60)
        listing = screen.conversation_list
        assert listing.total == 10_000
        assert screen.open_session is not None
        assert screen.open_session.name == "Conversation 10000"
        listing.focus()
        await pilot.press("end", "enter")
        await poll_until(pilot, lambda: not screen.chat.loading, "the oldest to open")
        assert screen.open_session is not None
        assert screen.open_session.name == "Conversation 1"
        await still_answers_a_key(pilot)
        screen.query_one("#filter").focus()
        await pilot.press(*"9999")
        await poll_until(pilot, lambda: listing.count == 1, "the filter")


WIDE_NAMES = [
    "中文会话名称测试",
    "emoji 🚀🎉 rocket",
    "combining e\u0301e\u0301e\u0301 accents",
    "mixed 中文 and ASCII 😀 text",
    "plain ascii name",
    "全角ＡＢＣ１２３",
]


async def test_wide_and_combining_characters_keep_the_sidebar_aligned(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    seed(server, account, [(name, []) for name in WIDE_NAMES])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        listing = screen.conversation_list
        width = listing.scrollable_content_region.width
        rows = [listing.render_line(y) for y in range(len(WIDE_NAMES) + 1)]
        texts = ["".join(seg.text for seg in row) for row in rows]
        for name in WIDE_NAMES:
            assert any(name[:4] in t for t in texts), (name, texts)
        # Every row fills the list exactly, and the date column starts at the
        # same cell in every conversation row (segments: mark, name, date).
        date_columns = set()
        for row, text in zip(rows, texts, strict=True):
            assert row.cell_length == width, text
            segments = [seg for seg in row if seg.text]
            if len(segments) == 3:
                date_columns.add(cell_len(segments[0].text) + cell_len(segments[1].text))
        assert len(date_columns) == 1, texts
        assert sum(1 for t in texts if t.strip()) == len(WIDE_NAMES) + 1  # + the header
