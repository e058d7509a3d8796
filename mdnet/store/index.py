"""The index's tables: upserts, and queries returning models (with :mod:`mdnet.store.index_file`, the only
sqlite3 user).

The index is a disposable cache under ``.mdnet/``. A missing, corrupt or
other-version database is deleted and rebuilt from the notes; nothing in it is
ever the only copy of anything. WAL mode and ``BEGIN IMMEDIATE`` let two mdnet
processes share it: one waits for the other, neither corrupts it. How the file is
opened, made and thrown away, safely with several processes, is :mod:`mdnet.store.index_file`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar

from mdnet.core.due import news_date
from mdnet.core.model import Contact, DueFacts, Duration, LogEntry, Mention, OpenLoop, Problem
from mdnet.store import files, index_file
from mdnet.store.index_file import SCHEMA_VERSION, cannot_write

if TYPE_CHECKING:  # the parser and the links stay unimported on the read path (mdnet due)
    from mdnet.note.contact import LogRow
    from mdnet.note.links import LinkRow, PersonInfo

# The columns a due list needs, so `mdnet due` never decodes whole records; in DueFacts' order.
_DUE_COLUMNS = (
    "path, name, category, tags, status, cadence, cadence_set, last_contact, next_contact, follow_up, "
    "follow_up_note, needs_reply, needs_reply_date, snooze_until, birthday, news"
)
_ALWAYS = "0000-00-00"  # first_due of a contact with a cadence and no contact yet: due at once
# Full-text indexing costs more than everything else in a cold index (FTS5 tokenises
# every body), and most commands never search. So the FTS table is filled on the first
# search and then kept current; a refresh that changes more notes than this marks it
# stale instead, and the next search refills it in one statement.
FTS_INCREMENTAL_LIMIT = 500
# One encoder for every row: json.dumps with options builds a new encoder per call, and
# a cold index encodes a few values per note. The circular check is for objects that can
# hold themselves, which parsed YAML never does.
to_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class _Healer(Protocol):
    def heal(self, exc: sqlite3.DatabaseError) -> bool: ...


class _Healing(Protocol):
    """A service holding an index session (:class:`mdnet.store.session.IndexSession`), which heals."""

    @property
    def session(self) -> _Healer: ...


_Owner = TypeVar("_Owner", bound=_Healing)
_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


def heals(method: Callable[Concatenate[_Owner, _Params], _Result]) -> Callable[Concatenate[_Owner, _Params], _Result]:
    """For a query that only reads: when it finds the index damaged (pages that opening it and an
    unchanged vault's refresh never read), the index is thrown away and the query asked once more,
    which rebuilds it. A corrupt index is a cache to rebuild, never an error for the user."""

    @functools.wraps(method)
    def read(self: _Owner, /, *args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if not self.session.heal(exc):
                raise
        return method(self, *args, **kwargs)

    return read


class NoteRow(NamedTuple):
    """One note, serialised for the index (built in worker processes, stored by the main one).

    A named tuple: thousands cross from the workers as pickles, and a tuple pickles
    at a fraction of a dataclass's cost.
    """

    path: str
    token: str
    record: str | None
    fields: str | None  # only for notes that are not contacts (a contact's record holds its fields)
    problems: str
    problem_count: int
    columns: tuple[Any, ...] | None
    fts: tuple[str, str, str] | None  # aliases, details, body
    links: tuple[tuple[str, str, str, str], ...] = ()  # kind, folded target, label, folded folder of the target
    names: tuple[tuple[str, int, int], ...] = ()  # folded name a link may use, rank, is_contact
    person: tuple[str, str | None, str] | None = None  # name, last contact, touch dates
    # SPEC 11, raw (resolved to contacts when stored): mentions (date, line, folded target, folded folder,
    # text), open loops (line, text, due) and the links of those loops (line, folded target, folded folder)
    mentions: tuple[tuple[str, int, str, str, str], ...] = ()
    loops: tuple[tuple[int, str, str | None], ...] = ()
    loop_links: tuple[tuple[int, str, str], ...] = ()


def due_columns(c: Contact) -> tuple[Any, ...]:
    own_cadence_due = None
    if c.cadence is not None:
        own_cadence_due = _ALWAYS if c.last_contact is None else c.cadence.add_to(c.last_contact).isoformat()
    candidates = [
        _iso(c.follow_up),
        _iso(c.next_contact),
        _iso(c.needs_reply_date),
        own_cadence_due,
        _iso(news_date(c.news)),
    ]
    first_due = min((d for d in candidates if d is not None), default=None)
    return (
        c.name, c.stem, c.category, to_json(c.tags), c.status,
        None if c.cadence is None else f"{c.cadence.count}{c.cadence.unit}", int(c.cadence_set),
        _iso(c.last_contact), _iso(c.next_contact), _iso(c.follow_up), c.follow_up_note, int(c.needs_reply),
        _iso(c.needs_reply_date), _iso(c.snooze_until), None if c.birthday is None else to_json(c.birthday),
        first_due, None if c.birthday is None else f"{c.birthday[1]:02d}-{c.birthday[2]:02d}", c.news,
    )  # fmt: skip


class Index:
    """An open index database. Use :meth:`open`; close with :meth:`close`."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None, rebuilt: bool,
                 identity: tuple[int, int] | None = None) -> None:  # fmt: skip
        self.connection = connection
        self.path = path
        self.rebuilt = rebuilt
        self.identity = identity  # the file's device and inode when opened: see discard()

    @classmethod
    def open(cls, path: Path) -> Index:
        """Open the index at ``path``: create it when missing, replace it when damaged or of another version.

        A sound index (the common case, `mdnet due`) is opened without a lock and without SQLite's create
        flag. Anything else is decided again under :func:`mdnet.store.index_file.creation_lock`, since the
        index this process
        found missing or unusable may be one another process has just made or replaced; only the lock's
        holder deletes or creates, and a new file appears at ``path`` only whole (see
        :func:`mdnet.store.index_file.create`).
        A sound index that cannot be opened now (locked, unreadable) raises: it is never replaced.

        Its folder must be one mdnet made (:func:`mdnet.store.files.own_folder`), checked before SQLite opens anything:
        SQLite follows links, and would open another application's database, switch it to WAL and write beside
        it. A folder that is a link or holds links raises :class:`mdnet.store.files.NotOwnFolder` (an OSError).
        """
        if not files.own_folder(path.parent):
            files.make_folder(path.parent)
            files.own_folder(path.parent, create=True)
        found = index_file.open_sound(path)
        if found is not None:
            return cls(found[0], path, rebuilt=False, identity=found[1])
        with index_file.creation_lock(path) as alone:
            found = index_file.open_sound(path)  # made or replaced by another process while this one waited
            if found is not None:
                return cls(found[0], path, rebuilt=False, identity=found[1])
            existed = path.exists()
            index_file.delete_files(path)  # damaged or of another version, and nobody else may touch it now
            if alone:
                index_file.delete_temporaries(path.parent)
            index_file.create(path)
            found = index_file.open_sound(path)
        if found is None:
            raise sqlite3.OperationalError(f"the index made at {path} cannot be opened")
        return cls(found[0], path, rebuilt=existed, identity=found[1])

    @classmethod
    def memory(cls) -> Index:
        connection = sqlite3.connect(":memory:", isolation_level=None)
        index_file.create_schema(connection)
        return cls(connection, None, rebuilt=False)

    def copy_in_memory(self) -> Index:
        """This index copied into memory (rows, stored scan and digest: a refresh of the copy then reads only
        what changed since), for answering when the file cannot be written. Empty when it cannot be read."""
        memory = sqlite3.connect(":memory:", isolation_level=None)
        try:
            if self.connection.in_transaction:  # a write that failed at COMMIT (a full disk)
                self.connection.execute("ROLLBACK")
            self.connection.backup(memory)
            copied = index_file.schema_version(memory) == SCHEMA_VERSION
        except sqlite3.DatabaseError:
            copied = False
        if not copied:
            memory.close()
            return Index.memory()
        return Index(memory, None, rebuilt=False)

    def can_write_now(self) -> bool:
        """Whether one small write commits now, without waiting for another process's lock: a read-only
        file or folder, a lock held by another process, a full disk say no. It rewrites the schema version
        in place (the header page), which changes nothing a reader sees."""
        if self.path is None:
            return True
        try:
            self.connection.execute("PRAGMA busy_timeout = 0")
            with self.write() as db:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            if not cannot_write(exc):
                raise
            return False
        finally:
            self.connection.execute(f"PRAGMA busy_timeout = {int(index_file.BUSY_TIMEOUT * 1000)}")
        return True

    def discard(self) -> None:
        """Close this index and delete its file, found damaged; unless the file at its path is no longer the
        one this index opened: another process found it damaged first and made a new one, in use now."""
        self.close()
        if self.path is None:
            return
        with index_file.creation_lock(self.path):
            if index_file.identity(self.path) == self.identity:
                index_file.delete_files(self.path)

    def close(self) -> None:
        self.connection.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``BEGIN IMMEDIATE`` takes the lock up front."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def tokens(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT path, token FROM notes"))

    def apply(
        self,
        rows: Iterable[NoteRow],
        deleted: Iterable[str],
        meta: dict[str, str] | Callable[[], dict[str, str]],
        clear: bool = False,
        count: int | None = None,
    ) -> None:
        """Upsert ``rows``, delete ``deleted`` and set ``meta``, in one transaction (emptied first with ``clear``).

        ``rows`` may be lazy (notes as worker processes finish them, ``count`` of them):
        they are stored in chunks while the rest are still being parsed, and ``meta``
        may be a function called once every row has been stored.
        """
        if count is None:
            rows = list(rows)
            count = len(rows)
        gone = [(path,) for path in deleted]
        with self.write() as db:
            if clear:
                for table in index_file.TABLES:
                    db.execute(f"DELETE FROM {table}")
            fts_current = self._get_meta_in(db, "fts") == "current"
            keep_fts = fts_current and count + len(gone) <= FTS_INCREMENTAL_LIMIT
            # Nothing stored yet (a cold index): no old rows to delete for each new one, and the secondary
            # indexes are made once at the end, from the stored rows, rather than kept up row by row.
            empty = db.execute("SELECT 1 FROM notes LIMIT 1").fetchone() is None
            indexes = index_file.drop_indexes(db) if empty else []
            db.executemany("DELETE FROM notes WHERE path = ?", gone)
            resolve = _Resolve()
            self._store(db, [], gone, keep_fts, empty, resolve)
            chunk: list[NoteRow] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == 500:
                    self._store(db, chunk, [], keep_fts, empty, resolve)
                    chunk = []
            self._store(db, chunk, [], keep_fts, empty, resolve)
            _resolve(db, resolve, everything=empty)
            for statement in indexes:
                db.execute(statement)
            if not keep_fts and fts_current and (count or gone):
                db.execute("DELETE FROM contacts_fts")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('fts', 'stale')")
            values = meta() if callable(meta) else meta
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    def rebuild(
        self, rows: Iterable[NoteRow], meta: Callable[[Index], dict[str, str]], count: int, fingerprint: str
    ) -> bool:
        """Store ``rows`` (``count`` of them, perhaps lazy) as the whole index, and ``meta(index built)``.

        In memory this is :meth:`apply` emptying the tables first. A file is rebuilt the cheap way, under the
        creation lock: into a new file without journal or fsync, its secondary indexes made after the rows,
        then put in place whole (:func:`mdnet.store.index_file.install`); a crash at any point leaves the old
        index, or, for a moment at the very end, one marked retired, which the next open rebuilds. Another
        process reading the old index meanwhile goes on reading it.

        False, with nothing read from ``rows``, when another process rebuilt the index while this one waited for
        the lock (the file at the path is another, or its settings' ``fingerprint`` is now the one wanted):
        this index is then that one, and the caller refreshes it as usual.
        """
        if self.path is None:
            self.apply(rows, [], lambda: meta(self), clear=True, count=count)
            return True
        with contextlib.ExitStack() as stack:
            try:
                alone = stack.enter_context(index_file.creation_lock(self.path))
            except OSError:  # no lock file here (a read-only folder) or held too long: in place, as before
                self.apply(rows, [], lambda: meta(self), clear=True, count=count)
                return True
            if index_file.identity(self.path) != self.identity:
                self._reopen()
                return False
            if self.get_meta("config") == fingerprint:
                return False
            if alone:  # left by processes killed while rebuilding; no other process writes one now
                index_file.delete_temporaries(self.path.parent)
            temporary, connection = index_file.start_build(self.path)
            try:
                built = Index(connection, None, rebuilt=False)
                built.apply(rows, [], lambda: meta(built), count=count)
                renamed = index_file.install(connection, temporary, self.path, self.connection)
            except BaseException:
                connection.close()
                index_file.delete_files(temporary)
                raise
            if renamed:
                self._reopen()
        return True

    def _reopen(self) -> None:
        """Open the file at this index's path again: another file than the one this connection reads."""
        assert self.path is not None
        self.connection.close()
        found = index_file.open_sound(self.path)
        if found is None:
            raise sqlite3.OperationalError(f"the index at {self.path} cannot be opened")
        self.connection, self.identity = found

    @staticmethod
    def _store(
        db: sqlite3.Connection,
        rows: list[NoteRow],
        gone: list[tuple[str]],
        keep_fts: bool,
        empty: bool,
        resolve: _Resolve,
    ) -> None:
        """One chunk of a write: the notes' rows and everything derived from them.

        ``resolve`` collects what must be resolved again once every chunk is stored: the notes written
        or deleted, and the names whose owners changed (a contact added, deleted, renamed, aliased).
        """
        touched = gone + [(r.path,) for r in rows]
        if not touched:
            return
        if not empty:
            resolve.srcs.update(path for (path,) in touched)
            batch = json.dumps([path for (path,) in touched], ensure_ascii=False)
            old: dict[str, set[tuple[str, int, int]]] = {}
            for key, path, rank, is_contact in db.execute(
                "SELECT key, path, rank, is_contact FROM names WHERE path IN (SELECT value FROM json_each(?))",
                (batch,),
            ):
                old.setdefault(path, set()).add((key, rank, is_contact))
            new = {r.path: set(r.names) for r in rows}
            for (path,) in touched:
                before, after = old.get(path, set()), new.get(path, set())
                if before != after:
                    resolve.keys.update(key for key, _rank, _is_contact in before | after)
            for table, column in (("links", "src"), ("names", "path"), ("people", "path"), ("mentions", "src"),
                                  ("loops", "src"), ("loop_links", "src")):  # fmt: skip
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", touched)
        if rows:
            mentions = [(r.path, *m) for r in rows for m in r.mentions]
            loops = [(r.path, *lo) for r in rows for lo in r.loops]
            loop_links = [(r.path, *k) for r in rows for k in r.loop_links]
            db.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?)", mentions)
            db.executemany("INSERT INTO loops VALUES (?, ?, ?, ?)", loops)
            db.executemany("INSERT INTO loop_links VALUES (?, ?, ?, ?)", loop_links)
            db.executemany(
                "INSERT INTO links VALUES (?, ?, ?, ?, ?)", [(r.path, *link) for r in rows for link in r.links]
            )
            names = [(key, r.path, rank, is_contact) for r in rows for key, rank, is_contact in r.names]
            db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", names)
            db.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", [(r.path, *r.person) for r in rows if r.person])
            if empty:  # every row of the index passes here: resolved from memory, not read back (_resolve)
                resolve.mentions.extend(mentions)
                resolve.loops.extend(loops)
                resolve.loop_links.extend(loop_links)
                resolve.names.extend(names)
                resolve.owners.update(r.path for r in rows if r.person)
            db.executemany(_INSERT_NOTE, [_note_values(r) for r in rows])
        if keep_fts:
            # One pass over the FTS table for the whole chunk: `path` is not indexed there, so a
            # DELETE per path would scan the table once per note (quadratic in a big batch).
            batch = json.dumps([path for (path,) in touched], ensure_ascii=False)
            db.execute("DELETE FROM contacts_fts WHERE path IN (SELECT value FROM json_each(?))", (batch,))
            db.executemany(
                "INSERT INTO contacts_fts VALUES (?, ?, ?, ?, ?)",
                [(r.path, r.columns[0], *r.fts) for r in rows if r.fts and r.columns],
            )

    @staticmethod
    def _get_meta_in(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _ensure_fts(self) -> None:
        """Fill the full-text table from the notes table when it is not current (see above)."""
        if self.get_meta("fts") == "current":
            return
        with self.write() as db:
            if self._get_meta_in(db, "fts") == "current":
                return  # another process filled it while we waited for the lock
            db.execute("DELETE FROM contacts_fts")
            db.execute(
                "INSERT INTO contacts_fts SELECT path, name, fts_aliases, fts_details, body FROM notes WHERE is_contact"
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fts', 'current')")

    def contacts(self, today: dt.date | None = None) -> list[Contact]:
        """Every contact; with ``today``, each with its mentions and open loops and the effective last
        contact as of that day (SPEC 11). Without it, as its note says (front matter and log alone)."""
        rows = self.connection.execute("SELECT record FROM notes WHERE is_contact ORDER BY path")
        found = [contact_from_json(json.loads(record)) for (record,) in rows]
        if today is None:
            return found
        mentions: dict[str, list[Mention]] = {}
        for contact, date, src, line, text in self.connection.execute(
            "SELECT contact, date, src, line, text FROM hits ORDER BY contact, date DESC, src, line"
        ):
            mentions.setdefault(contact, []).append(Mention(dt.date.fromisoformat(date), src, line, text))
        loops = self._loops(None)
        return [_with_interactions(c, mentions.get(c.path, []), loops.get(c.path, []), today) for c in found]

    def mentions_of(self, path: str) -> list[Mention]:
        """The contact's mentions, newest first, past and future, one per note and date (SPEC 11)."""
        rows = self.connection.execute(
            "SELECT date, src, line, text FROM hits WHERE contact = ? ORDER BY date DESC, src, line", (path,)
        )
        return [Mention(dt.date.fromisoformat(date), src, line, text) for date, src, line, text in rows]

    def open_loops_of(self, path: str) -> list[OpenLoop]:
        """The contact's open loops: dated ones first, soonest first, then by note and line."""
        return self._loops(path).get(path, [])

    def _loops(self, path: str | None, dated: bool = False) -> dict[str, list[OpenLoop]]:
        """Open loops by contact: one contact's (``path``) or everyone's; with ``dated``, those with a date only."""
        wanted = (["h.contact = ?"] if path is not None else []) + (["h.due IS NOT NULL"] if dated else [])
        query = (
            "SELECT h.contact, l.src, l.line, l.text, l.due FROM loop_hits AS h"
            " JOIN loops AS l ON l.src = h.src AND l.line = h.line"
            + (" WHERE " + " AND ".join(wanted) if wanted else "")
            + " ORDER BY h.contact, l.due IS NULL, l.due, l.src, l.line"
        )
        found: dict[str, list[OpenLoop]] = {}
        for contact, src, line, text, due in self.connection.execute(query, () if path is None else (path,)):
            found.setdefault(contact, []).append(OpenLoop(src, line, text, _date(due)))
        return found

    def due_candidates(self, today: dt.date, horizon: dt.date, with_default_cadence: bool) -> list[DueFacts]:
        """Contacts that may be due by ``horizon``, as light records (what the due rules read, nothing more).

        A superset: SQL drops the archived, the snoozed and those whose every dated
        reason is past the horizon; :mod:`mdnet.core.due` decides the rest exactly. A mention on or
        before ``today`` only moves a cadence later, so the stored first due date stays a bound; a
        mention after it (a planned meeting) or a dated open loop up to the horizon lets a contact in.

        Each record carries SPEC 11's facts as of ``today``: ``last_contact`` is the effective one and
        ``last_contact_source`` where it came from; ``mentions`` holds only the mentions *after*
        ``today`` (newest first: the due rules' planned reasons; the past ones are
        :meth:`mentions_of`'s, which ``due`` never needs), ``open_loops`` every open loop with a date (one
        without gives the due list no reason). A vault without any mention (no dated note links anyone)
        skips the last-mention lookup; hits' unique index, newest first per contact, answers it without a sort.
        """
        start, end = f"{today:%m-%d}", f"{horizon:%m-%d}"
        if (horizon - today).days >= 365:
            birthdays = "birthday_md IS NOT NULL"
        else:  # the window's month-days, across New Year when it wraps; 29 Feb is always let through
            birthdays = f"(birthday_md >= :start {'AND' if start <= end else 'OR'} birthday_md <= :end)"
            birthdays = f"({birthdays} OR birthday_md = '02-29')"
        any_hit = self.connection.execute("SELECT EXISTS (SELECT 1 FROM hits)").fetchone()[0]
        last_mention = (
            "(SELECT date || ' ' || line || ' ' || src FROM hits"
            " WHERE contact = notes.path AND date <= :today ORDER BY date DESC, src, line LIMIT 1)"
            if any_hit
            else "NULL"
        )
        # Two parts: the contacts a column of their own lets in, by one pass over the table; then the few that
        # only a mention after today or a dated open loop lets in, looked up by path. One pass asking both for
        # every contact tried two lookups per row in vain, a tenth of the whole query at 10k contacts.
        chosen = f"SELECT {_DUE_COLUMNS}, {last_mention} FROM notes WHERE is_contact AND status != 'archived'"
        chosen += " AND (snooze_until IS NULL OR snooze_until <= :today)"
        dated = f"needs_reply OR {birthdays} OR first_due <= :horizon" + (
            " OR NOT cadence_set" if with_default_cadence else ""
        )
        query = (
            f"{chosen} AND ({dated}) UNION ALL {chosen} AND ({dated}) IS NOT 1 AND path IN"
            " (SELECT contact FROM hits WHERE date > :today AND date <= :horizon"
            " UNION SELECT contact FROM loop_hits WHERE due <= :horizon)"
        )
        parameters = {"today": today.isoformat(), "horizon": horizon.isoformat(), "start": start, "end": end}
        facts = _due_facts(self.connection.execute(query, parameters))
        if self.connection.execute("SELECT 1 FROM loop_hits LIMIT 1").fetchone() is not None:
            loops = self._loops(None, dated=True)
            facts = [f._replace(open_loops=tuple(loops[f.path])) if f.path in loops else f for f in facts]
        planned: dict[str, list[Mention]] = {}
        # The few mentions after today, found by hits_date and put in order here: with an ORDER BY, SQLite walks
        # the whole of hits' unique index (every mention of the vault) to spare itself a sort of a few rows.
        future = "SELECT contact, date, src, line, text FROM hits WHERE date > ?"
        rows = self.connection.execute(future, (today.isoformat(),)).fetchall() if any_hit else []
        rows.sort(key=_by_src_line)
        rows.sort(key=_by_date, reverse=True)  # stable, also in reverse: newest first, then by note and line
        rows.sort(key=_by_contact)
        for contact, date, src, line, text in rows:
            planned.setdefault(contact, []).append(Mention(dt.date.fromisoformat(date), src, line, text))
        if planned:
            facts = [f._replace(mentions=tuple(planned[f.path])) if f.path in planned else f for f in facts]
        return facts

    def contact_names(self) -> list[Contact]:
        """Every contact as a name-only record (path, name, file stem), for prefix lookups."""
        rows = self.connection.execute("SELECT path, name, stem FROM notes WHERE is_contact ORDER BY path")
        return [Contact(path=path, name=name, stem=stem, fields={}) for path, name, stem in rows]

    def broken_notes(self, stem_key: str) -> list[str]:
        """Notes left out for errors whose folded file stem is ``stem_key``."""
        rows = self.connection.execute(
            "SELECT n.path FROM names AS k JOIN notes AS n ON n.path = k.path"
            ' WHERE k.key = ? AND NOT n.is_contact AND n.problems LIKE \'%"severity": "error"%\' ORDER BY n.path',
            (stem_key,),
        )
        return [str(path) for (path,) in rows]

    def contact(self, path: str, today: dt.date | None = None) -> Contact | None:
        """One contact; with ``today``, with its mentions and loops as :meth:`contacts` gives them."""
        row = self.connection.execute("SELECT record FROM notes WHERE path = ? AND is_contact", (path,)).fetchone()
        if row is None:
            return None
        found = contact_from_json(json.loads(row[0]))
        if today is None:
            return found
        return _with_interactions(found, self.mentions_of(path), self.open_loops_of(path), today)

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        for (text,) in self.connection.execute("SELECT problems FROM notes WHERE problem_count ORDER BY path"):
            found.extend(Problem(**p) for p in json.loads(text))
        return found

    def counts(self) -> tuple[int, int]:
        # Every contact has exactly one row in people: counting it needs no scan of the notes.
        row = self.connection.execute("SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM people)").fetchone()
        return int(row[0]), int(row[1])

    def search(self, query: str, limit: int = 50) -> list[tuple[str, str]]:
        """Full-text search over contacts: (path, snippet), best match first."""
        match = " ".join('"' + word.replace('"', '""') + '"*' for word in query.split())
        if not match:
            return []
        self._ensure_fts()
        rows = self.connection.execute(
            "SELECT path, snippet(contacts_fts, -1, '[', ']', '…', 12) FROM contacts_fts"
            " WHERE contacts_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        )
        return [(str(path), " ".join(str(snippet).split())) for path, snippet in rows]

    # -- the network (mdnet.features.network reads these through mdnet.features.network.IndexLinks) --

    def links_from(self, path: str) -> list[LinkRow]:
        """The connections written in one contact note."""
        from mdnet.note.links import LinkRow

        rows = self.connection.execute("SELECT kind, key, label, folder FROM links WHERE src = ? ORDER BY rowid",
                                       (path,))  # fmt: skip
        return [LinkRow(kind, key, label, folder) for kind, key, label, folder in rows]

    def links_to(self, keys: Iterable[str]) -> list[tuple[str, LinkRow]]:
        """``(source path, link)`` for every connection whose folded target is one of ``keys``."""
        from mdnet.note.links import LinkRow

        wanted = sorted(set(keys))
        found: list[tuple[str, LinkRow]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT src, kind, key, label, folder FROM links WHERE key IN ({marks}) ORDER BY src, rowid", chunk
            )
            found.extend((src, LinkRow(kind, key, label, folder)) for src, kind, key, label, folder in rows)
        return found

    def names_for(self, key: str) -> list[tuple[str, int, bool]]:
        """``(path, rank, is_contact)`` of every note a folded link target may name."""
        rows = self.connection.execute("SELECT path, rank, is_contact FROM names WHERE key = ? ORDER BY rank, path",
                                       (key,))  # fmt: skip
        return [(str(path), int(rank), bool(is_contact)) for path, rank, is_contact in rows]

    def contact_paths_named(self, key: str) -> list[str]:
        """Paths of the contacts (not other notes) that the folded name ``key`` names, sorted."""
        return sorted({path for path, _rank, is_contact in self.names_for(key) if is_contact})

    def has_org(self, key: str) -> bool:
        """Whether some contact names ``key`` as its company or a past employer."""
        row = self.connection.execute(
            "SELECT 1 FROM links WHERE key = ? AND kind IN ('company', 'employer') LIMIT 1", (key,)
        ).fetchone()
        return row is not None

    def people(self, paths: Iterable[str]) -> dict[str, PersonInfo]:
        from mdnet.note.links import PersonInfo

        """Name and touch dates of contacts, for tie strength, without decoding whole records."""
        wanted = sorted(set(paths))
        found: dict[str, PersonInfo] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT path, name, last_contact, touches FROM people WHERE path IN ({marks})", chunk
            )
            for path, name, last, touches in rows:
                found[path] = PersonInfo(name, last, tuple(touches.split(",")) if touches else ())
        return found

    def org_keys(self, prefix: str) -> list[str]:
        """Folded organisation names (companies, past employers) that start with ``prefix``."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.connection.execute(
            "SELECT DISTINCT key FROM links WHERE kind IN ('company', 'employer') AND key LIKE ? ESCAPE '\\'"
            " ORDER BY key",
            (pattern,),
        )
        return [str(key) for (key,) in rows if str(key).startswith(prefix)]


class _Resolve:
    """What one write must resolve again (SPEC 11): notes whose mentions or loops changed, and names whose
    owners changed (every mention or loop link using them may now name someone else)."""

    def __init__(self) -> None:
        self.srcs: set[str] = set()
        self.keys: set[str] = set()
        # A write into an empty index keeps the rows it stores, as stored, so that resolving them all needs
        # no query: mentions, loops, loop links, names, and the contacts' paths (the people table's)
        self.mentions: list[tuple[str, str, int, str, str, str]] = []
        self.loops: list[tuple[str, int, str, str | None]] = []
        self.loop_links: list[tuple[str, int, str, str]] = []
        self.names: list[tuple[str, str, int, int]] = []
        self.owners: set[str] = set()


def _resolve(db: sqlite3.Connection, todo: _Resolve, everything: bool) -> None:
    """Resolve raw mentions and loop links to contacts, as links resolve (mdnet.features.network): the
    notes a folded name may mean, in a link's folder when it names one, by rank (file name, alias, name)
    then path; the first is the one meant, and only a contact makes a hit. One hit per person, note and
    date (the first line); a contact's own log never mentions itself. A loop belongs to every contact it
    links and to the contact whose note it sits in."""
    from mdnet.core.naming import in_folder  # here: `mdnet due` never imports it

    if everything:  # an index that was empty: every row it holds is in ``todo``, as stored
        db.execute("DELETE FROM hits")
        db.execute("DELETE FROM loop_hits")
        mentions = todo.mentions
        links = todo.loop_links
        loops = [(src, line, due) for src, line, _text, due in todo.loops]
        names: dict[str, list[tuple[str, int, int]]] = {}
        for key, path, rank, is_contact in todo.names:
            names.setdefault(key, []).append((path, rank, is_contact))
        owners = todo.owners
    else:
        srcs = set(todo.srcs)
        if todo.keys:
            keys = json.dumps(sorted(todo.keys), ensure_ascii=False)
            for table in ("mentions", "loop_links"):
                srcs.update(src for (src,) in db.execute(
                    f"SELECT DISTINCT src FROM {table} WHERE key IN (SELECT value FROM json_each(?))", (keys,)
                ))  # fmt: skip
        if not srcs:
            return
        batch = json.dumps(sorted(srcs), ensure_ascii=False)
        within = "src IN (SELECT value FROM json_each(?))"
        db.execute(f"DELETE FROM hits WHERE {within}", (batch,))
        db.execute(f"DELETE FROM loop_hits WHERE {within}", (batch,))
        mentions = db.execute(f"SELECT src, date, line, key, folder, text FROM mentions WHERE {within}",
                              (batch,)).fetchall()  # fmt: skip
        links = db.execute(f"SELECT src, line, key, folder FROM loop_links WHERE {within}", (batch,)).fetchall()
        loops = db.execute(f"SELECT src, line, due FROM loops WHERE {within}", (batch,)).fetchall()
        wanted = json.dumps(sorted({m[3] for m in mentions} | {k[2] for k in links}), ensure_ascii=False)
        names = {}
        for key, path, rank, is_contact in db.execute(
            "SELECT key, path, rank, is_contact FROM names WHERE key IN (SELECT value FROM json_each(?))", (wanted,)
        ):
            names.setdefault(key, []).append((path, rank, is_contact))
        owners = {path for (path,) in db.execute(
            "SELECT path FROM people WHERE path IN (SELECT value FROM json_each(?))", (batch,)
        )}  # fmt: skip
    for found in names.values():
        if len(found) > 1:  # most names mean one note
            found.sort(key=lambda n: (n[1], n[0]))
    chosen: dict[tuple[str, str], str | None] = {}

    def person(key: str, folder: str) -> str | None:
        if (key, folder) not in chosen:
            found = names.get(key, [])
            if folder:
                found = [n for n in found if in_folder(n[0], folder)] or found
            chosen[key, folder] = found[0][0] if found and found[0][2] else None
        return chosen[key, folder]

    mentions.sort(key=lambda m: (m[0], m[1], m[2]))
    db.executemany(
        "INSERT OR IGNORE INTO hits VALUES (?, ?, ?, ?, ?)",
        [(contact, date, src, line, text) for src, date, line, key, folder, text in mentions
         if (contact := person(key, folder)) is not None and contact != src],
    )  # fmt: skip
    linked: dict[tuple[str, int], list[str]] = {}
    for src, line, key, folder in links:
        contact = person(key, folder)
        if contact is not None:
            linked.setdefault((src, line), []).append(contact)
    db.executemany(
        "INSERT OR IGNORE INTO loop_hits VALUES (?, ?, ?, ?)",
        [(contact, src, line, due) for src, line, due in loops
         for contact in ([src] if src in owners else []) + linked.get((src, line), [])],
    )  # fmt: skip


def _by_src_line(row: tuple[Any, ...]) -> tuple[str, int]:
    return row[2], row[3]


def _by_date(row: tuple[Any, ...]) -> str:
    return str(row[1])


def _by_contact(row: tuple[Any, ...]) -> str:
    return str(row[0])


def _due_facts(rows: Iterable[tuple[Any, ...]]) -> list[DueFacts]:
    """Rows of :data:`_DUE_COLUMNS` and the last mention -> :class:`DueFacts`, decoding each distinct tag
    list, cadence and birthday once (a vault repeats a few of each thousands of times). Each record is made
    by ``tuple.__new__``, without the named tuple's ``__new__`` in Python: the due list of a large vault
    decodes thousands on every ``mdnet due``."""
    date = dt.date.fromisoformat
    make = tuple.__new__
    tag_lists: dict[str, tuple[str, ...]] = {"[]": ()}
    birthdays: dict[str | None, Any] = {None: None}
    cadences: dict[str | None, Duration | None] = {None: None}
    found: list[DueFacts] = []
    append = found.append
    for (path, name, category, tags, status, cadence, cadence_set, last_contact, next_contact, follow_up,
         follow_up_note, needs_reply, needs_reply_date, snooze_until, birthday, news, hit) in rows:  # fmt: skip
        if tags not in tag_lists:
            tag_lists[tags] = tuple(json.loads(tags))
        if birthday not in birthdays:
            birthdays[birthday] = _birthday(birthday)
        if cadence not in cadences:
            cadences[cadence] = Duration(int(cadence[:-1]), cadence[-1])
        source = None if last_contact is None else path
        if hit is not None and (last_contact is None or hit[:10] > last_contact):  # a mention on or before T
            last_contact = hit[:10]
            line, src = hit[11:].split(" ", 1)
            source = f"{src}:{line}"
        append(make(DueFacts, (
            path, name, category, tag_lists[tags], status, cadences[cadence], bool(cadence_set),
            None if last_contact is None else date(last_contact), None if next_contact is None else date(next_contact),
            None if follow_up is None else date(follow_up), follow_up_note, bool(needs_reply),
            None if needs_reply_date is None else date(needs_reply_date),
            None if snooze_until is None else date(snooze_until), birthdays[birthday], source, (), (), news,
        )))  # fmt: skip
    return found


def _birthday(text: str) -> tuple[int | None, int, int]:
    """A birthday column (``[1975, 4, 9]``, ``[null, 4, 17]``: :func:`to_json` of the tuple) -> the tuple."""
    year, month, day = text[1:-1].split(", ")
    return None if year == "null" else int(year), int(month), int(day)


def _with_interactions(contact: Contact, mentions: list[Mention], loops: list[OpenLoop], today: dt.date) -> Contact:
    """``contact`` with SPEC 11's facts as of ``today``: the effective last contact (the later of its note's
    and its newest mention on or before ``today``) and where it came from, its mentions and open loops."""
    last, source = contact.last_contact, None if contact.last_contact is None else contact.path
    for mention in mentions:  # newest first
        if mention.date <= today:
            if last is None or mention.date > last:
                last, source = mention.date, mention.source
            break
    return contact.replace(last_contact=last, last_contact_source=source, mentions=tuple(mentions),
                   open_loops=tuple(loops))  # fmt: skip


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def contact_to_json(c: Contact, log: Sequence[LogRow] | None = None) -> dict[str, Any]:
    """A contact as the JSON the index stores (and :func:`contact_from_json` reads back).

    ``log`` gives the log as rows when ``c.log`` was left empty.
    """
    if log is None:
        log = [(e.date.isoformat(), e.time, e.kind, e.text, e.line) for e in c.log]
    return {
        "p": c.path, "n": c.name, "s": c.stem, "f": c.fields, "a": c.aliases, "c": c.category,
        "t": c.tags, "co": c.company, "e": c.emails, "i": c.interests, "st": c.status,
        "cd": None if c.cadence is None else [c.cadence.count, c.cadence.unit], "cs": c.cadence_set,
        "lc": _iso(c.last_contact), "nc": _iso(c.next_contact), "fu": _iso(c.follow_up),
        "fn": c.follow_up_note, "nr": c.needs_reply, "nd": _iso(c.needs_reply_date),
        "sn": _iso(c.snooze_until), "b": c.birthday,
        "l": log,
    }  # fmt: skip


def contact_from_json(d: dict[str, Any]) -> Contact:
    cadence = d["cd"]
    birthday = d["b"]
    return Contact(
        path=d["p"], name=d["n"], stem=d["s"], fields=d["f"], aliases=tuple(d["a"]), category=d["c"],
        tags=tuple(d["t"]), company=d["co"], emails=tuple(d["e"]), interests=tuple(d["i"]), status=d["st"],
        cadence=None if cadence is None else Duration(cadence[0], cadence[1]), cadence_set=d["cs"],
        last_contact=_date(d["lc"]), next_contact=_date(d["nc"]), follow_up=_date(d["fu"]),
        follow_up_note=d["fn"], needs_reply=d["nr"], needs_reply_date=_date(d["nd"]),
        snooze_until=_date(d["sn"]), birthday=None if birthday is None else tuple(birthday),
        log=tuple(LogEntry(dt.date.fromisoformat(x[0]), x[1], x[2], x[3], x[4]) for x in d["l"]),
    )  # fmt: skip


_SAMPLE_DUE = due_columns(Contact(path="", name="", stem="", fields={}))  # after _iso exists
_N_DUE_COLUMNS = len(_SAMPLE_DUE)
# A note's row binds no None and no bool: Python's sqlite3 runs its adapter lookup for each (some 3,000 CPU
# instructions a value, a tenth of a cold index), an int or a str goes straight in. A column that may be NULL
# takes a stand-in that none of its values can equal, and NULLIF makes it NULL again: 0 in a text column (a
# bound int never equals a bound str), -1 in a 0/1 column (cadence_set, needs_reply: ints even in a sample).
_DUE_NULLS = tuple(-1 if isinstance(value, int) else 0 for value in _SAMPLE_DUE)


def _note_values(r: NoteRow) -> tuple[Any, ...]:
    """What :data:`_INSERT_NOTE` binds for one note: NULLs as their stand-ins, booleans as 0 and 1."""
    columns = r.columns
    due = _DUE_NULLS if columns is None else [n if v is None else v for v, n in zip(columns, _DUE_NULLS, strict=True)]
    return (r.path, r.token, 0 if r.record is None else 1, 0 if r.record is None else r.record,
            0 if r.fields is None else r.fields, r.problems, r.problem_count, *due, *(r.fts or (0, 0, 0)))  # fmt: skip


_INSERT_NOTE = (
    "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, "
    + ", ".join(f"NULLIF(?, {null})" for null in _DUE_NULLS)
    + ", NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0))"
)
