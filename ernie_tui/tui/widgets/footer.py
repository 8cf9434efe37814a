"""The footer: Textual's, with its keys in an order of priority, so that on a
narrow screen the least needed give way first and Help stays."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """A footer whose keys come in ``order`` (actions; the others after them,
    disabled ones last); the palette key stays at the right."""

    def __init__(self, order: Sequence[str], *, compact: bool = True) -> None:
        super().__init__(compact=compact)
        self.order = {action: rank for rank, action in enumerate(order)}

    def compose(self) -> ComposeResult:
        self._forget_old_keys()
        widgets = list(super().compose())
        last = len(self.order)

        def rank(widget: Widget) -> tuple[bool, bool, int]:
            action = getattr(widget, "action", "")
            return (
                widget.has_class("-command-palette"),
                widget.disabled,
                self.order.get(action, last),
            )

        yield from sorted(widgets, key=rank)

    def _forget_old_keys(self) -> None:
        """Drop the watchers the keys of the last composition left on this
        footer (``data_bind`` of ``compact``): Textual prunes them only when
        the watched value changes, which ``compact`` never does, so each
        rebuild of the footer (whenever the bindings change) kept its keys
        alive."""
        watchers = getattr(self, "__watchers", None)
        if not isinstance(watchers, dict):
            return
        for name, entries in watchers.items():
            watchers[name] = [
                (node, callback)
                for node, callback in entries
                if not (getattr(node, "_closing", False) or getattr(node, "_closed", False))
            ]
