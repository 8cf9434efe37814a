"""Settings: a TOML file in the platform's config directory.

Secrets never go in it: the credential lives in the OS keyring (see
:mod:`ernie_tui.credentials`); a file holding a ``BAIDUID`` or ``BDUSS`` key is
refused. Every key, with its default::

    base_url = "https://yiyan.baidu.com"
    theme = "textual-dark"
    question_limit = 2000          # characters in one question

    [acs_token]
    provider = "none"              # none | fixed | command | url
    token = ""                     # provider = "fixed"
    command = ""                   # provider = "command": prints the token
    url = ""                       # provider = "url": answers with the token

    [timeouts]                     # seconds
    connect = 10
    request = 30
    idle = 60                      # silence allowed inside a streamed answer

    [keymap]                       # binding id = keys, for App.set_keymap
    # send = "ctrl+s"

A malformed file raises :class:`ConfigError` naming the file, the line and the
key; nothing is half-applied. An address (``base_url``, ``acs_token.url``)
must be http:// or https://, name a host, have a port from 1 to 65535 if any,
and hold no space, control or invisible formatting character
(:func:`url_problem`).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import AcsTokenProvider, ErnieClient
    from .credentials import Credential

__all__ = [
    "ENV_CONFIG",
    "AcsTokenConfig",
    "Config",
    "ConfigError",
    "acs_provider",
    "default_config_path",
    "load_config",
    "make_client",
    "url_problem",
]

DEFAULT_BASE_URL = "https://yiyan.baidu.com"
ENV_CONFIG = "ERNIE_TUI_CONFIG"
ACS_PROVIDERS = ("none", "fixed", "command", "url")


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


@dataclass(frozen=True)
class AcsTokenConfig:
    """Where the Acs-Token comes from: ``none``, ``fixed``, ``command`` or ``url``."""

    provider: str = "none"
    token: str = ""
    command: str = ""
    url: str = ""

    def __repr__(self) -> str:
        token = "'***'" if self.token else "''"
        return (
            f"AcsTokenConfig(provider={self.provider!r}, token={token}, "
            f"command={self.command!r}, url={self.url!r})"
        )


@dataclass(frozen=True)
class Config:
    """Every setting, with its default."""

    base_url: str = DEFAULT_BASE_URL
    acs_token: AcsTokenConfig = field(default_factory=AcsTokenConfig)
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    connect_timeout: float = 10.0
    request_timeout: float = 30.0
    idle_timeout: float = 60.0
    question_limit: int = 2000
    path: Path | None = None


def default_config_path() -> Path:
    """``config.toml`` in the platform's config directory for ernie-tui."""
    from platformdirs import user_config_path

    return user_config_path("ernie-tui") / "config.toml"


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


def _find_line(text: str, table: tuple[str, ...], key: str | None) -> int | None:
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


# -- validation --------------------------------------------------------------------

_SECRET_KEY = re.compile(r"BDUSS|BAIDUID|COOKIE", re.IGNORECASE)


def _type_name(value: object) -> str:
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


class _Checker:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def error(self, table: tuple[str, ...], key: str | None, message: str) -> ConfigError:
        line = _find_line(self.text, table, key)
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
                table, key, f"must be a string in quotes, not {_type_name(value)} ({value!r})."
            )
        return value

    def number(
        self, data: dict[str, Any], table: tuple[str, ...], key: str, default: float
    ) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(table, key, f"must be a number of seconds, not {_type_name(value)}.")
        if not value > 0 or value == float("inf"):
            raise self.error(table, key, f"must be more than 0 seconds (it is {value}).")
        return float(value)

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(
                (),
                key,
                f"must be a table ([{key}] on a line of its own), not {_type_name(value)}.",
            )
        return value


