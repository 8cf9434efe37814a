"""Where the credential lives: the OS keyring, or the environment.

(Skeleton: the credentials issue fills in the keyring side.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .api import Secret

__all__ = ["ENV_BAIDUID", "ENV_BDUSS", "Credential", "from_environment"]

ENV_BAIDUID = "ERNIE_BAIDUID"
ENV_BDUSS = "ERNIE_BDUSS_BFESS"


@dataclass(frozen=True)
class Credential:
    """The two cookies of a signed-in Baidu account, and where they came from
    (``environment``, ``keyring``, ``session`` for this run only, or ``demo``)."""

    baiduid: Secret
    bduss_bfess: Secret
    source: str = "session"

    @property
    def masked(self) -> str:
        """The account as the status line shows it."""
        return self.bduss_bfess.masked


def from_environment() -> Credential | None:
    """The credential from ``ERNIE_BAIDUID`` and ``ERNIE_BDUSS_BFESS`` when both
    are set."""
    baiduid = os.environ.get(ENV_BAIDUID, "").strip()
    bduss = os.environ.get(ENV_BDUSS, "").strip()
    if baiduid and bduss:
        return Credential(Secret(baiduid), Secret(bduss), "environment")
    return None
