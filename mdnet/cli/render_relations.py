"""Human output for brief, path, who, stats and draft: rich renderables built from values."""

from __future__ import annotations

import datetime as dt

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mdnet.cli.render_table import Cell, Column, PlainTable
from mdnet.core.model import Mention
from mdnet.core.wording import counted
from mdnet.features.brief import Brief
from mdnet.features.network import PathResult, WhoResult
from mdnet.features.stats import Stats


def _strength(value: float) -> Text:
    return Text(*_tie(value))


def _tie(value: float) -> tuple[str, str]:
    """A tie's strength as a bar and a number, and its colour."""
    filled = round(value * 10)
    style = "green" if value >= 0.5 else ("yellow" if value >= 0.2 else "red")
    return ("█" * filled + "░" * (10 - filled) + f" {value:.2f}", style)


def brief_card(brief: Brief, today: dt.date) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    headline = ", ".join(x for x in (brief.role, brief.company) if x) or "-"
    grid.add_row("Who", headline)
    if brief.status != "active":  # an archived contact is never due: say why before anything else
        grid.add_row("Status", brief.status)
    for label, value in (("Category", brief.category), ("Location", brief.location),
                         ("How we met", brief.how_we_met)):  # fmt: skip
        if value:
            grid.add_row(label, value)
    if brief.introduced_by:
        grid.add_row("Introduced by", ", ".join(brief.introduced_by))
    if brief.interests:
        grid.add_row("Interests", ", ".join(brief.interests))
    for link in brief.links:
        grid.add_row("Link", link)
    last = "never" if brief.last_contact is None else f"{brief.last_contact} ({_ago(today, brief.last_contact)})"
    grid.add_row("Last contact", last)
    if brief.due is not None:
        grid.add_row("Due", f"{brief.due.bucket} {brief.due.due}: " + "; ".join(r.detail for r in brief.due.reasons))
    parts: list[RenderableType] = [grid]
    about = brief.about
    if about and brief.how_we_met and brief.how_we_met in about:  # that sentence is on the card already
        about = " ".join(about.replace(brief.how_we_met, "", 1).split())
    if about:
        parts += [Text("\nAbout", style="bold"), Text(about)]
    if brief.last_interactions:
        parts.append(Text("\nLast interactions", style="bold"))
        for entry in brief.last_interactions:
            if isinstance(entry, Mention):
                parts.append(_indented(f"{entry.date} {entry.text} ({entry.source})"))
                continue
            kind = f"{entry.kind}: " if entry.kind else ""
            parts.append(_indented(f"{entry.date} {kind}{entry.text}"))
    if brief.open_follow_ups:
        parts.append(Text("\nOpen follow-ups", style="bold"))
        parts.extend(_indented(f"- {item}") for item in brief.open_follow_ups)
    if brief.ask_about:
        parts.append(Text("\nAsk about", style="bold"))
        parts.extend(_indented(f"- {item}") for item in brief.ask_about)
    if brief.mutual:
        more = brief.mutual_total - len(brief.mutual)
        parts.append(Text("\nMutual contacts" + (f" (the {len(brief.mutual)} closest of {brief.mutual_total})"
                                                   if more > 0 else ""), style="bold"))  # fmt: skip
        parts.extend(Text(f"  - {m.name} ({m.via})") for m in brief.mutual)
    return Panel(Group(*parts), title=Text(brief.name, style="bold"), subtitle=Text(brief.path), expand=False)


def _indented(text: str) -> RenderableType:
    """An item two spaces in, every wrapped line too (not only the first)."""
    return Padding(Text(text), (0, 0, 0, 2))


def _ago(today: dt.date, day: dt.date) -> str:
    """``23d ago``, ``today``, or ``in 1d`` (a log may be dated a day ahead, another time zone's today)."""
    days = (today - day).days
    return "today" if days == 0 else f"{days}d ago" if days > 0 else f"in {-days}d"


def path_table(result: PathResult, via: str | None = None, company: bool = False) -> RenderableType:
    """The paths; without any, a hint that fits the question (``via``: the contact's name)."""
    if not result.paths:
        if via is not None:
            return Text(f"No path to {'anyone at ' if company else ''}{result.target} through {via}. "
                        "Leave out --via to see every path.")  # fmt: skip
        if company:
            return Text(f"No path to anyone at {result.target} through your notes yet: no contact works or "
                        "worked there, or knows someone who does (company:, employers:, knows:).")  # fmt: skip
        return Text(f"No path to {result.target} through your notes yet. Who might know them? "
                    "Add them to a contact's knows: list.")  # fmt: skip
    table = Table(title=f"Paths to {result.target}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Path")
    table.add_column("Strength", no_wrap=True)
    for number, route in enumerate(result.paths, 1):
        text = Text("you")
        for hop in route.hops:
            text.append(" → ")
            if hop.via != "contact":
                text.append(f"({hop.via}) ", style="dim")
            text.append(hop.name, style="bold" if hop.path else "italic")
        table.add_row(str(number), text, _strength(route.score))
    return table


