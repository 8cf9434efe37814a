"""What the ask flow (:mod:`.ask`) tells its listener about a turn, from its
start to its end: one :data:`FlowEvent` value per step or increment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..backends import Citations, ErnieError, Final, Trimmed, Usage, Withheld

if TYPE_CHECKING:
    from .ask import Turn

__all__ = [
    "Created",
    "Done",
    "Extra",
    "Failed",
    "FlowEvent",
    "Started",
    "Stopped",
    "Text",
    "Thinking",
    "TurnImages",
]


@dataclass(frozen=True, slots=True)
class Started:
    turn: Turn


@dataclass(frozen=True, slots=True)
class Created:
    """A new conversation got its id from the first increment."""

    turn: Turn
    old_key: str


@dataclass(frozen=True, slots=True)
class Text:
    turn: Turn
    text: str


@dataclass(frozen=True, slots=True)
class TurnImages:
    turn: Turn
    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Thinking:
    """An increment of the reasoning shown before the answer."""

    turn: Turn
    text: str


@dataclass(frozen=True, slots=True)
class Extra:
    """What the service said about the answer besides its text: the sources
    it cites, the tokens it took, that part of it was withheld, or that the
    thread was trimmed to fit the model (the backend's event, as it came)."""

    turn: Turn
    event: Citations | Usage | Withheld | Trimmed


@dataclass(frozen=True, slots=True)
class Done:
    turn: Turn
    final: Final


@dataclass(frozen=True, slots=True)
class Stopped:
    turn: Turn


@dataclass(frozen=True, slots=True)
class Failed:
    turn: Turn
    error: ErnieError


FlowEvent = Started | Created | Text | Thinking | TurnImages | Extra | Done | Stopped | Failed
