"""Hostile Textual markup, on every surface of the app (Pilot).

Conversation names, answers, questions, error messages, share keys and the
sign-in reason come from the server or the user. Textual parses ``[...]`` in a
``str`` as markup, so such text could run an app action on a click
(``[@click=app.quit]``), hide a hyperlink (``[link=…]``), or crash the app
with a stray closing tag (``[/x]``). For each surface: the markup is shown
literally, clicking it runs nothing, the screen holds no hyperlink and no
hostile click action, and the app lives on. (The byte-level view of the same,
in a pseudo-terminal, is ``test_hostile_pty.py``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Account
from rich.cells import cell_len
from support import (
    answered,
    main_screen,
    make_app,
    messages,
    open_named,
    poll_until,
    ready,
    screen_text,
    seed,
    send,
)
from textual.pilot import Pilot
from textual.widgets import Input

from ernie_tui.api import ErnieClient, Secret
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.screens.dialogs import ConfirmDialog, RenameDialog
from ernie_tui.tui.screens.share_dialogs import LinkDialog, ShareDialog
from ernie_tui.tui.screens.shares import SharesScreen
from ernie_tui.tui.screens.signin import SignInScreen

CLICK = "[@click=app.quit]Q[/]"
LINK = "[link='https://evil.example/']bank[/link]"
STRAY = "[/x]"
BOLD = "[b]B[/b]"
NAME = f"N{CLICK}{STRAY}"
"""A conversation name: short enough to show whole in the title bar."""
LONG = f"{CLICK} {LINK} {STRAY} {BOLD}"


def hostile_styles(app: Any) -> list[str]:
    """Hyperlinks and click actions on the screen that hostile text could
    have made (the app's own widgets' actions are not hostile)."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            if style.link:
                found.append(f"link {style.link!r} on {segment.text!r}")
            for key, value in (style.meta or {}).items():
                if "quit" in str(value) or "evil" in str(value) or "screenshot" in str(value):
                    found.append(f"{key}={value!r} on {segment.text!r}")
    return found


async def plain_on_screen(pilot: Pilot[Any], *literals: str) -> None:
    """Each literal is on the screen as typed, nothing hostile is styled, and
    the app still runs."""
    app = pilot.app
    await poll_until(
        pilot,
        lambda: all(literal in screen_text(app) for literal in literals),
        f"{literals} shown literally",
    )
    assert hostile_styles(app) == []
    assert app.is_running and app.return_code is None


