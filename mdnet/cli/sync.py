"""``mdnet sync`` and ``mdnet merge-driver``: keep a vault in step across devices through git."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mdnet.cli.output import echo
from mdnet.cli.state import State, pass_state
from mdnet.store.layout import discover_root, load_config


@click.command(name="merge-driver")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("current", type=click.Path(dir_okay=False))
@click.argument("other", type=click.Path(dir_okay=False))
@click.argument("path", required=False)
def merge_driver(base: str, current: str, other: str, path: str | None) -> None:
    """The git merge driver for contact notes: git runs it as 'merge-driver %O %A %B %P'.

    Merges the note three ways (front matter key by key, the Log entry by entry) and
    writes the result to CURRENT (%A); exits 0 when clean, 1 when a real conflict is
    left between conflict markers.
    """
    from mdnet.config import Config
    from mdnet.errors import MdnetError
    from mdnet.git import sync

    # folder finds its vault (and its log_heading) when the vault is a folder of the repository
    start = (Path.cwd() / path).parent if path else None
    try:
        heading = load_config(discover_root(None, cwd=start)).log_heading
    except MdnetError:
        heading = Config().log_heading
    labels = sync.side_labels(Path.cwd())  # git runs the driver at the top of the work tree
    result = sync.run_driver(Path(base), Path(current), Path(other), log_heading=heading, labels=labels)
    if result.conflicts:
        where = ", ".join(c.describe() for c in result.conflicts)
        echo(f"mdnet: conflict in {path or current}: {where}", err=True)
        sys.exit(1)


@click.command()
@click.option(
    "--setup", "setup_only", is_flag=True, help="Only register the merge driver (.gitattributes, git config)."
)
@click.option("--no-push", is_flag=True, help="Commit and pull, but do not push.")
@click.option("--merge", "use_merge", is_flag=True, help="Merge the upstream instead of rebasing onto it.")
@pass_state
def sync(state: State, setup_only: bool, no_push: bool, use_merge: bool) -> None:
    """Commit changed notes, pull (rebase) from the upstream, push. Stops on a real conflict."""
    from mdnet.git import commands as history
    from mdnet.git import sync as sync_mod

    vault = state.vault
    if setup_only:
        changed = sync_mod.setup(vault.root, vault.config)
        if not history.is_inside_work_tree(vault.root):
            echo("note: the vault is not a git repository yet; run 'git init' and then 'mdnet sync --setup'")
        echo("set up: " + ", ".join(changed) if changed else "the merge driver is already set up")
        return
    report = sync_mod.sync(vault.root, vault.config, push=not no_push, rebase=not use_merge)
    for item in report.setup:
        echo(f"set up {item}")
    if report.committed:
        plural = "s" if len(report.committed) != 1 else ""
        echo(f"committed {len(report.committed)} note{plural} ({(report.commit or '')[:10]})")
    where = report.upstream or "the remote"
    if report.pulled:
        echo(f"pulled {report.pulled} commit{'s' if report.pulled != 1 else ''} from {where}")
    if report.pushed:
        echo(f"pushed {report.pushed} commit{'s' if report.pushed != 1 else ''} to {where}")
    for message in report.messages:
        echo(message)
    if not (report.committed or report.pulled or report.pushed or report.messages):
        echo(f"up to date with {where}")
    vault.refresh()
