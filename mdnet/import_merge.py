"""Merge what another tool knows about a person into a contact note, never overwriting.

Pure: importers (vCard, CSV) turn their records into :class:`Incoming` values; this
module matches them to contacts (by email, then by name or alias, accent- and
case-insensitively), plans the changes (:func:`plan_changes`) and applies them as
line-level edits (:func:`apply_changes`). The rules:

- a scalar field (company, role, location, birthday, linkedin_connected) is filled
  only when the note has none or it is empty; what the user wrote is never replaced;
- emails, phones, links and aliases are lists: new items are appended, items
  already there (compared case-insensitively; phones by their digits) are not;
- nothing is ever removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from mdnet import document, edit, frontmatter_yaml
from mdnet.contact import as_list
from mdnet.folding import fold
from mdnet.model import Contact, printable_line

SCALAR_KEYS = ("company", "role", "location", "birthday", "linkedin_connected")
LIST_KEYS = ("email", "phone", "links", "aliases")
_ALTERNATE_KEYS = {"email": "emails", "phone": "phones", "links": "link", "aliases": "alias"}


@dataclass(frozen=True, slots=True)
class Incoming:
    """One person as an export describes them (all values already cleaned)."""

    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    location: str | None = None
    birthday: str | None = None  # YYYY-MM-DD or --MM-DD
    # YYYY-MM-DD: the day a LinkedIn connection was made. A fact about the network, not an
    # interaction, so it never becomes last_contact or a log entry (docs/decisions.md)
    linkedin_connected: str | None = None
    links: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    source: str = ""  # where it came from, for messages: "cards.vcf:12"

    def values(self) -> dict[str, str | tuple[str, ...] | None]:
        """The note fields this record can fill, by note key."""
        company = self.company
        if company and not company.startswith("[["):
            company = f"[[{company}]]"
        return {
            "company": company,
            "role": self.role,
            "location": self.location,
            "birthday": self.birthday,
            "linkedin_connected": self.linkedin_connected,
            "email": self.emails,
            "phone": self.phones,
            "links": self.links,
            "aliases": tuple(a for a in self.aliases if fold(a) != fold(self.name)),
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One planned edit: ``set`` an empty scalar, or ``append`` items to a list."""

    key: str
    action: Literal["set", "append"]
    value: str | tuple[str, ...]

    def describe(self) -> str:
        if self.action == "set":
            return f"{self.key}: {self.value}"
        return f"{self.key} += " + ", ".join(self.value)


# -- comparing values ------------------------------------------------------


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def same_item(key: str, a: str, b: str) -> bool:
    """Whether two list items mean the same thing (emails by case, phones by digits)."""
    if key == "phone":
        da, db = _digits(a), _digits(b)
        if not da or not db:
            return a.strip() == b.strip()
        short, long_ = sorted((da, db), key=len)
        return da == db or (len(short) >= 7 and long_.endswith(short))
    if key == "links":
        return a.strip().rstrip("/").casefold() == b.strip().rstrip("/").casefold()
    if key == "aliases":
        return fold(a) == fold(b)
    return a.strip().casefold() == b.strip().casefold()


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def note_key(fields: dict[str, Any], key: str) -> str:
    """The key a note uses for a list (``email`` or ``emails``, ...): the one present, else ``key``."""
    alternate = _ALTERNATE_KEYS.get(key)
    if key not in fields and alternate is not None and alternate in fields:
        return alternate
    return key


# -- planning --------------------------------------------------------------


def plan_changes(fields: dict[str, Any], incoming: Incoming) -> list[Change]:
    """The edits that bring ``incoming`` into a note with front matter ``fields``."""
    changes: list[Change] = []
    values = incoming.values()
    for key in SCALAR_KEYS:
        value = values[key]
        if isinstance(value, str) and value and _empty(fields.get(key)):
            changes.append(Change(key, "set", value))
    for key in LIST_KEYS:
        items = values[key]
        if not isinstance(items, tuple):
            continue
        target = note_key(fields, key)
        have = list(as_list(fields.get(target)))
        if key == "aliases":
            name = fields.get("name")
            if isinstance(name, str):
                have.append(name)
        new: list[str] = []
        for item in items:
            if item and not any(same_item(key, item, old) for old in [*have, *new]):
                new.append(item)
        if new and key == "phone" and len(new) == 1 and _empty(fields.get(target)):
            changes.append(Change(target, "set", new[0]))  # one phone is written as people write it
        elif new:
            changes.append(Change(target, "append", tuple(new)))
    return changes


