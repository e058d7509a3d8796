"""The command line: the only place that prints or exits.

Each command builds objects, calls one library function, and prints the result as
a table for people or JSON for programs. Errors from the library become one line
on stderr (``mdnet: error: ...``) and an exit code, in :func:`run`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any, NoReturn, TypeVar

import click

from mdnet.core.model import BUCKETS, DueItem, escape_line_breaks
from mdnet.core.safe_text import json_safe, printable, printable_line
from mdnet.errors import MdnetError
from mdnet.store.layout import NOT_A_VAULT
from mdnet.vault.arguments import days_within, resolve_today
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
            self._vault = Vault.open(self.vault_path)
            self._vault.refresh_on_query = False  # one command, one scan
            if not self._vault.save_index:
                warn(f"{self._vault.root}: {NOT_A_VAULT}")
            elif refused := self._vault.index_folder_refused():  # a link in a cloned vault (docs/security.md)
                warn(f"{refused}; nothing in it is used, the index is kept in memory")
        return self._vault

    @property
    def today(self) -> Any:
        return resolve_today(self.today_text)


pass_state = click.make_pass_decorator(State)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")(function)


def emit_json(data: Any) -> None:
    """JSON on stdout: indented for a terminal, compact (and ~20x faster to encode) for a pipe."""
    indent = 2 if sys.stdout.isatty() else None
    echo_json_text(json.dumps(data, ensure_ascii=False, indent=indent))


def echo_json_text(text: str) -> None:
    """One JSON document on stdout, in UTF-8 whatever the locale's encoding (JSON is UTF-8 for every reader).
    The controls a terminal acts on that JSON leaves raw (C1, bidi) are written as ``\\uXXXX``: the same values."""
    text = json_safe(text)
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None or _is_utf8(getattr(sys.stdout, "encoding", None)):
        click.echo(text)
        return
    sys.stdout.flush()
    binary.write(text.encode("utf-8") + b"\n")
    binary.flush()


def _is_utf8(encoding: str | None) -> bool:
    import codecs

    try:
        return encoding is not None and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _prepare_stdout() -> None:
    """A table or message for people on a stdout whose encoding (a Latin-1 or ASCII locale) cannot hold
    every name: such characters print as ``?``, not as an UnicodeEncodeError that ends the command.
    A stdout closed before Python started (``>&-``) is None: the output goes nowhere, as to a pipe
    whose reader left."""
    if sys.stdout is None:
        import os

        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        return
    if not _is_utf8(getattr(sys.stdout, "encoding", None)):
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def compact_due_json(today: dt.date, within_days: int, items: Sequence[DueItem]) -> str:
    """``json.dumps`` of the due list (``as_dict`` of every item), compact and ``ensure_ascii=False``, written
    out key by key: a big vault's due list is thousands of items, and this is twice as fast as building the
    dicts and encoding them. tests/unit/test_due_json.py holds it to ``json.dumps`` byte for byte."""
    text = encode_basestring
    parts = []
    for i in items:
        reasons = ", ".join([f'{{"kind": {text(r.kind)}, "due": "{r.due.isoformat()}", "detail": {text(r.detail)}}}'
                             for r in i.reasons])  # fmt: skip
        parts.append(
            f'{{"name": {text(i.name)}, "path": {text(i.path)}, "bucket": {text(i.bucket)}, '
            f'"due": "{i.due.isoformat()}", "days_overdue": {int(i.days_overdue)}, '
            f'"category": {"null" if i.category is None else text(i.category)}, '
            f'"tags": [{", ".join([text(t) for t in i.tags])}], "reasons": [{reasons}], '
            f'"cadence_ratio": {"null" if i.cadence_ratio is None else _json_float(i.cadence_ratio)}, '
            f'"losing_touch": {"true" if i.losing_touch else "false"}}}'
        )
    return f'{{"date": "{today.isoformat()}", "within_days": {int(within_days)}, "items": [{", ".join(parts)}]}}'


def _json_float(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else json.dumps(value)  # json writes NaN and Infinity


_TRAILING_SPACES = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """A line (or lines) for people, on stdout or stderr: every message the CLI prints goes through
    here or :func:`echo_rich`, so no control character or escape sequence from a vault reaches the
    terminal (:func:`mdnet.core.safe_text.printable`). JSON and exported data have their own channels."""
    click.echo(printable(message), err=err, nl=nl)


def warn(message: str) -> None:
    """``mdnet: warning: MESSAGE`` on stderr, on one line whatever the names in it hold."""
    click.echo(f"mdnet: warning: {printable_line(escape_line_breaks(message))}", err=True)


def echo_rich(renderable: Any) -> None:
    """A table for people, without the spaces rich pads a title or a card's lines with to the
    table's width (`:r !mdnet due` in vim would keep them); a closed pipe ends as in ``run``.

    No control character from the vault survives (:mod:`mdnet.cli.render_safe`)."""
    from rich.console import Console

    from mdnet.cli.render_safe import SafeRenderable

    # markup=False: a name or note like "send [b]the deck[/b]" is text, never rich markup.
    console = Console(soft_wrap=False, highlight=False, markup=False)
    with console.capture() as captured:
        console.print(SafeRenderable(renderable))
    click.echo(_TRAILING_SPACES.sub(r"\1", captured.get()), nl=False)


def echo_commit(commit: str | None, reason: str | None) -> None:
    """The last line of every writing command: the commit made, or why there is none."""
    echo(f"committed {commit[:10]}" if commit else f"not committed: {reason}")


def warn_bad_notes(state: State) -> None:
    """Notes left out because of errors: one stderr line each (up to a few)."""
    errors = sorted((p for p in state.vault.problems() if p.severity == "error"), key=lambda p: (p.path, p.line))
    first_by_note = {p.path: p for p in reversed(errors)}  # each note once, at its first error
    notes = sorted(first_by_note.values(), key=lambda p: p.path)
    for problem in notes[:MAX_WARNINGS]:
        warn(f"{problem.format()} (note left out)")
    if len(notes) > MAX_WARNINGS:
        warn(f"{len(notes) - MAX_WARNINGS} more notes left out; see 'mdnet check'")


# Commands that live in their own modules, imported only when run (or listed by
# --help), so that `mdnet due` never pays for watchdog, git or template engines.
LAZY_COMMANDS: dict[str, str] = {
    "brief": "mdnet.cli.brief:brief",
    "daily": "mdnet.cli.daily:daily",
    "draft": "mdnet.cli.draft:draft",
    "export": "mdnet.cli.interop:export_group",
    "followup": "mdnet.cli.history:followup",
    "history": "mdnet.cli.history:history",
    "import": "mdnet.cli.interop:import_group",
    "mail": "mdnet.cli.mail:mail_group",
    "merge-driver": "mdnet.cli.sync:merge_driver",
    "path": "mdnet.cli.network:path",
    "snooze": "mdnet.cli.history:snooze",
    "stats": "mdnet.cli.stats:stats",
    "sync": "mdnet.cli.sync:sync",
    "who": "mdnet.cli.network:who",
    "watch": "mdnet.cli.watch:watch",
}


class StdoutClosed(Exception):
    """The reader of stdout went away (``mdnet due --json | head -c 10``).

    Not an ``OSError``: click turns a broken pipe into exit 1, which would say that
    the command found a problem (and ``report`` must always exit 0).
    """


class LazyGroup(click.Group):
    """A click group whose commands in :data:`LAZY_COMMANDS` are imported on first use."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise StdoutClosed from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            import importlib

            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--vault", "vault_path", metavar="PATH", help="The vault (default: $MDNET_VAULT, else discovered).")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (default: $MDNET_TODAY, else the clock).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="mdnet")
