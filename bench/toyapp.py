"""A tiny chat app, used only to validate the benchmark harness before the real
app existed: `python -m bench.toyapp --base-url URL` with the credential in
`ERNIE_BAIDUID` / `ERNIE_BDUSS_BFESS`.

Sidebar: a filter box (ctrl+f) over an `OptionList`; Tab to the list, Enter
opens a conversation. Composer: a `TextArea`, Enter sends. Streaming: each
finished markdown block is mounted once as a `Static`; the unfinished tail is
re-rendered at most 20 times a second.
"""

from __future__ import annotations

import argparse
import os

from rich.markdown import Markdown
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ernie_tui.api import ErnieClient, Session
from ernie_tui.sanitize import clean

KEEP = 60  # history messages mounted


def _split_finished(text: str) -> tuple[list[str], str]:
    """Finished top-level blocks (blank line outside a code fence) and the tail."""
    blocks: list[str] = []
    start = 0
    fence = False
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            fence = not fence
        pos += len(line)
        if not fence and line.strip() == "" and line.endswith("\n"):
            block = text[start:pos].strip("\n")
            if block:
                blocks.append(block)
            start = pos
    return blocks, text[start:]


class ToyApp(App[None]):
    CSS = """
    #sidebar { width: 36; }
    #history { height: 1fr; }
    #composer { height: 5; }
    .user { color: $accent; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+f", "filter", "Filter", priority=True),
        Binding("enter", "send", "Send", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.client = ErnieClient(
            os.environ["ERNIE_BAIDUID"], os.environ["ERNIE_BDUSS_BFESS"], base_url=base_url
        )
        self.sessions: list[Session] = []
        self.session_id = ""
        self.parent_chat = "0"

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="sidebar"):
                yield Input(placeholder="filter", id="filter")
                yield OptionList(id="convs")
            with Vertical():
                yield VerticalScroll(id="history")
                yield TextArea(id="composer")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history", VerticalScroll).anchor()
        self.query_one("#composer").focus()
        self.load_list()

    @work(exclusive=True, group="list", exit_on_error=False)
    async def load_list(self) -> None:
        convs = await self.client.list_conversations()
        self.sessions = list(convs.all())
        self._fill("")

    def _fill(self, needle: str) -> None:
        options = self.query_one("#convs", OptionList)
        options.clear_options()
        options.add_options(
            [Option(clean(s.name), id=s.session_id) for s in self.sessions if needle in s.name]
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.open(str(event.option.id))

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open(self, session_id: str) -> None:
        base = next(s for s in self.sessions if s.session_id == session_id)
        detail = await self.client.get_conversation_detail(session_id, base=base)
        if detail is None:
            return
        self.session_id = session_id
        self.parent_chat = detail.current_chat_id
        history = self.query_one("#history", VerticalScroll)
        await history.remove_children()
        widgets = [
            Static(clean(c.text), classes="user")
            if c.role == "user"
            else Static(Markdown(clean(c.text)))
            for c in detail.messages[-KEEP:]
        ]
        await history.mount_all(widgets)
        history.anchor()

    def action_filter(self) -> None:
        self.query_one("#filter").focus()

    def action_send(self) -> None:
        focused = self.focused
        if isinstance(focused, TextArea):
            question = focused.text.strip()
            if question:
                focused.clear()
                self.ask(question)
        elif isinstance(focused, OptionList) and focused.highlighted is not None:
            focused.action_select()
        elif isinstance(focused, Input):
            options = self.query_one("#convs", OptionList)
            options.focus()
            if options.option_count:
                options.highlighted = 0

    @work(exclusive=True, group="ask", exit_on_error=False)
    async def ask(self, question: str) -> None:
        history = self.query_one("#history", VerticalScroll)
        await history.mount(Static(clean(question), classes="user"))
        tail = Static("")
        await history.mount(tail)
        history.anchor()
        text = ""
        shown = 0
        last = 0.0
        async with self.client.ask_stream(question, self.session_id, self.parent_chat) as stream:
            async for piece in stream:
                text += clean(piece.text)
                now = self._loop_time()
                if now - last < 0.05:
                    continue
                last = now
                shown = await self._render(history, tail, text, shown)
            if stream.answer is not None:
                text = clean(stream.answer.text)
                self.session_id = stream.answer.session_id or self.session_id
                self.parent_chat = stream.answer.bot_chat_id or self.parent_chat
        await self._render(history, tail, text + "\n\n", shown)

    async def _render(self, history: VerticalScroll, tail: Static, text: str, shown: int) -> int:
        blocks, rest = _split_finished(text)
        if len(blocks) > shown:
            await history.mount_all([Static(Markdown(b)) for b in blocks[shown:]], before=tail)
            shown = len(blocks)
        tail.update(Markdown(rest) if rest.strip() else "")
        return shown

    def _loop_time(self) -> float:
        import time

        return time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    ToyApp(parser.parse_args().base_url).run()


if __name__ == "__main__":
    main()
