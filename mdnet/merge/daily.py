"""Three-way merge of a daily note: mdnet's block by its own rules, the user's text as any text; pure.

Two devices that refreshed the same day's note both rewrote the block between
``<!-- mdnet:begin -->`` and ``<!-- mdnet:end -->``, so a line merge conflicts on
every sync. The block is mdnet's: it is taken from this side (``ours``) and the next
``mdnet daily`` regenerates it. What must survive in it are the ticks: every ticked
task of either side is kept, once (a tick logged on one side, its line marked
``✓ logged``, wins over the same tick not yet logged on the other, so it is logged
once). The lines outside the block are the user's and are merged line by line,
conflicts and all.
"""

from __future__ import annotations

import difflib
import re

from mdnet.merge.notes import MergeResult, merge_text
from mdnet.note import document

# the markers and the logged mark as mdnet.features.daily_block writes them (a test keeps them equal)
BEGIN = "<!-- mdnet:begin -->"
END = "<!-- mdnet:end -->"
LOGGED = "✓ logged"
_TICKED_RE = re.compile(r"[ \t]*[-*+][ \t]+\[[xX]\][ \t]+\[\[")
_OPEN_RE = re.compile(r"[ \t]*[-*+][ \t]+\[ \][ \t]+\[\[([^\]|#]+)")
_TARGET_RE = re.compile(r"[ \t]*[-*+][ \t]+\[.\][ \t]+\[\[([^\]|#]+)")


def is_daily(*texts: str) -> bool:
    """Whether any of ``texts`` holds mdnet's block (a begin marker on a line by itself)."""
    return any(line.strip().lstrip("\ufeff") == BEGIN for text in texts for line in text.splitlines())


def merge_daily(base: str, ours: str, theirs: str, *, labels: tuple[str, str] = ("ours", "theirs")) -> MergeResult:
    """Merge two versions of a daily note that share ``base`` (see the module's docstring)."""
    if ours == theirs or theirs == base:
        return MergeResult(ours, ())
    if ours == base:
        return MergeResult(theirs, ())
    split = [_split(text) for text in (base, ours, theirs)]
    b, o, t = split
    if o is None or t is None:  # a side without one well-formed block: text like any other
        return merge_text(base, ours, theirs, labels=labels)
    skeleton = [s[0] + s[2] if s is not None else text for s, text in zip(split, (base, ours, theirs), strict=True)]
    if b is None:  # both devices made the day's note (no common version): what both have in common is the base
        skeleton[0] = _common(skeleton[1], skeleton[2])
    merged = merge_text(skeleton[0], skeleton[1], skeleton[2], labels=labels)
    newline = document.detect_newline(ours)
    block = _ticks_merged(o[1], t[1], newline)
    lines = document.lines(merged.text)
    begin = _line_of(lines, BEGIN)
    if not begin or lines.count(lines[begin - 1]) != 1:  # the markers themselves conflict: plain text
        return merge_text(base, ours, theirs, labels=labels)
    lines.insert(begin, "".join(block))
    added = "".join(block).count("\n")
    conflicts = tuple(type(c)(c.key, c.line + added, c.entry) if c.line > begin else c for c in merged.conflicts)
    return MergeResult("".join(lines), conflicts)


def _common(ours: str, theirs: str) -> str:
    """The lines both texts have, in order: the base of two notes made apart, so that a line only one
    side added merges cleanly and only different lines added at one place conflict."""
    a, b = document.lines(ours), document.lines(theirs)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return "".join(line for i, _j, size in matcher.get_matching_blocks() for line in a[i : i + size])


def _line_of(lines: list[str], marker: str) -> int:
    return next((i + 1 for i, line in enumerate(lines) if line.strip().lstrip("\ufeff") == marker), 0)


def _split(text: str) -> tuple[str, list[str], str] | None:
    """(text up to and including the begin marker line, the block's inner lines, the end marker line and
    the rest); None without exactly one begin marker followed by one end marker."""
    lines = document.lines(text)
    marks = [line.strip().lstrip("\ufeff") for line in lines]
    if marks.count(BEGIN) != 1 or marks.count(END) != 1:
        return None
    begin, end = marks.index(BEGIN), marks.index(END)
    if end < begin:
        return None
    return "".join(lines[: begin + 1]), lines[begin + 1 : end], "".join(lines[end:])


def _key(line: str) -> str:
    """A tick's identity: its line without the logged mark (which the refresh appends)."""
    return " ".join(line.replace(LOGGED, "").split())


def _ticks_merged(ours: list[str], theirs: list[str], newline: str) -> list[str]:
    """Our block, with each tick of theirs we do not have added before the end, and a tick we have
    unlogged that they logged replaced by their logged line."""
    out = list(ours)
    at = {_key(line): index for index, line in enumerate(out) if _TICKED_RE.match(line)}
    for line in theirs:
        if not _TICKED_RE.match(line):
            continue
        key = _key(line)
        bare = line.rstrip("\r\n")
        if key not in at:
            out.append(bare + newline)
            at[key] = len(out) - 1
        elif LOGGED in bare and LOGGED not in out[at[key]]:
            out[at[key]] = bare + newline
    ticked = {m.group(1).strip().casefold() for line in out if _TICKED_RE.match(line)
              and (m := _TARGET_RE.match(line))}  # fmt: skip
    # a contact ticked on either side is done that day: its open task goes (the refresh would hide it too)
    out = [line for line in out if not ((m := _OPEN_RE.match(line)) and m.group(1).strip().casefold() in ticked)]
    if out and not out[-1].endswith("\n"):
        out[-1] += newline
    return out
