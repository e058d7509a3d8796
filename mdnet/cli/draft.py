"""``mdnet draft TEMPLATE``: one personalised draft per contact, as .eml files or a review note."""

from __future__ import annotations

import click

from mdnet.cli.output import echo, echo_commit, emit_json, warn
from mdnet.cli.state import State, json_option, pass_state


@click.command()
@click.argument("template")
@click.option("--category", help="Only contacts of this category.")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--due", is_flag=True, help="Only contacts on today's due list.")
@click.option("--out", metavar="PATH", help="Folder for .eml files, or the file of the review note.")
@click.option("--format", "fmt", type=click.Choice(["eml", "md"]), default="eml", show_default=True,
              help="eml: one message per contact; md: one Markdown review note.")  # fmt: skip
@click.option("--log", is_flag=True, help="Log each draft as an email sent, all in one git commit.")
@json_option
@pass_state
def draft(state: State, template: str, category: str | None, tag: str | None, due: bool, out: str | None,
          fmt: str, log: bool, as_json: bool) -> None:  # fmt: skip
    """The personalised blanket update: render TEMPLATE (Jinja2, sandboxed) for each matching contact."""
    result = state.vault.draft(template, category=category, tag=tag, due=due, out=out, fmt=fmt, log=log,
                               today=state.today)  # fmt: skip
    if as_json:
        emit_json(result.as_dict())
        if result.commit_failed:
            raise SystemExit(1)
        return
    if not result.drafts:
        echo("no contact matches; nothing written")
        return
    from mdnet.core.wording import counted

    echo(f"{counted(len(result.drafts), 'draft')}:")
    for path in result.written:
        echo(f"  wrote {path}")
    missing = [d.name for d in result.drafts if not d.to]
    if missing and fmt == "eml":
        warn(f"no email in the note (no To: line): {', '.join(missing)}")
    for problem in result.problems:
        warn(str(problem))
    if log:
        echo(f"logged {counted(len(result.logged), 'interaction')}")
        echo_commit(result.commit, result.not_committed_because, result.commit_failed)
