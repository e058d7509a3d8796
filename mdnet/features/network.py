"""Warm introductions: paths from the user to a person, tie strength, who is where. Pure.

The graph is never built whole. Each question reads a small neighbourhood through
a :class:`LinkSource` (the index answers with indexed lookups; :class:`MemoryLinks`
is its in-memory twin for tests and scripts), so ``mdnet path`` costs the same on
50 or 50,000 contacts.

People are connected by ``introduced_by``, ``knows``, wikilinks in note bodies
(``link``), a shared ``company`` and shared past ``employers``. A person named in
a link but without a note is a person too (the people the user wants to meet
usually have no note yet); a link target that is another note (a company note, a
daily note) or an organisation someone works at is not.

Tie strength (0..1) is how recently and how often the user has been in touch with a
contact, from its log and ``last_contact``: ``0.6 * recency + 0.4 * frequency``,
recency halving every 90 days, frequency saturating with the number of touches in
the last two years. A path is as strong as its weakest hop before the person
reached. The user knows every contact directly, so a path never goes through a
contact in the middle (it would start there): it is ``[contact]``, ``[contact,
target]`` or ``[contact, someone without a note, target]``; a hop without a note
is known only second-hand and counts half the hop before it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.core.naming import in_folder, query_folder
from mdnet.note.links import ORG_KINDS, PERSON_KINDS, LinkRow, PersonInfo, name_keys, note_links, person_info, reference

RECENCY_HALF_LIFE_DAYS = 90.0
FREQUENCY_WINDOW_DAYS = 730
SECOND_HAND = 0.5
_VIA_ORDER = {"introduced_by": 0, "knows": 1, "company": 2, "employer": 3, "link": 4}


class LinkSource(Protocol):
    """What the network needs from the index (``mdnet.store.index.Index`` is one)."""

    def contact(self, path: str) -> Contact | None: ...
    def links_from(self, path: str) -> list[LinkRow]: ...
    def links_to(self, keys: Iterable[str]) -> list[tuple[str, LinkRow]]: ...
    def names_for(self, key: str) -> list[tuple[str, int, bool]]: ...
    def has_org(self, key: str) -> bool: ...
    def org_keys(self, prefix: str) -> list[str]: ...
    def people(self, paths: Iterable[str]) -> dict[str, PersonInfo]: ...


class MemoryLinks:
    """The in-memory twin of the index's link tables, built from contacts and their bodies."""

    def __init__(self, contacts: Iterable[Contact], bodies: dict[str, str] | None = None,
                 other_notes: Iterable[str] = ()) -> None:  # fmt: skip
        bodies = bodies or {}
        self._contacts = {c.path: c for c in contacts}
        self._from = {path: note_links(c, bodies.get(path, "")) for path, c in self._contacts.items()}
        self._names: dict[str, list[tuple[str, int, bool]]] = {}
        for contact in self._contacts.values():
            for key, rank in name_keys(contact):
                self._names.setdefault(key, []).append((contact.path, rank, True))
        for path in other_notes:
            self._names.setdefault(fold(path.rsplit("/", 1)[-1].removesuffix(".md")), []).append((path, 0, False))
        for rows in self._names.values():
            rows.sort(key=lambda r: (r[1], r[0]))

    def contact(self, path: str) -> Contact | None:
        return self._contacts.get(path)

    def links_from(self, path: str) -> list[LinkRow]:
        return list(self._from.get(path, []))

    def links_to(self, keys: Iterable[str]) -> list[tuple[str, LinkRow]]:
        wanted = set(keys)
        return [(src, row) for src in sorted(self._from) for row in self._from[src] if row.key in wanted]

    def names_for(self, key: str) -> list[tuple[str, int, bool]]:
        return list(self._names.get(key, []))

    def has_org(self, key: str) -> bool:
        return any(row.key == key and row.kind in ORG_KINDS for rows in self._from.values() for row in rows)

    def people(self, paths: Iterable[str]) -> dict[str, PersonInfo]:
        return {p: person_info(self._contacts[p]) for p in paths if p in self._contacts}

    def org_keys(self, prefix: str) -> list[str]:
        keys = {row.key for rows in self._from.values() for row in rows if row.kind in ORG_KINDS}
        return sorted(k for k in keys if k.startswith(prefix))


