"""``mdnet mail scan``: emails in a local Maildir or mbox become log entries and replies owed.

Three layers, a module each:

- :func:`mdnet.interop.mail_read.read_mailbox` reads the headers of every message;
- :func:`mdnet.interop.mail_plan.plan_scan` is pure: messages, contacts, the user's
  addresses and the Message-IDs already handled in, a ``ContactUpdate`` per contact out;
- :func:`scan`, here, writes each update through the same exact-edit, conditional path as
  ``Vault.log`` and commits each contact's note by itself, with one ``Message-ID:``
  trailer per message. Those trailers are the durable record of what was handled
  (docs/mail.md): deleting ``.mdnet/`` loses nothing, and a message is never
  handled twice.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mdnet.config import CONFIG_NAME, Config
from mdnet.core.durations import parse_when
from mdnet.core.wording import counted
from mdnet.errors import ConfigError, MdnetError, UsageError
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.interop.mail_plan import ContactUpdate, ScanPlan, plan_scan
from mdnet.interop.mail_read import ADDRESS_RE, Message, read_mailbox
from mdnet.note import edit

__all__ = ["Message", "ContactUpdate", "ScanPlan", "ScanResult", "plan_scan", "read_mailbox", "scan"]

if TYPE_CHECKING:
    from mdnet.vault.ports import NotesVault

TRAILER = "Message-ID"


# -- configuration ---------------------------------------------------------


def my_addresses(config: Config) -> frozenset[str]:
    """The user's own addresses, from ``my_emails = ["..."]`` (or its older name ``me``) in mdnet.toml
    (validated here)."""
    raw = config.extra.get("my_emails") or config.extra.get("me")
    if raw is None:
        raise UsageError(f'mail scan needs your own addresses: add me = ["you@example.com"] to {CONFIG_NAME}')
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise ConfigError('me must be a list of your email addresses, e.g. me = ["you@example.com"]', path=CONFIG_NAME)
    bad = [repr(v) for v in values if not isinstance(v, str) or not ADDRESS_RE.fullmatch(v.strip())]
    if bad:
        raise ConfigError(f"me: not an email address: {', '.join(bad)}", path=CONFIG_NAME)
    return frozenset(v.strip().casefold() for v in values)


def parse_since(text: str, today: dt.date) -> dt.date:
    """``--since``: a date, or a duration back from ``today`` (``30d``, ``3m``)."""
    try:
        return parse_when(text, today, back=True)
    except ValueError as exc:
        raise UsageError(f"bad --since: {exc}") from None


# -- writing ---------------------------------------------------------------


def apply_update(text: str, update: ContactUpdate, log_heading: str) -> str:
    """The note's text with the update's log entries and fields (line-level edits)."""
    for entry in reversed(update.entries):  # oldest first, so each lands in date order
        text = edit.insert_log_entry(text, entry, log_heading)
    if update.last_contact is not None:
        text = edit.set_field(text, "last_contact", update.last_contact.isoformat())
    if update.needs_reply is False:
        text = edit.set_field(text, "needs_reply", False)
    elif update.needs_reply is not None:
        text = edit.set_field(text, "needs_reply", update.needs_reply.isoformat())
    return text


def commit_message(update: ContactUpdate) -> str:
    """The commit of one contact's note: what changed, and a ``Message-ID:`` trailer per message handled.
    The name and the mail's subject are flattened to one line (commit_text): neither can add a trailer."""
    name = commit_text.flat(update.contact.name)
    if len(update.sent) == 1 and update.entries:
        title = f"Log email with {name}: {update.sent[0].subject or '(no subject)'}"
    elif update.entries:
        title = f"Log {len(update.entries)} emails with {name}"
    elif update.needs_reply not in (None, False):
        title = f"Reply owed to {name} (mail of {update.needs_reply})"
    else:
        title = f"Update {name} from mail"
    trailers = [("Contact", name), ("Interaction", "email")]
    if update.sent:
        trailers.append(("Interaction-Date", max(m.day for m in update.sent).isoformat()))
    trailers.extend((TRAILER, mid) for mid in update.message_ids)
    return commit_text.message(title, update.describe(), trailers)


