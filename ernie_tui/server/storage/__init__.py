"""SQLite storage of the embedded server: accounts, conversations, chats, shares.

Every method that reads or writes a conversation, a chat or a share takes the
account it acts for, and every query filters by it: a conversation, chat or
share of another account is treated exactly like one that does not exist.

:mod:`.schema` opens the database; :mod:`.accounts`, :mod:`.conversations`,
:mod:`.chats` and :mod:`.shares` hold one table's methods each, and
:mod:`.store` puts them together as :class:`Store`.
"""

from __future__ import annotations

from .chats import StoredChat
from .conversations import StoredSession
from .schema import BEIJING, StorageError, beijing_now
from .shares import StoredShare
from .store import Store

__all__ = [
    "BEIJING",
    "StorageError",
    "Store",
    "StoredChat",
    "StoredSession",
    "StoredShare",
    "beijing_now",
]
