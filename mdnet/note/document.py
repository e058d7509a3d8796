"""Text <-> front matter + body, byte for byte, and line-level edits.

A note is split without losing a byte: ``join(split(text)) == text`` for every
text, including a byte-order mark, CRLF line endings, no front matter at all, an
unclosed fence, and ``---`` horizontal rules in the body (front matter is only ever
a fence on line 1, closed by a later ``---`` or ``...`` line, as Obsidian reads it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOM = "\ufeff"
_FENCE_RE = re.compile(r"---[ \t]*(\r?\n|$)")
# The closing fence: a line that starts with --- or ..., searched from the newline before the first line of
# the front matter, and the fence is group 1. "^" in a search tries every position, and a pattern starting with
# the marker (then a look-behind for the line's start) every '-' and '.' of the front matter: dates, lists and
# e-mail addresses hold many (some 23,000 instructions a note). A pattern starting with "\n" tries only where a
# line starts.
_CLOSE_RE = re.compile(r"\n((?:---|\.\.\.)[ \t]*(?:\r?\n|$))", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Document:
    """A note split into its parts; concatenating them gives the text back.

    ``opening`` and ``closing`` are the fence lines with their line endings (empty
    when there is no front matter); ``front_matter`` is the YAML between them, or
    ``None`` when the note has none. ``yaml_line`` is the 1-based line number of the
    first YAML line and ``body_line`` that of the first body line.
    """

    bom: bool
    opening: str
    front_matter: str | None
    closing: str
    body: str
    newline: str
    unclosed: bool = False

    @property
    def yaml_line(self) -> int:
        return 2

    @property
    def body_line(self) -> int:
        if self.front_matter is None:
            return 1
        return 2 + self.front_matter.count("\n") + (1 if self.closing.endswith("\n") else 0)

    def text(self) -> str:
        return (BOM if self.bom else "") + self.opening + (self.front_matter or "") + self.closing + self.body


def detect_newline(text: str) -> str:
    """The note's own line ending: that of its first line, LF when it has none."""
    first = text.find("\n")
    if first > 0 and text[first - 1] == "\r":
        return "\r\n"
    return "\n"


def split(text: str) -> Document:
    """Split a decoded note (a leading BOM is allowed) into a :class:`Document`."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    newline = detect_newline(text)
    opening_match = _FENCE_RE.match(text)
    if opening_match is None or (opening_match.group(1) == "" and len(text) > opening_match.end()):
        return Document(bom, "", None, "", text, newline)
    opening = text[: opening_match.end()]
    if not opening_match.group(1):
        return Document(bom, "", None, "", text, newline, unclosed=True)
    rest_start = opening_match.end()
    closing_match = _CLOSE_RE.search(text, rest_start - 1)  # the opening fence's line ends in "\n"
    if closing_match is None:
        return Document(bom, "", None, "", text, newline, unclosed=True)
    return Document(
        bom,
        opening,
        text[rest_start : closing_match.start(1)],
        closing_match.group(1),
        text[closing_match.end(1) :],
        newline,
    )


def lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n``, line endings kept: the lines as YAML, Markdown and git count them.

    Not ``str.splitlines``, which also cuts at form feeds, ``\\x85``, U+2028 and other
    characters that may stand inside a YAML value or a log entry; an edit made on its
    lines would cut such a value in two. ``"".join(lines(text)) == text`` always.
    """
    parts = [part + "\n" for part in text.split("\n")]
    last = parts.pop()[:-1]
    if last:
        parts.append(last)
    return parts


_FENCE_OPEN_RE = re.compile(r" {0,3}(`{3,}|~{3,})([^\r\n]*)")


def mask_code_blocks(text: str) -> str:
    """``text`` with every line of a fenced code block (its fences too) turned into spaces.

    What is inside a fence is code, not Markdown: a ``## Log`` or ``# comment`` there
    is no heading and ``- 2020-01-01`` no log entry, as Obsidian shows it. The result
    has the same length, lines and line endings, so that positions found in it are
    positions in ``text``. An unclosed fence runs to the end, as in CommonMark.
    """
    if "```" not in text and "~~~" not in text:
        return text
    out: list[str] = []
    fence = ""
    for line in lines(text):
        content = line.rstrip("\r\n")
        if not fence:
            opening = _FENCE_OPEN_RE.fullmatch(content)
            if opening is None or (opening.group(1)[0] == "`" and "`" in opening.group(2)):
                out.append(line)
                continue
            fence = opening.group(1)
        else:
            stripped = content.strip(" \t")
            if (
                len(content) - len(content.lstrip(" ")) <= 3
                and len(stripped) >= len(fence)
                and stripped == fence[0] * len(stripped)
            ):
                fence = ""
        out.append(" " * len(content) + line[len(content) :])
    return "".join(out)


def ends_in_code_block(text: str) -> bool:
    """Whether a line added at the end of ``text`` would be inside a fenced code block (one never closed)."""
    return mask_code_blocks(text + "\nx").endswith(" ")


class DecodeProblem(ValueError):
    """Bytes that are not UTF-8, located by 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) to text; the BOM is kept as U+FEFF for :func:`split`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DecodeProblem(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded (save the file as UTF-8)",
            line,
            column,
        ) from None
