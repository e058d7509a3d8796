"""Frozen records that flow through mdnet: no IO, no clock.

Everything here is a value: equal inputs give equal records, and records can be
serialised to plain JSON-able dicts (``as_dict``) for the index and for ``--json``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from mdnet.errors import UsageError

Severity = Literal["error", "warning"]
Bucket = Literal["reply", "overdue", "today", "upcoming"]
BUCKETS: tuple[Bucket, ...] = ("reply", "overdue", "today", "upcoming")
DurationUnit = Literal["d", "w", "m", "y"]


@dataclass(frozen=True, slots=True)
class Duration:
    """A keep-in-touch interval: ``count`` days, weeks, calendar months or years.

    Months and years are calendar arithmetic, clamped to the end of the month:
    31 January + 1m is 28 (or 29) February, and 29 February + 1y is 28 February.
    Clamping never carries into the next month, so a contact is never due later
    than the user would expect.
    """

    count: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        # a script's Duration(1, "x") would otherwise count as years, silently
        if self.unit not in _DAYS_PER_UNIT or type(self.count) is not int:
            raise UsageError(f"bad duration {self.count!r} {self.unit!r}: a whole count and a unit d, w, m or y")

    def add_to(self, day: dt.date) -> dt.date:
        """``day`` moved by this duration; clamped to the calendar's ends (year 1 and 9999),
        so that a note dated 9999-12-01 with a yearly cadence is a date, not a crash."""
        if self.unit in ("d", "w"):
            days = self.count * (7 if self.unit == "w" else 1)
            try:  # by ordinals: four times faster than adding a timedelta, on the path of every due list
                return dt.date.fromordinal(day.toordinal() + days)
            except (ValueError, OverflowError):
                return dt.date.max if days > 0 else dt.date.min
        months = self.count if self.unit == "m" else 12 * self.count
        index = day.year * 12 + (day.month - 1) + months
        year, month = divmod(index, 12)
        if year > dt.MAXYEAR:
            return dt.date.max
        if year < dt.MINYEAR:
            return dt.date.min
        month += 1
        if day.day <= 28:
            return dt.date(year, month, day.day)
        return dt.date(year, month, min(day.day, _days_in_month(year, month)))

    def approx_days(self) -> float:
        """Length in days, for ratios such as "2.3x overdue" (a month is 30.44 days)."""
        return self.count * _DAYS_PER_UNIT[self.unit]

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


_DAYS_PER_UNIT = {"d": 1.0, "w": 7.0, "m": 30.436875, "y": 365.2425}


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def printable_line(text: str) -> str:
    """``text`` as one line of printable text: control characters (a NUL, an escape, a line break
    from another program's data) become spaces, and runs of white space one space."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def escape_line_breaks(text: str) -> str:
    """``text`` on one line: a line break in a name or a path is written ``\\n``, as one line of output
    (an error, a quickfix entry) must not become two."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a note or the configuration, located for an editor.

    ``path`` is relative to the vault root (POSIX separators); ``line`` and
    ``column`` are 1-based, 0 when the problem has no better place than the file.
    """

    path: str
    line: int
    column: int
    severity: Severity
    message: str

    def format(self) -> str:
        """``path:line:col: severity: message``, the vim quickfix / compiler form."""
        text = f"{self.path}:{max(self.line, 1)}:{max(self.column, 1)}: {self.severity}: {self.message}"
        return escape_line_breaks(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of a note's ``## Log`` list: ``- YYYY-MM-DD[ HH:MM] [kind:] text``."""

    date: dt.date
    time: str | None
    kind: str | None
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Mention:
    """An interaction written elsewhere in the vault (SPEC 11): a link to the contact in a dated note,
    or in another contact's log entry. ``line`` is 1-based over the whole file; ``text`` is the line, flat."""

    date: dt.date
    path: str
    line: int
    text: str

    @property
    def source(self) -> str:
        """``PATH:LINE``, as reasons and ``last_contact_source`` name a mention."""
        return f"{self.path}:{self.line}"

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "path": self.path, "line": self.line, "text": self.text}


@dataclass(frozen=True, slots=True)
class OpenLoop:
    """A task not done (``- [ ]``) that links the contact or sits in its note (SPEC 11); ``due`` from
    ``📅``/``[due:: ]``/``due::``, else ``⏳``, else None."""

    path: str
    line: int
    text: str
    due: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        due = None if self.due is None else self.due.isoformat()
        return {"path": self.path, "line": self.line, "text": self.text, "due": due}


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact note, validated: the typed fields mdnet uses plus every raw field.

    ``fields`` keeps the whole front matter (JSON-able values, dates as the strings
    the user wrote), so unknown keys are shown and never dropped. ``last_contact``
    is the effective one: the later of the ``last_contact`` field and the newest log
    date.
    """

    path: str
    name: str
    stem: str
    fields: dict[str, Any]
    aliases: tuple[str, ...] = ()
    category: str | None = None
    tags: tuple[str, ...] = ()
    company: str | None = None
    emails: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    status: str = "active"
    cadence: Duration | None = None
    cadence_set: bool = False
    last_contact: dt.date | None = None
    next_contact: dt.date | None = None
    follow_up: dt.date | None = None
    follow_up_note: str | None = None
    needs_reply: bool = False
    needs_reply_date: dt.date | None = None
    snooze_until: dt.date | None = None
    birthday: tuple[int | None, int, int] | None = None
    log: tuple[LogEntry, ...] = field(default=())
    # SPEC 11, as of the vault's day T: ``last_contact`` above is the effective one (front matter, log,
    # mentions on or before T); where it came from ("people/Bob.md", or "daily/2026-11-20.md:3" for a
    # mention); every mention (newest first, future ones too, one per note and date); the open loops.
    last_contact_source: str | None = None
    mentions: tuple[Mention, ...] = ()
    open_loops: tuple[OpenLoop, ...] = ()

    @property
    def news(self) -> str | None:
        """The ``news:`` field (``"DATE what they told you"``, SPEC 13), when it is text."""
        value = self.fields.get("news")
        return value if isinstance(value, str) and value.strip() else None

    @property
    def last_log(self) -> LogEntry | None:
        return max(self.log, key=lambda e: (e.date, e.time or ""), default=None)


class DueFacts(NamedTuple):
    """What the due rules read of a contact, and nothing else: the index's light row.

    The due list of a large vault reads thousands of these on every ``mdnet due``, so
    they are named tuples (built at C speed) rather than :class:`Contact` records.
    The names and meanings are :class:`Contact`'s, and the due rules accept either.
    """

    path: str
    name: str
    category: str | None
    tags: tuple[str, ...]
    status: str
    cadence: Duration | None
    cadence_set: bool
    last_contact: dt.date | None
    next_contact: dt.date | None
    follow_up: dt.date | None
    follow_up_note: str | None
    needs_reply: bool
    needs_reply_date: dt.date | None
    snooze_until: dt.date | None
    birthday: tuple[int | None, int, int] | None
    last_contact_source: str | None = None
    mentions: tuple[Mention, ...] = ()
    open_loops: tuple[OpenLoop, ...] = ()
    news: str | None = None  # the news: field (SPEC 13)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a contact is due, each with its own date (SPEC section 3)."""

    kind: Literal["reply", "follow_up", "planned", "cadence", "birthday", "task", "news"]
    due: dt.date
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "due": self.due.isoformat(), "detail": self.detail}


