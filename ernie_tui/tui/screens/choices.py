"""Dialogs for a conversation's settings: the model it uses and its system
prompt. Model ids and prompts come from the service or the user: shown
through :mod:`ernie_tui.tui.plain`, never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ...backends import ModelChoice
from ...sanitize import clean, clean_line
from ..widgets.text_input import TextBox
from .dialogs import DialogScreen

__all__ = ["ModelPicker", "SystemPromptDialog"]


def model_content(model: ModelChoice, current: str) -> Content:
    name = clean_line(model.label or model.id)
    parts: list[str | tuple[str, str]] = [name]
    if model.label and model.label != model.id:
        parts.append((f"  {clean_line(model.id)}", "dim"))
    notes = []
    if model.reasoning:
        notes.append("thinks first")
    if model.context_tokens:
        notes.append(f"{model.context_tokens // 1024}K context")
    if notes:
        parts.append((f"  ({', '.join(notes)})", "dim"))
    if model.id == current:
        parts.append(("  ✓ current", "bold"))
    return Content.assemble(*parts)


class ModelPicker(DialogScreen[str | None]):
    """Choose the model of a conversation (or of new ones); dismisses with its
    id, or ``None``."""

    AUTO_FOCUS = "#models"

    DEFAULT_CSS = """
    ModelPicker #models {
        height: auto;
        max-height: 16;
        margin-top: 1;
    }
    """

    def __init__(self, models: Sequence[ModelChoice], current: str, *, scope: str) -> None:
        super().__init__()
        self.models = list(models)
        if current and current not in {m.id for m in self.models}:
            self.models.insert(0, ModelChoice(current))
        self.current = current
        self.scope = scope

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Choose model"
            yield Static(
                Content(f"The model {clean_line(self.scope)} uses:"),
                classes="dialog-message",
                markup=False,
            )
            yield OptionList(
                *(Option(model_content(m, self.current), id=m.id) for m in self.models),
                id="models",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, model in enumerate(self.models):
            if model.id == self.current:
                options.highlighted = index

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SystemPromptDialog(DialogScreen[str | None]):
    """Edit a conversation's system prompt; dismisses with the text (empty:
    none), or ``None``."""

    AUTO_FOCUS = "#prompt"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="prompt.save",
            tooltip="Keep this system prompt",
            priority=True,
        ),
    ]

    DEFAULT_CSS = """
    SystemPromptDialog #prompt {
        height: 8;
        margin-top: 1;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = clean(current)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "System prompt"
            yield Static(
                "Sent first with every question of this conversation (ctrl+s saves; empty: none).",
                classes="dialog-message",
                markup=False,
            )
            yield TextBox(self.current, id="prompt", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
