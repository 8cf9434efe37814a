"""The main screen's use of what this machine kept: the cached list and
histories (shown at once at start-up, and instead of the service's while it
is unreachable), the offline mode's refusals, the conversation open last
(remembered per account), and "Sync all conversations" (every history into
the library, with a progress bar, cancellable).

Offline mode: the list request failed with a network error, a timeout or an
HTTP 5xx (``ListRetry.retryable``) and a cached list exists. The app then
reads the cache only; what would change the service is refused with a line
saying so, and the list's own retries bring it back online."""

from __future__ import annotations

import asyncio

from textual import work
from textual.worker import Worker

from ....backends import ConversationDetail, Conversations, ErnieError, NetworkError, Session
from ....core.conversations import NEW_CONVERSATION, ListRetry
from ...prefs import Prefs
from ..sync import SyncBar
from .panes import MainPanes

__all__ = ["OfflinePanes"]


class OfflinePanes(MainPanes):
    """The panes, with the cache behind them and the offline mode."""

    offline: str = ""
    """Why the app works offline on the cache ("" online)."""
    _sync_worker: Worker[None] | None = None
    _cache_warned = False
    _prefs: Prefs | None = None

    # -- the cache -------------------------------------------------------------------

    def cached_list(self) -> Conversations | None:
        """The list this machine kept, or ``None``. A cache that cannot be
        read is as good as none: the service's list comes next."""
        try:
            return self.backend.cached_conversations()
        except Exception as exc:  # a damaged cache never stops the app
            self.log.warning(f"cached list unreadable ({type(exc).__name__})")
            return None

    def cached_detail(self, session: Session) -> ConversationDetail | None:
        """A conversation's history as this machine kept it, or ``None``."""
        try:
            return self.backend.cached_detail(session)
        except Exception as exc:  # as in cached_list
            self.log.warning(f"cached history unreadable ({type(exc).__name__})")
            return None

    def warn_cache_problem(self) -> None:
        """Say once why there is no cache (the backend's ``cache_problem``)."""
        problem = getattr(self.backend, "cache_problem", "")
        if problem and isinstance(problem, str) and not self._cache_warned:
            self._cache_warned = True
            self.notify(problem, title="Library", severity="warning", timeout=10, markup=False)

    # -- the conversation open last ------------------------------------------------------

    @property
    def prefs(self) -> Prefs:
        """The app's remembered choices (its own, where it has them)."""
        prefs = getattr(self.app, "prefs", None)
        if isinstance(prefs, Prefs):
            return prefs
        if self._prefs is None:
            self._prefs = Prefs.load(self.host.data_dir / "ui.json")
        return self._prefs

    def _account_key(self) -> str:
        """Who is signed in where, as a key that holds nothing of the credential."""
        credential = self.host.credential
        return Prefs.account_key(self.backend.host, credential.masked if credential else "")

    def last_open(self) -> str:
        """The conversation open when the app last ran for this account."""
        return self.prefs.last_open.get(self._account_key(), "")

    def remember_open(self, session_id: str) -> None:
        try:
            self.prefs.keep_last_open(self._account_key(), session_id)
        except OSError as exc:  # remembered for this run; nothing else is lost
            self.log.warning(f"could not remember the open conversation: {exc.strerror}")

    # -- fetching the list again -----------------------------------------------------

    def _list_retry_timer(self, delay: float | None) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._retry_timer = self.set_timer(delay, self._retry_list) if delay else None

    def _retry_list_later(self, exc: ErnieError) -> bool:
        """After a network error or an HTTP 5xx, fetch the list again later, with
        back-off (the status line says when). Returns whether it will."""
        delay = self.list_retry.after(exc)
        if delay is None:
            return False
        self._list_retry_timer(delay)
        what = "server unreachable" if isinstance(exc, NetworkError) else "server error"
        self.status.activity = f"{what}: conversations not loaded, retrying in {delay:g} s"
        return True

    def _retry_list(self) -> None:
        self._retry_timer = None
        # Open the first conversation only if nothing was opened or asked meanwhile.
        first = not self.loaded and self.open_id == NEW_CONVERSATION and self.ask is None
        self.refresh_conversations(open_first=first)

    # -- offline mode ----------------------------------------------------------------

    def _at_bottom(self) -> bool:
        """Whether the history shows its newest message at the bottom."""
        chat = self.chat
        return chat.at_newest and (chat.max_scroll_y == 0 or chat.is_vertical_scroll_end)

    async def read_detail(self, session: Session) -> ConversationDetail | None:
        """A conversation's history for reading it whole (export): the
        service's; offline, or when the service does not answer, the copy
        this machine kept."""
        if self.offline:
            cached = self.cached_detail(session)
            if cached is not None:
                return cached
        try:
            return await self.backend.open(session)
        except ErnieError as exc:
            cached = self.cached_detail(session) if ListRetry.retryable(exc) else None
            if cached is None:
                raise
            return cached

    def go_offline(self, exc: ErnieError, delay: float) -> None:
        """The service did not answer the list: work on the cache."""
        entering = not self.offline
        self.offline = f"{ListRetry.why(exc)}, retry in {delay:g} s"
        self.status.activity = ""
        self.status.offline = self.offline
        if entering:
            self.notify(
                f"Offline: {self.backend.host} does not answer. Showing the conversations "
                "kept on this machine, read-only, until it does.",
                severity="warning",
                timeout=6,
                markup=False,
            )

    def go_online(self) -> bool:
        """The service answered again; whether the app was offline."""
        if not self.offline:
            return False
        self.offline = ""
        self.status.offline = ""
        self.notify(f"Back online: {self.backend.host} answers again.", timeout=4, markup=False)
        return True

    def refuse_offline(self, doing: str) -> bool:
        """While offline, say that ``doing`` (“asking”, “renaming”…) has to
        wait, and return True; the service is asked at once whether it
        answers again (rather than at the next retry)."""
        if not self.offline:
            return False
        kept = " Your question stays in the box." if doing == "asking" else ""
        self.notify(
            f"Offline: {doing} will work again when {self.backend.host} answers "
            f"(checking now).{kept}",
            severity="warning",
            markup=False,
        )
        self.run_worker(self._probe(), group="probe", exclusive=True, exit_on_error=False)
        return True

    async def still_offline(self, doing: str) -> bool:
        """Offline, ask the service whether it answers again before ``doing``
        (a Retry pressed once the network is back just works); when it does
        not, refuse as :meth:`refuse_offline` does. Whether to refuse."""
        if not self.offline or await self._probe():
            return False
        return self.refuse_offline(doing)

    async def _probe(self) -> bool:
        """One cheap request; online again (and said so) when it answers."""
        try:
            await self.backend.verify()
        except ErnieError:
            return False
        self.go_online()
        return True

    # -- sync all conversations --------------------------------------------------------

    @property
    def sync_bar(self) -> SyncBar:
        return self.query_one(SyncBar)

    def action_sync_conversations(self) -> None:
        """Fetch every history into the library; again while it runs: stop."""
        if self.stop_sync():
            return
        backend = self.backend
        if not backend.capabilities.server_history:
            self.notify(
                "Nothing to sync: this backend keeps every conversation on this machine already.",
                markup=False,
            )
            return
        if not backend.capabilities.search:
            problem = getattr(backend, "cache_problem", "")
            self.notify(
                "There is no library on this machine to sync into"
                + (f": {problem}" if isinstance(problem, str) and problem else "."),
                severity="warning",
                markup=False,
            )
            return
        if self.refuse_offline("syncing"):
            return
        self._sync_worker = self._sync()

    def stop_sync(self) -> bool:
        """Stop a running sync (what was fetched stays); whether one ran."""
        worker = self._sync_worker
        if worker is None or worker.is_finished:
            return False
        worker.cancel()
        return True

    @property
    def syncing(self) -> bool:
        worker = self._sync_worker
        return worker is not None and not worker.is_finished

    @work(group="sync", exclusive=True, exit_on_error=False)
    async def _sync(self) -> None:
        from ....core.sync import SyncProgress, sync_all

        bar = self.sync_bar
        bar.start(self.key_for("stop") or "esc")
        last: list[SyncProgress] = []

        def progress(now: SyncProgress) -> None:
            last[:] = [now]
            bar.show(now.done, now.total)

        rate = getattr(self.host.config, "sync_rate", 2.0)
        try:
            result = await sync_all(self.backend, rate=rate, on_progress=progress)
        except asyncio.CancelledError:
            kept = last[0].fetched + last[0].skipped if last else 0
            total = last[0].total if last else 0
            self.notify(f"Sync stopped: {kept:,} of {total:,} kept.", timeout=5, markup=False)
            raise
        except ErnieError as exc:
            self.report(exc, resync=False, title="Sync stopped")
            return
        finally:
            bar.stop()
        failed = f"; {result.failed:,} could not be fetched" if result.failed else ""
        self.notify(
            f"Synced {result.total:,} conversations: {result.fetched:,} fetched, "
            f"{result.skipped:,} already up to date{failed}.",
            timeout=6,
            markup=False,
        )
