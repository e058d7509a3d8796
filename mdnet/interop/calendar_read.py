"""Reading calendars for ``mdnet calendar scan``: a ``.ics`` file, a ``.zip`` of them, or a vdir.

Every file is read and expanded before the scan decides anything: a corrupt calendar, a zip
without one or an unreadable file is a :class:`SourceFileError` naming the file, and nothing is
written. Recurring events are expanded by ``recurring-ical-events`` (RRULE, RDATE, EXDATE, moved
occurrences, X-WR-TIMEZONE); this module only turns what it yields into
:class:`~mdnet.interop.calendar_rules.Occurrence` records. Inputs are hostile: sizes are capped,
a zip is read in memory (no path from it reaches the file system), and a rule that would yield
an occurrence every second or minute is left out with a warning instead of exhausting memory.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mdnet.errors import SourceFileError
from mdnet.interop.calendar_rules import Occurrence, Person, bare_email, occurrence_key

MAX_ICS_BYTES = 64 * 1024 * 1024  # one calendar file
MAX_ZIP_BYTES = 256 * 1024 * 1024  # every calendar in a zip, uncompressed
MAX_FILES = 20_000  # calendar files in a zip or a vdir
MAX_OCCURRENCES = 500_000  # occurrences in one file within the scanned window
TOO_FREQUENT = frozenset({"SECONDLY", "MINUTELY"})


@dataclass
class CalendarRead:
    """What the sources held: every occurrence in the window (each UID and occurrence once)."""

    occurrences: list[Occurrence] = field(default_factory=list)
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    uids: set[str] = field(default_factory=set)  # every event UID seen, in or out of the window


def calendar_files(path: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(display name, a reader of its bytes) for every calendar file of the source ``path``."""
    if path.is_dir():
        found = sorted(p for p in _vdir_files(path))
        if not found:
            raise SourceFileError("no .ics files in this folder (a vdir holds one folder per calendar)", path=str(path))
        for item in found:
            yield str(item), (lambda item=item: _read_file(item))  # type: ignore[misc]
        return
    if not path.is_file():
        raise SourceFileError("no such file or folder", path=str(path))
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        yield from _zip_members(path)
        return
    yield str(path), lambda: _read_file(path)


def _vdir_files(folder: Path) -> Iterator[Path]:
    """The ``.ics`` files of a vdir (its collections, one folder each) or of one collection; hidden
    files and folders (vdirsyncer's status) are left out, and links are not followed into folders."""
    count = 0
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        inner: Iterator[Path]
        if entry.is_dir() and not entry.is_symlink():
            inner = (e for e in sorted(entry.iterdir()) if not e.name.startswith(".") and _is_ics(e))
        elif _is_ics(entry):
            inner = iter([entry])
        else:
            continue
        for item in inner:
            count += 1
            if count > MAX_FILES:
                raise SourceFileError(f"more than {MAX_FILES} calendar files", path=str(folder))
            yield item


def _is_ics(path: Path) -> bool:
    return path.suffix.lower() == ".ics" and path.is_file()


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_ICS_BYTES:
            raise SourceFileError(f"{size} bytes: larger than the {MAX_ICS_BYTES // 2**20} MB a calendar may be",
                                  path=str(path))  # fmt: skip
        with path.open("rb") as handle:
            return handle.read(MAX_ICS_BYTES + 1)
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror}", path=str(path)) from None


