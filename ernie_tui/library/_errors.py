"""What the library raises.

::

    LibraryError        the library file cannot be used (damaged, newer,
                        read-only, full disk, …); the message says why, in
                        the user's terms, and that the file was left as it is
    NotFoundError       (a LookupError) a conversation or message that is not
                        the account's: one of another account's is refused
                        exactly like one that does not exist
"""

from __future__ import annotations

__all__ = ["LibraryError", "NotFoundError"]


class LibraryError(Exception):
    """The library file cannot be used; ``str(error)`` says why and what to do."""


class NotFoundError(LookupError):
    """No such conversation or message for this account."""
