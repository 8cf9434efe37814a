"""The main screen's conversation list and the open conversation: fetching the
list (and again, with back-off, after failures), opening a conversation and
loading its history, and the management requests (rename, pin, delete,
share). The state lives in the core (``ConversationState``); this layer shows
it and runs the requests in workers.

What this machine kept (``offline.py``) comes first: at start-up the cached
list and the conversation open last show at once, and the service's fresher
ones replace them without moving the selection; while the service does not
answer, the app reads the cache only (offline mode)."""

from __future__ import annotations

from textual import on, work

from ....backends import Chat, ConversationDetail, Conversations, ErnieError, Session
from ....core.conversations import NEW_CONVERSATION, ListRetry
from ....sanitize import clean_line
from ...widgets.answer import StreamingAnswer
from ...widgets.composer import Composer
from ...widgets.sidebar import ConversationList
from ..share_dialogs import LinkDialog, ShareScope
from .offline import OfflinePanes
from .panes import TurnView

__all__ = ["NEW_HINT", "ListingScreen"]

NEW_HINT = (
    "New conversation. Type a question below: Enter sends, ctrl+j starts a new line. "
    "Its first question names it."
)


def _signature(detail: ConversationDetail) -> tuple[tuple[str, str, str], ...]:
    """What a history shows, to tell whether a fresher one differs."""
    return tuple((c.chat_id, c.role, c.text) for c in detail.messages)


