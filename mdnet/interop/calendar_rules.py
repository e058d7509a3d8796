"""What counts as a meeting with a contact (SPEC 12), pure: occurrences in, verdicts out.

:mod:`mdnet.interop.calendar_read` turns a calendar into :class:`Occurrence` records (one per
expanded occurrence); everything here is decided from those records, the user's own addresses
and the contacts' emails, with no IO and no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NON_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP"})  # CUTYPE values that are not a person
DEFAULT_MAX_PEOPLE = 8


def bare_email(value: str) -> str:
    """``MAILTO:Jane@Acme.example`` -> ``jane@acme.example``: the prefix in any case dropped, case folded."""
    text = value.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:]
    return text.strip().casefold()


@dataclass(frozen=True, slots=True)
class Person:
    """An ATTENDEE or the ORGANIZER of an occurrence."""

    email: str  # bare and folded (bare_email); "" when the address is not an email
    name: str  # CN, or ""
    cutype: str = "INDIVIDUAL"
    partstat: str = "NEEDS-ACTION"
    organizer: bool = False

    @property
    def declined(self) -> bool:
        return self.partstat == "DECLINED"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of an event, as the calendar has it after recurrence expansion."""

    uid: str
    key: str  # the occurrence: RECURRENCE-ID, else DTSTART, in UTC YYYYMMDDTHHMMSSZ
    start: dt.datetime | dt.date  # aware (a floating time is read as local time); a date when all-day
    summary: str
    people: tuple[Person, ...] = ()
    transparent: bool = False
    cancelled: bool = False  # STATUS:CANCELLED, in the occurrence or in its series
    source: str = ""  # the file it came from, for messages

    @property
    def timed(self) -> bool:
        return isinstance(self.start, dt.datetime)

    @property
    def record(self) -> str:
        """``UID OCCURRENCE``, the value of a ``Calendar-Event:`` trailer."""
        return f"{self.uid} {self.key}"


def occurrence_key(moment: dt.datetime | dt.date) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC (a date: midnight UTC); a naive time is read as local time."""
    if not isinstance(moment, dt.datetime):
        return moment.strftime("%Y%m%dT000000Z")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def participants(occurrence: Occurrence, me: frozenset[str]) -> list[Person]:
    """The people at the occurrence besides me: attendees and organizer, no rooms, resources or groups,
    nobody who declined, each address once (an organizer listed as attendee too counts once)."""
    seen: set[str] = set()
    found: list[Person] = []
    for person in occurrence.people:
        if person.cutype in NON_PEOPLE or person.declined or (person.email and person.email in me):
            continue
        identity = person.email or f"cn:{person.name.casefold()}"
        if identity in seen or identity == "cn:":
            continue
        seen.add(identity)
        found.append(person)
    return found


def why_not_a_meeting(occurrence: Occurrence, me: frozenset[str], max_people: int) -> str | None:
    """Why the occurrence is no personal meeting (a short reason), or None when it is one."""
    if not occurrence.timed:
        return "all-day"
    if occurrence.transparent:
        return "transparent (free time)"
    if occurrence.cancelled:
        return "cancelled"
    if any(p.email in me and p.declined for p in occurrence.people if p.email):
        return "declined by you"
    people = participants(occurrence, me)
    if not people:
        return "nobody besides you"
    if len(people) > max_people:
        return f"{len(people)} participants (more than {max_people})"
    return None


def local_start(occurrence: Occurrence, zone: dt.tzinfo | None = None) -> dt.datetime:
    """The occurrence's start in local time (``zone``, else the machine's), without tzinfo."""
    start = occurrence.start
    assert isinstance(start, dt.datetime)
    return start.astimezone(zone).replace(tzinfo=None)
