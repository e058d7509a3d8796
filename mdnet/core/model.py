"""Frozen records that flow through mdnet: no IO, no clock.

Everything here is a value: equal inputs give equal records, and records can be
serialised to plain JSON-able dicts (``as_dict``) for the index and for ``--json``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any, Literal, NamedTuple, Self

from mdnet.errors import UsageError

Severity = Literal["error", "warning"]
Bucket = Literal["reply", "overdue", "today", "upcoming"]
BUCKETS: tuple[Bucket, ...] = ("reply", "overdue", "today", "upcoming")
DurationUnit = Literal["d", "w", "m", "y"]


class Record:
    """What ``@dataclass(frozen=True, slots=True)`` gave these records, written out once: fields in
    ``__slots__`` (in the order of ``__init__``'s parameters), ``==`` and ``hash`` over them, a dataclass-style
    ``repr``, no assignment after ``__init__``, pickling, and :meth:`replace` for ``dataclasses.replace``.

    Plain classes, not dataclasses, because ``mdnet due`` imports this module on every run and a dataclass
    costs ~1 ms to create (it compiles its methods with ``exec``): the dozen here were a sixth of the command
    (docs/decisions.md, "Records are plain classes").
    """

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (field name to new value): what ``dataclasses.replace(record, ...)`` did."""
        values = dict(zip(self.__slots__, self._values(), strict=True))
        values.update(changes)
        return type(self)(**values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple[type[Self], tuple[Any, ...]]:
        return type(self), self._values()


_set = object.__setattr__  # how __init__ fills a slot of an immutable record


class Duration(Record):
    """A keep-in-touch interval: ``count`` days, weeks, calendar months or years.

    Months and years are calendar arithmetic, clamped to the end of the month:
    31 January + 1m is 28 (or 29) February, and 29 February + 1y is 28 February.
    Clamping never carries into the next month, so a contact is never due later
    than the user would expect.
    """

    __slots__ = ("count", "unit")
    count: int
    unit: DurationUnit

    def __init__(self, count: int, unit: DurationUnit) -> None:
        # a script's Duration(1, "x") would otherwise count as years, silently
        if unit not in _DAYS_PER_UNIT or type(count) is not int:
            raise UsageError(f"bad duration {count!r} {unit!r}: a whole count and a unit d, w, m or y")
        _set(self, "count", count)
        _set(self, "unit", unit)

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


class Problem(Record):
    """Something wrong with a note or the configuration, located for an editor.

    ``path`` is relative to the vault root (POSIX separators); ``line`` and
    ``column`` are 1-based, 0 when the problem has no better place than the file.
    """

    __slots__ = ("path", "line", "column", "severity", "message")
    path: str
    line: int
    column: int
    severity: Severity
    message: str

    def __init__(self, path: str, line: int, column: int, severity: Severity, message: str) -> None:
        _set(self, "path", path)
        _set(self, "line", line)
        _set(self, "column", column)
        _set(self, "severity", severity)
        _set(self, "message", message)

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


class LogEntry(Record):
    """One line of a note's ``## Log`` list: ``- YYYY-MM-DD[ HH:MM] [kind:] text``."""

    __slots__ = ("date", "time", "kind", "text", "line")
    date: dt.date
    time: str | None
    kind: str | None
    text: str
    line: int

    def __init__(self, date: dt.date, time: str | None, kind: str | None, text: str, line: int) -> None:
        _set(self, "date", date)
        _set(self, "time", time)
        _set(self, "kind", kind)
        _set(self, "text", text)
        _set(self, "line", line)


class Mention(Record):
    """An interaction written elsewhere in the vault (SPEC 11): a link to the contact in a dated note,
    or in another contact's log entry. ``line`` is 1-based over the whole file; ``text`` is the line, flat."""

    __slots__ = ("date", "path", "line", "text")
    date: dt.date
    path: str
    line: int
    text: str

    def __init__(self, date: dt.date, path: str, line: int, text: str) -> None:
        _set(self, "date", date)
        _set(self, "path", path)
        _set(self, "line", line)
        _set(self, "text", text)

    @property
    def source(self) -> str:
        """``PATH:LINE``, as reasons and ``last_contact_source`` name a mention."""
        return f"{self.path}:{self.line}"

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "path": self.path, "line": self.line, "text": self.text}


class OpenLoop(Record):
    """A task not done (``- [ ]``) that links the contact or sits in its note (SPEC 11); ``due`` from
    ``📅``/``[due:: ]``/``due::``, else ``⏳``, else None."""

    __slots__ = ("path", "line", "text", "due")
    path: str
    line: int
    text: str
    due: dt.date | None

    def __init__(self, path: str, line: int, text: str, due: dt.date | None) -> None:
        _set(self, "path", path)
        _set(self, "line", line)
        _set(self, "text", text)
        _set(self, "due", due)

    def as_dict(self) -> dict[str, Any]:
        due = None if self.due is None else self.due.isoformat()
        return {"path": self.path, "line": self.line, "text": self.text, "due": due}


class Contact(Record):
    """A contact note, validated: the typed fields mdnet uses plus every raw field.

    ``fields`` keeps the whole front matter (JSON-able values, dates as the strings
    the user wrote), so unknown keys are shown and never dropped. ``last_contact``
    is the effective one: the later of the ``last_contact`` field and the newest log
    date.
    """

    __slots__ = (
        "path", "name", "stem", "fields", "aliases", "category", "tags", "company", "emails", "interests",
        "status", "cadence", "cadence_set", "last_contact", "next_contact", "follow_up", "follow_up_note",
        "needs_reply", "needs_reply_date", "snooze_until", "birthday", "log", "last_contact_source", "mentions",
        "open_loops",
    )  # fmt: skip
    path: str
    name: str
    stem: str
    fields: dict[str, Any]
    aliases: tuple[str, ...]
    category: str | None
    tags: tuple[str, ...]
    company: str | None
    emails: tuple[str, ...]
    interests: tuple[str, ...]
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
    log: tuple[LogEntry, ...]
    # SPEC 11, as of the vault's day T: ``last_contact`` above is the effective one (front matter, log,
    # mentions on or before T); where it came from ("people/Bob.md", or "daily/2026-11-20.md:3" for a
    # mention); every mention (newest first, future ones too, one per note and date); the open loops.
    last_contact_source: str | None
    mentions: tuple[Mention, ...]
    open_loops: tuple[OpenLoop, ...]

    def __init__(
        self,
        path: str,
        name: str,
        stem: str,
        fields: dict[str, Any],
        aliases: tuple[str, ...] = (),
        category: str | None = None,
        tags: tuple[str, ...] = (),
        company: str | None = None,
        emails: tuple[str, ...] = (),
        interests: tuple[str, ...] = (),
        status: str = "active",
        cadence: Duration | None = None,
        cadence_set: bool = False,
        last_contact: dt.date | None = None,
        next_contact: dt.date | None = None,
        follow_up: dt.date | None = None,
        follow_up_note: str | None = None,
        needs_reply: bool = False,
        needs_reply_date: dt.date | None = None,
        snooze_until: dt.date | None = None,
        birthday: tuple[int | None, int, int] | None = None,
        log: tuple[LogEntry, ...] = (),
        last_contact_source: str | None = None,
        mentions: tuple[Mention, ...] = (),
        open_loops: tuple[OpenLoop, ...] = (),
    ) -> None:
        _set(self, "path", path)
        _set(self, "name", name)
        _set(self, "stem", stem)
        _set(self, "fields", fields)
        _set(self, "aliases", aliases)
        _set(self, "category", category)
        _set(self, "tags", tags)
        _set(self, "company", company)
        _set(self, "emails", emails)
        _set(self, "interests", interests)
        _set(self, "status", status)
        _set(self, "cadence", cadence)
        _set(self, "cadence_set", cadence_set)
        _set(self, "last_contact", last_contact)
        _set(self, "next_contact", next_contact)
        _set(self, "follow_up", follow_up)
        _set(self, "follow_up_note", follow_up_note)
        _set(self, "needs_reply", needs_reply)
        _set(self, "needs_reply_date", needs_reply_date)
        _set(self, "snooze_until", snooze_until)
        _set(self, "birthday", birthday)
        _set(self, "log", log)
        _set(self, "last_contact_source", last_contact_source)
        _set(self, "mentions", mentions)
        _set(self, "open_loops", open_loops)

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


class Reason(Record):
    """Why a contact is due, each with its own date (SPEC section 3)."""

    __slots__ = ("kind", "due", "detail")
    kind: Literal["reply", "follow_up", "planned", "cadence", "birthday", "task", "news"]
    due: dt.date
    detail: str

    def __init__(
        self,
        kind: Literal["reply", "follow_up", "planned", "cadence", "birthday", "task", "news"],
        due: dt.date,
        detail: str,
    ) -> None:
        _set(self, "kind", kind)
        _set(self, "due", due)
        _set(self, "detail", detail)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "due": self.due.isoformat(), "detail": self.detail}


