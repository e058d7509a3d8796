"""The daily note on disk: where it lives, its template, and the refresh that logs ticks.

The pure work (rendering, merging, reading ticks, date formats) is in
:mod:`mdnet.features.daily_block`; this module reads settings and files, calls :meth:`Vault.log`
for each new tick, and writes the note through the vault's :class:`~mdnet.vault.writer.NoteWriter`
(``create``, or ``write_over`` the bytes it read), so a note saved in an editor meanwhile is never
overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mdnet.core import dateformat, naming
from mdnet.core.folding import fold
from mdnet.core.model import Contact, DueItem, LogResult
from mdnet.errors import ConfigError, MdnetError, NoteError, OutsideVault, UsageError
from mdnet.features import daily_block as daily
from mdnet.note.document import DecodeProblem, decode, detect_newline
from mdnet.note.edit import format_log_entry
from mdnet.store import files
from mdnet.store.layout import OBSIDIAN_DAILY_SETTINGS as OBSIDIAN_SETTINGS

if TYPE_CHECKING:
    from mdnet.vault.ports import LoggingVault

DEFAULT_TEMPLATE = "templates/daily.md"
OBSIDIAN_DEFAULT_FORMAT = "YYYY-MM-DD"


@dataclass(frozen=True, slots=True)
class DailySettings:
    """Folder, file-name format and template of daily notes (vault-relative, POSIX)."""

    folder: str
    format: str
    template: str | None
    source: str  # "mdnet.toml" or ".obsidian/daily-notes.json"


@dataclass
class DailyResult:
    """What a refresh of the daily note did (or, for ``--print``, would do)."""

    date: dt.date
    path: str
    full_path: Path
    text: str
    items: list[DueItem]
    existed: bool
    changed: bool = False
    logged: list[LogResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "path": self.path,
            "created": self.changed and not self.existed,
            "changed": self.changed,
            "logged": [r.as_dict() for r in self.logged],
            "warnings": self.warnings,
            "items": [i.as_dict() for i in self.items],
        }


def settings_for(vault: LoggingVault) -> DailySettings:
    """mdnet.toml's ``daily_dir``/``daily_format`` and ``templates/daily.md`` (when it exists),
    unless ``.obsidian/daily-notes.json`` exists: then its folder, format and template, read
    as Obsidian reads them (an empty folder is the vault root, an empty format YYYY-MM-DD)."""
    path = vault.root / OBSIDIAN_SETTINGS
    try:
        raw = files.read_inside(vault.root, path, 0, OBSIDIAN_SETTINGS)  # a link out of the vault: refused
    except FileNotFoundError:
        template = DEFAULT_TEMPLATE if (vault.root / DEFAULT_TEMPLATE).is_file() else None
        return DailySettings(vault.config.daily_dir, vault.config.daily_format, template, "mdnet.toml")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=OBSIDIAN_SETTINGS) from None
    try:
        data = json.loads(raw.decode("utf-8-sig") or "{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid JSON: {exc}", path=OBSIDIAN_SETTINGS) from None
    if not isinstance(data, dict):
        raise ConfigError("not a JSON object", path=OBSIDIAN_SETTINGS)
    folder = _setting(data, "folder").strip().strip("/")
    template = _setting(data, "template").strip().strip("/")
    if template and not template.lower().endswith(".md"):
        template += ".md"
    for key, value in (("folder", folder), ("template", template)):
        if value and (value.startswith("/") or ".." in PurePosixPath(value).parts):
            raise ConfigError(f"{key} {value!r} must be inside the vault", path=OBSIDIAN_SETTINGS)
    fmt = _setting(data, "format").strip() or OBSIDIAN_DEFAULT_FORMAT
    return DailySettings(folder, fmt, template or None, OBSIDIAN_SETTINGS)


def _setting(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string", path=OBSIDIAN_SETTINGS)
    return value


def note_path(settings: DailySettings, day: dt.date) -> str:
    """The daily note's vault-relative path: folder / formatted date + ``.md``."""
    name = dateformat.format_date(day, settings.format).strip().strip("/")
    if not _plain_path(name):
        raise UsageError(f"daily note format {settings.format!r} gives the file name {name!r}; "
                         f"fix it in {settings.source}")  # fmt: skip
    if settings.folder and not _plain_path(settings.folder):
        raise UsageError(f"daily note folder {settings.folder!r} is hidden (a dot folder, which Obsidian and "
                         f"mdnet never read) or cannot be a folder name; fix it in {settings.source}")  # fmt: skip
    relative = f"{settings.folder}/{name}" if settings.folder else name
    return relative if relative.lower().endswith(".md") else relative + ".md"


