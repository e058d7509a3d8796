"""The field-by-field merge of a note and its card against the values last synced; pure.

For each mapped field: the same on both sides, nothing to do; changed on one side only, the
other side takes it; changed on both, the note's value is kept and a :class:`Conflict` carries
the card's. Lists (emails, phones, links, aliases, categories) merge item by item: an item added
on either side is added, one removed on either side is removed. Without values last synced (a
first sync), an empty side takes the other's value and lists are joined.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdnet.interop.vdir_map import KEYS, LISTS, Value, Values, item_key, same


@dataclass(frozen=True, slots=True)
class Conflict:
    key: str
    kept: Value  # the note's
    card: Value

    def describe(self) -> str:
        return f"{self.key}: kept the note's {_shown(self.kept)}, the card had {_shown(self.card)}"


@dataclass(frozen=True, slots=True)
class Merged:
    values: Values
    note_keys: tuple[str, ...]  # the fields the note must take
    card_keys: tuple[str, ...]  # the fields the card must take
    conflicts: tuple[Conflict, ...]


def _shown(value: Value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]" if value else "nothing"
    return repr(value) if value else "nothing"


def merge(base: Values | None, note: Values, card: Values) -> Merged:
    """The values both sides should hold, and which side must change where."""
    values: Values = {}
    conflicts: list[Conflict] = []
    for key in KEYS:
        old = base.get(key) if base is not None else None
        mine, theirs = note[key], card[key]
        if key == "name" and not theirs:
            theirs = mine
        if key in LISTS:
            assert isinstance(mine, tuple) and isinstance(theirs, tuple)
            values[key] = merge_lists(key, old if isinstance(old, tuple) else None, mine, theirs)
        elif mine == theirs:
            values[key] = mine
        elif old is None:
            values[key] = mine or theirs
            if mine and theirs:
                conflicts.append(Conflict(key, mine, theirs))
        elif mine == old:
            values[key] = theirs
        elif theirs == old:
            values[key] = mine
        else:
            values[key] = mine
            conflicts.append(Conflict(key, mine, theirs))
    note_keys = tuple(k for k in KEYS if not _identical(k, note[k], values[k]))
    card_keys = tuple(k for k in KEYS if not _identical(k, card[k], values[k]))
    return Merged(values, note_keys, card_keys, tuple(conflicts))


def _identical(key: str, a: Value, b: Value) -> bool:
    return same(key, a, b) if key in LISTS else a == b


def merge_lists(
    key: str, base: tuple[str, ...] | None, note: tuple[str, ...], card: tuple[str, ...]
) -> tuple[str, ...]:
    """The note's items in its order, less those the card removed, then those the card added."""
    in_note = {item_key(key, i) for i in note}
    if base is None:
        return note + tuple(i for i in card if item_key(key, i) not in in_note)
    in_base = {item_key(key, i) for i in base}
    in_card = {item_key(key, i) for i in card}
    kept = tuple(i for i in note if item_key(key, i) in in_card or item_key(key, i) not in in_base)
    added = tuple(i for i in card if item_key(key, i) not in in_base and item_key(key, i) not in in_note)
    return kept + added
