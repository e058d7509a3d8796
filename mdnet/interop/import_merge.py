"""Merge what another tool knows about a person into a contact note, never overwriting.

Pure: importers (vCard, CSV) turn their records into :class:`Incoming` values; this
module matches them to contacts (by LinkedIn profile, email, then by name or alias, accent-
and case-insensitively, when no identity key says they are two people: then a second
note), plans the changes (:func:`plan_changes`) and applies them as line-level edits (:func:`apply_changes`). The rules:

- a scalar field (company, role, location, birthday, linkedin_connected) is filled
  only when the note has none or it is empty; what the user wrote is never replaced;
- emails, phones, links and aliases are lists: new items are appended, items
  already there (compared case-insensitively; phones by their digits) are not;
- nothing is ever removed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from mdnet.core.folding import fold
from mdnet.core.model import Contact, printable_line
from mdnet.note import edit
from mdnet.note.contact import as_list
from mdnet.note.list_edit import append_list_items

SCALAR_KEYS = ("company", "role", "location", "birthday", "linkedin", "linkedin_connected", "status")
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
    # the LinkedIn profile URL as profile_url() spells it: the first key for matching (SPEC 13)
    linkedin: str | None = None
    links: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    # the note's category then its tags, as vCard's CATEGORIES holds them (the first is the category)
    categories: tuple[str, ...] = ()
    status: str | None = None  # active, dormant, archived: a vCard's X-MDNET-STATUS
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
            "linkedin": self.linkedin,
            "linkedin_connected": self.linkedin_connected,
            "status": self.status,
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
    if key in ("aliases", "categories"):
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
    changes.extend(_category_changes(fields, incoming.categories))
    return changes


def _category_changes(fields: dict[str, Any], categories: tuple[str, ...]) -> list[Change]:
    """CATEGORIES into a note as ``vdir sync`` reads it: the first is the category (when the note has
    none), the rest are tags; a group the note has as its category or a tag already is left alone."""
    category = fields.get("category")
    target = note_key(fields, "tags")
    have = {fold(str(item)) for item in [*as_list(fields.get(target)), *([category] if category else [])]}
    new = [item for item in categories if fold(item) not in have]
    changes: list[Change] = []
    if new and _empty(category):
        changes.append(Change("category", "set", new[0]))
        new = new[1:]
    if new:
        changes.append(Change(target, "append", tuple(new)))
    return changes


def new_note_extra(incoming: Incoming) -> list[tuple[str, edit.Value]]:
    """Fields for a new note beyond what ``Vault.add`` writes (name, company, role, email)."""
    out: list[tuple[str, edit.Value]] = []
    for change in plan_changes({"name": incoming.name}, incoming):
        if change.key in ("company", "role", "email", "category", "tags"):  # Vault.add's own arguments
            continue
        out.append((change.key, change.value if change.action == "set" else list(change.value)))
    return out


# -- matching --------------------------------------------------------------


def emails_agree(incoming: Sequence[str], known: Sequence[str]) -> bool:
    """Whether emails leave a match by name standing: one side has none, or they share one.

    Two people can share a name; two with their own addresses and none in common are taken
    for two. (Phones are not asked: a company's main number is shared by colleagues.)
    """
    mine = {_email_key(e) for e in incoming}
    theirs = {_email_key(e) for e in known}
    return not mine or not theirs or bool(mine & theirs)


def key_conflict(
    emails: Sequence[str], linkedin: str | None, known_emails: Sequence[str], known_linkedin: str | None
) -> str:
    """What says two records of one name are two people, or ``""``: an identity key of one kind that
    both have and that differs (a LinkedIn profile URL, or emails with none in common)."""
    mine, theirs = profile_key(linkedin or ""), profile_key(known_linkedin or "")
    if mine and theirs and mine != theirs:
        return f"another LinkedIn profile ({profile_url(known_linkedin or '')})"
    if not emails_agree(emails, known_emails):
        return f"no email in common ({', '.join(known_emails)})"
    return ""


def _note_linkedin(contact: Contact) -> str | None:
    url = contact.fields.get("linkedin")
    return url if isinstance(url, str) else None


@dataclass(frozen=True, slots=True)
class Match:
    """The contact an incoming record belongs to; ``candidates`` when ambiguous.

    ``contradicted`` is the one contact the record's name finds when their emails say they are
    two people (both have emails, none shared): a name is no proof, so ``contact`` is None.
    """

    contact: Contact | None
    candidates: tuple[Contact, ...] = ()
    by: str = ""
    contradicted: Contact | None = None


class ContactIndex:
    """The vault's contacts by email and by folded name, file stem and alias (built once per import)."""

    def __init__(self, contacts: Sequence[Contact]) -> None:
        self.by_email: dict[str, list[Contact]] = {}
        self.by_name: dict[str, list[Contact]] = {}
        self.by_linkedin: dict[str, list[Contact]] = {}
        for contact in contacts:
            url = contact.fields.get("linkedin")
            if isinstance(url, str) and profile_key(url):
                self.by_linkedin.setdefault(profile_key(url), []).append(contact)
            for email in {e.strip().casefold() for e in contact.emails}:
                self.by_email.setdefault(email, []).append(contact)
            for key in {fold(contact.name), fold(contact.stem), *(fold(a) for a in contact.aliases)}:
                self.by_name.setdefault(key, []).append(contact)

    def match(self, incoming: Incoming) -> Match:
        by_profile = self.by_linkedin.get(profile_key(incoming.linkedin or ""), []) if incoming.linkedin else []
        if len(by_profile) == 1:
            return Match(by_profile[0], by="linkedin")
        if by_profile:
            return Match(None, tuple(by_profile), by="linkedin")
        found: list[Contact] = []
        for email in dict.fromkeys(e.strip().casefold() for e in incoming.emails if e.strip()):
            found.extend(c for c in self.by_email.get(email, []) if c not in found)
        if len(found) == 1:
            return Match(found[0], by="email")
        if found:
            return Match(None, tuple(found), by="email")
        by_name = self.by_name.get(fold(incoming.name), [])
        same = [c for c in by_name if not key_conflict(incoming.emails, incoming.linkedin, c.emails, _note_linkedin(c))]
        if by_name and not same:  # every note of that name has another key: another person
            return Match(None, by="name", contradicted=by_name[0])
        if len(same) == 1:
            return Match(same[0], by="name")
        if same:
            return Match(None, tuple(same), by="name")
        return Match(None)


def match_contact(contacts: Sequence[Contact] | ContactIndex, incoming: Incoming) -> Match:
    """By email first, then by name, file stem or alias (accent- and case-insensitive) when the
    emails do not contradict the name (:func:`emails_agree`)."""
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
                   location=one(record.location), birthday=one(record.birthday), linkedin=one(record.linkedin),
                   linkedin_connected=one(record.linkedin_connected), links=many("links", record.links),
                   aliases=many("aliases", record.aliases), categories=many("categories", record.categories),
                   status=one(record.status.lower() if record.status else None))  # fmt: skip


