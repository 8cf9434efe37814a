"""Message widgets that a moving window of the history shows again.

Paging through a long history moves the window of mounted messages: older
ones come in at one end while as many go out at the other. Building, styling
and mounting 40 new widgets cost ~45 ms a batch, and the 40 unmounted ones
were ~42,000 objects in reference cycles that only Python's full garbage
collections free: the pauses of the slowest presses. The widgets going out
show the messages coming in instead (a question for a question, an answer for
an answer) and are moved to the other end; only the rest are made or
unmounted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.widget import Widget

from ...api import Chat
from .messages import Question, Reply

__all__ = ["FORGOTTEN", "place", "reuse"]

FORGOTTEN = ("-selected", "-found")
"""What marks a message shown (the selected answer, a search hit): a widget
shown again with another message loses it."""


def reuse(
    chats: Sequence[Chat],
    spare: Sequence[Widget],
    make: Callable[[Chat], Widget],
) -> tuple[list[Widget], list[Widget]]:
    """Widgets for ``chats``, in order: the ``spare`` ones (mounted, about to
    be unmounted) showing the new messages where their kind matches, new ones
    from ``make`` for the rest; and the spare ones left over."""
    free: dict[type[Widget], list[Widget]] = {Question: [], Reply: []}
    for widget in spare:
        if type(widget) in free:
            free[type(widget)].append(widget)
    widgets: list[Widget] = []
    for chat in chats:
        pool = free[Question if chat.role == "user" else Reply]
        if not pool:
            widgets.append(make(chat))
            continue
        widget = pool.pop()
        widget.remove_class(*FORGOTTEN)
        if widget.text_selection is not None:
            widget.screen.clear_selection()
        assert isinstance(widget, Question | Reply)
        widget.show(chat)
        widgets.append(widget)
    used = {id(widget) for widget in widgets}
    return widgets, [widget for widget in spare if id(widget) not in used]


async def place(parent: Widget, widgets: Sequence[Widget], before: Widget) -> None:
    """Put ``widgets`` in order just before ``before`` (a child of
    ``parent``): those already mounted in it are moved, the others mounted."""
    anchor = before
    new: list[Widget] = []
    for widget in reversed(widgets):
        if widget.parent is not parent:
            new.append(widget)
            continue
        if new:
            new.reverse()
            await parent.mount_all(new, before=anchor)
            anchor, new = new[0], []
        parent.move_child(widget, before=anchor)
        anchor = widget
    if new:
        new.reverse()
        await parent.mount_all(new, before=anchor)
