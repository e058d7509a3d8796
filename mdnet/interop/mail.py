"""``mdnet mail scan``: emails in a local Maildir or mbox become log entries and replies owed.

Three layers:

- :func:`read_mailbox` reads the headers of every message (the standard library's
  ``mailbox`` and ``email``); a file that is not an mbox, or a folder that is not
  a Maildir, is one clear error and nothing is written;
- :func:`plan_scan` is pure: messages, contacts, the user's addresses and the
  Message-IDs already handled in, a :class:`ContactUpdate` per contact out;
- :func:`scan` writes each update through the same exact-edit, conditional path as
  ``Vault.log`` and commits each contact's note by itself, with one ``Message-ID:``
  trailer per message. Those trailers are the durable record of what was handled
  (docs/mail.md): deleting ``.mdnet/`` loses nothing, and a message is never
  handled twice.
"""

from __future__ import annotations

import datetime as dt
import email.errors
import email.header
import email.message
import email.utils
import functools
import hashlib
import mailbox
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mdnet.config import CONFIG_NAME, Config
from mdnet.core.durations import parse_date, parse_when
from mdnet.core.model import Contact, Duration, printable_line
from mdnet.core.wording import counted
from mdnet.errors import ConfigError, MdnetError, SourceFileError, UsageError
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.note import edit

if TYPE_CHECKING:
    from mdnet.vault.ports import NotesVault

_ADDRESS_RE = re.compile(r"[^@\s<>]+@[^@\s<>]+")
TRAILER = "Message-ID"


@dataclass(frozen=True, slots=True)
class Message:
    """What mdnet needs of one email: addresses (lower case), local date-time, subject."""

    message_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    when: dt.datetime  # aware, in the local time zone
    subject: str
    automatic: bool = False  # a mailing list, an auto-reply, bulk mail

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc

    @property
    def day(self) -> dt.date:
        return self.when.date()


@dataclass(frozen=True, slots=True)
class MailboxRead:
    """The messages of a mailbox and the ones left out (with why)."""

    kind: Literal["maildir", "mbox"]
    messages: tuple[Message, ...]
    skipped: tuple[str, ...]


# -- configuration ---------------------------------------------------------


def my_addresses(config: Config) -> frozenset[str]:
    """The user's own addresses, from ``me = ["..."]`` in mdnet.toml (validated here)."""
    raw = config.extra.get("me")
    if raw is None:
        raise UsageError(f'mail scan needs your own addresses: add me = ["you@example.com"] to {CONFIG_NAME}')
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise ConfigError('me must be a list of your email addresses, e.g. me = ["you@example.com"]', path=CONFIG_NAME)
    bad = [repr(v) for v in values if not isinstance(v, str) or not _ADDRESS_RE.fullmatch(v.strip())]
    if bad:
        raise ConfigError(f"me: not an email address: {', '.join(bad)}", path=CONFIG_NAME)
    return frozenset(v.strip().casefold() for v in values)


def parse_since(text: str, today: dt.date) -> dt.date:
    """``--since``: a date, or a duration back from ``today`` (``30d``, ``3m``)."""
    try:
        return parse_when(text, today, back=True)
    except ValueError as exc:
        raise UsageError(f"bad --since: {exc}") from None


# -- reading ---------------------------------------------------------------


def read_mailbox(path: Path, today: dt.date) -> MailboxRead:
    """Every message's headers in the Maildir folder or mbox file ``path``.

    A message dated more than a day after ``today`` (a sender's clock years ahead) is
    left out: it would raise ``last_contact`` past today and hide the contact from
    the due list until then.
    """
    latest = Duration(1, "d").add_to(today)  # a clock minutes ahead at midnight; clamped at 9999-12-31
    if path.is_dir():
        if not any((path / sub).is_dir() for sub in ("cur", "new")):
            raise SourceFileError("not a Maildir (it has no cur/ or new/ folder) and not an mbox file", path=str(path))
        box: mailbox.Mailbox[Any] | _MaildirReader = _MaildirReader(path)
        kind: Literal["maildir", "mbox"] = "maildir"
    elif path.is_file():
        _check_mbox(path)
        box = mailbox.mbox(str(path), factory=None, create=False)
        kind = "mbox"
    else:
        raise SourceFileError("no such Maildir folder or mbox file", path=str(path))
    parser = BytesHeaderParser(policy=policy.compat32)  # the fast parser: mdnet reads a few headers
    messages: list[Message] = []
    skipped: list[str] = []
    try:
        keys = sorted(box.keys())
        for key in keys:
            where = f"{path.name}:{key}" if kind == "maildir" else f"{path.name} message {int(key) + 1}"
            try:
                data = box.get_bytes(key)
            except (KeyError, FileNotFoundError):  # a mail client or mbsync expunged it meanwhile
                skipped.append(f"{where}: vanished while the mailbox was read")
                continue
            try:
                parsed = parser.parsebytes(re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0] + b"\n\n")
                message = _message(parsed, data)
            except (ValueError, TypeError, IndexError, LookupError) as exc:
                skipped.append(f"{where}: unreadable headers ({exc})")
                continue
            if isinstance(message, str):
                skipped.append(f"{where}: {message}")
            elif message.day > latest:
                skipped.append(f"{where}: dated {message.day.isoformat()}, after today")
            else:
                messages.append(message)
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    finally:
        box.close()
    return MailboxRead(kind, tuple(messages), tuple(skipped))


