"""``mdnet path TARGET`` (warm introductions) and ``mdnet who COMPANY|TAG``."""

from __future__ import annotations

import click

from mdnet.cli.output import echo_rich, emit_json
from mdnet.cli.state import State, json_option, pass_state


@click.command()
@click.argument("target", nargs=-1)
@click.option("--via", metavar="NAME", help="Only paths through this person.")
@click.option("--company", metavar="NAME", help="Paths to anyone at this company (current or past employer).")
@click.option("--limit", type=click.IntRange(min=0), default=5, show_default=True, help="How many paths (0: all).")
@json_option
@pass_state
def path(state: State, target: tuple[str, ...], via: str | None, company: str | None, limit: int,
         as_json: bool) -> None:  # fmt: skip
    """Warm introductions: paths from you to TARGET (a contact or a name in links), strongest first."""
    result = state.vault.path(" ".join(target) or None, via=via, company=company, today=state.today, limit=limit)
    if as_json:
        emit_json(result.as_dict())
        return
    from mdnet.cli import render_relations

    via_name = state.vault.get(via).name if via is not None and not result.paths else via
    echo_rich(render_relations.path_table(result, via=via_name, company=company is not None))


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--company", "kind", flag_value="company", help="QUERY is a company (the default when one matches).")
@click.option("--tag", "kind", flag_value="tag", help="QUERY is a tag (the default for #tag).")
@json_option
@pass_state
def who(state: State, query: tuple[str, ...], kind: str | None, as_json: bool) -> None:
    """Whom you know at a company (or with a tag): directly, and one hop away."""
    result = state.vault.who(" ".join(query), kind=kind, today=state.today)
    if as_json:
        emit_json(result.as_dict())
        return
    from mdnet.cli import render_relations

    echo_rich(render_relations.who_tables(result))
