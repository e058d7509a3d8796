"""Follow-ups, snoozes and interaction history (docs/history.md): a service of :class:`mdnet.vault.facade.Vault`.

Git work lives in :mod:`mdnet.git.commands`, :mod:`mdnet.git.log` and :mod:`mdnet.git.timeline`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from mdnet.core.durations import parse_when
from mdnet.core.model import ChangeResult, Contact, GitFacts, Interaction
from mdnet.errors import UsageError, VaultError
from mdnet.git import commit_text
from mdnet.store import files
from mdnet.store.layout import INDEX_DIR
from mdnet.store.session import IndexSession
from mdnet.vault.arguments import check_text_or_none, resolve_today
from mdnet.vault.queries import Queries
from mdnet.vault.writer import NoteWriter

if TYPE_CHECKING:
    from mdnet.git.log import Commit as GitCommit

_CLEAR_WORDS = frozenset(("none", "never", "off", "clear"))


class History:
    """Follow-ups, snoozes and each contact's history; notes written through the writer."""

    def __init__(self, session: IndexSession, writer: NoteWriter, queries: Queries) -> None:
        self.session = session
        self.writer = writer
        self.queries = queries

    def followup(
        self,
        name: str | Contact,
        when: dt.date | str | None,
        note: str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> ChangeResult:
        """Set ``follow_up`` (a date, or a duration from today such as ``6m``) and, if given, its note.

        ``when`` of ``None`` (or ``"none"``) removes the ``follow_up`` and ``follow_up_note`` lines
        (an empty key left behind reads as a follow-up someone forgot to fill in).
        Without ``note`` an existing ``follow_up_note`` is kept.
        """
        check_text_or_none("note", note)
        day = self._when(when, today, "follow-up")
        contact = self.queries.get(name)
        changes: dict[str, str | None] = {"follow_up": None if day is None else day.isoformat()}
        if day is None:
            changes["follow_up_note"] = None
        elif note is not None and note.strip():
            changes["follow_up_note"] = " ".join(note.split())
        if day is None:
            subject = f"Clear the follow-up with {commit_text.flat(contact.name)}"
        else:
            subject = f"Follow up with {commit_text.flat(contact.name)} on {day.isoformat()}"
            if changes.get("follow_up_note"):
                subject += f": {changes['follow_up_note']}"
        trailer = ("Follow-Up", day.isoformat() if day else "none")
        return self._set_fields(contact, changes, subject, trailer, commit, remove=day is None)

    def snooze(
        self, name: str | Contact, when: dt.date | str | None, commit: bool = True, today: dt.date | str | None = None
    ) -> ChangeResult:
        """Set ``snooze_until`` (a date or a duration from today); ``None`` / ``"none"`` clears it.

        ``"never"`` is refused: "snooze never" reads as "never remind me", and taking it as
        a clear word (as ``followup NAME never`` is) would end the snooze instead.
        """
        if isinstance(when, str) and when.strip().lower() == "never":
            raise UsageError(
                "bad snooze date: 'never' (a snooze ends on a date; to stop reminders for good, "
                "set status: archived or cadence: never in the note; to end a snooze, give none)"
            )
        day = self._when(when, today, "snooze")
        contact = self.queries.get(name)
        changes: dict[str, str | None] = {"snooze_until": None if day is None else day.isoformat()}
        if day is None:
            subject = f"Unsnooze {commit_text.flat(contact.name)}"
        else:
            subject = f"Snooze {commit_text.flat(contact.name)} until {day.isoformat()}"
        trailer = ("Snooze-Until", day.isoformat() if day else "none")
        return self._set_fields(contact, changes, subject, trailer, commit)

    def _when(self, when: dt.date | str | None, today: dt.date | str | None, what: str) -> dt.date | None:

        if not isinstance(when, dt.date):
            check_text_or_none("when", when, "a date, YYYY-MM-DD or a duration such as 6m")
        if when is None or (isinstance(when, str) and when.strip().lower() in _CLEAR_WORDS):
            return None
        if isinstance(when, dt.date):
            return when
        try:
            return parse_when(when, resolve_today(today))
        except ValueError as exc:
            raise UsageError(f"bad {what} date: {exc}") from None

    def _set_fields(
        self,
        contact: Contact,
        changes: dict[str, str | None],
        subject: str,
        trailer: tuple[str, str],
        commit: bool,
        remove: bool = False,
    ) -> ChangeResult:
        from mdnet.git import commands as history  # writes only: not on the read path
        from mdnet.git import commit_lock
        from mdnet.note import edit

        edited: list[bool] = []

        def change(note: str) -> str:
            before = note
            for key, value in changes.items():
                if value is not None:
                    note = edit.set_field(note, key, value)
                else:  # ``remove``: the line goes (followup none); else the key stays, emptied
                    note = edit.remove_field(note, key) if remove else edit.clear_field(note, key)
            edited.append(note != before)
            return note

        # A change that changes nothing (``snooze NAME none`` on a contact never snoozed) writes nothing
        # and commits nothing: a commit of the note would take whatever else the user had changed in it.
        unchanged = history.CommitOutcome(None, "nothing to change: the note already says so")
        outcome = history.CommitOutcome(None, "--no-commit was given")
        if commit:
            try:  # the write and its commit in one turn of mdnet's commit lock (see log)
                with commit_lock.commit_lock(self.session.root):
                    self.writer.rewrite(contact, change)
                    message = commit_text.message(subject, (), [("Contact", contact.name), trailer])
                    if edited[-1]:
                        outcome = history.commit_paths(self.session.root, [contact.path], message)
            except TimeoutError as exc:
                self.writer.rewrite(contact, change)
                outcome = history.CommitOutcome(None, str(exc.strerror or exc), failed=True)
        else:
            self.writer.rewrite(contact, change)
        if not edited[-1]:
            outcome = unchanged
        self.session.refresh([contact.path])
        return ChangeResult(contact.name, contact.path, changes, outcome.commit, outcome.reason,
                            commit_failed=outcome.failed, changed=edited[-1])  # fmt: skip

    def history(self, name: str | Contact, today: dt.date | str | None = None) -> list[Interaction]:
        """Every log entry of the contact, every past mention (SPEC 11) and every commit that touched its
        note, each once, newest first.

        A mention is past when it is on or before ``today``; without one, on or before the contact's
        effective last contact, which the index computed for the vault's day and which every mention on
        or before that day reaches (so no clock is read here).
        """
        from mdnet.git import timeline

        contact = self.queries.get(name)
        if today is not None:
            cut: dt.date | None = resolve_today(today)
        else:
            cut = contact.last_contact
        past = [m for m in contact.mentions if cut is not None and m.date <= cut]
        facts = self.git_facts() if past else None
        return timeline.merge(contact.log, self._git_history_of(contact.path), past, facts)

    def _git_history_of(self, path: str) -> list[GitCommit]:
        from mdnet.git import timeline

        try:
            return timeline.commits_of(self.session.root, self._cache_dir(), path)
        except OSError as exc:
            raise VaultError(f"cannot read the git history: {exc}") from None

    def git_facts(self) -> dict[str, GitFacts]:
        """Per note path: the last day a commit touched it (renames followed) and how many did."""
        from mdnet.git import timeline

        try:
            return timeline.load_facts(self.session.root, self._cache_dir())
        except OSError as exc:
            raise VaultError(f"cannot read the git history: {exc}") from None

    def _cache_dir(self) -> Path | None:

        self.session.indexed()  # makes .mdnet/ (and its .gitignore) when the vault is writable
        folder = self.session.root / INDEX_DIR
        try:  # no cache in a folder mdnet did not make (a link, or one holding links): git is read instead
            if not files.own_folder(folder):
                return None
        except OSError:
            return None
        return folder if os.access(folder, os.W_OK) else None
