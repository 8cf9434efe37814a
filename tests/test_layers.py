"""The house's contracts, read from the source (DESIGN.md):

- arrows point down only: ``tui → core → backends → api``; ``cli`` may use
  everything; ``server`` stands alone; nothing below imports what is above it;
- no import circle between files (function-level imports included; imports
  only for type checking are not arrows);
- no file over 400 lines;
- importing ``core`` or ``backends`` loads no Textual, and importing the app
  loads nothing of the embedded server.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import ernie_tui

ROOT = Path(ernie_tui.__file__).parent
MAX_LINES = 400
MODULES: set[str] = set()

ALLOWED: dict[str, set[str]] = {
    "sanitize": set(),
    "_lazy": set(),
    "api": {"sanitize", "_lazy"},
    "qianfan": {"api", "sanitize"},
    "server": {"sanitize"},
    "backends": {"api", "sanitize", "qianfan", "library"},
    "library": {"api", "sanitize"},
    "core": {"backends", "sanitize", "_lazy"},
    "credentials": {"api", "sanitize", "cookies", "urls"},
    "cookies": {"api", "sanitize"},
    "api_key": {"api", "cookies", "credentials"},
    "config": {"api", "credentials", "sanitize", "urls", "cookies", "config_checks"},
    "config_checks": {"api", "sanitize", "urls"},
    "urls": {"api", "sanitize"},
    "wiring": {"api", "api_key", "backends", "config", "library", "qianfan"},
    "tui": {
        "core",
        "backends",
        "api",
        "config",
        "config_checks",
        "credentials",
        "sanitize",
        "cookies",
        "urls",
        "api_key",
        "wiring",
    },
}
"""What each room may import besides itself (``cli`` and ``__main__`` may
import anything)."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """The ernie_tui modules ``path`` imports (not under ``if TYPE_CHECKING``)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ernie_tui"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("ernie_tui"):
                submodules = {f"{target}.{alias.name}" for alias in node.names}
                modules = submodules & MODULES
                # ``from . import x`` names a module: the arrow goes to it.
                found.update(modules or {target})
                if modules != submodules:
                    found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    MODULES.update(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {t for t in _imports(path) if t in files and t != name}
    return graph


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_arrows_point_down_only() -> None:
    wrong = []
    for module, targets in _graph().items():
        room = _room(module)
        if room in ("cli", "__main__", ""):
            continue
        allowed = ALLOWED.get(room)
        assert allowed is not None, f"{module}: a room the contract does not know"
        for target in targets:
            other = _room(target)
            if other not in (room, "") and other not in allowed:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_no_import_circle() -> None:
    graph = _graph()
    # A package's __init__ re-exports its modules: its arrows to them are not a circle.
    for module in graph:
        graph[module] = {t for t in graph[module] if not t.startswith(module + ".")}
    assert _cycles(graph) == []


def test_no_file_over_the_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return list(json.loads(out))


@pytest.mark.parametrize("package", ["ernie_tui.core", "ernie_tui.backends"])
def test_the_core_and_the_backends_load_no_textual(package: str) -> None:
    assert [m for m in _loaded_after(f"import {package}") if m.split(".")[0] == "textual"] == []


def test_the_app_loads_nothing_of_the_server() -> None:
    loaded = _loaded_after(
        "import ernie_tui.tui.app, ernie_tui.tui.screens.main, ernie_tui.tui.screens.signin"
    )
    assert [m for m in loaded if m.startswith("ernie_tui.server")] == []
    assert "ernie_tui.tui.screens.main" in loaded
