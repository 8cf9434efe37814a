"""Settings: a TOML file in the platform's config directory.

Secrets never go in it: the credential lives in the OS keyring (see
:mod:`ernie_tui.credentials`); a file holding a ``BAIDUID`` or ``BDUSS`` key is
refused, and so is an API key (a key named like one, or a ``bce-v3/…`` value).
Every key, with its default::

    base_url = "https://yiyan.baidu.com"   # or "https://ernie.baidu.com"
    model = "EB35"                 # EB35 | EB45T | X1_1 (thinks) | EB50 | a newer code
    theme = "textual-dark"         # or textual-light, nord, … (a theme picked with
                                   # ctrl+p → Theme is kept until this line changes)
    time_zone = "local"            # the clock times are shown in: local (this
                                   # machine's) or a name like "Asia/Shanghai"
    question_limit = 2000          # characters in one question

    [acs_token]
    provider = "none"              # none | fixed | command | url | curl
    token = ""                     # provider = "fixed"
    command = ""                   # provider = "command": prints the token
    url = ""                       # provider = "url": answers with the token
    curl_file = ""                 # provider = "curl": a file holding a chat request
                                   # copied from the browser ("Copy as cURL")

    [timeouts]                     # seconds
    connect = 10
    request = 30
    idle = 60                      # silence allowed inside a streamed answer (a
                                   # thinking model's reasoning is no silence)

    [keymap]                       # binding id = keys, for App.set_keymap
    # send = "ctrl+s"

The backend, and the Qianfan backend's settings (its API key is a secret: it
lives in the OS keyring, see :mod:`ernie_tui.api_key`)::

    backend = "web"                # web (the cookies above) | qianfan (an API key)

    [qianfan]
    base_url = "https://qianfan.baidubce.com/v2"   # or any OpenAI-compatible
                                   # base URL ending in its version path
    appid = ""                     # optional: sent as the appid header (app-…)
    model = "ernie-4.5-turbo-32k"
    web_search = false             # let answers search the web and cite it

The local library (the Qianfan conversations, the web backend's cache)::

    [library]
    sync_rate = 2                  # requests a second "sync all conversations"
                                   # sends, at most (more than 0)

A malformed file raises :class:`ConfigError` naming the file, the line and the
key; nothing is half-applied. An address (``base_url``, ``acs_token.url``)
must be http:// or https://, name a host, have a port from 1 to 65535 if any,
and hold no space, control or invisible formatting character
(:func:`~ernie_tui.urls.url_problem`). Doubtful values that need not stop
the program (a model code that cannot be one, a ``curl_file`` not there yet)
are told in :attr:`Config.warnings` instead. The checks themselves live in
:mod:`ernie_tui.config_checks`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config_checks import (
    Checker,
    ConfigError,
    check_backend,
    check_curl_file,
    check_model,
    check_qianfan,
    check_theme,
    check_time_zone,
    read_toml,
    refuse_api_keys,
    type_name,
)
from .urls import url_problem

if TYPE_CHECKING:
    from .api import AcsTokenProvider, ErnieClient
    from .credentials import Credential

__all__ = [
    "ENV_CONFIG",
    "AcsTokenConfig",
    "Config",
    "ConfigError",
    "QianfanConfig",
    "acs_provider",
    "base_url_of",
    "default_config_path",
    "load_config",
    "make_client",
    "model_of",
    "url_problem",
    "with_base_url",
    "with_model",
]

DEFAULT_BASE_URL = "https://yiyan.baidu.com"
DEFAULT_MODEL = "EB35"
QIANFAN_BASE_URL = "https://qianfan.baidubce.com/v2"
QIANFAN_MODEL = "ernie-4.5-turbo-32k"
ENV_CONFIG = "ERNIE_TUI_CONFIG"
ACS_PROVIDERS = ("none", "fixed", "command", "url", "curl")


@dataclass(frozen=True)
class AcsTokenConfig:
    """Where the Acs-Token comes from: ``none``, ``fixed``, ``command``, ``url``
    or ``curl`` (``curl_file``: the copied request's file, its path resolved)."""

    provider: str = "none"
    token: str = ""
    command: str = ""
    url: str = ""
    curl_file: str = ""

    def __repr__(self) -> str:
        token = "'***'" if self.token else "''"
        return (
            f"AcsTokenConfig(provider={self.provider!r}, token={token}, "
            f"command={self.command!r}, url={self.url!r}, curl_file={self.curl_file!r})"
        )


@dataclass(frozen=True)
class QianfanConfig:
    """The Qianfan backend's settings (``[qianfan]``)."""

    base_url: str = QIANFAN_BASE_URL
    appid: str = ""
    model: str = QIANFAN_MODEL
    web_search: bool = False


@dataclass(frozen=True)
class Config:
    """Every setting, with its default."""

    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    acs_token: AcsTokenConfig = field(default_factory=AcsTokenConfig)
    theme: str = "textual-dark"
    time_zone: str = "local"
    """The clock times are shown in: ``local`` or an IANA name (the service's
    own times are Beijing time)."""
    keymap: dict[str, str] = field(default_factory=dict)
    connect_timeout: float = 10.0
    request_timeout: float = 30.0
    idle_timeout: float = 60.0
    question_limit: int = 2000
    path: Path | None = None
    warnings: tuple[str, ...] = ()
    """What the file says that is doubtful but does not stop the program."""
    backend: str = "web"
    """Which service answers: ``web`` (the cookies) or ``qianfan`` (an API key)."""
    qianfan: QianfanConfig = field(default_factory=QianfanConfig)
    library_path: Path | None = None
    """The local library's file (``None``: ``library.default_path()``). No key
    of the file sets it: ``--demo`` points it at a library of its own."""
    sync_rate: float = 2.0
    """``[library] sync_rate``: requests a second that syncing all
    conversations sends, at most."""


def default_config_path() -> Path:
    """``config.toml`` in the platform's config directory for ernie-tui."""
    from platformdirs import user_config_path

    return user_config_path("ernie-tui") / "config.toml"


def _parse(path: Path, text: str) -> Config:
    data = read_toml(path, text)
    check = Checker(path, text)
    check.refuse_secrets(data)
    refuse_api_keys(check, data)
    check.unknown(
        data,
        (),
        (
            *("base_url", "model", "theme", "time_zone", "question_limit", "acs_token"),
            *("timeouts", "keymap", "backend", "qianfan", "library"),
        ),
    )
    warnings: list[str] = []

    base_url = check.string(data, (), "base_url", DEFAULT_BASE_URL).strip().rstrip("/")
    problem = url_problem(base_url)
    if problem is not None:
        raise check.error((), "base_url", problem)
    model = check_model(check, data, DEFAULT_MODEL, warnings)

    limit = data.get("question_limit", Config.question_limit)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise check.error(
            (), "question_limit", f"must be a whole number of characters, not {type_name(limit)}."
        )
    if limit < 1:
        raise check.error((), "question_limit", f"must be at least 1 (it is {limit}).")

    acs = check.table(data, "acs_token")
    check.unknown(acs, ("acs_token",), ("provider", "token", "command", "url", "curl_file"))
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
        curl_file=check_curl_file(check, acs, warnings),
    )
    required = {"fixed": "token", "command": "command", "url": "url", "curl": "curl_file"}
    needed = required.get(provider)
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

    backend = check_backend(check, data)
    qianfan = QianfanConfig(
        *check_qianfan(check, data, warnings, base_url=QIANFAN_BASE_URL, model=QIANFAN_MODEL)
    )

    library = check.table(data, "library")
    check.unknown(library, ("library",), ("sync_rate",))
    sync_rate = library.get("sync_rate", Config.sync_rate)
    if isinstance(sync_rate, bool) or not isinstance(sync_rate, int | float):
        why = f"must be a number of requests a second, not {type_name(sync_rate)}."
        raise check.error(("library",), "sync_rate", why)
    if not 0 < sync_rate < float("inf"):
        why = f"must be more than 0 (it is {sync_rate})."
        raise check.error(("library",), "sync_rate", why)

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
    theme = check_theme(check, data, Config.theme)
    time_zone = check_time_zone(check, data)

    return Config(
        base_url=base_url,
        model=model,
        acs_token=acs_config,
        theme=theme,
        time_zone=time_zone,
        keymap=keys,
        connect_timeout=check.number(timeouts, ("timeouts",), "connect", Config.connect_timeout),
        request_timeout=check.number(timeouts, ("timeouts",), "request", Config.request_timeout),
        idle_timeout=check.number(timeouts, ("timeouts",), "idle", Config.idle_timeout),
        question_limit=limit,
        path=path,
        warnings=tuple(warnings),
        backend=backend,
        qianfan=qianfan,
        sync_rate=float(sync_rate),
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
    from .api import CommandAcsToken, CurlAcsToken, FixedAcsToken, NoAcsToken, UrlAcsToken

    acs = config.acs_token
    if acs.provider == "curl":
        return CurlAcsToken(acs.curl_file)
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
        model=config.model,
        acs_token=acs_provider(config),
        timeouts=Timeouts(
            connect=config.connect_timeout,
            request=config.request_timeout,
            idle=config.idle_timeout,
        ),
    )


# -- the chosen backend's settings ----------------------------------------------


def base_url_of(config: Config) -> str:
    """The base URL of the backend the config chooses."""
    return config.qianfan.base_url if config.backend == "qianfan" else config.base_url


def model_of(config: Config) -> str:
    """The model new conversations use on the backend the config chooses."""
    return config.qianfan.model if config.backend == "qianfan" else config.model


def with_base_url(config: Config, base_url: str) -> Config:
    """The config with the chosen backend's base URL replaced."""
    if config.backend == "qianfan":
        return dataclasses.replace(
            config, qianfan=dataclasses.replace(config.qianfan, base_url=base_url)
        )
    return dataclasses.replace(config, base_url=base_url)


def with_model(config: Config, model: str) -> Config:
    """The config with the chosen backend's model replaced."""
    if config.backend == "qianfan":
        return dataclasses.replace(config, qianfan=dataclasses.replace(config.qianfan, model=model))
    return dataclasses.replace(config, model=model)
