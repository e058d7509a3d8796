"""The command line: the click group and :func:`run`, the only place that exits.

Each command lives in a module of its family (``mdnet.cli.contacts``, ``mdnet.cli.due``, ...),
imported only when run: it builds objects, calls one library function, and prints the result
as a table for people or JSON for programs (:mod:`mdnet.cli.output`). Errors from the library
become one line on stderr (``mdnet: error: ...``) and an exit code, in :func:`run`.
"""

from __future__ import annotations

import gc
import sys
from typing import Any, NoReturn

import click

from mdnet.cli.output import prepare_stdout
from mdnet.cli.state import State
from mdnet.core.model import escape_line_breaks
from mdnet.core.safe_text import printable_line
from mdnet.errors import MdnetError

# Every command lives in the module of its family and is imported only when run (or listed
# by --help), so that `mdnet due` never pays for watchdog, git or template engines.
LAZY_COMMANDS: dict[str, str] = {
    "add": "mdnet.cli.contacts:add",
    "brief": "mdnet.cli.brief:brief",
    "calendar": "mdnet.cli.calendar:calendar_group",
    "check": "mdnet.cli.check:check",
    "daily": "mdnet.cli.daily:daily",
    "draft": "mdnet.cli.draft:draft",
    "due": "mdnet.cli.due:due",
    "export": "mdnet.cli.interop:export_group",
    "followup": "mdnet.cli.history:followup",
    "history": "mdnet.cli.history:history",
    "import": "mdnet.cli.interop:import_group",
    "index": "mdnet.cli.check:index",
    "init": "mdnet.cli.init:init",
    "list": "mdnet.cli.contacts:list_",
    "log": "mdnet.cli.history:log",
    "mail": "mdnet.cli.mail:mail_group",
    "news": "mdnet.cli.news:news",
    "merge-driver": "mdnet.cli.sync:merge_driver",
    "path": "mdnet.cli.network:path",
    "report": "mdnet.cli.due:report",
    "search": "mdnet.cli.contacts:search",
    "show": "mdnet.cli.contacts:show",
    "snooze": "mdnet.cli.history:snooze",
    "stats": "mdnet.cli.stats:stats",
    "sync": "mdnet.cli.sync:sync",
    "vdir": "mdnet.cli.vdir:vdir_group",
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


def _unquoted_name_hint(exc: click.ClickException, args: list[str]) -> str | None:
    """``mdnet show Anna Berg``: click's "Got unexpected extra argument (Berg)", with how to give the name."""
    context = getattr(exc, "ctx", None)
    if not exc.message.startswith("Got unexpected extra argument") or context is None:
        return None
    name = context.params.get("name")
    command = context.command_path.partition(" ")[2]
    if not isinstance(name, str) or not command or name not in args:
        return None
    following = args[args.index(name) + 1 :]
    following = following[: next((i for i, a in enumerate(following) if a.startswith("-")), len(following))]
    if not following:
        return None
    from mdnet.cli.names import completed_name, finds_contact, quote_hint

    state = context.find_object(State)
    try:
        vault = state.vault if state is not None else None
    except MdnetError:  # no vault to ask: the words may be a name
        vault = None
    if vault is not None:
        whole = completed_name(vault, name, following)
        if whole is not None:
            return f"{exc.format_message()}; {quote_hint(command, whole)}"
        if finds_contact(vault, name):  # `followup jane 2026-12-01 "send deck"`: the text wants its option
            return _text_option_hint(exc, context, command, name)
    return f"{exc.format_message()}; {quote_hint(command, name + ' ' + following[0])}"


def _text_option_hint(exc: click.ClickException, context: click.Context, command: str, name: str) -> str | None:
    """The extra words go to the option that takes the text (``--note TEXT``), when the command has one."""
    option = next((p for p in context.command.params if isinstance(p, click.Option) and p.metavar == "TEXT"), None)
    if option is None:
        return None
    extra = exc.message.partition("(")[2].rpartition(")")[0]
    given = [str(v) for p in context.command.params if isinstance(p, click.Argument)
             for v in ([context.params.get(p.name)] if p.name else []) if v is not None]  # fmt: skip
    words = " ".join(_shell_word(w) for w in given)
    example = f'mdnet {command} {words} {option.opts[0]} "{extra}"'
    return f"{exc.format_message()}; {name!r} is a contact: give the text with {option.opts[0]} ({example})"


def _shell_word(word: str) -> str:
    return f'"{word}"' if not word or any(c.isspace() for c in word) else word


def run(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every error into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    if argv is None:  # this process runs one command and ends
        _spare_the_garbage_collector()
    debug = "--debug" in args
    if debug:  # mdnet's debug lines (logger "mdnet.refresh": each refresh decision) on stderr
        import logging

        logging.basicConfig(format="mdnet: debug: %(message)s")
        logging.getLogger("mdnet").setLevel(logging.DEBUG)
    prepare_stdout()
    try:
        main.main(args=args, prog_name="mdnet", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("interrupted", 130)
    except click.ClickException as exc:
        if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):  # `mdnet` alone (click >= 8.2)
            # `mdnet` alone asks what mdnet does: the help on stdout, exit 0. A group without its
            # subcommand (`mdnet mail`) is bad usage: its help on stderr, exit 2.
            alone = getattr(exc, "ctx", None) is not None and exc.ctx.parent is None  # type: ignore[attr-defined]
            click.echo(exc.format_message(), err=not alone)  # the help, as it reads, not as an error line
            sys.exit(0 if alone else exc.exit_code)
        hint = _global_option_misplaced(exc) or _unquoted_name_hint(exc, args)
        _fail(hint or exc.format_message(), exc.exit_code)
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
