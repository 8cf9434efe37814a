"""The answer being streamed.

:class:`StreamingAnswer` is the streaming design the performance issue
measures: increments are buffered and applied 6 times a second; finished
top-level markdown blocks (:func:`split_finished_blocks`) are rendered to
lines once and kept; only the unfinished tail is re-rendered and only the
lines that changed are repainted (:class:`~.answer_text.AnswerText`, one
line-API widget), so per-update work is bounded by the tail, not the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from ...sanitize import clean
from .answer_text import AnswerText
from .messages import AnswerClicked, links

__all__ = ["StreamingAnswer", "split_finished_blocks"]


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

    FLUSH_INTERVAL = 1 / 6
    """Increments that arrive within this long are applied together: 6
    updates a second look continuous and cost a fifth of 30."""

    MAX_BLOCKS = 1000
    """At most this many finished blocks are kept as rendered lines; older ones
    of a longer answer are dropped from the screen (the text is kept: copy
    shows it all). A 1 MB answer has ~20,000 blocks: rendering all of them
    again on a resize would freeze the app."""

    state: reactive[str] = reactive("streaming")
    """``streaming``, ``done``, ``stopped`` or ``incomplete``."""

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
        self.post_message(AnswerClicked(self))

    def watch_state(self, state: str) -> None:
        if state != "streaming" and self.is_attached:
            # The last text reaches the screen first (a few changed lines);
            # the layout change of the ending (reserved lines given back, the
            # status line) is the next frame's.
            self.call_after_refresh(self._show_state)
        else:
            self._show_state()
