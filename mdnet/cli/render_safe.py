"""Rich renderables made safe to print: no control character from a vault reaches the terminal.

The renderers build tables and cards from names, fields and log text as they are. Before a
renderable is printed, :func:`safe_renderable` replaces the control characters in the text it
holds (:func:`mdnet.core.safe_text.printable`, one visible character for one, so rich measures the
columns as they will print), and every segment rich renders passes :func:`printable` once more
on its way out, whatever kind of renderable made it: the first keeps tables aligned, the second
is the guarantee. Rich's colours are styles, not text, and survive both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from mdnet.core.safe_text import printable

__all__ = ["SafeRenderable", "safe_renderable"]


def safe_renderable(renderable: Any) -> Any:
    """``renderable`` with the text it holds made printable (in place for tables, groups and panels:
    they are built for one print)."""
    if isinstance(renderable, str):
        return printable(renderable)
    if isinstance(renderable, Text):
        safe = renderable.copy()
        safe.plain = printable(safe.plain)  # same length: the styles' spans stay where they were
        return safe
    if isinstance(renderable, Table):
        renderable.title = safe_renderable(renderable.title)
        renderable.caption = safe_renderable(renderable.caption)
        for column in renderable.columns:
            column.header = safe_renderable(column.header)
            column._cells = [safe_renderable(cell) for cell in column._cells]
    elif isinstance(renderable, Group):
        renderable._renderables = tuple(safe_renderable(part) for part in renderable._renderables)
    elif isinstance(renderable, Panel):
        renderable.renderable = safe_renderable(renderable.renderable)
        renderable.title = safe_renderable(renderable.title)
        renderable.subtitle = safe_renderable(renderable.subtitle)
    elif isinstance(renderable, Padding):
        renderable.renderable = safe_renderable(renderable.renderable)
    return renderable


class SafeRenderable:
    """Renders another renderable, made safe, and replaces the control characters in every segment."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = safe_renderable(inner)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for segment in console.render(self.inner, options):
            if not segment.control:  # cursor moves: rich makes none for a print
                yield Segment(printable(segment.text), segment.style)
