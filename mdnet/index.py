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

from mdnet.model import Contact, Duration, LogEntry, Problem

SCHEMA_VERSION = 3
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
"""


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
            deleted = list(deleted)
            for path in deleted:
                db.execute("DELETE FROM notes WHERE path = ?", (path,))
            note_rows = []
            fts_rows = []
            touched = []
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
            # One pass over the FTS table for the whole batch: `path` is not indexed there, so a DELETE per
            # path would scan the table once per note (quadratic: minutes for a 10,000-file checkout).
            gone = [path for (path,) in touched] + deleted
            if gone:
                batch = json.dumps(gone, ensure_ascii=False)
                db.execute("DELETE FROM contacts_fts WHERE path IN (SELECT value FROM json_each(?))", (batch,))
            db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?)", note_rows)
            db.executemany("INSERT INTO contacts_fts VALUES (?, ?, ?, ?, ?)", fts_rows)
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))

    def clear(self) -> None:
        with self.write() as db:
            db.execute("DELETE FROM notes")
            db.execute("DELETE FROM contacts_fts")
            db.execute("DELETE FROM meta")

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
    for table in ("meta", "notes", "contacts_fts"):
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
