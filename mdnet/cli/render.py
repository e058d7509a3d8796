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

from mdnet.cli.render_table import Cell, Column, PlainTable, align, text_width
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
    due = item.due
    if item.bucket == "reply":  # the reply's date, not an older reason's (a cadence missed 825 days ago)
        due = min((r.due for r in item.reasons if r.kind == "reply"), default=due)
    if due < today:
        return f"{due} ({(today - due).days}d ago)"
    if due == today:
        return "today"
    return f"{due} (in {(due - today).days}d)"


def _ratio(item: DueItem) -> tuple[str, str]:
    """``2.3x`` of the cadence since the last contact, and its style: red when touch is being lost."""
    if item.cadence_ratio is None:
        return ("", "")
    style = "bold red" if item.losing_touch else ("yellow" if item.cadence_ratio >= 1 else "")
    return (f"{item.cadence_ratio:.1f}x", style)


def reason_text(kind: str, detail: str) -> str:
    """A reason as people read it: ``kind: detail``, without the kind when the detail starts or ends with it
    (``planned next contact``, ``follow up: send the deck``, ``birthday Dec 8``, ``reply owed since ...``,
    ``you owe them a reply``)."""
    spoken = kind.replace("_", " ").casefold()
    said = detail.casefold()
    return detail if said.startswith(spoken) or said.endswith(" " + spoken) else f"{kind}: {detail}"


# A table's frame: a border before each column and one at the end, and one space of padding either side.
_PER_COLUMN = 3
_FLEXIBLE_MIN = 20  # the narrowest a wrapped column (the reason, the tags) is made before a column is dropped


def _fits(width: int, fixed: Sequence[int], flexible: int) -> bool:
    return sum(fixed) + flexible + _PER_COLUMN * (len(fixed) + (1 if flexible else 0)) + 1 <= width


def _cell_width(header: str, cells: Sequence[str]) -> int:
    """What a column never cut needs: its widest cell, and the longest word of its header (which may wrap)."""
    return max([text_width(word) for word in header.split()] + [text_width(cell) for cell in cells])


def _chosen(width: int, fixed: dict[str, int], drop_order: Sequence[str], flexible_min: int) -> list[str]:
    """The columns of ``fixed`` kept: the least useful (first in ``drop_order``) dropped while the rest
    and a flexible column of ``flexible_min`` would not fit in ``width``."""
    kept = list(fixed)
    for column in drop_order:
        if _fits(width, [fixed[c] for c in kept], flexible_min):
            break
        kept.remove(column)
    return kept


def _console_width() -> int:
    from rich.console import Console

    return Console().width


def due_table(
    items: Sequence[DueItem],
    today: dt.date,
    within: int,
    width: int | None = None,
    totals: dict[str, int] | None = None,
) -> RenderableType:
    """The due list, a table per bucket. Names and dates are never cut: the reason wraps, and on a
    narrow terminal the category, then the cadence ratio, are left out (of every bucket's table: the
    columns are chosen once for the listing, and given the same widths in every bucket). ``totals``: each bucket's size
    when ``items`` are the first of a longer list (the heading says ``Overdue - 10 of 300``)."""
    if not items:
        return Text(f"Nobody is due on {today} or in the next {within} days. A fine day to meet someone new.")
    width = width or _console_width()
    parts: list[RenderableType] = [Text(f"Due list for {today} (next {within} days)", style="bold")]
    horizon = Duration(within, "d").add_to(today)  # clamped: the last days of 9999 are days too
    buckets: dict[str, list[tuple[str, str, str, str, tuple[str, str]]]] = {}
    for item in items:
        why = "; ".join(reason_text(r.kind, r.detail) for r in item.reasons if r.due <= horizon)
        buckets.setdefault(item.bucket, []).append((item.name, _when(item, today), why, item.category or "",
                                                    _ratio(item)))  # fmt: skip
    # the columns are chosen once for the whole listing: every bucket's table has the same ones
    every = [row for rows in buckets.values() for row in rows]
    fixed = {
        "Name": _cell_width("Name", [r[0] for r in every]),
        "Due": _cell_width("Due", [r[1] for r in every]),
        "Category": _cell_width("Category", [r[3] for r in every]),
        "Cadence": _cell_width("Cadence", [r[4][0] for r in every]),
    }
    kept = _chosen(width, fixed, ("Category", "Cadence"), _FLEXIBLE_MIN)
    columns = [Column("Name"), Column("Due"), Column("Why", wrap=True)]
    columns += [Column("Category")] if "Category" in kept else []
    columns += [Column("Cadence", right=True)] if "Cadence" in kept else []
    tables: list[PlainTable] = []
    for bucket in BUCKETS:
        rows = buckets.get(bucket)
        if not rows:
            continue
        cells: list[list[Cell]] = []
        for name, when, why, category, ratio in rows:
            row: list[Cell] = [name, when, why]
            if "Category" in kept:
                row.append(category)
            if "Cadence" in kept:
                row.append(ratio)
            cells.append(row)
        total = (totals or {}).get(bucket, len(rows))
        count = f"{len(rows):,} of {total:,}" if total > len(rows) else f"{len(rows):,}"
        tables.append(PlainTable(columns, cells, title=f"{BUCKET_TITLES[bucket]} - {count}",
                                 title_style=_BUCKET_STYLES[bucket]))  # fmt: skip
    align(tables)  # and the same widths: the buckets' tables one above the other, alike
    return Group(*parts, *tables)


