"""Git's conflict markers left in a note (``<<<<<<<``, ``|||||||``, ``=======``, ``>>>>>>>``).

A note with an unresolved merge conflict is still read, as its first side ("ours"), so that
the contact stays listed while every command says where the conflict is. Pure: text in,
text out.
"""

from __future__ import annotations

import re

_START = re.compile(r"<{7}(?:[ \t].*)?$")
_BASE = re.compile(r"\|{7}(?:[ \t].*)?$")
_MIDDLE = re.compile(r"={7}[ \t]*$")
_END = re.compile(r">{7}(?:[ \t].*)?$")


def first_conflict_line(text: str) -> int | None:
    """The 1-based line of the first complete conflict (start, middle and end markers in
    order), or None. A lone ``=======`` (a Markdown heading's underline) is no conflict."""
    if "<<<<<<<" not in text:
        return None  # every note but a conflicted one, found without cutting it into lines
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _START.match(line) and _closes(lines, index + 1):
            return index + 1
    return None


def _closes(lines: list[str], start: int) -> bool:
    middle = False
    for line in lines[start:]:
        if _START.match(line):
            return False
        if _MIDDLE.match(line):
            middle = True
        elif _END.match(line):
            return middle
    return False


def first_side(text: str) -> str:
    """``text`` as its first side reads: the markers, the base and the other side become empty
    lines, so that every line left keeps its number (and blank lines are harmless in YAML)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    state = "outside"
    for line in lines:
        bare = line.rstrip("\r\n")
        ending = line[len(bare) :]
        if state == "outside" and _START.match(bare):
            state = "ours"
        elif state in ("ours", "base") and _BASE.match(bare):
            state = "base"
        elif state in ("ours", "base") and _MIDDLE.match(bare):
            state = "theirs"
        elif state == "theirs" and _END.match(bare):
            state = "outside"
        elif state in ("outside", "ours"):
            out.append(line)
            continue
        out.append(ending)
    return "".join(out)


def conflict_blocks(text: str) -> list[str]:
    """Each conflict's lines, markers included: an edit that leaves them all as they were landed
    outside every conflict (a log entry under a heading the merge did not touch)."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if current is None and _START.match(line):
            current = [line]
        elif current is not None:
            current.append(line)
            if _END.match(line):
                blocks.append("\n".join(current))
                current = None
    return blocks


def conflict_message(path: str, line: int) -> str:
    return f"unresolved merge conflict in {path} (line {line})"
