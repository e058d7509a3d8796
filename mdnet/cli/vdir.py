"""``mdnet vdir sync [DIR]``: a vdir of vCards (vdirsyncer's folder) two-way in step with the notes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mdnet.cli.output import echo, emit_json, warn
from mdnet.cli.progress import ProgressBar
from mdnet.cli.state import State, json_option, pass_state


@click.group(name="vdir")
def vdir_group() -> None:
    """Keep a vdir of vCards (synced with a phone by vdirsyncer) in step with the notes."""


@vdir_group.command(name="sync")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@json_option
@pass_state
def sync(state: State, folder: Path | None, as_json: bool) -> None:
    """Sync the notes with the vdir DIR (default: vdir in mdnet.toml), both ways, field by field.

    A field changed on one side is copied to the other; changed on both, the note's value
    is kept and the conflict reported. Exit 1 when a card or note could not be synced.
    """
    from mdnet.interop import vdir

    vault = state.vault
    with ProgressBar("syncing the vdir", enabled=not as_json) as progress:
        result = vdir.sync(vault, vdir.vdir_folder(vault.root, folder, vault.config.vdir), progress=progress.staged)
    for line in result.problems:
        warn(line)
    if as_json:
        emit_json(result.as_dict())
    else:
        for label, lines in (("created note", result.notes_created), ("updated note", result.notes_changed),
                             ("created card", result.cards_created), ("updated card", result.cards_written),
                             ("deleted card", result.cards_deleted), ("kept note", result.kept),
                             ("conflict", result.conflicts), ("committed note", result.caught_up)):  # fmt: skip
            for line in lines:
                echo(f"{label} {line}")
        if result.commit:
            echo(f"committed {result.commit[:10]}")
        elif result.not_committed and result.notes_changed + result.notes_created + result.caught_up:
            echo(f"not committed: {result.not_committed}")
        if not result.changed:
            echo(f"in step with {result.folder}: nothing to change")
    if result.commit_failed or any("left for the next sync" in p or "no note made" in p for p in result.problems):
        sys.exit(1)
