"""``mdnet vdir sync``: a vdir of vCards (the folder vdirsyncer syncs with CardDAV) in step with the notes.

:mod:`~mdnet.interop.vdir_map` says what maps to what, :mod:`~mdnet.interop.vdir_merge` merges field
by field, :mod:`~mdnet.interop.vdir_note` edits a note, :mod:`~mdnet.interop.vdir_files` reads and
writes the folder and the state. Here, :func:`sync` puts them together: read the state, stat the
cards (reading only those changed since the last sync), pair cards and notes, write notes through
the vault's writer, cards atomically, commit the notes in one commit, and save the state.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mdnet.core.folding import fold
from mdnet.core.model import Contact
from mdnet.core.wording import counted
from mdnet.errors import FileChanged, MdnetError, SourceFileError, UsageError
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.interop import vdir_files
from mdnet.interop.vcard import contact_uid, decode_source
from mdnet.interop.vdir_files import Pair, VdirState
from mdnet.interop.vdir_map import (
    Card,
    Values,
    card_file_name,
    item_key,
    new_card,
    note_values,
    read_card,
    rewrite_card,
)
from mdnet.interop.vdir_merge import Conflict, merge
from mdnet.interop.vdir_note import edit_note

if TYPE_CHECKING:
    from mdnet.vault.ports import ImportingVault

Staged = Callable[[str, int, int], None]  # progress: (stage, done, total)


@dataclass(slots=True)
class SyncResult:
    folder: str
    first: bool = False
    notes_changed: list[str] = field(default_factory=list)  # "path: what"
    notes_created: list[str] = field(default_factory=list)
    cards_written: list[str] = field(default_factory=list)  # "file: what"
    cards_created: list[str] = field(default_factory=list)
    cards_deleted: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # notes whose card was deleted
    problems: list[str] = field(default_factory=list)  # one line each
    commit: str | None = None
    not_committed: str | None = None
    commit_failed: bool = False  # git refused the commit (busy, a stale index.lock): exit 1 (not in as_dict)
    caught_up: list[str] = field(default_factory=list)  # notes an earlier sync wrote and could not commit

    @property
    def changed(self) -> bool:
        return bool(self.notes_changed or self.notes_created or self.cards_written or self.cards_created
                    or self.cards_deleted)  # fmt: skip

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if k != "commit_failed"}


@dataclass(slots=True)
class _CardSlot:
    name: str
    token: str
    card: Card | None = None  # None: unchanged since the last sync, not read
    data: bytes | None = None


def vdir_folder(vault_root: Path, given: Path | None, configured: str) -> Path:
    """The vdir: the one given, else ``vdir`` in mdnet.toml (relative to the vault); bad usage without either."""
    if given is None:
        if not configured:
            raise UsageError('which vdir? give it (mdnet vdir sync DIR) or set vdir = "DIR" in mdnet.toml')
        given = Path(os.path.expanduser(configured))
        if not given.is_absolute():
            given = vault_root / given
    folder = Path(os.path.abspath(given))
    if not folder.is_dir():
        raise SourceFileError("no such folder (make it, or let vdirsyncer discover make it)", path=str(folder))
    if folder == Path(os.path.abspath(vault_root)) or Path(os.path.abspath(vault_root)) in folder.parents:
        raise UsageError(f"the vdir {folder} is inside the vault; keep it outside (vCards are not notes)")
    return folder


def sync(vault: ImportingVault, folder: Path, *, hooks: bool = True, progress: Staged | None = None) -> SyncResult:
    """One two-way sync of ``vault``'s contact notes with the vdir ``folder`` (see the module's docs).

    ``hooks=False``: its commit runs no git hooks (``mdnet watch --vdir`` commits while the user edits).
    ``progress`` is told (stage, done, total) as cards and notes are synced."""
    root = vault.root
    key = str(folder)
    state, problem = vdir_files.load_state(root, key)
    result = _Sync(vault, folder, state, hooks)
    result.progress = progress
    if problem:
        result.result.problems.append(problem)
    result.run()
    return result.result


class _Sync:
    def __init__(self, vault: ImportingVault, folder: Path, state: VdirState, hooks: bool = True) -> None:
        self.vault, self.folder, self.old, self.hooks = vault, folder, state, hooks
        self.new = VdirState(first=False)
        self.result = SyncResult(str(folder), first=state.first)
        self.touched: dict[str, str] = {}  # note path -> contact name, for the commit
        self.progress: Staged | None = None

    # -- reading -------------------------------------------------------------

    def _cards(self) -> tuple[dict[str, _CardSlot], set[str]]:
        """The readable cards by UID, and the UIDs (and file names) left alone this time."""
        by_file = {p.card: (uid, p) for uid, p in self.old.pairs.items()}
        slots: dict[str, list[_CardSlot]] = {}
        left_alone: set[str] = set()
        for name, token in sorted(vdir_files.card_names(self.folder).items()):
            known = by_file.get(name)
            if known is not None and known[1].token == token:
                slots.setdefault(known[0], []).append(_CardSlot(name, token))
                continue
            path = self.folder / name
            try:
                data = vdir_files.read_card_bytes(path)
                card = read_card(decode_source(data, str(path)), str(path))
            except SourceFileError as exc:
                self.result.problems.append(f"{exc}; left alone")
                left_alone.add(name)
                if known is not None:
                    left_alone.add(known[0])
                continue
            if not card.uid:
                self.result.problems.append(f"{path}: the card has no UID; left alone")
                left_alone.add(name)
                continue
            slots.setdefault(card.uid, []).append(_CardSlot(name, token, card, data))
        cards: dict[str, _CardSlot] = {}
        for uid, found in slots.items():
            if len(found) > 1:
                names = ", ".join(s.name for s in found)
                self.result.problems.append(f"{self.folder}: {names} have the same UID {uid!r}; left alone "
                                            "until one is removed")  # fmt: skip
                left_alone.add(uid)
                left_alone.update(s.name for s in found)
            else:
                cards[uid] = found[0]
        return cards, left_alone

    def _load(self, slot: _CardSlot, uid: str) -> Card:
        if slot.card is None:
            path = self.folder / slot.name
            slot.data = vdir_files.read_card_bytes(path)
            slot.card = read_card(decode_source(slot.data, str(path)), str(path))
            if slot.card.uid != uid:
                raise FileChanged("changed in the vdir while mdnet synced it; left for the next sync", path=str(path))
        return slot.card

    # -- the sync ------------------------------------------------------------

    def run(self) -> None:
        cards, left_alone = self._cards()
        notes: dict[str, Contact] = {}
        unpaired_notes: list[Contact] = []
        duplicates: set[str] = set()
        for contact in self.vault.contacts():
            uid = contact.fields.get("uid")
            if isinstance(uid, str) and uid.strip():
                if uid.strip() in notes:
                    other = notes[uid.strip()]
                    self.result.problems.append(f"{contact.path}: the same uid as {other.path}; both left alone")
                    duplicates.add(uid.strip())
                notes[uid.strip()] = contact
            else:
                unpaired_notes.append(contact)
        for uid in duplicates:
            notes.pop(uid, None)
        left_alone |= duplicates
        for number, (uid, pair) in enumerate(self.old.pairs.items(), 1):
            self._tell("syncing paired cards", number, len(self.old.pairs))
            if uid in left_alone or pair.card in left_alone:
                self.new.pairs[uid] = pair
                continue
            note = notes.pop(uid, None)
            if note is None:  # its uid line removed by hand? the note at the same path is still the one
                note = next((c for c in unpaired_notes if c.path == pair.note), None)
                if note is not None:
                    unpaired_notes.remove(note)
            self._pair(uid, pair, note, cards.pop(uid, None))
        for uid in self.old.gone:
            note = notes.pop(uid, None)
            if note is not None and uid not in cards and note.status != "archived":
                self.new.gone[uid] = note.path  # its card was deleted in the vdir: not pushed back
            elif note is not None:
                notes[uid] = note  # its card is back: paired again below
        unpaired_notes.extend(c for uid, c in notes.items() if uid not in left_alone)
        unpaired_notes = [c for c in unpaired_notes if c.status != "archived"]
        for number, (uid, slot) in enumerate(sorted(cards.items()), 1):
            self._tell("reading new cards", number, len(cards))
            if uid in left_alone:
                continue
            note = self._match(uid, slot, unpaired_notes)
            if note is not None:
                unpaired_notes.remove(note)
                self._first(uid, note, slot)
            else:
                self._new_note(uid, slot)
        for number, note in enumerate(unpaired_notes, 1):
            self._new_card(note)
            self._tell("writing new cards", number, len(unpaired_notes))
        self._finish()

    def _tell(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def _match(self, uid: str, slot: _CardSlot, candidates: list[Contact]) -> Contact | None:
        """The unpaired note of this card: by UID, then email, then exact name; a unique one only."""
        card = self._load(slot, uid)
        by_uid = [c for c in candidates if c.fields.get("uid") == uid]
        if by_uid:
            return by_uid[0]
        emails = {item_key("email", e) for e in card.values["email"]}
        by_email = [c for c in candidates if emails & {item_key("email", e) for e in c.emails}]
        if len(by_email) == 1:
            return by_email[0]
        name = card.values["name"]
        by_name = [c for c in candidates if not by_email and isinstance(name, str) and fold(c.name) == fold(name)]
        return by_name[0] if len(by_name) == 1 else None

    def _pair(self, uid: str, pair: Pair, note: Contact | None, slot: _CardSlot | None) -> None:
        if note is None or note.status == "archived":
            why = "archived" if note is not None else "deleted"
            if slot is None:
                return
            try:
                self._load(slot, uid)
                assert slot.data is not None
                vdir_files.delete_card(self.folder / slot.name, slot.data)
            except MdnetError as exc:
                self.result.problems.append(str(exc))
                self.new.pairs[uid] = pair
                return
            self.result.cards_deleted.append(f"{slot.name}: the note {pair.note} was {why}")
            return
        if slot is None:
            self.result.kept.append(f"{note.path}: its card {pair.card} was deleted in the vdir; note kept, "
                                    "card not made again")  # fmt: skip
            self.new.gone[uid] = note.path
            return
        card_values = pair.values if slot.card is None else slot.card.values
        self._apply(uid, note, slot, pair.values, card_values, pair)

    def _first(self, uid: str, note: Contact, slot: _CardSlot) -> None:
        card = self._load(slot, uid)
        self._apply(uid, note, slot, None, card.values, None)

    def _apply(self, uid: str, note: Contact, slot: _CardSlot, base: Values | None, card_values: Values,
               pair: Pair | None) -> None:  # fmt: skip
        mine = note_values(note)
        merged = merge(base, mine, card_values)
        note_uid = uid if note.fields.get("uid") != uid else None
        for conflict in merged.conflicts:
            self.result.conflicts.append(f"{note.path}: {conflict.describe()} ({slot.name})")
        if merged.note_keys or note_uid:
            change = functools.partial(edit_note, contact=note, keys=merged.note_keys, values=merged.values,
                                       uid=note_uid)  # fmt: skip
            if not self._write_note(note, change, _what(merged.note_keys, merged.values, "uid" if note_uid else "")):
                if pair is not None:
                    self.new.pairs[uid] = pair
                return
        token = slot.token
        if merged.card_keys:
            try:
                card = self._load(slot, uid)
                assert slot.data is not None
                text = rewrite_card(card.text, card.values, merged.values)
                token = vdir_files.write_card(self.folder / slot.name, text.encode("utf-8"), slot.data)
            except (MdnetError, ValueError) as exc:
                self.result.problems.append(str(exc))
                if pair is not None:
                    self.new.pairs[uid] = pair
                return
            self.result.cards_written.append(f"{slot.name}: {_what(merged.card_keys, merged.values)}")
        self.new.pairs[uid] = Pair(note.path, slot.name, token, merged.values)

    def _write_note(self, note: Contact, change: functools.partial[str], what: str) -> bool:
        try:
            self.vault.writer.rewrite(note, change, planned=True)
        except MdnetError as exc:
            self.result.problems.append(f"{exc}; left for the next sync")
            return False
        self.result.notes_changed.append(f"{note.path}: {what}")
        self.touched[note.path] = note.name
        return True

    def _new_note(self, uid: str, slot: _CardSlot) -> None:
        card = self._load(slot, uid)
        v = card.values
        categories = v["categories"]
        assert isinstance(categories, tuple) and isinstance(v["name"], str)
        extra = [("uid", uid), *((k, list(v[k]) if isinstance(v[k], tuple) else v[k])
                                 for k in ("aliases", "phone", "links", "location", "birthday") if v[k])]  # fmt: skip
        if len(v["phone"]) == 1:
            extra = [(k, x[0] if k == "phone" and isinstance(x, list) else x) for k, x in extra]
        try:
            path = self.vault.add(
                v["name"] or slot.name, category=categories[0] if categories else None, tags=categories[1:],
                cadence=self.vault.config.default_cadence, email=v["email"], company=str(v["company"]) or None,
                role=str(v["role"]) or None, extra=extra,
            )  # fmt: skip
        except MdnetError as exc:
            self.result.problems.append(f"{self.folder / slot.name}: no note made: {exc}")
            return
        relative = path.relative_to(self.vault.root).as_posix()
        self.result.notes_created.append(f"{relative}: from {slot.name}")
        self.touched[relative] = str(v["name"])
        self.new.pairs[uid] = Pair(relative, slot.name, slot.token, v)

    def _new_card(self, note: Contact) -> None:
        uid = note.fields.get("uid")
        if not (isinstance(uid, str) and uid.strip()):
            uid = contact_uid(note)
            change = functools.partial(edit_note, contact=note, keys=(), values={}, uid=uid)
            if not self._write_note(note, change, "uid"):
                return
        uid = uid.strip()
        values = note_values(note)
        name = card_file_name(uid)
        try:
            token = vdir_files.write_card(self.folder / name, new_card(uid, values).encode("utf-8"), None)
        except MdnetError as exc:
            self.result.problems.append(f"{exc}; left for the next sync")
            return
        self.result.cards_created.append(f"{name}: from {note.path}")
        self.new.pairs[uid] = Pair(note.path, name, token, values)

    def _finish(self) -> None:
        root = self.vault.root
        ignored = bool(self.new.pairs or self.new.gone) and _ignore_state(root)
        # notes an earlier sync wrote and could not commit (git busy, a stale index.lock): in this commit
        earlier = {p: n for p, n in self.old.uncommitted.items() if p not in self.touched and (root / p).is_file()}
        left = set(history.changed_paths(root, [*sorted(earlier), ".gitignore"])) if earlier else set()
        ignored = ignored or left.intersection({".gitignore"}) != set()  # added by that sync, not committed
        left.discard(".gitignore")
        self.result.caught_up = [f"{p}: written by an earlier sync whose commit failed" for p in sorted(left)]
        touched = {**{p: earlier[p] for p in left}, **self.touched}
        if touched:
            paths = sorted(touched)
            self.vault.refresh(sorted(self.touched))
            if ignored:
                paths.append(".gitignore")
            title = f"Sync {counted(len(touched), 'contact')} with the vdir {commit_text.flat(self.folder.name)}"
            body = [*self.result.notes_created, *self.result.notes_changed, *self.result.caught_up]
            trailers = [("Contact", commit_text.flat(touched[p])) for p in paths if p in touched]
            outcome = history.commit_paths(root, paths, commit_text.message(title, body, trailers), hooks=self.hooks)
            self.result.commit, self.result.not_committed = outcome.commit, outcome.reason
            self.result.commit_failed = outcome.failed
            if outcome.commit is None and not outcome.unchanged and history.is_inside_work_tree(root):
                self.new.uncommitted = touched  # the state is saved (the cards are written): the mark says commit
        vdir_files.save_state(root, str(self.folder), self.new)


def _what(keys: tuple[str, ...] | list[str], values: Values, extra: str = "") -> str:
    parts = [f"{k} {_short(values[k])}" for k in keys]
    return "; ".join([*parts, *([extra] if extra else [])])


def _short(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return repr(value) if value else "(none)"


def _ignore_state(root: Path) -> bool:
    """``.mdnet-vdir.json`` in the vault's .gitignore (True when added now): the state is this machine's."""
    from mdnet.vault.scaffold import ignore_in_git

    try:
        return ignore_in_git(root / ".gitignore", vdir_files.STATE_NAME)
    except (MdnetError, OSError):
        return False  # a .gitignore mdnet may not write: the state shows as untracked, nothing worse


__all__ = ["Conflict", "SyncResult", "sync", "vdir_folder"]
