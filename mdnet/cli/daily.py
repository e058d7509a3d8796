"""``mdnet daily``: write or refresh the daily note, or print it without writing."""

from __future__ import annotations

import click

from mdnet.cli.output import echo, emit_json, warn
from mdnet.cli.state import State, json_option, pass_state, warn_bad_notes
from mdnet.core.durations import parse_date
from mdnet.errors import UsageError


@click.command()
@click.option("--date", "when", metavar="DATE", help="The note's date (default: today).")
@click.option("--print", "print_only", is_flag=True, help="Print the note as it would be; write and log nothing.")
@json_option
@pass_state
def daily(state: State, when: str | None, print_only: bool, as_json: bool) -> None:
    """Write or refresh the daily note; log the tasks ticked in it since the last refresh."""
    from mdnet.vault.daily import build

    vault = state.vault
    try:
        day = parse_date(when) if when else state.today
    except ValueError as exc:
        raise UsageError(f"bad --date: {exc}") from None
    result = build(vault, day, write=not print_only, today=state.today)
    if print_only:
        if as_json:
            emit_json({"date": day.isoformat(), "path": result.path, "exists": result.existed,
                       "text": result.text, "items": [i.as_dict() for i in result.items]})  # fmt: skip
        else:
            echo(result.text, nl=False)
    elif as_json:
        emit_json(result.as_dict())
    else:
        for logged in result.logged:
            committed = f" (committed {logged.commit[:10]})" if logged.commit else f" ({logged.not_committed_because})"
            echo(f"logged {logged.name} in {logged.path}: {logged.entry}{committed}")
        verb = "unchanged" if not result.changed else ("updated" if result.existed else "created")
        echo(f"{verb} {result.path}")
    for warning in result.warnings:
        warn(warning)
    warn_bad_notes(state)
    if any(logged.commit_failed for logged in result.logged):  # the ticks are logged on disk; git refused
        raise SystemExit(1)
