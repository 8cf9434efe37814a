"""Copy code block's dialog: an answer's code blocks by number, language
and length; Enter (or the block's digit) picks one."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...widgets.code_blocks import CodeBlock
from ..dialogs import DialogScreen

__all__ = ["CodeBlockPicker", "block_content"]

PREVIEW = 40
"""How much of a block's first line its entry shows."""


def block_content(block: CodeBlock, number: int) -> Content:
    """``2 python (12 lines)  def greet():…``, the code as plain text."""
    first = next((line.strip() for line in block.code.splitlines() if line.strip()), "")
    if len(first) > PREVIEW:
        first = first[: PREVIEW - 1] + "…"
    return Content.assemble(block.describe(number), (f"  {first}", "dim"))


class CodeBlockPicker(DialogScreen[int | None]):
    """Choose one of an answer's code blocks; dismisses with its index, or ``None``."""

    AUTO_FOCUS = "#blocks"

    DEFAULT_CSS = """
    CodeBlockPicker #blocks {
        height: auto;
        max-height: 14;
        margin-top: 1;
    }
    """

    def __init__(self, blocks: Sequence[CodeBlock]) -> None:
        super().__init__()
        self.blocks = list(blocks)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Copy code block"
            yield Static(
                "Enter copies the highlighted block (or press its number); escape closes.",
                classes="dialog-message",
                markup=False,
            )
            yield OptionList(
                *(Option(block_content(b, n)) for n, b in enumerate(self.blocks, 1)),
                id="blocks",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_key(self, event: events.Key) -> None:
        digit = event.character or ""
        if len(digit) == 1 and digit in "123456789":
            index = int(digit) - 1
            if index < len(self.blocks):
                event.stop()
                self.dismiss(index)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
