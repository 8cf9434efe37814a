"""Print the README's keys table from the main screen's one table of commands
(``ernie_tui/tui/screens/main/keys.py``). ``tests/test_readme_keys.py`` checks
that the README holds exactly this table.

    python scripts/keys_table.py
"""

from __future__ import annotations

import sys

from ernie_tui.tui.screens.main.keys import COMMANDS, SECTIONS, key_text

HEADER = "| Key | What it does | Palette command | Id |\n|---|---|---|---|"


def _display(key: str) -> str:
    return key.replace("escape", "Escape").replace("enter", "Enter")


def table() -> str:
    """The keys table, section by section, as Markdown."""
    rows = [HEADER]
    for section in SECTIONS:
        commands = [c for c in COMMANDS if c.section == section and c.in_help]
        if not commands:
            continue
        rows.append(f"| **{section}** | | | |")
        for command in commands:
            keys = key_text(command, {}, _display).replace("|", "\\|")
            where = f" ({command.where})" if command.where else ""
            title = command.title or ""
            ident = f"`{command.binding_id}`" if command.action and not command.where else ""
            rows.append(f"| {keys}{where} | {command.help} | {title} | {ident} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
