"""``mdnet.toml`` -> a frozen :class:`Config`; every problem reported at once.

All keys are optional (SPEC section 9). Unknown keys are errors, so a typo such
as ``contacts_dirs`` does not silently fall back to the default.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mdnet.core.due import DueRules
from mdnet.core.durations import DurationError, parse_duration
from mdnet.core.model import Duration, Record
from mdnet.core.policy import EMPTY_POLICY, CadencePolicy, parse_policy
from mdnet.errors import ConfigError

try:  # CPython's own SHA-1: importing hashlib would load OpenSSL (~4 ms on every command) for one small hash
    from _sha1 import sha1 as _sha1  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - another Python
    from hashlib import sha1 as _sha1

CONFIG_NAME = "mdnet.toml"
DEFAULT_MAX_NOTE_BYTES = 1024 * 1024
# The hard ceiling: mdnet.toml is versioned, so whoever can push to a shared vault can set
# max_note_bytes; no value there makes mdnet read a note larger than this (0, "no limit"
# before, and anything above it mean the ceiling). Sixteen times the default: far beyond
# any contact note, small enough that reading and indexing one stays well under a gigabyte.
MAX_NOTE_BYTES_CEILING = 16 * 1024 * 1024
MENTION_MODES = ("links", "fields", "off")
INTERACTION_FIELDS = ("people", "person", "attendees", "with", "participants", "met")


_set = object.__setattr__  # how a record's __init__ fills a slot (mdnet.core.model.Record)


class Config(Record):
    """The vault's settings; defaults as in SPEC section 9. A plain record, not a dataclass, as those of
    :mod:`mdnet.core.model`: every command makes one, and a dataclass costs its import and ~1 ms to create."""

    __slots__ = ("contact_dirs", "daily_dir", "daily_format", "log_heading", "file_names", "default_cadence",
                 "new_contact_cadence", "upcoming_days", "max_note_bytes", "vdir", "autocommit_max_wait",
                 "mentions", "interaction_fields", "extra")  # fmt: skip
    contact_dirs: tuple[str, ...]
    daily_dir: str
    daily_format: str
    log_heading: str
    file_names: str
    default_cadence: str
    new_contact_cadence: str
    upcoming_days: int
    max_note_bytes: int
    vdir: str  # a vdir of vCards kept in step (SPEC 14); "" for none
    autocommit_max_wait: int  # seconds: watch --autocommit commits at least this often while edits go on
    # SPEC 11: which links in dated notes count as interactions, and the fields that hold them
    mentions: str
    interaction_fields: tuple[str, ...]
    extra: dict[str, Any]

    def __init__(
        self,
        contact_dirs: tuple[str, ...] = ("people",),
        daily_dir: str = "daily",
        daily_format: str = "YYYY-MM-DD",
        log_heading: str = "Log",
        file_names: str = "title",
        default_cadence: str = "never",
        new_contact_cadence: str = "90d",
        upcoming_days: int = 7,
        max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES,
        vdir: str = "",
        autocommit_max_wait: int = 60,
        mentions: str = "links",
        interaction_fields: tuple[str, ...] = INTERACTION_FIELDS,
        extra: dict[str, Any] | None = None,
    ) -> None:
        _set(self, "contact_dirs", contact_dirs)
        _set(self, "daily_dir", daily_dir)
        _set(self, "daily_format", daily_format)
        _set(self, "log_heading", log_heading)
        _set(self, "file_names", file_names)
        _set(self, "default_cadence", default_cadence)
        _set(self, "new_contact_cadence", new_contact_cadence)
        _set(self, "upcoming_days", upcoming_days)
        _set(self, "max_note_bytes", max_note_bytes)
        _set(self, "vdir", vdir)
        _set(self, "autocommit_max_wait", autocommit_max_wait)
        _set(self, "mentions", mentions)
        _set(self, "interaction_fields", interaction_fields)
        _set(self, "extra", {} if extra is None else extra)

    @property
    def default_cadence_duration(self) -> Duration | None:
        return parse_duration(self.default_cadence)

    @property
    def cadence_policy(self) -> CadencePolicy:
        """The ``[cadence]`` table (validated when the config was loaded); empty without one."""
        if "cadence" not in self.extra:
            return EMPTY_POLICY
        return parse_policy(self.extra["cadence"])[0]

    @property
    def due_rules(self) -> DueRules:
        """The one entry point for what ``due`` reads from the settings: window, default cadence, policy."""
        return DueRules(self.upcoming_days, self.default_cadence_duration, self.cadence_policy)

    def fingerprint(self) -> str:
        """What the index depends on: a change here means the index is rebuilt."""
        relevant = {"contact_dirs": self.contact_dirs, "log_heading": self.log_heading,
                    "max_note_bytes": self.max_note_bytes, "mentions": self.mentions,
                    "interaction_fields": self.interaction_fields}  # fmt: skip
        return str(_sha1(json.dumps(relevant, sort_keys=True).encode()).hexdigest())[:16]

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name, copied (what ``dataclasses.asdict`` gave)."""
        import copy  # here: only `mdnet config` asks

        return {name: copy.deepcopy(getattr(self, name)) for name in self.__slots__}


_STR_KEYS = ("daily_dir", "daily_format", "log_heading", "file_names", "default_cadence", "new_contact_cadence")
# Keys that later features own; accepted here so that one mdnet.toml serves all.
_SECTION_KEYS = ("cadence", "me", "tips", "my_linkedin")
# The calendar scan's keys (SPEC 12), kept in ``extra`` and validated here: see :func:`_check_calendar_key`.
_CALENDAR_KEYS = ("calendar_sources", "calendar_max_people", "my_emails")


