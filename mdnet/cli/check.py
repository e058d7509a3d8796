"""``mdnet check`` and ``mdnet index``: validate notes, and bring the index up to date."""

from __future__ import annotations

import sys

import click

from mdnet.cli.output import echo, emit_json
from mdnet.cli.state import State, json_option, pass_state, warn_bad_notes


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@json_option
@pass_state
def check(state: State, files: tuple[str, ...], as_json: bool) -> None:
    """Validate notes: path:line:col: error: message. Exit 1 on any error."""
    problems = state.vault.check(_notes_in(files) if files else None)
    if as_json:
        emit_json({"problems": [p.as_dict() for p in problems]})
    else:
        for problem in problems:
            echo(problem.format())
    if any(p.severity == "error" for p in problems):
        sys.exit(1)


def _notes_in(given: tuple[str, ...]) -> list[str]:
    """The paths to check: a file as given, a folder as every note under it (dot folders never
    entered, as the vault's own scan does): ``check people/`` said a broken folder was clean."""
    from pathlib import Path

    from mdnet.store.files import scan

    paths: list[str] = []
    for path in given:
        if Path(path).is_dir():
            paths.extend(str(Path(path) / relative) for relative in sorted(scan(Path(path))))
        else:
            paths.append(path)
    return paths


@click.command()
@click.option("--rebuild", is_flag=True, help="Throw the index away and rebuild it.")
@json_option
@pass_state
def index(state: State, rebuild: bool, as_json: bool) -> None:
    """Bring the index up to date; print counts and time."""
    vault = state.vault
    if rebuild:
        vault.rebuild_index()
    stats = vault.refresh()
    if rebuild:
        stats = stats.replace(rebuilt=True)
    if as_json:
        emit_json(stats.as_dict())
        return
    from mdnet.cli import render

    echo(render.stats_line(stats))
    warn_bad_notes(state)