class _MaildirReader:
    """The messages of a Maildir, read only: the files in ``new/`` and ``cur/``, either of which may be missing.

    (``mailbox.Maildir`` needs both, and ``tmp/``: an archive kept in git or a synced
    folder, which drop empty folders, has only ``cur/``.) A message is known by its
    unique name, without the ``:2,FLAGS`` suffix that a mail client changes when it
    marks the message read, so a message renamed meanwhile is found again.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._files: dict[str, Path] = {}

    def _list(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            folder = self._path / sub
            if folder.is_dir():
                for entry in os.scandir(folder):
                    if not entry.name.startswith(".") and entry.is_file():
                        files[re.split(r"[:!]", entry.name, maxsplit=1)[0]] = Path(entry.path)
        return files

    def keys(self) -> list[str]:
        self._files = self._list()
        return list(self._files)

    def get_bytes(self, key: str) -> bytes:
        """The message's bytes; :class:`KeyError` when it is gone (expunged meanwhile)."""
        try:
            return self._files[key].read_bytes()
        except FileNotFoundError:
            self._files = self._list()  # renamed (new/ to cur/, other flags) or deleted
            return self._files[key].read_bytes()

    def close(self) -> None:
        pass


def _check_mbox(path: Path) -> None:
    """An mbox starts with a ``From `` line; anything else is not one (nothing is guessed)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror}", path=str(path)) from None
    if head and not head.lstrip(b"\r\n").startswith(b"From "):
        raise SourceFileError("not an mbox file: it does not start with a 'From ' line", path=str(path), line=1)
    if b"\x00" in head:
        raise SourceFileError("not an mbox file: it holds binary data", path=str(path))


def _header_values(message: email.message.Message, name: str) -> list[str]:
    """A header's raw values as text; 8-bit bytes (raw UTF-8 in a header) are decoded as UTF-8."""
    values = []
    for value in message.get_all(name, []):
        text = str(value)
        if any("\udc80" <= c <= "\udcff" for c in text):
            text = text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
        values.append(text)
    return values


def _header(message: email.message.Message, name: str) -> str:
    values = _header_values(message, name)
    return values[0] if values else ""


def _addresses(message: email.message.Message, *names: str) -> tuple[str, ...]:
    values: list[str] = []
    for name in names:
        values.extend(_header_values(message, name))
    # a dict keeps the first-seen order and answers "seen?" at once: a list's ``in`` made a
    # message with 300,000 recipients take minutes
    found: dict[str, None] = {}
    for _, address in email.utils.getaddresses(values):
        address = address.strip().casefold()
        if address not in found and _ADDRESS_RE.fullmatch(address):
            found[address] = None
    return tuple(found)