def catch_up_message(update: ContactUpdate, earlier: Sequence[str]) -> str:
    """The commit of a note that holds this scan's lines already but differs from HEAD: written by an earlier
    scan whose commit failed (git busy, a stale index.lock). It commits the note as it is with the Message-IDs,
    named like the commit that failed, and lists the log lines it commits (``earlier``)."""
    name = commit_text.flat(update.contact.name)
    trailers = [("Contact", name)]
    if earlier and update.sent:
        title = (f"Log email with {name}: {update.sent[0].subject or '(no subject)'}" if len(update.sent) == 1
                 else f"Log {len(update.sent)} emails with {name}")  # fmt: skip
        trailers += [("Interaction", "email"), ("Interaction-Date", max(m.day for m in update.sent).isoformat())]
    else:
        title = f"Update {name} from mail"
    trailers.extend((TRAILER, mid) for mid in update.message_ids)
    body = [f"Also committed here, written earlier: {line}" for line in earlier]
    return commit_text.message(title, body or ["the note's changes since its last commit"], trailers)


def record_message(ids: Sequence[str]) -> str:
    title = f"Mail scan: {counted(len(ids), 'message')} seen, no note changed"
    return commit_text.message(title, (), [(TRAILER, mid) for mid in ids])


@dataclass(frozen=True, slots=True)
class ScanResult:
    plan: ScanPlan
    kind: str
    skipped: tuple[str, ...]
    written: tuple[tuple[ContactUpdate, str | None], ...]  # (update, commit)
    failed: tuple[tuple[ContactUpdate, str], ...]
    record_commit: str | None
    not_recorded_because: str | None
    # git refused a commit (busy past its retries, a stale index.lock): the CLI exits 1; the notes stay written
    commit_failed: bool = False
    # (update, commit) of each note that held its lines already and differed from HEAD: committed now
    caught_up: tuple[tuple[ContactUpdate, str | None], ...] = ()

    def as_dict(self, dry_run: bool) -> dict[str, Any]:
        plan = self.plan
        commits = {u.contact.path: c for u, c in self.written}
        return {
            "dry_run": dry_run,
            "mailbox": self.kind,
            "messages": plan.messages,
            "matched": plan.matched,
            "unknown": plan.unknown,
            "already_handled": plan.already,
            "skipped": list(self.skipped),
            "warnings": list(plan.warnings),
            "updates": [
                {"name": u.contact.name, "path": u.contact.path, "changes": u.describe(),
                 "message_ids": list(u.message_ids), "commit": commits.get(u.contact.path)}
                for u in plan.updates
            ],
            "failed": [{"path": u.contact.path, "error": error} for u, error in self.failed],
            "caught_up": [{"name": u.contact.name, "path": u.contact.path, "message_ids": list(u.message_ids),
                           "commit": c} for u, c in self.caught_up],
            "record_only": list(plan.record_only),
            "record_commit": self.record_commit,
        }  # fmt: skip


