"""A parsed note -> a validated :class:`~mdnet.core.model.Contact` and its Problems.

Pure: takes the note's text and where it lives, returns values. Every problem is
reported with a line and column so ``mdnet check`` can point an editor at it; a
note with an error is left out of lists (SPEC 10), one with only warnings is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from mdnet.core.durations import DURATION_FORMS, DurationError, parse_date, parse_duration
from mdnet.core.model import Contact, Duration, LogEntry, Problem, Severity
from mdnet.note import conflicts, document, frontmatter_yaml

DATE_FIELDS = ("last_contact", "next_contact", "follow_up", "snooze_until")
STATUSES = ("active", "dormant", "archived")
_TRUE_WORDS = frozenset(("true", "yes", "y", "on"))
_FALSE_WORDS = frozenset(("false", "no", "n", "off", ""))
_KIND_RE = re.compile(r"([A-Za-z][\w-]{0,30}):[ \t]+(.*)$")
_MONTHDAY_RE = re.compile(r"(?:(\d{4})|-)?-(\d\d)-(\d\d)$")
# What str.splitlines splits on: any of them in a name would split a wikilink, a task line of the
# daily note or a line of output in two.
_LINE_BREAK_RE = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


class ParseSettings(NamedTuple):  # not a dataclass: making one costs a cold index 4 M instructions
    """What parsing depends on besides the text: from the vault's configuration."""

    log_heading: str = "Log"


# A log entry as the index stores it: ISO date, time, kind, text, 1-based line. Plain
# tuples, not LogEntry records: a cold index reads every entry of every note and never
# needs the records.
LogRow = tuple[str, str | None, str | None, str, int]


class ParsedNote(NamedTuple):  # not a dataclass: making one costs a cold index 4 M instructions
    """Everything the index keeps of one note.

    ``contact.log`` holds the log as records unless the note was parsed with
    ``log_records=False`` (the index), when it is empty and ``log_rows`` has it.
    """

    fields: dict[str, Any]
    is_contact_type: bool
    contact: Contact | None
    problems: tuple[Problem, ...]
    body: str
    log_rows: tuple[LogRow, ...] = ()
    doc: document.Document | None = None  # the note split as read (its first side when it holds a conflict)


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, column: int, severity: Severity, message: str) -> None:
        self.problems.append(Problem(self.path, line, column, severity, message))

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def has_error_besides(self, conflict: int | None) -> bool:
        """An error that leaves the note out: a merge conflict's does not (the first side is read)."""
        return any(p.severity == "error" and not (p.line == conflict and p.column == 1
                                                  and p.message.startswith("unresolved merge conflict"))
                   for p in self.problems)  # fmt: skip


def parse_note(
    text: str, path: str, *, contact_folder: bool, settings: ParseSettings, log_records: bool = True
) -> ParsedNote:
    """Parse a decoded note at ``path`` (vault-relative, POSIX).

    ``contact_folder`` says whether the note lives under a contact folder; a note
    elsewhere is a contact only when its front matter says ``type: contact``.
    """
    out = _Collector(path)
    conflict = conflicts.first_conflict_line(text)
    if conflict is not None:  # read as its first side, kept listed, and said (an error for check)
        text = conflicts.first_side(text)
        out.add(conflict, 1, "error", conflicts.conflict_message(path, conflict) + "; read as its first side")
    doc = document.split(text)
    fields: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    if doc.unclosed:
        out.add(1, 1, "warning", "front matter fence '---' on line 1 is never closed; read as body text")
    if doc.front_matter is not None:
        try:
            value, key_lines = frontmatter_yaml.load(doc.front_matter)
        except frontmatter_yaml.YamlProblem as exc:
            message = exc.message
            if exc.first_line is not None:
                message += f" (first on line {doc.yaml_line + exc.first_line})"
            out.add(doc.yaml_line + exc.line, exc.column + 1, "error", message)
            value = None
        if isinstance(value, dict):
            fields = value
        elif value is not None:
            out.add(doc.yaml_line, 1, "error", f"front matter is not a mapping (it is a {_yaml_kind(value)})")
    note_type = fields.get("type")
    is_contact_type = isinstance(note_type, str) and note_type.strip().lower() == "contact"
    opted_out = isinstance(note_type, str) and note_type.strip() != "" and not is_contact_type
    opted_out = opted_out or "excalidraw-plugin" in fields  # an Excalidraw drawing, wherever it is kept
    is_contact = is_contact_type or (contact_folder and not opted_out)
    if not is_contact:
        return ParsedNote(fields, False, None, tuple(out.problems), doc.body, (), doc)
    line_of = {key: doc.yaml_line + line for key, line in key_lines.items()}
    contact, log = _build_contact(fields, path, doc, line_of, out, settings.log_heading)
    if out.has_error_besides(conflict):
        return ParsedNote(fields, is_contact_type, None, tuple(out.problems), doc.body, (), doc)
    if log_records:
        contact = contact.replace(log=tuple(LogEntry(dt.date.fromisoformat(d), t, k, x, n) for d, t, k, x, n in log))
    return ParsedNote(fields, is_contact_type, contact, tuple(out.problems), doc.body, tuple(log), doc)


