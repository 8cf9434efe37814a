"""Settings: a TOML file in the platform's config directory.

Secrets never go in it: the credential lives in the OS keyring (see
:mod:`ernie_tui.credentials`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["AcsTokenConfig", "Config", "ConfigError", "default_config_path"]

DEFAULT_BASE_URL = "https://yiyan.baidu.com"


class ConfigError(Exception):
    """The config file is malformed; the message names the file, line and key."""


@dataclass(frozen=True)
class AcsTokenConfig:
    """Where the Acs-Token comes from: ``none``, ``fixed``, ``command`` or ``url``."""

    provider: str = "none"
    token: str = ""
    command: str = ""
    url: str = ""


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
