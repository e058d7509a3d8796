"""One vault's index for as long as something uses it: open, fall back to memory, heal, reopen, refresh.

The :class:`~mdnet.vault.facade.Vault` holds one :class:`IndexSession` and its services share it; the
watcher uses the same public methods (:meth:`IndexSession.heal`, :meth:`IndexSession.reopen_index_file`)
instead of reaching into the facade. The index is a disposable cache: a damaged one is thrown away and
rebuilt, one that cannot be written is answered from memory (``in_memory_because`` says why).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from mdnet.config import Config
from mdnet.core.model import RefreshStats
from mdnet.store import files
from mdnet.store.index import Index
from mdnet.store.index_file import cannot_write, delete_database
from mdnet.store.layout import INDEX_DIR, INDEX_NAME, NOT_A_VAULT
from mdnet.store.refresh import refresh


class IndexSession:
    """The index of the vault at ``root``, opened when first wanted.

    ``save_index`` is False for a working directory that no marker made a vault (see ``Vault.open``):
    its index stays in memory. ``config`` may be replaced while the session lives (the watcher reloads
    ``mdnet.toml``); every refresh reads the current one.
    """

    def __init__(self, root: Path, config: Config, *, save_index: bool = True) -> None:
        self.root = root
        self.config = config
        self.save_index = save_index
        self._index: Index | None = None
        # Every query brings the index up to date first. A short-lived caller (one CLI
        # command) sets this False: one scan at its first query, then its own writes
        # refresh just the notes they touch.
        self.refresh_on_query = True
        self._refreshed = False
        # Why the index is in memory, when it is (the file could not be created or written): for the watcher,
        # which says so and later tries the file again (reopen_index_file).
        self.in_memory_because: str | None = None
        # Told (notes stored, notes to store) by every refresh that reads notes: the command line's progress bar.
        self.progress: Callable[[int, int], None] | None = None

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def indexed(self) -> Index:
        """The index as it stands, not brought up to date: the file, or memory when the file cannot be used."""
        if self._index is None and not self.save_index:
            self._index = Index.memory()
            self.in_memory_because = NOT_A_VAULT
        if self._index is None:
            try:
                self._index = self._open_index_file()
                self.in_memory_because = None
            except (OSError, sqlite3.OperationalError) as exc:
                self._index = Index.memory()  # a read-only vault still answers
                self.in_memory_because = str(exc)
        return self._index

    def _open_index_file(self) -> Index:
        """The index file in ``.mdnet/``, made with its .gitignore when missing. A ``.mdnet`` mdnet did not make (a
        link, or one holding links, as a cloned vault may: docs/security.md) raises :class:`files.NotOwnFolder`
        before anything in it is opened or written; the caller answers from memory."""
        folder = self.root / INDEX_DIR
        files.own_folder(folder, create=True)
        files.create_own_file(folder / ".gitignore", b"# mdnet's disposable index; never versioned\n*\n")
        return Index.open(folder / INDEX_NAME)

    def index_folder_refused(self) -> str | None:
        """Why ``.mdnet/`` is not used, when it is there but not an index folder mdnet made; None otherwise.
        For the command line's warning: such a vault answers from an index in memory, every command."""
        if not self.save_index:
            return None
        try:
            files.own_folder(self.root / INDEX_DIR)
        except files.NotOwnFolder as exc:
            return str(exc)
        except OSError:
            return None  # unreadable: the index's own open says why
        return None

    def reopen_index_file(self) -> RefreshStats | None:
        """Go back from an index in memory to the file, once the file can be written again, and bring the file
        up to date by a normal refresh. For a long-running caller (the watcher), which would otherwise answer
        from memory for good after one lock held too long; a command ends before that matters.

        Returns that refresh's figures once the vault answers from the file again; None while the file still
        cannot be written (nothing waits for a lock here), the memory index kept, current as ever.
        """
        if not self.save_index or (self._index is not None and self._index.path is not None):
            return None  # already on the file, or never to be (a folder no marker makes a vault)
        try:
            disk = self._open_index_file()
        except (OSError, sqlite3.OperationalError) as exc:
            self.in_memory_because = str(exc)
            return None
        try:
            if not disk.can_write_now():
                disk.close()
                return None
            stats = refresh(self.root, self.config, disk)
        except (OSError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, sqlite3.DatabaseError) and not cannot_write(exc):
                with contextlib.suppress(OSError):  # the creation lock held too long: a later try throws it away
                    disk.discard()  # damaged: the next try makes a new one
            else:
                disk.close()
            self.in_memory_because = str(exc)
            return None
        if self._index is not None:
            self._index.close()
        self._index = disk
        self.in_memory_because = None
        return stats

    def refresh(
        self, paths: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None
    ) -> RefreshStats:
        """Bring the index up to date (only ``paths``, vault-relative, when given); ``progress``: as the attribute."""
        paths = None if paths is None else list(paths)
        progress = progress or self.progress
        index = self.indexed()
        try:
            return refresh(self.root, self.config, index, paths, progress=progress)
        except sqlite3.DatabaseError as exc:
            # a corrupt index is a cache to rebuild, never an error for the user
            if not (self.heal(exc) or self.answer_from_memory(exc)):
                raise
            return refresh(self.root, self.config, self.indexed(), paths, progress=progress)

    def fresh(self) -> Index:
        """The index brought up to date first (once per session when ``refresh_on_query`` is False)."""
        if self.refresh_on_query or not self._refreshed:
            self.refresh()
            self._refreshed = True
        return self.indexed()

    def rebuild(self) -> None:
        """Throw the index away; the next refresh reads every note again."""
        self.close()
        delete_database(self.root / INDEX_DIR / INDEX_NAME)

    def heal(self, exc: sqlite3.DatabaseError) -> bool:
        """Throw away an index a query found damaged, so that the next query rebuilds it (see :func:`heals`).
        False when ``exc`` is not damage (a lock, a full disk) or the index is in memory."""
        index = self._index
        if index is None or index.path is None or cannot_write(exc):
            return False
        self._index = None
        self._refreshed = False
        try:
            index.discard()
        except OSError as error:  # a read-only folder: in memory for this command
            self._index = Index.memory()
            self.in_memory_because = str(error)
        return True

    def answer_from_memory(self, exc: sqlite3.DatabaseError) -> bool:
        """Answer from an index in memory for this session when the index file is sound but not ours to write
        (another user's, locked too long, a full disk): never delete a database another process may be using.

        The memory index starts as a copy of the file, so the refresh that follows reads and reports only what
        changed, as it would have in the file (an empty one read every note again, all of them "added")."""
        index = self._index
        if index is None or index.path is None or not cannot_write(exc):
            return False
        self._index = index.copy_in_memory()
        index.close()
        self.in_memory_because = str(exc)
        return True
