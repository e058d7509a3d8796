"""The :class:`Vault` facade that ties the pieces together for scripts and the CLI.

Every query first brings the index up to date (a change-token scan that reads
only what changed), so an answer never lags the files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from mdnet import files, naming
from mdnet.config import CONFIG_NAME, Config, load_config
from mdnet.contact import ParseSettings, fold, parse_note
from mdnet.document import DecodeProblem, decode
from mdnet.due import due_items, matches
from mdnet.durations import DurationError, parse_date, parse_duration, parse_when
from mdnet.errors import AmbiguousName, ContactNotFound, DuplicateContact, MdnetError, NoteError, UsageError, VaultError
from mdnet.index import Index
from mdnet.model import (
    ChangeResult,
    Contact,
    DueItem,
    Duration,
    GitFacts,
    Interaction,
    LogResult,
    Problem,
    RefreshStats,
    Severity,
)
from mdnet.refresh import refresh

if TYPE_CHECKING:  # imported when used, so that `mdnet due` never pays for them
    from mdnet import edit
    from mdnet.brief import Brief
    from mdnet.daily_files import DailyResult
    from mdnet.draft_files import DraftResult
    from mdnet.gitlog import Commit as GitCommit
    from mdnet.network import Network, PathResult, Person, WhoResult
    from mdnet.stats import Stats

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
    if re.fullmatch(r"\s*0+\s*(?:d|w|m|y|days?|weeks?|months?|years?)\s*", within.lower()):
        return 0  # "0d": today only (a zero cadence is refused, a zero window is not)
    try:
        duration = parse_duration(within)
    except DurationError as exc:
        raise UsageError(f"bad --within {within!r}: expected a duration such as 0d, 7d, 2w or 1m") from None
    if duration is None:
        raise UsageError("bad --within: 'never' is not a window")
    return (duration.add_to(today) - today).days


class Vault:
    """A vault of notes and its index. Open with :meth:`open`; usable as a context manager."""

    def __init__(self, root: Path, config: Config | None = None) -> None:
        self.root = root
        self.config = config if config is not None else load_config(root)
        self._index: Index | None = None
        # Every query brings the index up to date first. A short-lived caller (one CLI
        # command) sets this False: one scan at its first query, then its own writes
        # refresh just the notes they touch.
        self.refresh_on_query = True
        self._refreshed = False

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
        if self.refresh_on_query or not self._refreshed:
            self.refresh()
            self._refreshed = True
        return self._open_index()

    # -- queries -----------------------------------------------------------

    def contacts(self, category: str | None = None, tag: str | None = None) -> list[Contact]:
        """Every valid contact (notes with errors are left out), sorted by name."""
        _check_filters(category, tag)
        found = [c for c in self._fresh().contacts() if matches(c, category, tag)]
        found.sort(key=lambda c: (fold(c.name), c.path))
        return found

    def get(self, name: str) -> Contact:
        """One contact by name, alias, file stem or unique name prefix.

        Exact names come from the index's name table and prefixes from name-only
        rows, so only the contact found is decoded in full.
        """
        index = self._fresh()
        key = fold(naming.query_text(name))
        paths = sorted({path for path, _rank, is_contact in index.names_for(key) if is_contact}) if key else []
        found: Contact | None = None
        if len(paths) > 1:
            matches_ = [c for c in (index.contact(p) for p in paths) if c is not None]
            raise AmbiguousName(name, [(c.name, c.path) for c in sorted(matches_, key=lambda c: fold(c.name))])
        if paths:
            found = index.contact(paths[0])
        if found is None:
            try:
                found = index.contact(naming.find_contact(index.contact_names(), name).path)
            except ContactNotFound as exc:
                broken = index.broken_notes(key) if key else []
                hint = f"{broken[0]} has errors and is left out (see 'mdnet check')" if broken else None
                raise ContactNotFound(name, exc.candidates, hint) from None
        if found is None:
            raise ContactNotFound(name)
        return found

    def due(
        self,
        today: dt.date | str | None = None,
        within: str | int | None = None,
        category: str | None = None,
        tag: str | None = None,
    ) -> list[DueItem]:
        """The due list for ``today`` (SPEC section 3)."""
        _check_filters(category, tag)
        day = resolve_today(today)
        window = days_within(within, day, self.config.upcoming_days)
        default = self.config.default_cadence_duration
        policy = self.config.cadence_policy
        horizon = dt.date.max if window >= (dt.date.max - day).days else day + dt.timedelta(days=window)
        # Contacts without their own cadence take the default or their category's: SQL
        # cannot date those, so they all go through when either exists.
        inherited = default is not None or bool(policy.windows)
        candidates = self._fresh().due_candidates(day, horizon, inherited)
        return due_items((c for c in candidates if matches(c, category, tag)), day, window, default, policy)

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
        return sorted(found, key=lambda p: (p.path, p.line, p.column))

    def _check_file(self, given: Path) -> list[Problem]:
        full = given if given.is_absolute() else Path.cwd() / given
        try:
            relative = full.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return [Problem(str(given), 0, 0, "error", "not inside the vault " + str(self.root))]
        if not full.exists():
            return [Problem(relative, 0, 0, "error", "no such file")]
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
        return list(parsed.problems if in_contact_folder or parsed.is_contact_type else as_warnings(parsed.problems))

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
        extra: Sequence[tuple[str, edit.Value]] = (),
        known: Sequence[Contact] | None = None,
    ) -> Path:
        """Create a contact note from the template; refuses a name or alias already in use.

        ``extra`` holds more front matter fields (key, value), written after ``email``.
        ``known`` is what the name is checked against when the caller has already
        checked it (a batch import); by default every contact, read fresh.
        """
        from mdnet import edit  # writes only: not on the read path

        name = " ".join(name.split())
        if not name:
            raise UsageError("a contact needs a name")
        if cadence is not None:
            try:
                parse_duration(cadence)
            except DurationError as exc:
                raise UsageError(f"bad --cadence: {exc}") from None
        wanted = fold(name)
        for contact in self.contacts() if known is None else known:
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
        values.extend(extra)
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
        name: str | Contact,
        text: str,
        kind: str | None = None,
        when: dt.date | str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> LogResult:
        """Record an interaction: a log entry, ``last_contact`` raised, ``needs_reply`` cleared, one commit."""
        from mdnet import edit, history  # writes only: not on the read path

        if not text.strip():
            raise UsageError("an interaction needs some text")
        if kind is not None and not re.fullmatch(r"[A-Za-z][\w-]{0,30}", kind):
            raise UsageError(f"bad --kind {kind!r}: one word such as coffee, email, call")
        contact = name if isinstance(name, Contact) else self.get(name)
        time = None
        if when is not None and not isinstance(when, dt.date):
            match = re.fullmatch(r"\s*(\d{4}-\d\d-\d\d)(?:[T ](\d\d):(\d\d)(?::\d\d)?)?\s*", when)
            try:
                if match is None:
                    raise ValueError(f"not a date: {when!r} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
                if match.group(2) is not None:
                    time = dt.time(int(match.group(2)), int(match.group(3))).strftime("%H:%M")
                when = parse_date(match.group(1))
            except ValueError as exc:
                raise UsageError(f"bad --date: {exc}") from None
        day = resolve_today(when if when is not None else today)
        entry = edit.format_log_entry(day.isoformat(), text, kind, time)

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

    # -- the daily note (mdnet.daily_files) ----------------------------------

    def daily_note(self, date: dt.date | str | None = None) -> Path:
        """Write or refresh the daily note (logging new ticks first); returns its path."""
        return self.refresh_daily(date).full_path

    def refresh_daily(self, date: dt.date | str | None = None) -> DailyResult:
        """:meth:`daily_note` with the details: what was logged, warnings, the note's text."""
        from mdnet.daily_files import build

        return build(self, resolve_today(date), write=True)

    def render_daily(self, date: dt.date | str | None = None) -> str:
        """The daily note as a refresh would write it; writes and logs nothing."""
        from mdnet.daily_files import build

        return build(self, resolve_today(date), write=False).text

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
        from mdnet import edit, history  # writes only: not on the read path

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

    # -- relationships: brief, path, who (docs/brief.md, docs/path.md) ------

    def network(self, today: dt.date | str | None = None) -> Network:
        """Questions about who is connected to whom, over the (fresh) index."""
        from mdnet.network import Network

        return Network(self._fresh(), resolve_today(today))

    def note_body(self, contact: Contact) -> str:
        """The note's text after its front matter ("" when it cannot be read now)."""
        from mdnet.document import split

        try:
            return split(decode(files.read_bytes(self.root / contact.path, self.config.max_note_bytes))).body
        except (OSError, DecodeProblem, files.TooLarge):
            return ""

    def brief(self, name: str, today: dt.date | str | None = None) -> Brief:
        """Everything to know before meeting ``name``: see :mod:`mdnet.brief`."""
        from mdnet.brief import Mutual, build_brief
        from mdnet.due import item_for

        day = resolve_today(today)
        contact = self.get(name)
        network = self.network(day)
        mutual = [
            Mutual(person.name, person.path, via, network.strength(person))
            for person, via in network.neighbours(network.person_of(contact)).values()
            if person.path is not None
        ]
        window = days_within(None, day, self.config.upcoming_days)
        item = item_for(contact, day, window, self.config.default_cadence_duration, self.config.cadence_policy)
        return build_brief(contact, self.note_body(contact), mutual, item)

    def path(
        self,
        target: str | None,
        *,
        via: str | None = None,
        company: str | None = None,
        today: dt.date | str | None = None,
        limit: int = 5,
    ) -> PathResult:
        """Warm paths from the user to ``target`` (a contact or a name in links) or anyone at ``company``."""
        from mdnet.network import PathResult, members_at, org_keys

        network = self.network(today)
        skip: list[str] = []
        if company is not None:
            if target is not None:
                raise UsageError("give a person or --company, not both")
            targets = [network.person_of(c) for c, _relation in members_at(network, company)]
            label, skip = company, org_keys(network, company)
        elif target is None:
            raise UsageError("whom? give a name, or --company X")
        else:
            person = self._person(network, target)
            targets, label = [person], person.name
        via_person = None if via is None else self._person(network, via)
        return PathResult(label, tuple(network.paths(targets, via=via_person, limit=limit, skip_orgs=skip)))

    def _person(self, network: Network, text: str) -> Person:
        from mdnet.network import find_person

        found = find_person(network, text)
        if isinstance(found, list):
            raise AmbiguousName(text, [(c.name, c.path) for c in found])
        if found is not None:
            return found
        return network.person_of(self.get(text))  # prefixes, near misses and their errors

    def who(self, query: str, *, kind: str | None = None, today: dt.date | str | None = None) -> WhoResult:
        """Whom the user knows at a company (current or past) or with a tag, directly and one hop away."""
        from mdnet.network import members_at, org_keys, who

        network = self.network(today)
        if kind not in (None, "company", "tag"):
            raise UsageError(f"bad kind {kind!r}: company or tag")
        members: list[tuple[Contact, str]] = []
        chosen = kind
        skip: list[str] = []
        if kind in (None, "company") and not query.startswith("#"):
            members = members_at(network, query)
            chosen, skip = "company", org_keys(network, query)
        if not members and kind in (None, "tag"):
            tagged = self.contacts(tag=query)
            if tagged or kind == "tag":
                members = [(c, "tagged " + query.lstrip("#")) for c in tagged]
                chosen = "tag"
        return who(network, query, chosen or "company", members, skip if chosen == "company" else ())

    # -- drafts (docs/draft.md) ---------------------------------------------

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
        contact and all of them are committed together, in one commit (see :mod:`mdnet.draft_files`).
        """
        from mdnet.draft_files import make_drafts

        return make_drafts(self, template, category=category, tag=tag, due=due, out=out, fmt=fmt, log=log,
                           today=today)  # fmt: skip

    def stats(self, since: dt.date | str | None = None, today: dt.date | str | None = None) -> Stats:
        """The network's health from ``since`` (a date, or a duration back from today) to today."""
        from mdnet.stats import compute

        day = resolve_today(today)
        start = since_date(since, day) if since is not None else None
        config = self.config
        return compute(self.contacts(), day, start, config.cadence_policy, config.default_cadence_duration)


def since_date(value: dt.date | str, today: dt.date) -> dt.date:
    """``--since``: a date, or a duration counted back from ``today`` (``6m`` = six months ago)."""
    if isinstance(value, dt.date):
        return value
    try:
        return parse_when(value, today, back=True)
    except ValueError as exc:
        raise UsageError(f"bad --since: {exc}") from None


_CLEAR_WORDS = frozenset(("none", "never", "off", "clear"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _check_filters(category: object, tag: object) -> None:
    for label, value in (("category", category), ("tag", tag)):
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{label} must be text, not {type(value).__name__}")


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
