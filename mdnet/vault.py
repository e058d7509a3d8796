"""The :class:`Vault` facade that ties the pieces together for scripts and the CLI.

Every query first brings the index up to date (a change-token scan that reads
only what changed), so an answer never lags the files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from mdnet import edit, files, history, naming
from mdnet.config import CONFIG_NAME, Config, load_config
from mdnet.contact import ParseSettings, fold, parse_note
from mdnet.document import DecodeProblem, decode
from mdnet.due import due_items, matches
from mdnet.durations import DurationError, parse_date, parse_duration, parse_when
from mdnet.errors import DuplicateContact, NoteError, UsageError, VaultError
from mdnet.index import Index
from mdnet.model import (
    ChangeResult,
    Contact,
    DueItem,
    GitFacts,
    Interaction,
    LogResult,
    Problem,
    RefreshStats,
    Severity,
)
from mdnet.refresh import refresh

if TYPE_CHECKING:
    from mdnet.gitlog import Commit as GitCommit

INDEX_DIR = ".mdnet"
INDEX_NAME = "index.sqlite"
TEMPLATE_PATH = "templates/contact.md"
_MARKERS = (CONFIG_NAME, INDEX_DIR, ".obsidian")


def discover_root(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """``explicit``, else ``$MDNET_VAULT``, else the nearest ancestor holding
    ``mdnet.toml``, ``.mdnet/`` or ``.obsidian/``, else the working directory."""
    chosen = explicit if explicit is not None else os.environ.get("MDNET_VAULT") or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise VaultError("not a folder", path=str(root))
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in _MARKERS):
            return folder
    return here


def resolve_today(value: dt.date | str | None = None) -> dt.date:
    """``value``, else ``$MDNET_TODAY``, else the clock: the one place mdnet reads the date."""
    if isinstance(value, dt.date):
        return value
    text = value if value is not None else os.environ.get("MDNET_TODAY") or None
    if text is None:
        return dt.date.today()
    try:
        return parse_date(text)
    except ValueError as exc:
        raise UsageError(f"bad date for today: {exc}") from None


def days_within(within: str | int | None, today: dt.date, default: int) -> int:
    """``--within`` as a number of days from ``today`` (``1m`` from 31 Jan is 28 or 29 days)."""
    if within is None:
        return default
    if isinstance(within, int):
        return within
    try:
        duration = parse_duration(within)
    except DurationError as exc:
        raise UsageError(f"bad --within: {exc}") from None
    if duration is None:
        raise UsageError("bad --within: 'never' is not a window")
    return (duration.add_to(today) - today).days


class Vault:
    """A vault of notes and its index. Open with :meth:`open`; usable as a context manager."""

    def __init__(self, root: Path, config: Config | None = None) -> None:
        self.root = root
        self.config = config if config is not None else load_config(root)
        self._index: Index | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Vault:
        """Open the vault at ``path`` or the one discovered as SPEC section 1 says."""
        root = discover_root(path)
        return cls(root, load_config(root))

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    # -- the index ---------------------------------------------------------

    def _open_index(self) -> Index:
        if self._index is None:
            folder = self.root / INDEX_DIR
            try:
                folder.mkdir(exist_ok=True)
                ignore = folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# mdnet's disposable index; never versioned\n*\n")
                self._index = Index.open(folder / INDEX_NAME)
            except (OSError, sqlite3.OperationalError):
                self._index = Index.memory()  # a read-only vault still answers
        return self._index

    def refresh(self, paths: Iterable[str] | None = None) -> RefreshStats:
        """Bring the index up to date (only ``paths``, vault-relative, when given)."""
        index = self._open_index()
        try:
            return refresh(self.root, self.config, index, paths)
        except sqlite3.DatabaseError:
            # A corrupt index is a cache to throw away, never an error for the user.
            self.close()
            if index.path is not None:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(index.path) + suffix).unlink(missing_ok=True)
            return refresh(self.root, self.config, self._open_index(), paths)

    def rebuild_index(self) -> None:
        """Throw the index away; the next refresh reads every note again."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            (self.root / INDEX_DIR / (INDEX_NAME + suffix)).unlink(missing_ok=True)

    def _fresh(self) -> Index:
        self.refresh()
        return self._open_index()

    # -- queries -----------------------------------------------------------

    def contacts(self, category: str | None = None, tag: str | None = None) -> list[Contact]:
        """Every valid contact (notes with errors are left out), sorted by name."""
        found = [c for c in self._fresh().contacts() if matches(c, category, tag)]
        found.sort(key=lambda c: (fold(c.name), c.path))
        return found

    def get(self, name: str) -> Contact:
        """One contact by name, alias, file stem or unique name prefix."""
        return naming.find_contact(self.contacts(), name)

    def due(
        self,
        today: dt.date | str | None = None,
        within: str | int | None = None,
        category: str | None = None,
        tag: str | None = None,
    ) -> list[DueItem]:
        """The due list for ``today`` (SPEC section 3)."""
        day = resolve_today(today)
        window = days_within(within, day, self.config.upcoming_days)
        return due_items(self.contacts(category, tag), day, window, self.config.default_cadence_duration)

    def problems(self) -> list[Problem]:
        """Problems of every contact note, as the last refresh found them."""
        return self._fresh().problems()

    def check(self, paths: Sequence[str | os.PathLike[str]] | None = None) -> list[Problem]:
        """Validate every contact note, or just ``paths`` (any notes, e.g. the staged ones)."""
        if paths is None:
            problems = self.problems()
            problems.extend(_duplicate_names(self.contacts()))
            return sorted(problems, key=lambda p: (p.path, p.line, p.column))
        found: list[Problem] = []
        for given in paths:
            found.extend(self._check_file(Path(given)))
        return found

    def _check_file(self, given: Path) -> list[Problem]:
        full = given if given.is_absolute() else Path.cwd() / given
        try:
            relative = full.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return [Problem(str(given), 0, 0, "error", "not inside the vault " + str(self.root))]
        if not files.is_note_name(full.name) or not full.is_file():
            return []
        in_contact_folder = any(relative.startswith(f + "/") for f in self.config.contact_dirs)
        severity: Severity = "error" if in_contact_folder else "warning"
        try:
            text = decode(files.read_bytes(full, self.config.max_note_bytes))
        except files.TooLarge as exc:
            return [Problem(relative, 0, 0, severity, f"file is {exc.size:,} bytes, over the size limit")]
        except DecodeProblem as exc:
            return [Problem(relative, exc.line, exc.column, severity, exc.message)]
        except OSError as exc:
            return [Problem(relative, 0, 0, "error", f"cannot read: {exc.strerror}")]
        parsed = parse_note(
            text, relative, contact_folder=in_contact_folder, settings=ParseSettings(self.config.log_heading)
        )
        return list(parsed.problems)

    def search(self, text: str) -> list[tuple[Contact, str]]:
        """Contacts whose note mentions every word of ``text`` (prefixes too), best first."""
        index = self._fresh()
        results = []
        for path, snippet in index.search(text):
            contact = index.contact(path)
            if contact is not None:
                results.append((contact, snippet))
        return results

    # -- writing -----------------------------------------------------------

    def add(
        self,
        name: str,
        *,
        category: str | None = None,
        cadence: str | None = None,
        tags: Sequence[str] = (),
        email: Sequence[str] = (),
        company: str | None = None,
        role: str | None = None,
        today: dt.date | str | None = None,
    ) -> Path:
        """Create a contact note from the template; refuses a name or alias already in use."""
        name = " ".join(name.split())
        if not name:
            raise UsageError("a contact needs a name")
        if cadence is not None:
            try:
                parse_duration(cadence)
            except DurationError as exc:
                raise UsageError(f"bad --cadence: {exc}") from None
        wanted = fold(name)
        for contact in self.contacts():
            if wanted in {fold(contact.name), fold(contact.stem), *(fold(a) for a in contact.aliases)}:
                raise DuplicateContact(f"{name!r} is already a contact: {contact.name} ({contact.path})")
        folder = self.config.contact_dirs[0]
        stem = naming.file_stem(name, self.config.file_names)
        relative = f"{folder}/{stem}.md"
        target = self.root / folder / f"{stem}.md"
        if target.resolve().parent != (self.root / folder).resolve():
            raise UsageError(f"cannot make a file name inside {folder}/ from {name!r}")
        text = self._render_template(name, resolve_today(today))
        values: list[tuple[str, edit.Value]] = [("name", name)]
        if category:
            values.append(("category", category))
        if tags:
            values.append(("tags", list(tags)))
        if company:
            values.append(("company", company if company.startswith("[[") else f"[[{company}]]"))
        if role:
            values.append(("role", role))
        if email:
            values.append(("email", list(email)))
        values.append(("cadence", cadence or self.config.new_contact_cadence))
        for key, value in values:
            text = edit.set_field(text, key, value)
        files.create_new(target, text.encode("utf-8"), relative)
        return target

    def _render_template(self, name: str, today: dt.date) -> str:
        template = self.root / TEMPLATE_PATH
        try:
            text = decode(template.read_bytes())
        except (OSError, DecodeProblem):
            return f"---\n---\n# {name}\n\n## {self.config.log_heading}\n"
        for token, value in (("{{name}}", name), ("{{title}}", name), ("{{date}}", today.isoformat())):
            text = text.replace(token, value)
        return text

    def _rewrite(self, contact: Contact, change: Callable[[str], str]) -> str:
        """Apply ``change`` to the note's text and write it back atomically and conditionally."""
        path = self.root / contact.path
        try:
            original = path.read_bytes()
        except OSError as exc:
            raise VaultError(f"cannot read: {exc.strerror}", path=contact.path) from None
        try:
            text = decode(original)
        except DecodeProblem as exc:
            raise NoteError(exc.message, path=contact.path, line=exc.line) from None
        try:
            updated = change(text)
        except ValueError as exc:
            raise NoteError(str(exc), path=contact.path) from None
        if updated != text:
            files.write_if_unchanged(path, updated.encode("utf-8"), original, contact.path)
        return updated

    def log(
        self,
        name: str,
        text: str,
        kind: str | None = None,
        when: dt.date | str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> LogResult:
        """Record an interaction: a log entry, ``last_contact`` raised, ``needs_reply`` cleared, one commit."""
        if not text.strip():
            raise UsageError("an interaction needs some text")
        if kind is not None and not re.fullmatch(r"[A-Za-z][\w-]{0,30}", kind):
            raise UsageError(f"bad --kind {kind!r}: one word such as coffee, email, call")
        contact = self.get(name)
        day = resolve_today(when if when is not None else today)
        entry = edit.format_log_entry(day.isoformat(), text, kind)

        def change(note: str) -> str:
            note = edit.insert_log_entry(note, entry, self.config.log_heading)
            current = contact.fields.get("last_contact")
            try:
                current_day = parse_date(str(current)) if current not in (None, "") else None
            except ValueError:
                current_day = None
            if current_day is None or day > current_day:
                note = edit.set_field(note, "last_contact", day.isoformat())
            if contact.fields.get("needs_reply") not in (None, False):
                note = edit.set_field(note, "needs_reply", False)
            return note

        self._rewrite(contact, change)
        outcome = history.CommitOutcome(None, "--no-commit was given")
        if commit:
            subject = f"Log {kind or 'interaction'} with {_one_line(contact.name)}: {' '.join(text.split())}"
            if len(subject) > 72:
                subject = subject[:71] + "…"
            message = (
                f"{subject}\n\n{' '.join(text.split())}\n\n"
                f"Contact: {_one_line(contact.name)}\nInteraction: {kind or 'note'}\n"
                f"Interaction-Date: {day.isoformat()}\n"
            )
            outcome = history.commit_paths(self.root, [contact.path], message)
        self.refresh([contact.path])
        return LogResult(contact.name, contact.path, entry, outcome.commit, outcome.reason)

    # -- follow-ups, snoozes and history (issue 3) -----------------------------

    def followup(
        self,
        name: str,
        when: dt.date | str | None,
        note: str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> ChangeResult:
        """Set ``follow_up`` (a date, or a duration from today such as ``6m``) and, if given, its note.

        ``when`` of ``None`` (or ``"none"``) clears ``follow_up`` and ``follow_up_note``.
        Without ``note`` an existing ``follow_up_note`` is kept.
        """
        day = self._when(when, today, "follow-up")
        contact = self.get(name)
        changes: dict[str, str | None] = {"follow_up": None if day is None else day.isoformat()}
        if day is None:
            changes["follow_up_note"] = None
        elif note is not None and note.strip():
            changes["follow_up_note"] = " ".join(note.split())
        if day is None:
            subject = f"Clear the follow-up with {_one_line(contact.name)}"
        else:
            subject = f"Follow up with {_one_line(contact.name)} on {day.isoformat()}"
            if changes.get("follow_up_note"):
                subject += f": {changes['follow_up_note']}"
        trailer = f"Follow-Up: {day.isoformat() if day else 'none'}"
        return self._set_fields(contact, changes, subject, trailer, commit)

    def snooze(
        self, name: str, when: dt.date | str | None, commit: bool = True, today: dt.date | str | None = None
    ) -> ChangeResult:
        """Set ``snooze_until`` (a date or a duration from today); ``None`` / ``"none"`` clears it."""
        day = self._when(when, today, "snooze")
        contact = self.get(name)
        changes: dict[str, str | None] = {"snooze_until": None if day is None else day.isoformat()}
        if day is None:
            subject = f"Unsnooze {_one_line(contact.name)}"
        else:
            subject = f"Snooze {_one_line(contact.name)} until {day.isoformat()}"
        trailer = f"Snooze-Until: {day.isoformat() if day else 'none'}"
        return self._set_fields(contact, changes, subject, trailer, commit)

    def _when(self, when: dt.date | str | None, today: dt.date | str | None, what: str) -> dt.date | None:
        if when is None or (isinstance(when, str) and when.strip().lower() in _CLEAR_WORDS):
            return None
        if isinstance(when, dt.date):
            return when
        try:
            return parse_when(when, resolve_today(today))
        except ValueError as exc:
            raise UsageError(f"bad {what} date: {exc}") from None

    def _set_fields(
        self, contact: Contact, changes: dict[str, str | None], subject: str, trailer: str, commit: bool
    ) -> ChangeResult:
        def change(note: str) -> str:
            for key, value in changes.items():
                note = edit.set_field(note, key, value) if value is not None else edit.clear_field(note, key)
            return note

        self._rewrite(contact, change)
        outcome = history.CommitOutcome(None, "--no-commit was given")
        if commit:
            if len(subject) > 72:
                subject = subject[:71] + "…"
            message = f"{subject}\n\nContact: {_one_line(contact.name)}\n{trailer}\n"
            outcome = history.commit_paths(self.root, [contact.path], message)
        self.refresh([contact.path])
        return ChangeResult(contact.name, contact.path, changes, outcome.commit, outcome.reason)

    def history(self, name: str) -> list[Interaction]:
        """Every log entry of the contact and every commit that touched its note, each once, newest first."""
        from mdnet import timeline

        contact = self.get(name)
        return timeline.merge(contact.log, self._git_history_of(contact.path))

    def _git_history_of(self, path: str) -> list[GitCommit]:
        from mdnet import timeline

        try:
            return timeline.commits_of(self.root, self._cache_dir(), path)
        except OSError as exc:
            raise VaultError(f"cannot read the git history: {exc}") from None

    def git_facts(self) -> dict[str, GitFacts]:
        """Per note path: the last day a commit touched it (renames followed) and how many did."""
        from mdnet import timeline

        try:
            return timeline.load_facts(self.root, self._cache_dir())
        except OSError as exc:
            raise VaultError(f"cannot read the git history: {exc}") from None

    def _cache_dir(self) -> Path | None:
        self._open_index()  # makes .mdnet/ (and its .gitignore) when the vault is writable
        folder = self.root / INDEX_DIR
        return folder if folder.is_dir() and os.access(folder, os.W_OK) else None

    @staticmethod
    def init(path: str | os.PathLike[str]) -> list[str]:
        """Make a vault (never overwriting anything); returns what was created."""
        from mdnet.scaffold import init_vault

        return init_vault(Path(path))


_CLEAR_WORDS = frozenset(("none", "never", "off", "clear"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _duplicate_names(contacts: list[Contact]) -> list[Problem]:
    """A warning where two contacts answer to the same name or alias (lookups become ambiguous)."""
    owners: dict[str, list[Contact]] = {}
    for contact in contacts:
        for label in {fold(contact.name), *(fold(a) for a in contact.aliases)}:
            owners.setdefault(label, []).append(contact)
    problems = []
    for label, group in owners.items():
        if len(group) > 1:
            for contact in group:
                others = ", ".join(o.path for o in group if o is not contact)
                problems.append(Problem(contact.path, 1, 1, "warning", f"{label!r} also names {others}"))
    return problems