def scan(
    vault: NotesVault,
    paths: Path | Sequence[Path],
    *,
    dry_run: bool = False,
    since: dt.date | None = None,
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
) -> ScanResult:
    """Scan the mailboxes at ``paths`` together into ``vault`` (a :class:`mdnet.vault.ports.NotesVault`).

    Several mailboxes (an inbox and a sent folder) are read as one, so a reply in
    one answers a message in the other. Every mailbox is read before anything is
    written: a bad one is an error and changes nothing. ``progress`` is told (stage, done, total) as
    mailboxes are read, notes written and commits made.
    """

    def tell(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    me = my_addresses(vault.config)
    boxes = [paths] if isinstance(paths, Path) else list(paths)
    reads = []
    for number, box in enumerate(boxes, 1):
        tell("reading mailboxes", number - 1, len(boxes))
        reads.append(read_mailbox(box, today))
    tell("reading mailboxes", len(boxes), len(boxes))
    messages = [m for r in reads for m in r.messages]
    skipped = tuple(s for r in reads for s in r.skipped)
    kind = "+".join(dict.fromkeys(r.kind for r in reads))
    handled = history.trailer_values(vault.root, TRAILER) or set()
    contacts = vault.contacts()
    plan = plan_scan(messages, contacts, me, handled, since)
    written: list[tuple[ContactUpdate, str | None]] = []
    failed: list[tuple[ContactUpdate, str]] = []
    record_commit = None
    reason = None
    commit_failed = False
    caught_up: list[tuple[ContactUpdate, str | None]] = []
    if not dry_run:
        done: list[ContactUpdate] = []
        for number, update in enumerate(plan.updates, 1):
            tell("writing notes", number, len(plan.updates))
            try:
                vault.writer.rewrite(
                    update.contact,
                    functools.partial(apply_update, update=update, log_heading=vault.config.log_heading),
                    planned=True,
                )
            except MdnetError as exc:
                failed.append((update, str(exc)))
            else:
                done.append(update)
        # A message for a contact whose note could not be written is recorded nowhere, not even
        # in another contact's commit (mail to both): the next scan handles it for that contact
        # (and the other note's log line, already there, is not written twice)
        pending = {mid for update, _ in failed for mid in update.message_ids}
        for number, update in enumerate(done, 1):
            tell("committing", number, len(done))
            if commit_failed:  # git is busy or locked: the notes after it are not tried for seconds each
                written.append((update, None))
                continue
            trailed = replace(update, message_ids=tuple(m for m in update.message_ids if m not in pending))
            outcome = history.commit_paths(vault.root, [update.contact.path], commit_message(trailed))
            written.append((update, outcome.commit))
            if outcome.commit is None:
                reason = outcome.reason
                commit_failed = outcome.failed
        recorded_ids: set[str] = set()
        if plan.unchanged and not commit_failed:
            recorded_ids, why, commit_failed = _catch_up(vault.root, plan.unchanged, pending, caught_up)
            reason = reason or why
        leftover = [mid for mid in plan.record_only if mid not in pending and mid not in recorded_ids]
        if leftover and reason is None:
            recorded = history.commit_record(vault.root, record_message(leftover))
            record_commit, reason, commit_failed = recorded.commit, recorded.reason, recorded.failed
        if written or caught_up:
            vault.refresh([u.contact.path for u, _ in (*written, *caught_up)])
    return ScanResult(
        plan, kind, skipped, tuple(written), tuple(failed), record_commit, reason, commit_failed, tuple(caught_up)
    )


def _catch_up(
    root: Path, unchanged: Sequence[ContactUpdate], pending: set[str], done: list[tuple[ContactUpdate, str | None]]
) -> tuple[set[str], str | None, bool]:
    """Commit each note of ``unchanged`` (its lines already written) that differs from HEAD, with its
    Message-IDs (those of ``pending`` left out): an earlier scan wrote it and its commit failed, and a record
    with no file in it would leave the note uncommitted until some other command commits it. Appends
    (update, commit) to ``done``; returns the Message-IDs recorded, why a commit failed, and whether git
    refused it (busy, a stale lock: the notes after it are not tried)."""
    dirty = set(history.changed_paths(root, [u.contact.path for u in unchanged]))
    recorded: set[str] = set()
    for update in unchanged:
        if update.contact.path not in dirty:
            continue
        ids = tuple(m for m in update.message_ids if m not in pending)
        earlier = history.uncommitted_log_entries(root, update.contact.path)
        message = catch_up_message(replace(update, message_ids=ids), earlier)
        outcome = history.commit_paths(root, [update.contact.path], message)
        if outcome.unchanged:  # committed meanwhile: the record commit takes its Message-IDs
            continue
        done.append((update, outcome.commit))
        if outcome.commit is None:
            return recorded, outcome.reason, outcome.failed
        recorded.update(ids)
    return recorded, None, False
