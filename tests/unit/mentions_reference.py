"""The mention reader as it was before session 6 made it cheaper (commit ff27002): straightforward, a few
regex passes per line. Kept, unchanged, as the reference test_mentions_scanner.py compares
mdnet.note.mentions with on random note text. Not used by mdnet.

Interactions written anywhere in the vault (SPEC 11), as one note says them. Pure.

Given one note's text, its vault-relative path and :class:`MentionSettings`, :func:`read_note`
returns what the index keeps of it: the note's date when it is a *dated note*, its *mentions*
(links that record an interaction), its *open loops* (tasks not done) and, for a contact
note, the links in its ``## Log`` entries. Targets are the link text as written
(``people/Bob Stone``, ``people/Bob Stone.md``); the index resolves them to contacts.

Nothing here reads files, the clock or the configuration: the daily note's date comes in
as ``daily_date`` (see :func:`mdnet.core.dateformat.daily_date_reader`), settings as a value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from mdnet.config import INTERACTION_FIELDS
from mdnet.core.model import Problem
from mdnet.core.wikilinks import is_attachment
from mdnet.note.contact import LogRow, ParseSettings, parse_note
from mdnet.note.document import Document, mask_code_blocks, split
from mdnet.note.frontmatter_yaml import YamlProblem, load

# mdnet's block in a daily note (mdnet.features.daily_block's markers, which sit a layer above this
# module; tests/unit/test_mentions.py checks the two agree): its lines are never mentions or loops.
BEGIN = "<!-- mdnet:begin -->"
END = "<!-- mdnet:end -->"

MentionMode = Literal["links", "fields", "off"]
Source = Literal["body", "field", "inline", "log"]
DateSource = Literal["daily", "date", "day", "name"]
MAX_TEXT = 200  # characters of a line kept as a mention's or a loop's text


@dataclass(frozen=True, slots=True)
class MentionSettings:
    """What reading mentions depends on, from mdnet.toml (SPEC 9)."""

    mode: MentionMode = "links"
    interaction_fields: tuple[str, ...] = INTERACTION_FIELDS
    log_heading: str = "Log"


@dataclass(frozen=True, slots=True)
class Mention:
    """A link that records an interaction: its target as written, 1-based line, the line's text."""

    target: str
    line: int
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class Loop:
    """A task not done (``- [ ]``): its line, text, date (``📅``, ``due::``, else ``⏳``) and link targets."""

    line: int
    text: str
    due: dt.date | None
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LogMention:
    """A ``## Log`` entry of a contact note that links others: a mention of each on ``date``."""

    date: dt.date
    line: int
    text: str
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NoteFacts:
    """What the index stores of one note for SPEC 11. ``mentions`` only when ``date`` is set."""

    date: dt.date | None = None
    date_source: DateSource | None = None
    mentions: tuple[Mention, ...] = ()
    loops: tuple[Loop, ...] = ()
    log_mentions: tuple[LogMention, ...] = ()
    problems: tuple[Problem, ...] = ()


NOTHING = NoteFacts()

_WIKI_RE = re.compile(r"(!?)\[\[([^\]|#\r\n]+)(?:#[^\]|\r\n]*)?(?:\|([^\]\r\n]*))?\]\]")
_MD_LINK_RE = re.compile(r"(!?)\[([^\]\r\n]*)\]\(([^)\r\n]+)\)")
_TASK_RE = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[(.)\](?=[ \t]|$)")
_LINE_FIELD_RE = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[.\][ \t]+)?)?([\w][\w \-]*?)::")
_WRAPPED_FIELD_RE = re.compile(r"([\[(])[ \t]*([\w][\w \-]*?)::")
_INLINE_CODE_RE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)|%%.*?(?:%%|\Z)", re.DOTALL)
_NOT_NEWLINE_RE = re.compile(r"[^\r\n]+")
_MARK_RE = re.compile(r"\[\[|\]\(|\[ \]")
_ISO = r"(\d{4}-\d\d-\d\d)"
_DUE_RES = (
    re.compile("\N{CALENDAR}\ufe0f?[ \t]*" + _ISO),
    re.compile(r"[\[(][ \t]*due::[ \t]*" + _ISO, re.IGNORECASE),
    re.compile(r"(?:^|[ \t])due::[ \t]*" + _ISO, re.IGNORECASE),
    re.compile("\N{HOURGLASS WITH FLOWING SAND}\ufe0f?[ \t]*" + _ISO),
)
_NAME_DATE_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?!\d)")
_VALUE_DATE_RE = re.compile(r"\[*[ \t]*(\d{4})-(\d\d)-(\d\d)(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?[ \t]*\]*")
_TEMPLATE_RE = re.compile(r"{{[^{}\r\n]*}}")
_LIST_PREFIX_RE = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:\[.\][ \t]+)?")


