"""The main screen: its keys and palette commands, each bound to an action
that opens a dialog or calls the layers below (the list, the asking)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import BindingType
from textual.widgets import Input

from ....sanitize import clean_line
from ...widgets.history import ChatView
from ..dialogs import ConfirmDialog, RenameDialog
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
        return True

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
        self.app.push_screen(SharesScreen(self.backend))

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
                "Copy last answer",
                "Copy the last answer to the clipboard",
                self.action_copy_last_answer,
            ),
            ("Retry", "Ask again the question whose answer failed", self.action_retry),
            ("Toggle sidebar", "Hide or show the conversation list", self.action_toggle_sidebar),
            ("Help", "Every key and what it does", self.action_help),
        ]
        for title, help_text, callback in items:
            yield SystemCommand(title, help_text, callback)
