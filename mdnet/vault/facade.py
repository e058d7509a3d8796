"""The :class:`Vault` facade that ties the pieces together for scripts and the CLI.

A vault is composed of small services (as khal's collection holds its storages and its cache):
an :class:`~mdnet.store.session.IndexSession` (open, in-memory fallback, heal, reopen, refresh), a
:class:`~mdnet.vault.writer.NoteWriter` (the only way a note is written), the queries, writing,
history and relations. ``Vault`` builds them (the writer and the services that write at first use)
and delegates to them; they never reach back into it.
Every query first brings the index up to date (a change-token scan that reads only what changed),
so an answer never lags the files.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from mdnet.config import Config
from mdnet.core.model import (
    ChangeResult,
    Contact,
    DueItem,
    GitFacts,
    Interaction,
    LogResult,
    Mention,
    OpenLoop,
    Problem,
    RefreshStats,
)
from mdnet.errors import UsageError, VaultError
from mdnet.store.index import Index
from mdnet.store.layout import discover_root, is_marked, load_config
from mdnet.store.session import IndexSession
from mdnet.vault.arguments import resolve_today, wanted_paths
from mdnet.vault.queries import Queries

if TYPE_CHECKING:  # imported when used, so that `mdnet due` never pays for them
    from mdnet.features.brief import Brief
    from mdnet.features.network import Network, PathResult, WhoResult
    from mdnet.features.stats import Stats
    from mdnet.note import edit
    from mdnet.store.answer_cache import AnswerCache
    from mdnet.vault.daily import DailyResult
    from mdnet.vault.drafts import DraftResult
    from mdnet.vault.history import History
    from mdnet.vault.relations import Relations
    from mdnet.vault.writer import NoteWriter
    from mdnet.vault.writing import Writing


class Vault:
    """A vault of notes and its index. Open with :meth:`open`; usable as a context manager."""

    def __init__(
        self,
        root: Path,
        config: Config | None = None,
        *,
        save_index: bool = True,
        today: dt.date | str | None = None,
    ) -> None:
        # save_index is False for a working directory that no marker made a vault: see open().
        self.session = IndexSession(root, config if config is not None else load_config(root), save_index=save_index)
        # The vault's day T (SPEC 11), checked now; None: the clock (or $MDNET_TODAY), read at each use, so
        # that a long-running caller (the watcher) moves on at midnight.
        self._today = None if today is None else resolve_today(today)
        self._queries = Queries(self.session, self.day)
        # The note writer and the services that write, read git or follow links are built (and their modules
        # imported) at first use, each once, on the same session: `mdnet due` imports none of them.

    @functools.cached_property
    def writer(self) -> NoteWriter:
        """The only way a note is written (:class:`mdnet.vault.writer.NoteWriter`), on the vault's session."""
        from mdnet.vault.writer import NoteWriter

        return NoteWriter(self.session)

    @functools.cached_property
    def _writing(self) -> Writing:
        from mdnet.vault.writing import Writing

        return Writing(self.session, self.writer, self._queries)

    @functools.cached_property
    def _history(self) -> History:
        from mdnet.vault.history import History

        return History(self.session, self.writer, self._queries)

    @functools.cached_property
    def _relations(self) -> Relations:
        from mdnet.vault.relations import Relations

        return Relations(self.session, self._queries)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, today: dt.date | str | None = None) -> Vault:
        """Open the vault at ``path`` or the one discovered as SPEC section 1 says.

        ``today`` is the vault's day T (a date or YYYY-MM-DD; default the clock): every method that takes
        a ``today`` uses it unless given its own, and the effective last contacts are judged as of it
        (a mention after it is planned, not a last contact; SPEC 11).

        When discovery ends at the working directory because nothing marks a vault there or above
        (``mdnet due`` typed in the home folder), the folder is read as SPEC says, but its index is
        kept in memory: a ``.mdnet/`` written there would make it, and every folder below it, a
        vault for good (docs/decisions.md). ``save_index`` is then False; a named vault (``path``,
        ``$MDNET_VAULT``) saves its index wherever it is.
        """
        root = discover_root(path)
        try:  # an unlistable vault must not read as an empty network (the scan skips unreadable folders)
            os.scandir(root).close()
        except OSError as exc:
            raise VaultError(f"cannot read the vault: {exc.strerror}", path=str(root)) from None
        named = path is not None or bool(os.environ.get("MDNET_VAULT"))
        return cls(root, load_config(root), save_index=named or is_marked(root), today=today)

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- the session's state -----------------------------------------------

    @property
    def today(self) -> dt.date:
        """The vault's day T: the one given to :meth:`open`, else the clock's (``$MDNET_TODAY`` first)."""
        return self.day(None)

    def day(self, today: dt.date | str | None = None) -> dt.date:
        """``today`` when given, else the vault's day T."""
        if today is None and self._today is not None:
            return self._today
        return resolve_today(today)

    @property
    def root(self) -> Path:
        return self.session.root

    @property
    def config(self) -> Config:
        return self.session.config

    @config.setter
    def config(self, config: Config) -> None:  # the watcher reloads mdnet.toml
        self.session.config = config

    @property
    def save_index(self) -> bool:
        return self.session.save_index

    @property
    def refresh_on_query(self) -> bool:
        """Every query brings the index up to date first; a short-lived caller (one CLI command) sets this
        False: one scan at its first query, then its own writes refresh just the notes they touch."""
        return self.session.refresh_on_query

    @refresh_on_query.setter
    def refresh_on_query(self, value: bool) -> None:
        self.session.refresh_on_query = value

    @property
    def in_memory_because(self) -> str | None:
        """Why the index is in memory, when it is (the file could not be created or written)."""
        return self.session.in_memory_because

    # -- the index (mdnet.store.session) -------------------------------------

    def close(self) -> None:
        self.session.close()

    def index_folder_refused(self) -> str | None:
        """Why ``.mdnet/`` is not used, when it is there but not an index folder mdnet made; None otherwise."""
        return self.session.index_folder_refused()

    def reopen_index_file(self) -> RefreshStats | None:
        """Go back from an index in memory to the file once it can be written (for the watcher)."""
        return self.session.reopen_index_file()

    def refresh(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> RefreshStats:
        """Bring the index up to date (only ``paths``, vault-relative, when given; one path may be a string).
        ``progress`` is told (notes stored, notes to store) as notes are read (``vault.session.progress``: by
        every refresh, the one a first query makes included)."""
        return self.session.refresh(wanted_paths(paths), progress)

    def indexed(self) -> Index:
        """The index as it stands, not brought up to date (for the watcher, which refreshes by itself)."""
        return self.session.indexed()

    def rebuild_index(self) -> None:
        """Throw the index away; the next refresh reads every note again."""
        self.session.rebuild()

    # -- queries (mdnet.vault.queries) ---------------------------------------

    def contacts(
        self, category: str | None = None, tag: str | None = None, today: dt.date | str | None = None
    ) -> list[Contact]:
        """Every valid contact (notes with errors are left out), sorted by name, with its mentions, open loops
        and effective last contact as of ``today`` (default: the vault's day)."""
        return self._queries.contacts(category, tag, today)

    def get(self, name: str | Contact, today: dt.date | str | None = None) -> Contact:
        """One contact by name, alias, file stem or unique name prefix (a ``Contact``: as its note is now),
        with its mentions, open loops and effective last contact as of ``today`` (default: the vault's day)."""
        return self._queries.get(name, today)

    def mentions_of(self, name: str | Contact) -> list[Mention]:
        """The contact's mentions in dated notes and others' logs, newest first, future ones too (SPEC 11)."""
        return list(self.get(name).mentions)

    def open_loops_of(self, name: str | Contact) -> list[OpenLoop]:
        """The contact's open loops (SPEC 11): dated ones first, soonest first."""
        return list(self.get(name).open_loops)

    def due(
        self,
        today: dt.date | str | None = None,
        within: str | int | None = None,
        category: str | None = None,
        tag: str | None = None,
    ) -> list[DueItem]:
        """The due list for ``today`` (SPEC section 3)."""
        return self._queries.due(today, within, category, tag)

    def answer_cache(self, name: str, *parts: object) -> AnswerCache:
        """A cache of one answer (``mdnet due --json`` keeps its JSON there), in ``.mdnet/answer-NAME``: it answers
        while the index, ``mdnet.toml``, mdnet's code and ``parts`` (the day, the options) are as when it was stored.
        Brings the index up to date first. See docs/due.md, "The answer cache"."""
        from mdnet.store.answer_cache import answer_cache

        return answer_cache(self.session.fresh(), self.config, name, parts)

    def problems(self) -> list[Problem]:
        """Problems of every contact note, as the last refresh found them."""
        return self._queries.problems()

    def check(self, paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None) -> list[Problem]:
        """Validate every contact note, or just ``paths`` (any notes, e.g. the staged ones; one path is one note)."""
        return self._queries.check(paths)

    def search(self, text: str) -> list[tuple[Contact, str]]:
        """Contacts whose note mentions every word of ``text`` (prefixes too), best first."""
        return self._queries.search(text)

    # -- writing (mdnet.vault.writing) ---------------------------------------

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
    ) -> Path:
        """Create a contact note from the template; refuses a name or alias already in use."""
        return self._writing.add(name, category=category, cadence=cadence, tags=tags, email=email, company=company,
                                 role=role, today=self.day(today), extra=extra, known=known)  # fmt: skip

    def log(
        self,
        name: str | Contact,
        text: str,
        kind: str | None = None,
        when: dt.date | str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> LogResult:
        """Record an interaction: a log entry, ``last_contact`` raised, ``needs_reply`` cleared, one commit."""
        return self._writing.log(name, text, kind, when, commit, self.day(today))

    # -- follow-ups, snoozes and history (mdnet.vault.history) ---------------

    def followup(
        self,
        name: str | Contact,
        when: dt.date | str | None,
        note: str | None = None,
        commit: bool = True,
        today: dt.date | str | None = None,
    ) -> ChangeResult:
        """Set ``follow_up`` (a date, or a duration from today such as ``6m``) and, if given, its note."""
        return self._history.followup(name, when, note, commit, self.day(today))

    def snooze(
        self, name: str | Contact, when: dt.date | str | None, commit: bool = True, today: dt.date | str | None = None
    ) -> ChangeResult:
        """Set ``snooze_until`` (a date or a duration from today); ``None`` / ``"none"`` clears it."""
        return self._history.snooze(name, when, commit, self.day(today))

    def history(self, name: str | Contact) -> list[Interaction]:
        """Every log entry of the contact and every commit that touched its note, each once, newest first."""
        return self._history.history(name)

    def git_facts(self) -> dict[str, GitFacts]:
        """Per note path: the last day a commit touched it (renames followed) and how many did."""
        return self._history.git_facts()

    # -- relationships (mdnet.vault.relations) -------------------------------

    def network(self, today: dt.date | str | None = None) -> Network:
        """Questions about who is connected to whom, over the (fresh) index."""
        return self._relations.network(self.day(today))

    def note_body(self, contact: Contact) -> str:
        """The note's text after its front matter ("" when it cannot be read now)."""
        return self._relations.note_body(contact)

    def brief(self, name: str | Contact, today: dt.date | str | None = None) -> Brief:
        """Everything to know before meeting ``name``: see :mod:`mdnet.features.brief`."""
        return self._relations.brief(name, self.day(today))

    def path(
        self,
        target: str | None,
        *,
        via: str | None = None,
        company: str | None = None,
        today: dt.date | str | None = None,
        limit: int = 5,
    ) -> PathResult:
        """Warm paths from the user to ``target`` (a contact or a name in links) or anyone at ``company``."""
        return self._relations.path(target, via=via, company=company, today=self.day(today), limit=limit)

    def who(self, query: str, *, kind: str | None = None, today: dt.date | str | None = None) -> WhoResult:
        """Whom the user knows at a company (current or past) or with a tag, directly and one hop away."""
        return self._relations.who(query, kind=kind, today=self.day(today))

    def stats(
        self,
        since: dt.date | str | None = None,
        today: dt.date | str | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Stats:
        """The network's health from ``since`` (a date, or a duration back from today) to today (``progress``:
        told (stage, done, total) as contacts are read and counted)."""
        return self._relations.stats(since, self.day(today), progress)

    # -- the daily note (mdnet.vault.daily) ----------------------------------

    def daily_note(self, date: dt.date | str | None = None) -> Path:
        """Write or refresh the daily note (logging new ticks first); returns its path."""
        return self.refresh_daily(date).full_path

    def refresh_daily(self, date: dt.date | str | None = None) -> DailyResult:
        """:meth:`daily_note` with the details: what was logged, warnings, the note's text."""
        from mdnet.vault.daily import build

        return build(self, self.day(date), write=True)

    def render_daily(self, date: dt.date | str | None = None) -> str:
        """The daily note as a refresh would write it; writes and logs nothing."""
        from mdnet.vault.daily import build

        return build(self, self.day(date), write=False).text

    @staticmethod
    def init(path: str | os.PathLike[str]) -> list[str]:
        """Make a vault (never overwriting anything); returns what was created."""
        from mdnet.vault.scaffold import init_vault

        if not isinstance(path, (str, os.PathLike)):
            raise UsageError(f"a vault path must be text or a path, not {type(path).__name__}")
        return init_vault(Path(path).expanduser())

    def draft(
        self,
        template: str | os.PathLike[str],
        *,
        category: str | None = None,
        tag: str | None = None,
        due: bool = False,
        out: str | os.PathLike[str] | None = None,
        fmt: str = "eml",
        log: bool = False,
        today: dt.date | str | None = None,
    ) -> DraftResult:
        """One draft per matching contact from ``template``: ``.eml`` files or one Markdown review note.

        Nothing is overwritten. With ``log``, each draft is logged as an email sent to its
        contact and all of them are committed together, in one commit (see :mod:`mdnet.vault.drafts`).
        """
        from mdnet.vault.drafts import make_drafts

        return make_drafts(self, template, category=category, tag=tag, due=due, out=out, fmt=fmt, log=log,
                           today=self.day(today))  # fmt: skip
