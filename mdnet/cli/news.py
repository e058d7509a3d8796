"""``mdnet news NAME TEXT``: note what they told you; a ``news`` reason until you next talk (SPEC 13)."""

from __future__ import annotations

import click

from mdnet.cli.output import echo, echo_commit, emit_json
from mdnet.cli.state import State, json_option, pass_state


@click.command()
@click.argument("name")
@click.argument("text", nargs=-1, required=True)
@click.option("--no-commit", is_flag=True, help="Write the note but do not commit.")
@json_option
@pass_state
def news(state: State, name: str, text: tuple[str, ...], no_commit: bool, as_json: bool) -> None:
    """Set news: "TODAY TEXT": due as a news reason on that day, until you next talk (30 days at most)."""
    from mdnet.core.model import printable_line
    from mdnet.errors import UsageError
    from mdnet.git import commands as history
    from mdnet.git import commit_text
    from mdnet.note import edit

    words = printable_line(" ".join(text))
    if not words:
        raise UsageError("news needs some text: mdnet news NAME TEXT")
    vault = state.vault
    contact = vault.get(name)
    value = f"{state.today.isoformat()} {words}"
    vault.writer.rewrite(contact, lambda note: edit.set_field(note, "news", value))
    vault.refresh([contact.path])
    commit = reason = None
    failed = False
    if no_commit:
        reason = "--no-commit"
    else:
        title = f"News from {commit_text.flat(contact.name)}: {words}"
        message = commit_text.message(title, [f"news: {value}"], [("Contact", contact.name)])
        outcome = history.commit_paths(vault.root, [contact.path], message)
        commit, reason, failed = outcome.commit, outcome.reason, outcome.failed
    if as_json:
        emit_json({"name": contact.name, "path": contact.path, "news": value, "commit": commit})
        if failed:
            raise SystemExit(1)
        return
    echo(f"{contact.path}: news: {value}")
    echo_commit(commit, reason, failed)
