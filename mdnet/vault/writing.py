"""Vault methods that write notes: add a contact, log an interaction, rewrite a note safely.

A mixin of :class:`mdnet.vault.facade.Vault`, kept apart so that the facade stays readable.
Every write goes through :meth:`WritingMethods._rewrite` (or ``files.create_new`` for a
new note): atomic, and only over the bytes the change was computed from.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mdnet.config import Config, is_in_contact_folder
from mdnet.core import naming
from mdnet.core.durations import DurationError, parse_date, parse_date_time, parse_duration
from mdnet.core.folding import fold
from mdnet.core.model import Contact, Duration, LogResult, RefreshStats
from mdnet.errors import DuplicateContact, FileChanged, NoteError, UsageError, VaultError
from mdnet.store import files
from mdnet.store.index import heals
from mdnet.vault.arguments import check_name, resolve_today
from mdnet.vault.history import check_text_or_none

if TYPE_CHECKING:
    import sqlite3

    from mdnet.note import edit
    from mdnet.store.index import Index

TEMPLATE_PATH = "templates/contact.md"


def check_cadence(cadence: str | None) -> None:
    """A cadence for a new note (``add --cadence``, ``import --cadence``) that reads, else bad usage; for an
    import, checked before the first note is written, not at the first note it creates."""
    if cadence is not None:
        try:
            parse_duration(cadence)
        except DurationError as exc:
            raise UsageError(f"bad --cadence: {exc}") from None


def _values(label: str, given: Sequence[str] | str) -> tuple[str, ...]:
    """One string is one value (``tags="cloud"``), not a list of its characters."""
    values = (given,) if isinstance(given, str) else tuple(given or ())
    for value in values:
        if not isinstance(value, str):
            raise UsageError(f"{label} must be text or a list of text, not {type(value).__name__}")
    return values


class WritingMethods:
    """Mixed into :class:`~mdnet.vault.facade.Vault`; what it uses of the vault is declared here for the type
    checker."""

    if TYPE_CHECKING:
        root: Path
        config: Config

        def get(self, name: str | Contact) -> Contact: ...
        def refresh(self, paths: Iterable[str] | None = None) -> RefreshStats: ...
        def _fresh(self) -> Index: ...
        def _discard_damaged_index(self, exc: sqlite3.DatabaseError) -> bool: ...

    @heals
    def _named(self, wanted: str) -> list[Contact]:
        """The contact whose folded name is ``wanted``, from the up-to-date index (none or one)."""
        index = self._fresh()
        return [c for c in (index.contact(p) for p in index.contact_paths_named(wanted)[:1]) if c is not None]

    def add(
        self,
        name: str,
        *,
        category: str | None = None,
        cadence: str | None = None,
        tags: Sequence[str] | str = (),
        email: Sequence[str] | str = (),
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
        from mdnet.note import edit  # writes only: not on the read path

        check_name(name, wanted="the new contact's name")
        name = " ".join(name.split())
        for label, given in (("category", category), ("company", company), ("role", role)):
            check_text_or_none(label, given)
        tags, email = _values("tags", tags), _values("email", email)
        check_cadence(cadence)
        wanted = fold(name)
        if known is None:  # the index's name table holds exactly these names: no need to read every contact
            known = self._named(wanted)
        for contact in known:
            if wanted in naming.answers_to(contact):
                raise DuplicateContact(f"{name!r} is already a contact: {contact.name} ({contact.path})")
        folder = self.config.contact_dirs[0]
        stem = self._free_stem(folder, naming.file_stem(name, self.config.file_names))
        relative = f"{stem}.md" if folder == "." else f"{folder}/{stem}.md"
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
        by_policy = cadence is None and self.config.cadence_policy.category_window(category)[0]
        if not by_policy:
            values.append(("cadence", cadence or self.config.new_contact_cadence))
        for key, value in values:
            text = edit.set_field(text, key, value)
        if by_policy:
            # A category with its own entry in [cadence] is left to it: a written cadence, ours or the
            # template's, would override the policy the user set for that category (docs/cadence-policy.md).
            text = edit.remove_field(text, "cadence")
        files.create_new(target, text.encode("utf-8"), relative, root=self.root)
        return target

    def _free_stem(self, folder: str, stem: str) -> str:
        """``stem``, or ``stem 2``, ``stem 3``... (``stem-2`` for slugs) when another contact's
        file has that name in any case (Jane Doe.md, jane doe.md: one file on macOS and
        Windows). A file there that is no readable contact is left for ``add`` to refuse."""
        import unicodedata

        def key(file_name: str) -> str:
            return unicodedata.normalize("NFC", file_name).casefold()

        names = files.names_in(self.root / folder)
        if names is None:
            return stem  # no folder yet
        taken = {key(entry): entry for entry in names}
        separator = "-" if self.config.file_names == "slug" else " "
        candidate, number = stem, 1
        while (existing := taken.get(key(candidate + ".md"))) is not None:
            relative = existing if folder == "." else f"{folder}/{existing}"
            if self._fresh().contact(relative) is None:
                return existing[:-3]  # a broken note or not a note: add reports that it exists
            number += 1
            candidate = f"{stem}{separator}{number}"
        return candidate

    def _render_template(self, name: str, today: dt.date) -> str:
        from mdnet.note.document import DecodeProblem, decode

        template = self.root / TEMPLATE_PATH
        try:
            # A template linked out of the vault is an error (OutsideVault), not a silent default:
            # it is never copied into a note, and the user learns why their template was not used.
            text = decode(files.read_inside(self.root, template, 0, TEMPLATE_PATH))
        except (OSError, DecodeProblem):
            return f"---\n---\n# {name}\n\n## {self.config.log_heading}\n"
        from mdnet.note.template import fill

        return fill(text, name, today)

    def _rewrite(self, contact: Contact, change: Callable[[str], str], *, planned: bool = False) -> str:
        """Apply ``change`` to the note's text and write it back atomically and conditionally.

        ``planned``: ``change`` was decided from ``contact`` as read earlier (an import,
        a mail scan), not from the text it is given; a note whose front matter or log
        no longer reads as ``contact`` does is left alone (:class:`FileChanged`), since
        the decision may no longer hold (a role the user has written meanwhile).
        """
        from mdnet.note.document import DecodeProblem, decode

        path = self.root / contact.path
        try:
            original = files.read_inside(self.root, path, 0, contact.path)  # a link out of the vault: refused
        except OSError as exc:
            raise VaultError(f"cannot read: {exc.strerror}", path=contact.path) from None
        try:
            text = decode(original)
        except DecodeProblem as exc:
            raise NoteError(exc.message, path=contact.path, line=exc.line) from None
        if planned and not self._reads_as(text, contact):
            raise FileChanged("changed since mdnet read it; nothing was written", path=contact.path)
        try:
            updated = change(text)
        except ValueError as exc:
            raise NoteError(str(exc), path=contact.path) from None
        if updated != text:
            files.write_if_unchanged(path, updated.encode("utf-8"), original, contact.path, root=self.root)
        return updated

    def _reads_as(self, text: str, contact: Contact) -> bool:
        """Whether the note ``text`` has ``contact``'s front matter and log entries (lines aside)."""
        from mdnet.note.contact import ParseSettings, parse_note

        in_folder = is_in_contact_folder(contact.path, self.config.contact_dirs)
        now = parse_note(text, contact.path, contact_folder=in_folder,
                         settings=ParseSettings(self.config.log_heading)).contact  # fmt: skip

        def entries(of: Contact) -> list[tuple[object, ...]]:
            return [(e.date, e.time, e.kind, e.text) for e in of.log]

        return now is not None and now.fields == contact.fields and entries(now) == entries(contact)

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
        from mdnet.git import commands as history  # writes only: not on the read path
        from mdnet.git import commit_text
        from mdnet.note import edit

        if not isinstance(text, str):
            raise UsageError(f"text must be text, not {type(text).__name__}")
        check_text_or_none("kind", kind)
        if not isinstance(when, dt.date):
            check_text_or_none("when", when, "a date or YYYY-MM-DD[THH:MM] text")
        if not text.strip():
            raise UsageError("an interaction needs some text")
        if kind is not None and not re.fullmatch(r"[A-Za-z][\w-]{0,30}", kind):
            raise UsageError(f"bad --kind {kind!r}: one word such as coffee, email, call")
        contact = name if isinstance(name, Contact) else self.get(name)
        time = None
        if isinstance(when, dt.datetime):  # a date-time keeps its time, as --date 2026-11-25T10:30 does
            time, when = when.strftime("%H:%M"), when.date()
        elif when is not None and not isinstance(when, dt.date):
            try:
                when, at = parse_date_time(when)
            except ValueError as exc:
                raise UsageError(f"bad --date: {exc}") from None
            time = at.strftime("%H:%M") if at is not None else None

        day = resolve_today(when if when is not None else today)
        if when is not None:
            now = resolve_today(today)
            if day > Duration(1, "d").add_to(now):  # a day ahead: another time zone's today
                raise UsageError(f"bad --date: {day} is after today ({now}); log what has happened, and plan "
                                 f"the rest with: mdnet followup {shlex.quote(contact.name)} {day}")  # fmt: skip
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
            # the name, kind and text come from the user or a note: commit_text makes each one line
            trailers = [
                ("Contact", contact.name),
                ("Interaction", kind or "note"),
                ("Interaction-Date", day.isoformat()),
            ]
            message = commit_text.message(f"Log {kind or 'interaction'} with {contact.name}: {text}", [text], trailers)
            outcome = history.commit_paths(self.root, [contact.path], message)
        self.refresh([contact.path])
        return LogResult(contact.name, contact.path, entry, outcome.commit, outcome.reason)
