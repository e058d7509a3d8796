"""What is due on a day (SPEC section 3): pure functions of contacts and ``today``.

Decisions the spec leaves open, documented in docs/due.md:

- ``needs_reply: true`` is owed at once (due ``today``); ``needs_reply: DATE`` is
  owed from that date (usually the day their message came). An item is in the
  ``reply`` bucket once a reply is owed (its date is today or past); a reply owed
  from a future date waits in the ordinary buckets like any other date. A dated reply
  followed by an interaction on a later day (the effective last contact) is answered.
- A birthday is this year's, or next year's once this year's has passed: a birthday
  is a date to look forward to and is never "overdue" for eleven months.
- ``dormant`` contacts stay due (dormant is a fact, not a wish to forget them);
  only ``archived`` and a ``snooze_until`` after today remove a contact.

And the rules SPEC section 11 brings to section 3:

- An explicit date beats the rhythm: while ``follow_up`` or a ``next_contact`` not yet
  done is on or after today, there is no ``cadence`` reason. Only those two fields do this.
- ``last_contact`` is already the effective one as of today (front matter, log, mentions
  on or before today); a cadence reason names the mention it counts from. A mention after
  today is a ``planned`` reason on its date; each open loop with a date, a ``task`` reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from operator import attrgetter

from mdnet.core.folding import fold
from mdnet.core.model import BUCKETS, Bucket, Contact, DueFacts, DueItem, Duration, Reason, Record
from mdnet.core.policy import EMPTY_POLICY, CadencePolicy, Window, losing_touch

Dueable = Contact | DueFacts  # the due rules read the same fields of either
# What "%b" gives in the C locale, without strftime (2 us a call) and whatever locale a program has set.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def reasons_for(
    contact: Dueable, today: dt.date, default_cadence: Duration | None, policy: CadencePolicy | None = None
) -> list[Reason]:
    """Every reason the contact is or will be due, each with its own date.

    ``policy`` is the vault's cadence policy by category (``[cadence]`` in mdnet.toml);
    the contact's own cadence always wins over it, and it wins over ``default_cadence``.
    """
    window = (policy or EMPTY_POLICY).window_for(contact, default_cadence)
    return _reasons(contact, today, window, policy, losing_touch(contact.last_contact, window, today))


def planned_done(contact: Dueable) -> bool:
    """Whether the planned next contact has happened: a contact on or after its day.

    ``next_contact`` is "get in touch on that day"; once the effective last contact
    reaches it (a tick in the daily note, ``mdnet log``, mail sent), the plan is done
    and no longer a reason, though the field stays as the user wrote it.
    """
    return (
        contact.next_contact is not None
        and contact.last_contact is not None
        and (contact.last_contact >= contact.next_contact)
    )


def reply_owed(contact: Dueable) -> bool:
    """Whether ``needs_reply`` still stands: ``true``, or a date not followed by an interaction on a later
    day. After a sync one device's ``needs_reply: 2026-12-04`` can meet the other's email logged on 12-07;
    that email answered it. The same day does not (a mail scan or LinkedIn import logs the day of the
    message it sets the date from, as SPEC 13 says: "unless an interaction on a later day exists")."""
    if not contact.needs_reply:
        return False
    owed, last = contact.needs_reply_date, contact.last_contact
    return owed is None or last is None or owed >= last


def _reasons(
    contact: Dueable,
    today: dt.date,
    window: Window | None,
    policy: CadencePolicy | None,
    losing: bool,
    replying: bool | None = None,
) -> list[Reason]:
    """The reasons, in the order the rules list them; ``losing`` is whether touch is being lost.

    Run for every candidate of every due list, so dates are formatted with ``isoformat``
    (what ``str`` gives) and durations from their fields (what ``Duration.__str__`` gives).
    """
    reasons: list[Reason] = []
    if reply_owed(contact) if replying is None else replying:  # ``replying``: reply_owed(contact), if known
        owed = contact.needs_reply_date
        if owed is None:
            reasons.append(Reason("reply", today, "you owe them a reply"))
        else:
            reasons.append(Reason("reply", owed, f"reply owed since {owed.isoformat()}"))
    if contact.follow_up is not None:
        detail = f"follow up: {contact.follow_up_note}" if contact.follow_up_note else "follow up"
        reasons.append(Reason("follow_up", contact.follow_up, detail))
    # An explicit date beats the rhythm (SPEC 3): a follow_up or an open plan on or after today holds
    # back the cadence ("come back in six months" means six months); a past one, or a plan done, does not.
    explicit = contact.follow_up is not None and contact.follow_up >= today
    if contact.next_contact is not None and not planned_done(contact):
        reasons.append(Reason("planned", contact.next_contact, "planned next contact"))
        explicit = explicit or contact.next_contact >= today
    for mention in contact.mentions:  # one per note and date; a future one is a plan, never a last contact
        if mention.date > today:
            reasons.append(Reason("planned", mention.date, f"planned in {mention.path}"))
    if window is not None and not explicit:
        cadence = window.ideal
        source = ""
        if (
            policy is not None
            and policy.windows
            and not contact.cadence_set
            and policy.category_window(contact.category)[0]
        ):
            source = f" ({contact.category} policy)"
        last = contact.last_contact
        if last is None:
            reasons.append(Reason("cadence", today, f"every {cadence.count}{cadence.unit}{source}; no contact yet"))
        else:
            detail = f"every {cadence.count}{cadence.unit}{source}; last contact {last.isoformat()}"
            where = contact.last_contact_source
            if where is not None and where != contact.path and _names_a_line(where):
                detail += f" ({where})"  # a mention: PATH:LINE of the dated note or the other contact's log
            if losing:
                detail += f"; losing touch (past {window.maximum})"
            reasons.append(Reason("cadence", cadence.add_to(last), detail))
    if contact.news is not None and (news := news_reason(contact.news, contact.last_contact, today)) is not None:
        reasons.append(news)
    if contact.birthday is not None:
        year, month, day = contact.birthday
        when = _birthday_on_or_after(month, day, today)
        if when is not None:  # None: the next one is after 9999-12-31, where the calendar ends
            detail = f"birthday {_MONTHS[when.month - 1]} {when.day}{_age(year, month, day, when, today)}"
            reasons.append(Reason("birthday", when, detail))
    for loop in contact.open_loops:  # an open loop with a date (SPEC 11); one without gives no reason
        if loop.due is not None:
            reasons.append(Reason("task", loop.due, f"{loop.text} ({loop.path}:{loop.line})"))
    return reasons


def _names_a_line(source: str) -> bool:
    """Whether a ``last_contact_source`` is ``PATH:LINE`` (a mention) rather than a bare note path."""
    _, colon, line = source.rpartition(":")
    return bool(colon) and line.isdigit()


NEWS_DAYS = 30  # a job change is news for a month (SPEC 13)
_NEWS_DATE_RE = re.compile(r"\s*(\d{4}-\d\d-\d\d)\b[\s:—-]*(.*)", re.DOTALL)


def news_date(news: str | None) -> dt.date | None:
    """The date that starts a ``news:`` value (``2026-11-25 changed jobs: ...``), or ``None``."""
    match = _NEWS_DATE_RE.match(news or "")
    try:
        return dt.date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def news_reason(news: str, last_contact: dt.date | None, today: dt.date) -> Reason | None:
    """The ``news`` reason (SPEC 3, 13): due on its date, until an interaction on a later day, for at most
    :data:`NEWS_DAYS` days; a job change asks for congratulations, other news for a word about it."""
    day = news_date(news)
    if day is None or (last_contact is not None and last_contact > day) or (today - day).days > NEWS_DAYS:
        return None
    match = _NEWS_DATE_RE.match(news)
    text = " ".join(match.group(2).split()) if match else ""
    if text.startswith("changed jobs"):
        return Reason("news", day, f"{text}: congratulate them")
    return Reason("news", day, f"news: {text}; ask them about it" if text else "news: ask them about it")


def _age(year: int | None, month: int, day: int, when: dt.date, today: dt.date) -> str:
    """`` (turns 42)``; for a birth date after ``today``, which the parser cannot see (it reads no
    clock), what is odd instead of "turns -4"; nothing without a year or on the day of birth."""
    if not year:  # 0000-06-02 says no year, as --06-02 does
        return ""
    try:
        born = dt.date(year, month, day)
    except ValueError:  # a Contact not made by the parser: 29 February in a common year
        born = dt.date(year, month, 28)
    if born > today:
        return f" (born {born.isoformat()}, after today: check the year)"
    return f" (turns {when.year - year})" if when.year > year else ""


def _birthday_on_or_after(month: int, day: int, today: dt.date) -> dt.date | None:
    """The next birthday on or after ``today``; ``None`` when it would be after 9999-12-31."""
    for year in (today.year, today.year + 1):
        if year > dt.MAXYEAR:
            return None
        try:
            when = dt.date(year, month, day)
        except ValueError:  # 29 February in a common year: celebrate on the 28th
            when = dt.date(year, month, 28)
        if when >= today:
            return when
    return None  # not reached: next year's birthday is after today


_reason_order = attrgetter("due", "kind")  # (due, kind): in C, not a Python call per reason


def item_for(
    contact: Dueable,
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
    last = contact.last_contact
    losing, ratio = False, None
    if window is not None and last is not None:  # losing_touch and cadence_ratio, inlined: run for every item
        maximum = window.maximum
        if maximum.unit == "d":  # add_to's day arithmetic by ordinals, without its call (past 9999: not losing)
            losing = last.toordinal() + maximum.count < today.toordinal()
        else:
            losing = maximum.add_to(last) < today
        ratio = round(max(0, (today - last).days) / window.ideal.approx_days(), 1)
    owed = reply_owed(contact)
    reasons = _reasons(contact, today, window, policy, losing, owed)  # owed: passed on, not asked twice
    if not reasons:
        return None
    if len(reasons) > 1:
        reasons.sort(key=_reason_order)
    due = reasons[0].due
    bucket: Bucket
    if owed and (contact.needs_reply_date is None or contact.needs_reply_date <= today):
        bucket = "reply"  # a reply owed now: the reply reason's date is today or past
    elif due < today:
        bucket = "overdue"
    elif due == today:
        bucket = "today"
    elif (due - today).days <= within_days:
        bucket = "upcoming"
    else:
        return None
    overdue = (today - due).days
    return DueItem(contact.name, contact.path, bucket, due, overdue if overdue > 0 else 0, contact.category,
                   contact.tags, tuple(reasons), ratio, losing)  # fmt: skip


def due_items(
    contacts: Iterable[Dueable],
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


def matches(contact: Dueable, category: str | None, tag: str | None) -> bool:
    """The ``--category`` / ``--tag`` filters, case-insensitive."""
    if category is not None and fold(contact.category or "") != fold(category):
        return False
    if tag is not None:
        wanted = fold(tag.lstrip("#"))
        if not any(fold(t) == wanted or fold(t).startswith(wanted + "/") for t in contact.tags):
            return False
    return True


def next_due(
    contact: Dueable, today: dt.date, default_cadence: Duration | None, policy: CadencePolicy | None = None
) -> dt.date | None:
    """The contact's earliest reason date whatever the window; ``None`` when never due."""
    if contact.status == "archived" or (contact.snooze_until is not None and contact.snooze_until > today):
        return None
    return min((r.due for r in reasons_for(contact, today, default_cadence, policy)), default=None)