@click.pass_context
def main(context: click.Context, vault_path: str | None, today: str | None, debug: bool) -> None:
    """Keep in touch with your network, in plain Markdown."""
    context.obj = State(vault_path, today, debug)
    context.call_on_close(lambda: context.obj._vault.close() if context.obj._vault else None)


@main.command()
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


@main.command()
@click.argument("name")
@click.option("--category", help="client, vendor, friend, recruiter, ... (free text)")
@click.option("--cadence", help="Keep in touch every ... (30d, 2w, 3m, quarterly, never).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--email", "emails", multiple=True, help="An email address (repeatable).")
@click.option("--company", help="Their company (written as a wikilink).")
@click.option("--role", help="Their role.")
@pass_state
def add(state: State, name: str, category: str | None, cadence: str | None, tags: tuple[str, ...],
        emails: tuple[str, ...], company: str | None, role: str | None) -> None:  # fmt: skip
    """Add a contact note named after the person."""
    vault = state.vault
    path = vault.add(name, category=category, cadence=cadence, tags=tags, email=emails, company=company,
                     role=role, today=state.today)  # fmt: skip
    echo(f"added {path.relative_to(vault.root).as_posix()}")


@main.command(name="list")
@click.option("--category", help="Only this category.")
@click.option("--tag", help="Only contacts with this tag.")
@json_option
@pass_state
def list_(state: State, category: str | None, tag: str | None, as_json: bool) -> None:
    """List contacts."""
    vault, today = state.vault, state.today
    contacts = vault.contacts(category=category, tag=tag)
    rules = vault.config.due_rules
    dues = {c.path: rules.next_due(c, today) for c in contacts}
    if as_json:
        emit_json({"contacts": [
            {"name": c.name, "path": c.path, "category": c.category, "tags": list(c.tags),
             "cadence": c.fields.get("cadence"), "last_contact": _iso(c.last_contact), "due": _iso(dues[c.path])}
            for c in contacts]})  # fmt: skip
    else:
        from mdnet.cli import render

        echo_rich(render.contacts_table(contacts, dues, category, tag))
    warn_bad_notes(state)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


