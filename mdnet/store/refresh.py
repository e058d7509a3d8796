"""Reconcile the notes with the index by change token; never stop on a bad file.

The khal recipe: scan every note's token (a stat, no read), compare with the
stored ones, re-read only what changed, delete what vanished. When the scan's
digest equals the stored digest nothing is read from the index at all. A token
taken too close to the file's modification is stored as "racy" so that a second
edit in the same mtime tick with the same size is still seen next time (the problem
git solves the same way). Many changed notes are parsed on every core. Each decision
(reset, digest equal, racy, partial) is a debug line on the logger ``mdnet.refresh``,
which ``mdnet --debug`` shows, as khal logs its cache's.
"""

from __future__ import annotations

import os
import sys
import time
from array import array
from binascii import a2b_base64, b2a_base64
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from mdnet.config import Config
from mdnet.core.model import RefreshStats
from mdnet.store import files
from mdnet.store.files import FileState, Stat
from mdnet.store.index import Index, NoteRow
from mdnet.store.layout import daily_location

if TYPE_CHECKING:
    from mdnet.store.rows import Settings

try:  # what hashlib.blake2b is, without importing hashlib, which loads OpenSSL (~4 ms on every command)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

# A note modified this close to the start of a scan may be modified again within the
# same timestamp tick after we read it; its token is stored as "racy" so the next scan
# reads it again. Filesystems with whole-second mtimes (FAT, some network mounts) need
# a wider margin than those with fine timestamps (ext4, APFS: a kernel tick or so).
RACY_NS_COARSE = 2_000_000_000
RACY_NS_FINE = 100_000_000
# Parsing on worker processes (measured at 10,000 notes on 2 cores: docs/decisions.md, "Worker processes"): from
# this many changed notes, one worker per core up to MAX_WORKERS, in batches of at most CHUNK notes.
PARALLEL_THRESHOLD = 1500
MAX_WORKERS = 8
CHUNK = 500
SERIAL_BATCH = 200  # one process parses in batches too: a progress bar moves as notes are read


