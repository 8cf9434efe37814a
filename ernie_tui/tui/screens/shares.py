"""The "Manage shares" screen: list the account's shares, copy or delete them."""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from ...backends import Backend, ErnieError, Share
from ...sanitize import clean_line
from ..times import Times, times_of
from .dialogs import ConfirmDialog

__all__ = ["SharesScreen"]

HINT = "Anyone with a link can open it. Enter copies the highlighted link."


def short_time(stamp: str, *, this_year: str | None = None) -> str:
    """A share's ``YYYY-MM-DD HH:MM:SS`` as ``MM-DD HH:MM`` this year, else
    ``YYYY-MM-DD``; anything else as it came."""
    year = this_year or time.strftime("%Y")
    if len(stamp) >= 16 and stamp[4] == "-" and stamp[10] == " ":
        return stamp[5:16] if stamp[:4] == year else stamp[:10]
    return stamp


def _plural(count: int) -> str:
    return f"{count} share{'' if count == 1 else 's'}"


def delete_all_question(count: int) -> tuple[str, str]:
    """The question before deleting every share, and its button's label."""
    if count == 1:
        return "Delete the share? Its link will stop working.", "Delete"
    return f"Delete all {count} shares? Their links will stop working.", f"Delete {count}"


def _cell(text: str) -> Text:
    """Untrusted text as a table cell: plain, never markup."""
    return Text(clean_line(text), no_wrap=True, overflow="ellipsis")


