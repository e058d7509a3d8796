"""The only sqlite3 user: schema, version, upserts, and queries returning models.

The index is a disposable cache under ``.mdnet/``. A missing, corrupt or
other-version database is deleted and rebuilt from the notes; nothing in it is
ever the only copy of anything. WAL mode and ``BEGIN IMMEDIATE`` let two mdnet
processes share it: one waits for the other, neither corrupts it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdnet.contact import fold
from mdnet.links import LinkRow, PersonInfo, name_keys, note_links, person_info
from mdnet.model import Contact, Duration, LogEntry, Problem

SCHEMA_VERSION = 4
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (
    path TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    is_contact INTEGER NOT NULL,
    record TEXT,
    fields TEXT NOT NULL,
    problems TEXT NOT NULL
);
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    path UNINDEXED, name, aliases, details, body, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE links (src TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL);
CREATE INDEX links_src ON links (src);
CREATE INDEX links_key ON links (key);
CREATE TABLE names (key TEXT NOT NULL, path TEXT NOT NULL, rank INTEGER NOT NULL, is_contact INTEGER NOT NULL);
CREATE INDEX names_key ON names (key);
CREATE INDEX names_path ON names (path);
CREATE TABLE people (path TEXT PRIMARY KEY, name TEXT NOT NULL, last_contact TEXT, touches TEXT NOT NULL);
"""
_TABLES = ("meta", "notes", "contacts_fts", "links", "names", "people")


@dataclass(frozen=True, slots=True)
class NoteRow:
    """One note as stored: its token, its contact record (if any), its problems."""

    path: str
    token: str
    contact: Contact | None
    fields: dict[str, Any]
    problems: tuple[Problem, ...]
    body: str