def new_note_extra(incoming: Incoming) -> list[tuple[str, edit.Value]]:
    """Fields for a new note beyond what ``Vault.add`` writes (name, company, role, email)."""
    out: list[tuple[str, edit.Value]] = []
    for change in plan_changes({"name": incoming.name}, incoming):
        if change.key in ("company", "role", "email"):
            continue
        out.append((change.key, change.value if change.action == "set" else list(change.value)))
    return out


# -- matching --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """The contact an incoming record belongs to; ``candidates`` when ambiguous."""

    contact: Contact | None
    candidates: tuple[Contact, ...] = ()
    by: str = ""


class ContactIndex:
    """The vault's contacts by email and by folded name, file stem and alias (built once per import)."""

    def __init__(self, contacts: Sequence[Contact]) -> None:
        self.by_email: dict[str, list[Contact]] = {}
        self.by_name: dict[str, list[Contact]] = {}
        for contact in contacts:
            for email in {e.strip().casefold() for e in contact.emails}:
                self.by_email.setdefault(email, []).append(contact)
            for key in {fold(contact.name), fold(contact.stem), *(fold(a) for a in contact.aliases)}:
                self.by_name.setdefault(key, []).append(contact)

    def match(self, incoming: Incoming) -> Match:
        found: list[Contact] = []
        for email in dict.fromkeys(e.strip().casefold() for e in incoming.emails if e.strip()):
            found.extend(c for c in self.by_email.get(email, []) if c not in found)
        if len(found) == 1:
            return Match(found[0], by="email")
        if found:
            return Match(None, tuple(found), by="email")
        by_name = self.by_name.get(fold(incoming.name), [])
        if len(by_name) == 1:
            return Match(by_name[0], by="name")
        if by_name:
            return Match(None, tuple(by_name), by="name")
        return Match(None)


def match_contact(contacts: Sequence[Contact] | ContactIndex, incoming: Incoming) -> Match:
    """By email first, then by name, file stem or alias (accent- and case-insensitive)."""
    index = contacts if isinstance(contacts, ContactIndex) else ContactIndex(contacts)
    return index.match(incoming)


