"""Google Contacts, Outlook and LinkedIn CSV exports -> :class:`~mdnet.interop.import_merge.Incoming` records.

The kind of export is recognised from its header row, wherever the row is: LinkedIn's
``Connections.csv`` puts a few lines of notes above it, so the first lines are read
until one is a known header (:func:`find_header`). The delimiter is the header line's
own (comma, semicolon as Excel writes in many European locales, or tab;
:func:`header_delimiter`). The column mapping is in docs/import-export.md. Google
writes UTF-8 and puts several values in one cell separated by `` ::: ``; Outlook
often writes the Windows code page (pass ``--encoding cp1252``) and US dates
(``6/2/1984``) for birthdays; LinkedIn writes ``12 Mar 2024``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mdnet.errors import SourceFileError
from mdnet.interop.import_merge import Incoming, clean_birthday, linkedin_profile
from mdnet.interop.vcard import decode_source

Row = dict[str, str]
_GOOGLE_VALUE_RE = re.compile(r"^(E-mail|Phone|Website) (\d+) - Value$")
OUTLOOK_PHONES = ("Mobile Phone", "Business Phone", "Business Phone 2", "Home Phone", "Home Phone 2",
                  "Primary Phone", "Other Phone", "Company Main Phone")  # fmt: skip
OUTLOOK_EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
# Connections.csv; exports before 2022 have no URL column, so it is not required
LINKEDIN_COLUMNS = frozenset({"First Name", "Last Name", "Company", "Position", "Connected On"})
KNOWN_EXPORTS = "a Google Contacts, Outlook or LinkedIn CSV export"
DELIMITERS = ",;\t"
# How many lines may come before the header (LinkedIn writes three or four). The header is
# recognised by its columns, never found by skipping a count; this only bounds the search.
HEADER_SEARCH_LINES = 50
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")  # fmt: skip
# English month names, abbreviated (LinkedIn's "Mar") or in full, by number
MONTHS = {**{m[:3]: n for n, m in enumerate(_MONTH_NAMES, 1)}, **{m: n for n, m in enumerate(_MONTH_NAMES, 1)},
          "sept": 9}  # fmt: skip


def read_contacts_csv(path: Path, encoding: str = "utf-8") -> list[Incoming]:
    """Every person in a Google, Outlook or LinkedIn CSV export; :class:`SourceFileError` on a bad file."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceFileError("is a folder; give the exported .csv file", path=str(path)) from None
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror}", path=str(path)) from None
    return parse_contacts_csv(decode_source(data, str(path), encoding), str(path))


def detect(header: list[str]) -> str | None:
    """``google``, ``outlook``, ``linkedin`` or ``None``, from the header row."""
    columns = set(header)
    if any(_GOOGLE_VALUE_RE.match(c) for c in columns) and ({"Name", "Given Name", "First Name"} & columns):
        return "google"
    if {"First Name", "Last Name", "E-mail Address"} <= columns:
        return "outlook"
    if columns >= LINKEDIN_COLUMNS:
        return "linkedin"
    return None


def header_delimiter(line: str) -> str:
    """The delimiter of a header line: whichever of comma, semicolon and tab it holds most; comma on a tie.

    A count on the header line rather than :class:`csv.Sniffer`: no column name of
    the exports mdnet reads holds any of the three, so on their header line the
    most frequent one is the delimiter, every time and for a reason a user can
    check by looking at the line. The Sniffer weighs how regularly characters
    repeat over the lines it is shown, guesses the quoting as well, and on a single
    line can change its answer with the text (or give up with an error). Data rows
    are never counted, so a comma file whose cells hold semicolons (``Acme; Berlin``)
    is still a comma file: its header has commas and no semicolons.
    """
    return max(DELIMITERS, key=line.count)  # max keeps the first of equals: comma


@dataclass(frozen=True, slots=True)
class Header:
    """The header row of an export: its kind, its columns, its delimiter and its line (from 1)."""

    kind: str
    columns: list[str]
    delimiter: str
    line: int


