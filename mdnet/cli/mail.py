"""``mdnet mail scan PATH``: log the emails you sent and the replies you owe."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mdnet.cli.output import echo, emit_json, warn
from mdnet.cli.progress import ProgressBar
from mdnet.cli.state import State, json_option, pass_state


@click.group(name="mail")
def mail_group() -> None:
    """Read a local Maildir or mbox: log sent mail, note replies owed."""


@mail_group.command(name="scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write and commit nothing.")
@click.option("--since", metavar="WHEN", help="Only messages from this date on (YYYY-MM-DD, or 30d, 3m back).")
@json_option
@pass_state
def scan(state: State, paths: tuple[Path, ...], dry_run: bool, since: str | None, as_json: bool) -> None:
    """Match senders and recipients to contacts' emails (your addresses: me = [...] in mdnet.toml).

    PATH is a Maildir folder or an mbox file; give the inbox and the sent folder
    together so that replies are seen.
    """
    from mdnet.core.wording import counted
    from mdnet.interop import mail

    vault, today = state.vault, state.today
    since_day = mail.parse_since(since, today) if since else None
    with ProgressBar("scanning mail", enabled=not as_json) as progress:
        result = mail.scan(vault, list(paths), dry_run=dry_run, since=since_day, today=today, progress=progress.staged)
    for line in result.skipped:
        warn(f"{line} (message left out)")
    for line in result.plan.warnings:
        warn(line)
    for update, error in result.failed:
        warn(f"{update.contact.path}: {error}")
    if as_json:
        emit_json(result.as_dict(dry_run))
    else:
        plan = result.plan
        where = ", ".join(str(p) for p in paths)
        echo(f"scanned {result.kind} {where}: {counted(plan.messages, 'message')}, {plan.matched} with contacts, "
                   f"{plan.already} handled before, {plan.unknown} with no contact")  # fmt: skip
        commits = {u.contact.path: c for u, c in result.written}
        for update in plan.updates:
            if dry_run:
                verb = "would update"
            elif update.contact.path in commits:
                verb = "updated"
            else:
                continue
            echo(f"{verb} {update.contact.path}: " + "; ".join(update.describe()))
            commit = commits.get(update.contact.path)
            if commit:
                echo(f"  committed {commit[:10]}")
        for update, commit in result.caught_up:  # its lines written by an earlier scan whose commit failed
            if commit:
                echo(f"committed {update.contact.path}, written earlier, in {commit[:10]}")
        if plan.record_only and not dry_run and result.record_commit:
            recorded = counted(len(plan.record_only), "message")
            echo(f"recorded {recorded} that changed no note in {result.record_commit[:10]}")
        if not dry_run and result.not_recorded_because:
            echo(f"not committed: {result.not_recorded_because}")
        if not plan.updates:
            echo("nothing to change")
    if result.failed or result.commit_failed:
        sys.exit(1)
