"""The local library: conversations kept on this machine in one SQLite file
(the Qianfan backend's own, since that service keeps none). No Textual, no
httpx of its own.

``Library(path)`` opens (creating, or migrating after a backup) the file;
its methods take the ``account`` they act for. The schema and its migrations
are in :mod:`._schema`; streamed answers and crash safety in :mod:`._answers`.
"""

from ._errors import LibraryError, NotFoundError
from ._export import FORMAT
from ._library import Library, default_path
from ._records import ENDED, ROOT, Conversation, Message, Reference, Role, SearchHit, State
from ._schema import SCHEMA_VERSION

__all__ = [
    "ENDED",
    "FORMAT",
    "ROOT",
    "SCHEMA_VERSION",
    "Conversation",
    "Library",
    "LibraryError",
    "Message",
    "NotFoundError",
    "Reference",
    "Role",
    "SearchHit",
    "State",
    "default_path",
]
