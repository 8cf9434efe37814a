"""Checking the config file: reading its TOML, finding the line that sets a
key, and the typed look-ups whose every failure is a :class:`ConfigError`
naming the file, the line and the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from .urls import url_problem

__all__ = [
    "BACKENDS",
    "THEMES",
    "Checker",
    "ConfigError",
    "check_backend",
    "check_curl_file",
    "check_model",
    "check_qianfan",
    "check_theme",
    "check_time_zone",
    "find_line",
    "model_problem",
    "read_toml",
    "refuse_api_keys",
    "type_name",
]


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


# -- how the app looks --------------------------------------------------------------

THEMES = (
    *("textual-dark", "textual-light", "nord", "gruvbox", "catppuccin-mocha", "dracula"),
    *("tokyo-night", "monokai", "flexoki", "catppuccin-latte", "catppuccin-frappe"),
    *("catppuccin-macchiato", "solarized-light", "solarized-dark", "rose-pine"),
    *("rose-pine-moon", "rose-pine-dawn", "atom-one-dark", "atom-one-light", "ansi-dark"),
    "ansi-light",
)
"""The themes the app has: Textual's own (read here without importing
Textual; ``tests/test_config.py`` compares the two)."""


def check_theme(check: Checker, data: dict[str, Any], default: str) -> str:
    """``theme``: one of :data:`THEMES`."""
    theme = check.string(data, (), "theme", default).strip()
    if theme not in THEMES:
        shown = repr(theme[:40]) if theme else "empty"
        raise check.error((), "theme", f"must be one of {', '.join(THEMES)} (it is {shown}).")
    return theme


def check_time_zone(check: Checker, data: dict[str, Any]) -> str:
    """``time_zone``: ``"local"`` (this machine's) or a time zone name of the
    IANA database, like ``"Asia/Shanghai"`` (the service's own clock)."""
    zone = check.string(data, (), "time_zone", "local").strip()
    if zone.lower() == "local":
        return "local"
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(zone)
    except (LookupError, ValueError, OSError):  # not found, not a name, not a zone file
        pass
    else:
        return zone
    raise check.error(
        (),
        "time_zone",
        f'must be "local" or a time zone name like "Asia/Shanghai" or "Europe/Berlin" '
        f"(it is {zone[:40]!r}).",
    )


# -- the web backend's settings ----------------------------------------------------

_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
_COMMAND = re.compile(r"^\s*curl(\.exe)?\s|\s-H\s|--data|\n", re.IGNORECASE)


def check_model(check: Checker, data: dict[str, Any], default: str, warnings: list[str]) -> str:
    """``model``: a model code of the web service (EB35, EB45T, X1_1, EB50, or
    a newer short code). Anything else is told in ``warnings`` and the default
    used, since the service may still be asked."""
    model = check.string(data, (), "model", default).strip()
    if _MODEL.fullmatch(model):
        return model
    line = find_line(check.text, (), "model")
    warnings.append(
        f"{check.path}, line {line}, key 'model': {model[:40]!r} is not a model code (letters, "
        f"digits and _, like EB35, EB45T, X1_1 or EB50), so {default} is used."
    )
    return default


def check_curl_file(check: Checker, acs: dict[str, Any], warnings: list[str]) -> str:
    """``acs_token.curl_file``: the path of a file holding a copied request,
    resolved (``~``, and relative to the config file's folder). Never the
    copied command itself: it holds the account's cookies."""
    table = ("acs_token",)
    raw = check.string(acs, table, "curl_file", "")
    if _COMMAND.search(raw):
        raise check.error(
            table,
            "curl_file",
            "must be the path of a file holding the copied request, not the request "
            "itself: it holds your cookies, which never go in the config file. Save the "
            "copied cURL command to a file only you can read and give its path here.",
        )
    value = raw.strip()
    if not value:
        return ""
    if not value.isprintable():
        raise check.error(table, "curl_file", "holds a control or invisible character.")
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = check.path.parent / path
    if path.is_dir():
        raise check.error(table, "curl_file", f"names a directory ({path}), not a file.")
    if not path.exists():
        warnings.append(
            f"{check.path}, key 'acs_token.curl_file': {path} does not exist yet. Save the "
            "chat request copied from the browser (Copy as cURL) there before asking."
        )
    return str(path)


# -- which backend, and the Qianfan backend's settings -----------------------------

BACKENDS = ("web", "qianfan")
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,127}")
_APPID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}")
_VERSION_PATH = re.compile(r"/v\d+[A-Za-z0-9.]*$")
_KEY_NAME = re.compile(
    r"(?:qianfan_)?(?:api|access|secret)[_\-]?(?:key|token)|apikey", re.IGNORECASE
)
_KEY_VALUE = re.compile(r"bce-v3/", re.IGNORECASE)
_API_KEY_REFUSED = (
    "an API key never goes in the config file: anyone who can read it could use your "
    "Qianfan account (and its bill). Remove this key (and its value) and run "
    "`ernie-tui login --backend qianfan`, which keeps it in the OS keyring, or set "
    "QIANFAN_API_KEY in the environment."
)


