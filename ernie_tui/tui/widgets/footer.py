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