def refresh(
    root: Path,
    config: Config,
    index: Index,
    only: Iterable[str] | None = None,
    daily: tuple[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshStats:
    """Bring ``index`` up to date with the notes under ``root``.

    ``only`` limits the work to the given vault-relative paths (what a watcher saw
    change); without it the whole vault is scanned. ``daily`` is the daily notes' folder
    and format (:func:`mdnet.store.layout.daily_location`, read there when not given): which
    notes are daily notes, and so dated (SPEC 11). It is part of what the index depends on.
    ``progress`` is told (notes stored, notes to store) as the rows are stored, when notes are read.
    """
    if daily is None:
        daily = daily_location(root, config)
    started = time.perf_counter()
    started_ns = time.time_ns()  # before any note is read: later writes have later mtimes
    rebuilt = index.rebuilt
    # A new index, or settings the index depends on changed: reread everything into a new file put in
    # place whole (Index.rebuild), so another process never sees an empty or a half-made index meanwhile.
    stored_config = index.get_meta("config")
    fingerprint = index_fingerprint(config, daily)
    reset = stored_config != fingerprint
    if reset:
        rebuilt = rebuilt or stored_config is not None
        _debug("reset: %s; every note is read again", "the settings changed" if stored_config else "a new index")
        only = None
    digest = ""  # a partial refresh cannot vouch for the whole vault
    misnamed: set[str] = set()  # notes whose file name is not UTF-8: reported, never read
    if only is None:
        states = files.scan(root)
        try:
            digest = _digest(states)
        except UnicodeEncodeError:  # a file name that is not UTF-8: the note is kept under a readable stand-in
            states, misnamed = _readable_names(states)
            digest = _digest(states)
        racy_pending = index.get_meta("racy")  # racy notes must be read again, digest or not
        if not reset and not racy_pending and index.get_meta("digest") == digest:
            note_count, contact_count = _stored_counts(index)
            _debug("digest equal: the %d notes are as the last scan left them; nothing is read", len(states))
            return RefreshStats(note_count, contact_count, 0, 0, 0, 0, time.perf_counter() - started, rebuilt)
        if racy_pending and not reset:
            _debug("racy: %d notes saved too close to the last scan are read again", racy_pending.count(",") + 1)
        generation = index.get_meta("generation")  # before the rows' description is read: see meta()
        last_scan = None if reset else _stored_scan(index)
        stored: Collection[str]
        if last_scan is not None:  # the last full scan, as stored with the rows: no need to read every token
            changed = [p for p, state in states.items() if last_scan.get(p) != state]
            deleted = [p for p in last_scan if p not in states]
            stored = last_scan
        else:
            tokens = {} if reset else index.tokens()
            changed = [p for p, state in states.items() if tokens.get(p) != files.token(*state)]
            deleted = [p for p in tokens if p not in states]
            stored = tokens
    else:
        generation = index.get_meta("generation")
        tokens = index.tokens()
        states, changed, deleted, misnamed = _states_of(root, only, tokens)
        stored = tokens
        _debug("partial: %d paths looked at, the whole vault is not scanned", len(states) + len(deleted))
    racy: list[str] = []
    tally = {"added": 0, "problems": 0}
    counts: list[int] = []

    def parsed_rows() -> Iterator[NoteRow]:
        """Rows as the workers finish them, so storing overlaps parsing."""
        work = [(p, FileState(*states[p])) for p in changed if p not in misnamed]
        batches = iter_parsed(root, config, work, daily)
        if misnamed:
            from mdnet.store.rows import misnamed_row

            named = [misnamed_row(p, files.token(*states[p]), config.contact_dirs) for p in changed if p in misnamed]
            batches = chain(batches, [named])
        done = 0
        for batch in batches:
            for row in batch:
                tally["added"] += row.path not in stored
                tally["problems"] += row.problem_count
                if _is_racy(states[row.path][0], started_ns):
                    racy.append(row.path)
                    row = row._replace(token="racy:" + row.token)
                yield row
            done += len(batch)
            if progress is not None:  # the batch's rows are stored once the next is asked for
                progress(done, len(changed))

    def meta(target: Index) -> dict[str, str]:
        counts.extend(target.counts())  # inside the write: what this transaction leaves
        # Another process wrote since this one read the stored scan (or tokens): the rows it did not
        # re-read may now be that process's, not what this scan saw, so this scan cannot vouch for them.
        # The next refresh then compares every row's own token, which always matches the row. A rebuild
        # into a new file (target is not index) holds no row but this scan's.
        current = index.get_meta("generation")
        vouch = target is not index or current == generation
        values = {
            "config": fingerprint,
            "digest": digest if vouch else "",
            "counts": f"{counts[0]},{counts[1]}",
            "generation": str(int(current) + 1 if current and current.isdigit() else 1),
            # Which index this is: a new one whenever every note is read again into an emptied or new index (its
            # generations may count from 1 again, over a scan that may be the same): the answer cache's key holds it.
            "epoch": (index.get_meta("epoch") if target is index else None) or os.urandom(8).hex(),
        }
        if only is None:
            values["racy"] = ",".join(sorted(racy))
            values["scan"] = _encode_scan(states, set(racy)) if vouch else ""
        else:
            values["scan"] = ""  # nor can its rows be described by a scan
        return values

    if progress is not None and changed:
        progress(0, len(changed))
    if not reset:
        index.apply(parsed_rows(), deleted, lambda: meta(index), count=len(changed))
    elif not index.rebuild(parsed_rows(), meta, len(changed), fingerprint):
        _debug("reset: another process rebuilt the index meanwhile")
        return refresh(root, config, index, None, daily, progress)
    _debug("%d notes read, %d removed", len(changed), len(deleted))
    if racy:
        _debug("racy: %d notes saved within a timestamp tick of this scan; the next one reads them again", len(racy))
    return RefreshStats(
        files=counts[0],
        contacts=counts[1],
        added=tally["added"],
        updated=len(changed) - tally["added"],
        removed=len(deleted),
        problems=tally["problems"],
        seconds=time.perf_counter() - started,
        rebuilt=rebuilt,
    )


def _debug(message: str, *args: object) -> None:
    """A debug line on the logger ``mdnet.refresh``, shown by ``mdnet --debug``.

    ``logging`` is not imported for it (some 5 ms on every command): when nothing has imported it,
    nothing has configured it either, and a debug record would go nowhere.
    """
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger("mdnet.refresh").debug(message, *args)


def _stored_counts(index: Index) -> tuple[int, int]:
    """Notes and contacts in the index, as the last write stored them (counted when missing)."""
    stored = (index.get_meta("counts") or "").split(",")
    if len(stored) == 2 and stored[0].isdigit() and stored[1].isdigit():
        return int(stored[0]), int(stored[1])
    return index.counts()


_RACY_STATE: Stat = (-1, -1, -1)  # never a file's: a racy note differs from it, and is read again


def _encode_scan(states: dict[str, Stat], racy: set[str]) -> str:
    """The full scan whose notes the index now holds, for the next refresh to compare with.

    Stored in meta (``scan``) in the same transaction as the rows, so that a refresh that
    finds the digest changed compares two scans instead of reading every row's token (a
    table scan, and a string per note). Racy notes are stored as never matching. The text
    is ``count paths numbers``: base64 of the NUL-joined paths and of their states as 64-bit
    integers; empty (compare tokens instead) when a number does not fit.
    """
    values = states.values() if not racy else [_RACY_STATE if p in racy else s for p, s in states.items()]
    try:
        numbers = array("q", chain.from_iterable(values)).tobytes()
    except OverflowError:
        return ""
    paths = "\0".join(states).encode("utf-8", "surrogateescape")
    return f"{len(states)} {_base64(paths)} {_base64(numbers)}"


def _stored_scan(index: Index) -> dict[str, Stat] | None:
    """What :func:`_encode_scan` stored; ``None`` when there is none (or it cannot be read)."""
    text = index.get_meta("scan")
    if not text:
        return None
    try:
        count_text, paths_text, numbers_text = text.split(" ")
        count = int(count_text)
        paths = a2b_base64(paths_text).decode("utf-8", "surrogateescape").split("\0") if count else []
        numbers = array("q")
        numbers.frombytes(a2b_base64(numbers_text))
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None
    if len(paths) != count or len(numbers) != 3 * count:
        return None
    each = iter(numbers)
    return dict(zip(paths, zip(each, each, each, strict=True), strict=True))


def _base64(data: bytes) -> str:
    return b2a_base64(data, newline=False).decode("ascii")


def _is_racy(mtime_ns: int, started_ns: int) -> bool:
    window = RACY_NS_COARSE if mtime_ns % 1_000_000_000 == 0 else RACY_NS_FINE
    return mtime_ns > started_ns - window


def _readable_names(states: dict[str, Stat]) -> tuple[dict[str, Stat], set[str]]:
    """``states`` with every path that is not valid Unicode replaced by its readable stand-in, and those stand-ins."""
    readable: dict[str, Stat] = {}
    misnamed: set[str] = set()
    for path, state in states.items():
        key = files.readable_path(path)
        if key != path:
            misnamed.add(key)
        readable[key] = state
    return readable, misnamed


def _states_of(
    root: Path, only: Iterable[str], stored: dict[str, str]
) -> tuple[dict[str, Stat], list[str], list[str], set[str]]:
    states: dict[str, Stat] = {}
    changed: list[str] = []
    deleted: list[str] = []
    misnamed: set[str] = set()
    folders: dict[str, bool] = {}
    for given in sorted(set(only)):
        path = files.readable_path(given)
        state = files.state_if_scanned(root, given, folders)  # by the scan's rules: a full scan agrees
        if state is None:
            if path in stored:  # gone, or no longer a note (a folder now, say)
                deleted.append(path)
            continue
        states[path] = state
        if path != given:
            misnamed.add(path)
        if stored.get(path) != files.token(*states[path]):
            changed.append(path)
    return states, changed, deleted, misnamed


def _digest(states: dict[str, Stat]) -> str:
    """One hash of every path and its state, in the scan's order.

    The order is the file system's, which stays the same while a folder does not
    change; when it does change, the digest differs and the refresh compares every
    token, which is right either way. The numbers are hashed as 64-bit integers rather
    than text: formatting 30,000 of them costs more than the rest of the digest.
    """
    hasher = blake2b(len(states).to_bytes(8, "little"), digest_size=16)
    hasher.update("\0".join(states).encode("utf-8"))  # UnicodeEncodeError: a name that is not UTF-8
    try:
        hasher.update(array("q", chain.from_iterable(states.values())).tobytes())
    except OverflowError:  # an inode number of 2**63 or more (some network file systems)
        hasher.update(repr(list(states.values())).encode("ascii"))
    return hasher.hexdigest()


def index_fingerprint(config: Config, daily: tuple[str, str]) -> str:
    """What the index's rows depend on: the settings' fingerprint and the daily notes' folder and format."""
    return f"{config.fingerprint()} {len(daily[0])}:{daily[0]}{daily[1]}"


def parse_paths(
    root: Path, config: Config, work: list[tuple[str, FileState]], daily: tuple[str, str] | None = None
) -> list[NoteRow]:
    """Read and parse notes; on several cores when there are many."""
    return [row for batch in iter_parsed(root, config, work, daily) for row in batch]


def iter_parsed(
    root: Path, config: Config, work: list[tuple[str, FileState]], daily: tuple[str, str] | None = None
) -> Iterator[list[NoteRow]]:
    """Parsed notes in batches, in order; from worker processes when there are many."""
    from mdnet.store.rows import parse_one  # the parser: imported only when there are notes to read

    jobs = [(str(root), path, state.token) for path, state in work]
    folder, date_format = daily_location(root, config) if daily is None else daily
    settings: Settings = (config.contact_dirs, config.log_heading, config.max_note_bytes, config.mentions,
                          config.interaction_fields, folder, date_format)  # fmt: skip
    workers = worker_count(len(jobs))
    if workers < 2:
        for start in range(0, len(jobs), SERIAL_BATCH):  # batches: a progress bar moves as notes are read
            yield [parse_one(job, settings) for job in jobs[start : start + SERIAL_BATCH]]
        return
    from concurrent.futures import ProcessPoolExecutor  # only here: it costs ~20 ms to import
    from multiprocessing import get_all_start_methods, get_context

    if "fork" not in get_all_start_methods():  # Windows: spawn would re-import everything per worker
        yield [parse_one(job, settings) for job in jobs]
        return
    chunk = chunk_size(len(jobs), workers)
    batches = [jobs[i : i + chunk] for i in range(0, len(jobs), chunk)]
    make = tuple.__new__  # a plain tuple back into a NoteRow, in C: no Python call per row
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        for batch in pool.map(_parse_batch, batches, [settings] * len(batches)):
            yield [make(NoteRow, row) for row in batch]


def worker_count(notes: int) -> int:
    """How many worker processes parse ``notes`` notes: one per core, up to :data:`MAX_WORKERS`; none (1: this
    process alone) below :data:`PARALLEL_THRESHOLD` notes, where starting them costs more than they save."""
    if notes < PARALLEL_THRESHOLD:
        return 1
    return min(os.cpu_count() or 1, MAX_WORKERS)


def chunk_size(notes: int, workers: int) -> int:
    """Notes per batch sent to a worker: about eight batches per worker, so that the workers finish together
    and the main process, which stores the batches in order, starts early; never fewer than 100 (each batch
    costs a round trip) nor more than :data:`CHUNK` (the main process stores the last batch alone)."""
    return max(100, min(CHUNK, notes // (workers * 8)))


def _parse_batch(jobs: list[tuple[str, str, str]], settings: Settings) -> list[tuple[object, ...]]:
    """Parse one batch in a worker. The rows go back as plain tuples: a named tuple is pickled with a call to
    its ``__getnewargs__`` and rebuilt with a call to its ``__new__``, both Python functions, per row."""
    from mdnet.store.rows import parse_one

    return [tuple(parse_one(job, settings)) for job in jobs]
