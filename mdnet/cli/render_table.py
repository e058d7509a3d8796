"""A table drawn as plain lines: each column measured once, each row printed as it is.

rich's ``Table`` lays out every cell as a ``Text`` (measure, wrap, pad, cut into segments), which
for the due list of 3,000 contacts cost ten times the answer itself. The long listings (``due``,
``list``) are drawn by :class:`PlainTable` instead: the same frame as rich's default table (a
heavy head, bold headers, a title above), one pass over the cells to measure the columns
(wide characters count twice: :func:`rich.cells.cell_len`), and one line of segments per row.
Only the wrapping column (the reason, the tags) is wrapped, on words, a word longer than the
column folded; the others are never cut. A list (the tags: ``Column(separator=", ")``) wraps at its
separators, ``tag,`` kept together, and its column is made no narrower than its longest item while
the table can fit otherwise: an item is folded only when it is wider than the column.

Cell text is made printable here (:func:`mdnet.core.safe_text.printable`, before it is
measured), and every segment passes it once more in :class:`mdnet.cli.render_safe.SafeRenderable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from mdnet.core.safe_text import printable

__all__ = ["Cell", "Column", "PlainTable", "align", "text_width"]

Cell = str | tuple[str, str]
"""A cell: its text, or its text and a rich style (``("2.3x", "bold red")``)."""


@dataclass(frozen=True)
class Column:
    header: str
    wrap: bool = False  # the column that wraps (one per table at most is the intent); the others are never cut
    right: bool = False  # right-justified (numbers)
    separator: str | None = None  # a wrapping column's cells are lists joined by this (", "): wrapped between items


_WORD = re.compile(r"\S+\s*")
_HEADER = Style(bold=True)
_HEADER_COLUMN = Column("", wrap=True)  # a header wraps on its words
_WRAP_FLOOR = 8  # the narrowest a wrapping column is made before the fixed columns' headers wrap


def text_width(text: str) -> int:
    """``text``'s width in cells: its length when ASCII (printable text has no ASCII control left)."""
    return len(text) if text.isascii() else cell_len(text)


def _clean(text: str) -> list[str]:
    """A cell's lines, printable, a tab a space."""
    return printable(text).replace("\t", " ").replace("\r\n", "\n").split("\n")


def _wrap(line: str, width: int) -> list[str]:
    """``line`` wrapped on words to ``width`` cells; a word longer than that folded."""
    if text_width(line) <= width:
        return [line]
    lines: list[str] = []
    current, used = "", 0
    for match in _WORD.finditer(line):
        word = match.group()
        size = text_width(word)
        bare = size - (len(word) - len(word.rstrip()))  # the trailing spaces may hang past the edge
        if used and used + bare > width:
            lines.append(current.rstrip())
            current, used = "", 0
        if bare > width:  # fold a word wider than the column
            pieces = chop_cells(word.rstrip(), width)
            lines.extend(pieces[:-1])
            current, used = pieces[-1], text_width(pieces[-1])
            if word != word.rstrip():
                current += " "
                used += 1
            continue
        current += word
        used += size
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _items(line: str, separator: str) -> list[str]:
    """A list's items as they are printed: each but the last with the separator's mark (``tag,``)."""
    parts = line.split(separator)
    mark = separator.rstrip()
    return [part + mark for part in parts[:-1]] + parts[-1:]


def _wrap_list(line: str, width: int, separator: str) -> list[str]:
    """``line``, a list joined by ``separator``, wrapped to ``width`` cells between its items (``tag,``
    kept together, never a line starting with a comma); an item wider than the column wrapped on its own,
    its mark dropped when only the mark would not fit (the line's end parts the items then)."""
    if text_width(line) <= width:
        return [line]
    mark = separator.rstrip()
    gap = separator[len(mark) :] or " "
    lines: list[str] = []
    current, used = "", 0
    for item in _items(line, separator):
        size = text_width(item)
        if current and used + len(gap) + size <= width:
            current, used = current + gap + item, used + len(gap) + size
            continue
        if current:
            lines.append(current)
        if size > width:  # an item wider than the column: alone on its line(s), its mark kept where it fits
            bare = item[: -len(mark)] if mark and item.endswith(mark) else item
            pieces = _wrap(bare, width) if text_width(bare) > width else [bare]  # never a line of a lone ","
            if bare != item and text_width(pieces[-1]) + len(mark) <= width:
                pieces[-1] += mark
            lines.extend(pieces[:-1])
            current = pieces[-1]
            used = text_width(current)
        else:
            current, used = item, size
    lines.append(current)
    return lines


