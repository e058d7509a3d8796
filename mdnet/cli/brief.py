"""``mdnet brief NAME``: everything to know before meeting someone."""

from __future__ import annotations

import click

from mdnet.cli.output import echo_rich, emit_json
from mdnet.cli.state import State, json_option, pass_state


@click.command()
@click.argument("name")
@json_option
@pass_state
def brief(state: State, name: str, as_json: bool) -> None:
    """Before a meeting: role, company, how you met, last talks, follow-ups, what to ask, mutual contacts."""
    result = state.vault.brief(name, today=state.today)
    if as_json:
        emit_json(result.as_dict())
        return
    from mdnet.cli import render_relations

    echo_rich(render_relations.brief_card(result, state.today))