def read_note(
    text: str,
    path: str,
    settings: MentionSettings,
    *,
    daily_date: dt.date | None = None,
    is_contact: bool = False,
    fields: Mapping[str, Any] | None = None,
    log_rows: Sequence[LogRow] | None = None,
) -> NoteFacts:
    """Dated-ness, mentions, open loops and log mentions of one decoded note.

    ``daily_date`` is the note's date when its path is a daily note's (the caller knows the
    daily folder and format); ``is_contact`` says the note is a contact (its folder, or
    ``type: contact``). ``fields`` and ``log_rows`` are what :func:`mdnet.note.contact.parse_note`
    already read, passed to spare a second parse; without them the note is parsed here.
    """
    has_link = "[[" in text or "](" in text
    has_box = "[ ]" in text
    if not has_link and not has_box:
        return NOTHING  # the common note: nothing to read, nothing to store
    doc = split(text)
    if fields is None:
        fields = _fields(doc) if doc.front_matter is not None else {}
    is_contact = is_contact or _is_contact_type(fields)
    date, source, problems = (None, None, ()) if is_contact else note_date(doc, path, fields, daily_date)
    want_mentions = date is not None and has_link and settings.mode != "off"
    mentions: list[Mention] = _field_mentions(doc, fields, settings) if want_mentions else []
    loops: list[Loop] = []
    if want_mentions or has_box:
        _body_scan(doc, settings, mentions if want_mentions else None, loops if has_box else None)
    log_mentions: tuple[LogMention, ...] = ()
    if is_contact and has_link and settings.mode != "off":
        log_mentions = _log_mentions(text, path, doc, settings, log_rows)
    return NoteFacts(date, source, tuple(mentions), tuple(loops), log_mentions, problems)


# -- dated notes ---------------------------------------------------------------


def note_date(
    doc: Document, path: str, fields: Mapping[str, Any], daily_date: dt.date | None
) -> tuple[dt.date | None, DateSource | None, tuple[Problem, ...]]:
    """The date of a note that is not a contact, where it came from, and warnings (an impossible
    ``date:``). Never dated: a note holding ``{{template}}`` tokens."""
    front = doc.front_matter or ""
    if ("{{" in doc.body or "{{" in front) and (_TEMPLATE_RE.search(doc.body) or _TEMPLATE_RE.search(front)):
        return None, None, ()
    if daily_date is not None:
        return daily_date, "daily", ()
    problems: list[Problem] = []
    for key in ("date", "day"):
        value = fields.get(key)
        if value is None:
            continue
        found = _value_date(value)
        if isinstance(found, dt.date):
            return found, key, tuple(problems)
        line = doc.yaml_line + _key_line(doc.front_matter or "", key)
        problems.append(Problem(path, line, 1, "warning", f"{key}: {found}; the note is not dated by it"))
    stem = path.rsplit("/", 1)[-1]
    match = _NAME_DATE_RE.match(stem)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups())), "name", tuple(problems)
        except ValueError as exc:
            problems.append(Problem(path, 0, 0, "warning", f"file name starts with {match.group(0)!r}, not a date "
                                    f"({exc}); the note is not dated by it"))  # fmt: skip
    return None, None, tuple(problems)


def _value_date(value: Any) -> dt.date | str:
    """A front matter date (``2026-11-05``, a date-time, ``"[[2026-11-05]]"`` or the nested list YAML
    makes of an unquoted ``[[2026-11-05]]``), or why it is none."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        return f"{value!r} is not a date (expected YYYY-MM-DD)"
    match = _VALUE_DATE_RE.fullmatch(value.strip())
    if match is None:
        return f"{value!r} is not a date (expected YYYY-MM-DD)"
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        return f"{value!r} is not a date ({exc})"


# -- mentions --------------------------------------------------------------------


def _fields(doc: Document) -> Mapping[str, Any]:
    try:
        value, _ = load(doc.front_matter or "")
    except YamlProblem:
        return {}  # parse_note reports it; a note with broken front matter mentions nobody from there
    return value if isinstance(value, dict) else {}


def _is_contact_type(fields: Mapping[str, Any]) -> bool:
    kind = fields.get("type")
    return isinstance(kind, str) and kind.strip().lower() == "contact"


@functools.lru_cache(maxsize=8)
def _wanted(interaction_fields: tuple[str, ...]) -> frozenset[str]:
    """The interaction fields' names, lowercased (once per setting, not once per note)."""
    return frozenset(name.lower() for name in interaction_fields)


