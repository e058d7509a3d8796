"""What is due on a day (SPEC section 3): pure functions of contacts and ``today``.

Decisions the spec leaves open, documented in docs/due.md:

- ``needs_reply: true`` is owed at once (due ``today``); ``needs_reply: DATE`` is
  owed from that date (usually the day their message came). An item is in the
  ``reply`` bucket once a reply is owed (its date is today or past); a reply owed
  from a future date waits in the ordinary buckets like any other date.
- A birthday is this year's, or next year's once this year's has passed: a birthday
  is a date to look forward to and is never "overdue" for eleven months.
- ``dormant`` contacts stay due (dormant is a fact, not a wish to forget them);
  only ``archived`` and a ``snooze_until`` after today remove a contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from mdnet.contact import fold
from mdnet.model import BUCKETS, Bucket, Contact, DueItem, Duration, Reason
from mdnet.policy import EMPTY_POLICY, CadencePolicy, Window, cadence_ratio, losing_touch


def reasons_for(
    contact: Contact, today: dt.date, default_cadence: Duration | None, policy: CadencePolicy | None = None
) -> list[Reason]:
    """Every reason the contact is or will be due, each with its own date.

    ``policy`` is the vault's cadence policy by category (``[cadence]`` in mdnet.toml);
    the contact's own cadence always wins over it, and it wins over ``default_cadence``.
    """
    window = (policy or EMPTY_POLICY).window_for(contact, default_cadence)
    return _reasons(contact, today, window, policy)


def _reasons(contact: Contact, today: dt.date, window: Window | None, policy: CadencePolicy | None) -> list[Reason]:
    reasons: list[Reason] = []
    if contact.needs_reply:
        if contact.needs_reply_date is None:
            reasons.append(Reason("reply", today, "you owe them a reply"))
        else:
            reasons.append(Reason("reply", contact.needs_reply_date, f"reply owed since {contact.needs_reply_date}"))
    if contact.follow_up is not None:
        detail = f"follow up: {contact.follow_up_note}" if contact.follow_up_note else "follow up"
        reasons.append(Reason("follow_up", contact.follow_up, detail))
    if contact.next_contact is not None:
        reasons.append(Reason("planned", contact.next_contact, "planned next contact"))
    if window is not None:
        cadence = window.ideal
        source = ""
        if not contact.cadence_set and policy is not None and policy.category_window(contact.category)[0]:
            source = f" ({contact.category} policy)"
        if contact.last_contact is None:
            reasons.append(Reason("cadence", today, f"every {cadence}{source}; no contact yet"))
        else:
            when = cadence.add_to(contact.last_contact)
            detail = f"every {cadence}{source}; last contact {contact.last_contact}"
            if losing_touch(contact.last_contact, window, today):
                detail += f"; losing touch (past {window.maximum})"
            reasons.append(Reason("cadence", when, detail))
    if contact.birthday is not None:
        year, month, day = contact.birthday
        when = _birthday_on_or_after(month, day, today)
        age = f" (turns {when.year - year})" if year else ""
        reasons.append(Reason("birthday", when, f"birthday {when:%b} {when.day}{age}"))
    return reasons


def _birthday_on_or_after(month: int, day: int, today: dt.date) -> dt.date:
    for year in (today.year, today.year + 1):
        try:
            when = dt.date(year, month, day)
        except ValueError:  # 29 February in a common year: celebrate on the 28th
            when = dt.date(year, month, 28)
        if when >= today:
            return when
    return when


def item_for(
    contact: Contact,
    today: dt.date,
    within_days: int,
    default_cadence: Duration | None,
    policy: CadencePolicy | None = None,
) -> DueItem | None:
    """The contact's due item for ``today``, or ``None`` when it is not on the list."""
    if contact.status == "archived":
        return None
    if contact.snooze_until is not None and contact.snooze_until > today:
        return None
    window = (policy or EMPTY_POLICY).window_for(contact, default_cadence)
    reasons = _reasons(contact, today, window, policy)
    if not reasons:
        return None
    reasons.sort(key=lambda r: (r.due, r.kind))
    due = reasons[0].due
    bucket: Bucket
    if any(r.kind == "reply" and r.due <= today for r in reasons):
        bucket = "reply"
    elif due < today:
        bucket = "overdue"
    elif due == today:
        bucket = "today"
    elif (due - today).days <= within_days:
        bucket = "upcoming"
    else:
        return None
    return DueItem(
        name=contact.name,
        path=contact.path,
        bucket=bucket,
        due=due,
        days_overdue=max(0, (today - due).days),
        category=contact.category,
        tags=contact.tags,
        reasons=tuple(reasons),
        cadence_ratio=cadence_ratio(contact.last_contact, window, today),
        losing_touch=losing_touch(contact.last_contact, window, today),
    )


def due_items(
    contacts: Iterable[Contact],
    today: dt.date,
    within_days: int,
    default_cadence: Duration | None = None,
    policy: CadencePolicy | None = None,
) -> list[DueItem]:
    """The due list: items in bucket order, then by due date, then by name."""
    items = [
        item
        for contact in contacts
        if (item := item_for(contact, today, within_days, default_cadence, policy)) is not None
    ]
    order = {bucket: index for index, bucket in enumerate(BUCKETS)}
    items.sort(key=lambda i: (order[i.bucket], i.due, fold(i.name), i.path))
    return items


def matches(contact: Contact, category: str | None, tag: str | None) -> bool:
    """The ``--category`` / ``--tag`` filters, case-insensitive."""
    if category is not None and fold(contact.category or "") != fold(category):
        return False
    if tag is not None:
        wanted = fold(tag.lstrip("#"))
        if not any(fold(t) == wanted or fold(t).startswith(wanted + "/") for t in contact.tags):
            return False
    return True


def next_due(
    contact: Contact, today: dt.date, default_cadence: Duration | None, policy: CadencePolicy | None = None
) -> dt.date | None:
    """The contact's earliest reason date whatever the window; ``None`` when never due."""
    if contact.status == "archived" or (contact.snooze_until is not None and contact.snooze_until > today):
        return None
    return min((r.due for r in reasons_for(contact, today, default_cadence, policy)), default=None)