class ListingScreen(OfflinePanes):
    """The list and the open conversation."""

    def on_mount(self) -> None:
        self.flow.question_limit = self.host.config.question_limit
        self.composer.limit = self.flow.question_limit
        self.composer.earlier = self.chat.questions
        credential = self.host.credential
        self.status.account = credential.masked if credential else ""
        if credential is not None and credential.source == "demo":
            self.status.account += " (offline demo)"
        self.status.server = self.backend.host
        self.composer.set_text(self.drafts.get(NEW_CONVERSATION))
        self.set_title()
        self.composer.focus()
        self.warn_cache_problem()
        cached = self.cached_list()
        if cached is not None and (cached.top or cached.normal):
            # What this machine kept, at once; the service's list follows.
            self.set_conversations(cached)
            self.loaded = True
            self._open_at_start(cached)
            self.refresh_conversations()
            return
        self.chat.loading = True
        self.refresh_conversations(open_first=True)

    def _open_at_start(self, conversations: Conversations) -> None:
        """Open the conversation open last (else the first listed)."""
        last = self.last_open()
        session = conversations.find(last) if last else None
        if session is None:
            session = (conversations.normal or conversations.top or (None,))[0]
        if session is not None:
            self.open_conversation(session)
        else:
            self.call_later(self.start_new_conversation)

    def on_unmount(self) -> None:
        super().on_unmount()
        if self.open_id:
            self.remember_open(self.open_id)

    # -- the list ---------------------------------------------------------------------

    @work(exclusive=True, group="sessions", exit_on_error=False)
    async def refresh_conversations(
        self, *, open_first: bool = False, open_id: str | None = None
    ) -> None:
        """Fetch the lists from the server and show them; when it does not
        answer, the cached list (offline mode)."""
        self.status.activity = (
            "trying again…"
            if self.offline
            else "refreshing conversations…"
            if self.loaded
            else "loading conversations…"
        )
        try:
            conversations = await self._fetch_conversations()
        except ErnieError as exc:
            self.status.activity = ""
            if self._offline_after(exc, open_first=open_first):
                return
            if open_first:
                self.chat.loading = False
                await self.chat.show_empty(
                    "Could not load your conversations. Press ctrl+n to start a new one; "
                    "the list is fetched again automatically."
                )
            first_failure = self.list_retry.failures == 0
            if not self._retry_list_later(exc) or (open_first and first_failure):
                self.report(exc, resync=False, title="Could not load conversations")
            return
        self.list_retry.succeeded()
        self._list_retry_timer(None)
        self.status.activity = ""
        back = self.go_online()
        self.set_conversations(conversations)
        if open_id is not None:
            session = conversations.find(open_id)
            if session is not None:
                self.open_conversation(session)
                return
        if open_first and not self.loaded:
            self.loaded = True
            if not (conversations.normal or conversations.top):
                self.chat.loading = False
                await self.start_new_conversation()
            else:
                self._open_at_start(conversations)
        elif back and self.open_session is not None and self.ask is None and self.failed is None:
            # What changed meanwhile; a failed question stays shown, to retry.
            self._load_history(self.open_session, again=True)

    def _offline_after(self, exc: ErnieError, *, open_first: bool) -> bool:
        """After the list failed: work offline on the cache, when the failure
        will pass and something is cached. Whether it does."""
        if not ListRetry.retryable(exc):
            return False
        cached = self.cached_list()
        if cached is None or not (self.loaded or cached.top or cached.normal):
            return False
        delay = self.list_retry.after(exc)
        if delay is None:
            return False
        self._list_retry_timer(delay)
        self.go_offline(exc, delay)
        if not self.loaded:
            self.chat.loading = False
            self.set_conversations(cached)
            self.loaded = True
            if open_first and self.open_id == NEW_CONVERSATION and self.ask is None:
                self._open_at_start(cached)
        return True

    async def _fetch_conversations(self) -> Conversations:
        """The list: the one the app started fetching at launch (once), else a
        fresh request."""
        prefetched = self.host.take_prefetched_list(self.LIST_PAGE_SIZE)
        if prefetched is not None:
            try:
                conversations = await prefetched.result()
                self.backend.listed(conversations, self.LIST_PAGE_SIZE)
                return conversations
            except ErnieError:
                raise
            except Exception as exc:  # the early fetch itself broke: ask again
                self.log.warning(f"start-up list fetch failed ({type(exc).__name__})")
        return await self.backend.list_conversations(self.LIST_PAGE_SIZE)

    def set_conversations(self, conversations: Conversations) -> None:
        # A conversation created by a streaming answer may not be listed yet.
        current = self.open_session
        streaming = self.flow.current
        keep = (
            current
            if current is not None
            and streaming is not None
            and streaming.session_id == current.session_id
            else None
        )
        self.state.replace(conversations, keep=keep)
        self.show_conversations()

    @on(ConversationList.Selected)
    def _on_selected(self, event: ConversationList.Selected) -> None:
        self.open_conversation(event.session)
        self.composer.focus()

    @on(ConversationList.MarkToggled)
    def _on_mark(self, event: ConversationList.MarkToggled) -> None:
        count = len(self.conversation_list.marked)
        if count:
            key = self.key_for("delete_conversations")
            self.status.activity = f"{count} marked ({key}: delete them)"
        else:
            self.status.activity = ""

    # -- opening a conversation -------------------------------------------------------

    def open_conversation(self, session: Session) -> None:
        """Show a conversation: its history loads in a worker."""
        self.keep_draft()
        self.end_edit()
        self.state.open(session.session_id)
        self.conversation_list.set_open(session.session_id)
        self.set_title()
        self.composer.set_text(self.drafts.get(session.session_id))
        self.remember_open(session.session_id)
        self._shown = None
        # The copy this machine kept is shown at once (where the service keeps
        # the conversations): no loading state painted before it.
        cached = self.cached_detail(session) if self.backend.capabilities.server_history else None
        self.chat.loading = cached is None
        self._load_history(session, cached=cached)

    _shown: tuple[str, tuple[tuple[str, str, str], ...]] | None = None
    """The conversation whose history is shown, and what it shows."""

    @work(exclusive=True, group="history", exit_on_error=False)
    async def _load_history(
        self,
        session: Session,
        *,
        again: bool = False,
        cached: ConversationDetail | None = None,
    ) -> None:
        """Show a conversation's history: ``cached``, the copy this machine
        kept, at once, then the service's when it differs; offline, the copy
        only. ``again``: only a fresher one."""
        if cached is not None and not again and self.open_id == session.session_id:
            await self._show_detail(session, cached)
        if self.offline:
            if cached is None and not again and self.open_id == session.session_id:
                self.chat.loading = False
                await self.chat.show_empty(
                    "This conversation is not kept on this machine: "
                    f"it opens when {self.backend.host} answers."
                )
            return
        try:
            detail = await self.backend.open(session)
        except ErnieError as exc:
            if (cached is not None or again) and ListRetry.retryable(exc):
                return  # the copy shown stands; the list's retries say when it is back
            if self.open_id == session.session_id:
                self.chat.loading = False
                await self.chat.show_empty(
                    "Could not load this conversation. Select it again to retry."
                )
            self.report(exc, title="Could not load the conversation")
            return
        if self.open_id != session.session_id:
            return  # the user chose another one meanwhile
        if detail is None:
            self.chat.loading = False
            await self.chat.show_empty("This conversation no longer exists.")
            self.notify(
                "That conversation no longer exists on the server; the list was refreshed.",
                severity="warning",
                markup=False,
            )
            self.refresh_conversations()
            return
        shown = self._shown
        if shown is not None and shown[0] == session.session_id:
            self.state.loaded(
                detail.current_chat_id, [c.chat_id for c in detail.messages if c.role == "robot"]
            )
            if shown[1] == _signature(detail) or not self._at_bottom():
                return  # nothing new, or the user reads further up: no jump
        await self._show_detail(session, detail)

    async def _show_detail(self, session: Session, detail: ConversationDetail) -> None:
        self._shown = (session.session_id, _signature(detail))
        chats: list[Chat] = list(detail.messages)
        ask = self.ask
        streaming_here = ask is not None and ask.session_id == session.session_id
        if ask is not None and streaming_here:
            # The streaming turn is shown by its own widgets, not from the history.
            skip = set(ask.turn.ids)
            kept = [c for c in chats if c.chat_id not in skip]
            unknown = len(kept) == len(chats)  # the turn's own ids were not in it
            if unknown and kept and kept[-1].role == "user" and kept[-1].text == ask.question:
                kept.pop()
            chats = kept
        self.state.loaded(
            detail.current_chat_id, [c.chat_id for c in detail.messages if c.role == "robot"]
        )
        await self.chat.show_chats(chats, empty_text="No messages yet. Ask something below.")
        self.chat.loading = False
        if ask is not None and streaming_here:
            await self._reattach(ask)

    async def _reattach(self, view: TurnView) -> None:
        """Show again an answer that kept streaming while another conversation
        was open."""
        view.question_widget = await self.chat.add_question(view.question)
        old = view.answer
        answer = StreamingAnswer(retry_hint=self.key_for("retry"))
        if old is not None:
            answer.continue_from(old)
        view.answer = answer
        await self.chat.add_answer(answer)
        self.refresh_bindings()  # Stop applies here again

    async def start_new_conversation(self) -> None:
        self.keep_draft()
        self.end_edit()
        self.state.open(NEW_CONVERSATION)
        self.conversation_list.set_open(None)
        self.set_title()
        self.composer.set_text(self.drafts.get(NEW_CONVERSATION))
        self.workers.cancel_group(self, "history")
        self.chat.loading = False
        await self.chat.show_empty(NEW_HINT)

    @on(Composer.DraftChanged)
    def _on_composer_changed(self, event: Composer.DraftChanged) -> None:
        if not event.text:
            self.end_edit()  # the edited question was cleared: an ordinary one again
        self.drafts.set(self.open_id, event.text)
        self.schedule_draft_save()

    # -- managing conversations ---------------------------------------------------------

    @work(group="manage", exit_on_error=False)
    async def rename(self, session: Session, name: str) -> None:
        try:
            await self.state.rename(session, name)
        except ErnieError as exc:
            self.report(exc, title="Rename failed")
            return
        self.show_conversations()
        self.notify(f"Renamed to “{name}”.", markup=False)

    @work(group="manage", exit_on_error=False)
    async def set_pinned(self, session: Session, pinned: bool) -> None:
        try:
            await self.state.set_pinned(session, pinned)
        except ErnieError as exc:
            self.report(exc, title="Pin failed" if pinned else "Unpin failed")
            return
        self.show_conversations()
        self.notify(
            f"{'Pinned' if pinned else 'Unpinned'} “{session.name}”.", timeout=3, markup=False
        )
        self.refresh_conversations()

    @work(group="manage", exit_on_error=False)
    async def delete(self, sessions: list[Session]) -> None:
        ids = [s.session_id for s in sessions]
        self.flow.stop_in(set(ids))  # stop the answer of a conversation being deleted
        # The conversation to open if the open one goes: the next one listed.
        following = None
        if self.open_id in ids:
            following = self.state.following(ids, self.conversation_list.visible_sessions())
        try:
            await self.state.delete(ids)
        except ErnieError as exc:
            self.report(exc, title="Delete failed")
            return
        was_open = self.open_id in ids
        self.conversation_list.marked.difference_update(ids)
        self.drafts.forget(ids)
        self.schedule_draft_save()
        self.flow.forget(set(ids))
        self.show_conversations()
        self.status.activity = ""
        if len(ids) == 1:
            self.notify(f"Deleted “{sessions[0].name}”.", timeout=3, markup=False)
        else:
            self.notify(f"Deleted {len(ids)} conversations.", timeout=3, markup=False)
        if was_open:
            self.state.open(NEW_CONVERSATION)
            if following is not None:
                self.open_conversation(following)
            else:
                await self.start_new_conversation()
        self.refresh_conversations()

    @work(group="manage", exit_on_error=False)
    async def share(self, session: Session, chat_ids: list[str], scope: ShareScope = "all") -> None:
        try:
            url = await self.backend.share(session.session_id, chat_ids)
        except ErnieError as exc:
            self.report(exc, title="Share failed")
            return
        url = clean_line(url)
        self.app.copy_to_clipboard(url)
        self.app.push_screen(LinkDialog(url, True, scope))
