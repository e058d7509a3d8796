"""``mdnet import vcard|csv|linkedin`` and ``mdnet export vcard|ics``: meet the user where their data is."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mdnet.cli.output import echo, emit_json, warn
from mdnet.cli.progress import ProgressBar
from mdnet.cli.state import State, json_option, pass_state
from mdnet.core.wording import counted
from mdnet.errors import UsageError
from mdnet.interop.import_merge import Incoming
from mdnet.interop.importing import run_import
from mdnet.store import files
from mdnet.vault.arguments import days_within

ACTIONS = ("create", "update", "unchanged", "skip", "failed")


@click.group(name="import")
def import_group() -> None:
    """Import contacts from vCard files or Google / Outlook / LinkedIn CSV exports (merging, never overwriting)."""


@click.group(name="export")
def export_group() -> None:
    """Export contacts as vCards, or due dates and birthdays as an iCalendar file."""


def _dry_run_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")(function)


def _new_note_options(function: click.decorators.FC) -> click.decorators.FC:
    function = click.option("--cadence", help="Cadence for contacts this import creates (30d, 1y, never); "
                            "default: their category's in [cadence], else new_contact_cadence.")(function)  # fmt: skip
    return click.option("--category", help="Category for contacts this import creates.")(function)


def _report(
    state: State, records: list[Incoming], dry_run: bool, category: str | None, cadence: str | None, as_json: bool
) -> None:
    vault = state.vault  # its index first: a cold one has a bar of its own
    with ProgressBar("importing contacts", enabled=not as_json) as progress:
        outcomes = run_import(vault, records, dry_run=dry_run, category=category, cadence=cadence,
                              today=state.today, progress=progress)  # fmt: skip
    counts = Counter(o.action for o in outcomes)
    if as_json:
        emit_json({"dry_run": dry_run, "counts": {a: counts.get(a, 0) for a in ACTIONS},
                   "items": [o.as_dict() for o in outcomes]})  # fmt: skip
    else:
        for outcome in outcomes:
            if outcome.action != "unchanged":
                echo(outcome.line(dry_run))
        summary = ", ".join(f"{counts.get(a, 0)} {_label(a, dry_run)}" for a in ACTIONS if counts.get(a))
        echo(("dry run: " if dry_run else "") + (summary or "nothing to import"))
    for outcome in outcomes:
        if outcome.action == "failed":
            warn(f"{outcome.name}: {'; '.join(outcome.details)}")
    if counts.get("failed"):
        sys.exit(1)


def _label(action: str, dry_run: bool) -> str:
    if dry_run:
        return {"create": "to create", "update": "to update"}.get(action, action)
    return {"create": "created", "update": "updated", "skip": "skipped"}.get(action, action)


def _encoding_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option("--encoding", default="utf-8", show_default=True,
                        help="The file's encoding (Outlook: often cp1252).")(function)  # fmt: skip


def _import_command(name: str, reader: str, summary: str) -> click.Command:
    """``mdnet import NAME SOURCE``: the records ``reader`` (``"module:function"``, imported when run)
    reads from SOURCE, merged into the vault. vCard and CSV differ only in the reader."""

    @import_group.command(name=name, help=summary)
    @click.argument("source", type=click.Path(path_type=Path))
    @_encoding_option
    @_dry_run_option
    @_new_note_options
    @json_option
    @pass_state
    def command(state: State, source: Path, encoding: str, dry_run: bool, category: str | None,
                cadence: str | None, as_json: bool) -> None:  # fmt: skip
        module_name, attribute = reader.split(":")
        read: Callable[[Path, str], list[Incoming]] = getattr(importlib.import_module(module_name), attribute)
        _report(state, read(source, encoding), dry_run, category, cadence, as_json)

    return command


import_vcard = _import_command("vcard", "mdnet.interop.vcard:read_vcards",
                               "Import a .vcf file, or every .vcf/.vcard file in a folder.")  # fmt: skip
import_csv = _import_command("csv", "mdnet.interop.csv_import:read_contacts_csv",
                             "Import a Google Contacts, Outlook or LinkedIn CSV export "
                             "(recognised by its header; , ; or tab).")  # fmt: skip


def write_output(text: str, out: str | None) -> None:
    """``text`` to the file ``out`` (atomically: a temporary file renamed over it) or to stdout: exact
    for a pipe or a file (it is data, as JSON is), with its control characters replaced on a terminal."""
    if out is None or out == "-":
        if sys.stdout.isatty():
            echo(text, nl=False)
        else:
            click.echo(text, nl=False)
        return
    if not out.strip():
        raise UsageError("--out needs a file name (or - for stdout)")
    folder = Path(out).parent
    if not folder.is_dir():  # a typo in the folder is not a request to make a tree of folders
        raise UsageError(f"--out {out}: there is no folder {folder}; make it first, or give another path")
    files.replace_atomically(Path(out), text.encode("utf-8"), out, root=None)  # the user named it


@export_group.command(name="vcard")
@click.option("--out", metavar="FILE", help="Write to FILE (default: stdout).")
@click.option("--category", help="Only this category.")
@click.option("--tag", help="Only contacts with this tag.")
@pass_state
def export_vcard(state: State, out: str | None, category: str | None, tag: str | None) -> None:
    """Every contact as a vCard 3.0, with a stable UID per note."""
    from mdnet.interop.vcard import export_vcards

    contacts = state.vault.contacts(category=category, tag=tag)
    write_output(export_vcards(contacts), out)
    if out not in (None, "-"):
        echo(f"exported {counted(len(contacts), 'contact')} to {out}")


@export_group.command(name="ics")
@click.option("--out", metavar="FILE", help="Write to FILE (default: stdout).")
@click.option("--within", metavar="DURATION", default="30d", show_default=True,
              help="Reminders due up to this far ahead (birthdays always recur).")  # fmt: skip
@click.option("--category", help="Only this category.")
@click.option("--tag", help="Only contacts with this tag.")
@pass_state
def export_ics(state: State, out: str | None, within: str, category: str | None, tag: str | None) -> None:
    """Replies owed, follow-ups, planned and cadence dates, and birthdays as an iCalendar file."""
    from mdnet.interop.ics import export_ics as render

    vault, today = state.vault, state.today
    window = days_within(within, today, vault.config.upcoming_days)
    contacts = vault.contacts(category=category, tag=tag)
    rules = vault.config.due_rules
    rendered = render(contacts, today, window, rules.default_cadence, rules.policy)
    write_output(rendered, out)
    if out not in (None, "-"):
        echo(f"exported the calendar of {counted(len(contacts), 'contact')} to {out}")


@import_group.command(name="linkedin")
@click.argument("export", type=click.Path(path_type=Path))
@_dry_run_option
@_new_note_options
@json_option
@pass_state
def import_linkedin(state: State, export: Path, dry_run: bool, category: str | None, cadence: str | None,
                    as_json: bool) -> None:  # fmt: skip
    """Import LinkedIn's data export (the .zip or its folder): connections, messages, invitations, job changes.

    Messages become linkedin: log entries, committed per contact; a job change updates company
    and role, adds a ## Career line and sets news:. Your profile: my_linkedin in mdnet.toml, else
    found in the export.
    """
    from mdnet.interop.linkedin import import_linkedin as run

    vault = state.vault
    with ProgressBar("importing LinkedIn messages", enabled=not as_json) as progress:
        result = run(vault, export, today=state.today, dry_run=dry_run, category=category, cadence=cadence,
                     progress=progress)  # fmt: skip
    for update, error in result.failed:
        warn(f"{update.contact.path}: {error}")
    for outcome in result.outcomes:
        if outcome.action == "failed":
            warn(f"{outcome.name}: {'; '.join(outcome.details)}")
    if as_json:
        emit_json(result.as_dict(dry_run))
    else:
        _linkedin_report(result, dry_run)
    if result.failed or result.commit_failed or any(o.action == "failed" for o in result.outcomes):
        sys.exit(1)


def _linkedin_report(result: Any, dry_run: bool) -> None:
    counts = Counter(o.action for o in result.outcomes)
    for outcome in result.outcomes:
        if outcome.action not in ("unchanged", "failed"):
            echo(outcome.line(dry_run))
    summary = ", ".join(f"{counts.get(a, 0)} {_label(a, dry_run)}" for a in ACTIONS if counts.get(a))
    echo(("dry run: " if dry_run else "") + f"connections: {summary or 'none'}")
    if result.changes:
        echo(f"{counted(len(result.changes), 'job change')}: news set (mdnet due shows them)")
    if result.connections_commit:
        echo(f"  committed {result.connections_commit[:10]}")
    plan = result.plan
    echo(f"messages: {counted(plan.messages, 'message')} in {counted(plan.conversations, 'conversation')}, "
         f"{plan.matched} conversation days with contacts, {plan.already} imported before")  # fmt: skip
    commits = {u.contact.path: c for u, c in result.written}
    for update in plan.updates:
        if not dry_run and update.contact.path not in commits:
            continue
        echo(f"{'would update' if dry_run else 'updated'} {update.contact.path}: " + "; ".join(update.describe()))
    changing = {u.contact.path for u in plan.updates}
    for update, commit in result.written:  # its lines written by an earlier import whose commit failed
        if commit and update.contact.path not in changing:
            echo(f"committed {update.contact.path}, written earlier, in {commit[:10]}")
    if result.record_commit:
        echo(f"recorded conversation days that changed no note in {result.record_commit[:10]}")
    if not dry_run and result.not_committed_because:
        echo(f"not committed: {result.not_committed_because}")
    if plan.unknown:
        ranked = sorted(plan.unknown.items(), key=lambda kv: (-kv[1], kv[0]))
        echo("people you talk to who are no contact: " + ", ".join(f"{n} ({d})" for n, d in ranked[:10])
             + (f", and {len(ranked) - 10} more" if len(ranked) > 10 else ""))  # fmt: skip