_set = object.__setattr__  # how a record's __init__ fills a slot (mdnet.core.model.Record)


class DueRules(Record):
    """The vault's settings the due rules read, in one place: the upcoming window, the default cadence and
    the cadence policy by category. Built from the vault's settings by ``Config.due_rules`` (every caller:
    the facade, the commands, the daily note, the watcher), so that no caller leaves one out. A plain
    record, not a dataclass, as the records of :mod:`mdnet.core.model` are: every ``mdnet due`` creates
    this class."""

    __slots__ = ("upcoming_days", "default_cadence", "policy")
    upcoming_days: int
    default_cadence: Duration | None
    policy: CadencePolicy

    def __init__(
        self, upcoming_days: int = 7, default_cadence: Duration | None = None, policy: CadencePolicy = EMPTY_POLICY
    ) -> None:
        _set(self, "upcoming_days", upcoming_days)
        _set(self, "default_cadence", default_cadence)
        _set(self, "policy", policy)

    @property
    def inherited(self) -> bool:
        """Whether a contact without its own cadence may still have one (the default or its category's)."""
        return self.default_cadence is not None or bool(self.policy.windows)

    def items(self, contacts: Iterable[Dueable], today: dt.date, within_days: int | None = None) -> list[DueItem]:
        """The due list (:func:`due_items`); ``within_days`` defaults to the upcoming window."""
        window = self.upcoming_days if within_days is None else within_days
        return due_items(contacts, today, window, self.default_cadence, self.policy)

    def item_for(self, contact: Dueable, today: dt.date, within_days: int | None = None) -> DueItem | None:
        """The contact's due item (:func:`item_for`); ``within_days`` defaults to the upcoming window."""
        window = self.upcoming_days if within_days is None else within_days
        return item_for(contact, today, window, self.default_cadence, self.policy)

    def next_due(self, contact: Dueable, today: dt.date) -> dt.date | None:
        """The contact's earliest reason date (:func:`next_due`)."""
        return next_due(contact, today, self.default_cadence, self.policy)