def sanitize(record: Incoming) -> Incoming:
    """``record`` with every value on one printable line, empty items dropped and each item once
    (``a ::: A`` in a Google cell is one email, as :func:`same_item` compares them)."""

    def one(value: str | None) -> str | None:
        return (printable_line(value) or None) if value is not None else None

    def many(key: str, values: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        for value in (printable_line(x) for x in values):
            if value and not any(same_item(key, value, old) for old in out):
                out.append(value)
        return tuple(out)

    return replace(record, name=printable_line(record.name), emails=many("email", record.emails),
                   phones=many("phone", record.phones), company=one(record.company), role=one(record.role),
                   location=one(record.location), birthday=one(record.birthday),
                   linkedin_connected=one(record.linkedin_connected), links=many("links", record.links),
                   aliases=many("aliases", record.aliases))  # fmt: skip


def combine(records: Iterable[Incoming]) -> list[Incoming]:
    """Records of one file that share an email or a name become one (first values win)."""
    groups: list[Incoming] = []
    by_key: dict[str, int] = {}  # "name:<folded>" or "email:<address>" -> index in groups
    for record in map(sanitize, records):
        keys = [f"email:{e.casefold()}" for e in record.emails]
        if fold(record.name):
            keys.insert(0, f"name:{fold(record.name)}")
        index = next((by_key[k] for k in keys if k in by_key), None)
        if index is None:
            index = len(groups)
            groups.append(record)
        else:
            groups[index] = _union(groups[index], record)
        for key in keys:
            by_key.setdefault(key, index)
    return groups


def _union(first: Incoming, second: Incoming) -> Incoming:
    def items(key: str, a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        out = list(a)
        for item in b:
            if not any(same_item(key, item, old) for old in out):
                out.append(item)
        return tuple(out)

    return replace(
        first,
        emails=items("email", first.emails, second.emails),
        phones=items("phone", first.phones, second.phones),
        links=items("links", first.links, second.links),
        aliases=items("aliases", first.aliases, second.aliases),
        company=first.company or second.company,
        role=first.role or second.role,
        location=first.location or second.location,
        birthday=first.birthday or second.birthday,
        linkedin_connected=first.linkedin_connected or second.linkedin_connected,
    )


# -- applying --------------------------------------------------------------


def apply_changes(text: str, changes: Sequence[Change]) -> str:
    """``text`` with ``changes`` made as line-level edits (every other byte stays)."""
    for change in changes:
        if change.action == "set":
            text = edit.set_field(text, change.key, change.value)
        else:
            text = append_list_items(text, change.key, change.value)
    return text


def append_list_items(text: str, key: str, items: Sequence[str]) -> str:
    """Append ``items`` to the list ``key``, keeping the list's own style.

    A flow list ``[a, b]`` gets ``, c`` before its ``]``; a block list gets a new
    ``- c`` line after its last item, indented as they are; a single value becomes
    a flow list ``[old, c]`` with ``old`` written as the user wrote it; a missing or
    empty key is set. Whatever the style, the result is checked by reading it back,
    and written as a plain flow list when the careful edit would not read back right.
    """
    if not items:
        return text
    doc = document.split(text)
    current = _load(doc.front_matter) if doc.front_matter is not None else {}
    existing = list(as_list(current.get(key))) if isinstance(current, dict) else []
    expected = [*existing, *items]
    candidate = _append_in_place(doc, key, items)
    if candidate is not None:
        reread = _load(document.split(candidate).front_matter or "")
        if isinstance(reread, dict) and list(as_list(reread.get(key))) == expected:
            return candidate
    return edit.set_field(text, key, expected)


def _load(front_matter: str) -> Any:
    try:
        value, _ = frontmatter_yaml.load(front_matter)
    except frontmatter_yaml.YamlProblem:
        return None
    return value


def _render_item(item: str) -> str:
    return edit.format_value([item])[1:-1]


def _append_in_place(doc: document.Document, key: str, items: Sequence[str]) -> str | None:
    if doc.front_matter is None:
        return None
    lines = document.lines(doc.front_matter)
    pattern = re.compile(r"^(" + re.escape(key) + r"[ \t]*:)(.*?)(\r?\n)?$", re.DOTALL)
    for index, line in enumerate(lines):
        match = pattern.match(line)
        if match is None:
            continue
        rest = match.group(2)
        ending = match.group(3) or ""
        value, comment = _split_comment(rest)
        rendered = ", ".join(_render_item(i) for i in items)
        if value.startswith("[") and value.endswith("]"):
            inner = value[1:-1]
            joined = f"{inner.rstrip()}, {rendered}" if inner.strip() else rendered
            lines[index] = f"{match.group(1)} [{joined.strip()}]{comment}{ending}"
        elif value and value[0] not in "|>{&*!":
            lines[index] = f"{match.group(1)} [{value}, {rendered}]{comment}{ending}"
        elif not value:
            block_end, indent = _block_list_end(lines, index + 1)
            if indent is None:
                return None
            newline = doc.newline
            new_lines = [f"{indent}{_render_item(i)}{newline}" for i in items]
            if not lines[block_end - 1].endswith("\n"):
                lines[block_end - 1] += newline
            lines[block_end:block_end] = new_lines
        else:
            return None
        front = "".join(lines)
        return (document.BOM if doc.bom else "") + doc.opening + front + doc.closing + doc.body
    return None


def _block_list_end(lines: list[str], start: int) -> tuple[int, str | None]:
    """Where the block list starting at ``lines[start]`` ends (after its last item), and its items' prefix.

    Comment lines and blank lines between items belong to the list; an item's
    continuation lines (indented deeper than its dash) too. Comments and blank
    lines after the last item are left where they are, for what follows.
    """
    end, prefix, margin = start, None, -1
    for position in range(start, len(lines)):
        line = lines[position]
        stripped = line.strip()
        item = re.match(r"^(([ \t]*)-[ \t]+)\S", line)
        if item is not None and (prefix is None or len(item.group(2)) == margin):
            prefix, margin = item.group(1), len(item.group(2))
            end = position + 1
        elif not stripped or stripped.startswith("#"):
            continue
        elif prefix is not None and len(line) - len(line.lstrip(" \t")) > margin:
            end = position + 1
        else:
            break
    return end, prefix


def _split_comment(rest: str) -> tuple[str, str]:
    """``' [a, b]  # note'`` -> (``'[a, b]'``, ``'  # note'``); quotes are respected."""
    quote = None
    for position, char in enumerate(rest):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and position > 0 and rest[position - 1] in " \t":
            start = position
            while start > 0 and rest[start - 1] in " \t":
                start -= 1
            return rest[:start].strip(), rest[start:]
    return rest.strip(), ""


@dataclass(frozen=True, slots=True)
class Plan:
    """What an import would do to one person: create a note, update one, or skip."""

    action: Literal["create", "update", "unchanged", "skip"]
    incoming: Incoming
    contact: Contact | None = None
    changes: tuple[Change, ...] = ()
    new_fields: tuple[tuple[str, edit.Value], ...] = ()
    reason: str = ""
    matched_by: str = ""


def plan_import(contacts: Sequence[Contact], records: Iterable[Incoming]) -> list[Plan]:
    """For each (combined) record: what to do with the vault's ``contacts``."""
    plans: list[Plan | str] = []  # a plan, or the path of a matched contact (planned at the end)
    matched: dict[str, tuple[Contact, Incoming, str]] = {}
    index = ContactIndex(contacts)
    for record in combine(records):
        if not record.name.strip():
            plans.append(Plan("skip", record, reason="no name"))
            continue
        found = index.match(record)
        if found.contact is None and found.candidates:
            listing = ", ".join(f"{c.name} ({c.path})" for c in found.candidates)
            plans.append(Plan("skip", record, reason=f"matches several contacts by {found.by}: {listing}"))
        elif found.contact is None:
            plans.append(Plan("create", record, new_fields=tuple(new_note_extra(record))))
        elif found.contact.path in matched:  # found by name here, by email there: one note, one plan
            contact, first, by = matched[found.contact.path]
            matched[found.contact.path] = (contact, _union(first, record), by)
        else:
            matched[found.contact.path] = (found.contact, record, found.by)
            plans.append(found.contact.path)
    return [plan if isinstance(plan, Plan) else _update_plan(*matched[plan]) for plan in plans]


def _update_plan(contact: Contact, record: Incoming, matched_by: str) -> Plan:
    changes = tuple(plan_changes(contact.fields, record))
    action: Literal["update", "unchanged"] = "update" if changes else "unchanged"
    return Plan(action, record, contact, changes, matched_by=matched_by)


def clean_birthday(value: str | None) -> str | None:
    """``1984-06-02``, ``19840602``, ``--0602``, ``--06-02``, ``1984-06-02T00:00:00Z`` -> the note's form."""
    if not value:
        return None
    text = value.strip()
    match = re.fullmatch(r"(\d{4}|--|-)-?(\d\d)-?(\d\d)(?:T.*)?", text)
    if match is None:
        return None
    year = match.group(1) if match.group(1).isdigit() else None
    month, day = match.group(2), match.group(3)
    if year in ("1604", "0000"):  # Apple and Android write these for "year unknown"
        year = None
    try:
        dt.date(int(year or 2000), int(month), int(day))
    except ValueError:
        return None
    return f"{year}-{month}-{day}" if year else f"--{month}-{day}"
