"""Adding a contact and logging an interaction: a service of :class:`mdnet.vault.facade.Vault`.

Every write goes through the :class:`~mdnet.vault.writer.NoteWriter` (``rewrite``, or ``create``
for a new note): atomic, and only over the bytes the change was computed from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mdnet.core import naming
from mdnet.core.durations import DurationError, parse_date, parse_date_time, parse_duration
from mdnet.core.folding import fold
from mdnet.core.model import Contact, Duration, LogResult
from mdnet.errors import DuplicateContact, UsageError
from mdnet.store import files
from mdnet.store.index import heals
from mdnet.store.session import IndexSession
from mdnet.vault.arguments import check_name, check_text_or_none, resolve_today
from mdnet.vault.queries import Queries
from mdnet.vault.writer import NoteWriter

if TYPE_CHECKING:
    from mdnet.note import edit

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


class Writing:
    """Adds contacts and logs interactions, through the writer; finds contacts through the queries."""

    def __init__(self, session: IndexSession, writer: NoteWriter, queries: Queries) -> None:
        self.session = session
        self.writer = writer
        self.queries = queries

    @heals
    def _named(self, wanted: str) -> list[Contact]:
        """The contact whose folded name is ``wanted``, from the up-to-date index (none or one)."""
        index = self.session.fresh()
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
        folder = self.session.config.contact_dirs[0]
        stem = self._free_stem(folder, naming.file_stem(name, self.session.config.file_names))
        relative = f"{stem}.md" if folder == "." else f"{folder}/{stem}.md"
        target = self.session.root / folder / f"{stem}.md"
        if target.resolve().parent != (self.session.root / folder).resolve():
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
        by_policy = cadence is None and self.session.config.cadence_policy.category_window(category)[0]
        if not by_policy:
            values.append(("cadence", cadence or self.session.config.new_contact_cadence))
        for key, value in values:
            text = edit.set_field(text, key, value)
        if by_policy:
            # A category with its own entry in [cadence] is left to it: a written cadence, ours or the
            # template's, would override the policy the user set for that category (docs/cadence-policy.md).
            text = edit.remove_field(text, "cadence")
        self.writer.create(target, text.encode("utf-8"), relative)
        return target

    def _free_stem(self, folder: str, stem: str) -> str:
        """``stem``, or ``stem 2``, ``stem 3``... (``stem-2`` for slugs) when another contact's
        file has that name in any case (Jane Doe.md, jane doe.md: one file on macOS and
        Windows). A file there that is no readable contact is left for ``add`` to refuse."""
        import unicodedata

        def key(file_name: str) -> str:
            return unicodedata.normalize("NFC", file_name).casefold()

        names = files.names_in(self.session.root / folder)
        if names is None:
            return stem  # no folder yet
        taken = {key(entry): entry for entry in names}
        separator = "-" if self.session.config.file_names == "slug" else " "
        candidate, number = stem, 1
        while (existing := taken.get(key(candidate + ".md"))) is not None:
            relative = existing if folder == "." else f"{folder}/{existing}"
            if self.session.fresh().contact(relative) is None:
                return existing[:-3]  # a broken note or not a note: add reports that it exists
            number += 1
            candidate = f"{stem}{separator}{number}"
        return candidate

    def _render_template(self, name: str, today: dt.date) -> str:
        from mdnet.note.document import DecodeProblem, decode

        template = self.session.root / TEMPLATE_PATH
        try:
            # A template linked out of the vault is an error (OutsideVault), not a silent default:
            # it is never copied into a note, and the user learns why their template was not used.
            text = decode(files.read_inside(self.session.root, template, 0, TEMPLATE_PATH))
        except (OSError, DecodeProblem):
            return f"---\n---\n# {name}\n\n## {self.session.config.log_heading}\n"
        from mdnet.note.template import fill

        return fill(text, name, today)

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
        from mdnet.git import commit_lock, commit_text
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
        contact = name if isinstance(name, Contact) else self.queries.get(name)
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
            note = edit.insert_log_entry(note, entry, self.session.config.log_heading)
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

        if not commit:
            self.writer.rewrite(contact, change)
            self.session.refresh([contact.path])
            return LogResult(contact.name, contact.path, entry, None, "--no-commit was given")
        root = self.session.root
        # The write and its commit under mdnet's commit lock: another mdnet's entry in this note is written before
        # or after, never between, so each entry is in the commit whose message names it.
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(commit_lock.commit_lock(root))
            except TimeoutError as exc:
                self.writer.rewrite(contact, change)  # the entry is written; the next commit of the note takes it
                self.session.refresh([contact.path])
                why = f"{exc.strerror or exc}; the entry is kept in the note for the next commit"
                return LogResult(contact.name, contact.path, entry, None, why, commit_failed=True)
            earlier = history.uncommitted_log_entries(root, contact.path) if history.is_inside_work_tree(root) else []
            self.writer.rewrite(contact, change)
            # the name, kind and text come from the user or a note: commit_text makes each one line
            trailers = [
                ("Contact", contact.name),
                ("Interaction", kind or "note"),
                ("Interaction-Date", day.isoformat()),
            ]
            body = [text, *(f"Also committed here, written earlier: {line}" for line in earlier)]
            message = commit_text.message(f"Log {kind or 'interaction'} with {contact.name}: {text}", body, trailers)
            outcome = history.commit_paths(root, [contact.path], message)
        self.session.refresh([contact.path])
        return LogResult(contact.name, contact.path, entry, outcome.commit, outcome.reason,
                         commit_failed=outcome.failed)  # fmt: skip
