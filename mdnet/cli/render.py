"""Human output: rich tables and plain lines built from values (no printing here).

Imported only on the human path, so ``--json`` never pays for rich.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from mdnet.core.model import BUCKETS, Contact, DueItem, Duration, OpenLoop, RefreshStats
from mdnet.core.wikilinks import link_label
from mdnet.core.wording import counted

BUCKET_TITLES = {
    "reply": "Immediate follow-up (you owe a reply)",
    "overdue": "Overdue",
    "today": "Due today",
    "upcoming": "Coming up",
}
_BUCKET_STYLES = {"reply": "bold magenta", "overdue": "bold red", "today": "bold yellow", "upcoming": "bold cyan"}


def _when(item: DueItem, today: dt.date) -> str:
    if item.due < today:
        return f"{item.due} ({item.days_overdue}d ago)"
    if item.due == today:
        return "today"
    return f"{item.due} (in {(item.due - today).days}d)"


def _ratio(item: DueItem) -> Text:
    """``2.3x`` of the cadence since the last contact; red when touch is being lost."""
    if item.cadence_ratio is None:
        return Text("")
    style = "bold red" if item.losing_touch else ("yellow" if item.cadence_ratio >= 1 else "")
    return Text(f"{item.cadence_ratio:.1f}x", style=style)


def due_table(items: Sequence[DueItem], today: dt.date, within: int) -> RenderableType:
    if not items:
        return Text(f"Nobody is due on {today} or in the next {within} days. A fine day to meet someone new.")
    parts: list[RenderableType] = [Text(f"Due list for {today} (next {within} days)", style="bold")]
    for bucket in BUCKETS:
        chosen = [i for i in items if i.bucket == bucket]
        if not chosen:
            continue
        table = Table(title=f"{BUCKET_TITLES[bucket]} - {len(chosen)}", title_style=_BUCKET_STYLES[bucket],
                      title_justify="left", expand=False)  # fmt: skip
        table.add_column("Name", no_wrap=True)
        table.add_column("Due", no_wrap=True)
        table.add_column("Why")
        table.add_column("Category")
        table.add_column("Cadence", justify="right")
        horizon = Duration(within, "d").add_to(today)  # clamped: the last days of 9999 are days too
        for item in chosen:
            why = "; ".join(f"{r.kind}: {r.detail}" for r in item.reasons if r.due <= horizon)
            table.add_row(item.name, _when(item, today), why, item.category or "", _ratio(item))
        parts.append(table)
    return Group(*parts)


def contacts_table(
    contacts: Sequence[Contact],
    dues: dict[str, dt.date | None],
    category: str | None = None,
    tag: str | None = None,
) -> RenderableType:
    if not contacts and (category is not None or tag is not None):
        # a filter that matches nobody: the vault is not empty, and `mdnet add` is no answer
        where = f" in the category {category!r}" if category is not None else ""
        has = f" has the tag {tag!r}" if tag is not None else ""
        return Text(f"No contact{where}{has}.")
    if not contacts:
        return Text('No contacts yet. Add one with: mdnet add "Jane Doe"')
    table = Table(title=counted(len(contacts), "contact"), title_justify="left")
    for column in ("Name", "Category", "Tags", "Cadence", "Last contact", "Next due"):
        table.add_column(column)
    for c in contacts:
        due = dues.get(c.path)
        cadence = str(c.fields.get("cadence") or "")
        table.add_row(c.name, c.category or "", ", ".join(c.tags), cadence,
                      str(c.last_contact or ""), str(due or ""))  # fmt: skip
    return table


def contact_card(contact: Contact, item: DueItem | None, today: dt.date) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Name", contact.name)
    table.add_row("File", contact.path)
    for key, value in contact.fields.items():
        if key == "name":
            continue
        table.add_row(key, _field_text(value))
    table.add_row("Last contact", _last_contact_text(contact))
    if item is None:
        table.add_row("Due", "not due in the window")
    else:
        table.add_row("Due", f"{_when(item, today)} - {_reasons_text(item)}")
    parts: list[RenderableType] = [table]
    recent = last_interactions(contact, today)
    if recent:
        parts.append(Text("\nLast interactions", style="bold"))
        parts.extend(Text(f"  {line}") for line in recent)
    if contact.open_loops:
        parts.append(Text("\nOpen loops", style="bold"))
        parts.extend(Text(f"  - {loop_text(loop)}") for loop in contact.open_loops)
    return Group(*parts)


def _last_contact_text(contact: Contact) -> str:
    """``2026-12-06 (daily/2026-12-06.md:3)`` when the date came from elsewhere than the contact's note."""
    if contact.last_contact is None:
        return "never"
    source = contact.last_contact_source
    return f"{contact.last_contact} ({source})" if source and source != contact.path else str(contact.last_contact)


def last_interactions(contact: Contact, today: dt.date, count: int = 5) -> list[str]:
    """The newest log entries and mentions on or before ``today``, one line each, newest first; a log entry
    before a mention of the same day."""
    dated: list[tuple[tuple[dt.date, str, int], str]] = []
    for entry in contact.log:
        kind = f"{entry.kind}: " if entry.kind else ""
        dated.append(((entry.date, entry.time or "", 1), f"{entry.date} {kind}{entry.text}"))
    for mention in contact.mentions:
        if mention.date <= today:
            dated.append(((mention.date, "", 0), f"{mention.date} {mention.text} ({mention.source})"))
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [line for _, line in dated[:count]]


def loop_text(loop: OpenLoop) -> str:
    """``send the deck (due 2026-12-01) - daily/2026-11-20.md:4``."""
    due = f" (due {loop.due})" if loop.due is not None else ""
    return f"{loop.text}{due} - {loop.path}:{loop.line}"


def _reasons_text(item: DueItem) -> str:
    """``cadence: every 30d; no contact yet``: a reason's own date only where it is not the item's.

    The card said ``today, today - cadence 2026-11-25: ...``: the bucket and each reason's date
    repeated the due date in front of it.
    """
    return "; ".join(f"{r.kind}: {r.detail}" if r.due == item.due else f"{r.kind} {r.due}: {r.detail}"
                     for r in item.reasons)  # fmt: skip


def _field_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_field_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_field_text(v)}" for k, v in value.items())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return link_label(str(value)) if isinstance(value, str) and "[[" in value else str(value)


SEARCH_CAP = 50
"""How many contacts a search gives at most (``Index.search``'s limit; a test keeps the two equal)."""


def search_table(results: Sequence[tuple[Contact, str]], query: str) -> RenderableType:
    if not results:
        return Text(f"No contact mentions {query!r}.")
    matches = "matches" if len(results) == 1 else "match"
    title = f"{counted(len(results), 'contact')} {matches} {query!r}"
    if len(results) >= SEARCH_CAP:  # the cap, not the count: "50 contacts match" read as all of them
        title = f"The first {len(results)} contacts that match {query!r} (there may be more: add a word to narrow it)"
    table = Table(title=title, title_justify="left")
    table.add_column("Name", no_wrap=True)
    table.add_column("File")
    table.add_column("Where")
    for contact, snippet in results:
        table.add_row(contact.name, contact.path, " ".join(snippet.split()))
    return table


def stats_line(stats: RefreshStats) -> str:
    verb = "rebuilt" if stats.rebuilt else "indexed"
    return (
        f"{verb}: {counted(stats.files, 'note')}, {counted(stats.contacts, 'contact')}; {stats.added} added, "
        f"{stats.updated} updated, {stats.removed} removed; {counted(stats.problems, 'problem')} in changed notes; "
        f"{stats.seconds * 1000:.0f} ms"
    )