def screen_rows(app: Any) -> list[str]:
    """The screen, row by row, one character per cell (a wide character is
    followed by a space), as the compositor would draw it now."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        row = []
        for segment in strip:
            for char in segment.text:
                row.append(char + " " * (cell_len(char) - 1))
        rows.append("".join(row))
    return rows


async def click_text(pilot: Pilot[Any], literal: str) -> None:
    """Click on the screen where ``literal`` is shown (on its ``Q``, where a
    parsed ``[@click=app.quit]Q[/]`` would have its action)."""
    for y, row in enumerate(screen_rows(pilot.app)):
        x = row.find(literal)
        if x >= 0:
            await pilot.click(offset=(x + literal.index("Q"), y))
            await pilot.pause()
            assert pilot.app.is_running and pilot.app.return_code is None
            return
    raise AssertionError(f"{literal!r} is not on the screen")


async def test_names_on_sidebar_title_toasts_and_dialogs(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    seed(server, account, [("other", [("hi", "hello")]), (NAME, [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        # Sidebar row and title bar.
        await plain_on_screen(pilot, "N[@click=app.q")
        await open_named(pilot, NAME)
        await plain_on_screen(pilot, NAME)
        await click_text(pilot, NAME)
        # Pin and unpin: the toasts and the title.
        screen.composer.focus()
        await pilot.press("ctrl+t")
        await poll_until(pilot, lambda: app.said("Pinned"), "the Pinned toast")
        await plain_on_screen(pilot, f"Pinned “{NAME}”", f"📌 {NAME}")
        await pilot.press("ctrl+t")
        await poll_until(pilot, lambda: app.said("Unpinned"), "the Unpinned toast")
        await plain_on_screen(pilot, f"Unpinned “{NAME}”")
        # The rename dialog's prefill.
        await pilot.press("f2")
        await poll_until(pilot, lambda: isinstance(app.screen, RenameDialog), "the rename dialog")
        assert app.screen.query_one(Input).value == NAME
        await plain_on_screen(pilot, NAME)
        await pilot.press("escape")
        # The share dialog names the conversation.
        await pilot.press("ctrl+s")
        await poll_until(pilot, lambda: isinstance(app.screen, ShareDialog), "the share dialog")
        await plain_on_screen(pilot, f"Share {NAME} as a public link")
        await pilot.press("escape")
        # The delete dialog, then the Deleted toast.
        await poll_until(pilot, lambda: app.screen is screen, "the main screen again")
        await pilot.press("f8")
        await poll_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the delete dialog")
        await plain_on_screen(pilot, f"Delete “{NAME}”?")
        await pilot.click("#confirm")
        await poll_until(pilot, lambda: app.said("Deleted"), "the Deleted toast")
        await plain_on_screen(pilot, f"Deleted “{NAME}”")


async def test_history_question_and_answer_are_literal(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    seed(server, account, [("markup", [(f"Q: {LONG}", f"A: {LONG}")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await plain_on_screen(pilot, f"Q: {LONG}", f"A: {LONG}")
        await click_text(pilot, f"A: {CLICK}")


async def test_streamed_answer_and_first_question_with_a_stray_tag(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    """Asking "What does [/b] do in BBCode?" as the first question of a new
    conversation names it with the question: that used to stream forever."""
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        question = "What does [/b] do in BBCode?"
        await send(pilot, question)
        await answered(pilot)
        assert messages(screen.chat)[0] == ("user", question)
        await plain_on_screen(pilot, question, "What does [/b] do")
        server.state.faults.add(Fault("answer", text=f"S: {LONG}\n\n- {STRAY} item"))
        await send(pilot, "and now?")
        answer = await answered(pilot)
        assert answer.state == "done"
        await plain_on_screen(pilot, f"S: {LONG}", f"{STRAY} item")
        await click_text(pilot, f"S: {CLICK}")


async def test_streamed_answer_mid_stream_is_literal(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    """The unfinished tail (rendered as it arrives) is plain too."""
    stall = Fault("gate", after=3, seconds=10)
    server.state.faults.add(Fault("answer", text=f"T: {LONG} and more text"), stall)
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await ready(pilot)
        await send(pilot, "hi")
        await plain_on_screen(pilot, "T: [@click")
        assert screen.ask is not None
        stall.gate.set()
        await answered(pilot)
        await plain_on_screen(pilot, f"T: {LONG}")


async def test_error_toast_with_hostile_message_and_stray_tag(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    """An error ``msg`` like ``BROKEN [/nope] markup`` used to crash the app."""
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        message = f"BROKEN [/nope] markup {CLICK} {LINK}"
        server.state.faults.add(Fault("error", code=7, msg=message))
        await send(pilot, "hello")
        await poll_until(pilot, lambda: app.errors(), "the error toast")
        await plain_on_screen(pilot, "BROKEN [/nope] markup")
        assert any(message in error for error in app.errors())


async def test_sign_in_reason_with_a_stray_tag_at_start_up(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    """``请先登录 [/x]`` as the reason at start-up used to crash the app before
    anything showed."""
    server.state.faults.add(
        Fault("error", path="/eb/session", code=4, msg=f"请先登录 [/x] {CLICK}", count=10)
    )
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await poll_until(pilot, lambda: isinstance(app.screen, SignInScreen), "the sign-in screen")
        await plain_on_screen(pilot, "[/x]", CLICK)
        await click_text(pilot, CLICK)


async def test_shares_screen_and_link_dialog(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    ids = seed(server, account, [(NAME, [("q", "a")])])
    async with ErnieClient(account.baiduid, account.bduss, base_url=server.base_url) as client:
        detail = await client.get_conversation_detail(ids[NAME])
        assert detail is not None
        await client.share_conversation(ids[NAME], [c.chat_id for c in detail.messages])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+s")
        await poll_until(pilot, lambda: isinstance(app.screen, ShareDialog), "the share dialog")
        await pilot.click("#share")
        await poll_until(pilot, lambda: isinstance(app.screen, LinkDialog), "the link dialog")
        await plain_on_screen(pilot, "/share/")
        await pilot.press("escape")
        await poll_until(pilot, lambda: app.screen is screen, "the main screen")
        screen.action_manage_shares()
        await poll_until(pilot, lambda: isinstance(app.screen, SharesScreen), "the shares screen")
        shares = app.screen
        assert isinstance(shares, SharesScreen)
        await poll_until(pilot, lambda: shares.loaded, "the shares")
        await plain_on_screen(pilot, "N[@click")


async def test_palette_and_help_survive_hostile_text(
    server: ServerThread, account: Any, tmp_path: Path
) -> None:
    """What the user types into the palette is plain; so are the keys the
    help screen lists (from the user's keymap)."""
    seed(server, account, [(NAME, [("q", "a")])])
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for char in "[/x][b]pin":
            await pilot.press(char)
        await pilot.pause(0.3)
        await plain_on_screen(pilot, "[/x][b]pin")
        await pilot.press("escape")
        await pilot.press("f1")
        await plain_on_screen(pilot, "Keys")
        await pilot.press("escape")
        assert main_screen(app)


async def test_status_line_shows_a_hostile_account_literally(
    server: ServerThread, tmp_path: Path
) -> None:
    """The status line shows the (masked) cookie: a value of markup is text."""
    account = Account(Secret("[b]BAIDUID[/b]:FG=1"), Secret("[/x]-hostile-bduss-value-[/b]"))
    app = make_app(server, account, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await plain_on_screen(pilot, "[/x]", "[/b]")
