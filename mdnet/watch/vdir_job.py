"""``--vdir``: one ``vdir sync`` (the CLI's own function) once contact notes or cards settle after a change.

Free of watchdog like the engine: :class:`mdnet.watch.watcher.Watcher` watches the vdir folder with a
second event source and hands each card's event to :meth:`VdirJob.card_event` (any thread). Changes
settle as for ``--autocommit`` (``commit_quiet`` without events, at most ``autocommit_max_wait``), then
the worker runs one sync.

No loop: a sync that changes nothing writes nothing; the job keeps the cards as they were after its
own sync (their change tokens) and the tokens of the notes it wrote, so the events of its own writes
end in a comparison, never in another sync. A card written by someone else during a sync is caught by
comparing the folder with the sync's state, and synced again (a few times at most in a row). A sync
error is one line; the watcher goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from mdnet.core.wording import counted
from mdnet.errors import MdnetError
from mdnet.interop import vdir as vdir_sync
from mdnet.interop import vdir_files
from mdnet.interop.vdir_files import CARD_SUFFIXES
from mdnet.vault.facade import Vault

MAX_RESYNCS = 3  # syncs in a row for cards written during a sync (a card left alone stays changed for ever)
SHOWN = 5  # conflicts and problems reported one line each; the rest counted


def is_card_name(name: str) -> bool:
    """A file name the sync reads as a card (the rules of :func:`mdnet.interop.vdir_files.card_names`)."""
    return not name.startswith(".") and "." in name and name.lower().endswith(CARD_SUFFIXES)


class VdirJob:
    """Keeps the vdir ``folder`` in step (``None``: the job is off). ``cond`` is the engine's condition: card
    events (any thread) wake the worker through it; ``before_sync`` commits what ``--autocommit`` holds."""

    def __init__(self, root: Path, vault: Callable[[], Vault], folder: Path | None, *,
                 cond: threading.Condition, quiet: float, max_wait: Callable[[], float],
                 say: Callable[[str], None], token_of: Callable[[str], str | None],
                 before_sync: Callable[[], None]) -> None:  # fmt: skip
        self.root = root
        self.folder = folder
        self._vault = vault
        self._cond = cond
        self.quiet = quiet
        self._max_wait = max_wait
        self.say = say
        self.token_of = token_of
        self._before_sync = before_sync
        self.syncs = 0  # syncs run (for tests and the report)
        self.results: list[vdir_sync.SyncResult] = []
        self._due_at: float | None = None
        self._since: float | None = None
        self._force = False  # sync whatever the comparison says (start, notes changed, a card written meanwhile)
        self._cards: dict[str, str] | None = None  # the cards (name -> token) as the last sync left them
        self._own: dict[str, str | None] = {}  # the notes the last sync wrote, with their tokens then
        self._paired: set[str] = set()  # the notes the state pairs with a card (a deleted one deletes its card)
        self._resyncs = 0

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    @property
    def due_at(self) -> float | None:
        """When the next look at the vdir is due (None: nothing waits)."""
        return self._due_at

    @property
    def waiting(self) -> bool:
        return self._due_at is not None

    def start(self) -> None:
        """Sync once on start: what changed on either side while nothing watched."""
        if self.enabled:
            with self._cond:
                self._force = True
                self._due_at = time.monotonic()

    # -- what tells the job to look (cards: any thread; notes: the worker) -----

    def card_event(self, names: Iterable[str]) -> None:
        """The observer saw these file names change in the vdir; only cards count."""
        if self.enabled and any(is_card_name(name) for name in names):
            with self._cond:
                self._schedule(time.monotonic())
                self._cond.notify_all()

    def after_change(self, changed: Iterable[str]) -> None:
        """Notes changed in the index: a contact's (or a paired note gone) is synced once edits settle; a note
        still as the job's last sync wrote it is that sync's own write."""
        if not self.enabled:
            return
        index = self._vault().indexed()
        for path in changed:
            if path in self._own and self.token_of(path) == self._own[path]:
                continue
            if path in self._paired or index.contact(path) is not None:
                with self._cond:
                    self._force = True
                    self._schedule(time.monotonic())
                return

    def after_full_scan(self) -> None:
        """A full scan (periodic, after an overflow or a restart): look at the cards too."""
        if self.enabled:
            with self._cond:
                self._schedule(time.monotonic())

    def _schedule(self, now: float) -> None:
        if self._since is None:
            self._since = now
        self._due_at = min(now + self.quiet, self._since + self._max_wait())

    def postpone(self, when: float) -> None:
        """Edits are still coming: look again at ``when``, no later than ``autocommit_max_wait`` after the
        first change waiting."""
        self._due_at = when if self._since is None else min(when, self._since + self._max_wait())

    def overdue(self, now: float) -> bool:
        return self._since is not None and now >= self._since + self._max_wait()

    # -- the sync (the worker) ---------------------------------------------------

    def run(self) -> None:
        """Sync when a note changed or the cards are not as the last sync left them; else nothing."""
        assert self.folder is not None
        with self._cond:
            force, self._force = self._force, False
            self._due_at = self._since = None
        try:
            before = vdir_files.card_names(self.folder)
        except MdnetError as exc:
            self.say(f"vdir sync failed: {exc}")
            return
        if not force and before == self._cards:
            self._resyncs = 0
            return  # only the events of the last sync's own writes
        self._sync(before)

    def _sync(self, before: dict[str, str]) -> None:
        assert self.folder is not None
        self._before_sync()  # --autocommit: the user's own edits first, in their own commit
        vault = self._vault()
        refreshing, vault.refresh_on_query = vault.refresh_on_query, False  # the watcher keeps the index
        try:
            result = vdir_sync.sync(vault, self.folder, hooks=False)
        except Exception as exc:  # never kills the watcher: the next change tries again
            self.say(f"vdir sync failed: {exc}" if isinstance(exc, MdnetError)
                     else f"vdir sync failed: {type(exc).__name__}: {exc}")  # fmt: skip
            return
        finally:
            vault.refresh_on_query = refreshing
        self.syncs += 1
        self.results.append(result)
        del self.results[:-100]
        for line in _report(result):
            self.say(line)
        self._remember(before, result)

    def _remember(self, before: dict[str, str], result: vdir_sync.SyncResult) -> None:
        """The cards and notes as this sync left them; another sync soon when a card changed meanwhile."""
        assert self.folder is not None
        written = {p.split(": ", 1)[0] for p in result.notes_changed + result.notes_created}
        self._own = {path: self.token_of(path) for path in written}
        state, _ = vdir_files.load_state(self.root, str(self.folder))
        self._paired = {pair.note for pair in state.pairs.values()}
        try:
            after = vdir_files.card_names(self.folder)
        except MdnetError:
            after = {}
        self._cards = after
        made = {p.split(": ", 1)[0] for p in result.cards_created}
        foreign = set(after) - set(before) - made or any(
            pair.card in after and after[pair.card] != pair.token for pair in state.pairs.values()
        )
        if foreign and self._resyncs < MAX_RESYNCS:
            self._resyncs += 1
            with self._cond:
                self._force = True
                self._schedule(time.monotonic())
        elif not foreign:
            self._resyncs = 0


def summary(result: vdir_sync.SyncResult) -> str:
    """One line: what a sync did (``vdir sync with contacts: 1 note updated, 1 card created; committed ...``)."""
    parts = [
        counted(len(items), noun) + f" {verb}"
        for items, noun, verb in (
            (result.notes_created, "note", "created"), (result.notes_changed, "note", "updated"),
            (result.cards_created, "card", "created"), (result.cards_written, "card", "updated"),
            (result.cards_deleted, "card", "deleted"), (result.kept, "note", "kept (card deleted)"),
        )
        if items
    ]  # fmt: skip
    if result.conflicts:
        parts.append(counted(len(result.conflicts), "conflict"))
    if result.problems:
        parts.append(counted(len(result.problems), "problem"))
    what = ", ".join(parts) if parts else "in step, nothing to change"
    if result.commit:
        what += f"; committed {result.commit[:10]}"
    elif result.not_committed and result.notes_changed + result.notes_created:
        what += f"; not committed: {result.not_committed}"
    return f"vdir sync with {Path(result.folder).name}: {what}"


def _report(result: vdir_sync.SyncResult) -> list[str]:
    lines = [summary(result)]
    for label, items in (("conflict", result.conflicts), ("problem", result.problems)):
        lines.extend(f"vdir {label}: {item}" for item in items[:SHOWN])
        if len(items) > SHOWN:
            lines.append(f"vdir: {counted(len(items) - SHOWN, label)} more (mdnet vdir sync lists them)")
    return lines
