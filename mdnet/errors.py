"""The one error hierarchy of mdnet.

Every exception mdnet raises on purpose derives from :class:`MdnetError`, and
carries structured fields (path, line, candidates, ...) so that the command line
can turn it into one line and an exit code, and a script can react to it without
parsing messages.
"""

from __future__ import annotations

from pathlib import Path


class MdnetError(Exception):
    """Base of every error mdnet raises.

    ``exit_code`` is what the command line exits with: 1 when the command ran and
    found a problem, 2 for bad usage or an unreadable vault.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        return where + self.message


class VaultError(MdnetError):
    """The vault cannot be found, read or written as a whole."""


class ConfigError(MdnetError):
    """``mdnet.toml`` is malformed or holds a bad value; lists every problem."""


class UsageError(MdnetError):
    """A bad argument: an unparsable date or duration, an unknown option value."""


class ContactNotFound(MdnetError):
    """No contact matches a name; ``candidates`` holds near misses, if any."""

    exit_code = 1

    def __init__(self, query: str, candidates: list[tuple[str, str]] | None = None, hint: str | None = None) -> None:
        self.query = query
        self.candidates = candidates or []
        message = f"no contact named {query!r}"
        if self.candidates:
            message += "; did you mean: " + ", ".join(f"{n} ({p})" for n, p in self.candidates)
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class AmbiguousName(MdnetError):
    """More than one contact matches a name; ``candidates`` lists (name, path)."""

    exit_code = 1

    def __init__(self, query: str, candidates: list[tuple[str, str]]) -> None:
        self.query = query
        self.candidates = candidates
        listing = ", ".join(f"{n} ({p})" for n, p in candidates)
        super().__init__(f"{query!r} is ambiguous: {listing}")


class DuplicateContact(MdnetError):
    """``add`` refuses a name or alias that an existing contact already has."""

    exit_code = 1


class FileChanged(MdnetError):
    """A file changed on disk between mdnet reading it and writing it back.

    Nothing was written: the user's (or an editor's) newer bytes win.
    """

    exit_code = 1


class NoteError(MdnetError):
    """A single note could not be read or parsed (raised only where one note is asked for)."""

    exit_code = 1


class SyncError(MdnetError):
    """Sync stopped: a real conflict, no remote, a failed fetch or push. Exit 1."""

    exit_code = 1


class SourceFileError(MdnetError):
    """An import file (vCard, CSV, mailbox) that cannot be read as what it claims to be; nothing was imported."""


class OutsideVault(MdnetError):
    """A path whose real location, links followed, is outside the vault, or in a dot folder
    (``.git/``, ``.mdnet/``) reached through a link: never read, never written.

    A vault is a git repository that anyone with push access fills, and git stores
    symbolic links: a note linked to ``~/.bashrc`` must not become a way to write there.
    """

    exit_code = 1
