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

from mdnet import edit, files, history, naming
from mdnet.config import CONFIG_NAME, Config, load_config
from mdnet.contact import ParseSettings, fold, parse_note
from mdnet.document import DecodeProblem, decode
from mdnet.due import due_items, matches
from mdnet.durations import DurationError, parse_date, parse_duration
from mdnet.errors import DuplicateContact, NoteError, UsageError, VaultError
from mdnet.index import Index
from mdnet.model import Contact, DueItem, LogResult, Problem, RefreshStats, Severity
from mdnet.refresh import refresh

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

    def indexed(self) -> Index:
        """The index as it stands, not brought up to date (for the watcher, which refreshes by itself)."""
        return self._open_index()

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
        outcome = history.CommitOutcome(None, "not committed (--no-commit)")
        if commit:
            subject = f"Log {kind or 'interaction'} with {contact.name}: {' '.join(text.split())}"
            if len(subject) > 72:
                subject = subject[:71] + "…"
            message = (
                f"{subject}\n\n{' '.join(text.split())}\n\n"
                f"Contact: {contact.name}\nInteraction: {kind or 'note'}\nInteraction-Date: {day.isoformat()}\n"
            )
            outcome = history.commit_paths(self.root, [contact.path], message)
        self.refresh([contact.path])
        return LogResult(contact.name, contact.path, entry, outcome.commit, outcome.reason)

    @staticmethod
    def init(path: str | os.PathLike[str]) -> list[str]:
        """Make a vault (never overwriting anything); returns what was created."""
        from mdnet.scaffold import init_vault

        return init_vault(Path(path))


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
