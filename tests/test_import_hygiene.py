"""Imports point one way: the protocol client and the server never pull in
Textual or keyring, and the command line's --help path stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return {name.split(".")[0] for name in json.loads(out)}


@pytest.mark.parametrize("module", ["ernie_tui.api", "ernie_tui.server"])
def test_api_and_server_leave_textual_and_keyring_out(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert "textual" not in loaded
    assert "keyring" not in loaded


def test_api_does_not_import_the_server() -> None:
    code = "import ernie_tui.api, sys; print('ernie_tui.server' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_package_root_is_light() -> None:
    loaded = _loaded_after("import ernie_tui")
    assert not {"textual", "httpx", "keyring", "starlette", "uvicorn"} & loaded


def test_the_cli_module_does_not_import_textual_or_httpx() -> None:
    loaded = _loaded_after("import ernie_tui.cli")
    assert "textual" not in loaded
    assert "httpx" not in loaded
    # --help stays fast: no event loop, no database until a command needs one
    assert "asyncio" not in loaded
    assert "sqlite3" not in loaded