def _yaml_kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "scalar"


def _build_contact(
    fields: dict[str, Any],
    path: str,
    doc: document.Document,
    line_of: dict[str, int],
    out: _Collector,
    log_heading: str,
) -> tuple[Contact, list[LogRow]]:
    """The contact with an empty log, and the log (``parse_note`` joins them when wanted)."""
    stem = path.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.lower().endswith(".md") else stem

    def problem(key: str, message: str, severity: Severity = "error") -> None:
        out.add(line_of.get(key, doc.yaml_line), 1, severity, message)

    name_value = fields.get("name")
    name = _text(name_value).strip() if name_value not in (None, "", []) else stem
    _refuse_line_breaks(name, stem, as_list(fields.get("aliases")), name_value not in (None, "", []), problem)
    dates: dict[str, dt.date | None] = {}
    for key in DATE_FIELDS:
        dates[key] = _date_field(fields, key, problem)
    cadence: Duration | None = None
    cadence_set = False
    raw_cadence = fields.get("cadence")
    if raw_cadence is not None and raw_cadence != "":
        cadence_set = True
        if isinstance(raw_cadence, str):
            try:
                cadence = parse_duration(raw_cadence)
            except DurationError as exc:
                problem("cadence", f"bad cadence: {exc}")
        else:
            if isinstance(raw_cadence, int) and not isinstance(raw_cadence, bool):
                problem("cadence", f"bad cadence {raw_cadence!r}: write a unit, e.g. {raw_cadence}d")
            else:
                problem("cadence", f"bad cadence {raw_cadence!r}: expected {DURATION_FORMS}")
    needs_reply, needs_reply_date = _needs_reply(fields.get("needs_reply"), problem)
    status = _text(fields.get("status") or "active").strip().lower()
    if status not in STATUSES:
        problem("status", f"unknown status {status!r} (expected active, dormant or archived)", "warning")
        status = "active"
    log = _parse_log(doc, log_heading, out)
    last_contact = dates["last_contact"]
    newest_log = max((row[0] for row in log), default=None)  # ISO dates sort as dates
    if newest_log is not None and (last_contact is None or newest_log > last_contact.isoformat()):
        last_contact = dt.date.fromisoformat(newest_log)
    follow_up_note = fields.get("follow_up_note")
    birthday = _birthday(fields.get("birthday"), problem)
    if doc.front_matter is not None and None in fields.values():
        _warn_hashtags_read_as_comments(fields, doc, line_of, problem)
    contact = Contact(
        path=path,
        name=name,
        stem=stem,
        fields=fields,
        aliases=as_list(fields.get("aliases")),
        category=_optional_text(fields.get("category")),
        tags=_with_body_tags(tuple(tag.lstrip("#") for tag in as_list(fields.get("tags"))), doc.body),
        company=_optional_text(fields.get("company")),
        emails=as_list(fields.get("email", fields.get("emails"))),
        interests=as_list(fields.get("interests")),
        status=status,
        cadence=cadence,
        cadence_set=cadence_set,
        last_contact=last_contact,
        next_contact=dates["next_contact"],
        follow_up=dates["follow_up"],
        follow_up_note=_text(follow_up_note) if follow_up_note is not None else None,
        needs_reply=needs_reply,
        needs_reply_date=needs_reply_date,
        snooze_until=dates["snooze_until"],
        birthday=birthday,
    )
    return contact, log


