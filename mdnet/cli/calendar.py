"""``mdnet calendar scan [SOURCE]...``: meetings with contacts from .ics files, a zip or a vdir (SPEC 12)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mdnet.cli.output import echo, emit_json, warn
from mdnet.cli.progress import ProgressBar
from mdnet.cli.state import State, json_option, pass_state


@click.group(name="calendar")
def calendar_group() -> None:
    """Read calendars: log meetings with contacts, plan the next ones."""


@calendar_group.command(name="scan")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--since", metavar="WHEN", help="Log meetings from this date on (YYYY-MM-DD, or 3m back); default 1y.")
@click.option("--ahead", metavar="D", default="30d", show_default=True, help="Plan meetings this far ahead.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write and commit nothing.")
@json_option
@pass_state
def scan(state: State, sources: tuple[Path, ...], since: str | None, ahead: str, dry_run: bool, as_json: bool) -> None:
    """Log past meetings with contacts and set next_contact from the coming ones.

    SOURCE is a .ics file, a .zip of them (Google Calendar's export) or a vdir folder
    (vdirsyncer, khal); without one, calendar_sources in mdnet.toml. You are my_emails
    in mdnet.toml, else git's user.email.
    """
    import datetime as dt

    from mdnet.core.durations import DurationError, parse_duration, parse_when
    from mdnet.errors import UsageError
    from mdnet.interop import calendar_scan

    vault, today = state.vault, state.today
    try:
        since_day = parse_when(since, today, back=True) if since else None
    except ValueError as exc:
        raise UsageError(f"bad --since: {exc}") from None
    try:
        span = parse_duration(ahead)
    except DurationError as exc:
        raise UsageError(f"bad --ahead: {exc}") from None
    ahead_days = (span.add_to(today) - today).days if span is not None else 0
    now = dt.datetime.combine(today, dt.datetime.now().time().replace(microsecond=0))
    with ProgressBar("scanning calendars", enabled=not as_json) as progress:
        result = calendar_scan.scan(vault, list(sources), now=now, since=since_day, ahead_days=ahead_days,
                                    dry_run=dry_run, progress=progress.staged)  # fmt: skip
    for line in [*result.read.warnings, *result.plan.warnings]:
        warn(line)
    for update, error in result.failed:
        warn(f"{update.contact.path}: {error}")
    if as_json:
        emit_json(result.as_dict(dry_run))
    else:
        _print(result, dry_run)
    if result.failed or result.commit_failed:
        sys.exit(1)


def _print(result: Any, dry_run: bool) -> None:
    from mdnet.core.wording import counted

    plan = result.plan
    echo(f"scanned {counted(result.read.files, 'calendar file')}: {counted(plan.occurrences, 'occurrence')}, "
         f"{counted(plan.meetings, 'meeting')} with contacts, {plan.already} logged before")  # fmt: skip
    commits = {u.contact.path: c for u, c in result.written}
    changed = [u for u in plan.updates if u.changes_note]
    for update in changed:
        if not dry_run and update.contact.path not in commits:
            continue
        verb = "would update" if dry_run else "updated"
        echo(f"{verb} {update.contact.path}: " + "; ".join(update.describe()))
        commit = commits.get(update.contact.path)
        if commit:
            echo(f"  committed {commit[:10]}")
    for path in result.caught_up:  # its lines written by an earlier scan whose commit failed
        echo(f"committed {path}, written earlier, in {(commits.get(path) or '')[:10]}")
    if not changed:
        echo("nothing to change")
    if not dry_run and result.not_committed_because:
        echo(f"not committed: {result.not_committed_because}")
    if plan.unmatched:
        echo("")
        echo("attendees that are no contact, most meetings first (add one with: mdnet add NAME --email ADDRESS):")
        for person in plan.unmatched[:20]:
            label = f"{person.name} <{person.email}>" if person.name else person.email
            hint = f" (the name of {person.maybe}: add the address to their note if it is theirs)"
            if not person.maybe:
                hint = ""
            echo(f"  {counted(person.events, 'meeting'):>12}  {label}{hint}")
        if len(plan.unmatched) > 20:
            echo(f"  ... and {len(plan.unmatched) - 20} more (--json lists them all)")
