"""Git history of every note from one batched ``git log``: parse, follow renames, cache.

Pure except for :func:`load_cache` / :func:`save_cache` (a JSON file under
``.mdnet/``). The raw log comes from :func:`mdnet.git.commands.log_records`; this module
turns it into a :class:`GitHistory`: every commit once, and for each note (by its
path at HEAD) the commits that touched it, renames followed.

Following renames in one pass: the log runs newest first, and a map from "a path
as it was at this point in time" to "the note's path at HEAD" is kept. ``M p``
belongs to the note ``p`` maps to (``p`` itself when unmapped); ``R old new``
belongs to ``new``'s note and from then on (further back) ``old`` maps to it;
``A p`` is the note's creation, so further back ``p`` is unmapped again. As with
``git log --follow``, this is exact on a linear history and a good approximation
across merges of branches that renamed the same note.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from mdnet.core.model import GitFacts
from mdnet.git.commit_text import trusted_trailers
from mdnet.store.files import read_own_file, write_own_file

CACHE_VERSION = 3  # 2: trailers only from blocks mdnet wrote (commit_text.trusted_trailers); 3: Amends
TRAILER_KEYS = ("Contact", "Interaction", "Interaction-Date", "Follow-Up", "Snooze-Until", "Amends")
_HASH_RE = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?\0")


class Commit(NamedTuple):
    """One commit as history shows it: author date and time, subject, mdnet's trailers.

    A named tuple rather than a dataclass: tens of thousands are built per pass.
    """

    hash: str
    date: str
    time: str
    subject: str
    trailers: dict[str, str]

    def to_json(self) -> list[Any]:
        return list(self)

    @classmethod
    def from_json(cls, data: list[Any]) -> Commit:
        return cls(str(data[0]), str(data[1]), str(data[2]), str(data[3]), dict(data[4]))

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date)


class Change(NamedTuple):
    """One ``--name-status`` line: A/M/D/T/R/C, the path, and the old path of a rename or copy."""

    status: str
    path: str
    old_path: str | None = None


def parse_log(raw: bytes | Iterable[bytes]) -> list[tuple[Commit, list[Change]]]:
    """Parse :data:`mdnet.git.commands.LOG_FORMAT` output (``-z --name-status``), newest first.

    ``raw`` is the whole output or its chunks as git writes them. Each record is
    decoded with ``surrogateescape`` (paths come back exactly as ``os.fsdecode`` gives
    them, whatever their bytes); a subject that is not UTF-8 gets U+FFFD.
    """
    parsed: list[tuple[Commit, list[Change]]] = []
    pending: bytes | None = None
    tail: bytes | None = None

    def take(piece: bytes) -> None:
        nonlocal pending
        # a record starts with a hash and a NUL; anything else was a \x1e inside a subject
        if pending is not None and not _HASH_RE.match(piece):
            pending += b"\x1e" + piece
            return
        if pending is not None:
            parsed.append(_parse_record(pending.decode("utf-8", "surrogateescape")))
        pending = piece

    for chunk in [raw] if isinstance(raw, bytes) else raw:
        pieces = ((tail or b"") + chunk).split(b"\x1e")
        if tail is None:
            pieces.pop(0)  # what comes before the first record (nothing)
        tail = pieces.pop() if pieces else b""
        for piece in pieces:
            take(piece)
    if tail:
        take(tail)
    if pending is not None:
        parsed.append(_parse_record(pending.decode("utf-8", "surrogateescape")))
    return parsed


def _parse_record(record: str) -> tuple[Commit, list[Change]]:
    parts = record.split("\0", 4)
    while len(parts) < 5:
        parts.append("")
    commit_hash, stamp, subject, trailer_text, rest = parts
    if not subject.isascii():
        subject = subject.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    commit = Commit(
        commit_hash, stamp[:10], stamp[11:19], subject, _trailers(trailer_text, subject) if trailer_text else {}
    )
    tokens = rest.lstrip("\0\n").split("\0")
    changes: list[Change] = []
    position, count = 0, len(tokens)
    while position < count:
        status = tokens[position]
        position += 1
        if not status:
            continue
        kind = status[0]
        if (kind == "R" or kind == "C") and position + 1 < count:
            changes.append(Change(kind, tokens[position + 1], tokens[position]))
            position += 2
        elif position < count:
            changes.append(Change(kind, tokens[position]))
            position += 1
    return commit, changes


def _trailers(block: str, subject: str) -> dict[str, str]:
    """mdnet's trailers of a commit (the first value of each key), only from a block mdnet wrote: a
    user's ``Interaction:`` line, or one smuggled in by a name, does not make history misread it."""
    found: dict[str, str] = {}
    for key, value in trusted_trailers(block, subject) or ():
        if key in TRAILER_KEYS and key not in found:
            found[key] = value
    return found


def is_note_path(path: str) -> bool:
    return path.lower().endswith(".md")


@dataclass
class GitHistory:
    """Every commit that touched a note (newest first) and, per note path at HEAD, its commits."""

    head: str | None
    prefix: str
    commits: list[Commit] = field(default_factory=list)
    files: dict[str, list[int]] = field(default_factory=dict)

    def commits_of(self, path: str) -> list[Commit]:
        return [self.commits[i] for i in self.files.get(path, ())]

    def facts(self) -> dict[str, GitFacts]:
        """Per note path: the newest commit that touched it (in git's order), its author date, how many.

        "Newest" is git's own order (children before parents), not the largest author
        date: a commit made today with a back-dated ``--date`` does not hide a later one.
        """
        found: dict[str, GitFacts] = {}
        for path, indices in self.files.items():
            newest = self.commits[indices[0]]
            found[path] = GitFacts(path, newest.day, len(indices), newest.hash)
        return found


