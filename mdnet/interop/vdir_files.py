"""The vdir folder and the sync state on disk: small functions over :mod:`mdnet.store.files`.

The vdir is outside the vault, written by vdirsyncer and khard too: a card is written
atomically (a temporary file renamed in the same folder, as the vdir format asks) and only
over the bytes it was computed from; ``.tmp`` files, dot files and names without an
extension are never read. The state (``.mdnet-vdir.json`` at the vault root) is this
machine's, never versioned, and holds per vdir (its absolute path) what was last synced.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mdnet.errors import FileChanged, SourceFileError, VaultError
from mdnet.interop.vdir_map import KEYS, LISTS, Values
from mdnet.store import files

STATE_NAME = ".mdnet-vdir.json"
STATE_VERSION = 1
CARD_SUFFIXES = (".vcf", ".vcard")
MAX_CARD_BYTES = 4 * 1024 * 1024  # a card with a photo is some 100 KiB; this is four large photos
MAX_STATE_BYTES = 64 * 1024 * 1024


def card_names(folder: Path) -> dict[str, str]:
    """The cards in the vdir ``folder``: file name -> change token. Sub-folders, dot files, ``.tmp`` files
    and names with no extension are left out."""
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise SourceFileError(f"cannot read the vdir: {exc.strerror}", path=str(folder)) from None
    found: dict[str, str] = {}
    for entry in entries:
        name = entry.name
        if name.startswith(".") or "." not in name or not name.lower().endswith(CARD_SUFFIXES):
            continue
        try:
            if not entry.is_file():
                continue
            info = entry.stat()
        except OSError:
            continue
        found[name] = files.token(info.st_mtime_ns, info.st_size, info.st_ino)
    return found


def read_card_bytes(path: Path) -> bytes:
    """A card's bytes; :class:`SourceFileError` when it is too large or unreadable."""
    try:
        return files.read_bytes(path, MAX_CARD_BYTES)
    except files.TooLarge as exc:
        limit = MAX_CARD_BYTES // (1024 * 1024)
        raise SourceFileError(f"card of {exc.size / 1e6:.1f} MB, over the {limit} MiB a card may have "
                              "(a very large photo?)", path=str(path)) from None  # fmt: skip
    except OSError as exc:
        raise SourceFileError(f"cannot read: {exc.strerror}", path=str(path)) from None


def write_card(path: Path, data: bytes, expected: bytes | None) -> str:
    """Write a card atomically: a new one (``expected`` None) never over a file, else only while it holds
    ``expected`` (:class:`FileChanged`). Returns its new change token."""
    if expected is None:
        files.create_new(path, data, str(path), root=None)  # outside the vault: the vdir
    else:
        _check_unchanged(path, expected)
        files.replace_atomically(path, data, str(path), root=None)
    return files.token_of(path) or ""


def delete_card(path: Path, expected: bytes) -> None:
    """Delete a card, only while it holds ``expected`` (:class:`FileChanged`)."""
    _check_unchanged(path, expected)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise VaultError(f"cannot delete: {exc.strerror}", path=str(path)) from None


def _check_unchanged(path: Path, expected: bytes) -> None:
    try:
        now = files.read_bytes(path, len(expected) + 1)
    except (OSError, files.TooLarge):
        now = None
    if now != expected:
        raise FileChanged("changed in the vdir while mdnet synced it; left for the next sync", path=str(path))


# -- the state -------------------------------------------------------------


@dataclass(slots=True)
class Pair:
    """A note and its card as last synced."""

    note: str
    card: str
    token: str
    values: Values

    def as_json(self) -> dict[str, Any]:
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()}
        return {"note": self.note, "card": self.card, "token": self.token, "values": values}


@dataclass(slots=True)
class VdirState:
    """What was last synced with one vdir: pairs by UID, and the UIDs whose card was deleted (not pushed back)."""

    pairs: dict[str, Pair] = field(default_factory=dict)
    gone: dict[str, str] = field(default_factory=dict)  # uid -> note path
    first: bool = True
    # note path -> contact name: notes this sync wrote whose commit failed (git busy, a stale index.lock): the
    # next sync commits them, though neither side changed since
    uncommitted: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        pairs = {uid: p.as_json() for uid, p in sorted(self.pairs.items())}
        data: dict[str, Any] = {"pairs": pairs, "gone": dict(sorted(self.gone.items()))}
        if self.uncommitted:
            data["uncommitted"] = dict(sorted(self.uncommitted.items()))
        return data


def load_state(root: Path, key: str) -> tuple[VdirState, str | None]:
    """The state of the vdir ``key`` (an absolute path); a missing or unreadable state is a first sync
    (with the reason, for a warning, when it could not be read)."""
    raw, problem = _load_all(root)
    entry = raw.get("vdirs", {}).get(key) if isinstance(raw.get("vdirs"), dict) else None
    if not isinstance(entry, dict):
        return VdirState(), problem
    state = VdirState(first=False)
    try:
        for uid, pair in entry.get("pairs", {}).items():
            values: Values = {}
            for k in KEYS:
                v = pair["values"][k]
                values[k] = tuple(str(i) for i in v) if k in LISTS else str(v)
            state.pairs[str(uid)] = Pair(str(pair["note"]), str(pair["card"]), str(pair["token"]), values)
        state.gone = {str(k): str(v) for k, v in entry.get("gone", {}).items()}
        state.uncommitted = {str(k): str(v) for k, v in entry.get("uncommitted", {}).items()}
    except (KeyError, TypeError, AttributeError):
        return VdirState(), f"{STATE_NAME}: not as mdnet writes it; this sync is a first sync (it deletes nothing)"
    return state, None


def _load_all(root: Path) -> tuple[dict[str, Any], str | None]:
    path = root / STATE_NAME
    try:
        data = files.read_own_file(path) if path.stat().st_size <= MAX_STATE_BYTES else b""
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"{STATE_NAME}: cannot read ({exc.strerror}); this sync is a first sync (it deletes nothing)"
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        raw = None
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
        return {}, f"{STATE_NAME}: not as mdnet writes it; this sync is a first sync (it deletes nothing)"
    return raw, None


def save_state(root: Path, key: str, state: VdirState) -> bool:
    """Write the state of the vdir ``key`` (others kept); False when it was already so (nothing written)."""
    raw, _ = _load_all(root)
    vdirs = raw.get("vdirs") if isinstance(raw.get("vdirs"), dict) else {}
    assert isinstance(vdirs, dict)
    if vdirs.get(key) == state.as_json():
        return False
    vdirs[key] = state.as_json()
    data = json.dumps({"version": STATE_VERSION, "vdirs": vdirs}, indent=1, ensure_ascii=False, sort_keys=True)
    try:
        files.write_own_file(root / STATE_NAME, (data + "\n").encode("utf-8"))
    except OSError as exc:
        raise VaultError(f"cannot write: {exc.strerror}", path=STATE_NAME) from None
    return True
