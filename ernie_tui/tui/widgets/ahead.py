"""The lines of the messages a moving window shows next, rendered ahead of
time (:class:`LinesAhead`).

Paging through a long history shows the next 40 messages in one batch when
the view nears the window's edge, and the layout that placed them rendered
all their Markdown: ~60 ms of a ~90 ms layout, after the press that scrolled
near the edge. A few pages before that, the window renders the next batch's
lines a few at a time instead (at most ~5 ms at once, the keys and frames in
between), each on a mounted widget of its kind, and the widget that shows a
message takes its lines with it. Lines rendered at another width or in
another theme are not taken: the layout renders those as before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from textual.strip import Strip
from textual.widget import Widget

from ...api import Chat
from .messages import Question, Reply
from .reuse import FORGOTTEN

__all__ = ["SLICE", "LinesAhead", "model_for"]

SLICE = 0.005
"""Seconds of rendering at once before the app gets to handle what came in."""

Model = Callable[[Chat], tuple[Question | Reply, int] | None]
"""A mounted widget to render a message's lines on, and the width of its
content; none when there is none to render on now."""


class LinesAhead:
    """Lines rendered ahead for messages about to be shown."""

    def __init__(self) -> None:
        self._lines: dict[int, tuple[Chat, tuple[int, str], list[Strip]]] = {}
        """By ``id`` of the message: it (so that id is not another's), the
        width and theme they were rendered at, the lines."""
        self.busy = False
        self.taken = 0
        """How many messages were shown with lines rendered ahead."""

    def has(self, chat: Chat) -> bool:
        entry = self._lines.get(id(chat))
        return entry is not None and entry[0] is chat

    def clear(self) -> None:
        self._lines.clear()

    async def render(
        self, chats: Sequence[Chat], model: Model, theme: str, still: Callable[[], bool]
    ) -> None:
        """Render the lines of ``chats`` in that order, a slice at a time, in
        ``theme`` (the app's now), while ``still`` holds."""
        self.busy = True
        try:
            deadline = time.perf_counter() + SLICE
            for chat in chats:
                if time.perf_counter() >= deadline:
                    await asyncio.sleep(0)
                    deadline = time.perf_counter() + SLICE
                if not still():
                    return
                if id(chat) in self._lines:
                    continue
                found = model(chat)
                if found is not None:
                    widget, width = found
                    lines = widget.lines_of(widget.renderable_for(chat), width)
                    self._lines[id(chat)] = (chat, (width, theme), lines)
        finally:
            self.busy = False

    def give(self, widget: Widget, chat: Chat, width: int, theme: str) -> None:
        """Give ``widget``, which now shows ``chat``, the lines rendered for
        it, if they were rendered at ``width`` in ``theme``."""
        entry = self._lines.pop(id(chat), None)
        if entry is None or entry[0] is not chat or entry[1] != (width, theme):
            return
        if isinstance(widget, Question | Reply):
            widget.keep_lines(width, entry[2])
            self.taken += 1


def model_for(
    chat: Chat, window: Sequence[Widget], width: Callable[[Widget], int]
) -> tuple[Question | Reply, int] | None:
    """A mounted message of ``chat``'s kind in ``window`` to render its lines
    on, drawn as any message of that kind is (not selected, not a search
    hit), and the ``width`` of its content."""
    kind = Question if chat.role == "user" else Reply
    for widget in window:
        plain = not any(widget.has_class(name) for name in FORGOTTEN)
        if type(widget) is kind and widget.outer_size.width and plain:
            assert isinstance(widget, Question | Reply)
            return widget, width(widget)
    return None