def _zip_members(path: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(_read_zip(path)))
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".ics")]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceFileError(f"not a readable zip: {exc}", path=str(path)) from None
    if not members:
        raise SourceFileError("no .ics calendar in this zip (Google Calendar's export holds one per calendar)",
                              path=str(path))  # fmt: skip
    if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise SourceFileError(f"too large: more than {MAX_FILES} calendars or {MAX_ZIP_BYTES // 2**20} MB unpacked",
                              path=str(path))  # fmt: skip
    for member in members:
        display = f"{path}:{member.filename}"

        def read(member: zipfile.ZipInfo = member, display: str = display) -> bytes:
            try:
                with archive.open(member) as handle:
                    data = handle.read(MAX_ICS_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise SourceFileError(f"cannot unpack: {exc}", path=display) from None
            if len(data) > MAX_ICS_BYTES:
                raise SourceFileError(f"larger than {MAX_ICS_BYTES // 2**20} MB", path=display)
            return data

        yield display, read


def _read_zip(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_ZIP_BYTES:
        raise SourceFileError(f"larger than {MAX_ZIP_BYTES // 2**20} MB", path=str(path))
    return path.read_bytes()


def parse_calendars(data: bytes, display: str) -> list[Any]:
    """The VCALENDARs of a file's bytes, or a :class:`SourceFileError` naming it."""
    import icalendar

    if len(data) > MAX_ICS_BYTES:
        raise SourceFileError(f"larger than {MAX_ICS_BYTES // 2**20} MB", path=display)
    if not data.lstrip(b"\xef\xbb\xbf \r\n\t").upper().startswith(b"BEGIN:VCALENDAR"):
        raise SourceFileError("not an iCalendar file (it does not begin with BEGIN:VCALENDAR)", path=display)
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError... on hostile input
        raise SourceFileError(f"not a valid iCalendar file: {_reason(exc)}", path=display) from None
    found = [c for c in calendars if getattr(c, "name", "") == "VCALENDAR"]
    if not found:
        raise SourceFileError("no VCALENDAR in this file", path=display)
    return found


def expand(calendar: Any, display: str, start: dt.date, end: dt.date, read: CalendarRead) -> None:
    """Add the occurrences of ``calendar`` from ``start`` to ``end`` (inclusive days) to ``read``."""
    import recurring_ical_events

    try:
        cancelled_series = _screen(calendar, display, read)
        components = recurring_ical_events.of(calendar).between(start, end + dt.timedelta(days=1))
    except Exception as exc:  # a bad RRULE, a period ending before it starts, a bad date...
        raise SourceFileError(f"cannot expand its events: {_reason(exc)}", path=display) from None
    if len(components) > MAX_OCCURRENCES:
        raise SourceFileError(f"more than {MAX_OCCURRENCES} occurrences between {start} and {end}", path=display)
    for component in components:
        try:
            read.occurrences.append(occurrence_of(component, display, cancelled_series))
        except Exception as exc:  # a broken property is an error of icalendar's own, among others
            raise SourceFileError(f"an event that does not read: {_reason(exc)}", path=display) from None


def _screen(calendar: Any, display: str, read: CalendarRead) -> set[str]:
    """The UIDs of cancelled series; a rule that repeats every second or minute is removed, with a warning."""
    cancelled_series: set[str] = set()
    for event in list(calendar.walk("VEVENT")):
        uid = str(event.get("UID", "")).strip()
        read.uids.add(uid)
        rule = event.get("RRULE")
        if rule is not None and str((rule.get("FREQ") or [""])[0]).upper() in TOO_FREQUENT:
            read.warnings.append(f"{display}: event {uid or '(no UID)'} repeats every second or minute; left out")
            calendar.subcomponents.remove(event)
            continue
        if event.get("RECURRENCE-ID") is None and str(event.get("STATUS", "")).upper() == "CANCELLED":
            cancelled_series.add(uid)
    return cancelled_series


def occurrence_of(event: Any, display: str, cancelled_series: set[str]) -> Occurrence:
    """One expanded VEVENT as an :class:`Occurrence`."""
    uid = " ".join(str(event.get("UID", "")).split()) or "(no-uid)"
    start = event.decoded("DTSTART")
    original = event.decoded("RECURRENCE-ID") if event.get("RECURRENCE-ID") is not None else start
    people = [_person(value, organizer=False) for value in _values(event.get("ATTENDEE"))]
    if event.get("ORGANIZER") is not None:
        people.insert(0, _person(event.get("ORGANIZER"), organizer=True))
    status = str(event.get("STATUS", "")).upper()
    return Occurrence(
        uid=uid,
        key=occurrence_key(original),
        start=start,
        summary=" ".join(str(event.get("SUMMARY", "")).split()),
        people=tuple(people),
        transparent=str(event.get("TRANSP", "")).upper() == "TRANSPARENT",
        cancelled=status == "CANCELLED" or uid in cancelled_series,
        source=display,
    )


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _person(value: Any, *, organizer: bool) -> Person:
    params = getattr(value, "params", {}) or {}
    address = str(value)
    email = bare_email(address) if address[:7].casefold() == "mailto:" or "@" in address else ""
    if email and "@" not in email:
        email = ""
    return Person(
        email=email,
        name=" ".join(str(params.get("CN", "")).split()),
        cutype=str(params.get("CUTYPE", "INDIVIDUAL")).upper(),
        partstat=str(params.get("PARTSTAT", "NEEDS-ACTION")).upper(),
        organizer=organizer,
    )


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


def read_sources(
    paths: list[Path],
    start: dt.date,
    end: dt.date,
    progress: Callable[[int, int], None] | None = None,
) -> CalendarRead:
    """Every occurrence from ``start`` to ``end`` in the sources ``paths``; each UID and occurrence once
    (the same event in two calendars, or a calendar listed twice). Raises on the first bad file."""
    read = CalendarRead()
    files = [item for path in paths for item in calendar_files(path)]
    seen: set[tuple[str, str]] = set()
    for number, (display, reader) in enumerate(files, 1):
        before = len(read.occurrences)
        for calendar in parse_calendars(reader(), display):
            expand(calendar, display, start, end, read)
        fresh = [o for o in read.occurrences[before:] if (o.uid, o.key) not in seen]
        seen.update((o.uid, o.key) for o in fresh)
        del read.occurrences[before:]
        read.occurrences.extend(fresh)
        read.files += 1
        if progress is not None:
            progress(number, len(files))
    read.occurrences.sort(key=lambda o: (o.key, o.uid))
    return read
