"""``mdnet init``: make a vault, and say whose git repository its notes are committed to."""

from __future__ import annotations

import click

from mdnet.cli.output import echo
from mdnet.vault.facade import Vault


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
def init(path: str) -> None:
    """Make a vault: mdnet.toml, people/, daily/, .gitignore, git init. Never overwrites."""
    created = Vault.init(path)
    if created:
        echo(f"created in {path}: " + ", ".join(created))
        _say_whose_repository(path, created)
    else:
        echo(f"{path} is already a vault; nothing to do")


def _say_whose_repository(path: str, created: list[str]) -> None:
    """A vault inside a bigger repository (a home folder kept in git) commits its notes there: say so."""
    import shlex
    from pathlib import Path

    from mdnet.git import commands as history

    top = None if ".git/" in created else history.work_tree_root(Path(path))
    if top is not None and top.resolve() != Path(path).resolve():
        echo(f"{path} is inside the git repository {top}: mdnet commits its notes there "
                   f"(for a repository of its own: git init {shlex.quote(path)})")  # fmt: skip
