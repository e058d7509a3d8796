"""``mdnet import linkedin EXPORT``: connections, messages and job changes from LinkedIn's export.

Three steps, everything read and planned before anything is written:

1. :mod:`mdnet.interop.linkedin_read` reads the zip or folder (a bad file is an error, nothing written);
   :func:`mdnet.interop.linkedin_plan.find_me` settles who you are, or stops the import;
2. ``Connections.csv`` is merged as ``import csv`` merges (:func:`mdnet.interop.import_merge.plan_import`,
   the ``linkedin:`` URL matched first), job changes found on the way (:mod:`mdnet.interop.linkedin_jobs`);
   the notes this step touches are committed together;
3. messages and invitations become log entries and replies owed
   (:func:`mdnet.interop.linkedin_plan.plan_interactions`), each contact's note committed by itself
   with a ``LinkedIn-Conversation:`` trailer per conversation day, as ``mail scan`` records Message-IDs:
   deleting ``.mdnet/`` loses nothing, and a re-import writes nothing new.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdnet.errors import ConfigError, MdnetError
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.interop.import_merge import Plan, apply_changes, plan_import
from mdnet.interop.importing import Outcome, carry_out
from mdnet.interop.linkedin_jobs import JobChange, apply_job_change, connection_records, job_change
from mdnet.interop.linkedin_plan import ContactUpdate, InteractionPlan, find_me, plan_interactions, read_messages
from mdnet.interop.linkedin_read import CONNECTIONS, INVITATIONS, MESSAGES, PROFILE, read_export
from mdnet.note import edit

if TYPE_CHECKING:
    from mdnet.vault.ports import ImportingVault

TRAILER = "LinkedIn-Conversation"
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True)
class LinkedInResult:
    outcomes: tuple[Outcome, ...]
    changes: tuple[tuple[str, JobChange], ...]  # (path, change)
    connections_commit: str | None
    plan: InteractionPlan
    written: tuple[tuple[ContactUpdate, str | None], ...]
    failed: tuple[tuple[ContactUpdate, str], ...]
    record_commit: str | None
    not_committed_because: str | None
    left_out: int
    commit_failed: bool = False  # git refused a commit (busy, a stale index.lock): the CLI exits 1, notes stay written

    def as_dict(self, dry_run: bool) -> dict[str, Any]:
        commits = {u.contact.path: c for u, c in self.written}
        plan = self.plan
        return {
            "dry_run": dry_run,
            "contacts": [o.as_dict() for o in self.outcomes],
            "job_changes": [{"path": p, "news": c.news, "career": c.career_line[2:]} for p, c in self.changes],
            "connections_commit": self.connections_commit,
            "messages": plan.messages, "conversations": plan.conversations, "matched": plan.matched,
            "already_handled": plan.already, "left_out": self.left_out,
            "unknown": [{"name": k, "days": v} for k, v in sorted(plan.unknown.items(), key=lambda kv: -kv[1])],
            "updates": [{"name": u.contact.name, "path": u.contact.path, "changes": u.describe(),
                         "commit": commits.get(u.contact.path)} for u in plan.updates],
            "failed": [{"path": u.contact.path, "error": error} for u, error in self.failed],
            "record_commit": self.record_commit,
        }  # fmt: skip


def my_linkedin(vault: ImportingVault) -> str:
    value = vault.config.extra.get("my_linkedin", "")
    if not isinstance(value, str):
        raise ConfigError("my_linkedin must be your profile URL, a string", path="mdnet.toml")
    return value


def import_linkedin(
    vault: ImportingVault,
    source: Path,
    *,
    today: dt.date,
    dry_run: bool = False,
    category: str | None = None,
    cadence: str | None = None,
    progress: Progress | None = None,
) -> LinkedInResult:
    export = read_export(source)
    messages, left_out = read_messages(export.rows(MESSAGES))
    me = find_me(my_linkedin(vault), messages, export.rows(PROFILE))
    connections = export.tables.get(CONNECTIONS)
    records = connection_records(connections.rows, connections.display) if connections else []
    outcomes, changes = _merge_connections(vault, records, today, dry_run, category, cadence)
    touched = [o.path for o in outcomes if o.path and o.action in ("create", "update")]
    connections_commit = reason = None
    if touched and not dry_run:
        vault.refresh(touched)
        outcome = history.commit_paths(vault.root, touched, _connections_message(outcomes, changes))
        connections_commit, reason = outcome.commit, outcome.reason
    busy = bool(touched) and not dry_run and outcome.failed
    handled = history.trailer_values(vault.root, TRAILER) or set()
    plan = plan_interactions(messages, export.rows(INVITATIONS), me, vault.contacts(), handled)
    written, failed, record_commit, reason2, busy2 = (
        ([], [], None, None, False) if dry_run else _write(vault, plan, progress, busy)
    )
    return LinkedInResult(tuple(outcomes), tuple(changes), connections_commit, plan, tuple(written), tuple(failed),
                          record_commit, reason or reason2, left_out, busy or busy2)  # fmt: skip


def _merge_connections(
    vault: ImportingVault, records: Sequence[Any], today: dt.date, dry_run: bool, category: str | None,
    cadence: str | None,
) -> tuple[list[Outcome], list[tuple[str, JobChange]]]:  # fmt: skip
    if not records:
        return [], []
    from mdnet.vault.writing import check_cadence

    check_cadence(cadence)
    outcomes: list[Outcome] = []
    changes: list[tuple[str, JobChange]] = []
    for plan in plan_import(vault.contacts(), records):
        change = None
        if plan.contact is not None and plan.matched_by == "linkedin":
            change = job_change(plan.contact.fields, plan.incoming, today)
        if change is None:
            outcomes.append(carry_out(vault, plan, dry_run, category, cadence, today))
            continue
        outcomes.append(_carry_out_change(vault, plan, change, dry_run))
        if outcomes[-1].action == "update":
            changes.append((plan.contact.path, change))  # type: ignore[union-attr]
    return outcomes, changes


def _carry_out_change(vault: ImportingVault, plan: Plan, change: JobChange, dry_run: bool) -> Outcome:
    contact = plan.contact
    assert contact is not None
    others = tuple(c for c in plan.changes if c.key not in ("company", "role"))
    details = (*(c.describe() for c in others), change.describe(), f"news: {change.news}")
    if not dry_run:
        try:
            vault.writer.rewrite(contact, lambda text: apply_job_change(apply_changes(text, others), change),
                                 planned=True)  # fmt: skip
        except MdnetError as exc:
            return Outcome("failed", contact.name, contact.path, (str(exc),), plan.incoming.source)
    return Outcome("update", contact.name, contact.path, details, plan.incoming.source)


def _connections_message(outcomes: Sequence[Outcome], changes: Sequence[tuple[str, JobChange]]) -> str:
    created = sum(1 for o in outcomes if o.action == "create")
    updated = sum(1 for o in outcomes if o.action == "update")
    title = f"LinkedIn import: {created} contacts created, {updated} updated"
    if changes:
        title += f", {len(changes)} changed jobs"
    body = [f"{path}: {change.describe()}" for path, change in changes]
    return commit_text.message(title, body)


def apply_update(text: str, update: ContactUpdate, log_heading: str) -> str:
    """The note with the update's log entries (oldest first, so each lands in order) and ``needs_reply``."""
    for _, entry in sorted(update.entries):
        text = edit.insert_log_entry(text, entry, log_heading)
    if update.needs_reply is not None:
        text = edit.set_field(text, "needs_reply", update.needs_reply.isoformat())
    return text


