"""The main screen: its keys and palette commands, each bound to an action
that opens a dialog or calls the layers below (the list, the asking)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.widgets import Input

from ....backends import ErnieError
from ....sanitize import clean_line
from ...widgets.history import ChatView
from ..choices import ModelPicker, SystemPromptDialog
from ..dialogs import ConfirmDialog, RenameDialog
from ..export import ExportDialog, write_export
from ..help import HelpScreen
from ..share_dialogs import ShareDialog, ShareScope
from ..shares import SharesScreen
from .asking import AskingScreen
from .keys import KEYS, MORE_KEYS

__all__ = ["MainScreen"]


class MainScreen(AskingScreen):
    """Conversations on the left, the open one on the right."""

    BINDINGS: ClassVar[list[BindingType]] = KEYS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.flow.current is not None else None
        if action == "retry":
            return True if self.flow.failed is not None else None
        if action in ("pin", "unpin"):
            # One key, two names: the footer shows the one that applies.
            session = self.target()
            return (session is not None and session.pinned) == (action == "unpin")
        return True

    def set_title(self) -> None:
        super().set_title()
        self.refresh_bindings()  # Pin or Unpin

    # -- moving around ----------------------------------------------------------------

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

    # -- managing conversations ---------------------------------------------------------

    def action_rename_conversation(self) -> None:
        session = self.target()
        if session is None:
            self.notify("Open or highlight a conversation to rename it.", severity="warning")
            return

        def renamed(name: str | None) -> None:
            if name is not None and name.strip() and name != session.name:
                self.rename(session, name.strip())

        self.app.push_screen(RenameDialog(clean_line(session.name)), renamed)

    def action_pin(self) -> None:
        self.action_toggle_pin()

    def action_unpin(self) -> None:
        self.action_toggle_pin()

    def action_toggle_pin(self) -> None:
        session = self.target()
        if session is None:
            self.notify("Open or highlight a conversation to pin it.", severity="warning")
            return
        self.set_pinned(session, not session.pinned)

    def action_delete_conversation(self) -> None:
        session = self.target()
        if session is None:
            self.notify("Open or highlight a conversation to delete it.", severity="warning")
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
        marked = self.conversation_list.marked
        sessions = [s for s in self.conversations.all() if s.session_id in marked]
        if not sessions:
            self.notify(
                "No conversations are marked. Mark them in the sidebar with space first.",
                severity="warning",
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
        session = self.open_session
        if session is None:
            self.notify("Open a conversation with an answer to share it.", severity="warning")
            return
        if not self.backend.capabilities.shares:
            self.action_export_conversation(
                reason="This service keeps no conversations, so there is no share link "
                "to make: save the conversation to a file instead."
            )
            return
        chat: ChatView = self.chat
        selected = chat.selected or chat.last_answer()
        answer_id = selected.chat_id if selected is not None else ""
        all_ids = [i for i in self.state.answer_ids if i]
        if not all_ids and not answer_id:
            self.notify("This conversation has no answer to share yet.", severity="warning")
            return

        def chosen(scope: ShareScope | None) -> None:
            if scope == "all":
                self.share(session, all_ids or [answer_id])
            elif scope == "answer" and answer_id:
                self.share(session, [answer_id])

        self.app.push_screen(ShareDialog(session.name, bool(answer_id)), chosen)

    def action_manage_shares(self) -> None:
        if not self.backend.capabilities.shares:
            self.notify(
                "This service keeps no conversations, so there are no share links: "
                "use Export conversation to save one to a file.",
                severity="warning",
            )
            return
        self.app.push_screen(SharesScreen(self.backend))

    @work(group="export", exclusive=True, exit_on_error=False)
    async def action_export_conversation(self, reason: str = "") -> None:
        session = self.open_session
        if session is None:
            self.notify("Open a conversation to export it.", severity="warning")
            return
        folder = self.host.data_dir / "exports"
        chosen = await self.app.push_screen_wait(ExportDialog(folder, session.name, reason=reason))
        if chosen is None:
            return
        path, fmt = chosen
        try:
            detail = await self.backend.open(session)
        except ErnieError as exc:
            self.report(exc, resync=False, title="Export failed")
            return
        if detail is None:
            self.notify("That conversation no longer exists.", severity="warning")
            return
        prompt = self.backend.system_prompt_of(session.session_id)
        try:
            size = write_export(path, detail, fmt, system_prompt=prompt)
        except OSError as exc:
            self.notify(
                f"Could not write {path}: {exc.strerror or exc}. Choose another file.",
                title="Export failed",
                severity="error",
            )
            return
        self.notify(f"Exported to {path} ({size:,} bytes).", timeout=6)

    def action_copy_last_answer(self) -> None:
        answer = self.chat.last_answer()
        if answer is None or not answer.text:
            self.notify("There is no answer to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(answer.text)
        self.notify(
            f"Copied the last answer ({len(answer.text):,} characters) to the clipboard.",
            timeout=3,
        )

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
        self.notify(f"{scope.capitalize()} will use {chosen}.", timeout=3)

    def action_toggle_web_search(self) -> None:
        if not self.backend.capabilities.web_search:
            self.notify(
                "This backend cannot search the web (the Qianfan backend can: --backend qianfan).",
                severity="warning",
            )
            return
        self.backend.web_search = not self.backend.web_search
        self.status.web_search = self.backend.web_search
        self.notify(
            "Answers may search the web and cite it."
            if self.backend.web_search
            else "Web search is off.",
            timeout=3,
        )

    @work(group="settings", exclusive=True, exit_on_error=False)
    async def action_set_system_prompt(self) -> None:
        backend = self.backend
        if not backend.capabilities.system_prompt:
            self.notify(
                "The ERNIE Bot web service has no system prompt "
                "(the Qianfan backend has: --backend qianfan).",
                severity="warning",
            )
            return
        session_id = self.open_id
        if not session_id:
            self.notify(
                "Ask a first question, then set the conversation's system prompt.",
                severity="warning",
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
        self.notify("System prompt set." if text else "System prompt removed.", timeout=3)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_keys()))

    def help_keys(self) -> list[tuple[str, str]]:
        """Every active key and what it does, for the help screen."""
        keys: dict[str, list[str]] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            # The app's own keys (they all have ids) and Quit; not the text
            # box's cursor keys.
            if binding.system or (binding.id is None and binding.action != "quit"):
                continue
            description = binding.tooltip or binding.description or binding.action
            display = self.app.get_key_display(binding) or key
            shown = keys.setdefault(description, [])
            if display not in shown:
                shown.append(display)
        rows = [(" / ".join(shown), description) for description, shown in keys.items()]
        return rows + MORE_KEYS

    # -- command palette --------------------------------------------------------------------

    def commands(self) -> Iterable[SystemCommand]:
        """The palette's commands for this screen, named as in the docs."""
        session = self.target()
        pin_title = "Unpin conversation" if session and session.pinned else "Pin conversation"
        items: list[tuple[str, str, Callable[[], Any]]] = [
            ("New conversation", "Start a new, empty conversation", self.action_new_conversation),
            ("Rename conversation", "Rename the conversation", self.action_rename_conversation),
            (
                pin_title,
                "Move it between the Pinned and Conversations sections",
                self.action_toggle_pin,
            ),
            (
                "Delete conversation",
                "Delete the conversation (asks first)",
                self.action_delete_conversation,
            ),
            (
                "Delete conversations",
                "Delete the marked conversations (asks first)",
                self.action_delete_conversations,
            ),
            (
                "Share conversation",
                "Share it or the selected answer; copies the link",
                self.action_share_conversation,
            ),
            ("Manage shares", "List and delete your shared links", self.action_manage_shares),
            (
                "Export conversation",
                "Save it as Markdown or JSON",
                self.action_export_conversation,
            ),
            (
                "Copy last answer",
                "Copy the last answer to the clipboard",
                self.action_copy_last_answer,
            ),
            ("Retry", "Ask again the question whose answer failed", self.action_retry),
            (
                "Choose model",
                "The model of the conversation (or of new ones)",
                self.action_choose_model,
            ),
            (
                "Toggle web search",
                "Let answers search the web and cite it",
                self.action_toggle_web_search,
            ),
            ("Set system prompt", "Sent first with every question", self.action_set_system_prompt),
            ("Toggle sidebar", "Hide or show the conversation list", self.action_toggle_sidebar),
            ("Help", "Every key and what it does", self.action_help),
        ]
        for title, help_text, callback in items:
            yield SystemCommand(title, help_text, callback)