def bucket_sizes(items: Sequence[DueItem]) -> dict[str, int]:
    """How many items each bucket holds (the headings of a due list cut to a screenful)."""
    sizes: dict[str, int] = {}
    for item in items:
        sizes[item.bucket] = sizes.get(item.bucket, 0) + 1
    return sizes


def contacts_table(
    contacts: Sequence[Contact],
    dues: dict[str, dt.date | None],
    category: str | None = None,
    tag: str | None = None,
    width: int | None = None,
    total: int | None = None,
) -> RenderableType:
    """``total``: how many contacts there are when ``contacts`` are the first of them (``10 of 5,000 contacts``)."""
    if not contacts and (category is not None or tag is not None):
        # a filter that matches nobody: the vault is not empty, and `mdnet add` is no answer
        where = f" in the category {category!r}" if category is not None else ""
        has = f" has the tag {tag!r}" if tag is not None else ""
        return Text(f"No contact{where}{has}.")
    if not contacts:
        return Text('No contacts yet. Add one with: mdnet add "Jane Doe"')
    rows = [(c.name, c.category or "", ", ".join(c.tags), str(c.fields.get("cadence") or ""),
             str(c.last_contact or ""), str(dues.get(c.path) or "")) for c in contacts]  # fmt: skip
    headers = ("Name", "Category", "Tags", "Cadence", "Last contact", "Next due")
    fixed = {h: _cell_width(h, [r[i] for r in rows]) for i, h in enumerate(headers) if h != "Tags"}
    # names and dates are never cut; the tags wrap; the cadence, then the category, go on a narrow terminal
    width = width or _console_width()
    kept = _chosen(width, fixed, ("Cadence", "Category"), min(_FLEXIBLE_MIN, 12))
    # and the tags last, when the names and dates leave them no room: squeezed to a cell or two, one row
    # would take a screenful of one-letter lines
    tags = _fits(width, [fixed[c] for c in kept], min(_FLEXIBLE_MIN, 12))
    chosen = [i for i, h in enumerate(headers) if (h == "Tags" and tags) or h in kept]
    whole = total if total is not None and total > len(contacts) else len(contacts)
    title = f"{whole:,} {'contact' if whole == 1 else 'contacts'}"  # 5,000: a count read at a glance
    if whole > len(contacts):
        title = f"{len(contacts):,} of {title}"
    # the tags wrap between tags ("consulting," kept whole), never inside one that fits the column
    return PlainTable([Column(headers[i], wrap=headers[i] == "Tags", separator=", " if headers[i] == "Tags" else None)
                       for i in chosen],
                      [[row[i] for i in chosen] for row in rows], title=title)  # fmt: skip


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
    if item is None and contact.status == "archived":
        table.add_row("Due", "never: archived")
    elif item is None and contact.snooze_until is not None and contact.snooze_until > today:
        table.add_row("Due", f"snoozed until {contact.snooze_until}")
    elif item is None:
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
    return "; ".join(reason_text(r.kind, r.detail) if r.due == item.due else f"{r.kind} {r.due}: {r.detail}"
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
