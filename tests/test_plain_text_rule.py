"""The "text is text" rule, checked over the app's source.

Textual parses a ``str`` as markup in ``Static``/``Label`` (unless
``markup=False``), in button and radio-button labels, in border titles, in
palette hits, and in notifications. The behaviour tests
(``test_hostile_markup.py``) prove each surface with a hostile server; this
test keeps new code from adding a surface that bypasses the rule:

- every ``Static`` and ``Label`` is built with ``markup=False`` (so a later
  ``update(str)`` is plain too);
- button and radio-button labels, border titles and palette hits are a string
  literal (the project's own) or ``Content``/``plain``/``Text`` built from text;
- nothing calls ``from_markup`` on anything but a literal;
- ``ErnieApp.notify`` shows every message as plain text (checked by calling it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import ernie_tui.tui

TUI = Path(ernie_tui.tui.__file__).parent
SAFE_CALLS = {"Content", "plain", "plain_block", "Text", "Safe", "assemble"}
LABELLED = {"Button", "RadioButton", "Checkbox", "Switch", "Option", "Hit", "DiscoveryHit"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_safe_value(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    # A function named ``…_content`` returns Content built from plain text.
    return isinstance(node, ast.Call) and (
        _name(node.func) in SAFE_CALLS or _name(node.func).endswith("_content")
    )


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(TUI.rglob("*.py"))]


def test_every_static_and_label_is_built_with_markup_off() -> None:
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in {"Static", "Label"}:
                markup = [k for k in node.keywords if k.arg == "markup"]
                if not (
                    markup
                    and isinstance(markup[0].value, ast.Constant)
                    and markup[0].value.value is False
                ):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == [], f"Static/Label without markup=False: {offenders}"


def test_labels_titles_and_hits_are_literals_or_plain_content() -> None:
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in LABELLED and node.args:
                if not _is_safe_value(node.args[0]):
                    offenders.append(f"{path.name}:{node.lineno} {_name(node.func)}")
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr in {"border_title", "border_subtitle", "tooltip"}
                        and not _is_safe_value(node.value)
                    ):
                        offenders.append(f"{path.name}:{node.lineno} {target.attr}")
    assert offenders == [], f"markup-parsed text that is not a literal or Content: {offenders}"


def test_nothing_parses_markup_from_a_variable() -> None:
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _name(node.func) == "from_markup"
                and not (node.args and isinstance(node.args[0], ast.Constant))
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == [], f"from_markup on a variable: {offenders}"


def test_every_notification_is_asked_for_as_plain_text() -> None:
    """``ErnieApp.notify`` shows every message as plain text whatever it is
    asked; each call also says ``markup=False``, so a toast stays plain text
    wherever it is sent from (a screen of another app, a widget test)."""
    offenders = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _name(node.func) == "notify"
                and not isinstance(getattr(node.func, "value", None), ast.Call)  # super()
            ):
                markup = [k for k in node.keywords if k.arg == "markup"]
                if not (
                    markup
                    and isinstance(markup[0].value, ast.Constant)
                    and markup[0].value.value is False
                ):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == [], f"notify() without markup=False: {offenders}"
