"""LinkedIn connections as import records, and job changes as news (SPEC 13). Pure.

A job change is only seen on a re-import: the note already holds this ``linkedin:`` URL and
a company or a role, and the export says another company (compared without case,
punctuation and legal suffixes: ``Acme`` is ``Acme Corp, Inc.``) or another position at
the same one. A blank new value is no change: LinkedIn leaves the cells empty for people
who hide them. The edits: ``company``/``role`` in place, a line under ``## Career``, and
``news: "DATE changed jobs: now Role at New"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mdnet.core.folding import fold
from mdnet.core.wikilinks import link_label
from mdnet.interop.csv_import import linkedin_date
from mdnet.interop.import_merge import Incoming, profile_key, profile_url
from mdnet.interop.linkedin_read import Row, first_value
from mdnet.note import edit

CAREER_HEADING = "Career"
_LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp", "ltd", "limited", "plc",
    "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "asa", "aps", "pty", "pte",
    "kk", "kg", "se", "group", "holding", "holdings",
})  # fmt: skip


def connection_records(rows: Sequence[Row], display: str) -> list[Incoming]:
    """``Connections.csv`` rows as the records ``import csv`` makes, with the profile URL as ``linkedin``."""
    records = []
    for number, row in enumerate(rows, start=1):
        name = " ".join(f"{row.get('first name', '')} {row.get('last name', '')}".split())
        email = first_value(row, ("email address", "email"))
        url = profile_url(first_value(row, ("url", "profile url")))
        if not name:
            continue
        records.append(Incoming(
            name=name,
            emails=(email,) if "@" in email else (),
            company=row.get("company") or None,
            role=first_value(row, ("position", "title")) or None,
            linkedin=url or None,
            linkedin_connected=linkedin_date(row.get("connected on", "")),
            source=f"{display} row {number}",
        ))  # fmt: skip
    return records


def company_key(name: str) -> str:
    """A company's name for comparing: no link brackets, case, accents, punctuation or legal suffixes."""
    words = re.sub(r"[^\w\s]", " ", fold(link_label(name))).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class JobChange:
    """A person's move, as one import found it: old and new company and role (raw, as written)."""

    old_company: str
    old_role: str
    new_company: str
    new_role: str
    day: dt.date

    @property
    def career_line(self) -> str:
        old = _position(self.old_role, self.old_company)
        return f"- {self.day.isoformat()} {old} → {_position(self.new_role, self.new_company)} (LinkedIn)"

    @property
    def news(self) -> str:
        return f"{self.day.isoformat()} changed jobs: now {_position(self.new_role, self.new_company)}"

    def describe(self) -> str:
        return f"changed jobs: {self.career_line[13:]}"


def _position(role: str, company: str) -> str:
    company = link_label(company) if company else ""
    if role and company:
        return f"{role} at {company}"
    return role or company or "?"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def job_change(fields: dict[str, Any], record: Incoming, day: dt.date) -> JobChange | None:
    """The job change ``record`` says for a note with front matter ``fields``, or ``None``."""
    if not record.linkedin or profile_key(_text(fields.get("linkedin"))) != profile_key(record.linkedin):
        return None  # the first import that links the note makes no news
    old_company, old_role = _text(fields.get("company")), _text(fields.get("role"))
    if not old_company and not old_role:
        return None
    new_company = (record.company or "").strip() or old_company
    new_role = (record.role or "").strip() or old_role
    moved = company_key(new_company) != company_key(old_company) if old_company else False
    promoted = fold(new_role) != fold(old_role) if old_role else False
    if not moved and not promoted:
        return None
    if not moved:
        new_company = old_company  # the same company, however the export spells it: the note's spelling stays
    return JobChange(old_company, old_role, new_company, new_role, day)


def apply_job_change(text: str, change: JobChange) -> str:
    """The note with the change made: fields in place, a ``## Career`` line, ``news:``."""
    if company_key(change.new_company) != company_key(change.old_company):
        linked = change.old_company.startswith("[[") or not change.old_company
        company = f"[[{link_label(change.new_company)}]]" if linked else link_label(change.new_company)
        text = edit.set_field(text, "company", company)
    if change.new_role != change.old_role:
        text = edit.set_field(text, "role", change.new_role)
    text = edit.insert_log_entry(text, change.career_line, CAREER_HEADING)
    return edit.set_field(text, "news", change.news)
