"""Names a package imports only when first used (PEP 562): ``ernie_tui.api``
keeps its client (``httpx``) and ``ernie_tui.core`` its flows out of the
app's first screen this way, while ``from … import Name`` and ``dir()`` work
as for any other name."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module

__all__ = ["lazy_names"]


def lazy_names(
    package: str, modules: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, for the names in
    ``modules`` (name → the relative module that defines it). A name once
    imported is kept in the package; ``dir()`` lists the package's
    ``__all__`` and its private names."""

    def getattr_(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        namespace = vars(sys.modules[package])
        public = namespace.get("__all__", ())
        return sorted({name for name in namespace if name.startswith("_")} | set(public))

    return getattr_, dir_