def combine(records: Iterable[Incoming]) -> list[Incoming]:
    """Records of one file that are one person become one (first values win): see :func:`group_records`."""
    return [group.record for group in group_records(records)]


@dataclass(frozen=True, slots=True)
class Group:
    """The records of one import that are one person, combined; ``clash`` when it cannot be told which.

    ``clash`` is set on a record without identity key (email, LinkedIn profile) whose name several
    people of the import share (records of that name whose keys differ): the people it could be.
    """

    record: Incoming
    clash: tuple[Incoming, ...] = ()


def group_records(records: Iterable[Incoming]) -> list[Group]:
    """Combine the records of one import that are one person, in the order they first appear.

    A shared identity key (an email, a LinkedIn profile URL) makes one person, however the names
    are spelled (and one record sharing a key with each of two others makes all three one). A name
    alone does not: two people can share one, so records of one name with a key of one kind that
    differs (other emails, another profile) stay apart; records of one name whose keys do not say
    so (an email here, a profile there) are one. A record without keys joins the one person of the
    import with its name; when several have that name it could be any of them, and it stays alone
    with ``clash`` set rather than go to one by the file's order.
    """
    cleaned = [sanitize(record) for record in records]
    parent = list(range(len(cleaned)))

    def find(at: int) -> int:
        while parent[at] != at:
            parent[at] = parent[parent[at]]
            at = parent[at]
        return at

    def join(a: int, b: int) -> None:  # the group's root is its first record
        ra, rb = sorted((find(a), find(b)))
        parent[rb] = ra

    first_with_key: dict[str, int] = {}
    for at, record in enumerate(cleaned):
        for key in _identity_keys(record):
            join(first_with_key.setdefault(key, at), at)
    emails: dict[int, set[str]] = {}
    profiles: dict[int, set[str]] = {}
    for at, record in enumerate(cleaned):
        emails.setdefault(find(at), set()).update(_email_key(e) for e in record.emails)
        profiles.setdefault(find(at), set()).update(k[9:] for k in _identity_keys(record) if k.startswith("linkedin:"))

    def differ(a: int, b: int) -> bool:  # a key of one kind that both have, and none in common
        return any(x[a] and x[b] and not x[a] & x[b] for x in (emails, profiles))

    with_keys: dict[str, list[int]] = {}  # folded name -> the groups with keys that answer to it
    for at, record in enumerate(cleaned):
        if not _identity_keys(record):
            continue
        roots = with_keys.setdefault(fold(record.name), [])
        roots[:] = list(dict.fromkeys(find(r) for r in roots))
        root = find(at)
        if root in roots:
            continue
        fits = [r for r in roots if not differ(r, root)]
        if len(fits) == 1:  # one name, keys that do not say two people (an email here, a profile there)
            join(fits[0], root)
            merged = find(root)
            for x in (emails, profiles):
                x[merged] = x[fits[0]] | x[root]
            roots[roots.index(fits[0])] = merged
        else:
            roots.append(root)
    clashes: dict[int, list[int]] = {}
    first_without_key: dict[str, int] = {}
    for at, record in enumerate(cleaned):
        key = fold(record.name)
        if _identity_keys(record) or not key:
            continue
        roots = list(dict.fromkeys(find(r) for r in with_keys.get(key, [])))
        if len(roots) > 1:
            clashes[at] = roots
        elif roots:
            join(roots[0], at)
        else:
            join(first_without_key.setdefault(key, at), at)
    members: dict[int, list[Incoming]] = {}
    for at, record in enumerate(cleaned):
        members.setdefault(find(at), []).append(record)
    combined = {root: functools.reduce(_union, group) for root, group in members.items()}
    return [Group(combined[root], tuple(combined[find(r)] for r in clashes.get(root, ()))) for root in combined]