def _field_mentions(doc: Document, fields: Mapping[str, Any], settings: MentionSettings) -> list[Mention]:
    """Links in front matter keys listed in ``interaction_fields``; a plain name is no link."""
    wanted = _wanted(settings.interaction_fields)
    found: list[Mention] = []
    front = doc.front_matter or ""
    for key, value in fields.items():
        if key.lower() not in wanted:
            continue
        targets = [t for t in _value_targets(value, 0) if not is_attachment(t)]
        if not targets:
            continue
        offset = _key_line(front, key)
        line = doc.yaml_line + offset
        text = _flatten(front.split("\n")[offset]) if offset >= 0 else key
        seen: set[str] = set()
        for target in targets:
            if target not in seen:
                seen.add(target)
                found.append(Mention(target, line, text, "field"))
    return found


def _value_targets(value: Any, depth: int) -> list[str]:
    """``"[[X]]"`` -> X; the nested list YAML makes of an unquoted ``[[X]]`` -> X; lists of either."""
    if isinstance(value, str):
        return [m.group(2).strip() for m in _WIKI_RE.finditer(value) if not m.group(1)]
    if not isinstance(value, list):
        return []
    if depth >= 1 and len(value) == 1 and isinstance(value[0], str) and value[0].strip():
        return [value[0].strip()]  # [[X]] unquoted: a list holding a list holding "X"
    targets: list[str] = []
    for item in value:
        targets.extend(_value_targets(item, depth + 1))
    return targets


def _key_line(front: str, key: str) -> int:
    """The 0-based line of a top-level key in the front matter, -1 when not found."""
    match = re.search(r"^[\"']?" + re.escape(key) + r"[\"']?[ \t]*:", front, re.MULTILINE)
    return -1 if match is None else front.count("\n", 0, match.start())


def _body_scan(doc: Document, settings: MentionSettings, mentions: list[Mention] | None,
               loops: list[Loop] | None) -> None:  # fmt: skip
    """Append the body's mentions to ``mentions`` and its open loops to ``loops`` (either may be None)."""
    original = doc.body
    body = _masked(original)
    wanted = _wanted(settings.interaction_fields)
    number = doc.body_line
    counted = 0
    size = len(body)
    found = _MARK_RE.search(body)
    while found is not None:  # only the lines with a link or a box
        start = body.rfind("\n", 0, found.start()) + 1
        end = body.find("\n", found.end())
        end = size if end < 0 else end
        found = _MARK_RE.search(body, end)
        number += body.count("\n", counted, start)
        counted = start
        line = body[start:end].rstrip("\r")
        if line.lstrip(" \t")[:1] == ">":
            continue  # a quote or a callout
        task = _TASK_RE.match(line)
        box = task.group(1) if task else None
        if box == " ":
            if loops is not None:
                targets = tuple(dict.fromkeys(t for t, _ in _links(line, task.end() if task else 0)))
                loops.append(Loop(number, _flatten(original[start:end]), _loop_due(line), targets))
            continue
        if mentions is None or (box is not None and box not in "xX"):
            continue  # a task not done (or cancelled, or half done) records no interaction
        spans = _field_spans(line, wanted)
        text = ""
        for target, offset in _links(line, 0):
            inline = bool(spans) and any(a <= offset < b for a, b in spans)
            if inline or settings.mode == "links":
                text = text or _flatten(original[start:end])
                source: Source = "inline" if inline else "body"
                mentions.append(Mention(target, number, text, source))


def _masked(body: str) -> str:
    """The body with what is never a mention or a loop blanked out, lines and lengths kept:
    code fences, mdnet's block, HTML and ``%%`` comments (across lines), inline code."""
    body = mask_code_blocks(body)
    if BEGIN in body:
        body = _mask_block(body)
    if "`" in body:
        body = _INLINE_CODE_RE.sub(_blank, body)
    if "<!--" in body or "%%" in body:
        body = _COMMENT_RE.sub(_blank, body)
    return body


def _mask_block(body: str) -> str:
    """Blank mdnet's block, from its begin marker's line to its end marker's line (or the end)."""
    begin = body.find(BEGIN)
    while begin >= 0:
        start = body.rfind("\n", 0, begin) + 1
        after = body.find("\n", begin)
        if body[start:begin].strip(" \t") or body[begin + len(BEGIN) : None if after < 0 else after].strip(" \t\r"):
            begin = body.find(BEGIN, begin + 1)  # a marker inside a line is not one (find_block says so)
            continue
        close = body.find(END, begin)
        stop = len(body) if close < 0 else body.find("\n", close)
        stop = len(body) if stop < 0 else stop
        body = body[:start] + _NOT_NEWLINE_RE.sub(_spaces, body[start:stop]) + body[stop:]
        begin = body.find(BEGIN, stop)
    return body


