"""Checking the config file: reading its TOML, finding the line that sets a
key, and the typed look-ups whose every failure is a :class:`ConfigError`
naming the file, the line and the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["Checker", "ConfigError", "find_line", "read_toml", "type_name"]


class ConfigError(Exception):
    """The config file is malformed; the message names the file, line and key."""

    def __init__(
        self, message: str, *, path: Path | None = None, line: int | None = None, key: str = ""
    ) -> None:
        self.path = path
        self.line = line
        self.key = key
        where = str(path) if path is not None else "config"
        if line is not None:
            where += f", line {line}"
        if key:
            where += f", key {key!r}"
        super().__init__(f"{where}: {message}")


# -- finding a key's line ----------------------------------------------------------

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        return name[1:-1]
    return name


def _table_name(header: str) -> tuple[str, ...]:
    return tuple(_unquote(p) for p in header.split("."))


def find_line(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """The 1-based line where ``key`` is set inside ``table`` (or the table's
    header when ``key`` is None), by scanning the text. Falls back to the line
    of the enclosing table or key."""
    current: tuple[str, ...] = ()
    header_line: int | None = None
    parent_line: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        m = _TABLE.match(line)
        if m and not line.lstrip().startswith("[["):
            current = _table_name(m.group(1))
            if current == table:
                header_line = number
                if key is None:
                    return number
            continue
        k = _KEY.match(line)
        if not k:
            continue
        full = current + _table_name(line[: k.end() - 1].strip())
        if key is not None and full == (*table, key):
            return number
        if table and full == table:
            parent_line = number  # an inline table: acs_token = { … }
    return header_line or parent_line


def read_toml(path: Path, text: str) -> dict[str, Any]:
    """The file's TOML; a syntax error raises :class:`ConfigError` with the
    line and the key set on it."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else None
        key = ""
        if line is not None:
            lines = text.splitlines()
            if 0 < line <= len(lines):
                k = _KEY.match(lines[line - 1])
                if k:
                    key = _unquote(lines[line - 1][: k.end() - 1])
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ConfigError(f"not valid TOML ({reason}).", path=path, line=line, key=key) from None


# -- validation --------------------------------------------------------------------

_SECRET_KEY = re.compile(r"BDUSS|BAIDUID|COOKIE", re.IGNORECASE)


def type_name(value: object) -> str:
    """What kind of TOML value ``value`` is, in the user's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class Checker:
    """Typed look-ups in one config file's parsed data."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def error(self, table: tuple[str, ...], key: str | None, message: str) -> ConfigError:
        line = find_line(self.text, table, key)
        dotted = ".".join((*table, key) if key is not None else table)
        return ConfigError(message, path=self.path, line=line, key=dotted)

    def refuse_secrets(self, data: dict[str, Any], table: tuple[str, ...] = ()) -> None:
        for key, value in data.items():
            if _SECRET_KEY.search(key):
                raise self.error(
                    table,
                    key,
                    "the cookies never go in the config file: anyone who can read it could "
                    "use your Baidu account. Remove this key (and its value) and run "
                    "`ernie-tui login` instead, which keeps them in the OS keyring.",
                )
            if isinstance(value, dict):
                self.refuse_secrets(value, (*table, key))

    def unknown(self, data: dict[str, Any], table: tuple[str, ...], known: tuple[str, ...]) -> None:
        for key in data:
            if key not in known:
                where = f"[{'.'.join(table)}]" if table else "the top level"
                raise self.error(
                    table,
                    key,
                    f"unknown key in {where}; the keys there are: {', '.join(known)}.",
                )

    def string(self, data: dict[str, Any], table: tuple[str, ...], key: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise self.error(
                table, key, f"must be a string in quotes, not {type_name(value)} ({value!r})."
            )
        return value

    def number(
        self, data: dict[str, Any], table: tuple[str, ...], key: str, default: float
    ) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(table, key, f"must be a number of seconds, not {type_name(value)}.")
        if not value > 0 or value == float("inf"):
            raise self.error(table, key, f"must be more than 0 seconds (it is {value}).")
        return float(value)

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(
                (),
                key,
                f"must be a table ([{key}] on a line of its own), not {type_name(value)}.",
            )
        return value