def _plain_path(relative: str) -> bool:
    """A path that stays in the vault and outside its hidden folders (``.git``, ``.obsidian``,
    ``.trash``, ``.mdnet``): no ``..``, no part starting with a dot, no NUL."""
    parts = PurePosixPath(relative).parts
    return bool(parts) and "\0" not in relative and not any(p.startswith(".") for p in parts)


def load_tips() -> list[str]:
    """The tips shipped with the package (``mdnet/tips.txt``)."""
    return daily.parse_tips(resources.files("mdnet").joinpath("tips.txt").read_text(encoding="utf-8"))


def resolve_link(contacts: list[Contact], target: str) -> Contact:
    """The contact a wikilink target names, as Obsidian resolves it: a path, a file
    name, an alias, then mdnet's name lookup (:class:`ContactNotFound`/``AmbiguousName``)."""
    cleaned = target.strip().removesuffix(".md")
    if "/" in cleaned:
        wanted = fold(cleaned + ".md")
        by_path = [c for c in contacts if fold(c.path) == wanted or fold(c.path).endswith("/" + wanted)]
        if len(by_path) == 1:
            return by_path[0]
    by_stem = [c for c in contacts if fold(c.stem) == fold(cleaned.rsplit("/", 1)[-1])]
    if len(by_stem) == 1:
        return by_stem[0]
    return naming.find_contact(contacts, cleaned)


def build(
    vault: LoggingVault, day: dt.date, *, write: bool, now: dt.datetime | None = None, today: dt.date | None = None
) -> DailyResult:
    """Refresh (``write=True``: log new ticks, then write) or only render the daily note.

    ``today`` is the caller's today (``mdnet --today``), against which a tick's day must not be
    in the future; by default ``$MDNET_TODAY`` or the clock, as for ``Vault.log``.
    """
    settings = settings_for(vault)
    relative = note_path(settings, day)
    full = vault.root / relative
    original, text = _read_note(vault, full, relative)
    try:
        block = daily.find_block(text) if text is not None else None
    except daily.BlockError as exc:
        raise NoteError(f"{exc.message} (nothing was written)", path=relative, line=exc.line or None) from None
    result = DailyResult(day, relative, full, "", [], existed=text is not None)
    logged_lines: set[int] = set()
    if write and block is not None:
        logged_lines = _log_ticks(vault, block, day, relative, result, today)
    contacts = vault.contacts()
    config = vault.config
    result.items = config.due_rules.items(contacts, day)
    base = text if text is not None else _template_text(vault, settings, day, relative, now, result)
    newline = detect_newline(base)
    done = daily.carry_forward(block, logged_lines)
    block_text = daily.render_block(
        result.items,
        {c.path: c for c in contacts},
        day,
        daily.pick_tip(load_tips(), day),
        within=vault.config.upcoming_days,
        done=done,
        hide=_named_in(contacts, done),
        links=daily.unique_links(contacts),
        newline=newline,
    )
    try:
        result.text = daily.merge(base, block_text)
    except daily.BlockError as exc:  # the template's own markers are mangled, or the text ends in a code block
        where = relative if text is not None else settings.template
        raise NoteError(f"{exc.message} (nothing was written)", path=where, line=exc.line) from None
    if write:
        data = result.text.encode("utf-8")
        try:
            if original is None:
                vault.writer.create(full, data, relative)
                result.changed = True
            elif data != original:
                vault.writer.write_over(full, data, original, relative)
                result.changed = True
        except MdnetError as exc:
            if result.logged:  # "nothing was written" is true of the daily note only: say what was
                message = _unwritten_after_logging(exc.message, result.logged)
                raise type(exc)(message, path=exc.path, line=exc.line) from None
            raise
        if result.changed:
            vault.refresh([relative])
    return result


