"""UI-free behaviour that the app and the command line share: the
conversation list and its operations (:class:`ConversationState`,
:class:`ListRetry`), the ask flow as a state machine (:class:`AskFlow`), and
the drafts. It emits events and knows no widget; no Textual.

Only the drafts are imported with the package; the rest when first named."""

from typing import TYPE_CHECKING

from .drafts import Drafts

if TYPE_CHECKING:
    from .ask import (
        TRANSITIONS,
        AskFlow,
        Created,
        Done,
        Extra,
        Failed,
        FlowEvent,
        Pacing,
        Refusal,
        Started,
        State,
        Stopped,
        Text,
        Thinking,
        Turn,
        TurnImages,
        short_name,
    )
    from .conversations import LIST_RETRY_DELAYS, NEW_CONVERSATION, ConversationState, ListRetry
    from .sync import SyncProgress, sync_all

_LAZY = {
    **dict.fromkeys(
        (
            "TRANSITIONS",
            "AskFlow",
            "Created",
            "Done",
            "Extra",
            "Failed",
            "FlowEvent",
            "Pacing",
            "Refusal",
            "Started",
            "State",
            "Stopped",
            "Text",
            "Thinking",
            "Turn",
            "TurnImages",
            "short_name",
        ),
        ".ask",
    ),
    **dict.fromkeys(
        ("LIST_RETRY_DELAYS", "NEW_CONVERSATION", "ConversationState", "ListRetry"),
        ".conversations",
    ),
    **dict.fromkeys(("SyncProgress", "sync_all"), ".sync"),
}


def __getattr__(name: str) -> object:
    """The flows, imported when first used: the app's first screen needs only
    the drafts (see ``ernie_tui.api`` for the same pattern)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({name for name in globals() if name.startswith("_")} | set(__all__))


__all__ = [
    "LIST_RETRY_DELAYS",
    "NEW_CONVERSATION",
    "TRANSITIONS",
    "AskFlow",
    "ConversationState",
    "Created",
    "Done",
    "Drafts",
    "Extra",
    "Failed",
    "FlowEvent",
    "ListRetry",
    "Pacing",
    "Refusal",
    "Started",
    "State",
    "Stopped",
    "SyncProgress",
    "Text",
    "Thinking",
    "Turn",
    "TurnImages",
    "short_name",
    "sync_all",
]
