"""Text that is not the project's own, on its way to the screen.

The rule: every string that does not come from the project's own source
(server replies, the user's input, config values, file names) reaches a
widget as :class:`~textual.content.Content` or Rich ``Text`` built from
cleaned text, never as a ``str`` that Textual would parse as markup. A
conversation named ``[@click=app.quit]x[/]`` is shown as exactly that, runs
nothing, writes no hyperlink and cannot crash the app with a stray ``[/x]``.

- :func:`plain` / :func:`plain_block`: one line / several lines of untrusted
  text as ``Content``, cleaned of control characters.
- :class:`Safe`: wraps a Rich renderable (an answer's ``Markdown``) and cleans
  every segment's text as it is rendered: markdown-it decodes character
  references (``&#x202E;``) after the input was cleaned, so the last step
  before the screen cleans again, and drops any hyperlink style.
- :func:`clean_strip_segments`: the same for a line-API widget's segments.

Notifications go through ``ErnieApp.notify``, which always shows its message
as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from textual.content import Content

from ..sanitize import clean, clean_line, clean_rendered

__all__ = ["Safe", "clean_segments", "plain", "plain_block"]


def plain(text: str) -> Content:
    """One line of untrusted text: plain content, no markup, no controls."""
    return Content(clean_line(text))


def plain_block(text: str) -> Content:
    """Untrusted text of several lines: plain content, no markup, no controls."""
    return Content(clean(text))


def _safe_style(style: Style | None) -> Style | None:
    if style is None or not style.link:
        return style
    return style.update_link(None)


def clean_segments(segments: Iterable[Segment]) -> list[Segment]:
    """``segments`` with their text cleaned (control, bidi, zero-width and tag
    characters removed) and without hyperlinks; control segments dropped."""
    out: list[Segment] = []
    append = out.append
    for text, style, control in segments:
        if control:
            continue
        cleaned = clean_rendered(text)
        if style is not None and style.link:
            style = _safe_style(style)
        append(Segment(cleaned, style))
    return out


class Safe:
    """A Rich renderable whose output is cleaned at the last step."""

    __slots__ = ("renderable",)

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from clean_segments(console.render(self.renderable, options))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)
