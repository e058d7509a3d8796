"""Who is connected to whom, as one note says it: its links, as rows for the index. Pure.

A contact note connects its person to others through ``knows``, ``introduced_by``
and wikilinks in its body (``link``), and to organisations through ``company``
and past ``employers``. Each connection is a :class:`LinkRow` keyed by the folded
link target (``[[Acme Corp|ACME]]`` -> ``acme corp``), so the index can answer
"who points at X" with one indexed lookup (mdnet.features.network builds paths from that).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.core.naming import query_folder
from mdnet.core.wikilinks import is_attachment, link_target
from mdnet.note.contact import as_list
from mdnet.note.document import mask_code_blocks

LinkKind = Literal["knows", "introduced_by", "link", "company", "employer"]
PERSON_KINDS: tuple[LinkKind, ...] = ("introduced_by", "knows", "link")
ORG_KINDS: tuple[LinkKind, ...] = ("company", "employer")
# An embed is the same with a '!' before it: a pattern beginning with "!?" would try every position of a body,
# one beginning with "[[" jumps from one to the next (the '!' is never the previous link's, which ends in "]]")
_BODY_LINK_RE = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]")
_DATE_LIKE_RE = re.compile(r"\d{4}-\d\d(-\d\d)?")


class LinkRow(NamedTuple):
    """One connection written in a contact note: its kind, the folded target and how it reads."""

    kind: LinkKind
    key: str
    label: str
    folder: str = ""  # the folded folder a person's link names (people/work in [[people/work/jane]]), else ""


def reference(text: str) -> tuple[str, str] | None:
    """``[[folder/Jane Doe|Jane]]`` or plain ``Jane Doe`` -> (``jane doe``, ``Jane Doe``);
    None for a link to an attachment (``[[Deck.pdf]]``) or to nothing."""
    text = text.strip()
    if not text:
        return None
    target = link_target(text)
    if target is None:
        if "[[" in text:
            return None
        return fold(text), text
    if is_attachment(target):
        return None  # [[Deck.pdf]] is a file, not someone or somewhere
    label = _note_name(target)
    if not fold(label):
        return None
    return fold(label), label


def note_links(contact: Contact, body: str) -> list[LinkRow]:
    """Every connection the note makes, each once, in a stable order."""
    rows: list[LinkRow] = []
    seen: set[tuple[str, str, str]] = set()

    def add(kind: LinkKind, text: str) -> None:
        ref = reference(text)
        if ref is None:
            return
        key, label = ref
        folder = link_folder(text) if kind in PERSON_KINDS else ""
        if (kind, key, folder) not in seen:
            seen.add((kind, key, folder))
            rows.append(LinkRow(kind, key, label, folder))

    if contact.company:
        add("company", contact.company)
    for employer in as_list(contact.fields.get("employers")):
        add("employer", employer)
    for introducer in as_list(contact.fields.get("introduced_by")):
        add("introduced_by", introducer)
    for known in as_list(contact.fields.get("knows")):
        add("knows", known)
    own = {fold(contact.name), fold(contact.stem), *(fold(a) for a in contact.aliases)}
    masked = mask_code_blocks(body)
    for match in _BODY_LINK_RE.finditer(masked):  # a link in a fence is code, as in Obsidian
        if match.start() and masked[match.start() - 1] == "!":
            continue  # an embedded image or note, not a mention
        target = _note_name(match.group(1).rsplit("/", 1)[-1])
        if fold(target) in own or _DATE_LIKE_RE.fullmatch(target.strip()):
            continue
        add("link", f"[[{match.group(1).strip()}]]")
    return rows


def link_folder(text: str) -> str:
    """The folded folder of a wikilink's target (``[[People/Work/jane|Jane]]`` -> ``people/work``), else ``""``:
    with it, a link names the note in that folder, as Obsidian resolves it, when several share a file name."""
    match = _BODY_LINK_RE.search(text)
    return "" if match is None else query_folder(match.group(1))


def _note_name(target: str) -> str:
    """A link target as the note's name: ``Jane Doe.md`` is the note Jane Doe, as Obsidian resolves it."""
    target = target.strip()
    return target[:-3].strip() if target.lower().endswith(".md") else target


class PersonInfo(NamedTuple):
    """What tie strength needs of a contact: its name, effective last contact and log dates (ISO)."""

    name: str
    last_contact: str | None
    touches: tuple[str, ...]


def person_info(contact: Contact) -> PersonInfo:
    last = None if contact.last_contact is None else contact.last_contact.isoformat()
    return PersonInfo(contact.name, last, touch_dates(e.date.isoformat() for e in contact.log))


def touch_dates(iso_dates: Iterable[str]) -> tuple[str, ...]:
    """The distinct days a contact was in touch, newest first."""
    return tuple(sorted(set(iso_dates), reverse=True))


def name_keys(contact: Contact) -> list[tuple[str, int]]:
    """The folded names a link may use for the contact, with Obsidian's order: file name, alias, name."""
    keys = [(fold(contact.stem), 0)]
    keys.extend((fold(alias), 1) for alias in contact.aliases if fold(alias))
    keys.append((fold(contact.name), 2))
    return keys
