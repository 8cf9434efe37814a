"""The "Search conversations" screen: a query box and, as the user types, the
places that hold every word of it (the backend's local search, one query of
the library per pause in the typing): each result names the conversation and
the time, and shows a snippet with the matched words highlighted.

Up/Down move in the results without leaving the box; Enter (or a click)
closes the screen with the chosen hit, which the main screen opens at the
matching message; Escape closes it with nothing. The names and snippets are
the user's and the service's text: cleaned, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...backends import Backend, SearchHit
from ...sanitize import clean_line
from ..plain import plain
from ..times import Times
from ..widgets.text_input import TextInput

__all__ = ["DEBOUNCE", "LIMIT", "SearchResults", "SearchScreen", "hit_content"]

LIMIT = 50
"""At most this many results are shown."""
DEBOUNCE = 0.02
"""Seconds of pause in the typing before the search runs (one query of a
local database: fast enough to run at every pause, not at every key of a
paste)."""
HINT = "Type words to find in the names and messages of every conversation."
MATCH = ".search-results--match"
MUTED = ".search-results--muted"


def _snippet(snippet: str, spans: tuple[tuple[int, int], ...]) -> Content:
    """``snippet`` with the ``spans`` highlighted; each piece cleaned on its
    own, so the highlight stays on the match when control characters go."""
    content = Content()
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(snippet))
        if start >= end:
            continue
        content += plain(snippet[at:start])
        content += plain(snippet[start:end]).stylize(MATCH)
        at = end
    return content + plain(snippet[at:])


def hit_content(hit: SearchHit, times: Times) -> Content:
    """One result: the conversation's name and the time on the first line, the
    matching text below it (a name that matched is highlighted in place)."""
    when = Content.styled(times.convert(hit.time)[:16], MUTED)
    if not hit.message:
        return Content.assemble(_snippet(hit.snippet, hit.spans), "  ", when)
    who = Content.styled("You: " if hit.role == "user" else "ERNIE: ", MUTED)
    name = plain(hit.name or "(no name)").stylize("bold")
    return Content.assemble(name, "  ", when, "\n", who, _snippet(hit.snippet, hit.spans))


class SearchResults(OptionList, can_focus=False):
    """The results; the query box keeps the focus and moves in them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"search-results--match", "search-results--muted"}

    DEFAULT_CSS = """
    SearchResults {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
    }
    SearchResults > .option-list--option {
        padding: 0 1;
    }
    SearchResults > .option-list--option-highlighted {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    SearchResults > .search-results--match {
        color: $text-accent;
        background: $accent 25%;
        text-style: bold;
    }
    SearchResults > .search-results--muted {
        color: $text-muted;
    }
    """


class SearchScreen(ModalScreen[SearchHit | None]):
    """Search every conversation kept on this machine; dismissed with the hit
    to open, or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search.close", tooltip="Close the search"),
        Binding("down", "move(1)", "Next", show=False, id="search.next", tooltip="Next result"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.previous", tooltip="Previous"),
        Binding("pagedown", "page(1)", show=False, id="search.page_down", tooltip="Page down"),
        Binding("pageup", "page(-1)", show=False, id="search.page_up", tooltip="Page up"),
    ]

    DEFAULT_CSS = """
    SearchScreen {
        align: center middle;
    }
    SearchScreen > #search {
        width: 100;
        max-width: 96%;
        height: 90%;
        padding: 0;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    SearchScreen #search-query {
        margin: 0 1;
    }
    SearchScreen #search-status {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    SearchScreen #search-status.-error {
        color: $text-error;
    }
    """

    def __init__(self, backend: Backend, times: Times, query: str = "") -> None:
        super().__init__()
        self.backend = backend
        self.times = times
        self.query_text = query
        self.hits: tuple[SearchHit, ...] = ()
        """The results shown, in order."""
        self.searched = ""
        """The query the results are for."""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search") as box:
            box.border_title = "Search conversations"
            box.border_subtitle = "↑↓ choose · Enter opens · Esc closes"
            yield TextInput(self.query_text, placeholder="Search conversations…", id="search-query")
            yield Static(HINT, id="search-status", markup=False)
            yield SearchResults(id="search-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.query_text.strip():
            self.search(self.query_text)

    @property
    def results(self) -> SearchResults:
        return self.query_one(SearchResults)

    @property
    def highlighted(self) -> SearchHit | None:
        """The result under the cursor (else the first), if any."""
        if not self.hits:
            return None
        index = self.results.highlighted
        return self.hits[index if index is not None and index < len(self.hits) else 0]

    def _status(self, text: Content | str, *, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def search(self, query: str) -> None:
        """Run ``query`` now and show its results."""
        self.searched = query
        results = self.results
        if not query.strip():
            self.hits = ()
            results.clear_options()
            self._status(HINT)
            return
        try:
            hits = self.backend.search(query, limit=LIMIT)
        except Exception as exc:  # the library could not be read: say why, keep the screen
            self.hits = ()
            results.clear_options()
            self._status(f"Search failed: {clean_line(str(exc))}", error=True)
            return
        self.hits = hits
        results.set_options(
            Option(hit_content(hit, self.times), id=str(index)) for index, hit in enumerate(hits)
        )
        if not hits:
            self._status(Content("No conversation holds “") + plain(query.strip()) + "”.")
            return
        results.highlighted = 0
        count = f"The first {LIMIT} results" if len(hits) >= LIMIT else _results(len(hits))
        self._status(plain(f"{count} · times in {self.times.label}"))

    @on(Input.Changed, "#search-query")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self.search(event.value))

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.searched != event.value:  # typed, the pause not over yet
            self.search(event.value)
        hit = self.highlighted
        if hit is None:
            self.app.bell()
            return
        self.dismiss(hit)

    @on(OptionList.OptionSelected, "#search-results")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.hits):
            self.dismiss(self.hits[event.option_index])

    def action_move(self, step: int) -> None:
        if step > 0:
            self.results.action_cursor_down()
        else:
            self.results.action_cursor_up()

    async def action_page(self, step: int) -> None:
        await self.results.run_action("page_down" if step > 0 else "page_up")

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.dismiss(None)


def _results(count: int) -> str:
    return f"{count} result{'' if count == 1 else 's'}"