class DueItem(Record):
    """A contact on the due list for a day: its bucket, due date and reasons."""

    __slots__ = (
        "name",
        "path",
        "bucket",
        "due",
        "days_overdue",
        "category",
        "tags",
        "reasons",
        "cadence_ratio",
        "losing_touch",
    )
    name: str
    path: str
    bucket: Bucket
    due: dt.date
    days_overdue: int
    category: str | None
    tags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    cadence_ratio: float | None  # time since the last contact / the ideal cadence (2.3 = 2.3x)
    losing_touch: bool  # past the cadence's maximum window (see mdnet.core.policy)

    def __init__(
        self,
        name: str,
        path: str,
        bucket: Bucket,
        due: dt.date,
        days_overdue: int,
        category: str | None,
        tags: tuple[str, ...],
        reasons: tuple[Reason, ...],
        cadence_ratio: float | None = None,
        losing_touch: bool = False,
    ) -> None:
        _set(self, "name", name)
        _set(self, "path", path)
        _set(self, "bucket", bucket)
        _set(self, "due", due)
        _set(self, "days_overdue", days_overdue)
        _set(self, "category", category)
        _set(self, "tags", tags)
        _set(self, "reasons", reasons)
        _set(self, "cadence_ratio", cadence_ratio)
        _set(self, "losing_touch", losing_touch)

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


