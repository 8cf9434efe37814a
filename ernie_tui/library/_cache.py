"""The web backend's cache: an account's conversation list and histories as
the ERNIE Bot web service last gave them, kept in the library's tables
(rows with ``backend = 'web'``, the service's ids in ``remote_id``).

Everything here is addressed by the service's ids. The list is kept in the
service's order (``position``); a conversation gone from the service's list
goes from the cache with its messages. A history is kept as the flat list of
chats the service gives (each message's parent is the one before it);
``fetched`` says it was kept (the list's time of the conversation then) and
``stale`` that the service's copy may have changed since: its time in the
list changed, or it moved ahead of conversations that were above it (the
service lists by last activity). :meth:`CacheMethods.fresh_histories` is what
a sync may skip.

Times are the service's strings, Beijing time (``"YYYY-MM-DD HH:MM:SS"``):
stored in UTC like every other time of the library, and given back as the
same strings (one that does not parse is kept as it is).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..api import Conversations, Session
from ._base import BATCH
from ._cache_history import WEB, HistoryMethods, to_service, to_stored
from ._records import new_id, valid_text

__all__ = ["CacheMethods"]

_WEB = WEB


class CacheMethods(HistoryMethods):
    """The web cache (see the module's docstring); ``account`` is the web
    backend's (``"web:…"``), ids are the service's."""

    # -- the conversation list ------------------------------------------------------

    def keep_conversations(
        self, account: str, conversations: Conversations, *, complete: bool = True
    ) -> None:
        """Make the cached list the service's: new conversations added,
        names, pins, times and order updated, those no longer listed deleted
        with their messages (``complete=False``: a list cut short by its
        page size, so those are kept)."""
        listed: dict[str, Session] = {}
        for session in conversations.all():
            listed.setdefault(session.session_id, session)
        pinned_ids = {s.session_id for s in conversations.top}
        normal = [s for s in listed.values() if s.session_id not in pinned_ids]
        with self._transaction() as db:
            rows = db.execute(
                "SELECT remote_id, seq, position, pinned_at, fetched, stale, name, activity, "
                "model, service_state, plugin_ids FROM conversations "
                "WHERE account = ? AND backend = ? AND remote_id IS NOT NULL",
                (account, _WEB),
            ).fetchall()
            old = {str(r[0]): (int(r[1]), r[2], r[3] is not None, r[4], int(r[5])) for r in rows}
            # What an UPDATE would write, as stored: a refresh of an unchanged
            # list (the usual one) then runs no statement per row.
            stored = {
                str(r[0]): (r[6], r[3] is not None, r[7], r[8], r[2], r[9], r[10], r[5])
                for r in rows
            }
            moved = self._moved_ahead(normal, old)
            gone = [seq for rid, (seq, *_rest) in old.items() if rid not in listed]
            if not complete:
                gone = []
            self._delete_rows(db, gone)
            now = self._now()
            for position, session in enumerate(listed.values()):
                pinned = session.session_id in pinned_ids
                time = to_stored(session.create_time)
                was = old.get(session.session_id)
                if was is None:
                    db.execute(
                        "INSERT INTO conversations (id, account, backend, name, pinned_at, "
                        "created, activity, model, remote_id, position, service_state, "
                        "plugin_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            new_id(),
                            account,
                            _WEB,
                            valid_text(session.name),
                            now if pinned else None,
                            time,
                            time,
                            valid_text(session.model),
                            valid_text(session.session_id),
                            position,
                            int(session.state),
                            valid_text(session.plugin_ids),
                        ),
                    )
                    continue
                seq, _, _, fetched, stale = was
                if fetched is not None and (
                    fetched != session.create_time or session.session_id in moved
                ):
                    stale = 1
                name, model = valid_text(session.name), valid_text(session.model)
                plugins, state = valid_text(session.plugin_ids), int(session.state)
                now_row = (name, pinned, time, model, position, state, plugins, stale)
                if stored.get(session.session_id) == now_row:
                    continue
                # Only rows that changed are written (an index kept by
                # triggers is not touched for nothing).
                db.execute(
                    "UPDATE conversations SET name = ?, "
                    "pinned_at = CASE WHEN ? THEN COALESCE(pinned_at, ?) ELSE NULL END, "
                    "activity = ?, model = ?, position = ?, service_state = ?, plugin_ids = ?, "
                    "stale = ? WHERE seq = ? AND (name IS NOT ? OR (pinned_at IS NULL) = ? "
                    "OR activity IS NOT ? OR model IS NOT ? OR position IS NOT ? "
                    "OR service_state IS NOT ? OR plugin_ids IS NOT ? OR stale IS NOT ?)",
                    (
                        *(valid_text(session.name), pinned, now, time, valid_text(session.model)),
                        *(position, int(session.state), valid_text(session.plugin_ids), stale),
                        seq,
                        *(valid_text(session.name), pinned, time, valid_text(session.model)),
                        *(position, int(session.state), valid_text(session.plugin_ids), stale),
                    ),
                )

    @staticmethod
    def _moved_ahead(
        normal: Sequence[Session], old: dict[str, tuple[int, object, bool, object, int]]
    ) -> set[str]:
        """The conversations that moved ahead of one that was above them:
        the service lists by last activity, so they had new messages."""
        moved: set[str] = set()
        floor = math.inf
        for session in reversed(normal):
            was = old.get(session.session_id)
            if was is None or was[2] or not isinstance(was[1], int):
                continue
            if was[1] > floor:
                moved.add(session.session_id)
            floor = min(floor, was[1])
        return moved

    def kept_conversations(self, account: str) -> Conversations | None:
        """The cached list, in the service's order (``None``: nothing cached)."""
        with self._guard() as db:
            rows = db.execute(
                "SELECT remote_id, name, activity, service_state, plugin_ids, model, pinned_at "
                "FROM conversations WHERE account = ? AND backend = ? AND remote_id IS NOT NULL "
                "ORDER BY pinned_at IS NULL, position IS NULL, position, seq DESC",
                (account, _WEB),
            ).fetchall()
        if not rows:
            return None
        sessions = [
            Session(
                session_id=str(r[0]),
                name=str(r[1]),
                create_time=to_service(str(r[2])),
                state=int(r[3]),
                plugin_ids=str(r[4]),
                model=str(r[5]),
                pinned=r[6] is not None,
            )
            for r in rows
        ]
        return Conversations(
            tuple(s for s in sessions if s.pinned), tuple(s for s in sessions if not s.pinned)
        )

    # -- what the user changed, and forgetting -------------------------------------------

    def rename_kept(self, account: str, session_id: str, name: str) -> None:
        with self._guard() as db:
            db.execute(
                "UPDATE conversations SET name = ? WHERE account = ? AND backend = ? "
                "AND remote_id = ?",
                (valid_text(name), account, _WEB, valid_text(session_id)),
            )

    def pin_kept(self, account: str, session_id: str, pinned: bool) -> None:
        """Pinned: first of the pinned ones; unpinned: among the others
        (where, the next list says)."""
        with self._guard() as db:
            if pinned:
                db.execute(
                    "UPDATE conversations SET pinned_at = COALESCE(pinned_at, ?), "
                    "position = (SELECT COALESCE(MIN(position), 0) - 1 FROM conversations "
                    "WHERE account = ? AND backend = ? AND pinned_at IS NOT NULL) "
                    "WHERE account = ? AND backend = ? AND remote_id = ? AND pinned_at IS NULL",
                    (self._now(), account, _WEB, account, _WEB, valid_text(session_id)),
                )
            else:
                db.execute(
                    "UPDATE conversations SET pinned_at = NULL "
                    "WHERE account = ? AND backend = ? AND remote_id = ?",
                    (account, _WEB, valid_text(session_id)),
                )

    def forget_kept(self, account: str, session_ids: Sequence[str]) -> int:
        """Delete these cached conversations with their messages; returns
        how many there were."""
        ids = list(dict.fromkeys(valid_text(s) for s in session_ids))
        removed = 0
        with self._transaction() as db:
            for start in range(0, len(ids), BATCH):
                batch = ids[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                seqs = [
                    int(r[0])
                    for r in db.execute(
                        "SELECT seq FROM conversations WHERE account = ? AND backend = ? "
                        f"AND remote_id IN ({marks})",
                        (account, _WEB, *batch),
                    )
                ]
                removed += self._delete_rows(db, seqs)
        return removed

    def clear_kept(self, account: str) -> int:
        """Delete the account's whole web cache (nothing of another backend
        or account); returns how many conversations went."""
        with self._transaction() as db:
            seqs = [
                int(r[0])
                for r in db.execute(
                    "SELECT seq FROM conversations WHERE account = ? AND backend = ?",
                    (account, _WEB),
                )
            ]
            return self._delete_rows(db, seqs)

    def clear_every_kept(self) -> int:
        """Delete the web cache of every account on this machine (the
        Qianfan conversations stay); returns how many conversations went."""
        with self._transaction() as db:
            seqs = [
                int(r[0])
                for r in db.execute("SELECT seq FROM conversations WHERE backend = ?", (_WEB,))
            ]
            return self._delete_rows(db, seqs)

    # -- for a sync -----------------------------------------------------------------------

    def fresh_histories(self, account: str) -> frozenset[str]:
        """The conversations whose kept history is as the service's, as far
        as its list tells (a sync skips them)."""
        with self._guard() as db:
            rows = db.execute(
                "SELECT remote_id FROM conversations WHERE account = ? AND backend = ? "
                "AND remote_id IS NOT NULL AND fetched IS NOT NULL AND stale = 0",
                (account, _WEB),
            ).fetchall()
        return frozenset(str(r[0]) for r in rows)