def who_tables(result: WhoResult) -> RenderableType:
    tag = f"#{result.query.lstrip('#')}" if result.kind == "tag" else None
    if not result.direct and not result.one_hop:
        where = f"tagged {tag}" if tag else f"at {result.query}"
        return Text(f"You know nobody {where} yet, directly or one hop away.")
    parts: list[RenderableType] = []  # plain-line tables (mdnet/cli/render_table.py): a tag may hold thousands
    if result.direct:
        title = f"You know, tagged {tag}" if tag else f"You know at {result.query} ({result.kind})"
        rows: list[list[Cell]] = [[e.name, e.relation, _tie(e.strength)] for e in result.direct]
        parts.append(PlainTable([Column("Name"), Column("Relation", wrap=True), Column("Tie")], rows, title=title))
    if result.one_hop:
        rows = [[e.name, ", ".join(f"{h.name} ({h.via})" for h in e.through), _tie(e.strength)]
                for e in result.one_hop]  # fmt: skip
        parts.append(PlainTable([Column("Name"), Column("Through", wrap=True), Column("Tie")], rows,
                                title="One hop away"))  # fmt: skip
    return Group(*parts)


# the 16 colours every terminal has, less black, white and grey (one of them is the background):
# rich turns any other colour into the nearest of these on a 16-colour terminal, where pink1, tan
# and grey62 all became white
TERMINAL_COLOURS = ("blue", "yellow", "green", "red", "cyan", "magenta", "bright_blue", "bright_yellow",
                    "bright_green", "bright_red", "bright_cyan", "bright_magenta")  # fmt: skip
# past the colours, the bars' pattern tells categories apart
GLYPHS = ("█", "▓", "▒", "░")


def _category_styles(categories: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """Each category's colour and bar glyph, none shared by two (up to 48 categories), by sorted name."""
    colour: dict[str, str] = {}
    glyph: dict[str, str] = {}
    for i, category in enumerate(sorted(set(categories))):
        colour[category] = TERMINAL_COLOURS[i % len(TERMINAL_COLOURS)]
        glyph[category] = GLYPHS[i // len(TERMINAL_COLOURS) % len(GLYPHS)]
    return colour, glyph


class _Legend:
    """Legend items side by side, wrapped between items only (never "■ family  ■" / "friend")."""

    def __init__(self, items: list[Text]) -> None:
        self.items = items

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Text()
        for item in self.items:
            if line.cell_len and line.cell_len + 2 + item.cell_len > options.max_width:
                yield line
                line = Text()
            if line.cell_len:
                line.append("  ")
            line.append_text(item)
        if line.cell_len:
            yield line


def stats_view(stats: Stats) -> RenderableType:
    """A month-by-month stacked bar chart in the terminal, then dormant, most and least contacted."""
    colour, glyph = _category_styles(stats.categories)
    peak = max((sum(stats.per_month[m].values()) for m in stats.months), default=0) or 1
    width = 50
    chart = Table.grid(padding=(0, 1))
    chart.add_column(no_wrap=True, style="dim")
    chart.add_column(no_wrap=True)
    chart.add_column(justify="right")
    for month in stats.months:
        bar = Text()
        counts = stats.per_month[month]
        done = drawn = 0
        for category, count in counts.items():
            done += count
            blocks = max(1, round(done * width / peak) - drawn)  # cumulative: the bar's length stays true
            bar.append(glyph[category] * blocks, style=colour[category])
            drawn += blocks
        chart.add_row(month, bar, str(sum(counts.values())))
    mark = {c: "■" if g == GLYPHS[0] else g for c, g in glyph.items()}  # the bars' pattern, past 12 categories
    legend = _Legend([Text.assemble((mark[c], colour[c]), " " + c) for c in stats.categories])
    median = "n/a" if stats.median_days_between is None else f"{stats.median_days_between:g} days"
    summary = Text(
        f"{counted(stats.total, 'interaction')} with {stats.contacted} of {counted(stats.contacts, 'contact')}, "
        f"{stats.since} to "
        f"{stats.until}; median {median} between touches; {stats.never_contacted} never contacted."
    )
    parts: list[RenderableType] = [Text("Interactions per month", style="bold"), chart, legend, Text(""), summary]
    if stats.dormant:  # a plain-line table (mdnet/cli/render_table.py): thousands of rows in a big network
        columns = [Column("Name"), Column("Category", wrap=True), Column("Last contact"), Column("Days", right=True),
                   Column("Maximum")]  # fmt: skip
        cells: list[list[Cell]] = [[d.name, d.category or "", str(d.last_contact), str(d.days_since), d.maximum]
                                   for d in stats.dormant]  # fmt: skip
        parts.append(PlainTable(columns, cells, title=f"Gone dormant (past their maximum) - {len(stats.dormant)}",
                                title_style="bold red"))  # fmt: skip
    for title, rows in (("Most contacted", stats.most), ("Least contacted", stats.least)):
        table = Table(title=title, title_justify="left")
        for column in ("Name", "Interactions", "Last contact"):
            table.add_column(column, justify="right" if column == "Interactions" else "left")
        for r in rows:
            table.add_row(r.name, str(r.interactions), str(r.last_contact or "never"))
        parts.append(table)
    return Group(*parts)
