"""The history pane: questions, answers, and the answer being streamed.

Answers are ``Static`` widgets holding a Rich ``Markdown`` (cheap), not
Textual's ``Markdown`` widget (a widget per block: 13k widgets for 2k
messages). Only a window of the history is mounted (at most
:data:`MAX_WINDOW` messages): older ones are mounted when the user scrolls to
its top, later ones when they scroll to its bottom; home moves the window to
the first messages and end back to the newest.

:class:`StreamingAnswer` is the streaming design the performance issue
measures: increments are buffered and applied 8 times a second; finished
top-level markdown blocks are rendered to lines once and kept; only the
unfinished tail is re-rendered and only the lines that changed are repainted
(:class:`AnswerText`, one line-API widget), so per-update work is bounded by
the tail, not the answer.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Sequence
from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical, VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from ...api import Chat
from ...sanitize import clean, clean_line
from ..plain import Safe, clean_segments, plain_block

__all__ = [
    "AnswerText",
    "ChatView",
    "Question",
    "Reply",
    "StreamingAnswer",
    "markdown",
    "split_finished_blocks",
]

CODE_THEME = "monokai"
WINDOW = 40
"""How many messages are mounted at first, and how many more each time the
user reaches the top (or, below an older window, the bottom)."""
MAX_WINDOW = 3 * WINDOW
"""At most this many history messages stay mounted while the user scrolls
through a long history: the far end of the window is unmounted again."""


def markdown(text: str) -> Markdown:
    """A Rich ``Markdown`` of already-cleaned text. Links are shown as text
    followed by their address, never as hidden terminal hyperlinks."""
    return Markdown(text, code_theme=CODE_THEME, hyperlinks=False)


def links(urls: Sequence[str]) -> Text:
    """Image addresses, one per line, shown in full."""
    text = Text()
    for index, url in enumerate(urls):
        shown = clean_line(url)
        if index:
            text.append("\n")
        text.append("🖼 image: ", style="dim")
        text.append(shown, style=Style(underline=True))
    return text


def split_finished_blocks(text: str) -> tuple[list[str], str]:
    """Split ``text`` into the top-level markdown blocks that are finished (a
    blank line outside fenced code follows them) and the unfinished rest.

    ``text`` must start outside a fenced code block (the rest returned always
    does). Work is linear in ``len(text)``.
    """
    blocks: list[str] = []
    fence = ""
    start = 0
    pos = 0
    length = len(text)
    while True:
        end = text.find("\n", pos)
        if end < 0:
            break  # the last line is not complete yet
        line = text[pos:end]
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            marker = stripped[0]
            fence = stripped[: len(stripped) - len(stripped.lstrip(marker))]
        elif not stripped:
            block = text[start:pos].strip("\n")
            if block.strip():
                blocks.append(block)
            start = end + 1
        pos = end + 1
        if pos >= length:
            break
    return blocks, text[start:]


class Question(Static):
    """A question the user asked."""

    DEFAULT_CSS = """
    Question {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: wide $secondary;
        background: $secondary 12%;
    }
    """

    def __init__(self, text: str, *, chat_id: str = "") -> None:
        self.text = clean(text)
        body = Text()
        body.append("You\n", style="bold")
        body.append(self.text)
        super().__init__(Safe(body))
        self.chat_id = chat_id


class Reply(Static, can_focus=False):
    """An answer from the history."""

    DEFAULT_CSS = """
    Reply {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: wide $primary;
    }
    Reply.-selected {
        background: $primary 10%;
        border-left: wide $accent;
    }
    """

    def __init__(self, text: str, *, chat_id: str = "", urls: Sequence[str] = ()) -> None:
        self.text = clean(text)
        self.chat_id = chat_id
        self.urls = tuple(urls)
        parts: list[RenderableType] = [Text("ERNIE", style="bold"), markdown(self.text)]
        if self.urls:
            parts.append(links(self.urls))
        super().__init__(Safe(Group(*parts)))

    def on_click(self, event: events.Click) -> None:
        chat = self.query_ancestor(ChatView)
        chat.select_answer(self)


_EMPTY = Strip([], 0)
_MARKDOWN_TEMPLATE = markdown("")
_MARKDOWN_PARSER = MarkdownIt().enable("strikethrough").enable("table")
"""Rich's ``Markdown`` builds this same parser for every instance (0.27 ms,
more than parsing a paragraph); a streamed answer renders its tail 8 times a
second, so it shares one."""


def _streamed_markdown(text: str) -> Markdown:
    """As :func:`markdown` (the same settings: a copy of one), parsed with the
    shared parser."""
    rendered = copy.copy(_MARKDOWN_TEMPLATE)
    rendered.markup = text
    rendered.parsed = _MARKDOWN_PARSER.parse(text)
    return rendered


class AnswerText(Widget, can_focus=False):
    """A streamed answer's text, drawn with Textual's line API.

    Finished markdown blocks are rendered to lines (``Strip``) once, at the
    widget's width, and kept; only the unfinished tail is rendered again per
    :meth:`update`, and only the lines that changed are repainted. While the
    answer streams the height grows in steps (blank lines reserved below the
    text, about two thirds of the pane), so an update changes no geometry: no
    re-layout, no repaint of the rest of the pane, and the pane that follows
    the bottom scrolls once a step rather than once a line. :meth:`settle`
    gives the reserved lines back and renders the whole text as one document,
    so the finished answer looks exactly like a :class:`Reply` from the
    history. A change of width renders the kept text again at the new width.
    """

    DEFAULT_CSS = """
    AnswerText {
        height: auto;
    }
    """

    def __init__(self, *, max_blocks: int) -> None:
        super().__init__(classes="answer--text")
        self.max_blocks = max_blocks
        self.streaming = True
        self.dropped = 0
        """Finished blocks no longer kept (the oldest of a very long answer)."""
        self._blocks: list[str] = []
        self._heights: list[int] = []
        self._done: list[Strip] = []
        self._tail_text = ""
        self._tail: list[Strip] = []
        self._gap = 0
        self._width = 0
        self._reserved = 0

    @property
    def line_count(self) -> int:
        """Lines of text (without the reserved blank lines)."""
        return len(self._done) + self._gap + len(self._tail)

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines (for tests)."""
        return [self._line(y) or _EMPTY for y in range(self.line_count)]

    def _render_markdown(self, text: str, width: int) -> list[Strip]:
        """``text`` rendered as a Rich ``Markdown`` exactly as a ``Static``
        holding it would render it (no base style yet: :meth:`render_line`
        applies the widget's)."""
        app = self.app
        options = app.console_options.update(highlight=False).update_width(width)
        segments = clean_segments(app.console.render(_streamed_markdown(text), options))
        lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
        return [Strip(line) for line in lines]

    def _add_block(self, lines: list[Strip]) -> None:
        """Append a finished block's lines. Rich separates two top-level
        elements with one empty line, which a list's own rendering already
        starts with; so the joined blocks equal the whole document's lines."""
        height = len(lines)
        if self._done and lines and lines[0].cell_length:
            self._done.append(_EMPTY)
            height += 1
        self._done.extend(lines)
        self._heights.append(height)

    def _set_tail(self, text: str, width: int) -> None:
        self._tail_text = text
        self._tail = self._render_markdown(text, width) if text.strip() else []
        self._gap = 1 if self._done and self._tail and self._tail[0].cell_length else 0

    def _line(self, y: int) -> Strip | None:
        done = len(self._done)
        if y < done:
            return self._done[y]
        y -= done + self._gap
        if y < 0:
            return _EMPTY
        if y < len(self._tail):
            return self._tail[y]
        return None

    def _step(self) -> int:
        """Blank lines reserved below the text while it streams."""
        height = self.app.size.height
        for node in self.ancestors:
            if isinstance(node, ScrollableContainer):
                height = node.scrollable_content_region.height or height
                break
        return max(4, height * 2 // 3)

    def _fit(self) -> bool:
        """Size the reserved height to the text; whether it changed."""
        count = self.line_count
        if self.streaming:
            if count <= self._reserved:
                return False
            self._reserved = count + self._step()
            return True
        if count == self._reserved:
            return False
        self._reserved = count
        return True

    def _rebuild(self, width: int) -> None:
        """Render everything kept again at ``width``."""
        self._width = width
        self._done = []
        self._heights = []
        for block in self._blocks:
            self._add_block(self._render_markdown(block, width))
        self._set_tail(self._tail_text, width)
        self._reserved = 0
        self._fit()

    def _drop_oldest(self) -> int:
        """Forget the oldest blocks past :attr:`max_blocks`, a quarter of them
        at once (each drop moves every line: a full repaint). Returns the
        number of lines dropped."""
        excess = len(self._blocks) - self.max_blocks
        if excess <= 0:
            return 0
        excess = min(len(self._blocks), max(excess, self.max_blocks // 4))
        lines = sum(self._heights[:excess])
        del self._blocks[:excess]
        del self._heights[:excess]
        del self._done[:lines]
        self.dropped += excess
        self._reserved = max(0, self._reserved - lines)
        return lines

    def update(self, blocks: Sequence[str], tail: str) -> None:
        """Newly finished ``blocks`` and the unfinished ``tail`` (which replaces
        the previous tail)."""
        kept = list(blocks[-self.max_blocks :])
        self.dropped += len(blocks) - len(kept)
        width = self._width
        if not width:  # not laid out yet: rendered at the first layout
            self._blocks.extend(kept)
            self._tail_text = tail
            if len(self._blocks) > self.max_blocks:
                excess = len(self._blocks) - self.max_blocks
                del self._blocks[:excess]
                self.dropped += excess
            self.refresh(layout=True)
            return
        if not kept and tail == self._tail_text:
            return
        first = len(self._done)
        old = [self._line(y) for y in range(first, self.line_count)]
        for block in kept:
            self._blocks.append(block)
            self._add_block(self._render_markdown(block, width))
        dropped = self._drop_oldest()
        self._set_tail(tail, width)
        if self._fit() or dropped:
            self.refresh(layout=True)
            return
        self._refresh_changed(first, old)

    def _refresh_changed(self, first: int, old: list[Strip | None]) -> None:
        """Repaint the lines from ``first`` on that differ from ``old``."""
        regions: list[Region] = []
        width = self.size.width
        start = -1
        end = first + max(len(old), self.line_count - first)
        for y in range(first, end + 1):
            index = y - first
            before = old[index] if index < len(old) else None
            if y < end and self._line(y) != before:
                if start < 0:
                    start = y
            elif start >= 0:
                regions.append(Region(0, start, width, y - start))
                start = -1
        if regions:
            self.refresh(*regions)

    def replace(self, blocks: Sequence[str], tail: str) -> None:
        """Show other text instead (an authoritative final text that differs)."""
        self._blocks = list(blocks[-self.max_blocks :])
        self.dropped = len(blocks) - len(self._blocks)
        self._tail_text = tail
        if self._width:
            self._rebuild(self._width)
        self.refresh(layout=True)

    def settle(self, text: str) -> None:
        """The answer ended (``text`` is all of it): give the reserved lines
        back and, unless older blocks were dropped, show ``text`` rendered as
        one document, as a :class:`Reply` shows it."""
        self.streaming = False
        if not self.dropped:
            self._blocks = [text] if text.strip() else []
            self._tail_text = ""
        else:
            if self._tail_text.strip():
                self._blocks.append(self._tail_text)
            self._tail_text = ""
        if self._width:
            self._rebuild(self._width)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width and width > 0:
            self._rebuild(width)
        return self._reserved

    def render_line(self, y: int) -> Strip:
        line = self._line(y)
        if line is None or not line.cell_length:
            return _EMPTY
        return line.apply_style(self.visual_style.rich_style)


class StreamingAnswer(Vertical):
    """An answer arriving increment by increment.

    Call :meth:`append` per increment (cheap: it only buffers), then
    :meth:`finish` with the authoritative final text, or :meth:`mark_stopped`
    / :meth:`mark_incomplete`.
    """

    DEFAULT_CSS = """
    StreamingAnswer {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: wide $primary;
    }
    StreamingAnswer.-selected {
        background: $primary 10%;
        border-left: wide $accent;
    }
    StreamingAnswer > Static {
        height: auto;
    }
    StreamingAnswer > .answer--label {
        text-style: bold;
    }
    StreamingAnswer > .answer--status {
        display: none;
        color: $text-muted;
        text-style: italic;
    }
    StreamingAnswer.-streaming > .answer--status {
        display: block;
    }
    StreamingAnswer.-stopped > .answer--status {
        display: block;
        color: $warning;
    }
    StreamingAnswer.-incomplete > .answer--status {
        display: block;
        color: $error;
    }
    StreamingAnswer > .answer--links.-empty, StreamingAnswer > .answer--hidden.-empty {
        display: none;
    }
    StreamingAnswer > .answer--hidden {
        color: $text-muted;
        text-style: italic;
    }
    """

    state: reactive[str] = reactive("streaming")
    """``streaming``, ``done``, ``stopped`` or ``incomplete``."""

    FLUSH_INTERVAL = 1 / 6
    """Increments that arrive within this long are applied together: 8
    updates a second look continuous and cost a quarter of 30."""

    MAX_BLOCKS = 1000
    """At most this many finished blocks are kept as rendered lines; older ones
    of a longer answer are dropped from the screen (the text is kept: copy
    shows it all). A 1 MB answer has ~20,000 blocks: rendering all of them
    again on a resize would freeze the app."""

    def __init__(self, *, retry_hint: str = "") -> None:
        super().__init__(classes="-streaming")
        self.chat_id = ""
        self.urls: tuple[str, ...] = ()
        self.retry_hint = retry_hint
        self._received: list[str] = []
        self._buffer: list[str] = []
        self._tail = ""
        self._block_total = 0
        self._hidden_shown = 0
        self._timer: Timer | None = None
        self._final: str | None = None
        self._lines = AnswerText(max_blocks=self.MAX_BLOCKS)

    def compose(self) -> ComposeResult:
        yield Static("ERNIE", classes="answer--label", markup=False)
        yield Static("", classes="answer--hidden -empty", markup=False)
        yield self._lines
        yield Static("", classes="answer--links -empty", markup=False)
        yield Static("…", classes="answer--status", markup=False)

    def on_mount(self) -> None:
        if self.state == "streaming":
            self._timer = self.set_interval(self.FLUSH_INTERVAL, self._flush)
        if self._buffer:
            self._flush()

    @property
    def text(self) -> str:
        """The answer as shown: the final text once finished, else what arrived."""
        if self._final is not None:
            return self._final
        if len(self._received) > 1:
            self._received = ["".join(self._received)]
        return self._received[0] if self._received else ""

    @property
    def block_count(self) -> int:
        """How many finished blocks the answer had while it streamed (for
        tests and benchmarks)."""
        return self._block_total

    def _show_hidden(self) -> None:
        """Say how many earlier blocks of a very long answer are not shown."""
        hidden = self._lines.dropped
        if hidden == self._hidden_shown:
            return
        self._hidden_shown = hidden
        hint = self.query_one(".answer--hidden", Static)
        hint.set_class(not hidden, "-empty")
        hint.update(
            f"… {hidden:,} earlier parts of this long answer are not shown "
            "(copying the answer copies all of it)."
        )

    def append(self, piece: str) -> None:
        """Queue an increment; it reaches the screen at the next flush."""
        if not piece:
            return
        piece = clean(piece)
        self._received.append(piece)
        self._buffer.append(piece)

    def _flush(self) -> None:
        if not self._buffer or not self.is_attached:
            return
        self._tail += "".join(self._buffer)
        self._buffer.clear()
        blocks, self._tail = split_finished_blocks(self._tail)
        self._block_total += len(blocks)
        self._lines.update(blocks, self._tail)
        self._show_hidden()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def finish(self, final_text: str, urls: Sequence[str] = ()) -> None:
        """The answer ended; ``final_text`` (the stream's ``tokens_all``) is
        authoritative. Re-renders once if it differs from what arrived."""
        self._flush()
        self._stop_timer()
        final = clean(final_text)
        received = self.text
        self._final = final
        if final != received and self.is_attached:
            blocks, rest = split_finished_blocks(final + "\n\n")
            self._block_total = len(blocks)
            self._tail = rest
            self._lines.replace(blocks, rest)
            self._show_hidden()
        self.urls = tuple(urls)  # shown with the ending (see watch_state)
        self.state = "done"

    def set_urls(self, urls: Sequence[str]) -> None:
        self.urls = tuple(urls)
        if not self.is_attached:
            return
        widget = self.query_one(".answer--links", Static)
        widget.update(links(self.urls))
        widget.set_class(not self.urls, "-empty")

    def mark_stopped(self) -> None:
        """Stopped by the user: what arrived stays."""
        self._flush()
        self._stop_timer()
        self.state = "stopped"

    def mark_incomplete(self, reason: str = "") -> None:
        """Cut off or failed: what arrived stays, marked incomplete."""
        self._flush()
        self._stop_timer()
        self._incomplete_reason = reason
        self.state = "incomplete"

    def watch_state(self, state: str) -> None:
        if state != "streaming" and self.is_attached:
            # The last text reaches the screen first (a few changed lines);
            # the layout change of the ending (reserved lines given back, the
            # status line) is the next frame's.
            self.call_after_refresh(self._show_state)
        else:
            self._show_state()

    def _show_state(self) -> None:
        state = self.state
        for name in ("streaming", "done", "stopped", "incomplete"):
            self.set_class(state == name, f"-{name}")
        if not self.is_attached:
            return
        if state != "streaming":
            self._lines.settle(self.text)
            if self.urls:
                self.set_urls(self.urls)
        status = self.query_one(".answer--status", Static)
        if state == "streaming":
            status.update("…")
        elif state == "stopped":
            status.update("■ stopped — the answer was stopped here.")
        elif state == "incomplete":
            hint = f" Press {self.retry_hint} to retry." if self.retry_hint else ""
            status.update(f"⚠ incomplete — the answer did not finish.{hint}")

    def on_click(self, event: events.Click) -> None:
        chat = self.query_ancestor(ChatView)
        chat.select_answer(self)


class ChatView(VerticalScroll):
    """The open conversation's messages, newest at the bottom."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "shift+up",
            "select_previous",
            "Previous answer",
            show=False,
            id="chat.previous_answer",
            tooltip="Select the previous answer (for Share conversation).",
        ),
        Binding(
            "shift+down",
            "select_next",
            "Next answer",
            show=False,
            id="chat.next_answer",
            tooltip="Select the next answer (for Share conversation).",
        ),
    ]

    DEFAULT_CSS = """
    ChatView {
        height: 1fr;
        padding: 0 1 1 1;
        background: $background;
    }
    ChatView > .chat--empty {
        color: $text-muted;
        text-style: italic;
        margin: 1 0;
    }
    ChatView > .chat--older, ChatView > .chat--newer {
        color: $text-muted;
        text-align: center;
    }
    ChatView > .chat--newer {
        margin: 1 0 0 0;
    }
    """

    class OlderMounted(Message):
        """Older messages were mounted above the window."""

        def __init__(self, chat_view: ChatView, count: int) -> None:
            super().__init__()
            self.chat_view = chat_view
            self.count = count

        @property
        def control(self) -> ChatView:
            return self.chat_view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chats: list[Chat] = []
        """The conversation's messages, oldest first; not those asked in this
        session that are still mounted (the *live* ones: always the newest,
        mounted below the window)."""
        self._start = 0
        self._end = 0
        """The window: ``_chats[_start:_end]`` is mounted."""
        self._generation = 0
        """Counts the conversations shown, so a deferred step of an old one
        does nothing."""
        self._window_lock = asyncio.Lock()
        self._loading_older = False
        self._loading_newer = False
        self.selected: Reply | StreamingAnswer | None = None

    # -- filling ---------------------------------------------------------------

    async def show_empty(self, text: str) -> None:
        """Clear the pane and show a hint."""
        async with self._window_lock:
            self._generation += 1
            self._chats = []
            self._start = self._end = 0
            self.selected = None
            await self.remove_children()
            await self.mount(Static(plain_block(text), classes="chat--empty", markup=False))

    async def show_chats(self, chats: Sequence[Chat], *, empty_text: str = "") -> None:
        """Show a conversation's history, scrolled to the newest message.

        Only the newest messages that fill about two screens are mounted at
        once, so they reach the screen in the next frame; the rest of the
        window is mounted above them a frame later."""
        async with self._window_lock:
            self._generation += 1
            self._chats = list(chats)
            self._end = len(self._chats)
            self._start = self._end - self._fill_count(range(self._end - 1, -1, -1))
            self.selected = None
            await self.remove_children()
            widgets: list[Widget] = [self._widget_for(c) for c in self._chats[self._start :]]
            if not widgets and empty_text:
                widgets.append(Static(plain_block(empty_text), classes="chat--empty", markup=False))
            if self._start:
                widgets.insert(0, self._older_hint())
            await self.mount_all(widgets)
            self.anchor()
        if self._start and self._end - self._start < WINDOW:
            self.call_after_refresh(self._fill_window, self._generation)

    def _fill_count(self, indexes: range) -> int:
        """How many of the messages at ``indexes`` (taken in that order) fill
        the pane about twice, by their estimated height; at most
        :data:`WINDOW`. A jump mounts only these at first, so it shows in
        the next frame."""
        height = self.size.height or 40
        width = max(20, self.size.width - 6)
        lines = count = 0
        for index in indexes:
            if count >= WINDOW or lines >= 2 * height:
                break
            text = self._chats[index].text
            lines += 3 + text.count("\n") + len(text) // width
            count += 1
        return count

    async def _fill_window(self, generation: int) -> None:
        if generation == self._generation:
            await self._mount_older(WINDOW - (self._end - self._start))

    def _older_hint(self) -> Static:
        return Static(
            f"↑ {self._start:,} earlier messages — scroll up to see them, home for the oldest",
            classes="chat--older",
            markup=False,
        )

    def _newer_hint(self) -> Static:
        return Static(self._newer_text(), classes="chat--newer", markup=False)

    def _newer_text(self) -> str:
        later = len(self._chats) - self._end
        return f"↓ {later:,} later messages — scroll down to see them, end for the newest"

    def _message_widgets(self) -> list[Widget]:
        return [w for w in self.children if isinstance(w, Question | Reply | StreamingAnswer)]

    def _window_widgets(self) -> list[Widget]:
        """The mounted history messages (the live ones follow them)."""
        return self._message_widgets()[: self._end - self._start]

    def _live_widgets(self) -> list[Widget]:
        return self._message_widgets()[self._end - self._start :]

    @property
    def at_newest(self) -> bool:
        """Whether the window reaches the newest message."""
        return self._end >= len(self._chats)

    @property
    def window(self) -> tuple[int, int]:
        """The mounted part of the history, as ``(start, end)`` indexes."""
        return self._start, self._end

    @staticmethod
    def _widget_for(chat: Chat) -> Widget:
        if chat.role == "user":
            return Question(chat.text, chat_id=chat.chat_id)
        return Reply(chat.text, chat_id=chat.chat_id, urls=chat.urls)

    @property
    def mounted_messages(self) -> int:
        """How many messages are mounted (the window)."""
        return sum(1 for w in self.children if isinstance(w, Question | Reply))

    async def add_question(self, text: str) -> Question:
        async with self._window_lock:
            await self._show_newest()
            await self.remove_children(".chat--empty")
            question = Question(text)
            await self.mount(question)
        self.anchor()
        return question

    async def add_answer(self, answer: StreamingAnswer) -> StreamingAnswer:
        async with self._window_lock:
            await self._show_newest()
            await self.remove_children(".chat--empty")
            await self.mount(answer)
            self.anchor()
            await self._prune()
        return answer

    async def _prune(self) -> None:
        """Keep at most two windows of messages mounted while the user keeps
        asking: older ones (asked in this session too) go back to the list that
        scrolling up mounts again. Every widget costs layout time and a task:
        200 questions in one session had grown the pane to 1,400 widgets."""
        mounted = self._message_widgets()
        old = mounted[: len(mounted) - 2 * WINDOW]
        if not old or any(isinstance(w, StreamingAnswer) and w.state == "streaming" for w in old):
            return
        in_window = min(len(old), self._end - self._start)
        folded: list[Chat] = []
        for widget in old[in_window:]:
            if isinstance(widget, Question):
                folded.append(Chat(widget.chat_id, "user", widget.text))
            elif isinstance(widget, Reply | StreamingAnswer):
                folded.append(Chat(widget.chat_id, "robot", widget.text, urls=widget.urls))
        if self.selected in old:
            self.selected = None
        await self.remove_children([*old, *self._hints("chat--older")])
        self._start += in_window
        if folded:  # live messages join the history (the window is at its end)
            self._chats.extend(folded)
            self._start = self._end = len(self._chats)
        await self.mount(self._older_hint(), before=mounted[len(old)])

    # -- window ------------------------------------------------------------------

    def _hints(self, kind: str) -> list[Widget]:
        return [w for w in self.children if w.has_class(kind)]

    async def _rewindow(self, start: int, end: int) -> None:
        """Mount ``_chats[start:end]`` in place of the window (the live
        messages stay below it). Call with the window lock held."""
        live = self._live_widgets()
        old = self._window_widgets()
        if self.selected in old:
            self.selected = None
        await self.remove_children([*old, *self._hints("chat--older"), *self._hints("chat--newer")])
        self._start, self._end = start, end
        widgets = [self._widget_for(c) for c in self._chats[start:end]]
        if start:
            widgets.insert(0, self._older_hint())
        if end < len(self._chats):
            widgets.append(self._newer_hint())
        if live:
            await self.mount_all(widgets, before=live[0])
        else:
            await self.mount_all(widgets)

    async def _show_newest(self) -> None:
        """Re-window around the newest messages, if the window is elsewhere.
        Call with the window lock held."""
        if not self.at_newest:
            total = len(self._chats)
            await self._rewindow(total - self._fill_count(range(total - 1, -1, -1)), total)

    async def show_oldest(self) -> None:
        """Jump to the first message: the window moves to the oldest ones
        (later ones are mounted as the user scrolls down)."""
        async with self._window_lock:
            if self._start > 0:
                await self._rewindow(0, self._fill_count(range(len(self._chats))))
            self.scroll_home(animate=False, immediate=True)
        self.call_after_refresh(self._check_newer, 5)

    async def show_newest(self) -> None:
        """Jump to the last message: the window moves to the newest ones and
        the pane follows new content again."""
        async with self._window_lock:
            moved = not self.at_newest
            await self._show_newest()
        self.anchor()
        if moved and self._end - self._start < WINDOW:
            self.call_after_refresh(self._fill_window, self._generation)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value <= 0 and self._start > 0 and not self._loading_older:
            self._loading_older = True
            self.call_later(self._mount_older)
        self._check_newer()

    def _check_newer(self, retries: int = 0) -> None:
        """Mount later messages when the hint below the window comes into view
        (``retries``: refreshes to wait for the hint to be laid out)."""
        if self.at_newest or self._loading_newer:
            return
        hints = self._hints("chat--newer")
        if not hints:
            return
        region = hints[0].virtual_region
        if not region.height:
            if retries > 0:  # not laid out yet
                self.call_after_refresh(self._check_newer, retries - 1)
            return
        if region.y < self.scroll_y + self.scrollable_content_region.height:
            self._loading_newer = True
            self.call_later(self._mount_newer)

    def _keep_place(self, ref: Widget, ref_y: int, old_y: float, done: Callable[[], None]) -> None:
        """After the next refresh, scroll so ``ref`` stays where it was on
        screen (content was added or removed above it), then call ``done``."""

        def keep() -> None:
            try:
                if ref.is_attached:
                    delta = ref.virtual_region.y - ref_y
                    self.scroll_to(y=old_y + delta, animate=False, immediate=True)
            finally:
                done()

        self.call_after_refresh(keep)

    def _older_done(self) -> None:
        self._loading_older = False

    def _newer_done(self) -> None:
        self._loading_newer = False
        self._check_newer(2)

    async def _mount_older(self, count: int = WINDOW) -> None:
        """Mount up to ``count`` older messages above the window, keeping the
        view where it is; unmount the window's far end past :data:`MAX_WINDOW`."""
        scheduled = False
        try:
            async with self._window_lock:
                if self._start <= 0 or count <= 0:
                    return
                end = self._start
                begin = max(0, end - count)
                widgets = [self._widget_for(c) for c in self._chats[begin:end]]
                hints = self._hints("chat--older")
                first: Widget | None = None
                for child in self.children:
                    if not child.has_class("chat--older"):
                        first = child
                        break
                # At the bottom (anchored, or all of it fits) the pane keeps
                # showing the bottom by itself.
                keep = self.scroll_y < self.max_scroll_y
                ref_y = first.virtual_region.y if first is not None else 0
                old_y = self.scroll_y
                self._start = begin
                if first is not None:
                    await self.mount_all(widgets, before=first)
                else:
                    await self.mount_all(widgets)
                await self.remove_children(hints)
                if self._start:
                    await self.mount(self._older_hint(), before=widgets[0])
                if keep:
                    await self._trim_bottom()
                self.post_message(self.OlderMounted(self, len(widgets)))
                if keep and first is not None:
                    self._keep_place(first, ref_y, old_y, self._older_done)
                    scheduled = True
        finally:
            if not scheduled:
                self.call_after_refresh(self._older_done)

    async def _trim_bottom(self) -> None:
        window = self._window_widgets()
        excess = len(window) - MAX_WINDOW
        if excess <= 0:
            return
        gone = window[-excess:]
        if self.selected in gone:
            self.selected = None
        await self.remove_children([*gone, *self._hints("chat--newer")])
        self._end -= excess
        live = self._live_widgets()
        if live:
            await self.mount(self._newer_hint(), before=live[0])
        else:
            await self.mount(self._newer_hint())

    async def _mount_newer(self, count: int = WINDOW) -> None:
        """Mount up to ``count`` later messages below the window (scrolling
        down from an older window); unmount its top past :data:`MAX_WINDOW`,
        keeping the view where it is."""
        scheduled = False
        try:
            async with self._window_lock:
                hints = self._hints("chat--newer")
                if self.at_newest or not hints:
                    return
                hint = hints[0]
                stop = min(len(self._chats), self._end + count)
                widgets = [self._widget_for(c) for c in self._chats[self._end : stop]]
                await self.mount_all(widgets, before=hint)
                self._end = stop
                if self.at_newest:
                    await hint.remove()
                elif isinstance(hint, Static):
                    hint.update(self._newer_text())
                window = self._window_widgets()
                excess = len(window) - MAX_WINDOW
                if excess > 0:
                    ref = window[excess]
                    ref_y = ref.virtual_region.y
                    old_y = self.scroll_y
                    gone = window[:excess]
                    if self.selected in gone:
                        self.selected = None
                    await self.remove_children([*gone, *self._hints("chat--older")])
                    self._start += excess
                    await self.mount(self._older_hint(), before=ref)
                    self._keep_place(ref, ref_y, old_y, self._newer_done)
                    scheduled = True
        finally:
            if not scheduled:
                self.call_after_refresh(self._newer_done)

    def action_scroll_home(self) -> None:
        """home: the first message of the conversation, however long."""
        if self._start > 0:
            self.call_later(self.show_oldest)
        else:
            super().action_scroll_home()

    def action_scroll_end(self) -> None:
        """end: the newest message (following new content again)."""
        if not self.at_newest:
            self.call_later(self.show_newest)
        else:
            super().action_scroll_end()

    # -- answers -------------------------------------------------------------------

    def answers(self) -> list[Reply | StreamingAnswer]:
        return [w for w in self.children if isinstance(w, Reply | StreamingAnswer)]

    def last_answer(self) -> Reply | StreamingAnswer | None:
        found = self.answers()
        return found[-1] if found else None

    def select_answer(self, answer: Reply | StreamingAnswer | None) -> None:
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = answer
        if answer is not None:
            answer.add_class("-selected")
            self.scroll_to_widget(answer, animate=False)

    def action_select_previous(self) -> None:
        found = self.answers()
        if not found:
            return
        index = found.index(self.selected) if self.selected in found else len(found)
        self.select_answer(found[max(0, index - 1)])

    def action_select_next(self) -> None:
        found = self.answers()
        if not found:
            return
        index = found.index(self.selected) if self.selected in found else len(found) - 1
        self.select_answer(found[min(len(found) - 1, index + 1)])
