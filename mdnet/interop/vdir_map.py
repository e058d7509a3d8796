"""What maps between a contact note and a vCard, both ways; pure (no IO).

The mapped fields (SPEC 14), each under one key on both sides:

====================  ==========================  ======================
key                   note                        card
====================  ==========================  ======================
``name``              ``name`` (else file stem)   FN (and N)
``aliases``           ``aliases``                 NICKNAME
``email``             ``email``                   EMAIL
``phone``             ``phone``                   TEL
``company``           ``company`` (``[[X]]``)     ORG
``role``              ``role``                    TITLE (ROLE read too)
``birthday``          ``birthday``                BDAY
``links``             ``links``                   URL
``location``          ``location``                ADR (city, region)
``categories``        ``category`` + ``tags``     CATEGORIES
====================  ==========================  ======================

A scalar is a string (``""``: none), a list a tuple of strings. A card is rewritten
property by property (:func:`rewrite_card`): the lines of a mapped property whose value
did not change, and every line of a property mdnet does not map (PHOTO, NOTE, X-*),
stay byte for byte; an email or phone still on the card keeps its line (and its TYPE).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.core.wikilinks import link_label
from mdnet.errors import SourceFileError
from mdnet.interop.vcard import parse_vcards
from mdnet.note.contact import as_list

Value = str | tuple[str, ...]
Values = dict[str, Value]

SCALARS = ("name", "company", "role", "birthday", "location")
LISTS = ("aliases", "email", "phone", "links", "categories")
KEYS = ("name", "aliases", "email", "phone", "company", "role", "birthday", "links", "location", "categories")
# The card's properties of each key: every line of these is the key's, and is rewritten with it.
PROPERTIES: dict[str, tuple[str, ...]] = {
    "name": ("FN", "N"),
    "aliases": ("NICKNAME",),
    "email": ("EMAIL",),
    "phone": ("TEL",),
    "company": ("ORG",),
    "role": ("TITLE", "ROLE"),
    "birthday": ("BDAY",),
    "links": ("URL",),
    "location": ("ADR",),
    "categories": ("CATEGORIES",),
}
# Lists kept a line per item on the card: a line whose item stays keeps its bytes (TYPE=CELL...).
_LINE_PER_ITEM = {"EMAIL": "email", "TEL": "phone", "URL": "links"}


# -- comparing values ------------------------------------------------------


def item_key(key: str, item: str) -> str:
    """What makes two items of the list ``key`` one: emails by case, phones by digits, links by case."""
    if key == "phone":
        digits = re.sub(r"\D", "", item)
        return ("+" if item.strip().startswith("+") else "") + digits if digits else item.strip()
    if key == "links":
        return item.strip().rstrip("/").casefold()
    if key in ("aliases", "categories"):
        return fold(item)
    return item.strip().casefold()


def same(key: str, a: Value, b: Value) -> bool:
    """Whether two values of ``key`` mean the same (lists as sets of items)."""
    if key in LISTS:
        return {item_key(key, i) for i in a} == {item_key(key, i) for i in b}
    return a == b


def clean(key: str, value: Any) -> Value:
    """A value as mdnet compares it: one-line text; a list without blanks or repeats."""
    if key in LISTS:
        items: list[str] = []
        seen: set[str] = set()
        for item in value if isinstance(value, list | tuple) else as_list(value):
            text = " ".join(str(item).split())
            if text and item_key(key, text) not in seen:
                seen.add(item_key(key, text))
                items.append(text)
        return tuple(items)
    return " ".join(str(value or "").split())


# -- the note's side -------------------------------------------------------


def _field(fields: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in fields:
            return fields[key]
    return None


def note_values(contact: Contact) -> Values:
    """The mapped fields of a contact note."""
    fields = contact.fields
    birthday = ""
    if contact.birthday is not None:
        year, month, day = contact.birthday
        birthday = f"{year:04d}-{month:02d}-{day:02d}" if year is not None else f"--{month:02d}-{day:02d}"
    role, location = fields.get("role"), fields.get("location")
    raw = {
        "name": contact.name,
        "aliases": contact.aliases,
        "email": contact.emails,
        "phone": as_list(_field(fields, "phone", "phones")),
        "company": link_label(contact.company) if contact.company else "",
        "role": role if isinstance(role, str) else "",
        "birthday": birthday,
        "links": as_list(_field(fields, "links", "link")),
        "location": location if isinstance(location, str) else "",
        "categories": ((contact.category,) if contact.category else ()) + contact.tags,
    }
    return {key: clean(key, raw[key]) for key in KEYS}


# -- the card's side -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    """One card as read: its UID (``""`` when it has none), mapped values and text."""

    uid: str
    values: Values
    text: str


def read_card(text: str, display: str) -> Card:
    """The card in ``text`` (one vCard, 3.0 or 4.0); :class:`SourceFileError` when it is not one."""
    records = parse_vcards(text, display)
    if len(records) != 1:
        raise SourceFileError(f"holds {len(records)} cards; a vdir has one a file", path=display)
    record = records[0]
    uid = ""
    categories: tuple[str, ...] = ()
    for name, line in content_lines(text):
        if name == "UID" and not uid:
            uid = unescape(line_value(line)).strip()
        elif name == "CATEGORIES":
            categories += tuple(split_list(line_value(line)))
    raw = {
        "name": record.name,
        "aliases": record.aliases,
        "email": record.emails,
        "phone": record.phones,
        "company": record.company or "",
        "role": record.role or "",
        "birthday": record.birthday or "",
        "links": record.links,
        "location": record.location or "",
        "categories": categories,
    }
    return Card(uid, {key: clean(key, raw[key]) for key in KEYS}, text)


def content_lines(text: str) -> list[tuple[str, str]]:
    """The card's content lines as (property name, raw text with its folded continuations and line ends);
    joined back they are ``text`` exactly. The name is upper case, without an ``item1.`` group."""
    lines: list[tuple[str, str]] = []
    for physical in text.splitlines(keepends=True):
        if lines and physical[:1] in (" ", "\t"):
            name, raw = lines[-1]
            lines[-1] = (name, raw + physical)
            continue
        head = re.split(r"[;:]", physical, maxsplit=1)[0]
        lines.append((head.rsplit(".", 1)[-1].strip().upper(), physical))
    return lines


def line_value(raw: str) -> str:
    """The value of a raw content line, unfolded (still escaped)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", raw).rstrip("\r\n")
    quoted = False
    for index, char in enumerate(unfolded):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return unfolded[index + 1 :]
    return ""


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split_list(value: str) -> list[str]:
    """A comma-separated vCard text list, unescaped."""
    return [unescape(item).strip() for item in re.split(r"(?<!\\),", value) if item.strip()]