@dataclass(frozen=True, slots=True)
class DueItem:
    """A contact on the due list for a day: its bucket, due date and reasons."""

    name: str
    path: str
    bucket: Bucket
    due: dt.date
    days_overdue: int
    category: str | None
    tags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    cadence_ratio: float | None = None  # time since the last contact / the ideal cadence (2.3 = 2.3x)
    losing_touch: bool = False  # past the cadence's maximum window (see mdnet.core.policy)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "bucket": self.bucket,
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
            "category": self.category,
            "tags": list(self.tags),
            "reasons": [r.as_dict() for r in self.reasons],
            "cadence_ratio": self.cadence_ratio,
            "losing_touch": self.losing_touch,
        }


@dataclass(frozen=True, slots=True)
class Interaction:
    """One item of a contact's history: a log entry, a git commit, or a mention (SPEC 11: ``path`` and
    ``line`` of the dated note, ``commit`` the last commit that touched it, if any)."""

    date: dt.date
    source: Literal["log", "git", "mention"]
    kind: str | None
    text: str
    commit: str | None = None
    path: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "date": self.date.isoformat(),
            "source": self.source,
            "kind": self.kind,
            "text": self.text,
            "commit": self.commit,
        }
        if self.source == "mention":
            data["path"], data["line"] = self.path, self.line
        return data


@dataclass(frozen=True, slots=True)
class LogResult:
    """What ``log`` did: the entry written and the commit made (or why none was)."""

    name: str
    path: str
    entry: str
    commit: str | None
    not_committed_because: str | None = None
    commit_failed: bool = False  # git was asked and refused: the CLI exits 1 (not in as_dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "entry": self.entry, "commit": self.commit,
                "not_committed_because": self.not_committed_because}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RefreshStats:
    """What one index refresh did, for ``mdnet index`` and ``Vault.refresh()``."""

    files: int
    contacts: int
    added: int
    updated: int
    removed: int
    problems: int
    seconds: float
    rebuilt: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "contacts": self.contacts,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "problems": self.problems,
            "seconds": round(self.seconds, 4),
            "rebuilt": self.rebuilt,
        }


class GitFacts(NamedTuple):
    """What git knows of a note: the last day a commit touched it (renames followed), and how often.

    Immutable like the other records, but a named tuple: a vault has one per note
    and reading them from the cache must stay within milliseconds.
    """

    path: str
    last_touched: dt.date
    commits: int
    last_commit: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "last_touched": self.last_touched.isoformat(), "commits": self.commits,
                "last_commit": self.last_commit}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """What ``followup`` or ``snooze`` did: the fields set (None = cleared) and the commit made."""

    name: str
    path: str
    fields: dict[str, str | None]
    commit: str | None
    not_committed_because: str | None = None
    commit_failed: bool = False  # git was asked and refused: the CLI exits 1 (not in as_dict)
    changed: bool = True  # False: the note already said so; nothing was written or committed

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "fields": dict(self.fields), "commit": self.commit,
                "not_committed_because": self.not_committed_because, "changed": self.changed}  # fmt: skip
