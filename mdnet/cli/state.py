"""What every command shares: the group options (:class:`State`, the vault opened on first use),
``--json``, and the warning about notes left out of a listing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from mdnet.cli.output import warn
from mdnet.store.layout import NOT_A_VAULT
from mdnet.vault.arguments import resolve_today
from mdnet.vault.facade import Vault

F = TypeVar("F", bound=Callable[..., Any])
MAX_WARNINGS = 10


class State:
    """What the group options hold, passed to every command."""

    def __init__(self, vault_path: str | None, today: str | None, debug: bool) -> None:
        self.vault_path = vault_path
        self.today_text = today
        self.debug = debug
        self._vault: Vault | None = None

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            self._vault = Vault.open(self.vault_path, today=self.today_text)
            self._vault.refresh_on_query = False  # one command, one scan
            self._vault.session.progress = _index_progress()  # a cold index of a big vault takes seconds
            if not self._vault.save_index:
                warn(f"{self._vault.root}: {NOT_A_VAULT}")
            elif refused := self._vault.index_folder_refused():  # a link in a cloned vault (docs/security.md)
                warn(f"{refused}; nothing in it is used, the index is kept in memory")
        return self._vault

    @property
    def today(self) -> Any:
        return resolve_today(self.today_text)


def _index_progress() -> Callable[[int, int], None] | None:
    """A bar for the notes a refresh reads, erased when the last is stored or when the command ends; none (and
    nothing imported) when stderr is no terminal or the command prints JSON (its ``--json``, from click's context)."""
    context = click.get_current_context(silent=True)
    if sys.stderr is None or not sys.stderr.isatty() or (context is not None and context.params.get("as_json")):
        return None
    from mdnet.cli.progress import ProgressBar

    bar = ProgressBar("indexing notes")
    if context is not None:
        context.call_on_close(bar.close)
    return bar


pass_state = click.make_pass_decorator(State)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")(function)


def warn_bad_notes(state: State) -> None:
    """Notes left out because of errors: one stderr line each (up to a few)."""
    errors = sorted((p for p in state.vault.problems() if p.severity == "error"), key=lambda p: (p.path, p.line))
    first_by_note = {p.path: p for p in reversed(errors)}  # each note once, at its first error
    notes = sorted(first_by_note.values(), key=lambda p: p.path)
    for problem in notes[:MAX_WARNINGS]:
        conflict = problem.message.startswith("unresolved merge conflict")  # the note is still listed
        warn(f"{problem.format()}" + (" until the markers are resolved" if conflict else " (note left out)"))
    if len(notes) > MAX_WARNINGS:
        warn(f"{len(notes) - MAX_WARNINGS} more notes left out; see 'mdnet check'")