def build(head: str | None, prefix: str, raw: bytes | Iterable[bytes]) -> GitHistory:
    """A :class:`GitHistory` from one full ``git log`` of the vault."""
    history = GitHistory(head, prefix)
    extend(history, head, raw)
    return history


def extend(history: GitHistory, head: str | None, raw: bytes | Iterable[bytes]) -> None:
    """Add the commits of ``old_head..head`` (``raw``, newest first) in front of ``history``."""
    records = parse_log(raw)
    new_files, at_old_head = follow(records)
    shift = len(records)
    merged: dict[str, list[int]] = {}
    for path, indices in history.files.items():
        key = at_old_head.get(path, path)
        merged.setdefault(key, []).extend(i + shift for i in indices)
    for key, indices in new_files.items():
        merged[key] = indices + merged.get(key, [])
    history.commits[:0] = [commit for commit, _ in records]
    history.files = {key: indices for key, indices in merged.items() if is_note_path(key)}
    history.head = head


def follow(records: list[tuple[Commit, list[Change]]]) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Commits per note (path at the newest commit), and where each older path ended up."""
    files: dict[str, list[int]] = {}
    alias: dict[str, str] = {}
    for index, (_, changes) in enumerate(records):
        for change in changes:
            if change.status == "R" and change.old_path is not None:
                key = alias.pop(change.path, change.path)
                alias[change.old_path] = key
            elif change.status in ("A", "C"):
                key = alias.pop(change.path, change.path)
            else:
                key = alias.get(change.path, change.path)
            touched = files.setdefault(key, [])
            if not touched or touched[-1] != index:
                touched.append(index)
    return files, alias


# -- the cache: a JSON file under .mdnet/, keyed by HEAD --------------------------------


# The history cache is line-oriented so that one note's commits can be read without
# parsing the rest: a JSON header line, then one "F <path>\t<commit numbers>" line per
# note, then one "C <commit>" line per commit (JSON throughout).


def load_cache(path: Path) -> GitHistory | None:
    """The whole cached history, or None when missing, unreadable or of another version."""
    try:
        lines = read_own_file(path).split(b"\n")
        header = _header(lines)
        if header is None:
            return None
        files: dict[str, list[int]] = {}
        commits: list[Commit] = []
        for line in lines[1:]:
            if line.startswith(b"F "):
                key, _, indices = line[2:].partition(b"\t")
                files[json.loads(key)] = [int(i) for i in json.loads(indices)]
            elif line.startswith(b"C "):
                commits.append(Commit.from_json(json.loads(line[2:])))
        if len(commits) != header["commits"]:
            return None
        return GitHistory(header["head"], header["prefix"], commits, files)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def load_cached_commits(path: Path, head: str, prefix: str, note: str) -> list[Commit] | None:
    """One note's commits from the cache written for ``head``: None when that cache is not there."""
    try:
        lines = read_own_file(path).split(b"\n")
        header = _header(lines)
        if header is None or header["head"] != head or header["prefix"] != prefix:
            return None
        wanted = b"F " + json.dumps(note).encode("utf-8") + b"\t"
        first_commit = 1 + int(header["files"])
        for line in lines[1:first_commit]:
            if line.startswith(wanted):
                indices = json.loads(line[len(wanted) :])
                return [Commit.from_json(json.loads(lines[first_commit + int(i)][2:])) for i in indices]
        return []
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _header(lines: list[bytes]) -> dict[str, Any] | None:
    header = json.loads(lines[0]) if lines and lines[0] else None
    if not isinstance(header, dict) or header.get("version") != CACHE_VERSION:
        return None
    return header


def save_cache(path: Path, history: GitHistory) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not kept."""
    header = {"version": CACHE_VERSION, "head": history.head, "prefix": history.prefix,
              "files": len(history.files), "commits": len(history.commits)}  # fmt: skip
    parts = [json.dumps(header)]
    # ASCII JSON: a path that is not UTF-8 (kept as surrogates) survives the round trip
    parts.extend(f"F {json.dumps(key)}\t{json.dumps(v)}" for key, v in history.files.items())
    parts.extend(f"C {json.dumps(list(c))}" for c in history.commits)
    _write_text(path, "\n".join(parts) + "\n")


def load_facts(path: Path, head: str | None, prefix: str) -> dict[str, GitFacts] | None:
    """The small per-note facts file, when it was written for this HEAD and prefix."""
    try:
        data = json.loads(read_own_file(path))
        if data.get("version") != CACHE_VERSION or data.get("head") != head or data.get("prefix") != prefix:
            return None
        return {
            key: GitFacts(key, dt.date.fromisoformat(day), int(count), str(last))
            for key, (day, count, last) in data["facts"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_facts(path: Path, head: str | None, prefix: str, facts: Iterable[GitFacts]) -> None:
    data = {
        "version": CACHE_VERSION,
        "head": head,
        "prefix": prefix,
        "facts": {f.path: [f.last_touched.isoformat(), f.commits, f.last_commit] for f in facts},
    }
    _write_text(path, json.dumps(data, separators=(",", ":")))


def _write_text(path: Path, text: str) -> None:
    """A cache is best effort: a failed write only means the next run reads git again. Written and read
    without following a link at its name (:func:`mdnet.store.files.write_own_file`): a cache committed as a link
    to a file outside the vault must neither be read as the cache nor have that file replaced."""
    with contextlib.suppress(OSError, ValueError):
        write_own_file(path, text.encode("utf-8"))