def _holds_key(value: object) -> bool:
    if isinstance(value, str):
        return _KEY_VALUE.search(value) is not None
    if isinstance(value, list):
        return any(_holds_key(item) for item in value)
    return False


def refuse_api_keys(check: Checker, data: dict[str, Any], table: tuple[str, ...] = ()) -> None:
    """Refuse an API key anywhere in the file: a key named like one
    (``api_key``, ``access_token``, ``key``/``token``/``secret`` in
    ``[qianfan]``), or a value shaped like one (``bce-v3/…``). The value is
    never repeated."""
    for key, value in data.items():
        named = _KEY_NAME.fullmatch(key) is not None or (
            table == ("qianfan",) and key.lower() in ("key", "token", "secret", "password")
        )
        if named or _holds_key(value):
            raise check.error(table, key, _API_KEY_REFUSED)
        if isinstance(value, dict):
            refuse_api_keys(check, value, (*table, key))


def check_backend(check: Checker, data: dict[str, Any]) -> str:
    """``backend``: which service answers, ``web`` or ``qianfan``."""
    backend = check.string(data, (), "backend", "web").strip().lower()
    if backend not in BACKENDS:
        raise check.error(
            (), "backend", f"must be one of {', '.join(BACKENDS)} (it is {backend[:40]!r})."
        )
    return backend


def model_problem(backend: str, model: str) -> str | None:
    """Why ``model`` cannot be a model of ``backend`` (as the end of a
    sentence about it), or None."""
    if backend == "web":
        if _MODEL.fullmatch(model):
            return None
        return "is not a model code of the web service (letters, digits and _, like EB35 or X1_1)."
    if _MODEL_ID.fullmatch(model):
        return None
    return (
        "is not a model id (letters, digits and . _ - : /, like ernie-4.5-turbo-32k or "
        "ernie-x1-turbo-32k)."
    )


def check_qianfan(
    check: Checker, data: dict[str, Any], warnings: list[str], *, base_url: str, model: str
) -> tuple[str, str, str, bool]:
    """The ``[qianfan]`` table: its ``base_url``, ``appid``, ``model`` and
    ``web_search`` (``base_url`` and ``model`` default to the arguments)."""
    table = ("qianfan",)
    qianfan = check.table(data, "qianfan")
    check.unknown(qianfan, table, ("base_url", "appid", "model", "web_search"))
    url = check.string(qianfan, table, "base_url", base_url).strip().rstrip("/")
    problem = url_problem(url)
    if problem is not None:
        raise check.error(table, "base_url", problem.replace("https://yiyan.baidu.com", base_url))
    if not _VERSION_PATH.search(url):
        line = find_line(check.text, table, "base_url")
        warnings.append(
            f"{check.path}, line {line}, key 'qianfan.base_url': it does not end with the "
            f"API's version path (like /v2 in {base_url}); requests go to "
            "<base_url>/chat/completions."
        )
    appid = check.string(qianfan, table, "appid", "").strip()
    if appid and not _APPID.fullmatch(appid):
        raise check.error(
            table, "appid", "must be the app id as the Qianfan console shows it, like app-AbC123."
        )
    chosen = check.string(qianfan, table, "model", model).strip()
    problem = model_problem("qianfan", chosen)
    if problem is not None:
        raise check.error(table, "model", problem)
    web_search = qianfan.get("web_search", False)
    if not isinstance(web_search, bool):
        raise check.error(
            table, "web_search", f"must be true or false, not {type_name(web_search)}."
        )
    return url, appid, chosen, web_search
