"""Hostile server text, at the byte level: the real app in a 100x30
pseudo-terminal against a server whose conversation names, history answers,
streamed answers and error messages carry escape sequences and control
characters. Everything the app wrote is searched for the hostile payloads.

The app itself legitimately writes CSI sequences, so the assertions look for
the payloads' distinctive bytes: the hostile OSC 52 base64, the OSC 8 link
target, the C1 controls (UTF-8 ``C2 9B`` / ``C2 9D``), the hostile CSI
parameters and the BELs inside them.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from ptyrun import PtyApp, app_env
from rich.text import Text

from ernie_tui.api import ErnieClient
from ernie_tui.config import Config
from ernie_tui.server import ServerThread
from ernie_tui.server.faults import Fault
from ernie_tui.tui.app import ErnieApp

CLIP = "SE9TVElMRUNMSVBCT0FSRA=="  # base64 of "HOSTILECLIPBOARD"
OSC52 = f"\x1b]52;c;{CLIP}\x07"
OSC8 = "\x1b]8;;https://evil.example/x\x07click\x1b]8;;\x07"
C1_CSI = "\x9b31;7;5m"  # one-byte CSI: red, reverse, blink
C1_OSC = "\x9d0;PWNEDTITLE\x07"  # one-byte OSC: set the window title
CSI = "\x1b[6n\x1b[2J\x1b[31;7;5;4m"  # query the cursor, clear, ugly attributes
MARKUP = "[link='https://markup.example/']MLINK[/link][/x][@click=app.quit]MCLICK[/]"
"""Textual markup: must be shown literally, never as a hyperlink or an action."""
BIDI = "\u202e\u2066\u200b\ufeff\u200f\U000e0041"
"""Invisible and reordering characters, sent as they are."""
BIDI_REFS = "&#x202E;&#x2066;&#x200B;&#xFEFF;&#x200F;&#xE0041;"
"""The same as character references, which markdown decodes after any input
sanitising."""


def hostile(marker: str) -> str:
    """``marker`` wrapped in every kind of hostile sequence; ``marker`` (and
    ``click``) are what survive for the user to see."""
    return f"{OSC52}{marker}{OSC8}{C1_CSI}\x07\x1b{C1_OSC}{CSI}{MARKUP}{BIDI}"


FORBIDDEN = [
    CLIP.encode(),
    b"\x1b]52;c;SE9T",
    b"evil.example",
    b"\x1b]8;",  # any hyperlink (Textual writes them as ESC ] 8 ; id=… ;)
    b"\xc2\x9b",  # C1 CSI, UTF-8 encoded
    b"\xc2\x9d",  # C1 OSC
    b"PWNEDTITLE",
    b"\x1b[6n",
    b"31;7;5m",
    b"31;7;5;4m",
]


async def _prepare(server: ServerThread, bduss: str) -> None:
    async with ErnieClient("HOSTILEBAIDUID:FG=1", bduss, base_url=server.base_url) as client:
        old = await client.new_conversation("old one")
        await client.rename_conversation(old, "NAMEONE " + hostile("x"))
        newest = await client.new_conversation("newest")
        await client.rename_conversation(newest, "NAMETWO " + hostile("y"))
    server.store.bulk_turns(
        server.store.account(bduss),
        int(newest),
        [("Show me history", "HISTORYANSWER " + hostile("z") + BIDI_REFS + " ENDHISTORY")],
    )


def test_hostile_server_text_never_reaches_the_terminal(
    server: ServerThread, tmp_path: Path, account: Any
) -> None:
    bduss = account.bduss.reveal()
    asyncio.run(_prepare(server, bduss))
    server.state.faults.add(
        Fault(
            "answer",
            text="LIVEANSWER " + hostile("w") + "\n\nsecond " + hostile("v") + BIDI_REFS + " DONE",
        )
    )
    env = app_env(tmp_path, ERNIE_BAIDUID="HOSTILEBAIDUID:FG=1", ERNIE_BDUSS_BFESS=bduss)
    app = PtyApp.ernie(server.base_url, env, tmp_path, columns=100, lines=30)
    try:
        # Both names in the sidebar, and the newest conversation's history.
        app.wait_for("NAMEONE")
        app.wait_for("NAMETWO")
        app.wait_for("ENDHISTORY")
        # A streamed answer.
        app.type("first question")
        app.wait_for("first question")
        app.type("\r")
        app.wait_for("DONE")
        # An error message (a notification).
        server.state.faults.add(
            Fault("error", code=7, msg="ERRORMSG " + hostile("u") + " ENDERROR")
        )
        app.type("second question")
        app.wait_for("second question")
        app.type("\r")
        app.wait_for("ENDERROR")
        app.settle()
        shown = app.display
    finally:
        code = app.close()
    raw = bytes(app.raw)
    assert code == 0, raw[-2000:]
    assert "HISTORYANSWER" in raw.decode("utf-8", "replace")
    assert "LIVEANSWER" in raw.decode("utf-8", "replace")
    assert "ERRORMSG" in raw.decode("utf-8", "replace")
    for payload in FORBIDDEN:
        assert payload not in raw, f"{payload!r} reached the terminal"
    text = raw.decode("utf-8", "replace")
    assert "\x9b" not in text and "\x9d" not in text
    # A hostile BEL would ring: any BEL the app writes ends an OSC it started.
    assert text.count("\x07") <= text.count("\x1b]")
    for char in BIDI:
        assert char.encode() not in raw, f"{char!r} reached the terminal"
    # What the user sees: the markers, the link's text without its target,
    # and the markup as it was written.
    assert "click" in shown
    assert "[@click=app.quit]MCLICK[/]" in shown
    assert "[link='https://markup.example/']MLINK[/link]" in shown


WIDE_NAMES = [
    "中文会话名称很长很长很长很长很长很长",
    "emoji 🚀🎉 rocket party",
    "combining e\u0301e\u0301e\u0301 accents",
    "全角ＡＢＣ１２３ｘｙｚ",
    "plain ascii name",
]


def test_wide_and_combining_names_keep_the_sidebar_border_straight(
    server: ServerThread, tmp_path: Path, account: Any
) -> None:
    owner = server.store.account(account.bduss.reveal())
    server.store.bulk_sessions(owner, WIDE_NAMES)
    env = app_env(
        tmp_path, ERNIE_BAIDUID="WIDEBAIDUID:FG=1", ERNIE_BDUSS_BFESS=account.bduss.reveal()
    )
    app = PtyApp.ernie(server.base_url, env, tmp_path, columns=100, lines=30)
    try:
        app.wait_for("plain ascii name")
        app.wait_for("rocket")
        app.settle()
        buffer = app.screen.buffer
        # The column of the sidebar's right border on each row that has one.
        borders = {
            y: [x for x in range(app.screen.columns) if buffer[y][x].data == "▕"]
            for y in range(app.screen.lines - 2)
        }
        columns = {tuple(xs) for xs in borders.values() if xs}
        rows_with_names = [y for y in borders if "".join(buffer[y][x].data for x in range(40))]
    finally:
        app.close()
    assert len(columns) == 1, borders
    assert len(rows_with_names) >= len(WIDE_NAMES)


def test_a_byte_that_is_not_utf8_from_the_terminal_does_not_kill_the_app(
    server: ServerThread, tmp_path: Path, account: Any
) -> None:
    """A 0xFF typed or pasted into the terminal used to kill the app with a
    ``UnicodeDecodeError`` traceback, and exit 0. It becomes U+FFFD."""
    app = PtyApp.on_one_conversation(server, account, tmp_path, "BYTES")
    try:
        os.write(app.master, b"before\xff\xfeafter")
        app.wait_for("after")
        shown = app.display
        app.type(" still typing")
        app.wait_for("still typing")
    finally:
        code = app.close()
    text = bytes(app.raw).decode("utf-8", "replace")
    assert "Traceback" not in text and "UnicodeDecodeError" not in text
    assert "before" in shown and "after" in shown
    assert code == 0


async def test_a_crash_exits_non_zero(tmp_path: Path) -> None:
    """Textual's panic (an input-thread failure, say) left the exit code 0."""
    app = ErnieApp(Config(), None, data_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.panic(Text("something broke"))
        await asyncio.sleep(0.2)
    assert app.return_code == 1
