"""Export conversation: the dialog that asks where and in which format, and
the writing of the file (the same documents as the command line's
``export``: :mod:`ernie_tui.core.export`)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from ...backends import ConversationDetail
from ...core.export import conversation_json, conversation_markdown
from ...sanitize import clean_line
from ..widgets.text_input import TextInput
from .dialogs import DialogScreen

__all__ = ["ExportDialog", "Format", "default_export_path", "write_export"]

Format = Literal["md", "json"]

_UNSAFE = re.compile(r"[^\w\-. ]+")


def default_export_path(folder: Path, name: str, fmt: Format) -> Path:
    """``folder/<the name, made a safe file name>.<fmt>``."""
    stem = _UNSAFE.sub("_", clean_line(name)).strip(" ._") or "conversation"
    return folder / f"{stem[:80]}.{fmt}"


def write_export(
    path: Path, detail: ConversationDetail, fmt: Format, *, system_prompt: str = ""
) -> int:
    """Write the conversation to ``path`` (its folder made if needed), whole
    or not at all: a temporary file beside it, renamed over it. Returns the
    bytes written; raises :class:`OSError`."""
    if fmt == "json":
        text = json.dumps(
            conversation_json(detail, system_prompt=system_prompt), ensure_ascii=False, indent=2
        )
        data = (text + "\n").encode("utf-8", "surrogatepass")
    else:
        data = conversation_markdown(detail, system_prompt=system_prompt).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return len(data)


class ExportDialog(DialogScreen[tuple[Path, Format] | None]):
    """Ask for the file and the format; dismisses with them, or ``None``."""

    AUTO_FOCUS = "#export-path"

    DEFAULT_CSS = """
    ExportDialog #export-path {
        width: 1fr;
        margin-top: 1;
    }
    ExportDialog #export-format {
        margin-top: 1;
        width: 1fr;
    }
    """

    def __init__(self, folder: Path, name: str, *, reason: str = "") -> None:
        super().__init__()
        self.folder = folder
        self.name_ = name
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "Export conversation"
            if self.reason:
                yield Static(self.reason, classes="dialog-hint", markup=False)
            yield Static("Save it as:", classes="dialog-message", markup=False)
            with RadioSet(id="export-format"):
                yield RadioButton("Markdown (to read)", value=True, id="format-md")
                yield RadioButton("JSON (everything, to process)", id="format-json")
            path = str(default_export_path(self.folder, self.name_, "md"))
            yield TextInput(path, placeholder="File to write", id="export-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", id="export", variant="primary")

    @property
    def format(self) -> Format:
        return "json" if self.query_one("#format-json", RadioButton).value else "md"

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        box = self.query_one("#export-path", Input)
        path = Path(box.value.strip() or default_export_path(self.folder, self.name_, "md"))
        box.value = str(path.with_suffix("." + self.format))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.app.bell()
            return
        self.dismiss((Path(text).expanduser(), self.format))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
