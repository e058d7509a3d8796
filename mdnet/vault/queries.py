"""The vault's queries: contacts, one contact, the due list, problems, check, search.

A service of :class:`mdnet.vault.facade.Vault`, and what its other services (writing, history,
relations) ask when they need a contact: every query first brings the index up to date through
the session (a change-token scan that reads only what changed), so an answer never lags the files.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from mdnet.config import is_in_contact_folder
from mdnet.core import naming
from mdnet.core.due import matches
from mdnet.core.folding import fold
from mdnet.core.model import Contact, DueItem, Duration, Problem, Severity
from mdnet.errors import AmbiguousName, ContactNotFound, MdnetError
from mdnet.store import files
from mdnet.store.index import Index, heals
from mdnet.store.session import IndexSession
from mdnet.vault.arguments import (
    check_filters,
    check_name,
    check_paths,
    check_text,
    days_within,
    path_text,
    resolve_today,
)


class Queries:
    """Questions to the vault's index, each over a fresh index."""

    def __init__(self, session: IndexSession, day: Callable[[dt.date | str | None], dt.date] = resolve_today) -> None:
        self.session = session
        # The day T of a method not given its own ``today``: the vault's (Vault.open(path, today=...)),
        # else the clock (SPEC 11: effective last contacts are judged as of it).
        self.day = day

    @heals
    def contacts(
        self, category: str | None = None, tag: str | None = None, today: dt.date | str | None = None
    ) -> list[Contact]:
        """Every valid contact (notes with errors are left out), sorted by name; each with its mentions, open
        loops and effective last contact as of ``today`` (SPEC 11)."""
        check_filters(category, tag)
        found = [c for c in self.session.fresh().contacts(self.day(today)) if matches(c, category, tag)]
        found.sort(key=lambda c: (fold(c.name), c.path))
        return found

    @heals
    def get(self, name: str | Contact, today: dt.date | str | None = None) -> Contact:
        """One contact by name, alias, file stem or unique name prefix.

        Exact names come from the index's name table and prefixes from name-only
        rows, so only the contact found is decoded in full. A ``Contact`` (one a script
        already holds) gives that note's contact as it is now.
        """
        day = self.day(today)
        if isinstance(name, Contact):
            found = self.session.fresh().contact(name.path, day)
            if found is None:
                raise ContactNotFound(name.name, hint=f"{name.path} is no longer a contact")
            return found
        check_name(name)
        index = self.session.fresh()
        found = _lookup(index, name)
        return index.contact(found.path, day) or found

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
        day = self.day(today)
        rules = self.session.config.due_rules
        window = days_within(within, day, rules.upcoming_days)
        horizon = Duration(window, "d").add_to(day)  # clamped: the last days of 9999 are days too
        # Contacts without their own cadence take the default or their category's: SQL
        # cannot date those, so they all go through when either exists.
        candidates = self.session.fresh().due_candidates(day, horizon, rules.inherited)
        return rules.items((c for c in candidates if matches(c, category, tag)), day, window)

    @heals
    def problems(self) -> list[Problem]:
        """Problems of every contact note, as the last refresh found them."""
        return self.session.fresh().problems()

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
            relative = (full.parent.resolve() / full.name).relative_to(self.session.root).as_posix()
        except ValueError:
            return [Problem(str(given), 0, 0, "error", "not inside the vault " + str(self.session.root))]
        if files.in_dot_folder(relative):
            return []  # .obsidian/, .trash/, .git/, ...: never notes, as the scan never enters them
        if not full.exists():
            return [Problem(relative, 0, 0, "error", "no such file")]
        if not files.is_note_name(full.name) or not full.is_file():
            return []
        from mdnet.note.contact import ParseSettings, parse_note
        from mdnet.note.document import DecodeProblem, decode

        in_folder = is_in_contact_folder(relative, self.session.config.contact_dirs)
        severity: Severity = "error" if in_folder else "warning"

        try:
            text = decode(files.read_inside(self.session.root, full, self.session.config.max_note_bytes, relative))
        except MdnetError as exc:  # a link out of the vault, or not a regular file: never read
            return [Problem(relative, 0, 0, severity, exc.message)]
        except files.TooLarge as exc:
            return [Problem(relative, 0, 0, severity, f"file is {exc.size:,} bytes, over the size limit")]
        except DecodeProblem as exc:
            return [Problem(relative, exc.line, exc.column, severity, exc.message)]
        except OSError as exc:
            return [Problem(relative, 0, 0, "error", f"cannot read: {exc.strerror}")]
        parsed = parse_note(
            text, relative, contact_folder=in_folder, settings=ParseSettings(self.session.config.log_heading)
        )
        return list(parsed.problems if in_folder or parsed.is_contact_type else as_warnings(parsed.problems))

    @heals
    def search(self, text: str) -> list[tuple[Contact, str]]:
        """Contacts whose note mentions every word of ``text`` (prefixes too), best first."""
        check_text("search text", text)
        index = self.session.fresh()
        try:
            found = index.search(text)  # the first search fills the full-text table: a write
        except sqlite3.DatabaseError as exc:
            if not self.session.answer_from_memory(exc):  # another user's index, say: search a copy in memory
                raise
            self.session.refresh()
            index = self.session.indexed()
            found = index.search(text)
        return [(contact, snippet) for path, snippet in found if (contact := index.contact(path)) is not None]


def _lookup(index: Index, name: str) -> Contact:
    """:meth:`Queries.get` on ``index``."""
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
    return tuple(p.replace(severity="warning") for p in problems)


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