class PlainTable:
    """A table of ``rows`` under ``columns``, with a ``title`` line above it (rich's look, a fraction of
    its cost). Rows are sequences of :data:`Cell`, one per column."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Cell]],
        title: str | None = None,
        title_style: str = "italic",
    ) -> None:
        self.columns = list(columns)
        self.title = title
        self.title_style = title_style
        self._headers = [_clean(c.header) for c in self.columns]
        self._cells: list[list[tuple[list[str], str]]] = []
        natural = [max(text_width(line) for line in header) for header in self._headers]
        for row in rows:
            cells = []
            for i, cell in enumerate(row):
                text, style = (cell, "") if isinstance(cell, str) else cell
                lines = _clean(text)
                width = max(text_width(line) for line in lines)
                if width > natural[i]:
                    natural[i] = width
                cells.append((lines, style))
            self._cells.append(cells)
        self._natural = natural

    def widths(self, width: int) -> list[int]:
        """Each column's width for a terminal ``width`` cells wide: the natural widths if they fit; else the
        wrapping columns narrowed (to no less than their header's longest word, or a few cells), then the
        other columns' headers wrapped, then the wrapping columns narrowed to a cell if need be. A table
        still too wide is drawn as it is (the terminal wraps its lines): a name or a date is never cut."""
        widths = list(self._natural)
        excess = sum(widths) + 3 * len(widths) + 1 - width
        last = [(i, 1) for i, column in enumerate(self.columns) if column.wrap]
        for floors in (self._floors(wrapping=True), self._floors(wrapping=False), last):
            for i, floor in floors:
                if excess <= 0:
                    return widths
                cut = min(excess, widths[i] - floor)
                if cut > 0:
                    widths[i] -= cut
                    excess -= cut
        return widths

    def _floors(self, wrapping: bool) -> list[tuple[int, int]]:
        floors = []
        for i, column in enumerate(self.columns):
            if column.wrap != wrapping:
                continue
            word = max((text_width(w) for line in self._headers[i] for w in line.split()), default=1)
            if wrapping:
                floor = _WRAP_FLOOR
                if column.separator is not None:  # no narrower than the longest item: none is folded
                    floor = max([floor] + [text_width(item) for row in self._cells for line in row[i][0]
                                           for item in _items(line, column.separator)])  # fmt: skip
                floors.append((i, max(word, min(floor, self._natural[i]))))
            else:  # only the header may wrap: the cells are never cut
                cells = max((text_width(line) for row in self._cells for line in row[i][0]), default=0)
                floors.append((i, max(word, cells)))
        return floors

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        full = sum(self._natural) + 3 * len(self._natural) + 1
        return Measurement(min(full, options.max_width), full)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment | Text]:
        widths = self.widths(options.max_width)
        if self.title is not None:
            yield Text(printable(self.title), style=self.title_style)
        new_line = Segment.line()
        yield Segment("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
        yield new_line
        headers = [(self._fit(lines, w, _HEADER_COLUMN), "") for lines, w in zip(self._headers, widths, strict=True)]
        yield from self._row(headers, widths, "┃", _HEADER)
        yield Segment("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
        yield new_line
        for row in self._cells:
            cells = [(self._fit(lines, widths[i], self.columns[i]), style) for i, (lines, style) in
                     enumerate(row)]  # fmt: skip
            yield from self._row(cells, widths, "│", None)
        yield Segment("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
        yield new_line

    @staticmethod
    def _fit(lines: list[str], width: int, column: Column) -> list[str]:
        if not column.wrap or len(lines) == 1 and text_width(lines[0]) <= width:
            return lines
        if column.separator is not None:
            return [piece for line in lines for piece in _wrap_list(line, width, column.separator)]
        return [piece for line in lines for piece in _wrap(line, width)]

    def _row(
        self, cells: list[tuple[list[str], str]], widths: list[int], bar: str, header: Style | None
    ) -> Iterator[Segment]:
        height = max(len(lines) for lines, _ in cells)
        for n in range(height):
            plain = bar  # runs of unstyled text are joined into one segment
            for i, (lines, style) in enumerate(cells):
                text = lines[n] if n < len(lines) else ""
                pad = " " * (widths[i] - text_width(text))
                padded = pad + text if self.columns[i].right else text + pad
                if header is not None:
                    yield Segment(plain)
                    yield Segment(f" {padded} ", header)
                    plain = bar
                elif style:
                    yield Segment(plain + " ")
                    yield Segment(padded, Style.parse(style))
                    plain = " " + bar
                else:
                    plain += f" {padded} {bar}"
            yield Segment(plain)
            yield Segment.line()


def align(tables: Sequence[PlainTable]) -> None:
    """Give ``tables`` (the same columns each: a due list's buckets) the same column widths, each column
    as wide as its widest cell in any of them: the tables of one listing look alike, one above the other."""
    if len(tables) < 2:
        return
    widest = [max(widths) for widths in zip(*(table._natural for table in tables), strict=True)]
    for table in tables:
        table._natural = list(widest)
