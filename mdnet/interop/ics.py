"""The due list and birthdays as an iCalendar file (RFC 5545), with the icalendar library.

Pure: contacts and ``today`` in, text out. Decisions (docs/import-export.md):

- every event is an all-day, transparent (not busy) event with a UID made from its
  kind and the note's path (``mdnet-cadence-people-jane-doe@mdnet``), so a calendar
  that re-imports or subscribes updates the event instead of duplicating it;
- a reply owed, a follow-up, a planned contact, a cadence date and an open loop's date
  (a ``task`` reason, SPEC 11) within ``within_days`` of ``today`` are events on their day,
  an overdue one on ``today`` (a reminder in the past is one nobody sees);
- a contact may have several ``task`` reasons (and ``planned`` ones from dated notes beside its
  own ``next_contact``): a task, and a second reason of a kind, gets a UID of its own from its
  kind, the note's path and a hash of its detail without the line number
  (``mdnet-task-people-jane-doe-1a2b3c4d@mdnet``), so the event stays the same while the task
  keeps its words, wherever its line moves;
- a birthday is a yearly event (``RRULE:FREQ=YEARLY``) from the birth year, or from
  2000 when the year is unknown; 29 February recurs on the last day of February;
- ``DTSTAMP`` is ``today`` at 00:00:00 UTC, never the clock's second, so a second
  export of unchanged data on the same day is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from mdnet.core.due import reasons_for
from mdnet.core.folding import fold
from mdnet.core.model import Contact, Duration, Reason
from mdnet.core.policy import CadencePolicy

PRODID = "-//mdnet//mdnet export ics//EN"
_SUMMARIES = {
    "reply": "Reply to {name}",
    "follow_up": "Follow up with {name}",
    "planned": "Contact {name} (planned)",
    "cadence": "Keep in touch with {name}",
    "task": "Open task with {name}",
}
_LINE_NUMBER_RE = re.compile(r":\d+\)$")


def path_slug(contact: Contact) -> str:
    """The note's path without ``.md``, folded to ``a-z0-9-``: ``people/José Álvarez.md`` -> ``people-jose-alvarez``."""
    stem = contact.path[:-3] if contact.path.lower().endswith(".md") else contact.path
    return re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-") or "contact"


def uid_for(kind: str, contact: Contact, shared_slug: bool = False) -> str:
    """A UID that stays the same while the note keeps its path.

    ``shared_slug``: another note's path folds to the same slug (``José Álvarez.md``
    and ``jose-alvarez.md``); a hash of the exact path then keeps the two apart.
    """
    slug = path_slug(contact)
    if shared_slug:
        slug += "-" + hashlib.sha1(contact.path.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"mdnet-{kind.replace('_', '-')}-{slug}@mdnet"


def calendar_events(
    contacts: Iterable[Contact],
    today: dt.date,
    within_days: int,
    default_cadence: Duration | None,
    policy: CadencePolicy | None = None,
) -> list[dict[str, Any]]:
    """The events to export, as plain values (sorted by date, then UID); ``policy`` as in ``due``."""
    horizon = Duration(within_days, "d").add_to(today)  # clamped: the last days of 9999 are days too
    events: list[dict[str, Any]] = []
    contacts = list(contacts)
    slugs = Counter(path_slug(c) for c in contacts)
    for contact in contacts:
        shared = slugs[path_slug(contact)] > 1
        if contact.status == "archived":
            continue
        snoozed = contact.snooze_until is not None and contact.snooze_until > today
        kinds: set[str] = set()
        taken: set[str] = set()
        for reason in reasons_for(contact, today, default_cadence, policy):
            if reason.kind == "birthday":
                events.append(_birthday(contact, shared))
            elif not snoozed and reason.due <= horizon:
                event = _reminder(contact, reason, today, shared, again=reason.kind in kinds)
                kinds.add(reason.kind)
                while event["uid"] in taken:  # the same words twice: the second gets the next number
                    event["uid"] = _next_uid(event["uid"])
                taken.add(event["uid"])
                events.append(event)
    events.sort(key=lambda e: (e["start"], e["uid"]))
    return events


def _reminder(
    contact: Contact, reason: Reason, today: dt.date, shared_slug: bool, *, again: bool = False
) -> dict[str, Any]:
    day = max(reason.due, today)
    uid = uid_for(reason.kind, contact, shared_slug)
    if reason.kind == "task" or again:
        words = _LINE_NUMBER_RE.sub(")", reason.detail)
        uid = uid.removesuffix("@mdnet") + "-" + hashlib.sha1(words.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        uid += "@mdnet"
    lines = [reason.detail]
    if reason.due < today:
        lines.append(f"due {reason.due.isoformat()} ({(today - reason.due).days} days overdue)")
    lines.append(f"note: {contact.path}")
    return {
        "uid": uid,
        "summary": _SUMMARIES[reason.kind].format(name=contact.name),
        "description": "\n".join(lines),
        "start": day,
        "rrule": None,
        "categories": [reason.kind.replace("_", "-")],
    }


def _next_uid(uid: str) -> str:
    """``...-1a2b3c4d@mdnet`` -> ``...-1a2b3c4d-2@mdnet`` -> ``...-1a2b3c4d-3@mdnet``."""
    base = uid.removesuffix("@mdnet")
    head, _, number = base.rpartition("-")
    if number.isdigit() and head.count("-") >= 3 and len(number) < 8:
        return f"{head}-{int(number) + 1}@mdnet"
    return f"{base}-2@mdnet"


def _birthday(contact: Contact, shared_slug: bool) -> dict[str, Any]:
    assert contact.birthday is not None
    year, month, day = contact.birthday
    start = dt.date(year or 2000, month, day)  # valid: contact.py checked the day against 2000, a leap year
    rule: dict[str, Any] = {"FREQ": "YEARLY"}
    if (month, day) == (2, 29):
        rule.update({"BYMONTH": 2, "BYMONTHDAY": -1})  # the last day of February, every year
    detail = f"born {year}" if year else "birthday"
    return {
        "uid": uid_for("birthday", contact, shared_slug),
        "summary": f"{contact.name}'s birthday",
        "description": f"{detail}\nnote: {contact.path}",
        "start": start,
        "rrule": rule,
        "categories": ["birthday"],
    }


def export_ics(
    contacts: Iterable[Contact],
    today: dt.date,
    within_days: int,
    default_cadence: Duration | None = None,
    policy: CadencePolicy | None = None,
) -> str:
    """The iCalendar text (CRLF line endings, folded at 75 octets)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "mdnet")
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    for values in calendar_events(contacts, today, within_days, default_cadence, policy):
        event = Event()
        event.add("uid", values["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", values["start"])
        if values["start"] < dt.date.max:  # without DTEND a DATE event lasts its day (RFC 5545 3.6.1)
            event.add("dtend", values["start"] + dt.timedelta(days=1))
        if values["rrule"] is not None:
            event.add("rrule", values["rrule"])
        event.add("summary", values["summary"])
        event.add("description", values["description"])
        event.add("categories", values["categories"])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical()).decode("utf-8")