@dataclass(frozen=True, slots=True)
class Person:
    """A contact (``path`` set) or someone known only from links (``path`` None)."""

    key: str
    name: str
    path: str | None


@dataclass(frozen=True, slots=True)
class Hop:
    name: str
    path: str | None
    via: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "via": self.via}


@dataclass(frozen=True, slots=True)
class Route:
    hops: tuple[Hop, ...]
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"hops": [h.as_dict() for h in self.hops], "score": self.score}


@dataclass(frozen=True, slots=True)
class PathResult:
    target: str
    paths: tuple[Route, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "paths": [p.as_dict() for p in self.paths]}


def tie_strength(contact: Contact, today: dt.date) -> float:
    """How recently and how often the user has been in touch with ``contact``, 0..1."""
    return info_strength(person_info(contact), today)


def info_strength(info: PersonInfo, today: dt.date) -> float:
    """:func:`tie_strength` from the index's summary of a contact (ISO dates compare as text)."""
    if info.last_contact is None:
        return 0.0
    return _strength(info.last_contact, info.touches, today)


@functools.lru_cache(maxsize=65536)
def _strength(last_contact: str, touches: tuple[str, ...], today: dt.date) -> float:
    days = max(0, (today - dt.date.fromisoformat(last_contact)).days)
    recency = float(0.5 ** (days / RECENCY_HALF_LIFE_DAYS))
    since = (today - dt.timedelta(days=FREQUENCY_WINDOW_DAYS)).isoformat()
    now = today.isoformat()
    count = sum(1 for d in touches if since <= d <= now and d != last_contact)
    if since <= last_contact <= now:
        count += 1
    frequency = 1 - math.exp(-count / 4)
    return round(0.6 * recency + 0.4 * frequency, 3)


