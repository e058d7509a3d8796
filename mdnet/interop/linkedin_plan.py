"""Planning the interactions of a LinkedIn import, pure: messages and invitations, the contacts,
who you are and the keys already handled in; a :class:`ContactUpdate` per contact out.

- one ``linkedin:`` log entry per contact, conversation and local day: the day's first
  subject, else the start of its first message, on one line; its key ``CONVERSATION DAY``
  is the commit trailer that makes a re-import write nothing new;
- when a conversation's last message is theirs and new, ``needs_reply`` is set to its day,
  unless the note already owes a reply or an interaction with them on a later day exists;
- drafts are never logged, LinkedIn's own messages (no member profile) are skipped;
- an invitation with a message is an interaction on its day (key ``invitation URL DAY``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.errors import UsageError
from mdnet.interop.import_merge import profile_key, profile_url
from mdnet.interop.linkedin_read import Row, local_day, parse_utc, split_people
from mdnet.note import edit

KIND = "linkedin"
ENTRY_TEXT_LIMIT = 100
Person = tuple[str, str]  # name, profile URL (either may be empty)


@dataclass(frozen=True, slots=True)
class Message:
    conversation: str
    sender: Person
    recipients: tuple[Person, ...]
    when: dt.datetime
    subject: str
    content: str
    draft: bool

    @property
    def day(self) -> dt.date:
        return local_day(self.when)


def read_messages(rows: Sequence[Row]) -> tuple[list[Message], int]:
    """The messages of ``messages.csv`` rows, and how many rows were left out (LinkedIn's own, no date)."""
    found: list[Message] = []
    left_out = 0
    for row in rows:
        when = parse_utc(row.get("date", ""))
        sender = (row.get("from", ""), profile_url(row.get("sender profile url", "")))
        if when is None or not row.get("conversation id") or ("/in/" not in sender[1] and not sender[0]):
            left_out += 1
            continue
        if not sender[1] and sender[0].casefold().startswith("linkedin"):
            left_out += 1  # LinkedIn's guide, coach and role-play messages: no member wrote them
            continue
        draft = row.get("folder", "").strip().upper() in ("DRAFT", "DRAFTS") or row.get(
            "is message draft", ""
        ).strip().lower() in ("yes", "true")
        recipients = tuple(split_people(row.get("to", ""), row.get("recipient profile urls", "")))
        found.append(Message(row["conversation id"], sender, recipients, when, row.get("subject", ""),
                             row.get("content", ""), draft))  # fmt: skip
    return found, left_out


def find_me(configured: str, messages: Sequence[Message], profile: Sequence[Row]) -> str | None:
    """Your profile (a :func:`profile_key`), SPEC 13's order; ``None`` without messages; an error when
    nothing settles it."""
    if configured.strip():
        return profile_key(configured)
    if not messages:
        return None
    drafted = {profile_key(m.sender[1]) for m in messages if m.draft and m.sender[1]}
    if len(drafted) == 1:
        return drafted.pop()
    conversations: dict[str, set[str]] = {}
    for m in messages:
        keys = {profile_key(u) for _, u in (m.sender, *m.recipients) if u}
        conversations.setdefault(m.conversation, set()).update(keys)
    common = set.intersection(*conversations.values()) if conversations else set()
    if len(common) == 1:
        return common.pop()
    for row in profile[:1]:
        name = fold(" ".join(f"{row.get('first name', '')} {row.get('last name', '')}".split()))
        senders = {profile_key(m.sender[1]) for m in messages if m.sender[1] and fold(m.sender[0]) == name}
        if name and len(senders) == 1:
            return senders.pop()
    raise UsageError('cannot tell which LinkedIn profile is yours: add my_linkedin = '
                     '"https://www.linkedin.com/in/YOU" to mdnet.toml; nothing was imported')  # fmt: skip


class People:
    """The vault's contacts by LinkedIn profile (first) and by folded name, file stem or alias (unique only)."""

    def __init__(self, contacts: Sequence[Contact]) -> None:
        self.by_url: dict[str, Contact] = {}
        names: dict[str, list[Contact]] = {}
        for contact in contacts:
            url = contact.fields.get("linkedin")
            if isinstance(url, str) and profile_key(url):
                self.by_url.setdefault(profile_key(url), contact)
            for key in {fold(contact.name), fold(contact.stem), *(fold(a) for a in contact.aliases)}:
                names.setdefault(key, []).append(contact)
        self.by_name = {key: found[0] for key, found in names.items() if len(found) == 1}

    def find(self, person: Person) -> Contact | None:
        name, url = person
        if url:
            found = self.by_url.get(profile_key(url))
            if found is not None:
                return found
        return self.by_name.get(fold(name)) if name.strip() else None


@dataclass
class ContactUpdate:
    """What the import does to one contact's note through its interactions."""

    contact: Contact
    entries: list[tuple[dt.date, str]] = field(default_factory=list)  # (day, log line)
    keys: list[str] = field(default_factory=list)  # every conversation-day / invitation handled
    needs_reply: dt.date | None = None

    @property
    def changes_note(self) -> bool:
        return bool(self.entries) or self.needs_reply is not None

    def describe(self) -> list[str]:
        lines = [f"log {line[2:]}" for _, line in sorted(self.entries, reverse=True)]
        if self.needs_reply is not None:
            lines.append(f"needs_reply: {self.needs_reply.isoformat()}")
        return lines


@dataclass(frozen=True, slots=True)
class InteractionPlan:
    updates: tuple[ContactUpdate, ...]  # notes that change
    record_only: tuple[str, ...]  # keys handled that change no note (logged by hand before)
    messages: int
    conversations: int
    matched: int  # conversation-days and invitations with a contact
    already: int  # of those, handled by an earlier import
    unknown: dict[str, int]  # people who are no contact -> how many conversation-days
    # the contacts of record_only: a note holding the lines already that differs from HEAD (an earlier import
    # whose commit failed) is committed with its keys, not left behind by an empty record
    unchanged: tuple[ContactUpdate, ...] = ()


def _entry_text(day_messages: Sequence[Message]) -> str:
    subject = next((m.subject for m in day_messages if m.subject.strip()), "")
    text = " ".join((subject or next((m.content for m in day_messages if m.content.strip()), "")).split())
    if len(text) > ENTRY_TEXT_LIMIT:
        text = text[: ENTRY_TEXT_LIMIT - 1].rstrip() + "…"
    return text or "message"


def plan_interactions(
    messages: Sequence[Message],
    invitations: Sequence[Row],
    me: str | None,
    contacts: Sequence[Contact],
    handled: set[str],
) -> InteractionPlan:
    people = People(contacts)
    updates: dict[str, ContactUpdate] = {}
    unknown: dict[str, int] = {}
    matched = already = 0
    by_conversation: dict[str, list[Message]] = {}
    for message in sorted((m for m in messages if not m.draft), key=lambda m: (m.when, m.conversation)):
        by_conversation.setdefault(message.conversation, []).append(message)
    mine_to: dict[str, dt.date] = {}  # contact path -> the last day I wrote to them
    owed: dict[str, dt.date] = {}
    for conversation, thread in by_conversation.items():
        others: dict[str, Contact] = {}
        for m in thread:
            for person in (m.sender, *m.recipients):
                if person[1] and profile_key(person[1]) == me:
                    continue
                contact = people.find(person)
                if contact is not None:
                    others[contact.path] = contact
        days: dict[dt.date, list[Message]] = {}
        for m in thread:
            days.setdefault(m.day, []).append(m)
            if me is not None and m.sender[1] and profile_key(m.sender[1]) == me:
                for path in others:
                    mine_to[path] = max(mine_to.get(path, m.day), m.day)
        if not others:
            for person in {p for m in thread for p in (m.sender, *m.recipients)}:
                if not (person[1] and profile_key(person[1]) == me) and (person[0] or person[1]):
                    label = person[0] or person[1]
                    unknown[label] = unknown.get(label, 0) + len(days)
            continue
        for day, day_messages in days.items():
            key = f"{conversation} {day.isoformat()}"
            for path, contact in others.items():
                matched += 1
                if key in handled:
                    already += 1
                    continue
                update = updates.setdefault(path, ContactUpdate(contact))
                update.keys.append(key)
                text = _entry_text(day_messages)
                if not _logged(contact, day, text):
                    update.entries.append((day, edit.format_log_entry(day.isoformat(), text, KIND)))
        last = thread[-1]
        last_key = f"{conversation} {last.day.isoformat()}"
        theirs = people.find(last.sender) if not (last.sender[1] and profile_key(last.sender[1]) == me) else None
        if theirs is not None and theirs.path in others and last_key not in handled:
            owed[theirs.path] = min(owed.get(theirs.path, last.day), last.day)
    for row in invitations:
        _plan_invitation(row, me, people, handled, updates)
    for path, day in owed.items():
        update = updates[path]
        contact = update.contact
        later = max((d for d in (contact.last_contact, mine_to.get(path)) if d is not None), default=None)
        if not contact.needs_reply and (later is None or later <= day):
            update.needs_reply = day
    for update in updates.values():
        update.keys[:] = list(dict.fromkeys(update.keys))
    changing = tuple(u for _, u in sorted(updates.items()) if u.changes_note)
    record_only = tuple(dict.fromkeys(k for u in updates.values() if not u.changes_note for k in u.keys))
    unchanged = tuple(u for _, u in sorted(updates.items()) if not u.changes_note and u.keys)
    return InteractionPlan(changing, record_only, len(messages), len(by_conversation), matched, already,
                           {k: v for k, v in unknown.items() if v}, unchanged)  # fmt: skip


def _logged(contact: Contact, day: dt.date, text: str) -> bool:
    """Whether the note's log already has this entry (a vault without git, or written by hand)."""
    wanted = " ".join(text.split())
    return any(e.date == day and (e.kind or "").casefold() == KIND and " ".join(e.text.split()) == wanted
               for e in contact.log)  # fmt: skip


def _plan_invitation(
    row: Row, me: str | None, people: People, handled: set[str], updates: dict[str, ContactUpdate]
) -> None:
    message = " ".join(row.get("message", "").split())
    when = parse_utc(row.get("sent at", ""))
    if not message or when is None:
        return
    inviter = (row.get("from", ""), profile_url(row.get("inviterprofileurl", "")))
    invitee = (row.get("to", ""), profile_url(row.get("inviteeprofileurl", "")))
    direction = row.get("direction", "").strip().upper()
    outgoing = direction == "OUTGOING" or (not direction and bool(inviter[1]) and profile_key(inviter[1]) == me)
    other = invitee if outgoing else inviter
    contact = people.find(other)
    if contact is None:
        return
    day = local_day(when)
    key = f"invitation {profile_key(other[1]) or fold(other[0])} {day.isoformat()}"
    if key in handled:
        return
    text = message if len(message) <= ENTRY_TEXT_LIMIT else message[: ENTRY_TEXT_LIMIT - 1].rstrip() + "…"
    text = f"invitation: {text}"
    update = updates.setdefault(contact.path, ContactUpdate(contact))
    update.keys.append(key)
    if not _logged(contact, day, text):
        update.entries.append((day, edit.format_log_entry(day.isoformat(), text, KIND)))
