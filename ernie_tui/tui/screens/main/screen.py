"""The main screen: its keys, palette commands and help, all from one table
(``keys.py``), each bound to an action that opens a dialog or calls the
layers below (the list, the asking, the answers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import Input

from ....backends import ErnieError
from ....sanitize import clean_line
from ...widgets.composer import Composer
from ...widgets.history import ChatView
from ..choices import ModelPicker, SystemPromptDialog
from ..dialogs import ConfirmDialog, RenameDialog
from ..export import ExportDialog, write_export
from ..help import HelpScreen, HelpSection
from ..share_dialogs import ShareDialog, ShareScope
from ..shares import SharesScreen
from .answers import AnswersScreen
from .keys import COMMANDS, KEYS, SECTIONS, key_text

__all__ = ["MainScreen"]


class MainScreen(AnswersScreen):
    """Conversations on the left, the open one on the right."""

    BINDINGS: ClassVar[list[BindingType]] = KEYS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None: shown dimmed; pressed, the key says why (``answers.py``).
        if action == "stop":
            return True if self.streaming_here or self.syncing else None
        if action == "retry":
            return True if self.flow.retryable is not None else None
        if action in ("pin", "unpin"):
            # One key, two names: the footer shows the one that applies.
            session = self.target()
            return (session is not None and session.pinned) == (action == "unpin")
        return True

    _pinned_shown: bool | None = None
    """Whether the footer names Unpin (``None``: not drawn yet)."""

    def set_title(self) -> None:
        super().set_title()
        # The footer names Pin or Unpin. Only when that changes: each refresh
        # of the bindings builds the footer's keys anew, and the list is shown
        # again after every answer.
        session = self.target()
        pinned = session is not None and session.pinned
        if pinned != self._pinned_shown:
            self._pinned_shown = pinned
            self.refresh_bindings()

    # -- moving around ----------------------------------------------------------------

    # -- offline: what has to wait for the service ---------------------------------

    @on(Composer.Submitted)
    def _offline_question(self, event: Composer.Submitted) -> None:
        # Runs before the asking layer's handler: offline, the question stays.
        if self.offline and event.text.strip():
            event.prevent_default()
            event.stop()
            self.refuse_offline("asking")

    async def action_retry(self) -> None:
        if not await self.still_offline("asking"):
            await super().action_retry()

    async def action_regenerate_answer(self) -> None:
        if not await self.still_offline("regenerating answers"):
            await super().action_regenerate_answer()

    def action_stop(self) -> None:
        if self.streaming_here or not self.stop_sync():
            super().action_stop()

    async def action_new_conversation(self) -> None:
        await self.start_new_conversation()
        self.composer.focus()

    def action_focus_composer(self) -> None:
        self.composer.focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.toggle_class("-hidden")
        if sidebar.has_class("-hidden") and sidebar.has_focus_within:
            self.composer.focus()

    def action_focus_filter(self) -> None:
        self.sidebar.remove_class("-hidden")
        self.query_one("#filter", Input).focus()

    def action_focus_list(self) -> None:
        self.sidebar.remove_class("-hidden")
        self.conversation_list.focus()

    # -- managing conversations ---------------------------------------------------------

    def action_rename_conversation(self) -> None:
        if self.refuse_offline("renaming"):
            return
        session = self.target()
        if session is None:
            self.notify(
                "Open or highlight a conversation to rename it.", severity="warning", markup=False
            )
            return

        def renamed(name: str | None) -> None:
            if name is not None and name.strip() and name != session.name:
                self.rename(session, name.strip())

        self.app.push_screen(RenameDialog(clean_line(session.name)), renamed)

    def action_pin(self) -> None:
        self.toggle_pin()

    def action_unpin(self) -> None:
        self.toggle_pin()

    def toggle_pin(self) -> None:
        if self.refuse_offline("pinning"):
            return
        session = self.target()
        if session is None:
            self.notify(
                "Open or highlight a conversation to pin it.", severity="warning", markup=False
            )
            return
        self.set_pinned(session, not session.pinned)

    def action_mark_conversation(self) -> None:
        session = self.target()
        if session is None:
            self.notify(
                "Open or highlight a conversation to mark it.", severity="warning", markup=False
            )
            return
        self.conversation_list.toggle_mark(session.session_id)

    def action_delete_conversation(self) -> None:
        if self.refuse_offline("deleting"):
            return
        session = self.target()
        if session is None:
            self.notify(
                "Open or highlight a conversation to delete it.", severity="warning", markup=False
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete([session])

        self.app.push_screen(
            ConfirmDialog(
                "Delete conversation",
                f"Delete “{session.name}”? This cannot be undone.",
                "Delete",
            ),
            confirmed,
        )

    def action_delete_conversations(self) -> None:
        if self.refuse_offline("deleting"):
            return
        marked = self.conversation_list.marked
        sessions = [s for s in self.conversations.all() if s.session_id in marked]
        if not sessions:
            self.notify(
                "No conversations are marked. Mark them in the sidebar with space first.",
                severity="warning",
                markup=False,
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(sessions)

        count = len(sessions)
        self.app.push_screen(
            ConfirmDialog(
                "Delete conversations",
                f"Delete {count} marked conversation{'s' if count != 1 else ''}? "
                "This cannot be undone.",
                f"Delete {count}",
            ),
            confirmed,
        )

    def action_share_conversation(self) -> None:
        if self.refuse_offline("sharing"):
            return
        session = self.open_session
        if session is None:
            self.notify(
                "Open a conversation with an answer to share it.", severity="warning", markup=False
            )
            return
        if not self.backend.capabilities.shares:
            self.action_export_conversation(
                reason="This service keeps no conversations, so there is no share link "
                "to make: save the conversation to a file instead."
            )
            return
        chat: ChatView = self.chat
        # "Selected answer only" is offered when an answer is selected, and means it.
        selected = chat.selected
        answer_id = selected.chat_id if selected is not None else ""
        last = chat.last_answer()
        all_ids = [i for i in self.state.answer_ids if i] or (
            [last.chat_id] if last is not None and last.chat_id else []
        )
        if not all_ids and not answer_id:
            self.notify(
                "This conversation has no answer to share yet.", severity="warning", markup=False
            )
            return

        def chosen(scope: ShareScope | None) -> None:
            if scope == "all" and all_ids:
                self.share(session, all_ids, "all")
            elif scope == "answer" and answer_id:
                self.share(session, [answer_id], "answer")

        self.app.push_screen(ShareDialog(session.name, bool(answer_id)), chosen)

    def action_manage_shares(self) -> None:
        if self.refuse_offline("managing shares"):
            return
        if not self.backend.capabilities.shares:
            self.notify(
                "This service keeps no conversations, so there are no share links: "
                "use Export conversation to save one to a file.",
                severity="warning",
                markup=False,
            )
            return
        self.app.push_screen(SharesScreen(self.backend))

    @work(group="export", exclusive=True, exit_on_error=False)
    async def action_export_conversation(self, reason: str = "") -> None:
        session = self.open_session
        if session is None:
            self.notify("Open a conversation to export it.", severity="warning", markup=False)
            return
        folder = self.host.data_dir / "exports"
        chosen = await self.app.push_screen_wait(ExportDialog(folder, session.name, reason=reason))
        if chosen is None:
            return
        path, fmt = chosen
        try:
            detail = await self.read_detail(session)
        except ErnieError as exc:
            self.report(exc, resync=False, title="Export failed")
            return
        if detail is None:
            self.notify("That conversation no longer exists.", severity="warning", markup=False)
            return
        prompt = self.backend.system_prompt_of(session.session_id)
        try:
            size = write_export(path, detail, fmt, system_prompt=prompt)
        except OSError as exc:
            self.notify(
                f"Could not write {path}: {exc.strerror or exc}. Choose another file.",
                title="Export failed",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Exported to {path} ({size:,} bytes).", timeout=6, markup=False)

    # -- the conversation's settings ----------------------------------------------------

    @work(group="settings", exclusive=True, exit_on_error=False)
    async def action_choose_model(self) -> None:
        try:
            models = await self.backend.models()
        except ErnieError as exc:
            self.report(exc, resync=False, title="Could not list the models")
            return
        session_id = self.open_id
        scope = "this conversation" if session_id else "new conversations"
        current = self.backend.model_of(session_id)
        chosen = await self.app.push_screen_wait(ModelPicker(models, current, scope=scope))
        if chosen is None or chosen == current:
            return
        await self.backend.set_model(session_id, chosen)
        self.status.model = self.backend.model_of(self.open_id)
        self.notify(f"{scope.capitalize()} will use {chosen}.", timeout=3, markup=False)

    def action_toggle_web_search(self) -> None:
        if not self.backend.capabilities.web_search:
            self.notify(
                "This backend cannot search the web (the Qianfan backend can: --backend qianfan).",
                severity="warning",
                markup=False,
            )
            return
        self.backend.web_search = not self.backend.web_search
        self.status.web_search = self.backend.web_search
        self.notify(
            "Answers may search the web and cite it."
            if self.backend.web_search
            else "Web search is off.",
            timeout=3,
            markup=False,
        )

    @work(group="settings", exclusive=True, exit_on_error=False)
    async def action_set_system_prompt(self) -> None:
        backend = self.backend
        if not backend.capabilities.system_prompt:
            self.notify(
                "The ERNIE Bot web service has no system prompt "
                "(the Qianfan backend has: --backend qianfan).",
                severity="warning",
                markup=False,
            )
            return
        session_id = self.open_id
        if not session_id:
            self.notify(
                "Ask a first question, then set the conversation's system prompt.",
                severity="warning",
                markup=False,
            )
            return
        current = backend.system_prompt_of(session_id)
        text = await self.app.push_screen_wait(SystemPromptDialog(current))
        if text is None or text == current:
            return
        try:
            await backend.set_system_prompt(session_id, text)
        except ErnieError as exc:
            self.report(exc, resync=False, title="Could not set the system prompt")
            return
        self.notify(
            "System prompt set." if text else "System prompt removed.", timeout=3, markup=False
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(sections=self.help_sections()))

    def help_sections(self) -> list[HelpSection]:
        """Every key and what it does, in the table's sections, after the
        user's keymap."""
        keymap = self.host.config.keymap or {}

        def display(key: str) -> str:
            return self.app.get_key_display(Binding(key, "")) or key

        rows: dict[str, list[tuple[str, str]]] = {section: [] for section in SECTIONS}
        for command in COMMANDS:
            if command.in_help:
                rows[command.section].append((key_text(command, keymap, display), command.help))
        return [(section, rows[section]) for section in SECTIONS]

    def help_keys(self) -> list[tuple[str, str]]:
        """The help screen's rows, section after section."""
        return [row for _, rows in self.help_sections() for row in rows]

    # -- command palette --------------------------------------------------------------------

    def commands(self) -> Iterable[SystemCommand]:
        """The palette's commands for this screen: every titled row of the table
        (of Pin and Unpin, the one that applies), running its action."""
        for command in COMMANDS:
            if not command.title:
                continue
            if command.action in ("pin", "unpin") and not self.check_action(command.action, ()):
                continue
            callback = getattr(self, f"action_{command.action}")
            yield SystemCommand(command.title, command.help, callback)
        yield SystemCommand("Keys", "Every key and what it does (Help)", self.action_help)