class Network:
    """Queries over a :class:`LinkSource` for one day; caches what it reads."""

    def __init__(self, source: LinkSource, today: dt.date) -> None:
        self.source = source
        self.today = today
        self._people: dict[tuple[str, str], Person | None] = {}
        self._contacts: dict[str, Contact | None] = {}
        self._infos: dict[str, PersonInfo | None] = {}
        self._strength: dict[str, float] = {}
        self._members: dict[str, list[tuple[str, str]]] = {}

    def org_members(self, keys: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """``(contact path, company|employer)`` of everyone at each organisation, in the order of
        ``keys`` (a set's order changes from run to run, and so would the relation named); cached."""
        wanted = list(dict.fromkeys(keys))
        missing = {key for key in wanted if key not in self._members}
        if missing:
            for key in missing:
                self._members[key] = []
            for src, row in self.source.links_to(missing):
                if row.kind in ORG_KINDS:
                    self._members[row.key].append((src, row.kind))
        return {key: self._members[key] for key in wanted}

    def contact(self, path: str) -> Contact | None:
        if path not in self._contacts:
            self._contacts[path] = self.source.contact(path)
        return self._contacts[path]

    def _load(self, paths: Iterable[str]) -> None:
        missing = [p for p in paths if p not in self._infos]
        if missing:
            found = self.source.people(missing)
            for path in missing:
                self._infos[path] = found.get(path)

    def person_at(self, path: str) -> Person | None:
        self._load([path])
        info = self._infos[path]
        return None if info is None else Person(path, info.name, path)

    def person_of(self, contact: Contact) -> Person:
        return Person(contact.path, contact.name, contact.path)

    def resolve(self, key: str, label: str, folder: str = "") -> Person | None:
        """The person a link names: a contact, someone without a note, or None (a note, an organisation).

        ``folder`` (folded) is the link's folder: ``[[people/work/jane]]`` names the note whose path ends so
        when there is one, as Obsidian resolves it, whatever the other notes named ``jane``.
        """
        if (key, folder) not in self._people:
            person: Person | None = None
            names = self.source.names_for(key)
            if folder:
                names = [n for n in names if in_folder(n[0], folder)] or names
            if names:
                path, _rank, is_contact = names[0]
                person = self.person_at(path) if is_contact else None
            elif not self.source.has_org(key):
                person = Person("?" + key, label, None)
            self._people[key, folder] = person
        return self._people[key, folder]

    def strength(self, person: Person) -> float:
        if person.path is None:
            return 0.0
        if person.path not in self._strength:
            self._load([person.path])
            info = self._infos[person.path]
            self._strength[person.path] = 0.0 if info is None else info_strength(info, self.today)
        return self._strength[person.path]

    def neighbours(self, person: Person, skip_orgs: Collection[str] = ()) -> dict[str, tuple[Person, str]]:
        """Everyone directly connected to ``person``, each with the strongest-reading relation.

        ``skip_orgs`` are organisations (folded keys) whose people are not wanted (``path
        --company X`` already has everyone at X as a target).
        """
        found: dict[str, tuple[Person, str, int]] = {}
        pending: list[tuple[str, str, str]] = []  # (contact path, kind, via), named once loaded

        def add(other: Person | None, kind: str, via: str) -> None:
            if other is None or other.key == person.key:
                return
            rank = _VIA_ORDER[kind]
            if other.key not in found or rank < found[other.key][2]:
                found[other.key] = (other, via, rank)

        if person.path is not None:
            own_orgs: dict[str, tuple[str, str]] = {}
            for row in self.source.links_from(person.path):
                if row.kind in PERSON_KINDS:
                    add(self.resolve(row.key, row.label, row.folder), row.kind, row.kind)
                elif row.key in skip_orgs:
                    continue
                elif row.key not in own_orgs or row.kind == "company":
                    own_orgs[row.key] = (row.kind, row.label)
            for key, members in self.org_members(own_orgs).items():
                mine, label = own_orgs[key]
                for src, their_kind in members:
                    if src == person.path:
                        continue
                    both_now = mine == "company" and their_kind == "company"
                    kind = "company" if both_now else "employer"
                    pending.append((src, kind, f"{'company' if both_now else 'worked at'}: {label}"))
            contact = self.contact(person.path)
            keys = set() if contact is None else {key for key, _rank in name_keys(contact)}
        else:
            keys = {person.key[1:]}
        for src, row in self.source.links_to(keys):
            if row.kind not in PERSON_KINDS or src == person.path:
                continue
            if self.resolve(row.key, row.label, row.folder) != person:
                continue  # the link names someone else who shares a name or alias
            pending.append((src, row.kind, row.kind))
        self._load(src for src, _kind, _via in pending)
        for src, kind, via in pending:
            add(self.person_at(src), kind, via)
        return {key: (other, via) for key, (other, via, _rank) in found.items()}

    def paths(self, targets: Sequence[Person], via: Person | None = None, limit: int = 5,
              skip_orgs: Collection[str] = ()) -> list[Route]:  # fmt: skip
        """The strongest warm paths to any of ``targets``, best first (see the module docstring)."""
        candidates: dict[tuple[str, ...], tuple[float, list[tuple[Person, str]]]] = {}
        target_keys = {t.key for t in targets}

        def offer(people: list[tuple[Person, str]], score: float) -> None:
            keys = tuple(p.key for p, _ in people)
            if len(set(keys)) != len(keys) or keys in candidates:
                return
            if via is not None and via.key not in keys[:-1]:
                return
            candidates[keys] = (round(score, 3), people)

        for target in targets:
            if target.path is not None:
                offer([(target, "contact")], self.strength(target))
            for middle, relation in self.neighbours(target, skip_orgs).values():
                if middle.key in target_keys:
                    continue  # already there: the shorter path to them is offered by itself
                if middle.path is not None:
                    offer([(middle, "contact"), (target, relation)], self.strength(middle))
                    continue
                for first, first_relation in self.neighbours(middle).values():
                    if first.path is not None and first.key not in target_keys:
                        score = SECOND_HAND * self.strength(first)
                        offer([(first, "contact"), (middle, first_relation), (target, relation)], score)
        ranked = sorted(candidates.values(), key=lambda c: (-c[0], len(c[1])))
        if 0 < limit < len(ranked):
            cutoff = ranked[limit - 1]
            ranked = [c for c in ranked if (-c[0], len(c[1])) <= (-cutoff[0], len(cutoff[1]))]
        ranked.sort(key=lambda c: (-c[0], len(c[1]), [fold(p.name) for p, _ in c[1]]))
        if limit > 0:
            ranked = ranked[:limit]
        return [Route(tuple(Hop(p.name, p.path, how) for p, how in people), score) for score, people in ranked]


@dataclass(frozen=True, slots=True)
class WhoEntry:
    name: str
    path: str
    relation: str
    strength: float
    through: tuple[Hop, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "path": self.path, "relation": self.relation,
                                "strength": self.strength}  # fmt: skip
        if self.through:
            data["through"] = [h.as_dict() for h in self.through]
        return data


@dataclass(frozen=True, slots=True)
class WhoResult:
    query: str
    kind: str
    direct: tuple[WhoEntry, ...]
    one_hop: tuple[WhoEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "kind": self.kind, "direct": [e.as_dict() for e in self.direct],
                "one_hop": [e.as_dict() for e in self.one_hop]}  # fmt: skip


def who(network: Network, query: str, kind: str, members: Sequence[tuple[Contact, str]],
        skip_orgs: Collection[str] = ()) -> WhoResult:  # fmt: skip
    """Whom the user knows there: ``members`` directly, and contacts one hop from a member."""
    direct = [WhoEntry(c.name, c.path, relation, network.strength(network.person_of(c))) for c, relation in members]
    member_paths = {c.path for c, _ in members}
    bridges: dict[str, tuple[Person, list[Hop]]] = {}
    for contact, _relation in members:
        member = network.person_of(contact)
        for other, how in network.neighbours(member, skip_orgs).values():
            if other.path is None or other.path in member_paths:
                continue
            bridges.setdefault(other.key, (other, []))[1].append(Hop(member.name, member.path, how))
    one_hop = [
        WhoEntry(person.name, person.path or "", "knows someone there", network.strength(person), tuple(hops))
        for person, hops in bridges.values()
    ]
    direct.sort(key=lambda e: (-e.strength, fold(e.name)))
    one_hop.sort(key=lambda e: (-e.strength, fold(e.name)))
    return WhoResult(query, kind, tuple(direct), tuple(one_hop))


def org_keys(network: Network, org: str) -> list[str]:
    """The folded names of the organisations ``org`` means: itself, else those it starts."""
    ref = reference(org)  # a wikilink as any note writes it: [[orgs/Acme Corp#History|ACME]] is acme corp
    key = ref[0] if ref is not None else fold(org.strip().removeprefix("[[").removesuffix("]]").split("|", 1)[0])
    if not key:
        return []
    return [key] if network.source.has_org(key) else network.source.org_keys(key)


def members_at(network: Network, org: str) -> list[tuple[Contact, str]]:
    """Contacts whose ``company`` (``works there``) or past ``employers`` (``worked there``) name ``org``.

    ``org`` is matched case- and accent-insensitively; when no organisation has that
    exact name, every one whose name starts with it (``Acme`` finds ``Acme Corp``).
    """
    found: dict[str, tuple[Contact, str]] = {}
    for src, row in network.source.links_to(org_keys(network, org)):
        if row.kind not in ORG_KINDS:
            continue
        contact = network.contact(src)
        if contact is None:
            continue
        relation = "works there" if row.kind == "company" else "worked there"
        if src not in found or relation == "works there":
            found[src] = (contact, relation)
    return sorted(found.values(), key=lambda pair: (fold(pair[0].name), pair[0].path))


def find_person(network: Network, text: str) -> Person | None | list[Contact]:
    """A contact by exact name, alias or file stem; else someone named only in links.

    Returns the person, ``None`` when nobody answers exactly to ``text``, or the list
    of contacts when several do (the caller reports the ambiguity).
    """
    cleaned = text.strip().removeprefix("[[").removesuffix("]]").split("|", 1)[0].split("#", 1)[0]
    cleaned = cleaned.removesuffix(".md").rsplit("/", 1)[-1]
    key = fold(cleaned)
    if not key:
        return None
    paths = sorted({path for path, _rank, is_contact in network.source.names_for(key) if is_contact})
    folder = query_folder(text)
    if folder and len(paths) > 1:  # [[people/work/jane]]: the jane.md in that folder
        paths = [p for p in paths if in_folder(p, folder)] or paths
    contacts = [c for c in (network.contact(p) for p in paths) if c is not None]
    if len(contacts) == 1:
        return network.person_of(contacts[0])
    if contacts:
        return contacts
    for _src, row in network.source.links_to([key]):
        if row.kind in PERSON_KINDS:
            return network.resolve(key, row.label)  # named as the notes write it
    return None