def _email_key(email: str) -> str:
    return email.strip().casefold()


def _identity_keys(record: Incoming) -> list[str]:
    """What tells one person from another of the same name: ``email:...`` and ``linkedin:...`` keys."""
    keys = [f"email:{_email_key(e)}" for e in record.emails]
    if record.linkedin and profile_key(record.linkedin):
        keys.append(f"linkedin:{profile_key(record.linkedin)}")
    return keys


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
        linkedin=first.linkedin or second.linkedin,
        linkedin_connected=first.linkedin_connected or second.linkedin_connected,
        categories=items("categories", first.categories, second.categories),
        status=first.status or second.status,
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
    """For each (combined) record: what to do with the vault's ``contacts``.

    A match by LinkedIn profile or email is trusted. A match by name, file name or alias only when
    no identity key says they are two people (:func:`key_conflict`: another LinkedIn profile, or
    emails with none in common): two people can share a name, and a record merged into the wrong
    note gives that person another's company and email, which the mail scan then credits. Such a
    record becomes a second note (``José Álvarez 2``), and the plan says why.
    """
    plans: list[Plan | str] = []  # a plan, or the path of a matched contact (planned at the end)
    matched: dict[str, tuple[Contact, Incoming, str]] = {}
    created: dict[str, Incoming] = {}  # folded name -> the record this import makes a note of
    index = ContactIndex(contacts)
    taken = {key for c in contacts for key in (fold(c.name), fold(c.stem), *(fold(a) for a in c.aliases))}
    for group in group_records(records):
        record = group.record
        if not record.name.strip():
            plans.append(Plan("skip", record, reason="no name"))
            continue
        if group.clash:
            plans.append(Plan("skip", record, reason=_clash_reason(record, group.clash)))
            continue
        found = index.match(record)
        if found.contradicted is not None:
            note = found.contradicted
            why = key_conflict(record.emails, record.linkedin, note.emails, _note_linkedin(note))
            plans.append(_second_note(record, f"{note.path} has {why}", taken))
        elif found.contact is None and found.candidates:
            listing = ", ".join(f"{c.name} ({c.path})" for c in found.candidates)
            plans.append(Plan("skip", record, reason=f"matches several contacts by {found.by}: {listing}"))
        elif found.contact is None:
            first = created.setdefault(fold(record.name), record)
            if first is record:
                taken.add(fold(record.name))
                plans.append(Plan("create", record, new_fields=tuple(new_note_extra(record))))
            else:  # group_records kept them apart: their keys differ
                where = f"{first.name} ({first.source})" if first.source else first.name
                why = key_conflict(record.emails, record.linkedin, first.emails, first.linkedin) or "other keys"
                plans.append(_second_note(record, f"{where}, which this import creates, has {why}", taken))
        else:
            contact = found.contact
            earlier = matched.get(contact.path)
            planned = earlier[1] if earlier is not None else None
            why = key_conflict(record.emails, record.linkedin, planned.emails, planned.linkedin) if planned else ""
            if found.by == "name" and why:  # a note without keys, and two people of its name in this import
                plans.append(_second_note(record, f"this import gives {contact.path} {why[why.index('(') + 1:-1]}",
                                          taken))  # fmt: skip
                continue
            if earlier is not None:  # found by name here, by email there: one note, one plan
                matched[contact.path] = (contact, _union(earlier[1], record), earlier[2])
            else:
                matched[contact.path] = (contact, record, found.by)
                plans.append(contact.path)
    return [plan if isinstance(plan, Plan) else _update_plan(*matched[plan]) for plan in plans]


