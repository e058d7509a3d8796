"""Google Contacts and Outlook CSV exports -> :class:`~mdnet.import_merge.Incoming` records.

The kind of export is recognised from the header row; the column mapping is in
docs/import-export.md. Google writes UTF-8 and puts several values in one cell
separated by `` ::: ``; Outlook often writes the Windows code page (pass
``--encoding cp1252``) and US dates (``6/2/1984``) for birthdays.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from mdnet.errors import SourceFileError
from mdnet.import_merge import Incoming, clean_birthday
from mdnet.vcard import decode_source

Row = dict[str, str]
_GOOGLE_VALUE_RE = re.compile(r"^(E-mail|Phone|Website) (\d+) - Value$")
OUTLOOK_PHONES = ("Mobile Phone", "Business Phone", "Business Phone 2", "Home Phone", "Home Phone 2",
                  "Primary Phone", "Other Phone", "Company Main Phone")  # fmt: skip
OUTLOOK_EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")


def read_contacts_csv(path: Path, encoding: str = "utf-8") -> list[Incoming]:
    """Every person in a Google or Outlook CSV export; :class:`SourceFileError` on a bad file."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceFileError("is a folder; give the exported .csv file", path=str(path)) from None
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror}", path=str(path)) from None
    return parse_contacts_csv(decode_source(data, str(path), encoding), str(path))


def detect(header: list[str]) -> str | None:
    """``google``, ``outlook`` or ``None``, from the header row."""
    columns = set(header)
    if any(_GOOGLE_VALUE_RE.match(c) for c in columns) and ({"Name", "Given Name", "First Name"} & columns):
        return "google"
    if {"First Name", "Last Name", "E-mail Address"} <= columns:
        return "outlook"
    return None


def parse_contacts_csv(text: str, display: str = "<csv>") -> list[Incoming]:
    # csv refuses a field over 128 KiB by default (a long Notes cell): allow any field of
    # this text for the time of the read, then give the process-wide setting back
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return _parse(text, display)
    finally:
        csv.field_size_limit(limit)


def _parse(text: str, display: str) -> list[Incoming]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise SourceFileError("empty file; expected a Google Contacts or Outlook CSV export", path=display)
        header = [h.strip() for h in header]
        kind = detect(header)
        if kind is None:
            shown = ", ".join(header[:4]) + (", ..." if len(header) > 4 else "")
            raise SourceFileError(
                f"not a Google Contacts or Outlook CSV export (header: {shown})", path=display, line=1
            )
        convert: Callable[[Row, list[str], str], Incoming] = _google if kind == "google" else _outlook
        records = []
        for row_values in reader:
            if not any(v.strip() for v in row_values):
                continue
            row = {column: (row_values[i].strip() if i < len(row_values) else "") for i, column in enumerate(header)}
            record = convert(row, header, f"{display} line {reader.line_num}")
            if record.name:
                records.append(record)
    except csv.Error as exc:
        raise SourceFileError(f"malformed CSV: {exc}", path=display, line=reader.line_num) from None
    return records


def _cells(value: str) -> list[str]:
    """Google's ``a ::: b`` multi-value cells."""
    return [part.strip() for part in value.split(":::") if part.strip()]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _place(city: str, region: str) -> str | None:
    return ", ".join(p for p in (city, region) if p) or None


def _google(row: Row, header: list[str], source: str) -> Incoming:
    get = row.get
    name = get("Name") or _join(get("Given Name", ""), get("Additional Name", ""), get("Family Name", ""))
    name = name or _join(get("First Name", ""), get("Middle Name", ""), get("Last Name", ""))
    values: dict[str, list[str]] = {"E-mail": [], "Phone": [], "Website": []}
    for column in header:
        match = _GOOGLE_VALUE_RE.match(column)
        if match:
            values[match.group(1)].extend(_cells(row.get(column, "")))
    company = get("Organization Name") or get("Organization 1 - Name") or None
    role = get("Organization Title") or get("Organization 1 - Title") or None
    emails = tuple(e for e in values["E-mail"] if "@" in e)
    return Incoming(
        name=" ".join((name or (emails[0] if emails else "")).split()),
        emails=emails,
        phones=tuple(values["Phone"]),
        company=company,
        role=role,
        location=_place(get("Address 1 - City", ""), get("Address 1 - Region", "")),
        birthday=clean_birthday(get("Birthday", "")),
        links=tuple(values["Website"]),
        aliases=tuple(_cells(get("Nickname", ""))),
        source=source,
    )


def _outlook_birthday(value: str) -> str | None:
    """Outlook's ``6/2/1984`` (month first) or an ISO date; ``0/0/00`` means none."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", value.strip())
    if match is None:
        return clean_birthday(value)
    month, day, year = (int(g) for g in match.groups())
    if not month or not day:
        return None
    text = f"{year:04d}-{month:02d}-{day:02d}" if year >= 1000 else f"--{month:02d}-{day:02d}"
    return clean_birthday(text)


def _outlook(row: Row, header: list[str], source: str) -> Incoming:
    get = row.get
    name = _join(get("First Name", ""), get("Middle Name", ""), get("Last Name", ""), get("Suffix", ""))
    emails = tuple(row[c] for c in OUTLOOK_EMAILS if "@" in row.get(c, ""))
    location = _place(get("Business City", ""), get("Business State", "")) or _place(
        get("Home City", ""), get("Home State", "")
    )
    return Incoming(
        name=" ".join((name or (emails[0] if emails else "")).split()),
        emails=emails,
        phones=tuple(row[c] for c in OUTLOOK_PHONES if row.get(c)),
        company=get("Company") or None,
        role=get("Job Title") or None,
        location=location,
        birthday=_outlook_birthday(get("Birthday", "")),
        links=tuple(row[c] for c in ("Web Page", "Personal Web Page") if row.get(c)),
        aliases=(get("Nickname", ""),) if get("Nickname") else (),
        source=source,
    )
