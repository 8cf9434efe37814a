"""ernie-tui: a terminal client for Baidu's ERNIE Bot.

``from ernie_tui import Ernie`` gives the synchronous API of the seed document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Ernie", "__version__"]

if TYPE_CHECKING:
    from .api import Ernie


def __getattr__(name: str) -> Any:
    # Lazy, so that `ernie-tui --help` does not pay for importing httpx.
    if name == "Ernie":
        from .api import Ernie

        return Ernie
    raise AttributeError(name)
