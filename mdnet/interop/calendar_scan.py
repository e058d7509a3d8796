"""``mdnet calendar scan``: meetings with contacts become log entries and planned contacts (SPEC 12).

Three layers, a module each:

- :func:`mdnet.interop.calendar_read.read_sources` reads and expands every calendar;
- :func:`mdnet.interop.calendar_plan.plan_calendar` is pure: occurrences, contacts, the user's
  addresses and the records of earlier scans in, a ``CalendarUpdate`` per contact out;
- :func:`scan`, here, writes each update through the vault's writer (line edits, conditional on
  the note as read) and commits each contact's note by itself. The commit's trailers are the
  durable record (docs/calendar.md): ``Calendar-Event: UID OCCURRENCE`` for each meeting handled,
  ``Calendar-Planned: UID OCCURRENCE DATE`` for the ``next_contact`` the scan set. Deleting
  ``.mdnet/`` loses nothing; a meeting is never logged twice for a contact.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdnet.config import CONFIG_NAME, Config
from mdnet.core.durations import parse_when
from mdnet.core.wording import counted
from mdnet.errors import MdnetError, UsageError
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.git.trailer_log import trailer_groups, user_email
from mdnet.interop.calendar_plan import CalendarPlan, CalendarUpdate, Planned, Records, plan_calendar
from mdnet.interop.calendar_read import CalendarRead, read_sources
from mdnet.interop.calendar_rules import DEFAULT_MAX_PEOPLE, local_start
from mdnet.note import edit

if TYPE_CHECKING:
    from mdnet.vault.ports import NotesVault

EVENT_TRAILER = "Calendar-Event"
PLANNED_TRAILER = "Calendar-Planned"
DEFAULT_AHEAD_DAYS = 30


# -- configuration -----------------------------------------------------------


def my_addresses(config: Config, root: Path) -> frozenset[str]:
    """``my_emails`` (or the mail scan's ``me``) from mdnet.toml, else git's user.email."""
    for key in ("my_emails", "me"):
        raw = config.extra.get(key)
        if raw:
            values = [raw] if isinstance(raw, str) else [v for v in raw if isinstance(v, str)]
            return frozenset(v.strip().casefold() for v in values if v.strip())
    found = user_email(root)
    if found:
        return frozenset({found.casefold()})
    raise UsageError(f'calendar scan needs your own address: add my_emails = ["you@example.com"] to {CONFIG_NAME} '
                     "(or set git's user.email)")  # fmt: skip


def sources_of(config: Config, root: Path) -> list[Path]:
    """The ``calendar_sources`` of mdnet.toml, relative to the vault root."""
    raw = config.extra.get("calendar_sources") or []
    if not raw:
        raise UsageError(
            f'name a calendar (.ics, .zip or vdir folder), or set calendar_sources = ["..."] in {CONFIG_NAME}'
        )
    return [root / Path(value).expanduser() for value in raw]


def max_people(config: Config) -> int:
    value = config.extra.get("calendar_max_people", DEFAULT_MAX_PEOPLE)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else DEFAULT_MAX_PEOPLE


def read_records(root: Path) -> Records | None:
    """What earlier scans recorded, per contact, from the trailers of mdnet's commits; None without git."""
    groups = trailer_groups(root, (EVENT_TRAILER, PLANNED_TRAILER))
    if groups is None:
        return None
    records = Records()
    for pairs in groups:  # newest commit first
        names = [value for key, value in pairs if key == "Contact"]
        if len(names) != 1:
            continue
        name = names[0]
        logged = records.logged.setdefault(name, set())
        for key, value in pairs:
            if key == EVENT_TRAILER:
                logged.add(value)
            elif key == PLANNED_TRAILER and name not in records.planned:
                plan = Planned.parse(value)
                if plan is not None:
                    records.planned[name] = plan
    return records


# -- writing -------------------------------------------------------------------


def apply_update(text: str, update: CalendarUpdate, log_heading: str) -> str:
    """The note's text with the update's log entries and fields (line-level edits)."""
    for entry in reversed(update.entries):  # oldest first, so each lands in date order
        text = edit.insert_log_entry(text, entry, log_heading)
    if update.last_contact is not None:
        text = edit.set_field(text, "last_contact", update.last_contact.isoformat())
    if update.next_contact is False:
        text = edit.remove_field(text, "next_contact")
    elif update.next_contact is not None:
        text = edit.set_field(text, "next_contact", update.next_contact.isoformat())
    return text


def commit_message(update: CalendarUpdate) -> str:
    """One contact's commit: what changed, a ``Calendar-Event:`` trailer per meeting handled and a
    ``Calendar-Planned:`` one for the next_contact set. Names and summaries are flattened (commit_text)."""
    name = commit_text.flat(update.contact.name)
    if len(update.logged) == 1:
        title = f"Log meeting with {name}: {update.logged[0].summary or '(no title)'}"
    elif update.logged:
        title = f"Log {len(update.logged)} meetings with {name}"
    elif update.next_contact is False:
        title = f"Clear the planned meeting with {name}"
    elif update.next_contact is not None:
        title = f"Plan meeting with {name} on {update.next_contact.isoformat()}"
    else:
        title = f"Record {counted(len(update.recorded), 'meeting')} with {name} from the calendar"
    trailers = [("Contact", name)]
    if update.logged:
        trailers.append(("Interaction", "meeting"))
        trailers.append(("Interaction-Date", max(local_start(o).date() for o in update.logged).isoformat()))
    trailers.extend((EVENT_TRAILER, record) for record in update.records)
    if update.plan is not None:
        trailers.append((PLANNED_TRAILER, update.plan.value))
    return commit_text.message(title, update.describe() or ["meetings already in the log"], trailers)


def catch_up_message(update: CalendarUpdate, earlier: Sequence[str]) -> str:
    """The commit of a note that holds this scan's meetings already but differs from HEAD: written by an
    earlier scan whose commit failed (git busy, a stale index.lock). It commits the note as it is with the
    records, named like the commit that failed, and lists the log lines it commits (``earlier``)."""
    name = commit_text.flat(update.contact.name)
    trailers = [("Contact", name)]
    if earlier and update.recorded:
        title = (f"Log meeting with {name}: {update.recorded[0].summary or '(no title)'}" if len(update.recorded) == 1
                 else f"Log {len(update.recorded)} meetings with {name}")  # fmt: skip
        trailers.append(("Interaction", "meeting"))
        trailers.append(("Interaction-Date", max(local_start(o).date() for o in update.recorded).isoformat()))
    else:
        title = f"Record {counted(len(update.recorded), 'meeting')} with {name} from the calendar"
    trailers.extend((EVENT_TRAILER, record) for record in update.records)
    if update.plan is not None:
        trailers.append((PLANNED_TRAILER, update.plan.value))
    body = [f"Also committed here, written earlier: {line}" for line in earlier]
    return commit_text.message(title, body or ["the note's changes since its last commit"], trailers)


@dataclass(frozen=True, slots=True)
class CalendarResult:
    plan: CalendarPlan
    read: CalendarRead
    written: tuple[tuple[CalendarUpdate, str | None], ...]  # (update, commit)
    failed: tuple[tuple[CalendarUpdate, str], ...]
    not_committed_because: str | None
    commit_failed: bool = False  # git refused a commit (busy, a stale index.lock): the CLI exits 1, notes stay written
    caught_up: tuple[str, ...] = ()  # notes holding their meetings already, uncommitted until this scan committed them

    def as_dict(self, dry_run: bool) -> dict[str, Any]:
        commits = {u.contact.path: c for u, c in self.written}
        logged, planned = [], []
        for update in self.plan.updates:
            commit = commits.get(update.contact.path)
            for occurrence in update.logged:
                when = local_start(occurrence)
                logged.append({"name": update.contact.name, "path": update.contact.path,
                               "date": when.date().isoformat(), "time": when.strftime("%H:%M"),
                               "summary": occurrence.summary, "uid": occurrence.uid, "occurrence": occurrence.key,
                               "commit": commit})  # fmt: skip
            if update.next_contact is not None:
                plan = update.plan
                planned.append({"name": update.contact.name, "path": update.contact.path, "action": update.action,
                                "date": plan.day.isoformat() if plan else None, "uid": plan.uid if plan else None,
                                "occurrence": plan.key if plan else None, "commit": commit})  # fmt: skip
        return {
            "dry_run": dry_run,
            "files": self.read.files,
            "occurrences": self.plan.occurrences,
            "meetings": self.plan.meetings,
            "already_logged": self.plan.already,
            "logged": logged,
            "planned": planned,
            "unmatched": [u.as_dict() for u in self.plan.unmatched],
            "warnings": [*self.read.warnings, *self.plan.warnings],
            "failed": [{"path": u.contact.path, "error": error} for u, error in self.failed],
            "caught_up": [{"path": path, "commit": commits.get(path)} for path in self.caught_up],
        }


def scan(
    vault: NotesVault,
    paths: Sequence[Path],
    *,
    now: dt.datetime,
    since: dt.date | None = None,
    ahead_days: int = DEFAULT_AHEAD_DAYS,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> CalendarResult:
    """Scan the calendars at ``paths`` (else ``calendar_sources``) into ``vault``; ``now`` is local, naive;
    ``progress`` is told (stage, done, total) as the scan goes.

    Every calendar is read before anything is written: a bad one is an error and changes nothing.
    """
    config, root = vault.config, vault.root
    me = my_addresses(config, root)
    sources = list(paths) or sources_of(config, root)
    today = now.date()
    since_day = since if since is not None else parse_when("1y", today, back=True)
    ahead_until = today + dt.timedelta(days=ahead_days)
    records = read_records(root)  # None without git: then no next_contact is ever moved or cleared
    known = records or Records()
    # far enough to find an occurrence mdnet planned that has since been moved a month on
    furthest = max((p.day for p in known.planned.values()), default=ahead_until)
    reading = functools.partial(progress, "reading calendars") if progress is not None else None
    read = read_sources(sources, since_day, max(ahead_until, furthest) + dt.timedelta(days=31), reading)
    plan = plan_calendar(read.occurrences, vault.contacts(), me, known, now=now, since=since_day,
                         ahead_until=ahead_until, max_people=max_people(config))  # fmt: skip
    written: list[tuple[CalendarUpdate, str | None]] = []
    failed: list[tuple[CalendarUpdate, str]] = []
    reason = None
    busy = False
    caught_up: list[str] = []
    if not dry_run:
        quiet = [u.contact.path for u in plan.updates if not u.changes_note]
        dirty = set(history.changed_paths(root, quiet)) if quiet and records is not None else set()
        for number, update in enumerate(plan.updates, 1):
            if progress is not None:
                progress("writing notes", number, len(plan.updates))
            if update.changes_note:
                try:
                    vault.writer.rewrite(update.contact,
                                         functools.partial(apply_update, update=update, log_heading=config.log_heading),
                                         planned=True)  # fmt: skip
                except MdnetError as exc:
                    failed.append((update, str(exc)))
                    continue
                if busy:  # git is busy or locked: the notes after it are not tried for seconds each
                    written.append((update, None))
                    continue
                outcome = history.commit_paths(root, [update.contact.path], commit_message(update))
            elif records is not None and not busy and update.contact.path in dirty:
                # its lines are there already, uncommitted (an earlier scan's commit failed): commit the note
                earlier = history.uncommitted_log_entries(root, update.contact.path)
                outcome = history.commit_paths(root, [update.contact.path], catch_up_message(update, earlier))
                if outcome.unchanged:  # committed meanwhile
                    outcome = history.commit_record(root, commit_message(update))
                elif outcome.commit is not None:
                    caught_up.append(update.contact.path)
            elif records is not None and not busy:
                outcome = history.commit_record(root, commit_message(update))
            else:
                continue
            written.append((update, outcome.commit))
            busy = busy or outcome.failed
            if outcome.commit is None and reason is None:
                reason = outcome.reason
        if written:
            vault.refresh([u.contact.path for u, _ in written])
    return CalendarResult(plan, read, tuple(written), tuple(failed), reason, busy, tuple(caught_up))