class SharesScreen(ModalScreen[None]):
    """List the shared conversations; copy a link, delete one or all.

    Loads in a worker, and reloads after every change, so the table shows
    what the server holds. A failed call is reported as a notification and
    leaves what was listed in place.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="shares.close", tooltip="Close this screen"),
        Binding("q", "close", "Close", show=False, id="shares.quit", tooltip="Close this screen"),
        Binding(
            "c",
            "copy",
            "Copy link",
            id="shares.copy",
            tooltip="Copy the highlighted share's link to your terminal's clipboard (OSC 52)",
        ),
        Binding(
            "d,delete",
            "delete",
            "Delete",
            id="shares.delete",
            tooltip="Delete the highlighted share (asks first)",
        ),
        Binding(
            "D",
            "delete_all",
            "Delete all",
            id="shares.delete_all",
            tooltip="Delete every share of this account (asks first)",
        ),
        Binding("r", "reload", "Reload", id="shares.reload", tooltip="Fetch the list again"),
    ]

    DEFAULT_CSS = """
    SharesScreen {
        align: center middle;
    }
    SharesScreen > #shares {
        width: 96;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        padding: 0;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    SharesScreen #shares-table {
        height: auto;
        min-height: 5;
        max-height: 60vh;
        background: $surface;
    }
    SharesScreen #shares-empty {
        display: none;
        height: auto;
        margin: 1 0;
        padding: 0 1;
        color: $text-muted;
    }
    SharesScreen #shares-status {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    SharesScreen #shares-status.-error {
        color: $text-error;
    }
    SharesScreen #shares.-empty #shares-table {
        display: none;
    }
    SharesScreen #shares.-empty #shares-empty {
        display: block;
    }
    """

    def __init__(self, backend: Backend, times: Times | None = None) -> None:
        super().__init__()
        self.backend = backend
        self._times = times
        self.shares: tuple[Share, ...] = ()
        """The shares as last listed, in table order."""
        self.loaded = False
        """Whether the list has been fetched at least once."""
        self.names: dict[str, str] | None = None
        """The account's conversations' names by id, listed once (``None``
        until then, or when the list could not be had)."""

    @property
    def times(self) -> Times:
        """How the shares' times are shown (the app's, unless given)."""
        return self._times or times_of(self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="shares") as box:
            box.border_title = "Manage shares"
            box.border_subtitle = "loading…"
            yield Static(
                HINT,
                id="shares-status",
                markup=False,
            )
            table: DataTable[Text] = DataTable(
                id="shares-table", cursor_type="row", zebra_stripes=True
            )
            table.add_column("Key", key="key")
            table.add_column("Conversation", key="conversation")
            table.add_column("Created", key="created")
            table.add_column("Link", key="link")
            yield table
            yield Static(
                "No shared conversations.\n"
                "Share one from the main screen with the Share conversation command.",
                id="shares-empty",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @property
    def highlighted(self) -> Share | None:
        """The share under the table's cursor, if any."""
        table = self.query_one(DataTable)
        if not self.shares or not 0 <= table.cursor_row < len(self.shares):
            return None
        return self.shares[table.cursor_row]

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#shares-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _report(self, what: str, err: ErnieError) -> None:
        self.notify(clean_line(err.message), title=what, severity="error", markup=False)

    def name_of(self, share: Share) -> str:
        """The shared conversation's name, or its number while none is known."""
        name = (self.names or {}).get(share.session_id)
        return clean_line(name) if name else f"conversation {share.session_id}"

    def _conversation(self, share: Share, room: int) -> Text:
        cell = _cell(self.name_of(share))
        cell.truncate(room, overflow="ellipsis")
        if self.names is not None and share.session_id not in self.names:
            cell.stylize("italic")  # not in the list: gone, or too old to be listed
        return cell

    def _name_room(self, link: int) -> int:
        """How wide names may be for every column to fit the box: its inside,
        less the key, the date, a ``link`` this wide, the cells' padding and
        a scrollbar."""
        inside = min(96, self.app.size.width * 95 // 100) - 2
        return max(12, min(40, inside - 8 - 13 - (link + 2) - 2 - 2))

    def _show(self, shares: tuple[Share, ...]) -> None:
        """Fill the table, keeping the cursor near where it was."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        times = self.times
        links = [self.backend.share_url(share.key) for share in shares]
        room = self._name_room(max(map(len, links), default=0))
        for share, link in zip(shares, links, strict=True):
            table.add_row(
                _cell(share.key),
                self._conversation(share, room),
                _cell(short_time(times.convert(share.create_time))),
                _cell(link),
                key=share.share_id,
            )
        self.shares = shares
        if shares:
            table.move_cursor(row=min(max(row, 0), len(shares) - 1))
        self.query_one("#shares").set_class(not shares, "-empty")
        self.query_one("#shares").border_subtitle = Content(
            f"{_plural(len(shares))} · times in {times.label}" if shares else "no shares"
        )
        self.refresh_bindings()

    @work(exclusive=True, group="shares-load", exit_on_error=False)
    async def load(self) -> None:
        """Fetch the shares and show them; on failure keep what is shown."""
        table = self.query_one(DataTable)
        table.loading = True
        try:
            shares = await self.backend.list_shares()
        except ErnieError as err:
            self._report("Could not load the shares", err)
            self._status("Could not load the shares. Press r to try again.", error=True)
            if not self.loaded:
                self.query_one("#shares").border_subtitle = "not loaded"
            return
        finally:
            table.loading = False
        if self.names is None:
            await self._list_names()
        self.loaded = True
        self._status(HINT)
        self._show(shares)

    async def _list_names(self) -> None:
        """List the conversations once, for their names; without them the
        table shows the numbers."""
        try:
            conversations = await self.backend.list_conversations()
        except ErnieError:
            return
        self.names = {s.session_id: s.name for s in conversations.all()}

    @work(group="shares-change", exit_on_error=False)
    async def _delete(self, share: Share) -> None:
        try:
            await self.backend.delete_share(share.share_id)
        except ErnieError as err:
            self._report("Could not delete the share", err)
        else:
            self.notify(f"Deleted the share {clean_line(share.key)}.", markup=False)
        self.load()

    @work(group="shares-change", exit_on_error=False)
    async def _delete_all(self, user_id: str, count: int) -> None:
        try:
            await self.backend.delete_all_shares(user_id)
        except ErnieError as err:
            self._report("Could not delete the shares", err)
        else:
            self.notify(f"Deleted {_plural(count)}.", markup=False)
        self.load()

    def on_resize(self) -> None:
        if self.shares:
            self._show(self.shares)  # names cut to the new width

    @on(DataTable.RowSelected, "#shares-table")
    def _row_selected(self) -> None:
        self.action_copy()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Copy and delete are greyed out while there is nothing to act on."""
        if action in ("copy", "delete", "delete_all") and not self.shares:
            return None
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def action_copy(self) -> None:
        share = self.highlighted
        if share is None:
            self.app.bell()
            return
        url = self.backend.share_url(clean_line(share.key))
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", title="Link copied", markup=False)

    def action_delete(self) -> None:
        share = self.highlighted
        if share is None:
            self.app.bell()
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(share)

        self.app.push_screen(
            ConfirmDialog(
                "Delete share",
                f"Delete the share of “{self.name_of(share)}”? Its link ({share.key}) "
                "will stop working.",
            ),
            confirmed,
        )

    def action_delete_all(self) -> None:
        if not self.shares:
            self.app.bell()
            return
        count = len(self.shares)
        user_id = next((s.user_id for s in self.shares if s.user_id), "")
        if not user_id:
            self.notify(
                "The service did not say which account owns these shares, so they cannot be "
                "deleted at once. Delete them one by one with d.",
                title="Cannot delete all",
                severity="error",
                markup=False,
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete_all(user_id, count)

        question, label = delete_all_question(count)
        title = "Delete the share" if count == 1 else "Delete all shares"
        self.app.push_screen(ConfirmDialog(title, question, confirm_label=label), confirmed)
