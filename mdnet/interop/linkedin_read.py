"""Reading LinkedIn's data export ("Get a copy of your data"): the ``.zip`` or its unpacked folder.

Pure but for reading the export itself. Every table is found by its column names, wherever
its header row is (``Connections.csv`` has a ``Notes:`` preamble that changes from year to
year) and whatever columns are missing or added; cells are looked up by name, never by
position. Dates in UTC become local dates. Names that arrive as mojibake (``JosÃ©``: UTF-8
read as Latin-1 somewhere on LinkedIn's side) are repaired when that is clearly what they are.
A file that is not LinkedIn's, or an export without the files, is one :class:`SourceFileError`
naming the file; nothing is read past it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mdnet.errors import SourceFileError
from mdnet.interop.import_merge import profile_url
from mdnet.interop.vcard import decode_source

# The files read, by their name in lower case (LinkedIn's own spelling varies: Connections.csv,
# messages.csv). guide_messages.csv, learning_role_play_messages.csv and the like are LinkedIn
# talking to you, and are never read.
CONNECTIONS, MESSAGES, INVITATIONS, PROFILE = "connections.csv", "messages.csv", "invitations.csv", "profile.csv"
WANTED = (CONNECTIONS, MESSAGES, INVITATIONS, PROFILE)
MAX_FILE_BYTES = 256 * 1024 * 1024  # one CSV; a messages.csv of ten years is tens of megabytes
HEADER_SEARCH_LINES = 50
# The columns that make a file the table it claims to be (lower case); every other one is optional
REQUIRED = {
    CONNECTIONS: ("first name", "last name"),
    MESSAGES: ("conversation id", "from", "date"),
    INVITATIONS: ("from", "to", "sent at"),
    PROFILE: ("first name", "last name"),
}
Row = dict[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    """One CSV of the export: its display name (``export.zip:messages.csv``), header line and rows."""

    display: str
    header_line: int
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Export:
    """The tables of an export that mdnet reads, by :data:`WANTED` name."""

    source: str
    tables: dict[str, Table]

    def rows(self, name: str) -> tuple[Row, ...]:
        table = self.tables.get(name)
        return () if table is None else table.rows


def read_export(path: Path) -> Export:
    """The export at ``path`` (a zip or a folder), every wanted table parsed; :class:`SourceFileError` else."""
    display = str(path)
    if path.is_dir():
        raw = _folder_files(path)
    elif path.is_file():
        raw = _zip_files(path)
    else:
        raise SourceFileError("no such file or folder", path=display)
    if not any(name in raw for name in (CONNECTIONS, MESSAGES, INVITATIONS)):
        raise SourceFileError("not a LinkedIn export: no Connections.csv, messages.csv or Invitations.csv in it",
                              path=display)  # fmt: skip
    tables = {name: parse_table(decode_source(data, shown), shown, name) for name, (shown, data) in raw.items()}
    return Export(display, tables)


def _folder_files(folder: Path) -> dict[str, tuple[str, bytes]]:
    found: dict[str, tuple[str, bytes]] = {}
    for path in sorted(folder.rglob("*.csv"), key=lambda p: (len(p.parts), str(p))):  # the shallowest wins
        name = path.name.lower()
        if name not in WANTED or name in found or not path.is_file():
            continue
        shown = str(path)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceFileError(f"larger than {MAX_FILE_BYTES // 2**20} MiB", path=shown)
        try:
            found[name] = (shown, path.read_bytes())
        except OSError as exc:
            raise SourceFileError(f"cannot read: {exc.strerror}", path=shown) from None
    return found


def _zip_files(path: Path) -> dict[str, tuple[str, bytes]]:
    display = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(archive.infolist(), key=lambda m: (m.filename.count("/"), m.filename))
            found: dict[str, tuple[str, bytes]] = {}
            for member in members:
                name = member.filename.rsplit("/", 1)[-1].lower()
                if name not in WANTED or name in found or member.is_dir():
                    continue
                shown = f"{display}:{member.filename}"
                if member.file_size > MAX_FILE_BYTES:
                    raise SourceFileError(f"larger than {MAX_FILE_BYTES // 2**20} MiB", path=shown)
                with archive.open(member) as stream:
                    data = stream.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise SourceFileError(f"larger than {MAX_FILE_BYTES // 2**20} MiB", path=shown)
                found[name] = (shown, data)
            return found
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise SourceFileError(f"not a readable zip file ({exc})", path=display) from None
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror or exc}", path=display) from None


def parse_table(text: str, display: str, name: str) -> Table:
    """The rows of one export CSV, keyed by lower-case column name, mojibake repaired."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return _parse(text, display, REQUIRED[name])
    finally:
        csv.field_size_limit(limit)


