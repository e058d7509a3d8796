"""A one-page brief before a meeting: who they are, how we met, what to ask. Pure.

Built from the contact's fields, the note's body, its log, its due item and the
mutual contacts :mod:`mdnet.features.network` found. Nothing here reads files or the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mdnet.core.due import planned_done
from mdnet.core.model import Contact, DueItem, LogEntry, Mention, OpenLoop
from mdnet.core.wikilinks import link_label, links_to_attachment
from mdnet.note.contact import as_list

LAST_INTERACTIONS = 3
MAX_ASK = 6
_MET_FIELDS = ("how_we_met", "met", "met_at", "met_through", "source")
_MET_RE = re.compile(r"\b(met|meet|introduc\w*)\b", re.IGNORECASE)
_ASK_RE = re.compile(r"\bask (?:about|how|whether|if|for|them about|her about|him about)\s+([^;.!?]+)", re.IGNORECASE)
_TASK_RE = re.compile(r"^\s*[-*+]\s+\[ \]\s+(.+?)\s*$")
_HEADING_RE = re.compile(r"^\s*#")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


MAX_MUTUAL = 15
_VIA_RANK = ("introduced_by", "knows", "company", "worked at", "link")


@dataclass(frozen=True, slots=True)
class Mutual:
    """A contact connected to the person, ``via`` how (as ``mdnet path`` names it)."""

    name: str
    path: str
    via: str
    strength: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "via": self.via, "strength": self.strength}

    def rank(self) -> tuple[int, float, str]:
        kind = next((i for i, prefix in enumerate(_VIA_RANK) if self.via.startswith(prefix)), len(_VIA_RANK))
        return kind, -self.strength, self.name.casefold()


@dataclass(frozen=True, slots=True)
class Brief:
    name: str
    path: str
    role: str | None
    company: str | None
    category: str | None
    location: str | None
    how_we_met: str | None
    introduced_by: tuple[str, ...]
    about: str | None
    interests: tuple[str, ...]
    links: tuple[str, ...]
    last_contact: dt.date | None
    last_interactions: tuple[LogEntry | Mention, ...]
    open_follow_ups: tuple[str, ...]
    ask_about: tuple[str, ...]
    mutual: tuple[Mutual, ...]
    due: DueItem | None
    mutual_total: int = 0
    news: str | None = None  # the news: field (SPEC 13)
    status: str = "active"  # active, dormant or archived: the card says so when it is not active

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "role": self.role,
            "company": self.company,
            "category": self.category,
            "location": self.location,
            "how_we_met": self.how_we_met,
            "introduced_by": list(self.introduced_by),
            "about": self.about,
            "interests": list(self.interests),
            "links": list(self.links),
            "last_contact": None if self.last_contact is None else self.last_contact.isoformat(),
            "last_interactions": [_interaction_dict(e) for e in self.last_interactions],
            "open_follow_ups": list(self.open_follow_ups),
            "ask_about": list(self.ask_about),
            "mutual": [m.as_dict() for m in self.mutual],
            "mutual_total": self.mutual_total,
            "news": self.news,
            "status": self.status,
            "due": None if self.due is None else self.due.as_dict(),
        }


def _interaction_dict(item: LogEntry | Mention) -> dict[str, Any]:
    if isinstance(item, Mention):
        return {"date": item.date.isoformat(), "time": None, "kind": None, "text": item.text, "source": "mention",
                "path": item.path, "line": item.line}  # fmt: skip
    return {"date": item.date.isoformat(), "time": item.time, "kind": item.kind, "text": item.text, "source": "log"}


def build_brief(
    contact: Contact, body: str, mutual: Sequence[Mutual], due: DueItem | None, today: dt.date | None = None
) -> Brief:
    """The brief for ``contact`` whose note body is ``body``; ``today`` tells past mentions from planned ones
    (default: those on or before the effective last contact, which the index computed for the vault's day)."""
    fields = contact.fields
    recent = last_interactions(contact, today)
    paragraphs = _paragraphs(body)
    return Brief(
        name=contact.name,
        path=contact.path,
        role=_text(fields.get("role")),
        company=None if not contact.company else link_label(contact.company),
        category=contact.category,
        location=_text(fields.get("location")),
        how_we_met=_how_we_met(fields, paragraphs),
        introduced_by=tuple(link_label(x) for x in as_list(fields.get("introduced_by")) if not links_to_attachment(x)),
        about=paragraphs[0] if paragraphs else None,
        interests=contact.interests,
        links=tuple(str(x) for x in as_list(fields.get("links", fields.get("link")))),
        last_contact=contact.last_contact,
        last_interactions=recent,
        open_follow_ups=tuple(_open_follow_ups(contact, body)),
        ask_about=tuple(ask_about(contact)),
        mutual=tuple(sorted(mutual, key=Mutual.rank)[:MAX_MUTUAL]),
        due=due,
        mutual_total=len(mutual),
        news=contact.news,
        status=contact.status,
    )


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return ", ".join(link_label(str(v)) for v in value)
    return link_label(str(value))


def _paragraphs(body: str) -> list[str]:
    """Prose paragraphs of the body before its first ``##`` section, headings left out."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in body.splitlines():
        if line.startswith("## "):
            break
        if not line.strip() or _HEADING_RE.match(line):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return [_plain(p) for p in paragraphs if not p.startswith(("- ", "* ", "|", "```"))]


def _plain(text: str) -> str:
    """Wikilinks as the words they show."""
    return re.sub(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]", lambda m: m.group(2) or m.group(1), text)


def _how_we_met(fields: dict[str, Any], paragraphs: list[str]) -> str | None:
    for key in _MET_FIELDS:
        if key in fields and _text(fields[key]):
            return _text(fields[key])
    for paragraph in paragraphs:
        for sentence in _SENTENCE_RE.split(paragraph):
            if _MET_RE.search(sentence):
                return sentence.strip()
    connected = _text(fields.get("linkedin_connected"))  # written by a LinkedIn import: the one clue left
    return f"connected on LinkedIn on {connected}" if connected else None


def last_interactions(contact: Contact, today: dt.date | None) -> tuple[LogEntry | Mention, ...]:
    """The newest log entries and past mentions (SPEC 11), newest first; a log entry before a mention of
    the same day."""
    cut = today if today is not None else contact.last_contact
    dated: list[tuple[tuple[dt.date, str, int], LogEntry | Mention]] = [
        ((e.date, e.time or "", 1), e) for e in contact.log
    ]
    dated += [((m.date, "", 0), m) for m in contact.mentions if cut is not None and m.date <= cut]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(item for _, item in dated[:LAST_INTERACTIONS])


def loop_line(loop: OpenLoop, own_path: str) -> str:
    """An open loop as a follow-up: ``send the deck (due 2026-12-01; daily/2026-11-20.md:4)``."""
    where = [] if loop.due is None else [f"due {loop.due}"]
    if loop.path != own_path:
        where.append(f"{loop.path}:{loop.line}")
    return loop.text + (f" ({'; '.join(where)})" if where else "")


def _open_follow_ups(contact: Contact, body: str) -> list[str]:
    found: list[str] = []
    if contact.needs_reply:
        since = f" (since {contact.needs_reply_date})" if contact.needs_reply_date else ""
        found.append(f"you owe them a reply{since}")
    if contact.follow_up is not None:
        note = f": {contact.follow_up_note}" if contact.follow_up_note else ""
        found.append(f"follow up on {contact.follow_up}{note}")
    elif contact.follow_up_note:
        found.append(contact.follow_up_note)
    if contact.next_contact is not None and not planned_done(contact):
        found.append(f"planned next contact on {contact.next_contact}")
    if contact.news:
        found.append(f"news: {contact.news}")
    # the index's open loops (SPEC 11) hold the note's own tasks too; the body is read for those it
    # does not know (a contact read without the index)
    known = {_same_text(loop.text) for loop in contact.open_loops if loop.path == contact.path}
    found += [loop_line(loop, contact.path) for loop in contact.open_loops]
    for line in body.splitlines():
        match = _TASK_RE.match(line)
        if match and _same_text(_plain(match.group(1))) not in known:
            found.append(_plain(match.group(1)))
    return found


def _same_text(text: str) -> str:
    """Text compared as the index flattens it: words, no case, at most the first 100 characters."""
    return " ".join(text.split()).casefold()[:100]


def ask_about(contact: Contact) -> list[str]:
    """Topics worth raising: what the log says to ask, the follow-up note, then interests."""
    topics: list[str] = []
    newest_first = sorted(contact.log, key=lambda e: (e.date, e.time or ""), reverse=True)
    for entry in newest_first[:10]:
        for match in _ASK_RE.finditer(entry.text):
            topics.append(match.group(1).strip())
    if contact.follow_up_note:
        topics.append(contact.follow_up_note)
    topics.extend(contact.interests)
    unique: list[str] = []
    for topic in topics:
        if topic and topic.casefold() not in {t.casefold() for t in unique}:
            unique.append(topic)
    return unique[:MAX_ASK]
