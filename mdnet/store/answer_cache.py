"""One answer of a command kept in ``.mdnet/``, for as long as nothing it depends on has changed.

``mdnet due --json`` on a vault that has not changed since the last run gives the same text again; on a large
vault the query, the due rules and the JSON cost more than the rest of the command. :class:`AnswerCache` keeps
the last answer beside the index, under a key of everything the answer depends on:

* the index as it is after this command's refresh: its generation (counted up by every write), its epoch (new
  whenever every note is read again into a new index: a rebuild, a deleted index file, a settings change; its
  generations may count from 1 again, over what may be the same scan), the digest of the full scan it holds
  (every note's path and stat), and the settings it was built with. An index that cannot vouch for the files
  (a partial refresh, another process writing meanwhile: no digest; a note saved too close to the scan:
  "racy") makes no key, and nothing is cached;
* every setting of ``mdnet.toml`` (the whole :class:`~mdnet.config.Config`, not only what the index reads);
* mdnet's version and code: the path, size and modification time of every ``.py`` file of the package, and the
  Python running it;
* what the caller adds: the day T and the command's options.

The key is hashed into the file's first line, with the answer's length and checksum. A different key, a damaged
or truncated file, a link, anything but the expected header: a miss, and the answer is computed as without a
cache. Writing is best effort, by :func:`mdnet.store.files.write_own_file` (never through a link, atomically
renamed into place, not flushed to the disk: the checksum catches what a crash left); a folder that cannot be
written just never hits. docs/due.md says the rest.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from mdnet.config import Config
from mdnet.errors import UsageError
from mdnet.store import files
from mdnet.store.index import Index

try:  # as mdnet.store.refresh does: hashlib would load OpenSSL (~4 ms on every command)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

FORMAT = b"mdnet answer 2"
PACKAGE = Path(__file__).resolve().parent.parent


class AnswerCache:
    """The answer stored at ``path`` for ``key``; both None when nothing may be cached (see the module)."""

    def __init__(
        self, path: Path | None, key: str | None, index: Index | None = None, state: str | None = None
    ) -> None:
        self.path = path if key is not None else None
        self.key = key
        self._index = index
        self._state = state

    def get(self) -> str | None:
        """The stored answer when it was stored under this key; None otherwise (a miss)."""
        if self.path is None or self.key is None:
            return None
        try:
            data = files.read_own_file(self.path)
        except OSError:
            return None
        header, newline, body = data.partition(b"\n")
        fields = header.split(b" ")
        if not newline or len(fields) != 6 or b" ".join(fields[:3]) != FORMAT or fields[3] != self.key.encode():
            return None
        # written without a flush to the disk: after a crash the name may hold a file cut short or with holes
        if fields[4] != str(len(body)).encode() or fields[5] != _checksum(body):
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def put(self, text: str) -> None:
        """Store ``text`` as the answer for this key, unless the index changed while it was computed (another
        process wrote): then the answer may hold rows of a newer index than the key says."""
        if self.path is None or self.key is None:
            return
        try:
            if self._index is not None and index_state(self._index) != self._state:
                return
        except sqlite3.DatabaseError:
            return
        body = text.encode("utf-8")
        header = b" ".join([FORMAT, self.key.encode(), str(len(body)).encode(), _checksum(body)])
        try:  # not flushed to the disk (~10 ms for a 10k vault's answer): the checksum finds what a crash cut
            files.write_own_file(self.path, header + b"\n" + body, durable=False)
        except OSError:  # a read-only folder, a full disk: the next run computes the answer again
            return


def _checksum(body: bytes) -> bytes:
    return blake2b(body, digest_size=16).hexdigest().encode("ascii")


def answer_cache(index: Index, config: Config, name: str, parts: tuple[object, ...]) -> AnswerCache:
    """The cache of the answer ``name`` (``.mdnet/answer-NAME``) for ``parts`` (the day, the options), the index
    already brought up to date. Caches nothing for an index in memory, or one that cannot vouch for the files."""
    if not name.isidentifier():
        raise UsageError(f"an answer's name is a plain word, not {name!r}")
    try:
        state = index_state(index)
    except sqlite3.DatabaseError:  # a damaged index: the query that follows heals it, uncached
        state = None
    if index.path is None or state is None:
        return AnswerCache(None, None)
    text = "\n".join([state, repr(config), code_fingerprint(), *(repr(p) for p in parts)])
    key = blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return AnswerCache(index.path.parent / f"answer-{name}", key, index, state)


def index_state(index: Index) -> str | None:
    """What identifies the index's contents: epoch, generation, digest of the full scan and the settings it was
    built with. None when the index cannot vouch for the files (no digest: a partial refresh, or a write by another
    process during the scan; racy notes, read again by the next refresh), or has no epoch (last written by an older
    mdnet, which may have rebuilt it)."""
    keys = ("generation", "digest", "racy", "config", "epoch")
    generation, digest, racy, settings, epoch = (index.get_meta(k) for k in keys)
    if not generation or not digest or racy or not epoch:  # no epoch: written only by an mdnet before it
        return None
    return f"{epoch} {generation} {digest} {settings}"


def code_fingerprint() -> str:
    """mdnet's version, the Python running it, and every ``.py`` file of the package by path, size and modification
    time: an upgrade, an edit of the code in a checkout, or the same checkout run by another Python (whose Unicode
    tables ``--tag`` folds with) is a miss."""
    mdnet = sys.modules.get("mdnet")
    parts = [str(getattr(mdnet, "__version__", "")), f"{sys.implementation.name} {sys.version}"]
    folders = [str(PACKAGE)]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        info = entry.stat()
                        parts.append(f"{entry.path} {info.st_size} {info.st_mtime_ns}")
                    elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
        except OSError:
            parts.append(f"{folder} unreadable")
    return "\n".join(sorted(parts))