def commit_message(update: ContactUpdate) -> str:
    name = commit_text.flat(update.contact.name)
    if len(update.entries) == 1:
        title = f"Log LinkedIn message with {name}: {update.entries[0][1].split(': ', 1)[-1]}"
    elif update.entries:
        title = f"Log {len(update.entries)} LinkedIn days with {name}"
    else:
        title = f"Reply owed to {name} (LinkedIn message of {update.needs_reply})"
    trailers = [("Contact", name), ("Interaction", "linkedin")]
    if update.entries:
        trailers.append(("Interaction-Date", max(day for day, _ in update.entries).isoformat()))
    trailers.extend((TRAILER, key) for key in update.keys)
    return commit_text.message(title, update.describe(), trailers)


def _catch_up(
    root: Path, unchanged: Sequence[ContactUpdate], pending: set[str], done: list[tuple[ContactUpdate, str | None]]
) -> tuple[set[str], str | None, bool]:
    """Commit each note of ``unchanged`` (its lines there already) that differs from HEAD, with its keys (but
    ``pending``): an earlier import wrote it and its commit failed. Appends (update, commit) to ``done``;
    returns the keys recorded, why a commit failed, and whether git refused it (busy, a stale lock)."""
    dirty = set(history.changed_paths(root, [u.contact.path for u in unchanged]))
    recorded: set[str] = set()
    for update in unchanged:
        if update.contact.path not in dirty:
            continue
        keys = [k for k in update.keys if k not in pending]
        name = commit_text.flat(update.contact.name)
        body = [f"Also committed here, written earlier: {line}"
                for line in history.uncommitted_log_entries(root, update.contact.path)]  # fmt: skip
        message = commit_text.message(f"Update {name} from LinkedIn", body or ["the note's changes since its last "
                                      "commit"], [("Contact", name), *((TRAILER, k) for k in keys)])  # fmt: skip
        outcome = history.commit_paths(root, [update.contact.path], message)
        if outcome.unchanged:  # committed meanwhile: the record takes its keys
            continue
        done.append((update, outcome.commit))
        if outcome.commit is None:
            return recorded, outcome.reason, outcome.failed
        recorded.update(keys)
    return recorded, None, False