def _unwritten_after_logging(message: str, logged: list[LogResult]) -> str:
    """The daily note's write error, saying which ticks were logged before it (the next refresh
    finds their entries and only marks the ticks)."""
    done = ", ".join(
        f"{r.name} was logged ({r.path}, {f'committed {r.commit[:10]}' if r.commit else 'not committed'})"
        for r in logged
    )
    if "nothing was written" in message:
        message = message.replace("nothing was written", "the daily note was not written", 1)
    else:
        message += "; the daily note was not written"
    return f"{message}; but {done}; a refresh marks the ticks (no second entry)"


def _named_in(contacts: list[Contact], lines: list[str]) -> set[str]:
    """Paths of the contacts that ``lines`` (tasks under Done) link to; unknown links are skipped."""
    paths = set()
    for line in lines:
        target = daily.task_target(line)
        if target:
            with contextlib.suppress(MdnetError):
                paths.add(resolve_link(contacts, target).path)
    return paths


def _read_note(vault: LoggingVault, full: Path, relative: str) -> tuple[bytes | None, str | None]:
    try:
        # A daily folder linked out of the vault is refused here, before any tick is logged.
        original = files.read_inside(vault.root, full, vault.config.max_note_bytes, relative)
    except FileNotFoundError:
        return None, None
    except files.TooLarge as exc:
        raise NoteError(
            f"file is {exc.size:,} bytes, over the size limit; nothing was written", path=relative
        ) from None
    except OSError as exc:
        raise NoteError(f"cannot read: {exc.strerror}", path=relative) from None
    try:
        return original, decode(original)
    except DecodeProblem as exc:
        raise NoteError(exc.message + "; nothing was written", path=relative, line=exc.line) from None


def _template_text(
    vault: LoggingVault,
    settings: DailySettings,
    day: dt.date,
    relative: str,
    now: dt.datetime | None,
    result: DailyResult,
) -> str:
    title = PurePosixPath(relative).stem
    if settings.template is None:
        return f"# {title}\n\n"
    try:
        raw = decode(files.read_inside(vault.root, vault.root / settings.template, 0, settings.template))
    except FileNotFoundError:
        result.warnings.append(f"{settings.template}: template not found (set in {settings.source}); used none")
        return f"# {title}\n\n"
    except OutsideVault as exc:  # optional, as a missing one is: the built-in default, and a warning
        result.warnings.append(f"{settings.template}: {exc.message}; used none")
        return f"# {title}\n\n"
    except (OSError, MdnetError, DecodeProblem) as exc:
        result.warnings.append(f"{settings.template}: cannot read the template ({exc}); used none")
        return f"# {title}\n\n"
    moment = now or dt.datetime.now()
    return dateformat.fill_template(raw, day, moment, title=title, date_format=settings.format)


def _log_ticks(
    vault: LoggingVault, block: daily.Block, day: dt.date, relative: str, result: DailyResult, today: dt.date | None
) -> set[int]:
    """Log each new tick once; the 1-based note lines of the ticks now logged."""
    done: set[int] = set()
    ticks = daily.find_ticks(block)
    for tick in ticks:
        try:
            contact = resolve_link(vault.contacts(), tick.target)  # fresh: an earlier tick may have logged
            if _already_logged(contact, day, tick):
                pass
            elif _logged_without_words(contact, day, tick):
                result.logged.append(_amend(vault, contact, day, tick))
            else:
                result.logged.append(vault.log(contact, tick.words, kind=tick.kind, when=day, commit=True, today=today))
            done.add(tick.line)
        except MdnetError as exc:
            result.warnings.append(f"{relative}:{tick.line}: tick not logged, will retry on the next refresh: {exc}")
    return done