def _character(ch: str) -> str:
    """A character no address holds, named for the user."""
    import unicodedata

    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"the byte 0x{code - 0xDC00:02X} (not UTF-8 text)"
    category = unicodedata.category(ch)
    if category == "Cs":
        return f"a lone surrogate (U+{code:04X}, not text)"
    if category in ("Zs", "Zl", "Zp") or ch in "\t\n\r\f\v":
        kind = "a space" if ch == " " else "a blank"
    elif category == "Cc":
        kind = "a control character"
    else:
        kind = "an invisible formatting character"
    return f"{kind} (U+{code:04X})"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a server address, as the end of a sentence about
    it ("… must be …", "… holds …"), or None when it can be one. The reason
    never repeats the address, which may hold a password."""
    from urllib.parse import urlsplit

    from .sanitize import INVISIBLE

    bad = re.search(f"[\\s\\x00-\\x1f\\x7f-\\x9f{INVISIBLE}]", url)
    if bad:
        return (
            f"holds {_character(bad.group())} at character {bad.start() + 1}; a server "
            "address has none: write it in plain characters, like https://yiyan.baidu.com."
        )
    if not re.match(r"https?://", url):
        return "must be an http:// or https:// address, like https://yiyan.baidu.com."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        reason = str(exc)
        if "IPv6" in reason:
            return (
                "has an unclosed or misplaced '[': an IPv6 address goes in brackets, "
                "like http://[::1]:8765."
            )
        if "port" in reason.lower():
            return "has a port that is not a number from 1 to 65535."
        return "is not a valid address: '[' and ']' go only around an IPv6 address."
    if not parts.hostname:
        return "names no host, like https://yiyan.baidu.com."
    if port == 0:
        return "has port 0; a port is a number from 1 to 65535."
    return None


def _parse(path: Path, text: str) -> Config:
    try:
        data = tomllib.loads(text)
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

    check = _Checker(path, text)
    check.refuse_secrets(data)
    check.unknown(
        data,
        (),
        ("base_url", "theme", "question_limit", "acs_token", "timeouts", "keymap"),
    )

    base_url = check.string(data, (), "base_url", DEFAULT_BASE_URL).strip().rstrip("/")
    problem = url_problem(base_url)
    if problem is not None:
        raise check.error((), "base_url", problem)
    theme = check.string(data, (), "theme", Config.theme).strip()
    if not theme:
        raise check.error((), "theme", 'must name a theme, like "textual-dark".')

    limit = data.get("question_limit", Config.question_limit)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise check.error(
            (), "question_limit", f"must be a whole number of characters, not {_type_name(limit)}."
        )
    if limit < 1:
        raise check.error((), "question_limit", f"must be at least 1 (it is {limit}).")

    acs = check.table(data, "acs_token")
    check.unknown(acs, ("acs_token",), ("provider", "token", "command", "url"))
    provider = check.string(acs, ("acs_token",), "provider", "none").strip().lower()
    if provider not in ACS_PROVIDERS:
        raise check.error(
            ("acs_token",),
            "provider",
            f"must be one of {', '.join(ACS_PROVIDERS)} (it is {provider!r}).",
        )
    acs_config = AcsTokenConfig(
        provider=provider,
        token=check.string(acs, ("acs_token",), "token", "").strip(),
        command=check.string(acs, ("acs_token",), "command", "").strip(),
        url=check.string(acs, ("acs_token",), "url", "").strip(),
    )
    needed = {"fixed": "token", "command": "command", "url": "url"}.get(provider)
    if needed and not getattr(acs_config, needed):
        raise check.error(
            ("acs_token",),
            needed,
            f'is required when provider = "{provider}"; set it or use provider = "none".',
        )
    if provider == "url":
        problem = url_problem(acs_config.url)
        if problem is not None:
            raise check.error(("acs_token",), "url", problem)
    if provider == "command":
        import shlex

        try:
            shlex.split(acs_config.command)
        except ValueError as exc:
            raise check.error(
                ("acs_token",), "command", f"cannot be split into words: {exc}."
            ) from None

    timeouts = check.table(data, "timeouts")
    check.unknown(timeouts, ("timeouts",), ("connect", "request", "idle"))

    keymap = check.table(data, "keymap")
    keys: dict[str, str] = {}
    for binding_id, value in keymap.items():
        if not isinstance(value, str) or not value.strip():
            raise check.error(
                ("keymap",),
                binding_id,
                'must be the keys as a string in quotes, like "ctrl+s" or "f5,ctrl+r".',
            )
        keys[binding_id] = value.strip()

    return Config(
        base_url=base_url,
        acs_token=acs_config,
        theme=theme,
        keymap=keys,
        connect_timeout=check.number(timeouts, ("timeouts",), "connect", Config.connect_timeout),
        request_timeout=check.number(timeouts, ("timeouts",), "request", Config.request_timeout),
        idle_timeout=check.number(timeouts, ("timeouts",), "idle", Config.idle_timeout),
        question_limit=limit,
        path=path,
    )


def config_path(path: str | Path | None = None) -> Path:
    """The file :func:`load_config` reads: ``path``, else ``ERNIE_TUI_CONFIG``,
    else :func:`default_config_path`."""
    if path is None or str(path) == "":
        path = os.environ.get(ENV_CONFIG) or default_config_path()
    return Path(path).expanduser()


def load_config(path: str | Path | None = None) -> Config:
    """Read the config file (see :func:`config_path`). A missing file gives the
    defaults; a malformed one raises :class:`ConfigError` naming the file, the
    line and the key."""
    file = config_path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return Config(path=file)
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file.", path=file) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror or exc}).", path=file) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("is not UTF-8 text.", path=file, line=line) from None
    return _parse(file, text)


def acs_provider(config: Config) -> AcsTokenProvider:
    """The Acs-Token provider the config asks for."""
    from .api import CommandAcsToken, FixedAcsToken, NoAcsToken, UrlAcsToken

    acs = config.acs_token
    if acs.provider == "fixed":
        return FixedAcsToken(acs.token)
    if acs.provider == "command":
        return CommandAcsToken(acs.command, timeout=config.request_timeout)
    if acs.provider == "url":
        return UrlAcsToken(acs.url, timeout=config.request_timeout)
    return NoAcsToken()


def make_client(config: Config, credential: Credential) -> ErnieClient:
    """An :class:`~ernie_tui.api.ErnieClient` for this config and credential."""
    from .api import ErnieClient, Timeouts

    return ErnieClient(
        credential.baiduid,
        credential.bduss_bfess,
        base_url=config.base_url,
        acs_token=acs_provider(config),
        timeouts=Timeouts(
            connect=config.connect_timeout,
            request=config.request_timeout,
            idle=config.idle_timeout,
        ),
    )
