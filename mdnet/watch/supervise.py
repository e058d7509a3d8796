"""Index supervision for the watcher: the index file and the vault folder kept an eye on between batches.

A damaged index is thrown away and rebuilt, a deleted or replaced index file is opened again,
an index that fell back to memory goes back to its file once it can, and a vault folder that
went away stops the watcher. Runs on the worker's thread, which owns the Vault.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

from mdnet.errors import VaultError
from mdnet.store.index import Index
from mdnet.vault.facade import Vault

FILE_RETRY_FIRST = 1.0  # an index that fell back to memory tries its file again after this long ...
FILE_RETRY_MAX = 60.0  # ... then after twice as long each time, up to this


class IndexSupervisor:
    """Follows the watcher's index file and vault folder; ``vault`` gives the watcher's Vault of the moment."""

    def __init__(self, root: Path, vault: Callable[[], Vault], say: Callable[[str], None],
                 request_full_scan: Callable[[str], None]) -> None:  # fmt: skip
        self.root = root
        self._vault = vault
        self.say = say
        self.request_full_scan = request_full_scan
        self.error: VaultError | None = None  # set when the vault folder went away
        self._root_id: tuple[int, int] | None = None
        self._index_id: tuple[int, int] | None = None
        self._index_size = 0  # the largest the index file has been: it only grows, unless cut short
        self._file_retry_at: float | None = None  # set while the index is in memory: when to try the file
        self._file_retry_delay = FILE_RETRY_FIRST

    @property
    def vault(self) -> Vault:
        return self._vault()

    def _index(self) -> Index:
        return self.vault.indexed()

    @property
    def retry_at(self) -> float | None:
        """When to try the index file again (None: on the file, or never to be)."""
        return self._file_retry_at

    def start(self) -> None:
        """Remember which folder the vault is, before the first scan."""
        self._root_id = _identity(self.root, folder=True)

    def discard_damaged_index(self, exc: sqlite3.DatabaseError) -> bool:
        """A read of the index found it damaged: throw it away as a query does (see ``index.heals``), open a new
        one, and let the caller scan the vault into it. False when ``exc`` is not damage (a lock, a full disk)."""
        if not self.vault.session.heal(exc):
            return False
        self.say(f"the index is damaged ({exc}); rebuilding it")
        self.remember_index()
        return True

    def vault_folder_is_gone(self, source_holds_folders: bool) -> bool:
        """True (and ``error`` set) when the vault folder was moved, deleted, replaced or unmounted: the event
        source watches the old folder or nothing, and a scan of the path would read another folder or none."""
        found = _identity(self.root, folder=True)
        if (
            self._root_id is None
            or found == self._root_id
            or (found is not None and found[0] == self._root_id[0] and not source_holds_folders)
        ):
            return False
        self.error = VaultError("the vault folder was moved, deleted, replaced or unmounted while being watched",
                                path=str(self.root))  # fmt: skip
        self.say(f"{self.error}; stopping")
        return True

    def check_index_file(self) -> None:
        """An index file deleted (``rm -rf .mdnet``) or replaced under the watcher is opened again and filled by
        a full scan: the watcher must not keep a deleted file up to date while the vault has no index."""
        path = self._index().path
        if path is None:
            return
        if _identity(path) == self._index_id:
            self._check_size(path)
            return
        self.vault.close()
        self.remember_index()
        self.request_full_scan("the index was deleted or replaced")

    def follow_index_file(self) -> None:
        """Go back to the index file after falling back to memory (a lock held past the 30 s wait, a read-only
        ``.mdnet/``, a full disk): say so once, then try the file again after 1 s, 2 s, 4 s ... up to a minute
        apart; once it can be written it is brought up to date by a normal refresh and used again. A command
        may answer from memory for its one run; a watcher left there would keep every later command reading
        an index nobody updates, and lose its work when it stops."""
        if self._index().path is not None or not self.vault.save_index:
            return  # on the file, or never to be: a folder no marker makes a vault (the command said so)
        now = time.monotonic()
        if self._file_retry_at is None:
            self._file_retry_delay = FILE_RETRY_FIRST
            self._file_retry_at = now + self._file_retry_delay
            why = self.vault.in_memory_because or "unknown error"
            self.say(f"the index file cannot be written ({why}); keeping the index in memory until it can")
            return
        if now < self._file_retry_at:
            return
        # The next try is set before this one, so that a try that raises (reported by the loop) is followed by the
        # same back-off as one that finds the file locked, not by another try at once, for ever.
        self._file_retry_delay = min(FILE_RETRY_MAX, self._file_retry_delay * 2)
        self._file_retry_at = now + self._file_retry_delay
        stats = self.vault.reopen_index_file()
        if stats is None:
            return
        self._file_retry_at = None
        self.remember_index()
        brought = stats.added + stats.updated + stats.removed
        self.say(f"the index file can be written again; back on it ({brought} notes brought up to date)")

    def remember_index(self) -> None:
        """Which file the index is now (None in memory), for :meth:`check_index_file` to see it go."""
        path = self._index().path
        self._index_id = None if path is None else _identity(path)
        self._index_size = 0 if path is None else _size(path)

    def _check_size(self, path: Path) -> None:
        """A database file only grows (mdnet never vacuums; a rebuild is a new file). One cut short under the
        watcher (``truncate``, a full disk's half-written copy) has lost pages that SQLite may still hold in its
        cache, so the watcher would go on writing into a file no other command can read: damage, raised as
        such so that the loop rebuilds the index (``discard_damaged_index``)."""
        size = _size(path)
        if size < self._index_size:
            raise sqlite3.DatabaseError(f"the index file was cut short ({self._index_size:,} -> {size:,} bytes)")
        self._index_size = size


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _identity(path: Path, folder: bool = False) -> tuple[int, int] | None:
    """The file system and inode of ``path``; None when it is gone (or, for a ``folder``, is no folder now)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if folder and not stat.S_ISDIR(info.st_mode):
        return None
    return info.st_dev, info.st_ino
