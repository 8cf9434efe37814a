"""The main screen's conversation list and the open conversation: fetching the
list (and again, with back-off, after failures), opening a conversation and
loading its history, and the management requests (rename, pin, delete,
share). The state lives in the core (``ConversationState``); this layer shows
it and runs the requests in workers."""

from __future__ import annotations

from textual import on, work

from ....backends import Chat, Conversations, ErnieError, NetworkError, Session
from ....core.conversations import NEW_CONVERSATION
from ....sanitize import clean_line
from ...widgets.answer import StreamingAnswer
from ...widgets.composer import Composer
from ...widgets.sidebar import ConversationList
from ..share_dialogs import LinkDialog, ShareScope
from .panes import MainPanes, TurnView

__all__ = ["NEW_HINT", "ListingScreen"]

NEW_HINT = (
    "New conversation. Type a question below: Enter sends, ctrl+j starts a new line. "
    "Its first question names it."
)


class ListingScreen(MainPanes):
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
        self.chat.loading = True
        self.refresh_conversations(open_first=True)

    # -- the list ---------------------------------------------------------------------

    @work(exclusive=True, group="sessions", exit_on_error=False)
    async def refresh_conversations(
        self, *, open_first: bool = False, open_id: str | None = None
    ) -> None:
        """Fetch the lists from the server and show them."""
        self.status.activity = "loading conversations…"
        try:
            conversations = await self._fetch_conversations()
        except ErnieError as exc:
            self.status.activity = ""
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
        self.set_conversations(conversations)
        if open_id is not None:
            session = conversations.find(open_id)
            if session is not None:
                self.open_conversation(session)
                return
        if open_first:
            self.loaded = True
            first = (conversations.normal or conversations.top or (None,))[0]
            if first is None:
                self.chat.loading = False
                await self.start_new_conversation()
            else:
                self.open_conversation(first)

    async def _fetch_conversations(self) -> Conversations:
        """The list: the one the app started fetching at launch (once), else a
        fresh request."""
        prefetched = self.host.take_prefetched_list(self.LIST_PAGE_SIZE)
        if prefetched is not None:
            try:
                return await prefetched.result()
            except ErnieError:
                raise
            except Exception as exc:  # the early fetch itself broke: ask again
                self.log.warning(f"start-up list fetch failed ({type(exc).__name__})")
        return await self.backend.list_conversations(self.LIST_PAGE_SIZE)

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
        self.chat.loading = True
        self._load_history(session)

    @work(exclusive=True, group="history", exit_on_error=False)
    async def _load_history(self, session: Session) -> None:
        try:
            detail = await self.backend.open(session)
        except ErnieError as exc:
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