def _refuse_line_breaks(name: str, stem: str, aliases: tuple[str, ...], named: bool, problem: Any) -> None:
    """A name, file name or alias is one line: a line break in one would end the wikilink and the task
    line the daily note writes for the contact (and the refresh after it would find a broken block),
    and would start a line of its own in mdnet's output. An error, so the note is left out until fixed."""
    if _LINE_BREAK_RE.search(stem):
        problem("", "the file name holds a line break; rename the file to a name on one line")
    if named and _LINE_BREAK_RE.search(name):
        problem("name", "name holds a line break; write the name on one line")
    if any(_LINE_BREAK_RE.search(alias) for alias in aliases):
        problem("aliases", "an alias holds a line break; write each alias on one line")


_HASHTAGS_RE = re.compile(r"[ \t]*:[ \t]+(#[^\s#][^\r\n]*)")


# An Obsidian tag in the body ("Loves #hiking"): '#' at the start or after a space, then a tag that is not
# all digits (#2024 is no tag in Obsidian); '# Heading' has a space and is none. The look-behind comes after
# the '#' (no non-space before it), so that a search jumps from '#' to '#' (a body's headings hold several)
_BODY_TAG_RE = re.compile(r"#(?<!\S#)([\w/-]*[^\W\d][\w/-]*)")


def _with_body_tags(tags: tuple[str, ...], body: str) -> tuple[str, ...]:
    """``tags`` and then the body's Obsidian tags (outside code blocks), each once, as Obsidian lists them."""
    if "#" not in body or _BODY_TAG_RE.search(body) is None:
        return tags
    seen = {tag.casefold() for tag in tags}
    found = list(tags)
    for match in _BODY_TAG_RE.finditer(document.mask_code_blocks(body)):
        tag = match.group(1).rstrip("/-")
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            found.append(tag)
    return tuple(found)


def _warn_hashtags_read_as_comments(
    fields: dict[str, Any], doc: document.Document, line_of: dict[str, int], problem: Any
) -> None:
    """``tags: #work #mentor`` is a key with no value and a comment: the tags vanish without a word
    (Obsidian reads it the same way). Say so where a key is empty and its comment looks like hashtags."""
    lines = (doc.front_matter or "").split("\n")
    for key, value in fields.items():
        index = line_of.get(key, 0) - doc.yaml_line
        if value is not None or not isinstance(key, str) or not 0 <= index < len(lines):
            continue
        line = lines[index]
        match = _HASHTAGS_RE.match(line, len(key)) if line.startswith(key) else None
        if match is not None:
            # "#work #mentor" or "#work, #mentor": the words are the tags, without their # and commas
            hashtags = re.split(r"[\s,]+", match.group(1))
            words = [word.lstrip("#") for word in hashtags if word.startswith("#") and word.strip("#")]
            problem(key, f"{key}: {match.group(1).strip()!r} is a YAML comment, so {key} is empty; "
                         f"write {key}: [{', '.join(words)}]", "warning")  # fmt: skip