def _decoded(raw: str) -> str:
    """An RFC 2047 header (``=?utf-8?q?Ren=C3=A9?=``) as text, on one printable line (no NUL, no escapes)."""
    try:
        text = str(email.header.make_header(email.header.decode_header(raw)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        text = raw
    return printable_line(text)


def _message(parsed: email.message.Message, data: bytes) -> Message | str:
    senders = _addresses(parsed, "From")
    if not senders:
        return "no From: address"
    date_header = _header(parsed, "Date")
    try:
        when = email.utils.parsedate_to_datetime(date_header) if date_header.strip() else None
        if when is not None and when.tzinfo is None:  # "-0000": the time is UTC, the zone unknown
            when = when.replace(tzinfo=dt.UTC)
        when = when.astimezone() if when is not None else None  # the local day is the one logged
    except (ValueError, TypeError, IndexError, OverflowError):  # OverflowError: a year past 9999 here
        when = None
    if when is None:
        return "no usable Date: header"
    subject = _decoded(_header(parsed, "Subject"))
    match = re.search(r"<[^<>\s]+>", _header(parsed, "Message-ID"))
    if match:
        message_id = match.group(0)
    else:
        digest = hashlib.sha1(re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0]).hexdigest()[:24]
        message_id = f"<{digest}@mdnet.invalid>"
    automatic = bool(
        _header(parsed, "List-Id")
        or (_header(parsed, "Auto-Submitted").strip().lower() or "no") != "no"
        or _header(parsed, "Precedence").strip().lower() in ("bulk", "list", "junk")
    )
    return Message(
        message_id=message_id,
        sender=senders[0],
        to=_addresses(parsed, "To"),
        cc=_addresses(parsed, "Cc", "Bcc"),
        delivered_to=_addresses(parsed, "Delivered-To", "X-Original-To"),
        when=when,
        subject=subject,
        automatic=automatic,
    )


# -- planning (pure) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactUpdate:
    """What one scan does to one contact's note."""

    contact: Contact
    entries: tuple[str, ...] = ()  # log lines to add, newest first
    last_contact: dt.date | None = None  # raise to this
    needs_reply: dt.date | Literal[False] | None = None  # set to a date, clear (False), or leave (None)
    message_ids: tuple[str, ...] = ()  # every message handled for this contact
    sent: tuple[Message, ...] = ()

    @property
    def changes_note(self) -> bool:
        return bool(self.entries) or self.last_contact is not None or self.needs_reply is not None

    def describe(self) -> list[str]:
        lines = [f"log {entry[2:]}" for entry in self.entries]
        if self.last_contact is not None:
            lines.append(f"last_contact: {self.last_contact.isoformat()}")
        if self.needs_reply is False:
            lines.append("needs_reply: false")
        elif self.needs_reply is not None:
            lines.append(f"needs_reply: {self.needs_reply.isoformat()}")
        return lines


@dataclass(frozen=True, slots=True)
class ScanPlan:
    updates: tuple[ContactUpdate, ...]
    record_only: tuple[str, ...]  # handled Message-IDs whose contacts' notes do not change
    warnings: tuple[str, ...]
    messages: int = 0
    matched: int = 0
    unknown: int = 0
    already: int = 0


@dataclass
class _Bucket:
    sent: list[Message] = field(default_factory=list)
    received: list[Message] = field(default_factory=list)
    fyi: list[Message] = field(default_factory=list)


def plan_scan(
    messages: Sequence[Message],
    contacts: Sequence[Contact],
    me: Iterable[str],
    handled: set[str],
    since: dt.date | None = None,
) -> ScanPlan:
    """The changes a scan makes; ``handled`` holds the Message-IDs already recorded."""
    mine = {m.casefold() for m in me}
    owners: dict[str, list[Contact]] = {}
    for contact in contacts:
        for address in {e.strip().casefold() for e in contact.emails}:
            owners.setdefault(address, []).append(contact)
    warnings = [
        f"{address} belongs to several contacts ({', '.join(c.path for c in found)}); its mail is left alone"
        for address, found in sorted(owners.items())
        if len(found) > 1
    ]
    owner = {address: found[0] for address, found in owners.items() if len(found) == 1 and address not in mine}

    ordered = sorted(messages, key=lambda m: (m.when, m.message_id))
    # every message of the mailbox tells whether a reply was sent, whatever --since says
    newest_sent: dict[str, dt.datetime] = {}
    for message in ordered:
        if message.sender in mine:
            for address in message.recipients:
                if address in owner:
                    newest_sent[owner[address].path] = message.when
    buckets: dict[str, _Bucket] = {}
    matched = unknown = already = 0
    seen: set[str] = set()
    for message in ordered:
        if message.message_id in seen:
            continue  # the same message twice in the mailbox (a copy in Sent and in a folder)
        seen.add(message.message_id)
        outbound = message.sender in mine
        people = (
            {owner[a].path: owner[a] for a in message.recipients if a in owner}
            if outbound
            else ({owner[message.sender].path: owner[message.sender]} if message.sender in owner else {})
        )
        if not people:
            unknown += 1
            continue
        matched += 1
        if message.message_id in handled:
            already += 1
            continue
        if since is not None and message.day < since:
            continue
        for path in people:
            bucket = buckets.setdefault(path, _Bucket())
            if outbound:
                bucket.sent.append(message)
            elif not message.automatic and (
                mine & set(message.to) or (not mine & set(message.cc) and mine & set(message.delivered_to))
            ):
                bucket.received.append(message)
            else:
                bucket.fyi.append(message)  # a copy (Cc), a list or an auto-reply: seen, nothing owed
    by_path = {c.path: c for c in contacts}
    updates: list[ContactUpdate] = []
    record_only: list[str] = []
    for path in sorted(buckets):
        update = _update_for(by_path[path], buckets[path], newest_sent.get(path))
        if update.changes_note:
            updates.append(update)
        else:
            record_only.extend(update.message_ids)
    return ScanPlan(tuple(updates), tuple(dict.fromkeys(record_only)), tuple(warnings), len(messages), matched,
                    unknown, already)  # fmt: skip


def _update_for(contact: Contact, bucket: _Bucket, newest_sent: dt.datetime | None) -> ContactUpdate:
    existing = {(e.date, (e.kind or "").casefold(), " ".join(e.text.split())) for e in contact.log}
    entries: list[str] = []
    for message in bucket.sent:
        text = message.subject or "(no subject)"
        if (message.day, "email", " ".join(text.split())) in existing:
            continue  # logged before (by hand, or by a scan in a vault without git)
        entries.append(edit.format_log_entry(message.day.isoformat(), text, "email"))
    entries.reverse()  # newest first, as the log is written
    recorded_last = _field_date(contact.fields.get("last_contact"))
    last_contact = None
    if bucket.sent:
        newest_day = max(m.day for m in bucket.sent)
        if recorded_last is None or newest_day > recorded_last:
            last_contact = newest_day
    # a reply is owed for a message to me with nothing from me after it (an email, or a
    # contact logged on a later day)
    effective_last = contact.last_contact
    unanswered = [
        m
        for m in bucket.received
        if (newest_sent is None or m.when > newest_sent) and (effective_last is None or effective_last <= m.day)
    ]
    needs_reply: dt.date | Literal[False] | None = None
    if contact.needs_reply:
        # needs_reply: true names no day: it was owed at the latest since the last contact
        # (a mail sent before that cannot have answered it)
        owed_since = contact.needs_reply_date or effective_last
        answered = bucket.sent and (owed_since is None or max(m.day for m in bucket.sent) >= owed_since)
        if answered and not unanswered:
            needs_reply = False
    elif unanswered:
        needs_reply = min(m.day for m in unanswered)
    ids = tuple(dict.fromkeys(m.message_id for m in [*bucket.sent, *bucket.received, *bucket.fyi]))
    return ContactUpdate(contact, tuple(entries), last_contact, needs_reply, ids, tuple(bucket.sent))


def _field_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(str(value))
    except ValueError:
        return None


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
) -> ScanResult:
    """Scan the mailboxes at ``paths`` together into ``vault`` (a :class:`mdnet.vault.ports.NotesVault`).

    Several mailboxes (an inbox and a sent folder) are read as one, so a reply in
    one answers a message in the other. Every mailbox is read before anything is
    written: a bad one is an error and changes nothing.
    """
    me = my_addresses(vault.config)
    reads = [read_mailbox(p, today) for p in ([paths] if isinstance(paths, Path) else paths)]
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
    if not dry_run:
        done: list[ContactUpdate] = []
        for update in plan.updates:
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
        for update in done:
            trailed = replace(update, message_ids=tuple(m for m in update.message_ids if m not in pending))
            outcome = history.commit_paths(vault.root, [update.contact.path], commit_message(trailed))
            written.append((update, outcome.commit))
            if outcome.commit is None:
                reason = outcome.reason
        leftover = [mid for mid in plan.record_only if mid not in pending]
        if leftover and reason is None:
            recorded = history.commit_record(vault.root, record_message(leftover))
            record_commit, reason = recorded.commit, recorded.reason
        if written:
            vault.refresh([u.contact.path for u, _ in written])
    return ScanResult(plan, kind, skipped, tuple(written), tuple(failed), record_commit, reason)
