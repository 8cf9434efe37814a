"""UI-free behaviour that the app and the command line share: the
conversation list and its operations (:class:`ConversationState`,
:class:`ListRetry`), the ask flow as a state machine (:class:`AskFlow`), and
the drafts. It emits events and knows no widget; no Textual."""

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
from .drafts import Drafts
from .sync import SyncProgress, sync_all

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
