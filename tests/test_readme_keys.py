"""The README's keys table is the app's own table of commands (the one the
footer, Help and the palette are made from): regenerate it with
``python scripts/keys_table.py`` when a key changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_lists_the_keys_help_and_the_palette_list() -> None:
    table = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "keys_table.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert table.strip() in (ROOT / "README.md").read_text(encoding="utf-8")