def _already_logged(contact: Contact, day: dt.date, tick: daily.Tick) -> bool:
    """The same entry is in the contact's log already (an earlier refresh logged it and
    then could not mark the daily note): mark it now without a second entry."""
    entry = format_log_entry(day.isoformat(), tick.words, tick.kind)  # as Vault.log writes it
    return any(format_log_entry(e.date.isoformat(), e.text, e.kind, e.time) == entry
               for e in contact.log if e.date == day)  # fmt: skip


def _logged_without_words(contact: Contact, day: dt.date, tick: daily.Tick) -> bool:
    """The tick was logged before the user's words after `` // `` arrived (the editor saved the tick,
    the refresh logged it and marked it, then the editor saved its older buffer with the words and
    without the mark): its entry of that day is there, without the words."""
    if (tick.kind, tick.words) == (None, tick.plain):
        return False
    entry = format_log_entry(day.isoformat(), tick.plain)
    return any(format_log_entry(e.date.isoformat(), e.text, e.kind, e.time) == entry
               for e in contact.log if e.date == day)  # fmt: skip


def _amend(vault: LoggingVault, contact: Contact, day: dt.date, tick: daily.Tick) -> LogResult:
    """One tick is one interaction: the words typed after it replace the entry logged without them
    (in place, one line), committed as an amendment of that interaction."""
    from mdnet.git import commands as history
    from mdnet.git import commit_lock, commit_text

    old = format_log_entry(day.isoformat(), tick.plain)
    new = format_log_entry(day.isoformat(), tick.words, tick.kind)

    def change(note: str) -> str:
        lines = note.splitlines(keepends=True)
        for index, line in enumerate(lines):
            if line.rstrip("\r\n") == old:
                lines[index] = new + line[len(line.rstrip("\r\n")) :]
                return "".join(lines)
        raise NoteError("the entry to amend is gone", path=contact.path)

    root = vault.root
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(commit_lock.commit_lock(root))
        except TimeoutError as exc:
            raise NoteError(f"{exc.strerror or exc}; the words are amended on the next refresh",
                            path=contact.path) from None  # fmt: skip
        logged = _entry_commit(root, contact, day, tick.plain)
        vault.writer.rewrite(contact, change)
        trailers = [("Contact", contact.name), ("Interaction", tick.kind or "note"),
                    ("Interaction-Date", day.isoformat()), ("Amends", logged or "")]  # fmt: skip
        body = [tick.words, f"Amends the entry the daily note's tick logged: {tick.plain}"]
        title = f"Amend {tick.kind or 'interaction'} with {contact.name}: {tick.words}"
        outcome = history.commit_paths(root, [contact.path], commit_text.message(title, body, trailers))
    vault.refresh([contact.path])
    return LogResult(contact.name, contact.path, new, outcome.commit, outcome.reason, commit_failed=outcome.failed)


def _entry_commit(root: Path, contact: Contact, day: dt.date, text: str) -> str | None:
    """The commit that logged ``text`` for ``day`` in the contact's note (history folds it into the amendment)."""
    from mdnet.git import timeline

    found = None
    for commit in sorted(timeline.commits_of(root, None, contact.path), key=lambda c: (c.date, c.time)):
        said = commit.subject.split(": ", 1)[1].rstrip("…") if ": " in commit.subject else ""
        if commit.trailers.get("Interaction-Date") == day.isoformat() and said and text.startswith(said):
            found = commit.hash  # the newest
    return found