def _text(value: Any) -> str:
    """A field as text; an unquoted ``[[Link]]`` (which YAML reads as a nested list) back as a link."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1:
        return f"[[{value[0][0]}]]"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _optional_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _text(value).strip()


def as_list(value: Any) -> tuple[str, ...]:
    """A list, a string or a comma-separated string, as Obsidian accepts for tags and aliases."""
    if value is None:
        return ()
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            if item is None:
                continue
            if isinstance(item, list) and len(item) == 1 and isinstance(item[0], list):
                items.append(_text(item))  # '- [[Carl Jung]]' in a block list: [["Carl Jung"]]
            elif isinstance(item, list) and len(item) == 1:
                items.append(f"[[{item[0]}]]")
            else:
                items.append(str(item).strip())
        return tuple(i for i in items if i)
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


def _date_field(fields: dict[str, Any], key: str, problem: Any) -> dt.date | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    try:
        return parse_date(str(value))
    except ValueError as exc:
        problem(key, f"bad date in {key}: {exc}")
        return None


def _needs_reply(value: Any, problem: Any) -> tuple[bool, dt.date | None]:
    if value is None or value is False:
        return False, None
    if value is True:
        return True, None
    text = str(value).strip()
    if text.lower() in _TRUE_WORDS:
        return True, None
    if text.lower() in _FALSE_WORDS:
        return False, None
    try:
        return True, parse_date(text)
    except ValueError:
        problem("needs_reply", f"bad needs_reply {value!r}: expected true, false or a date")
        return False, None


def _birthday(value: Any, problem: Any) -> tuple[int | None, int, int] | None:
    if value is None or value == "":
        return None
    match = _MONTHDAY_RE.match(str(value).strip())
    if match is None:
        problem("birthday", f"bad birthday {value!r}: expected YYYY-MM-DD or --MM-DD")
        return None
    year = int(match.group(1)) if match.group(1) else None
    month, day = int(match.group(2)), int(match.group(3))
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: --02-29 is valid
    except ValueError:
        problem("birthday", f"bad birthday {value!r}: no such day")
        return None
    return (year, month, day)


def _parse_log(doc: document.Document, heading: str, out: _Collector) -> list[LogRow]:
    """The dated list items under the Log heading, up to the next heading of its level or above.

    Regex scans over the body instead of a Python loop over every line: log parsing
    runs for every note on a cold index.
    """
    body = document.mask_code_blocks(doc.body)  # a heading or an entry in a code block is code
    match = _heading_re(heading).search(body)
    if match is None:
        return []
    level = len(match.group(1))
    start = match.end()
    end_match = _SECTION_END_RES[level].search(body, start)
    section = body[start : end_match.start() if end_match else len(body)]
    entries: list[LogRow] = []
    append = entries.append
    number = doc.body_line + body.count("\n", 0, start)
    counted = 0
    kind_match = _KIND_RE.match
    count_lines = section.count
    for entry in _ENTRY_LINE_RE.finditer(section):
        sure_day, day_text, time, rest = entry.groups()
        begin = entry.start()
        number += count_lines("\n", counted, begin)
        counted = begin
        if sure_day is None:  # the regex has checked the shape: only the calendar can say no
            try:  # (and the digits may be any script's: ２０２６ is 2026 to int(), kept as ISO)
                day_text = dt.date(int(day_text[:4]), int(day_text[5:7]), int(day_text[8:])).isoformat()
            except ValueError as exc:
                out.add(number, 3, "warning", f"log entry ignored: not a date: {day_text!r} ({exc})")
                continue
        else:
            day_text = sure_day
        rest = rest.strip() if rest else ""
        found = kind_match(rest)
        if found:
            append((day_text, time, found[1], found[2], number))
        else:
            append((day_text, time, None, rest, number))
    return entries


_HEADING_RES: dict[str, re.Pattern[str]] = {}
# These patterns find a line's start as "the first character, with no character but a newline before it"
# (the test "^" makes) rather than with "^": a search for "^" tries every position, one for '#' jumps to it.
_SECTION_END_RES = {
    level: re.compile(r"#(?<![^\n]#)#{0," + str(level - 1) + r"}(?:[ \t]|\r?$)", re.MULTILINE) for level in range(1, 7)
}
# The date is caught by the first group when it is surely a day of the calendar (ASCII
# digits, any year from 0001, any month, days up to 28), else by the second, which Python
# checks and writes in ASCII.
_ENTRY_LINE_RE = re.compile(
    r"[-*+](?<![^\n][-*+])[ \t]+(?:\[.\][ \t]+)?"
    r"(?:((?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8]))|(\d{4}-\d\d-\d\d))"
    r"(?:[ T](\d\d:\d\d))?(?:[ \t]+([^\r\n]*))?\r?$",
    re.MULTILINE,
)


def _heading_re(heading: str) -> re.Pattern[str]:
    pattern = _HEADING_RES.get(heading)
    if pattern is None:
        pattern = re.compile(r"(#(?<![^\n]#)#{0,5})[ \t]+" + re.escape(heading) + r"[ \t#]*\r?$",
                             re.MULTILINE | re.IGNORECASE)  # fmt: skip
        _HEADING_RES[heading] = pattern
    return pattern