def _blank(match: re.Match[str]) -> str:
    return _NOT_NEWLINE_RE.sub(_spaces, match.group(0))


def _spaces(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _links(line: str, start: int) -> list[tuple[str, int]]:
    """(target, offset) of each wikilink and Markdown link to a note in ``line``; embeds are none."""
    found = []
    for m in _WIKI_RE.finditer(line, start):
        embed, target = m.group(1, 2)
        target = target.strip()
        if target and not embed and ("." not in target or not is_attachment(target)):  # no dot: no extension
            found.append((target, m.start()))
    if "](" in line:
        for m in _MD_LINK_RE.finditer(line, start):
            target = _md_target(m.group(3))
            if not m.group(1) and target is not None:
                found.append((target, m.start()))
        found.sort(key=lambda pair: pair[1])
    return found


def _md_target(url: str) -> str | None:
    """The note a Markdown link's URL names (``people/Bob%20Stone.md`` -> ``people/Bob Stone.md``), else None."""
    url = url.strip()
    url = url[1 : url.index(">")] if url.startswith("<") and ">" in url else url.split(" ", 1)[0]
    url = url.split("#", 1)[0]
    if "://" in url or url.lower().startswith("mailto:") or not url.lower().endswith(".md"):
        return None
    return unquote(url).strip() or None


def _field_spans(line: str, wanted: frozenset[str]) -> list[tuple[int, int]]:
    """Where the values of Dataview inline fields with an interaction key sit in ``line``:
    ``key:: value`` at the line's start (to its end), ``[key:: value]`` and ``(key:: value)``."""
    if "::" not in line:
        return []
    spans: list[tuple[int, int]] = []
    start = _LINE_FIELD_RE.match(line)
    if start and start.group(1).strip().lower() in wanted:
        spans.append((start.end(), len(line)))
    for match in _WRAPPED_FIELD_RE.finditer(line):
        if match.group(2).strip().lower() in wanted:
            spans.append((match.end(), _closing(line, match.start())))
    return spans


def _closing(line: str, opening: int) -> int:
    """The offset of the bracket closing the one at ``opening`` (nested ``[[...]]`` counted)."""
    depth = 0
    for position in range(opening, len(line)):
        char = line[position]
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return position
    return len(line)


def _loop_due(line: str) -> dt.date | None:
    for pattern in _DUE_RES:
        match = pattern.search(line)
        if match:
            try:
                return dt.date.fromisoformat(match.group(1))
            except ValueError:
                continue  # 📅 2026-02-30 is no date; a later form may still give one
    return None


def _wiki_label(match: re.Match[str]) -> str:
    """What a reader sees of a wikilink: its label, else its target's last part."""
    return match.group(3) or match.group(2).rsplit("/", 1)[-1]


def _flatten(line: str) -> str:
    """A line as a reader sees it: no list marker or box, links as their labels, one space between words."""
    prefix = _LIST_PREFIX_RE.match(line)
    text = line[prefix.end() :] if prefix else line
    if "[[" in text:
        text = _WIKI_RE.sub(_wiki_label, text)
    if "](" in text:
        text = _MD_LINK_RE.sub(r"\2", text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"


# -- log entries of a contact note -----------------------------------------------


def _log_mentions(
    text: str, path: str, doc: Document, settings: MentionSettings, log_rows: Sequence[LogRow] | None
) -> tuple[LogMention, ...]:
    """Log entries that link someone: a mention of each, on the entry's date. An open task is none."""
    if log_rows is None:
        parsed = parse_note(text, path, contact_folder=True, settings=ParseSettings(settings.log_heading),
                            log_records=False)  # fmt: skip
        log_rows = parsed.log_rows
    originals: list[str] | None = None
    found: list[LogMention] = []
    for day, _time, _kind, entry, number in log_rows:
        if "[[" not in entry and "](" not in entry:
            continue
        if originals is None:
            originals = doc.body.split("\n")
        line = originals[number - doc.body_line] if 0 <= number - doc.body_line < len(originals) else ""
        task = _TASK_RE.match(line)
        if task and task.group(1) not in "xX":
            continue
        targets = tuple(dict.fromkeys(t for t, _ in _links(_masked(line), 0)))
        if targets:
            found.append(LogMention(dt.date.fromisoformat(day), number, _flatten(line), targets))
    return tuple(found)
