"""A string that never shows itself in a ``repr``, ``str``, log line or traceback."""

from __future__ import annotations

from typing import Final

__all__ = ["Secret", "mask"]


def mask(value: str, keep: int = 4) -> str:
    """Show the first and last ``keep`` characters of ``value`` and hide the rest.

    Values too short to keep anything hidden are masked whole.
    """
    if len(value) <= keep * 2 + 2:
        return "*" * min(len(value), 8) if value else ""
    return f"{value[:keep]}…{value[-keep:]}"


class Secret:
    """Holds a credential; ``repr`` and ``str`` give only a masked form.

    Call :meth:`reveal` at the one place the real value is needed (the
    request that carries it). Equality compares the hidden values, so two
    ``Secret`` objects holding the same credential are equal.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("a Secret holds a string")
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        """The real value. Never log it, print it or put it in an exception."""
        return self._value

    @property
    def masked(self) -> str:
        """First and last four characters, the rest hidden."""
        return mask(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


EMPTY: Final = Secret("")
