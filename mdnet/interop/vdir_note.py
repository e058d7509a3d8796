"""A card's values written into a contact note: line edits of only the mapped fields; pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.interop.import_merge import note_key
from mdnet.interop.vdir_map import Values
from mdnet.note import edit


def edit_note(text: str, contact: Contact, keys: Sequence[str], values: Values, uid: str | None = None) -> str:
    """``text`` (the note of ``contact``) with the mapped ``keys`` set to ``values``, and ``uid`` when given."""
    fields = contact.fields
    for key in keys:
        value = values[key]
        if key == "categories":
            assert isinstance(value, tuple)
            text = _categories(text, contact, value)
        elif key == "company":
            assert isinstance(value, str)
            old = fields.get("company")
            plain = isinstance(old, str) and old.strip() and not old.strip().startswith("[[")
            text = _set(text, fields, "company", value if plain or not value else f"[[{value}]]")
        elif key in ("name", "role", "location", "birthday"):
            text = _set(text, fields, key, str(value))
        else:
            assert isinstance(value, tuple)
            field = note_key(fields, key)
            if key == "phone" and len(value) == 1 and not isinstance(fields.get(field), list):
                text = _set(text, fields, field, value[0])  # a phone written as one value stays one
            else:
                text = _set(text, fields, field, list(value))
    if uid is not None:
        text = edit.set_field(text, "uid", uid)
    return text


def _set(text: str, fields: dict[str, Any], key: str, value: str | list[str]) -> str:
    if value:
        return edit.set_field(text, key, value)
    return edit.clear_field(text, key) if key in fields else text


def _categories(text: str, contact: Contact, items: tuple[str, ...]) -> str:
    """CATEGORIES is the category and the tags: the category stays the category while the card keeps it."""
    category = contact.category
    folded = [fold(i) for i in items]
    if category and fold(category) in folded:
        new_category: str | None = category
        tags = [i for i in items if fold(i) != fold(category)]
    elif category:
        new_category, tags = (items[0], list(items[1:])) if items else (None, [])
    else:
        new_category, tags = None, list(items)
    if new_category != category:
        text = _set(text, contact.fields, "category", new_category or "")
    if [fold(t) for t in tags] != [fold(t) for t in contact.tags]:
        text = _set(text, contact.fields, note_key(contact.fields, "tags"), tags)
    return text