@main.command()
@click.argument("name")
@json_option
@pass_state
def show(state: State, name: str, as_json: bool) -> None:
    """Show one contact: fields, due state, last interactions."""
    vault, today = state.vault, state.today
    contact = vault.get(name)
    item = vault.config.due_rules.item_for(contact, today)
    if as_json:
        emit_json({"name": contact.name, "path": contact.path, "fields": contact.fields,
                   "last_contact": _iso(contact.last_contact), "due": None if item is None else item.as_dict(),
                   "log": [{"date": e.date.isoformat(), "time": e.time, "kind": e.kind, "text": e.text}
                           for e in contact.log]})  # fmt: skip
        return
    from mdnet.cli import render

    echo_rich(render.contact_card(contact, item, today))


@main.command()
@click.argument("name")
@click.argument("text", nargs=-1, required=True)
@click.option("--kind", help="What it was: coffee, email, call, lunch, meeting, ...")
@click.option("--date", "when", metavar="DATE", help="When it happened (default: today).")
@click.option("--no-commit", is_flag=True, help="Write the note but do not commit.")
@json_option
@pass_state
def log(state: State, name: str, text: tuple[str, ...], kind: str | None, when: str | None, no_commit: bool,
        as_json: bool) -> None:  # fmt: skip
    """Log an interaction: a Log entry, last_contact raised, needs_reply cleared, one git commit."""
    result = state.vault.log(name, " ".join(text), kind=kind, when=when, commit=not no_commit, today=state.today)
    if as_json:
        emit_json(result.as_dict())
        return
    echo(f"logged in {result.path}: {result.entry}")
    echo_commit(result.commit, result.not_committed_because)


@main.command()
@click.option("--within", metavar="DURATION", help="The window for 'upcoming' (default 7d; 30d for the month).")
@click.option("--category", help="Only this category.")
@click.option("--tag", help="Only contacts with this tag.")
@json_option
@pass_state
def due(state: State, within: str | None, category: str | None, tag: str | None, as_json: bool) -> None:
    """Whom to contact: replies owed, overdue, due today, coming up."""
    vault, today = state.vault, state.today
    window = days_within(within, today, vault.config.upcoming_days)
    items = vault.due(today=today, within=window, category=category, tag=tag)
    if as_json and sys.stdout.isatty():
        emit_json({"date": today.isoformat(), "within_days": window, "items": [i.as_dict() for i in items]})
    elif as_json:
        echo_json_text(compact_due_json(today, window, items))
    else:
        from mdnet.cli import render

        echo_rich(render.due_table(items, today, window))
    warn_bad_notes(state)


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@json_option
@pass_state
def check(state: State, files: tuple[str, ...], as_json: bool) -> None:
    """Validate notes: path:line:col: error: message. Exit 1 on any error."""
    problems = state.vault.check(list(files) if files else None)
    if as_json:
        emit_json({"problems": [p.as_dict() for p in problems]})
    else:
        for problem in problems:
            echo(problem.format())
    if any(p.severity == "error" for p in problems):
        sys.exit(1)


