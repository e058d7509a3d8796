"""``mdnet add``, ``list``, ``show`` and ``search``: make a contact note, and read contacts back."""

from __future__ import annotations

from typing import Any

import click

from mdnet.cli.output import (
    echo,
    echo_more,
    echo_rich,
    emit_json,
    fit_screen,
    rich_text,
    screen_height,
    shown_limit,
    warn,
)
from mdnet.cli.state import State, json_option, pass_state, warn_bad_notes
from mdnet.core.model import Contact, DueItem


@click.command()
@click.argument("name")
@click.option("--category", help="client, vendor, friend, recruiter, ... (free text)")
@click.option("--cadence", help="Keep in touch every ... (30d, 2w, 3m, quarterly, never).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--email", "emails", multiple=True, help="An email address (repeatable).")
@click.option("--company", help="Their company (written as a wikilink).")
@click.option("--role", help="Their role.")
@pass_state
def add(state: State, name: str, category: str | None, cadence: str | None, tags: tuple[str, ...],
        emails: tuple[str, ...], company: str | None, role: str | None) -> None:  # fmt: skip
    """Add a contact note named after the person."""
    vault = state.vault
    path = vault.add(name, category=category, cadence=cadence, tags=tags, email=emails, company=company,
                     role=role, today=state.today)  # fmt: skip
    echo(f"added {path.relative_to(vault.root).as_posix()}")


@click.command(name="list")
@click.option("--category", help="Only this category.")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--limit", type=click.IntRange(min=0), help="Show the first N (0: all). Default: a screenful.")
@click.option("--all", "show_all", is_flag=True, help="Show everyone (the default to a pipe or with --json).")
@json_option
@pass_state
def list_(state: State, category: str | None, tag: str | None, limit: int | None, show_all: bool,
          as_json: bool) -> None:  # fmt: skip
    """List contacts."""
    vault, today = state.vault, state.today
    contacts = vault.contacts(category=category, tag=tag)
    rules = vault.config.due_rules
    total = len(contacts)
    # a terminal gets what fits its screen: the lines the rows take once their tags wrap are counted
    height = None if as_json else screen_height(limit, show_all)
    if height is not None and contacts:
        from mdnet.cli import render

        first = contacts[:height]  # a row takes a line at least: no more than a screen's rows can fit
        dues = {c.path: rules.next_due(c, today) for c in first}

        def page(n: int) -> str:
            return rich_text(render.contacts_table(first[:n], dues, category, tag, total=total))

        fitted = fit_screen(total, height, page)
        echo_rich(render.contacts_table(first[:fitted], dues, category, tag, total=total))
        echo_more(total - fitted)
        warn_bad_notes(state)
        return
    shown = shown_limit(limit, show_all or (as_json and limit is None), 6)
    left = max(0, total - shown) if shown is not None else 0
    contacts = contacts[:shown] if shown is not None else contacts
    dues = {c.path: rules.next_due(c, today) for c in contacts}
    if as_json:
        emit_json({"contacts": [
            {"name": c.name, "path": c.path, "category": c.category, "tags": list(c.tags),
             "cadence": c.fields.get("cadence"), "last_contact": _iso(c.last_contact), "due": _iso(dues[c.path])}
            for c in contacts]})  # fmt: skip
    else:
        from mdnet.cli import render

        echo_rich(render.contacts_table(contacts, dues, category, tag, total=total))
        echo_more(left)
    warn_bad_notes(state)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


@click.command()
@click.argument("name")
@json_option
@pass_state
def show(state: State, name: str, as_json: bool) -> None:
    """Show one contact: fields, due state, last interactions."""
    vault, today = state.vault, state.today
    contact = vault.get(name)
    item = vault.config.due_rules.item_for(contact, today)
    for problem in vault.problems():  # a note read as one side of a merge conflict: say so
        if problem.path == contact.path and problem.message.startswith("unresolved merge conflict"):
            warn(problem.format())
    if as_json:
        emit_json(contact_json(contact, item))
        return
    from mdnet.cli import render

    echo_rich(render.contact_card(contact, item, today))


def contact_json(contact: Contact, item: DueItem | None) -> dict[str, Any]:
    """``show --json``: the fields, the effective last contact and its source, the due item, the log, and
    (SPEC 11) every mention, newest first and future ones too, and every open loop."""
    return {"name": contact.name, "path": contact.path, "fields": contact.fields,
            "last_contact": _iso(contact.last_contact), "last_contact_source": contact.last_contact_source,
            "due": None if item is None else item.as_dict(),
            "log": [{"date": e.date.isoformat(), "time": e.time, "kind": e.kind, "text": e.text}
                    for e in contact.log],
            "mentions": [m.as_dict() for m in contact.mentions],
            "open_loops": [loop.as_dict() for loop in contact.open_loops]}  # fmt: skip


@click.command()
@click.argument("text", nargs=-1, required=True)
@json_option
@pass_state
def search(state: State, text: tuple[str, ...], as_json: bool) -> None:
    """Full-text search over contacts."""
    query = " ".join(text)
    results = state.vault.search(query)
    if as_json:
        emit_json({"query": query, "results": [{"name": c.name, "path": c.path, "snippet": s} for c, s in results]})
        return
    from mdnet.cli import render

    echo_rich(render.search_table(results, query))
