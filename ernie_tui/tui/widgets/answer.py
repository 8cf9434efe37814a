"""The answer being streamed.

:class:`StreamingAnswer` is the streaming design the performance issue
measures: increments are buffered and applied 6 times a second; finished
top-level markdown blocks (:func:`split_finished_blocks`) are rendered to
lines once and kept; only the unfinished tail is re-rendered and only the
lines that changed are repainted (:class:`~.answer_text.AnswerText`, one
line-API widget), so per-update work is bounded by the tail, not the answer.
The reasoning of a thinking model streams the same way, above the text
(:class:`~.thinking.Thinking`); references, tokens and the withheld warning
are shown with the ending, as a :class:`~.messages.Reply` shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from ...api import Chat, Citation
from ...sanitize import clean
from .answer_parts import links, status_text, usage_text
from .answer_text import AnswerText, split_finished_blocks
from .footnotes import held_back, references
from .layout_once import LayoutOnce
from .messages import WITHHELD, AnswerClicked, ending_of
from .thinking import Thinking

__all__ = ["StreamingAnswer", "split_finished_blocks"]


class StreamingAnswer(LayoutOnce, Vertical):
    """An answer arriving increment by increment.

    Call :meth:`append` per increment of the text and :meth:`append_thinking`
    per increment of the reasoning (cheap: they only buffer), then
    :meth:`finish` with the authoritative final text, or :meth:`mark_stopped`
    / :meth:`mark_incomplete`. :meth:`set_citations`, :meth:`set_usage` and
    :meth:`set_withheld` may come at any time; they show with the ending.
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
    StreamingAnswer.-streaming.-cursor-inline > .answer--status {
        display: none;
    }
    StreamingAnswer.-stopped > .answer--status {
        display: block;
        color: $text-warning;
    }
    StreamingAnswer.-incomplete > .answer--status {
        display: block;
        color: $text-error;
    }
    StreamingAnswer > .-empty {
        display: none;
    }
    StreamingAnswer > .answer--hidden {
        color: $text-muted;
        text-style: italic;
    }
    StreamingAnswer > .answer--references {
        margin: 1 0 0 0;
    }
    StreamingAnswer > .answer--withheld {
        color: $text-warning;
    }
    StreamingAnswer > .answer--usage {
        color: $text-muted;
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
        self.citations: tuple[Citation, ...] = ()
        self.usage: tuple[int, int, str] = (0, 0, "")
        """Tokens of the question and of the answer, and the model."""
        self.withheld = False
        self.retry_hint = retry_hint
        self._received: list[str] = []
        self._buffer: list[str] = []
        self._tail = ""
        self._block_total = 0
        self._hidden_shown = 0
        self._timer: Timer | None = None
        self._final: str | None = None
        self._label = Static("ERNIE", classes="answer--label", markup=False)
        self._lines = AnswerText(max_blocks=self.MAX_BLOCKS, cursor="…")
        self._began = False
        """Whether any of the answer's text (not only reasoning) arrived."""
        self._reasoning: list[str] = []
        self._thinking_buffer: list[str] = []
        self._thinking_tail = ""
        self._thinking: Thinking | None = None

    def compose(self) -> ComposeResult:
        yield self._label
        if self._thinking is not None:
            yield self._thinking
        yield Static("", classes="answer--hidden -empty", markup=False)
        yield self._lines
        yield Static("", classes="answer--references -empty", markup=False)
        yield Static("", classes="answer--links -empty", markup=False)
        yield Static(WITHHELD, classes="answer--withheld -empty", markup=False)
        yield Static("", classes="answer--usage -empty", markup=False)
        yield Static("…", classes="answer--status", markup=False)

    def on_mount(self) -> None:
        if self.state == "streaming":
            self._timer = self.set_interval(self.FLUSH_INTERVAL, self._flush)
        if self._buffer or self._thinking_buffer:
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
    def reasoning(self) -> str:
        """The reasoning that arrived before the answer (empty if none)."""
        if len(self._reasoning) > 1:
            self._reasoning = ["".join(self._reasoning)]
        return self._reasoning[0] if self._reasoning else ""

    @property
    def has_thinking(self) -> bool:
        return self._thinking is not None

    @property
    def thinking(self) -> Thinking | None:
        """The reasoning's section, once reasoning arrived."""
        return self._thinking

    @property
    def block_count(self) -> int:
        """How many finished blocks the answer had while it streamed (for
        tests and benchmarks)."""
        return self._block_total

    def to_chat(self) -> Chat:
        """This answer as a history message (to mount it again later)."""
        prompt, completion, model = self.usage
        return Chat(
            self.chat_id,
            "robot",
            self.text,
            urls=self.urls,
            reasoning=self.reasoning,
            model=model,
            prompt_tokens=prompt,
            completion_tokens=completion,
            flag=1 if self.withheld else 0,
            citations=self.citations,
            state=ending_of(self.state),
        )

    def continue_from(self, other: StreamingAnswer) -> None:
        """Show what ``other`` (the same answer, shown before) has so far."""
        self.append_thinking(other.reasoning)
        self.append(other.text)
        self.citations, self.usage, self.withheld = other.citations, other.usage, other.withheld

    def _show_hidden(self) -> None:
        """Say how many earlier blocks of a very long answer are not shown."""
        hidden = self._lines.dropped
        if hidden == self._hidden_shown or (hint := self._part(".answer--hidden")) is None:
            return
        self._hidden_shown = hidden
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
        if not self._began and piece.strip():
            self._began = True

    def append_thinking(self, piece: str) -> None:
        """Queue an increment of the reasoning; it reaches the screen at the
        next flush, above the answer's text."""
        if not piece:
            return
        piece = clean(piece)
        self._reasoning.append(piece)
        self._thinking_buffer.append(piece)

    def _flush(self) -> None:
        if not self.is_attached:
            return
        if self._thinking_buffer:
            self._flush_thinking()
        if self._buffer:
            self._tail += "".join(self._buffer)
            self._buffer.clear()
            blocks, self._tail = split_finished_blocks(self._tail)
            self._block_total += len(blocks)
            # The start of a citation marker waits for its end (never half shown).
            shown = self._tail[: len(self._tail) - held_back(self._tail)]
            self._lines.update(blocks, shown)
            self._show_hidden()
        if self._began:
            self._settle_thinking(fold=True)  # the answer began: fold the reasoning
        self._place_cursor()

    def _place_cursor(self) -> None:
        """The "…" sits right under the text: drawn by the text (or the
        unfolded reasoning) once it has lines, else by the status line."""
        thinking = self._thinking
        body = thinking.body if thinking and thinking.streaming and thinking.expanded else None
        inline = self._lines.has_text or (body is not None and body.has_text)
        self.set_class(inline, "-cursor-inline")

    def _flush_thinking(self) -> None:
        thinking = self._thinking
        if thinking is None:
            thinking = self._thinking = Thinking(self, max_blocks=self.MAX_BLOCKS)
            if self._label.parent is self:  # else compose yields it
                self.mount(thinking, after=self._label)
        self._thinking_tail += "".join(self._thinking_buffer)
        self._thinking_buffer.clear()
        blocks, self._thinking_tail = split_finished_blocks(self._thinking_tail)
        tail = self._thinking_tail
        thinking.update(blocks, tail[: len(tail) - held_back(tail)])

    def _settle_thinking(self, *, fold: bool, ended: bool = False) -> None:
        """The answer began (or ``ended``: the summary counts all of the
        reasoning, even some that came after the answer began)."""
        thinking = self._thinking
        if thinking is not None and (thinking.streaming or ended):
            self._thinking_tail = ""  # any later reasoning follows what is shown
            thinking.settle(self.reasoning, fold=fold)

    def toggle_thinking(self) -> None:
        """Unfold the reasoning, or fold it to its summary line."""
        if self._thinking is not None:
            self._thinking.toggle()
            self._place_cursor()

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
        if self.is_attached:
            self._show_line(".answer--links", links(self.urls) if self.urls else None)

    def set_citations(self, citations: Sequence[Citation]) -> None:
        """The web pages the answer cites; listed under it with the ending."""
        self.citations = tuple(citations)
        if self.state != "streaming":
            self._show_extras()

    def set_usage(self, prompt_tokens: int, completion_tokens: int, model: str = "") -> None:
        """The tokens the question and the answer took; shown with the ending."""
        self.usage = (prompt_tokens, completion_tokens, model)
        if self.state != "streaming":
            self._show_extras()

    def set_withheld(self) -> None:
        """The service withheld part of the answer; said with the ending."""
        self.withheld = True
        if self.state != "streaming":
            self._show_extras()

    def _part(self, selector: str) -> Static | None:
        """One of its lines; ``None`` once gone (a closing screen removes them first)."""
        return next(iter(self.query_children(selector).results(Static)), None)

    def _show_line(self, selector: str, content: Text | str | None) -> None:
        if (widget := self._part(selector)) is None:
            return
        if content is not None:
            widget.update(content)
        widget.set_class(content is None, "-empty")

    def _show_extras(self) -> None:
        """References, tokens and the withheld warning, as a Reply shows them."""
        self._show_line(
            ".answer--references", references(self.citations) if self.citations else None
        )
        self._show_line(".answer--withheld", WITHHELD if self.withheld else None)
        self._show_line(".answer--usage", usage_text(*self.usage) or None)

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
            self._flush()
            self._settle_thinking(fold=bool(self.text.strip()), ended=True)
            self._lines.settle(self.text)
            if self.urls:
                self.set_urls(self.urls)
            self._show_extras()
        if (status := self._part(".answer--status")) is not None:
            status.update(status_text(state, self.retry_hint) or "…")

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