def _parse(text: str, display: str, required: tuple[str, ...]) -> Table:
    lines = io.StringIO(text, newline="")
    header: list[str] | None = None
    header_line = 0
    for number, line in enumerate(lines, start=1):
        if number > HEADER_SEARCH_LINES:
            break
        try:
            cells = next(csv.reader([line], strict=True), [])
        except csv.Error:
            continue
        names = [cell.strip().lstrip("\ufeff").lower() for cell in cells]
        if all(column in names for column in required):
            header, header_line = names, number
            break
    if header is None:
        wanted = ", ".join(c.title() for c in required)
        raise SourceFileError(f"not LinkedIn's: no header row with the columns {wanted}", path=display)
    reader = csv.reader(lines, strict=True)
    rows: list[Row] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            rows.append({column: repair(values[i].strip()) if i < len(values) else ""
                         for i, column in enumerate(header) if column})  # fmt: skip
    except csv.Error as exc:
        raise SourceFileError(f"malformed CSV: {exc}", path=display, line=header_line + reader.line_num) from None
    return Table(display, header_line, tuple(rows))


# Two or three characters that UTF-8 bytes of one letter become when read as Latin-1 / cp1252:
# a lead byte (Ã, Â, Ä, Å, â, ...) and continuation bytes (0x80-0xBF: C1 controls or cp1252's €‚ƒ…)
_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair(text: str) -> str:
    """``text`` with UTF-8-read-as-Latin-1 undone (``JosÃ©`` -> ``José``) when it clearly is that:
    it has such a pair and the whole text round-trips to valid UTF-8; else ``text`` as it is."""
    if text.isascii() or _MOJIBAKE_RE.search(text) is None:
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return fixed
    return text


def local_day(when: dt.datetime) -> dt.date:
    """The local date of an aware time (the machine's time zone, as TZ sets it)."""
    return when.astimezone().date()


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M %Z", "%Y-%m-%dT%H:%M:%S%z",
                 "%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y %I:%M %p", "%d %b %Y")  # fmt: skip


def parse_utc(value: str) -> dt.datetime | None:
    """A time of the export (UTC, whatever form: ``2024-03-12 18:04:33 UTC``, ``3/12/24, 6:04 PM``),
    aware; ``None`` when it is none of them."""
    text = " ".join(value.replace("\u202f", " ").split())
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+0000"
    for form in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed
    return None


def split_people(names: str, urls: str) -> list[tuple[str, str]]:
    """The recipients of a message: LinkedIn separates them with ``;`` in both columns (group
    conversations). Names pair with URLs when the counts agree; else the URLs stand alone."""
    name_list = [n.strip() for n in names.split(";") if n.strip()] if names else []
    url_list = [profile_url(u) for u in re.split(r"[;,]", urls) if profile_url(u)] if urls else []
    if url_list and len(name_list) == len(url_list):
        return list(zip(name_list, url_list, strict=True))
    if url_list:
        return [("", u) for u in url_list]
    return [(n, "") for n in name_list]


def first_value(row: Row, columns: Iterable[str]) -> str:
    """The first non-empty cell of ``columns`` (exports spell some columns two ways)."""
    for column in columns:
        value = row.get(column, "")
        if value:
            return value
    return ""
