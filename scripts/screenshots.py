"""Write SVG screenshots of the demo into a directory (``make screenshots``):
the main screen mid-stream, the share dialog, the delete confirmation and the
help screen, at 120x36.

Usage: python scripts/screenshots.py [DIRECTORY]   (default: screenshots)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from ernie_tui.api import Secret
from ernie_tui.config import Config
from ernie_tui.credentials import Credential
from ernie_tui.server import DEMO_BAIDUID, DEMO_BDUSS, Fault, ServerThread, Store, seed_demo
from ernie_tui.tui.app import ErnieApp
from ernie_tui.tui.screens.dialogs import ConfirmDialog
from ernie_tui.tui.screens.help import HelpScreen
from ernie_tui.tui.screens.main import MainScreen
from ernie_tui.tui.screens.share_dialogs import ShareDialog

SIZE = (120, 36)


async def until(pilot: Pilot[Any], check: Callable[[], object], limit: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not check():
        if loop.time() > deadline:
            raise RuntimeError(f"gave up waiting for {check}")
        await pilot.pause(0.02)


async def shoot(out: Path) -> list[Path]:
    server = ServerThread(Store(), rate=30.0).start()
    written: list[Path] = []
    try:
        seed_demo(server.store, image_base=server.base_url)
        credential = Credential(Secret(DEMO_BAIDUID), Secret(DEMO_BDUSS), "demo")
        with tempfile.TemporaryDirectory() as data:
            app = ErnieApp(Config(base_url=server.base_url), credential, data_dir=Path(data))
            async with app.run_test(size=SIZE) as pilot:

                def save(name: str) -> None:
                    for widget in app.screen.query(Input):
                        widget.cursor_blink = False
                    for area in app.screen.query(TextArea):
                        area.cursor_blink = False
                    app.save_screenshot(name, str(out))
                    written.append(out / name)

                await until(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.loaded)
                screen = app.screen
                assert isinstance(screen, MainScreen)
                await until(pilot, lambda: not screen.chat.loading)

                # Mid-stream: a long answer arriving at 40 increments per second.
                server.state.faults.add(
                    Fault(kind="long", increments=600), Fault(kind="rate", rate=40)
                )
                screen.composer.set_text("Explain how streaming answers are shown")
                await pilot.pause()
                await pilot.press("enter")
                await until(
                    pilot,
                    lambda: (
                        screen.ask is not None
                        and len(screen.ask.answer.text if screen.ask.answer else "") > 900
                    ),
                )
                await pilot.pause(0.2)
                save("main-streaming.svg")
                await pilot.press("escape")
                await until(pilot, lambda: screen.ask is None)

                async def modal(key: str, kind: type[Screen[Any]], name: str) -> None:
                    await pilot.press(key)
                    await until(pilot, lambda: isinstance(app.screen, kind))
                    await pilot.pause(0.3)
                    save(name)
                    await pilot.press("escape")
                    await until(pilot, lambda: isinstance(app.screen, MainScreen))

                await modal("ctrl+s", ShareDialog, "share-dialog.svg")
                await modal("f8", ConfirmDialog, "delete-confirmation.svg")
                await modal("f1", HelpScreen, "help.svg")
    finally:
        server.stop()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
