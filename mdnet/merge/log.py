"""The Log sections of two versions of a note, merged entry by entry: the union, newest first, each once.

Apart from :mod:`mdnet.merge.notes` (the note's merge, which hands it the entries of each side) because
this is the one part of a merge that knows what an interaction is: an entry one side deleted or
edited stays so, an entry added on either side is never lost, two copies of one entry written on
one day are two interactions, and one entry edited differently on both sides is a conflict.
"""

from __future__ import annotations

import difflib
from typing import Any

# One entry: ((date, time), its identity (the lines without endings), its lines as written).
Entries = list[tuple[tuple[str, str], tuple[str, ...], list[str]]]
# Where a merged entry's lines come from: ours (as they are), theirs (given ours' line ending), or a conflict.
OURS: Any = None
THEIRS: Any = "theirs"
CONFLICT: Any = "conflict"


def merge_entries(base: Entries, ours: Entries, theirs: Entries) -> list[tuple[Any, Any]]:
    """Log entries of both sides, newest first, each once; deletions and edits of one side are kept.

    Returns (origin side marker, lines): the origin is ``None`` for lines from ours, else "theirs";
    one entry edited differently on both sides is a real conflict, (``CONFLICT``, (ours' lines,
    theirs' lines)), never both versions as if they were two interactions.
    An entry written twice (two calls on one day, in the same words) is two entries: each
    copy is told apart by its number among its equals, so both survive.
    """
    b_ids = [e[1] for e in base]
    o_ids = [e[1] for e in ours]
    t_ids = [e[1] for e in theirs]
    if t_ids in (b_ids, o_ids):
        return [(OURS, e[2]) for e in ours]
    if o_ids == b_ids:
        return [(THEIRS, e[2]) for e in theirs]
    base, ours, theirs = _numbered(base), _numbered(ours), _numbered(theirs)
    b_ids = [e[1] for e in base]
    o_ids = [e[1] for e in ours]
    t_ids = [e[1] for e in theirs]
    dropped = {x for x in b_ids if x not in o_ids or x not in t_ids}
    left = [e for e in ours if e[1] not in dropped]
    right = [e for e in theirs if e[1] not in dropped]
    left_ids, right_ids = {e[1] for e in left}, {e[1] for e in right}
    clashes = _clashing_edits(base, ours, theirs)
    clash_of = {x: n for n, (o_group, t_group) in enumerate(clashes) for x in (*o_group, *t_group)}
    lines_of = {e[1]: e[2] for e in theirs} | {e[1]: e[2] for e in ours}
    merged: list[tuple[Any, Any]] = []
    seen: set[tuple[str, ...]] = set()
    i = j = 0
    while i < len(left) or j < len(right):
        if i < len(left) and left[i][1] in seen:
            i += 1
            continue
        if j < len(right) and right[j][1] in seen:
            j += 1
            continue
        if j >= len(right):
            take_left = True
        elif i >= len(left):
            take_left = False
        else:
            a, c = left[i], right[j]
            if a[1] == c[1] or a[0] > c[0]:
                take_left = True
            elif c[0] > a[0]:
                take_left = False
            else:  # same date: a new entry goes before the ones both sides have; else a fixed order
                a_shared, c_shared = a[1] in right_ids, c[1] in left_ids
                take_left = (not a_shared and c_shared) or (a_shared == c_shared and a[1] <= c[1])
        entry = left[i] if take_left else right[j]
        seen.add(entry[1])
        if entry[1] in clash_of:  # the place of an entry both sides edited: both edits, as a conflict
            o_group, t_group = clashes[clash_of[entry[1]]]
            seen.update((*o_group, *t_group))
            ours_lines = [x for e in o_group for x in lines_of[e]]
            merged.append((CONFLICT, (ours_lines, [x for e in t_group for x in lines_of[e]])))
        else:
            merged.append((OURS if take_left else THEIRS, entry[2]))
        if take_left:
            i += 1
        else:
            j += 1
    return merged


def _clashing_edits(base: Entries, ours: Entries, theirs: Entries) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Base entries both sides replaced, each differently, by entries of the same day: (ours', theirs')."""
    ours_edits, theirs_edits = _edits(base, ours), _edits(base, theirs)
    kept = {e[1] for e in ours} | {e[1] for e in theirs}
    clashes: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    for entry in base:
        mine, yours = ours_edits.get(entry[1]), theirs_edits.get(entry[1])
        if mine and yours and set(mine) != set(yours) and entry[1] not in kept and (mine, yours) not in clashes:
            clashes.append((mine, yours))
    return clashes


def _edits(base: Entries, side: Entries) -> dict[tuple[str, ...], tuple[Any, ...]]:
    """Base entries that ``side`` replaced (difflib's "replace") with entries of the same day: what with."""
    found: dict[tuple[str, ...], tuple[Any, ...]] = {}
    matcher = difflib.SequenceMatcher(None, [e[1] for e in base], [e[1] for e in side], autojunk=False)
    for tag, b_lo, b_hi, s_lo, s_hi in matcher.get_opcodes():
        if tag != "replace":
            continue
        for entry in base[b_lo:b_hi]:
            same_day = tuple(e[1] for e in side[s_lo:s_hi] if e[0][0] == entry[0][0])
            if same_day:
                found[entry[1]] = same_day
    return found


def _numbered(entries: Entries) -> Entries:
    """The entries with the n-th copy of an identical entry made distinct (``\x00n`` appended)."""
    count: dict[tuple[str, ...], int] = {}
    numbered: Entries = []
    for key, identity, lines in entries:
        copy = count.get(identity, 0)
        count[identity] = copy + 1
        numbered.append((key, (*identity, f"\x00{copy}") if copy else identity, lines))
    return numbered
