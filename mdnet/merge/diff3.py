"""diff3 over any sequences of comparable tokens: the walk both the note merge and its tests use.

Apart from :mod:`mdnet.merge.notes` because it knows nothing of notes: the merge runs it on lines,
and on the skeleton of a note where a whole front matter key or the whole Log is one token.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence
from typing import Any

# A merged chunk: ("same", ours_lo, ours_hi) lines kept from ours; ("theirs", lo, hi) lines of theirs;
# ("conflict", (ours_lo, ours_hi), (theirs_lo, theirs_hi)).
Chunk = tuple[Any, ...]


def diff3(base: Sequence[Hashable], ours: Sequence[Hashable], theirs: Sequence[Hashable]) -> list[Chunk]:
    """Merge three sequences of comparable tokens into chunks (the classic diff3 walk).

    Stable tokens are those of ``base`` matched in both sides; between two stable
    tokens, a region changed on one side takes that side, the same change on both
    sides is taken once, and different changes are a conflict (trimmed of the lines
    both sides share at its start and end, as git's "zealous" merge does).
    """
    ours_at = _matches(base, ours)
    theirs_at = _matches(base, theirs)
    chunks: list[Chunk] = []
    i = io = it = 0
    while True:
        j = i
        while j < len(base) and not (j in ours_at and j in theirs_at):
            j += 1
        jo, jt = (ours_at[j], theirs_at[j]) if j < len(base) else (len(ours), len(theirs))
        o_part, t_part, b_part = ours[io:jo], theirs[it:jt], base[i:j]
        if o_part or t_part or b_part:
            if list(o_part) == list(t_part) or list(t_part) == list(b_part):
                chunks.append(("same", io, jo))
            elif list(o_part) == list(b_part):
                chunks.append(("theirs", it, jt))
            else:
                chunks.extend(_trimmed_conflict(ours, theirs, io, jo, it, jt))
        if j >= len(base):
            break
        chunks.append(("same", jo, jo + 1))
        i, io, it = j + 1, jo + 1, jt + 1
    return chunks


def _matches(base: Sequence[Hashable], other: Sequence[Hashable]) -> dict[int, int]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    found: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            found[a + k] = b + k
    return found


def _trimmed_conflict(
    ours: Sequence[Hashable], theirs: Sequence[Hashable], io: int, jo: int, it: int, jt: int
) -> list[Chunk]:
    head = 0
    while io + head < jo and it + head < jt and ours[io + head] == theirs[it + head]:
        head += 1
    tail = 0
    while jo - tail > io + head and jt - tail > it + head and ours[jo - tail - 1] == theirs[jt - tail - 1]:
        tail += 1
    chunks: list[Chunk] = []
    if head:
        chunks.append(("same", io, io + head))
    chunks.append(("conflict", (io + head, jo - tail), (it + head, jt - tail)))
    if tail:
        chunks.append(("same", jo - tail, jo))
    return chunks
