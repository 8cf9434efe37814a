"""The reasoning a thinking model shows before its answer.

:class:`Thinking` sits above a streamed answer's text: dimmed, one summary
line and the reasoning below it. It streams unfolded while only reasoning
arrives, and folds to its summary line ("▸ Thought for N characters …") when
the answer's text begins, unless the user already chose; a click on the
summary line (or ``t`` / ``enter`` in the history pane) unfolds it again. The
reasoning is an :class:`~.answer_text.AnswerText`, so an increment costs what
an answer's does: only the unfinished tail is rendered again.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from .answer_parts import thinking_summary
from .answer_text import AnswerText
from .messages import ThinkingClicked

__all__ = ["Thinking"]


class Thinking(Vertical):
    """A streamed answer's reasoning: unfolded while it streams, folded once
    the answer begins."""

    DEFAULT_CSS = """
    Thinking {
        height: auto;
    }
    Thinking > .thinking--summary {
        height: auto;
        color: $text-muted;
    }
    Thinking > .thinking--text {
        color: $text-muted;
        margin: 0 0 1 0;
    }
    Thinking.-folded > .thinking--text {
        display: none;
    }
    """

    def __init__(self, answer: Widget, *, max_blocks: int) -> None:
        super().__init__(classes="answer--thinking")
        self.answer = answer
        """The answer this reasoning belongs to (named by :class:`ThinkingClicked`)."""
        self.expanded = True
        self.streaming = True
        self.chosen = False
        """The user folded or unfolded it: it is not folded by itself any more."""
        self.chars = 0
        self.body = AnswerText(max_blocks=max_blocks, classes="thinking--text", cursor="…")
        self._summary = Static(self._summary_text(), classes="thinking--summary", markup=False)

    def compose(self) -> ComposeResult:
        yield self._summary
        yield self.body

    def _summary_text(self) -> str:
        return thinking_summary(self.chars, expanded=self.expanded, streaming=self.streaming)

    def _show(self) -> None:
        self.set_class(not self.expanded, "-folded")
        self._summary.update(self._summary_text())

    def update(self, blocks: Sequence[str], tail: str) -> None:
        """Newly finished blocks of the reasoning and its unfinished tail (as
        :meth:`AnswerText.update`)."""
        self.body.update(blocks, tail)

    def settle(self, text: str, *, fold: bool) -> None:
        """The reasoning ended (``text`` is all of it); fold it to its summary
        line if ``fold`` and the user did not choose otherwise. Folded, it is
        rendered again only when it is unfolded."""
        self.chars = len(text)
        if self.streaming:
            self.streaming = False
            if fold and not self.chosen:
                self.expanded = False
            self.body.settle(text, render=self.expanded)
        self._show()

    def toggle(self) -> None:
        """Unfold the reasoning, or fold it to its summary line."""
        self.chosen = True
        self.expanded = not self.expanded
        self._show()

    def on_click(self, event: events.Click) -> None:
        if self._summary.region.contains_point(event.screen_offset):
            event.stop()
            self.post_message(ThinkingClicked(self.answer))