class Index:
    """An open index database. Use :meth:`open`; close with :meth:`close`."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None, rebuilt: bool) -> None:
        self.connection = connection
        self.path = path
        self.rebuilt = rebuilt

    @classmethod
    def open(cls, path: Path) -> Index:
        """Open (creating, or rebuilding when corrupt or of another version) the index at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        try:
            connection = _connect(path)
            if _schema_version(connection) == SCHEMA_VERSION:
                return cls(connection, path, rebuilt=False)
            connection.close()
        except sqlite3.DatabaseError:
            pass
        _delete_database(path)
        connection = _connect(path)
        _create_schema(connection)
        return cls(connection, path, rebuilt=existed)

    @classmethod
    def memory(cls) -> Index:
        connection = sqlite3.connect(":memory:", isolation_level=None)
        _create_schema(connection)
        return cls(connection, None, rebuilt=False)

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

    def apply(self, rows: Iterable[NoteRow], deleted: Iterable[str], meta: dict[str, str]) -> None:
        """Upsert ``rows``, delete ``deleted`` and set ``meta``, in one transaction."""
        with self.write() as db:
            for path in deleted:
                db.execute("DELETE FROM notes WHERE path = ?", (path,))
                db.execute("DELETE FROM contacts_fts WHERE path = ?", (path,))
                db.execute("DELETE FROM links WHERE src = ?", (path,))
                db.execute("DELETE FROM names WHERE path = ?", (path,))
                db.execute("DELETE FROM people WHERE path = ?", (path,))
            note_rows = []
            fts_rows = []
            touched = []
            link_rows: list[tuple[str, str, str, str]] = []
            name_rows: list[tuple[str, str, int, int]] = []
            people_rows: list[tuple[str, str, str | None, str]] = []
            for row in rows:
                touched.append((row.path,))
                note_rows.append(
                    (
                        row.path,
                        row.token,
                        row.contact is not None,
                        None if row.contact is None else json.dumps(contact_to_json(row.contact)),
                        json.dumps(row.fields, ensure_ascii=False),
                        json.dumps([p.as_dict() for p in row.problems]),
                    )
                )
                if row.contact is not None:
                    fts_rows.append(_fts_row(row.contact, row.body))
                    link_rows.extend((row.path, r.kind, r.key, r.label) for r in note_links(row.contact, row.body))
                    name_rows.extend((key, row.path, rank, 1) for key, rank in name_keys(row.contact))
                    info = person_info(row.contact)
                    people_rows.append((row.path, info.name, info.last_contact, ",".join(info.touches)))
                else:
                    name_rows.append((fold(row.path.rsplit("/", 1)[-1].removesuffix(".md")), row.path, 0, 0))
            db.executemany("DELETE FROM links WHERE src = ?", touched)
            db.executemany("DELETE FROM names WHERE path = ?", touched)
            db.executemany("DELETE FROM people WHERE path = ?", touched)
            db.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", people_rows)
            db.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", link_rows)
            db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", name_rows)
            db.executemany("DELETE FROM contacts_fts WHERE path = ?", touched)
            db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?)", note_rows)
            db.executemany("INSERT INTO contacts_fts VALUES (?, ?, ?, ?, ?)", fts_rows)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))

    def clear(self) -> None:
        with self.write() as db:
            db.execute("DELETE FROM notes")
            db.execute("DELETE FROM contacts_fts")
            db.execute("DELETE FROM meta")
            db.execute("DELETE FROM links")
            db.execute("DELETE FROM names")
            db.execute("DELETE FROM people")

    def contacts(self) -> list[Contact]:
        rows = self.connection.execute("SELECT record FROM notes WHERE is_contact ORDER BY path")
        return [contact_from_json(json.loads(record)) for (record,) in rows]

    def contact(self, path: str) -> Contact | None:
        row = self.connection.execute("SELECT record FROM notes WHERE path = ? AND is_contact", (path,)).fetchone()
        return None if row is None else contact_from_json(json.loads(row[0]))

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        for (text,) in self.connection.execute("SELECT problems FROM notes WHERE problems != '[]' ORDER BY path"):
            found.extend(Problem(**p) for p in json.loads(text))
        return found

    def counts(self) -> tuple[int, int]:
        row = self.connection.execute("SELECT count(*), coalesce(sum(is_contact), 0) FROM notes").fetchone()
        return int(row[0]), int(row[1])

    def search(self, query: str, limit: int = 50) -> list[tuple[str, str]]:
        """Full-text search over contacts: (path, snippet), best match first."""
        match = " ".join('"' + word.replace('"', '""') + '"*' for word in query.split())
        if not match:
            return []
        rows = self.connection.execute(
            "SELECT path, snippet(contacts_fts, -1, '[', ']', '…', 12) FROM contacts_fts"
            " WHERE contacts_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        )
        return [(str(path), str(snippet)) for path, snippet in rows]

    # -- the network (mdnet.network reads these through mdnet.network.IndexLinks) --

    def links_from(self, path: str) -> list[LinkRow]:
        """The connections written in one contact note."""
        rows = self.connection.execute("SELECT kind, key, label FROM links WHERE src = ? ORDER BY rowid", (path,))
        return [LinkRow(kind, key, label) for kind, key, label in rows]

    def links_to(self, keys: Iterable[str]) -> list[tuple[str, LinkRow]]:
        """``(source path, link)`` for every connection whose folded target is one of ``keys``."""
        wanted = sorted(set(keys))
        found: list[tuple[str, LinkRow]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT src, kind, key, label FROM links WHERE key IN ({marks}) ORDER BY src, rowid", chunk
            )
            found.extend((src, LinkRow(kind, key, label)) for src, kind, key, label in rows)
        return found

    def names_for(self, key: str) -> list[tuple[str, int, bool]]:
        """``(path, rank, is_contact)`` of every note a folded link target may name."""
        rows = self.connection.execute("SELECT path, rank, is_contact FROM names WHERE key = ? ORDER BY rank, path",
                                       (key,))  # fmt: skip
        return [(str(path), int(rank), bool(is_contact)) for path, rank, is_contact in rows]

    def has_org(self, key: str) -> bool:
        """Whether some contact names ``key`` as its company or a past employer."""
        row = self.connection.execute(
            "SELECT 1 FROM links WHERE key = ? AND kind IN ('company', 'employer') LIMIT 1", (key,)
        ).fetchone()
        return row is not None

    def people(self, paths: Iterable[str]) -> dict[str, PersonInfo]:
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


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def _schema_version(connection: sqlite3.Connection) -> int:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        connection.execute("SELECT count(*) FROM meta").fetchone()
    return version


def _create_schema(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    for table in _TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.execute("COMMIT")


def _delete_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


def _fts_row(contact: Contact, body: str) -> tuple[str, str, str, str, str]:
    details = " ".join(
        str(v) for k, v in contact.fields.items() if k not in ("name", "aliases") and isinstance(v, str | list)
    )
    return (contact.path, contact.name, " ".join(contact.aliases), details.replace("[[", "").replace("]]", ""), body)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def contact_to_json(c: Contact) -> dict[str, Any]:
    """A contact as the JSON the index stores (and :func:`contact_from_json` reads back)."""
    return {
        "p": c.path, "n": c.name, "s": c.stem, "f": c.fields, "a": c.aliases, "c": c.category,
        "t": c.tags, "co": c.company, "e": c.emails, "i": c.interests, "st": c.status,
        "cd": None if c.cadence is None else [c.cadence.count, c.cadence.unit], "cs": c.cadence_set,
        "lc": _iso(c.last_contact), "nc": _iso(c.next_contact), "fu": _iso(c.follow_up),
        "fn": c.follow_up_note, "nr": c.needs_reply, "nd": _iso(c.needs_reply_date),
        "sn": _iso(c.snooze_until), "b": c.birthday,
        "l": [[e.date.isoformat(), e.time, e.kind, e.text, e.line] for e in c.log],
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
