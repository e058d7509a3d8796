"""``mdnet stats``: the health of the network, as a terminal chart, JSON or an HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from mdnet.cli.output import echo, echo_rich, emit_json
from mdnet.cli.progress import ProgressBar
from mdnet.cli.state import State, json_option, pass_state
from mdnet.core.wording import counted


@click.command()
@click.option("--since", metavar="DATE|DURATION", help="From this date, or this long ago (6m). Default: a year.")
@click.option("--html", "html_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a self-contained HTML page with charts to FILE (not the terminal report).")  # fmt: skip
@json_option
@pass_state
def stats(state: State, since: str | None, html_file: Path | None, as_json: bool) -> None:
    """Network health: interactions per month by category, dormant contacts, rhythm, most and least contacted."""
    vault = state.vault  # its index first: a cold one has a bar of its own
    with ProgressBar("stats", enabled=not as_json) as progress:
        result = vault.stats(since=since, today=state.today, progress=progress.staged)
    if html_file is not None:
        from mdnet.features.stats_html import render_html
        from mdnet.store import files

        data = render_html(result).encode("utf-8")
        files.replace_atomically(html_file, data, str(html_file), root=None)  # the user named it: anywhere
    if as_json:
        emit_json(result.as_dict())
        return
    if html_file is not None:  # the page is the report asked for: the terminal one would bury this line
        echo(f"wrote {html_file}: {counted(result.total, 'interaction')} (open it in a browser)")
        return
    from mdnet.cli import render_relations

    echo_rich(render_relations.stats_view(result))
