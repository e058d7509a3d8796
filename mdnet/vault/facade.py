"""The :class:`Vault` facade that ties the pieces together for scripts and the CLI.

Every query first brings the index up to date (a change-token scan that reads
only what changed), so an answer never lags the files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from mdnet.config import Config, is_in_contact_folder
from mdnet.core import naming
from mdnet.core.due import matches
from mdnet.core.folding import fold
from mdnet.core.model import (
    Contact,
    DueItem,
    Duration,
    Problem,
    RefreshStats,
    Severity,
)
from mdnet.errors import AmbiguousName, ContactNotFound, MdnetError, UsageError, VaultError
from mdnet.store import files
from mdnet.store.index import Index, heals
from mdnet.store.index_file import cannot_write, delete_database
from mdnet.store.layout import INDEX_DIR, INDEX_NAME, NOT_A_VAULT, discover_root, is_marked, load_config
from mdnet.store.refresh import refresh
from mdnet.vault.arguments import (
    check_filters,
    check_name,
    check_paths,
    check_text,
    days_within,
    path_text,
    resolve_today,
)
from mdnet.vault.history import HistoryMethods
from mdnet.vault.relations import RelationMethods
from mdnet.vault.writing import WritingMethods

if TYPE_CHECKING:  # imported when used, so that `mdnet due` never pays for them
    from mdnet.vault.daily import DailyResult
    from mdnet.vault.drafts import DraftResult


class Vault(HistoryMethods, RelationMethods, WritingMethods):
    """A vault of notes and its index. Open with :meth:`open`; usable as a context manager."""

    def __init__(self, root: Path, config: Config | None = None, *, save_index: bool = True) -> None:
        self.root = root
        self.config = config if config is not None else load_config(root)
        # False for a working directory that no marker made a vault: see open().
        self.save_index = save_index
        self._index: Index | None = None
        # Every query brings the index up to date first. A short-lived caller (one CLI
        # command) sets this False: one scan at its first query, then its own writes
        # refresh just the notes they touch.
        self.refresh_on_query = True
        self._refreshed = False
        # Why the index is in memory, when it is (the file could not be created or written): for the watcher,
        # which says so and later tries the file again (reopen_index_file).
        self.in_memory_because: str | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Vault:
        """Open the vault at ``path`` or the one discovered as SPEC section 1 says.

        When discovery ends at the working directory because nothing marks a vault there or above
        (``mdnet due`` typed in the home folder), the folder is read as SPEC says, but its index is
        kept in memory: a ``.mdnet/`` written there would make it, and every folder below it, a
        vault for good (docs/decisions.md). ``save_index`` is then False; a named vault (``path``,
        ``$MDNET_VAULT``) saves its index wherever it is.
        """
        root = discover_root(path)
        try:  # an unlistable vault must not read as an empty network (the scan skips unreadable folders)
            os.scandir(root).close()
        except OSError as exc:
            raise VaultError(f"cannot read the vault: {exc.strerror}", path=str(root)) from None
        named = path is not None or bool(os.environ.get("MDNET_VAULT"))
        return cls(root, load_config(root), save_index=named or is_marked(root))

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
        if self._index is None and not self.save_index:
            self._index = Index.memory()
            self.in_memory_because = NOT_A_VAULT
        if self._index is None:
            try:
                self._index = self._open_index_file()
                self.in_memory_because = None
            except (OSError, sqlite3.OperationalError) as exc:
                self._index = Index.memory()  # a read-only vault still answers
                self.in_memory_because = str(exc)
        return self._index

    def _open_index_file(self) -> Index:
        """The index file in ``.mdnet/``, made with its .gitignore when missing. A ``.mdnet`` mdnet did not make (a
        link, or one holding links, as a cloned vault may: docs/security.md) raises :class:`files.NotOwnFolder`
        before anything in it is opened or written; the caller answers from memory."""
        folder = self.root / INDEX_DIR
        files.own_folder(folder, create=True)
        files.create_own_file(folder / ".gitignore", b"# mdnet's disposable index; never versioned\n*\n")
        return Index.open(folder / INDEX_NAME)

    def index_folder_refused(self) -> str | None:
        """Why ``.mdnet/`` is not used, when it is there but not an index folder mdnet made; None otherwise.
        For the command line's warning: such a vault answers from an index in memory, every command."""
        if not self.save_index:
            return None
        try:
            files.own_folder(self.root / INDEX_DIR)
        except files.NotOwnFolder as exc:
            return str(exc)
        except OSError:
            return None  # unreadable: the index's own open says why
        return None

    def reopen_index_file(self) -> RefreshStats | None:
        """Go back from an index in memory to the file, once the file can be written again, and bring the file
        up to date by a normal refresh. For a long-running caller (the watcher), which would otherwise answer
        from memory for good after one lock held too long; a command ends before that matters.

        Returns that refresh's figures once the vault answers from the file again; None while the file still
        cannot be written (nothing waits for a lock here), the memory index kept, current as ever.
        """
        if not self.save_index or (self._index is not None and self._index.path is not None):
            return None  # already on the file, or never to be (a folder no marker makes a vault)
        try:
            disk = self._open_index_file()
        except (OSError, sqlite3.OperationalError) as exc:
            self.in_memory_because = str(exc)
            return None
        try:
            if not disk.can_write_now():
                disk.close()
                return None
            stats = refresh(self.root, self.config, disk)
        except (OSError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, sqlite3.DatabaseError) and not cannot_write(exc):
                with contextlib.suppress(OSError):  # the creation lock held too long: a later try throws it away
                    disk.discard()  # damaged: the next try makes a new one
            else:
                disk.close()
            self.in_memory_because = str(exc)
            return None
        if self._index is not None:
            self._index.close()
        self._index = disk
        self.in_memory_because = None
        return stats

    def refresh(self, paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None = None) -> RefreshStats:
        """Bring the index up to date (only ``paths``, vault-relative, when given; one path may be a string)."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        check_paths(paths)
        wanted = None if paths is None else [path_text(given) for given in paths]
        index = self._open_index()
        try:
            return refresh(self.root, self.config, index, wanted)
        except sqlite3.DatabaseError as exc:
            # a corrupt index is a cache to rebuild, never an error for the user
            if not (self._discard_damaged_index(exc) or self._answer_from_memory(exc)):
                raise
            return refresh(self.root, self.config, self._open_index(), wanted)

    def indexed(self) -> Index:
        """The index as it stands, not brought up to date (for the watcher, which refreshes by itself)."""
        return self._open_index()

    def rebuild_index(self) -> None:
        """Throw the index away; the next refresh reads every note again."""
        self.close()
        delete_database(self.root / INDEX_DIR / INDEX_NAME)

    def _discard_damaged_index(self, exc: sqlite3.DatabaseError) -> bool:
        """Throw away an index a query found damaged, so that the next query rebuilds it (see :func:`heals`)."""
        index = self._index
        if index is None or index.path is None or cannot_write(exc):
            return False
        self._index = None
        self._refreshed = False
        try:
            index.discard()
        except OSError as error:  # a read-only folder: in memory for this command
            self._index = Index.memory()
            self.in_memory_because = str(error)
        return True

    def _answer_from_memory(self, exc: sqlite3.DatabaseError) -> bool:
        """Answer from an index in memory for this command when the index file is sound but not ours to write
        (another user's, locked too long, a full disk): never delete a database another process may be using.

        The memory index starts as a copy of the file, so the refresh that follows reads and reports only what
        changed, as it would have in the file (an empty one read every note again, all of them "added")."""
        index = self._index
        if index is None or index.path is None or not cannot_write(exc):
            return False
        self._index = index.copy_in_memory()
        index.close()
        self.in_memory_because = str(exc)
        return True

    def _fresh(self) -> Index:
        if self.refresh_on_query or not self._refreshed:
            self.refresh()
            self._refreshed = True
        return self._open_index()

    # -- queries -----------------------------------------------------------

    @heals
    def contacts(self, category: str | None = None, tag: str | None = None) -> list[Contact]:
        """Every valid contact (notes with errors are left out), sorted by name."""
        check_filters(category, tag)
        found = [c for c in self._fresh().contacts() if matches(c, category, tag)]
        found.sort(key=lambda c: (fold(c.name), c.path))
        return found

    @heals
    def get(self, name: str | Contact) -> Contact:
        """One contact by name, alias, file stem or unique name prefix.

        Exact names come from the index's name table and prefixes from name-only
        rows, so only the contact found is decoded in full. A ``Contact`` (one a script
        already holds) gives that note's contact as it is now.
        """
        if isinstance(name, Contact):
            found = self._fresh().contact(name.path)
            if found is None:
                raise ContactNotFound(name.name, hint=f"{name.path} is no longer a contact")
            return found
        check_name(name)
        return _lookup(self._fresh(), name)

    @heals
    def due(
        self,
        today: dt.date | str | None = None,
        within: str | int | None = None,
        category: str | None = None,
        tag: str | None = None,
    ) -> list[DueItem]:
        """The due list for ``today`` (SPEC section 3)."""
        check_filters(category, tag)
        day = resolve_today(today)
        rules = self.config.due_rules
        window = days_within(within, day, rules.upcoming_days)
        horizon = Duration(window, "d").add_to(day)  # clamped: the last days of 9999 are days too
        # Contacts without their own cadence take the default or their category's: SQL
        # cannot date those, so they all go through when either exists.
        candidates = self._fresh().due_candidates(day, horizon, rules.inherited)
        return rules.items((c for c in candidates if matches(c, category, tag)), day, window)

    @heals
    def problems(self) -> list[Problem]:
        """Problems of every contact note, as the last refresh found them."""
        return self._fresh().problems()

    def check(self, paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None) -> list[Problem]:
        """Validate every contact note, or just ``paths`` (any notes, e.g. the staged ones; one path is one note)."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        check_paths(paths)
        if paths is None:
            problems = self.problems()
            problems.extend(_duplicate_names(self.contacts()))
            return sorted(problems, key=lambda p: (p.path, p.line, p.column))
        found: list[Problem] = []
        for given in paths:
            found.extend(self._check_file(Path(path_text(given))))
        return sorted(found, key=lambda p: (p.path, p.line, p.column))

    def _check_file(self, given: Path) -> list[Problem]:
        full = given if given.is_absolute() else Path.cwd() / given
        try:
            # the folder resolved, not the note: a symlinked note is the vault's where its link is
            relative = (full.parent.resolve() / full.name).relative_to(self.root).as_posix()
        except ValueError:
            return [Problem(str(given), 0, 0, "error", "not inside the vault " + str(self.root))]
        if files.in_dot_folder(relative):
            return []  # .obsidian/, .trash/, .git/, ...: never notes, as the scan never enters them
        if not full.exists():
            return [Problem(relative, 0, 0, "error", "no such file")]
        if not files.is_note_name(full.name) or not full.is_file():
            return []
        from mdnet.note.contact import ParseSettings, parse_note
        from mdnet.note.document import DecodeProblem, decode

        in_folder = is_in_contact_folder(relative, self.config.contact_dirs)
        severity: Severity = "error" if in_folder else "warning"

        try:
            text = decode(files.read_inside(self.root, full, self.config.max_note_bytes, relative))
        except MdnetError as exc:  # a link out of the vault, or not a regular file: never read
            return [Problem(relative, 0, 0, severity, exc.message)]
        except files.TooLarge as exc:
            return [Problem(relative, 0, 0, severity, f"file is {exc.size:,} bytes, over the size limit")]
        except DecodeProblem as exc:
            return [Problem(relative, exc.line, exc.column, severity, exc.message)]
        except OSError as exc:
            return [Problem(relative, 0, 0, "error", f"cannot read: {exc.strerror}")]
        parsed = parse_note(text, relative, contact_folder=in_folder, settings=ParseSettings(self.config.log_heading))
        return list(parsed.problems if in_folder or parsed.is_contact_type else as_warnings(parsed.problems))

    @heals
    def search(self, text: str) -> list[tuple[Contact, str]]:
        """Contacts whose note mentions every word of ``text`` (prefixes too), best first."""
        check_text("search text", text)
        index = self._fresh()
        try:
            found = index.search(text)  # the first search fills the full-text table: a write
        except sqlite3.DatabaseError as exc:
            if not self._answer_from_memory(exc):  # another user's index, say: search a copy in memory
                raise
            self.refresh()
            index = self._open_index()
            found = index.search(text)
        return [(contact, snippet) for path, snippet in found if (contact := index.contact(path)) is not None]

    # -- the daily note (mdnet.vault.daily) ----------------------------------

    def daily_note(self, date: dt.date | str | None = None) -> Path:
        """Write or refresh the daily note (logging new ticks first); returns its path."""
        return self.refresh_daily(date).full_path

    def refresh_daily(self, date: dt.date | str | None = None) -> DailyResult:
        """:meth:`daily_note` with the details: what was logged, warnings, the note's text."""
        from mdnet.vault.daily import build

        return build(self, resolve_today(date), write=True)

    def render_daily(self, date: dt.date | str | None = None) -> str:
        """The daily note as a refresh would write it; writes and logs nothing."""
        from mdnet.vault.daily import build

        return build(self, resolve_today(date), write=False).text

    @staticmethod
    def init(path: str | os.PathLike[str]) -> list[str]:
        """Make a vault (never overwriting anything); returns what was created."""
        from mdnet.vault.scaffold import init_vault

        if not isinstance(path, (str, os.PathLike)):
            raise UsageError(f"a vault path must be text or a path, not {type(path).__name__}")
        return init_vault(Path(path).expanduser())

    def draft(
        self,
        template: str | os.PathLike[str],
        *,
        category: str | None = None,
        tag: str | None = None,
        due: bool = False,
        out: str | os.PathLike[str] | None = None,
        fmt: str = "eml",
        log: bool = False,
        today: dt.date | str | None = None,
    ) -> DraftResult:
        """One draft per matching contact from ``template``: ``.eml`` files or one Markdown review note.

        Nothing is overwritten. With ``log``, each draft is logged as an email sent to its
        contact and all of them are committed together, in one commit (see :mod:`mdnet.vault.drafts`).
        """
        from mdnet.vault.drafts import make_drafts

        return make_drafts(self, template, category=category, tag=tag, due=due, out=out, fmt=fmt, log=log,
                           today=today)  # fmt: skip


def _lookup(index: Index, name: str) -> Contact:
    """:meth:`Vault.get` on ``index``."""
    key = fold(naming.query_text(name))
    paths = index.contact_paths_named(key) if key else []
    folder = naming.query_folder(name)
    whole = naming.whole_name(name)
    if whole is not None and (named := index.contact_paths_named(whole)):  # AC/DC: a name, not a folder and a file
        paths, folder = named, ""
    if folder and len(paths) > 1:  # [[people/work/jane]]: the jane.md in that folder
        paths = [p for p in paths if naming.in_folder(p, folder)] or paths
    found: Contact | None = None
    if len(paths) > 1:
        matches_ = [c for c in (index.contact(p) for p in paths) if c is not None]
        raise AmbiguousName(name, [(c.name, c.path) for c in sorted(matches_, key=lambda c: fold(c.name))])
    if paths:
        found = index.contact(paths[0])
    if found is None:
        try:
            found = index.contact(naming.find_contact(index.contact_names(), name).path)
        except ContactNotFound:
            broken = index.broken_notes(key) if key else []
            if broken:  # the note asked for, found: the near misses of its name would only mislead
                hint = f"{broken[0]} has errors and is left out (see 'mdnet check')"
                raise ContactNotFound(name, hint=hint) from None
            raise
    if found is None:
        raise ContactNotFound(name)
    return found


def as_warnings(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """A note that is not a contact is not mdnet's to fail on: its problems are warnings."""
    return tuple(dataclasses.replace(p, severity="warning") for p in problems)


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