def _second_note(record: Incoming, why: str, taken: set[str]) -> Plan:
    """The creation of a second note for another person of a name already taken: ``Name 2`` (or 3...)."""
    number = 2
    while fold(f"{record.name} {number}") in taken:
        number += 1
    name = f"{record.name} {number}"
    taken.add(fold(name))
    second = replace(record, name=name)
    reason = f"a second note: another person than {record.name}, as {why}"
    return Plan("create", second, new_fields=tuple(new_note_extra(second)), reason=reason)


def _clash_reason(record: Incoming, clash: Sequence[Incoming]) -> str:
    people = "; ".join(", ".join((*c.emails, c.source) if c.source else c.emails) for c in clash)
    return (f"cannot tell which {record.name} it is: this import has several with no email in common ({people}); "
            "add an email to this one in the source and import again")  # fmt: skip


def _update_plan(contact: Contact, record: Incoming, matched_by: str) -> Plan:
    changes = tuple(plan_changes(contact.fields, record))
    action: Literal["update", "unchanged"] = "update" if changes else "unchanged"
    return Plan(action, record, contact, changes, matched_by=matched_by)


def profile_url(value: str) -> str:
    """A LinkedIn profile URL as mdnet keeps it (SPEC 13): lower case, no query or fragment, no trailing
    ``/``; empty when ``value`` is no web address."""
    url = value.strip().lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return url if url.startswith(("http://", "https://", "www.", "linkedin.com")) else ""


def linkedin_profile(urls: Iterable[str]) -> str | None:
    """The first of ``urls`` that is a LinkedIn profile (``linkedin.com/in/...``), as :func:`profile_url`
    spells it: what ``import csv`` and ``import vcard`` carry as the ``linkedin`` identity key."""
    for url in urls:
        key = profile_key(url)
        if re.match(r"linkedin\.com/in/[^/]+", key):
            return profile_url(url)
    return None


def profile_key(value: str) -> str:
    """What two spellings of one profile share: :func:`profile_url` without scheme and ``www.``."""
    return re.sub(r"^https?://", "", profile_url(value)).removeprefix("www.")


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