class Interaction(Record):
    """One item of a contact's history: a log entry, a git commit, or a mention (SPEC 11: ``path`` and
    ``line`` of the dated note, ``commit`` the last commit that touched it, if any)."""

    __slots__ = ("date", "source", "kind", "text", "commit", "path", "line")
    date: dt.date
    source: Literal["log", "git", "mention"]
    kind: str | None
    text: str
    commit: str | None
    path: str | None
    line: int | None

    def __init__(
        self,
        date: dt.date,
        source: Literal["log", "git", "mention"],
        kind: str | None,
        text: str,
        commit: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        _set(self, "date", date)
        _set(self, "source", source)
        _set(self, "kind", kind)
        _set(self, "text", text)
        _set(self, "commit", commit)
        _set(self, "path", path)
        _set(self, "line", line)

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


class LogResult(Record):
    """What ``log`` did: the entry written and the commit made (or why none was)."""

    __slots__ = ("name", "path", "entry", "commit", "not_committed_because", "commit_failed")
    name: str
    path: str
    entry: str
    commit: str | None
    not_committed_because: str | None
    commit_failed: bool  # git was asked and refused: the CLI exits 1 (not in as_dict)

    def __init__(
        self,
        name: str,
        path: str,
        entry: str,
        commit: str | None,
        not_committed_because: str | None = None,
        commit_failed: bool = False,
    ) -> None:
        _set(self, "name", name)
        _set(self, "path", path)
        _set(self, "entry", entry)
        _set(self, "commit", commit)
        _set(self, "not_committed_because", not_committed_because)
        _set(self, "commit_failed", commit_failed)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "entry": self.entry, "commit": self.commit,
                "not_committed_because": self.not_committed_because}  # fmt: skip


class RefreshStats(Record):
    """What one index refresh did, for ``mdnet index`` and ``Vault.refresh()``."""

    __slots__ = ("files", "contacts", "added", "updated", "removed", "problems", "seconds", "rebuilt")
    files: int
    contacts: int
    added: int
    updated: int
    removed: int
    problems: int
    seconds: float
    rebuilt: bool

    def __init__(
        self,
        files: int,
        contacts: int,
        added: int,
        updated: int,
        removed: int,
        problems: int,
        seconds: float,
        rebuilt: bool,
    ) -> None:
        _set(self, "files", files)
        _set(self, "contacts", contacts)
        _set(self, "added", added)
        _set(self, "updated", updated)
        _set(self, "removed", removed)
        _set(self, "problems", problems)
        _set(self, "seconds", seconds)
        _set(self, "rebuilt", rebuilt)

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


class ChangeResult(Record):
    """What ``followup`` or ``snooze`` did: the fields set (None = cleared) and the commit made."""

    __slots__ = ("name", "path", "fields", "commit", "not_committed_because", "commit_failed", "changed")
    name: str
    path: str
    fields: dict[str, str | None]
    commit: str | None
    not_committed_because: str | None
    commit_failed: bool  # git was asked and refused: the CLI exits 1 (not in as_dict)
    changed: bool  # False: the note already said so; nothing was written or committed

    def __init__(
        self,
        name: str,
        path: str,
        fields: dict[str, str | None],
        commit: str | None,
        not_committed_because: str | None = None,
        commit_failed: bool = False,
        changed: bool = True,
    ) -> None:
        _set(self, "name", name)
        _set(self, "path", path)
        _set(self, "fields", fields)
        _set(self, "commit", commit)
        _set(self, "not_committed_because", not_committed_because)
        _set(self, "commit_failed", commit_failed)
        _set(self, "changed", changed)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "fields": dict(self.fields), "commit": self.commit,
                "not_committed_because": self.not_committed_because, "changed": self.changed}  # fmt: skip
