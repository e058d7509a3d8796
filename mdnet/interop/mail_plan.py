"""Planning ``mdnet mail scan``, pure: messages, contacts, the user's addresses and the
Message-IDs already handled in, a :class:`ContactUpdate` per contact out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mdnet.core.durations import parse_date
from mdnet.core.model import Contact
from mdnet.interop.mail_read import Message
from mdnet.note import edit


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
    # the contacts of record_only, each with its Message-IDs: a note that holds the scan's lines already and
    # differs from HEAD (an earlier scan whose commit failed) is committed with them, not left behind
    unchanged: tuple[ContactUpdate, ...] = ()


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
    unchanged: list[ContactUpdate] = []
    for path in sorted(buckets):
        update = _update_for(by_path[path], buckets[path], newest_sent.get(path))
        if update.changes_note:
            updates.append(update)
        else:
            record_only.extend(update.message_ids)
            unchanged.append(update)
    return ScanPlan(tuple(updates), tuple(dict.fromkeys(record_only)), tuple(warnings), len(messages), matched,
                    unknown, already, tuple(unchanged))  # fmt: skip


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
