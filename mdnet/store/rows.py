"""A parsed note -> its index row: the record, the due columns, links, names, full text.

Runs in the worker processes of a refresh. Apart from mdnet.store.index, which only stores
and reads rows, so that commands that read the index never import the parser.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

from mdnet.config import INTERACTION_FIELDS, is_in_contact_folder
from mdnet.core.dateformat import daily_date_reader
from mdnet.core.folding import fold
from mdnet.core.model import Contact, Problem, Severity
from mdnet.core.naming import query_folder
from mdnet.errors import MdnetError
from mdnet.note.contact import LogRow, ParseSettings, parse_note
from mdnet.note.document import DecodeProblem, decode, split
from mdnet.note.links import name_keys, note_links, touch_dates
from mdnet.note.mentions import NOTHING, MentionMode, MentionSettings, NoteFacts, note_date, read_note
from mdnet.store import files
from mdnet.store.index import NoteRow, contact_to_json, due_columns, to_json

# What parsing needs of the configuration: contact folders, log heading, size limit, the mention mode,
# the interaction fields, and the daily notes' folder and format (SPEC 11).
Settings = tuple[tuple[str, ...], str, int, str, tuple[str, ...], str, str]
_MENTION_DEFAULTS = ("links", INTERACTION_FIELDS, "daily", "YYYY-MM-DD")
MentionRow = tuple[str, int, str, str, str]  # date, line, folded target, folded folder, text
LoopRow = tuple[int, str, str | None]  # line, text, due
LoopLinkRow = tuple[int, str, str]  # line, folded target, folded folder


def _json_encoder() -> Callable[[Any], str]:
    """``to_json`` (mdnet.store.index's) with its C encoder made once, not once per call.

    ``JSONEncoder.encode`` builds a new C encoder on every call (some 3.5 µs), and a cold index encodes two or
    three values a note: the record, the fields or the problems. The C encoder's settings are to_json's own,
    read from its encoder, so both write the same bytes (tests/unit/test_rows_json.py holds them to it). Always
    a dict or a list here, never a bare string, which ``encode`` would take another way.
    """
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # CPython's C accelerator, not typed
    encoder = getattr(to_json, "__self__", None)
    if (c_make_encoder is None or not isinstance(encoder, json.JSONEncoder) or encoder.indent is not None
            or encoder.check_circular or encoder.ensure_ascii):  # fmt: skip
        return to_json  # pragma: no cover - a Python without the C encoder, or settings not copied here
    encode = c_make_encoder(None, encoder.default, encode_basestring, None, encoder.key_separator,
                            encoder.item_separator, encoder.sort_keys, encoder.skipkeys, encoder.allow_nan)  # fmt: skip
    join = "".join
    return lambda value: join(encode(value, 0))


_to_json = _json_encoder()


@functools.lru_cache(maxsize=8)
def _daily_reader(folder: str, date_format: str) -> Callable[[str], Any]:
    return daily_date_reader(folder, date_format)


@functools.lru_cache(maxsize=8)
def _mention_settings(mode: str, fields: tuple[str, ...], log_heading: str) -> MentionSettings:
    return MentionSettings(cast_mode(mode), fields, log_heading)


def cast_mode(mode: str) -> MentionMode:
    return "fields" if mode == "fields" else "off" if mode == "off" else "links"


@functools.lru_cache(maxsize=4096)
def target_key(target: str) -> tuple[str, str]:
    """A link target as written (``people/Bob Stone``, ``people/Bob%20Stone.md`` decoded) -> its folded
    name and folded folder, as :func:`mdnet.note.links.reference` and ``link_folder`` key a link."""
    head, _slash, stem = target.strip().rpartition("/")
    stem = stem.strip()
    if stem.lower().endswith(".md"):
        stem = stem[:-3].strip()
    return fold(stem), query_folder(target) if head else ""


def facts_rows(facts: NoteFacts) -> tuple[tuple[MentionRow, ...], tuple[LoopRow, ...], tuple[LoopLinkRow, ...]]:
    """What the index keeps of a note's SPEC 11 facts: raw rows, resolved to contacts by the index."""
    if facts is NOTHING:
        return (), (), ()
    mentions: list[MentionRow] = []
    if facts.date is not None:
        day = facts.date.isoformat()
        for m in facts.mentions:
            key, folder = target_key(m.target)
            if key:
                mentions.append((day, m.line, key, folder, m.text))
    for entry in facts.log_mentions:
        for target in entry.targets:
            key, folder = target_key(target)
            if key:
                mentions.append((entry.date.isoformat(), entry.line, key, folder, entry.text))
    loops = tuple((lo.line, lo.text, None if lo.due is None else lo.due.isoformat()) for lo in facts.loops)
    links = tuple((lo.line, *key_folder) for lo in facts.loops for t in lo.targets if (key_folder := target_key(t))[0])
    return tuple(mentions), loops, links


def build_row(
    path: str,
    token: str,
    contact: Contact | None,
    fields: dict[str, Any],
    problems: tuple[Problem, ...],
    body: str,
    log: Sequence[LogRow] | None = None,
    facts: NoteFacts = NOTHING,
) -> NoteRow:
    """Serialise a parsed note: the full record, the due columns, and the full-text row.

    ``log`` is the contact's log as rows when ``contact.log`` was left empty (the cold
    index parses notes that way: it never needs the log as records).
    """
    problem_text = _to_json([p.as_dict() for p in problems]) if problems else "[]"
    mentions, loops, loop_links = facts_rows(facts)
    if contact is None:
        stem_key = fold(path.rsplit("/", 1)[-1].removesuffix(".md"))
        fields_text = _to_json(fields)
        return NoteRow(path, token, None, fields_text, problem_text, len(problems), None, None, (), ((stem_key, 0, 0),),
                       None, mentions, loops, loop_links)  # fmt: skip
    if log is None:
        log = [(e.date.isoformat(), e.time, e.kind, e.text, e.line) for e in contact.log]
    record = _to_json(contact_to_json(contact, log))  # holds the fields too
    links = tuple((r.kind, r.key, r.label, r.folder) for r in note_links(contact, body))
    names = tuple((key, rank, 1) for key, rank in name_keys(contact))
    last = None if contact.last_contact is None else contact.last_contact.isoformat()
    touches = ",".join(touch_dates(row[0] for row in log))
    return NoteRow(
        path,
        token,
        record,
        None,
        problem_text,
        len(problems),
        due_columns(contact),
        _fts_row(contact, body),
        links,
        names,
        (contact.name, last, touches),
        mentions,
        loops,
        loop_links,
    )


def _fts_row(contact: Contact, body: str) -> tuple[str, str, str]:
    words = []
    for key, value in contact.fields.items():
        if key == "name" or key == "aliases":
            continue
        if isinstance(value, str):
            words.append(value)
        elif isinstance(value, list):
            words.append(" ".join(map(str, value)))
    details = " ".join(words)
    return (" ".join(contact.aliases), details.replace("[[", "").replace("]]", ""), body)


def parse_one(job: tuple[str, str, str], settings: Settings) -> NoteRow:
    """One note -> its index row; every failure becomes a Problem, never an exception."""
    root, path, token = job
    contact_dirs, log_heading, max_bytes = settings[:3]
    # The SPEC 11 settings; a caller of the three first alone (the settings before them) gets the defaults.
    mode, interaction_fields, daily_folder, daily_format = settings[3:] or _MENTION_DEFAULTS
    in_folder = is_in_contact_folder(path, contact_dirs)
    try:
        data = files.read_note(root, path, max_bytes)  # a link out of the vault: OutsideVault, never read
        text = decode(data)
    except files.TooLarge as exc:
        message = f"file is {exc.size:,} bytes, over the {max_bytes:,}-byte limit; skipped"
        return _failed(path, token, 0, 0, message, in_folder)
    except DecodeProblem as exc:
        return _failed(path, token, exc.line, exc.column, exc.message, in_folder)
    except MdnetError as exc:  # OutsideVault, or not a regular file: skipped, and said
        return _failed(path, token, 0, 0, f"{exc.message}; skipped", in_folder)
    except OSError as exc:
        return _failed(path, token, 0, 0, f"cannot read: {exc.strerror}", in_folder)
    parsed = parse_note(text, path, contact_folder=in_folder, settings=ParseSettings(log_heading), log_records=False)
    is_contact = in_folder or (parsed.is_contact_type and not _is_template(text))
    facts = NOTHING
    if is_contact:  # a contact note: only its open loops and the links in its log entries count
        wanted = "[ ]" in text or any("[[" in row[3] or "](" in row[3] for row in parsed.log_rows)
    else:  # the common note holds no link and no box: read_note's own fast exit
        wanted = "[[" in text or "](" in text or "[ ]" in text
    if wanted:
        reader = _daily_reader(daily_folder, daily_format)
        facts = read_note(
            text, path, _mention_settings(mode, interaction_fields, log_heading),
            daily_date=None if is_contact else reader(path), is_contact=is_contact, fields=parsed.fields,
            log_rows=parsed.log_rows, doc=None if "<<<<<<<" in text else parsed.doc,  # else the first side's
        )  # fmt: skip
    elif not is_contact and ("date" in parsed.fields or "day" in parsed.fields):
        # nothing to store without a link or a box, but an impossible date: is still said (SPEC 11's bad input)
        facts = NoteFacts(problems=note_date(split(text), path, parsed.fields, None)[2])
    if not is_contact:
        # Other notes are kept for link resolution; their problems are reported as warnings only,
        # and a template's not at all: "name: {{name}}" is a placeholder for Obsidian or `add`, not YAML,
        # and a template saying "type: contact" describes the contacts made from it, not a person.
        problems = tuple(p.replace(severity="warning") for p in (*parsed.problems, *facts.problems))
        if problems and _is_template(text):
            problems = ()
        return build_row(path, token, None, parsed.fields, problems, "", facts=facts)
    return build_row(path, token, parsed.contact, parsed.fields, parsed.problems, parsed.body, parsed.log_rows,
                     facts)  # fmt: skip


def _is_template(text: str) -> bool:
    """Whether the note's front matter holds a ``{{placeholder}}`` (mdnet's and Obsidian's templates)."""
    if "{{" not in text:
        return False
    front_matter = split(text).front_matter
    return front_matter is not None and "{{" in front_matter


def misnamed_row(path: str, token: str, contact_dirs: Sequence[str]) -> NoteRow:
    """A note whose file name is not UTF-8 (``path`` is its :func:`mdnet.store.files.readable_path`): not
    read, reported."""
    message = "the file name is not valid UTF-8 (shown with \\x escapes); rename the file so that mdnet reads it"
    return _failed(path, token, 0, 0, message, is_in_contact_folder(path, contact_dirs))


def _failed(path: str, token: str, line: int, column: int, message: str, contact_folder: bool) -> NoteRow:
    """An unreadable note: an error in a contact folder, a warning elsewhere (it may not be a contact)."""
    severity: Severity = "error" if contact_folder else "warning"
    return build_row(path, token, None, {}, (Problem(path, line, column, severity, message),), "")