def config_from_bytes(data: bytes) -> Config:
    """Parse and validate the bytes of an ``mdnet.toml`` (see :func:`mdnet.store.layout.load_config`, which
    reads the file); raises one :class:`ConfigError` naming every problem."""
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))  # -sig: a byte-order mark (Windows editors) is not TOML
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"malformed TOML: {exc}", path=CONFIG_NAME) from None
    except RecursionError:  # tomllib reads arrays and inline tables recursively: [[[[...]]]]
        raise ConfigError("malformed TOML: arrays or tables nested too deeply", path=CONFIG_NAME) from None
    return config_from_mapping(raw)


def _did_you_mean(key: str) -> str:
    """``; did you mean 'contact_dirs'?`` for a key close to one mdnet reads (``contacts_dirs``), else nothing."""
    import difflib

    known = [name for name in Config.__slots__ if not name.startswith("_")] + [*_SECTION_KEYS, *_CALENDAR_KEYS]
    close = difflib.get_close_matches(key, dict.fromkeys(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def config_from_mapping(raw: dict[str, Any]) -> Config:
    """Validate a parsed ``mdnet.toml``; raises one :class:`ConfigError` naming every problem."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "contact_dirs":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                problems.append("contact_dirs must be a non-empty list of folder names")
                continue
            values[key] = tuple(_clean_folder(v, problems, key) for v in value)
        elif key in _STR_KEYS:
            if not isinstance(value, str) or not value:
                problems.append(f"{key} must be a non-empty string")
                continue
            values[key] = value
        elif key in ("upcoming_days", "max_note_bytes", "autocommit_max_wait"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"{key} must be a whole number >= 0")
                continue
            if key == "max_note_bytes" and (value == 0 or value > MAX_NOTE_BYTES_CEILING):
                value = MAX_NOTE_BYTES_CEILING  # "no limit" and "more" mean as much as mdnet reads
            values[key] = value
        elif key == "vdir":
            if not isinstance(value, str):
                problems.append("vdir must be a folder name (a string)")
                continue
            values[key] = value
        elif key == "mentions":
            if value not in MENTION_MODES:
                problems.append(f"mentions must be one of {', '.join(repr(m) for m in MENTION_MODES)}, not {value!r}")
                continue
            values[key] = value
        elif key == "interaction_fields":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append("interaction_fields must be a list of field names (text)")
                continue
            values[key] = tuple(dict.fromkeys(v.strip() for v in value))
        elif key in _SECTION_KEYS:
            extra[key] = value
        elif key in _CALENDAR_KEYS:
            problem = _check_calendar_key(key, value)
            if problem:
                problems.append(problem)
                continue
            extra[key] = value
        else:
            problems.append(f"unknown key {key!r}" + _did_you_mean(key))
    if "daily_dir" in values:
        values["daily_dir"] = _clean_folder(values["daily_dir"], problems, "daily_dir")
    if values.get("file_names", "title") not in ("title", "slug"):
        problems.append("file_names must be 'title' or 'slug'")
    for key in ("default_cadence", "new_contact_cadence"):
        if key in values:
            try:
                parse_duration(values[key])
            except DurationError as exc:
                problems.append(f"{key}: {exc}")
    if "cadence" in extra:
        problems.extend(parse_policy(extra["cadence"])[1])
    if not isinstance(extra.get("my_linkedin", ""), str):
        problems.append("my_linkedin must be your LinkedIn profile URL, a string")
    if problems:
        raise ConfigError("; ".join(problems), path=CONFIG_NAME)
    return Config(**values, extra=extra)


def _check_calendar_key(key: str, value: Any) -> str | None:
    """What is wrong with a calendar key's value (SPEC 9, 12), or None."""
    if key == "calendar_max_people":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return "calendar_max_people must be a whole number >= 1"
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        example = '["calendars/work.ics"]' if key == "calendar_sources" else '["you@example.com"]'
        return f"{key} must be a list of text, e.g. {key} = {example}"
    if key == "my_emails" and any("@" not in v or any(c.isspace() for c in v.strip()) for v in value):
        return 'my_emails must hold email addresses, e.g. my_emails = ["you@example.com"]'
    return None


def is_in_contact_folder(path: str, contact_dirs: Sequence[str]) -> bool:
    """Whether the note at ``path`` (vault-relative, POSIX) lies in one of the contact folders;
    the folder ``.`` is the whole vault."""
    return any(folder == "." or path.startswith(folder + "/") for folder in contact_dirs)


def _clean_folder(value: str, problems: list[str], key: str) -> str:
    """A folder inside the vault, as a relative POSIX path spelled as the scan spells note paths
    (``./team/`` and ``team//`` are ``team``, which note paths start with); ``..``, absolute paths
    refused; for contact_dirs also hidden (dot) folders, which the scan never enters (`mdnet daily`
    refuses those for daily_dir). ``.`` is the vault root."""
    parts = [part for part in value.strip().split("/") if part not in ("", ".")]
    if value.strip().strip("/") and not parts:  # ".": the vault root
        return "."  # every note a contact folder; refused by `mdnet daily` itself as a daily folder
    if not parts or Path(value.strip()).is_absolute() or ".." in parts:
        problems.append(f"{key}: {value!r} must be a folder inside the vault")
    elif key == "contact_dirs" and any(part.startswith(".") for part in parts):
        problems.append(f"{key}: {value!r} is a hidden folder, which mdnet never reads (as .obsidian and .trash)")
    return "/".join(parts)
