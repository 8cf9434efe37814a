"""UI-free behaviour that the app and the command line share: the
conversation list and its operations (:class:`ConversationState`,
:class:`ListRetry`), the ask flow as a state machine (:class:`AskFlow`), and
the drafts. It emits events and knows no widget; no Textual.

Only the drafts are imported with the package; the rest when first named."""

from typing import TYPE_CHECKING

from .._lazy import lazy_names
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


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

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
