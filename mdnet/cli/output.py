"""What the CLI prints, and the only functions that print it: lines for people, JSON for programs.

Every message for people goes through :func:`echo`, :func:`warn` or :func:`echo_rich`, so no
control character or escape sequence from a vault reaches the terminal; JSON goes through
:func:`echo_json_text` (tests/system/test_security_terminal.py holds the commands to this).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from mdnet.core.model import escape_line_breaks
from mdnet.core.safe_text import json_safe, printable, printable_line


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


def prepare_stdout() -> None:
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


# (?<! ): tried from the first space of a run only (from each space, a padded table took 70 ms per 4,000 lines)
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_TRAILING_SPACES = re.compile(r"(?<! ) +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


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

    click.echo(rich_text(renderable), nl=False)


def rich_text(renderable: Any) -> str:
    """What :func:`echo_rich` prints for ``renderable`` (to count its lines before printing it)."""
    from rich.console import Console

    from mdnet.cli.render_safe import SafeRenderable

    # markup=False: a name or note like "send [b]the deck[/b]" is text, never rich markup.
    console = Console(soft_wrap=False, highlight=False, markup=False)
    with console.capture() as captured:  # crop=False: a table wider than a narrow terminal is never cut
        console.print(SafeRenderable(renderable), crop=False)
    return _TRAILING_SPACES.sub(r"\1", captured.get())


def echo_commit(commit: str | None, reason: str | None, failed: bool = False) -> None:
    """The last line of every writing command: the commit made, or why there is none. ``failed``: git refused
    the commit (busy past its retries, a stale lock, a hook): the command exits 1, the note stays written."""
    echo(f"committed {commit[:10]}" if commit else f"not committed: {reason}")
    if failed and not commit:
        raise SystemExit(1)


def shown_limit(limit: int | None, show_all: bool, per_screen: int) -> int | None:
    """How many rows a table shows: ``--all`` (or ``--limit 0``) all; ``--limit N`` N; else, on a terminal,
    what fits a screen (``per_screen`` rows of it are the table's own lines and titles), and to a pipe all."""
    if show_all or limit == 0:
        return None
    if limit is not None:
        return limit
    if not sys.stdout.isatty():
        return None
    import shutil

    return max(5, shutil.get_terminal_size().lines - per_screen)


def screen_height(limit: int | None, show_all: bool) -> int | None:
    """The terminal's height in lines when a table is to fit one screen (a terminal, neither ``--limit`` nor
    ``--all``); ``None`` otherwise."""
    if show_all or limit is not None or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().lines


def fit_screen(count: int, height: int, render: Callable[[int], str]) -> int:
    """The most rows of ``count`` (at least one) whose text, ``render(rows)``, fits ``height`` lines with
    the ``and N more`` line under it and the shell's prompt after: the table's real lines are counted
    (titles, borders, wrapped reasons), and a line wider than the terminal as the screen lines it takes
    (a narrow terminal, where names and dates alone are wider), not guessed. Rendered a few times (a
    binary search), never ``count`` times."""
    import shutil

    width = max(1, shutil.get_terminal_size().columns)
    low, high = 1, max(1, min(count, height))
    while low < high:
        middle = (low + high + 1) // 2
        text = render(middle)
        more = 1 if middle < count else 0
        if screen_lines(text, width) + more <= height - 1:
            low = middle
        else:
            high = middle - 1
    return low


def screen_lines(text: str, width: int) -> int:
    """The lines ``text`` (ending in a newline, as printed) takes on a terminal ``width`` cells wide: a line
    wider than that wraps onto as many more as it needs. Colour codes take no cells."""
    from rich.cells import cell_len

    return sum(max(1, -(-cell_len(_COLOUR.sub("", line)) // width)) for line in text.split("\n")[:-1])


def echo_more(left: int) -> None:
    """``and 2,000 more: --all`` under a table cut by :func:`shown_limit`."""
    if left > 0:
        echo(f"and {left:,} more: --all (or --limit N)")