@main.command()
@json_option
@pass_state
def report(state: State, as_json: bool) -> None:
    """The due list in brief, for a pre-commit hook. Always exits 0."""
    try:
        vault, today = state.vault, state.today
        items = vault.due(today=today)
    except MdnetError as exc:
        if as_json:
            emit_json({"error": str(exc)})
        else:
            echo(f"mdnet report: {exc}")
        return
    counts = {bucket: sum(1 for i in items if i.bucket == bucket) for bucket in BUCKETS}
    if as_json:
        emit_json({"date": today.isoformat(), "counts": counts,
                   "reply": [i.name for i in items if i.bucket == "reply"],
                   "overdue": [i.name for i in items if i.bucket == "overdue"]})  # fmt: skip
        return
    words = {b: "replies" if b == "reply" and counts[b] != 1 else b for b in BUCKETS}  # '0 reply' reads wrong
    echo(f"mdnet {today}: " + ", ".join(f"{counts[b]} {words[b]}" for b in BUCKETS))
    for bucket, label in (("reply", "reply owed"), ("overdue", "overdue")):
        names = [
            escape_line_breaks(i.name) + (f" ({i.days_overdue}d)" if i.days_overdue else "")
            for i in items
            if i.bucket == bucket
        ]
        if names:
            echo(f"  {label}: " + ", ".join(names))


@main.command()
@click.argument("text", nargs=-1, required=True)
@json_option
@pass_state
def search(state: State, text: tuple[str, ...], as_json: bool) -> None:
    """Full-text search over contacts."""
    query = " ".join(text)
    results = state.vault.search(query)
    if as_json:
        emit_json({"query": query, "results": [{"name": c.name, "path": c.path, "snippet": s} for c, s in results]})
        return
    from mdnet.cli import render

    echo_rich(render.search_table(results, query))


@main.command()
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
        stats = dataclasses.replace(stats, rebuilt=True)
    if as_json:
        emit_json(stats.as_dict())
        return
    from mdnet.cli import render

    echo(render.stats_line(stats))
    warn_bad_notes(state)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"mdnet: error: {printable_line(escape_line_breaks(message))}", err=True)
    sys.exit(code)


def _stdout_closed() -> NoReturn:
    """Exit 0, quietly: what is still buffered for the closed stdout goes to the null device
    (flushing it at exit would fail again, with exit 120 and a message on stderr)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's StringIO): nothing to flush to a pipe
        pass
    sys.exit(0)


def _spare_the_garbage_collector() -> None:
    """What the imports made lives as long as the process: the collector stops scanning it (``gc.freeze``),
    and runs a tenth as often. A due list of a 10k vault makes tens of thousands of objects, and the
    collector's passes over them and the imports' were ~3% of ``mdnet due``."""
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


GLOBAL_OPTIONS = {"--vault": "PATH", "--today": "DATE", "--debug": ""}


def _global_option_misplaced(exc: click.ClickException) -> str | None:
    """``mdnet due --today 2026-11-25``: where the option goes, instead of click's "Did you mean '--tag'?"."""
    option = getattr(exc, "option_name", None)
    context = getattr(exc, "ctx", None)
    if not isinstance(exc, click.NoSuchOption) or option not in GLOBAL_OPTIONS or context is None:
        return None
    command = context.command_path.partition(" ")[2]
    if not command:
        return None
    example = " ".join(part for part in ("mdnet", option, GLOBAL_OPTIONS[option], command) if part)
    return f"{option} is an option of mdnet, not of {command!r}: put it before the command ({example})"


def run(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every error into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    if argv is None:  # this process runs one command and ends
        _spare_the_garbage_collector()
    debug = "--debug" in args
    _prepare_stdout()
    try:
        main.main(args=args, prog_name="mdnet", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("interrupted", 130)
    except click.ClickException as exc:
        if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):  # `mdnet` alone (click >= 8.2)
            click.echo(exc.format_message(), err=True)  # the help, as it reads, not as an error line
            sys.exit(exc.exit_code)
        _fail(_global_option_misplaced(exc) or exc.format_message(), exc.exit_code)
    except MdnetError as exc:
        if debug:
            raise
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except (BrokenPipeError, StdoutClosed):
        _stdout_closed()
    except Exception as exc:
        if debug:
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", 2)
    sys.exit(0)
