"""Text boxes that take keys in the order they were typed.

Textual hands a key its focused widget does not consume (Backspace, Delete,
the arrows, ctrl+…) back up through each ancestor's message queue to the app,
which only then runs the widget's own binding for it; the characters typed
after it go straight to the widget and are inserted first. Keys that arrive
together (a fast typist, or any typist over a slow SSH link, where a packet
carries several keys) were applied out of order: ``abc`` Backspace×3
``borrow`` gave ``abcbor``, not ``borrow``. These boxes run their own
bindings as the key reaches them, so every key is applied in turn; a key that
is not theirs goes on up as before.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

__all__ = ["TextBox", "TextInput", "own_binding_first"]


async def own_binding_first(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own (non-priority) binding of the key, as the app
    would once the key came back to it; whether one ran."""
    if event.is_printable and event.character not in ("\t", "\n", "\r"):
        return False  # text: the box inserts it itself, in order
    bindings = widget._bindings
    keymap = widget.app._keymap
    if keymap:
        bindings = bindings.copy()
        bindings.apply_keymap(keymap)
    for binding in bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class TextInput(Input):
    """A one-line :class:`~textual.widgets.Input` that takes keys in order."""

    async def _on_key(self, event: events.Key) -> None:
        if not await own_binding_first(self, event):
            await super()._on_key(event)


class TextBox(TextArea):
    """A :class:`~textual.widgets.TextArea` that takes keys in order."""

    async def _on_key(self, event: events.Key) -> None:
        if not await own_binding_first(self, event):
            await super()._on_key(event)
