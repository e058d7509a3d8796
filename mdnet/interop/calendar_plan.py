"""Planning ``mdnet calendar scan``, pure: occurrences, contacts, the user's addresses and what
earlier scans recorded in, a :class:`CalendarUpdate` per contact and the unmatched attendees out.

The records (read from git by :mod:`mdnet.interop.calendar_scan`) are per contact, keyed by the
contact's name as its commits' ``Contact:`` trailer holds it: ``logged`` the ``UID OCCURRENCE``
values of its ``Calendar-Event:`` trailers, ``planned`` the newest ``Calendar-Planned:`` value
(``UID OCCURRENCE DATE``): the ``next_contact`` mdnet set, which only mdnet moves or clears.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mdnet.core.durations import parse_date
from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.git.commit_text import flat
from mdnet.interop.calendar_rules import Occurrence, bare_email, local_start, participants, why_not_a_meeting
from mdnet.note import edit

KIND = "meeting"
NO_TITLE = "(no title)"


@dataclass(frozen=True, slots=True)
class Planned:
    """A ``Calendar-Planned: UID OCCURRENCE DATE`` record."""

    uid: str
    key: str
    day: dt.date

    @property
    def value(self) -> str:
        return f"{self.uid} {self.key} {self.day.isoformat()}"

    @classmethod
    def parse(cls, value: str) -> Planned | None:
        parts = value.rsplit(" ", 2)
        if len(parts) != 3:
            return None
        try:
            return cls(parts[0], parts[1], dt.date.fromisoformat(parts[2]))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Records:
    """What earlier scans recorded, per contact name (flattened, as in the ``Contact:`` trailer)."""

    logged: dict[str, set[str]] = field(default_factory=dict)
    planned: dict[str, Planned] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CalendarUpdate:
    """What one scan does to one contact's note."""

    contact: Contact
    logged: tuple[Occurrence, ...] = ()  # a new log line each, oldest first
    recorded: tuple[Occurrence, ...] = ()  # past meetings already in the log (by hand): recorded only
    last_contact: dt.date | None = None
    next_contact: dt.date | Literal[False] | None = None  # set, clear (False) or leave (None)
    plan: Planned | None = None  # the occurrence behind a next_contact set or moved
    action: str | None = None  # "planned", "moved", "cleared"
    entries: tuple[str, ...] = ()  # the log lines, newest first

    @property
    def changes_note(self) -> bool:
        return bool(self.entries) or self.last_contact is not None or self.next_contact is not None

    @property
    def records(self) -> tuple[str, ...]:
        return tuple(o.record for o in (*self.logged, *self.recorded))

    def describe(self) -> list[str]:
        lines = [f"log {entry[2:]}" for entry in self.entries]
        if self.last_contact is not None:
            lines.append(f"last_contact: {self.last_contact.isoformat()}")
        if self.next_contact is False:
            lines.append("next_contact cleared (the meeting mdnet planned is gone)")
        elif self.next_contact is not None:
            lines.append(f"next_contact: {self.next_contact.isoformat()} ({self.action})")
        return lines


@dataclass(frozen=True, slots=True)
class Unmatched:
    email: str
    name: str
    events: int
    maybe: str | None = None  # a contact with that name (CN): a suggestion, never a match

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "name": self.name, "events": self.events, "maybe": self.maybe}


@dataclass(frozen=True, slots=True)
class CalendarPlan:
    updates: tuple[CalendarUpdate, ...]
    unmatched: tuple[Unmatched, ...]
    warnings: tuple[str, ...]
    occurrences: int = 0
    meetings: int = 0
    already: int = 0


def entry_for(occurrence: Occurrence) -> str:
    when = local_start(occurrence)
    return edit.format_log_entry(when.date().isoformat(), occurrence.summary or NO_TITLE, KIND, when.strftime("%H:%M"))