def _write(
    vault: ImportingVault, plan: InteractionPlan, progress: Progress | None, busy: bool
) -> tuple[list[tuple[ContactUpdate, str | None]], list[tuple[ContactUpdate, str]], str | None, str | None, bool]:
    """Write and commit each contact's note; ``busy``: a commit failed already (git busy or locked), so the
    notes are written and not committed (each would wait seconds for the same lock). The last value says
    whether a commit failed that way."""
    done: list[ContactUpdate] = []
    failed: list[tuple[ContactUpdate, str]] = []
    total = len(plan.updates)
    for number, update in enumerate(plan.updates, start=1):
        try:
            vault.writer.rewrite(update.contact, functools.partial(
                apply_update, update=update, log_heading=vault.config.log_heading), planned=True)  # fmt: skip
        except MdnetError as exc:
            failed.append((update, str(exc)))
        else:
            done.append(update)
        if progress is not None:
            progress(number, total * 2)
    # a conversation day of a contact whose note could not be written is recorded nowhere, not even in
    # another participant's commit (a group conversation): the next import handles it for that contact
    pending = {key for update, _ in failed for key in update.keys}
    written: list[tuple[ContactUpdate, str | None]] = []
    reason = record_commit = None
    for number, update in enumerate(done, start=1):
        if busy:  # git is busy or locked: the notes after it are not tried for seconds each; they stay written
            written.append((update, None))
        else:
            trailed = replace(update, keys=[k for k in update.keys if k not in pending])
            outcome = history.commit_paths(vault.root, [update.contact.path], commit_message(trailed))
            written.append((update, outcome.commit))
            reason = reason or (outcome.reason if outcome.commit is None else None)
            busy = outcome.failed
        if progress is not None:
            progress(total + number, total * 2)
    caught_up: set[str] = set()
    if plan.unchanged and not busy:
        caught_up, why, busy = _catch_up(vault.root, plan.unchanged, pending, written)
        reason = reason or why
    leftover = [key for key in plan.record_only if key not in pending and key not in caught_up]
    if leftover and reason is None and not busy:
        title = f"LinkedIn import: {len(leftover)} conversation days seen, no note changed"
        recorded = history.commit_record(vault.root, commit_text.message(title, (), [(TRAILER, k) for k in leftover]))
        record_commit, reason, busy = recorded.commit, recorded.reason, recorded.failed
    if written:
        vault.refresh([u.contact.path for u, _ in written])
    return written, failed, record_commit, reason, busy
