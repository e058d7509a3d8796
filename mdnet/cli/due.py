"""``mdnet due`` and ``mdnet report``: whom to contact, as a table, JSON, or a pre-commit hook's lines.

``due --json`` to a pipe is the hot path of scripts: :func:`compact_due_json` writes it key by key.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Sequence
from json.encoder import encode_basestring

import click

from mdnet.cli.output import (
    echo,
    echo_json_text,
    echo_more,
    echo_rich,
    emit_json,
    fit_screen,
    rich_text,
    screen_height,
    shown_limit,
)
from mdnet.cli.state import State, json_option, pass_state, warn_bad_notes
from mdnet.core.model import BUCKETS, DueItem, escape_line_breaks
from mdnet.errors import MdnetError
from mdnet.vault.arguments import days_within


@click.command()
@click.option("--within", metavar="DURATION", help="The window for 'upcoming' (default 7d; 30d for the month).")
@click.option("--category", help="Only this category.")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--limit", type=click.IntRange(min=0), help="Show the first N (0: all). Default: a screenful.")
@click.option("--all", "show_all", is_flag=True, help="Show everyone (the default to a pipe or with --json).")
@json_option
@pass_state
def due(state: State, within: str | None, category: str | None, tag: str | None, limit: int | None,
        show_all: bool, as_json: bool) -> None:  # fmt: skip
    """Whom to contact: replies owed, overdue, due today, coming up."""
    vault, today = state.vault, state.today
    window = days_within(within, today, vault.config.upcoming_days)
    if as_json and not sys.stdout.isatty():  # the hot path of scripts and hooks: the answer may be cached
        shown = shown_limit(limit, show_all or limit is None, 12)
        cache = vault.answer_cache("due", today, window, category, tag, shown)
        text = cache.get()
        if text is None:
            items = vault.due(today=today, within=window, category=category, tag=tag)
            text = compact_due_json(today, window, items[:shown] if shown is not None else items)
            cache.put(text)
        echo_json_text(text)
        warn_bad_notes(state)
        return
    items = vault.due(today=today, within=window, category=category, tag=tag)
    # a terminal gets a screenful (3,000 contacts were 9,100 lines and 1 s of rendering); JSON only --limit
    height = None if as_json else screen_height(limit, show_all)
    if height is not None and items:
        from mdnet.cli import render

        every, sizes = items, render.bucket_sizes(items)  # a heading counts its bucket, not the rows shown
        fitted = fit_screen(len(items), height,
                            lambda n: rich_text(render.due_table(every[:n], today, window, totals=sizes)))  # fmt: skip
        echo_rich(render.due_table(items[:fitted], today, window, totals=sizes))
        echo_more(len(items) - fitted)
        warn_bad_notes(state)
        return
    shown = shown_limit(limit, show_all or (as_json and limit is None), 12)
    left = max(0, len(items) - shown) if shown is not None else 0
    every, items = items, items[:shown] if shown is not None else items
    if as_json:  # to a terminal
        emit_json({"date": today.isoformat(), "within_days": window, "items": [i.as_dict() for i in items]})
    else:
        from mdnet.cli import render

        echo_rich(render.due_table(items, today, window, totals=render.bucket_sizes(every)))
        echo_more(left)
    warn_bad_notes(state)


def compact_due_json(today: dt.date, within_days: int, items: Sequence[DueItem]) -> str:
    """``json.dumps`` of the due list (``as_dict`` of every item), compact and ``ensure_ascii=False``, written
    out key by key: a big vault's due list is thousands of items, and this is twice as fast as building the
    dicts and encoding them. tests/unit/test_due_json.py holds it to ``json.dumps`` byte for byte."""
    text = encode_basestring
    parts = []
    for i in items:
        reasons = ", ".join([f'{{"kind": {text(r.kind)}, "due": "{r.due.isoformat()}", "detail": {text(r.detail)}}}'
                             for r in i.reasons])  # fmt: skip
        parts.append(
            f'{{"name": {text(i.name)}, "path": {text(i.path)}, "bucket": {text(i.bucket)}, '
            f'"due": "{i.due.isoformat()}", "days_overdue": {int(i.days_overdue)}, '
            f'"category": {"null" if i.category is None else text(i.category)}, '
            f'"tags": [{", ".join([text(t) for t in i.tags])}], "reasons": [{reasons}], '
            f'"cadence_ratio": {"null" if i.cadence_ratio is None else _json_float(i.cadence_ratio)}, '
            f'"losing_touch": {"true" if i.losing_touch else "false"}}}'
        )
    return f'{{"date": "{today.isoformat()}", "within_days": {int(within_days)}, "items": [{", ".join(parts)}]}}'


def _json_float(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else json.dumps(value)  # json writes NaN and Infinity


@click.command()
@json_option
@pass_state
def report(state: State, as_json: bool) -> None:
    """The due list in brief, for a pre-commit hook. Always exits 0."""
    try:
        vault, today = state.vault, state.today
        items = vault.due(today=today)
    except MdnetError as exc:
        if as_json:
            emit_json({"error": str(exc)})
        else:
            echo(f"mdnet report: {exc}")
        return
    counts = {bucket: sum(1 for i in items if i.bucket == bucket) for bucket in BUCKETS}
    if as_json:
        emit_json({"date": today.isoformat(), "counts": counts,
                   "reply": [i.name for i in items if i.bucket == "reply"],
                   "overdue": [i.name for i in items if i.bucket == "overdue"]})  # fmt: skip
        return
    words = {b: "replies" if b == "reply" and counts[b] != 1 else b for b in BUCKETS}  # '0 reply' reads wrong
    echo(f"mdnet {today}: " + ", ".join(f"{counts[b]} {words[b]}" for b in BUCKETS))
    for bucket, label in (("reply", "reply owed"), ("overdue", "overdue")):
        names = [
            escape_line_breaks(i.name) + (f" ({i.days_overdue}d)" if i.days_overdue else "")
            for i in items
            if i.bucket == bucket
        ]
        if names:
            echo(f"  {label}: " + ", ".join(names))
