"""``mdnet watch``: keep the index in step with the vault until interrupted (SPEC section 7).

A thin shell around :class:`mdnet.watch.watcher.Watcher`: options in, status lines out,
SIGINT and SIGTERM end it cleanly (pending refreshes and commits are finished first).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from types import FrameType

import click

from mdnet.cli.output import echo
from mdnet.cli.state import State, pass_state
from mdnet.vault.arguments import resolve_today


@click.command()
@click.option("--autocommit", is_flag=True, help="Commit changed notes once edits settle (names the contacts).")
@click.option("--daily", is_flag=True, help="Refresh today's daily note when the due list changes and at midnight.")
@click.option("--verbose", "-v", is_flag=True, help="Print every file-system event, not just one line per batch.")
@click.option(
    "--vdir",
    "vdir",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[DIR]",
    help="Sync the vdir DIR (default: vdir in mdnet.toml) when a contact note or a card changes.",
)
@click.option("--polling", is_flag=True, help="Poll for changes instead of using inotify (network file systems).")
@pass_state
def watch(state: State, autocommit: bool, daily: bool, verbose: bool, polling: bool, vdir: str | None) -> None:
    """Keep the index (and git, today's daily note, a vdir) in step with the vault until interrupted."""
    from mdnet.watch.watcher import Watcher

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread (embedded use): the caller handles signals
            previous[sig] = signal.signal(sig, on_signal)

    def report(line: str) -> None:
        echo(f"{time.strftime('%H:%M:%S')} {line}")

    watcher = Watcher(state.vault, autocommit=autocommit, daily=daily, verbose=verbose, report=report,
                      observer="polling" if polling else "auto", vdir=vdir,
                      today=lambda: resolve_today(state.today_text))  # fmt: skip
    try:
        watcher.start()
        while not stop.wait(0.5) and watcher.running:
            pass
    finally:
        watcher.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if watcher.error is not None:  # it stopped by itself: its vault folder went away
        raise watcher.error