def _cells_of_line(line: str, delimiter: str) -> list[str] | None:
    """One physical line read as a CSV row (stripped cells); ``None`` when it is not one by itself."""
    try:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter, strict=True), [])]
    except csv.Error:  # a line inside a quoted, multi-line note above the header
        return None


def find_header(lines: Iterator[str], display: str) -> Header:
    """The first of ``lines`` that is a known header; the lines before it are notes (LinkedIn's).

    ``lines`` is left just after the header, where the rows begin. When no known
    header comes within :data:`HEADER_SEARCH_LINES`, the error shows the first line
    that looks like a header (two cells or more), else the first line with text.
    """
    shown: tuple[int, list[str]] | None = None
    for number, line in enumerate(lines, start=1):
        if number > HEADER_SEARCH_LINES:
            break
        if not line.strip():
            continue
        delimiter = header_delimiter(line)
        cells = _cells_of_line(line, delimiter)
        if cells is None:
            continue
        kind = detect(cells)
        if kind is not None:
            return Header(kind, cells, delimiter, number)
        if shown is None or (len(shown[1]) < 2 <= len(cells)):
            shown = (number, cells)
    if shown is None:
        raise SourceFileError(f"empty file; expected {KNOWN_EXPORTS}", path=display)
    number, cells = shown
    listed = ", ".join(cells[:4]) + (", ..." if len(cells) > 4 else "")
    raise SourceFileError(f"not {KNOWN_EXPORTS} (header: {listed})", path=display, line=number)


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
    lines = io.StringIO(text, newline="")  # lines end at \n, \r\n or \r, as the csv module reads them
    header = find_header(lines, display)
    convert = _CONVERTERS[header.kind]
    # the rows are read from the same lines, right after the header: a cell may span lines
    reader = csv.reader(lines, delimiter=header.delimiter, strict=True)
    records = []
    try:
        for row_values in reader:
            if not any(v.strip() for v in row_values):
                continue
            columns = header.columns
            row = {column: (row_values[i].strip() if i < len(row_values) else "") for i, column in enumerate(columns)}
            record = convert(row, columns, f"{display} line {header.line + reader.line_num}")
            if record.name:
                records.append(record)
    except csv.Error as exc:
        raise SourceFileError(f"malformed CSV: {exc}", path=display, line=header.line + reader.line_num) from None
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


def linkedin_date(value: str) -> str | None:
    """LinkedIn's ``12 Mar 2024`` (or an ISO date) as ``2024-03-12``; ``None`` when it is neither.

    The month names are English whatever the locale: LinkedIn writes them so, and
    ``strptime``'s ``%b`` would read them in the locale of the machine.
    """
    text = value.strip()
    match = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})", text)
    try:
        if match is None:
            return dt.date.fromisoformat(text).isoformat() if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else None
        day, word, year = match.groups()
        month = MONTHS.get(word.lower())
        return dt.date(int(year), month, int(day)).isoformat() if month else None
    except ValueError:  # 31 Feb
        return None


def _linkedin(row: Row, header: list[str], source: str) -> Incoming:
    get = row.get
    name = _join(get("First Name", ""), get("Last Name", ""))
    email = get("Email Address", "")  # empty unless the person lets connections see it
    emails = (email,) if "@" in email else ()
    return Incoming(
        name=" ".join((name or (emails[0] if emails else "")).split()),
        emails=emails,
        company=get("Company") or None,
        role=get("Position") or None,
        links=(get("URL", ""),) if get("URL") else (),
        linkedin=linkedin_profile([get("URL", "")]),  # the identity key, as import linkedin keeps it
        linkedin_connected=linkedin_date(get("Connected On", "")),
        source=source,
    )


_CONVERTERS: dict[str, Callable[[Row, list[str], str], Incoming]] = {
    "google": _google,
    "outlook": _outlook,
    "linkedin": _linkedin,
}
