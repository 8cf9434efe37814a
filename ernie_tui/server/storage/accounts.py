"""Accounts of the embedded server: one per ``BDUSS_BFESS`` cookie."""

from __future__ import annotations

import hashlib

from .schema import Database

__all__ = ["Accounts"]

# Ids look like the service's: large numbers, never reused.
_USER_BASE = 7_654_000


class Accounts(Database):
    def account(self, token: str) -> int:
        """The account of a ``BDUSS_BFESS`` cookie, created on first use. Only a
        hash of the cookie is stored."""
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM accounts WHERE token_hash=?", (digest,)
            ).fetchone()
            if row:
                return int(row[0])
            cur = self._db.execute("INSERT INTO accounts(token_hash) VALUES(?)", (digest,))
            return int(cur.lastrowid or 0)

    @staticmethod
    def user_id(account: int) -> str:
        return str(_USER_BASE + account)
