"""What the services that take a vault use of it, as Protocols: the daily note, drafts, imports, mail scans.

They are handed the :class:`~mdnet.vault.facade.Vault` (or anything with these members, such as a test
double) and never import the facade: the facade imports them, when used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mdnet.config import Config
from mdnet.core.model import Contact, DueItem, LogResult, RefreshStats

if TYPE_CHECKING:
    from mdnet.note import edit
    from mdnet.store.index import Index
    from mdnet.vault.writer import NoteWriter


class NotesVault(Protocol):
    """A vault's place, settings and contacts, its writer, and a refresh after writing (a mail scan)."""

    @property
    def root(self) -> Path: ...
    @property
    def config(self) -> Config: ...
    @property
    def writer(self) -> NoteWriter: ...
    def contacts(self, category: str | None = None, tag: str | None = None) -> list[Contact]: ...
    def refresh(self, paths: Iterable[str] | None = None) -> RefreshStats: ...


class LoggingVault(NotesVault, Protocol):
    """And logging an interaction (the daily note's ticks)."""

    def log(
        self,
        name: str | Contact,
        text: str,
        kind: str | None = None,
        when: dt.date | str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> LogResult: ...


class DraftingVault(LoggingVault, Protocol):
    """And the due list, one contact, and the index as it stands (drafts)."""

    def due(
        self,
        today: dt.date | str | None = None,
        within: str | int | None = None,
        category: str | None = None,
        tag: str | None = None,
    ) -> list[DueItem]: ...
    def get(self, name: str | Contact) -> Contact: ...
    def indexed(self) -> Index: ...


class ImportingVault(NotesVault, Protocol):
    """And adding a contact (an import)."""

    def add(
        self,
        name: str,
        *,
        category: str | None = None,
        cadence: str | None = None,
        tags: Sequence[str] | str = (),
        email: Sequence[str] | str = (),
        company: str | None = None,
        role: str | None = None,
        today: dt.date | str | None = None,
        extra: Sequence[tuple[str, edit.Value]] = (),
        known: Sequence[Contact] | None = None,
    ) -> Path: ...
