"""How an ``ernie-tui`` command ends: its exit code, and the failure that
carries one.

Exit codes: 0 success, 1 error, 2 usage or config error, 3 not signed in (no
credential, or the server rejected it), 4 network (unreachable, timed out, an
answer cut off), 5 port taken (``serve``: another program listens there), 130
interrupted.
"""

from __future__ import annotations

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_NOT_SIGNED_IN",
    "EXIT_OK",
    "EXIT_PORT_TAKEN",
    "EXIT_USAGE",
    "Fail",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_SIGNED_IN = 3
EXIT_NETWORK = 4
EXIT_PORT_TAKEN = 5
EXIT_INTERRUPTED = 130


class Fail(Exception):
    """A user-facing failure: the message goes to stderr, the code is the exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
