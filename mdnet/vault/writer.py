"""The one way a note is written: :class:`NoteWriter`.

Every write of a note, by any module (add, log, follow-ups, imports, mail scans, the daily note, drafts),
goes through :meth:`NoteWriter.rewrite`, :meth:`NoteWriter.create` or :meth:`NoteWriter.write_over`:
atomic, never through a link out of the vault, and a rewrite only over the bytes the change was computed
from (tests/unit/test_composition.py holds every other module to it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mdnet.config import is_in_contact_folder
from mdnet.core.model import Contact
from mdnet.errors import FileChanged, NoteError, VaultError
from mdnet.store import files
from mdnet.store.session import IndexSession


def root_if_inside(root: Path, path: Path) -> Path | None:
    """``root`` when ``path`` is in the vault (then its real location must be too: a folder linked out of
    the vault is refused), else ``None``: a file the user named elsewhere."""
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return None
    return root


class NoteWriter:
    """Writes the notes of the session's vault."""

    def __init__(self, session: IndexSession) -> None:
        self.session = session

    def rewrite(self, contact: Contact, change: Callable[[str], str], *, planned: bool = False) -> str:
        """Apply ``change`` to the note's text and write it back atomically and conditionally.

        ``planned``: ``change`` was decided from ``contact`` as read earlier (an import,
        a mail scan), not from the text it is given; a note whose front matter or log
        no longer reads as ``contact`` does is left alone (:class:`FileChanged`), since
        the decision may no longer hold (a role the user has written meanwhile).
        """
        from mdnet.note.conflicts import conflict_blocks, conflict_message, first_conflict_line
        from mdnet.note.document import DecodeProblem, decode

        root = self.session.root
        path = root / contact.path
        try:
            original = files.read_inside(root, path, 0, contact.path)  # a link out of the vault: refused
        except OSError as exc:
            raise VaultError(f"cannot read: {exc.strerror}", path=contact.path) from None
        try:
            text = decode(original)
        except DecodeProblem as exc:
            raise NoteError(exc.message, path=contact.path, line=exc.line) from None
        if planned and not self._reads_as(text, contact):
            raise FileChanged("changed since mdnet read it; nothing was written", path=contact.path)
        try:
            updated = change(text)
        except ValueError as exc:
            raise NoteError(str(exc), path=contact.path) from None
        conflict = first_conflict_line(text)
        if conflict is not None and conflict_blocks(updated) != conflict_blocks(text):
            # the edit would land on one side of a merge conflict, or between its markers
            message = conflict_message(contact.path, conflict) + "; resolve it first; nothing was written"
            raise NoteError(message, path=contact.path, line=conflict)
        if updated != text:
            files.write_if_unchanged(path, updated.encode("utf-8"), original, contact.path, root=root)
        return updated

    def _reads_as(self, text: str, contact: Contact) -> bool:
        """Whether the note ``text`` has ``contact``'s front matter and log entries (lines aside)."""
        from mdnet.note.contact import ParseSettings, parse_note

        config = self.session.config
        in_folder = is_in_contact_folder(contact.path, config.contact_dirs)
        now = parse_note(text, contact.path, contact_folder=in_folder,
                         settings=ParseSettings(config.log_heading)).contact  # fmt: skip

        def entries(of: Contact) -> list[tuple[object, ...]]:
            return [(e.date, e.time, e.kind, e.text) for e in of.log]

        return now is not None and now.fields == contact.fields and entries(now) == entries(contact)

    def create(self, path: Path, data: bytes, display: str) -> None:
        """Create ``path`` with ``data``; never over a file that exists. A path in the vault is created there
        really (not through a folder linked out of it); one the user named elsewhere (``draft --out``) where
        named."""
        files.create_new(path, data, display, root=root_if_inside(self.session.root, path))

    def write_over(self, path: Path, data: bytes, original: bytes, display: str) -> None:
        """Replace the note at ``path`` (in the vault) with ``data``, only while it still holds ``original``,
        the bytes the new text was computed from (:class:`FileChanged` otherwise)."""
        files.write_if_unchanged(path, data, original, display, root=self.session.root)
