"""The health of the network: interactions per month, dormant contacts, rhythm. Pure.

An *interaction* is a ``## Log`` entry, a mention in a dated note (SPEC 11: one per note and
date, as the index keeps them), or a ``last_contact`` date that neither records (the user
raised it by hand). Git history is not counted again: ``mdnet log``
writes an entry *and* a commit for the same interaction, so commits would count it twice.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mdnet.core.folding import fold
from mdnet.core.model import Contact, Duration
from mdnet.core.policy import EMPTY_POLICY, CadencePolicy, losing_touch

UNCATEGORIZED = "uncategorized"
TOP = 5


@dataclass(frozen=True, slots=True)
class Dormant:
    name: str
    path: str
    category: str | None
    last_contact: dt.date
    days_since: int
    maximum: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "category": self.category,
                "last_contact": self.last_contact.isoformat(), "days_since": self.days_since,
                "maximum": self.maximum}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Ranked:
    name: str
    path: str
    interactions: int
    last_contact: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "interactions": self.interactions,
                "last_contact": None if self.last_contact is None else self.last_contact.isoformat()}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stats:
    since: dt.date
    until: dt.date
    months: tuple[str, ...]
    categories: tuple[str, ...]
    per_month: dict[str, dict[str, int]]
    total: int
    contacts: int
    contacted: int
    never_contacted: int
    median_days_between: float | None
    median_by_category: dict[str, float]
    dormant: tuple[Dormant, ...]
    most: tuple[Ranked, ...]
    least: tuple[Ranked, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "total": self.total,
            "contacts": self.contacts,
            "contacted": self.contacted,
            "never_contacted": self.never_contacted,
            "categories": list(self.categories),
            "per_month": [
                {"month": m, "total": sum(self.per_month[m].values()), "by_category": self.per_month[m]}
                for m in self.months
            ],  # fmt: skip
            "median_days_between": self.median_days_between,
            "median_days_between_by_category": self.median_by_category,
            "dormant": [d.as_dict() for d in self.dormant],
            "most_contacted": [r.as_dict() for r in self.most],
            "least_contacted": [r.as_dict() for r in self.least],
        }


def default_since(today: dt.date) -> dt.date:
    """The first day of the month eleven months back: a year of whole months."""
    return Duration(-11, "m").add_to(today.replace(day=1))


def touches(contact: Contact) -> list[dt.date]:
    """Every interaction's date, oldest first (see the module docstring): log entries and mentions,
    future mentions too (the caller keeps the days up to today)."""
    dates = [entry.date for entry in contact.log]
    dates += [mention.date for mention in contact.mentions]
    if contact.last_contact is not None and contact.last_contact not in dates:
        dates.append(contact.last_contact)
    return sorted(dates)


def compute(
    contacts: Sequence[Contact],
    today: dt.date,
    since: dt.date | None = None,
    policy: CadencePolicy | None = None,
    default_cadence: Duration | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Stats:
    """The network's health between ``since`` (default :func:`default_since`) and ``today``.
    ``progress`` is told (contacts counted, contacts) every hundred contacts and at the end."""
    start = since or default_since(today)
    if start > today:
        start = today
    months = _months(start, today)
    per_month: dict[str, Counter[str]] = {m: Counter() for m in months}
    totals: Counter[str] = Counter()
    counts: dict[str, int] = {}
    gaps: list[int] = []
    gaps_by_category: dict[str, list[int]] = {}
    dormant: list[Dormant] = []
    active = [c for c in contacts if c.status != "archived"]
    for number, contact in enumerate(active):
        if progress is not None and number % 100 == 0:
            progress(number, len(active))
        category = contact.category or UNCATEGORIZED
        dates = touches(contact)
        in_window = [d for d in dates if start <= d <= today]
        counts[contact.path] = len(in_window)
        for day in in_window:
            per_month[f"{day:%Y-%m}"][category] += 1
            totals[category] += 1
        for earlier, later in zip(dates, dates[1:], strict=False):
            if start <= later <= today and later > earlier:
                gaps.append((later - earlier).days)
                gaps_by_category.setdefault(category, []).append((later - earlier).days)
        window = (policy or EMPTY_POLICY).window_for(contact, default_cadence)
        if (
            window is not None
            and contact.last_contact is not None
            and losing_touch(contact.last_contact, window, today)
        ):
            dormant.append(Dormant(contact.name, contact.path, contact.category, contact.last_contact,
                                   (today - contact.last_contact).days, str(window.maximum)))  # fmt: skip
    if progress is not None:
        progress(len(active), len(active))
    categories = tuple(sorted(totals, key=lambda c: (-totals[c], c)))
    ranked = [Ranked(c.name, c.path, counts[c.path], c.last_contact) for c in active]
    most = sorted((r for r in ranked if r.interactions), key=lambda r: (-r.interactions, fold(r.name)))[:TOP]
    least = sorted(ranked, key=lambda r: (r.interactions, r.last_contact or dt.date.min, fold(r.name)))[:TOP]
    dormant.sort(key=lambda d: (-d.days_since, fold(d.name)))
    return Stats(
        since=start,
        until=today,
        months=tuple(months),
        categories=categories,
        per_month={m: dict(sorted(per_month[m].items(), key=lambda kv: categories.index(kv[0]))) for m in months},
        total=sum(totals.values()),
        contacts=len(active),
        contacted=sum(1 for c in active if counts[c.path]),
        never_contacted=sum(1 for c in active if c.last_contact is None),
        median_days_between=None if not gaps else float(statistics.median(gaps)),
        median_by_category={k: float(statistics.median(v)) for k, v in sorted(gaps_by_category.items())},
        dormant=tuple(dormant),
        most=tuple(most),
        least=tuple(least),
    )


def _months(start: dt.date, end: dt.date) -> list[str]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