def plan_calendar(
    occurrences: Sequence[Occurrence],
    contacts: Sequence[Contact],
    me: Iterable[str],
    records: Records,
    *,
    now: dt.datetime,
    since: dt.date,
    ahead_until: dt.date,
    max_people: int,
) -> CalendarPlan:
    """The changes a scan makes. ``now`` is local and naive; a past occurrence is logged from ``since`` on,
    a future one planned up to ``ahead_until`` (inclusive)."""
    mine = frozenset(bare_email(m) for m in me)
    owners: dict[str, list[Contact]] = {}
    for contact in contacts:
        for address in {bare_email(e) for e in contact.emails if e.strip()}:
            owners.setdefault(address, []).append(contact)
    warnings = [
        f"{address} belongs to several contacts ({', '.join(c.path for c in found)}); its meetings are left alone"
        for address, found in sorted(owners.items())
        if len(found) > 1
    ]
    owner = {address: found[0] for address, found in owners.items() if len(found) == 1 and address not in mine}
    by_name = {fold(c.name): c.name for c in contacts}

    past: dict[str, list[Occurrence]] = {}
    future: dict[str, list[Occurrence]] = {}
    meeting_with: dict[tuple[str, str], set[str]] = {}  # (uid, key) -> paths of contacts met
    unmatched_count: Counter[str] = Counter()
    unmatched_name: dict[str, str] = {}
    meetings = 0
    today = now.date()
    for occurrence in occurrences:
        if why_not_a_meeting(occurrence, mine, max_people) is not None:
            continue
        people = participants(occurrence, mine)
        met = {owner[p.email].path for p in people if p.email in owner}
        for person in people:
            if person.email and person.email not in owner and person.email not in owners:
                unmatched_count[person.email] += 1
                unmatched_name.setdefault(person.email, person.name)
        if not met:
            continue
        meetings += 1
        meeting_with[(occurrence.uid, occurrence.key)] = met
        start = local_start(occurrence)
        for path in met:
            if start < now:
                if start.date() >= since:
                    past.setdefault(path, []).append(occurrence)
            elif start.date() <= ahead_until:
                future.setdefault(path, []).append(occurrence)

    by_path = {c.path: c for c in contacts}
    updates: list[CalendarUpdate] = []
    already = 0
    for contact in sorted(contacts, key=lambda c: c.path):
        name = flat(contact.name)
        logged, recorded, skipped = _past_for(contact, past.get(contact.path, []), records.logged.get(name, set()))
        already += skipped
        plan, next_contact, action = _future_for(
            contact, future.get(contact.path, []), records.planned.get(name), meeting_with, occurrences, today
        )
        last = None
        if logged:
            newest = max(local_start(o).date() for o in logged)
            recorded_last = _field_date(by_path[contact.path].fields.get("last_contact"))
            if recorded_last is None or newest > recorded_last:
                last = newest
        entries = tuple(reversed([entry_for(o) for o in logged]))
        update = CalendarUpdate(contact, tuple(logged), tuple(recorded), last, next_contact, plan, action, entries)
        if update.changes_note or update.recorded:
            updates.append(update)
    ranked = sorted(unmatched_count.items(), key=lambda item: (-item[1], item[0]))
    unmatched = tuple(
        Unmatched(email, unmatched_name.get(email, ""), count, by_name.get(fold(unmatched_name.get(email, ""))))
        for email, count in ranked
    )
    return CalendarPlan(tuple(updates), unmatched, tuple(warnings), len(occurrences), meetings, already)


def _past_for(
    contact: Contact, occurrences: list[Occurrence], done: set[str]
) -> tuple[list[Occurrence], list[Occurrence], int]:
    """(to log, to record only, already recorded) of a contact's past meetings, oldest first."""
    existing = {(e.date, e.time, (e.kind or "").casefold(), " ".join(e.text.split())) for e in contact.log}
    logged: list[Occurrence] = []
    recorded: list[Occurrence] = []
    skipped = 0
    for occurrence in sorted(occurrences, key=local_start):
        if occurrence.record in done:
            skipped += 1
            continue
        start = local_start(occurrence)
        line = (start.date(), start.strftime("%H:%M"), KIND, occurrence.summary or NO_TITLE)
        if line in existing:
            recorded.append(occurrence)  # logged before (by hand, or by a scan whose commit failed)
        else:
            existing.add(line)
            logged.append(occurrence)
    return logged, recorded, skipped


def _future_for(
    contact: Contact,
    upcoming: list[Occurrence],
    planned: Planned | None,
    meeting_with: dict[tuple[str, str], set[str]],
    occurrences: Sequence[Occurrence],
    today: dt.date,
) -> tuple[Planned | None, dt.date | Literal[False] | None, str | None]:
    """(the plan, the next_contact change, the action) for one contact."""
    current = contact.next_contact
    first = min(upcoming, key=local_start, default=None)
    ours = planned is not None and current == planned.day and current >= today
    if ours:
        assert planned is not None
        same = next((o for o in occurrences if o.uid == planned.uid and o.key == planned.key), None)
        still = same is not None and contact.path in meeting_with.get((same.uid, same.key), set())
        if same is not None and still and local_start(same).date() >= today:
            day = local_start(same).date()
            if day == planned.day:
                return None, None, None
            return Planned(same.uid, same.key, day), day, "moved"
        # the planned occurrence was cancelled, declined, deleted or has happened: the next one, or nothing
        if first is not None:
            day = local_start(first).date()
            return Planned(first.uid, first.key, day), day, "moved"
        return None, False, "cleared"
    if first is not None and (current is None or current < today):
        day = local_start(first).date()
        return Planned(first.uid, first.key, day), day, "planned"
    return None, None, None


def _field_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(str(value))
    except ValueError:
        return None