# -- writing cards ---------------------------------------------------------


def property_lines(key: str, value: Value) -> list[str]:
    """The content lines (vCard 3.0, written by vobject, CRLF) of ``key`` set to ``value``; none when empty."""
    import vobject

    card = vobject.vCard()
    if not value:
        return []
    if key == "name":
        assert isinstance(value, str)
        card.add("fn").value = value
        words = value.split()
        family = words[-1] if len(words) > 1 else ""
        card.add("n").value = vobject.vcard.Name(family=family, given=" ".join(words[:-1]) if family else value)
    elif key in ("aliases", "categories"):
        line = card.add("nickname" if key == "aliases" else "categories")
        line.value = ",".join(_escape(item) for item in value)
        line.encoded = True
    elif key in ("email", "phone", "links"):
        for item in value:
            line = card.add({"email": "email", "phone": "tel", "links": "url"}[key])
            line.value = item
            if key == "email":
                line.type_param = "INTERNET"
    elif key == "company":
        card.add("org").value = [value]
    elif key == "role":
        card.add("title").value = value
    elif key == "location":
        assert isinstance(value, str)
        card.add("adr").value = vobject.vcard.Address(city=value)
    elif key == "birthday":
        assert isinstance(value, str)
        line = card.add("bday")
        if value.startswith("--"):
            line.value = "1604" + value[1:]
            line.params["X-APPLE-OMIT-YEAR"] = ["1604"]
        else:
            line.value = value
    if key != "name":
        card.add("fn").value = "-"  # vobject will not write a card without FN; this one is not kept
    serialized = str(card.serialize())
    skip = {"BEGIN", "VERSION", "END"} if key == "name" else {"BEGIN", "VERSION", "END", "FN"}
    return [raw for name, raw in content_lines(serialized) if name not in skip]


def _escape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\n", "\\n")


def new_card(uid: str, values: Values) -> str:
    """A new vCard 3.0 with ``uid`` and ``values``."""
    lines = ["BEGIN:VCARD\r\n", "VERSION:3.0\r\n", f"UID:{_escape(uid)}\r\n"]
    for key in KEYS:
        lines.extend(property_lines(key, values.get(key) or ("" if key in SCALARS else ())))
    lines.append("END:VCARD\r\n")
    return "".join(lines)


def rewrite_card(text: str, old: Values, new: Values) -> str:
    """``text`` with the mapped keys whose value changed from ``old`` set to ``new``; every other line as it was."""
    changed = [key for key in KEYS if not same(key, old[key], new[key])]
    if not changed:
        return text
    lines = content_lines(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    kept: list[str] = []
    added: list[str] = []
    for key in changed:
        value = new[key]
        if key in ("email", "phone", "links"):
            assert isinstance(value, tuple)
            present = {item_key(key, unescape(_bare(line_value(raw)))) for name, raw in lines
                       if _LINE_PER_ITEM.get(name) == key}  # fmt: skip
            added.extend(property_lines(key, tuple(i for i in value if item_key(key, i) not in present)))
        else:
            added.extend(property_lines(key, value))
    dropped = {prop for key in changed if key not in ("email", "phone", "links") for prop in PROPERTIES[key]}
    wanted = {key: {item_key(key, i) for i in new[key]} for key in changed if key in ("email", "phone", "links")}
    end = None
    for index, (name, raw) in enumerate(lines):
        if name == "END":
            end = index
        if name in dropped:
            continue
        item_of = _LINE_PER_ITEM.get(name)
        if item_of in wanted and item_key(item_of, unescape(_bare(line_value(raw)))) not in wanted[item_of]:
            continue
        kept.append(raw)
    if end is None:
        raise ValueError("the card has no END:VCARD")
    position = max(i for i, raw in enumerate(kept) if content_lines(raw)[0][0] == "END")
    if not kept[position - 1].endswith("\n"):
        kept[position - 1] += newline
    added = [raw.replace("\r\n", newline) for raw in added]
    return "".join(kept[:position] + added + kept[position:])


def _bare(value: str) -> str:
    return value.removeprefix("mailto:").removeprefix("tel:")


def card_file_name(uid: str) -> str:
    """The file mdnet names a card it creates: the UID, ``urn:uuid:`` left out, safe for any file system."""
    stem = re.sub(r"[^A-Za-z0-9@._-]", "_", uid.removeprefix("urn:uuid:"))[:120].strip(".") or "card"
    return f"{stem}.vcf"
