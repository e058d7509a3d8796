"""``mdnet log``, ``mdnet followup``, ``mdnet snooze`` and ``mdnet history``: what happened with a contact,
and when to come back. Loaded only when run."""

from __future__ import annotations

import datetime as dt

import click

from mdnet.cli.output import echo, echo_commit, echo_rich, emit_json, warn
from mdnet.cli.state import State, json_option, pass_state
from mdnet.core.model import ChangeResult


@click.command()
@click.argument("name")
@click.argument("text", nargs=-1, required=True)
@click.option("--kind", help="What it was: coffee, email, call, lunch, meeting, ...")
@click.option("--date", "when", metavar="DATE", help="When it happened (default: today).")
@click.option("--no-commit", is_flag=True, help="Write the note but do not commit.")
@json_option
@pass_state
def log(state: State, name: str, text: tuple[str, ...], kind: str | None, when: str | None, no_commit: bool,
        as_json: bool) -> None:  # fmt: skip
    """Log an interaction: a Log entry, last_contact raised, needs_reply cleared, one git commit."""
    from mdnet.cli.names import refuse_unquoted

    refuse_unquoted(state.vault, "log", name, text)
    result = state.vault.log(name, " ".join(text), kind=kind, when=when, commit=not no_commit, today=state.today)
    if as_json:
        emit_json(result.as_dict())
        if result.commit_failed:  # the note is written; git refused (busy, a stale lock): the next commit takes it
            raise SystemExit(1)
        return
    echo(f"logged in {result.path}: {result.entry}")
    echo_commit(result.commit, result.not_committed_because, result.commit_failed)


def _report_change(result: ChangeResult, as_json: bool) -> None:
    if as_json:
        emit_json(result.as_dict())
        if result.commit_failed:
            raise SystemExit(1)
        return
    if not result.changed:
        already = ", ".join(f"{k} is {v}" if v is not None else f"{k} is not set" for k, v in result.fields.items())
        echo(f"{result.path}: nothing to change ({already}); nothing written or committed")
        return
    settings = ", ".join(f"{k}: {v}" if v is not None else f"{k} cleared" for k, v in result.fields.items())
    echo(f"{result.path}: {settings}")
    echo_commit(result.commit, result.not_committed_because, result.commit_failed)


@click.command()
@click.argument("name")
@click.argument("when", metavar="WHEN")
@click.option("--note", metavar="TEXT", help="What to follow up about (follow_up_note).")
@click.option("--no-commit", is_flag=True, help="Write the note but do not commit.")
@json_option
@pass_state
def followup(state: State, name: str, when: str, note: str | None, no_commit: bool, as_json: bool) -> None:
    """Come back to a contact on a date or after a while: WHEN is 2027-05-25, 2w, 6m, ... or none."""
    from mdnet.cli.names import refuse_unquoted

    refuse_unquoted(state.vault, "followup", name, [when])
    result = state.vault.followup(name, when, note=note, commit=not no_commit, today=state.today)
    _warn_past(result.fields.get("follow_up"), state.today)
    _report_change(result, as_json)


def _warn_past(day: str | None, today: dt.date) -> None:
    """A follow-up set more than a month in the past (``2020-01-01``) is due at once: likely a typo."""
    if day is None:
        return
    past = (today - dt.date.fromisoformat(day)).days
    if past > 31:
        ago = f"{past // 365} years" if past >= 730 else ("a year" if past >= 365 else f"{past} days")
        warn(f"follow_up {day} is {ago} in the past, so it is due at once (did you mean a later year?)")


@click.command()
@click.argument("name")
@click.argument("when", metavar="WHEN")
@click.option("--no-commit", is_flag=True, help="Write the note but do not commit.")
@json_option
@pass_state
def snooze(state: State, name: str, when: str, no_commit: bool, as_json: bool) -> None:
    """Hide a contact from the due list until WHEN (a date, or 2w, 3m, ...; none to unsnooze)."""
    from mdnet.cli.names import refuse_unquoted

    refuse_unquoted(state.vault, "snooze", name, [when])
    result = state.vault.snooze(name, when, commit=not no_commit, today=state.today)
    _report_change(result, as_json)


@click.command()
@click.argument("name")
@json_option
@pass_state
def history(state: State, name: str, as_json: bool) -> None:
    """Every log entry, every mention in a dated note and every commit of a contact's note (renames
    followed), newest first."""
    vault = state.vault
    contact = vault.get(name)
    items = vault.history(name)
    if as_json:
        emit_json({"name": contact.name, "path": contact.path, "items": [i.as_dict() for i in items]})
        return
    from rich.table import Table

    table = Table(title=f"{contact.name} ({contact.path})", title_justify="left")
    for column in ("date", "source", "kind", "text", "commit"):
        table.add_column(column, overflow="fold" if column == "text" else "ellipsis", no_wrap=column != "text")
    for item in items:
        text = f"{item.text} ({item.path}:{item.line})" if item.source == "mention" else item.text
        table.add_row(item.date.isoformat(), item.source, item.kind or "", text, (item.commit or "")[:10])
    if not items:
        echo(f"{contact.name} ({contact.path}): no log entries, mentions or commits yet")
        return
    echo_rich(table)
