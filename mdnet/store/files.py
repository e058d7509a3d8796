"""The only module that touches vault files: scan, read, atomic conditional write.

Change tokens (``mtime_ns-size-inode``) tell the index which notes changed without
reading them. Writes go to a temporary file in the same folder, are flushed and
fsynced, and renamed over the note only if the note still holds the bytes the edit
was computed from; otherwise nothing is written and :class:`FileChanged` says why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from mdnet.errors import FileChanged, NoteError, OutsideVault, VaultError

_WRITABLE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_NOTE_SUFFIXES = (".md", ".MD", ".Md", ".mD")  # str.endswith of a tuple: faster in the scan than lower()


class FileState(NamedTuple):
    """A note as the scan saw it: modification time, size and inode.

    A named tuple of numbers, not a dataclass and not the token string: a scan makes
    one per note on the path every command pays, and the token is only needed for
    the notes whose state differs from the index's.
    """

    mtime_ns: int
    size: int
    inode: int

    @property
    def token(self) -> str:
        """The change token the index stores: ``mtime_ns-size-inode``."""
        return token(self.mtime_ns, self.size, self.inode)


def token(mtime_ns: int, size: int, inode: int) -> str:
    """The change token the index stores for a note in this state: ``mtime_ns-size-inode``."""
    return f"{mtime_ns}-{size}-{inode}"


def is_editor_temporary(name: str) -> bool:
    """Names editors use for backups, swap and temporary files (never notes)."""
    return (
        name.startswith((".", "~"))
        or name.endswith(("~", ".tmp", ".swp", ".swx", ".swo", ".bak", ".part"))
        or name == "4913"
    )


def is_note_name(name: str) -> bool:
    return name.lower().endswith(".md") and not is_editor_temporary(name)


def in_dot_folder(relative: str) -> bool:
    """Whether the vault-relative ``relative`` lies in a dot folder (``.obsidian/``, ``.trash/``, ``.git/``, ...),
    which :func:`scan` never enters: nothing there is a note."""
    return any(folder.startswith(".") for folder in relative.split("/")[:-1])


Stat = tuple[int, int, int]
"""What a scan keeps of a note: ``(mtime_ns, size, inode)``, a :class:`FileState`'s fields as a plain tuple."""


def scan(root: Path) -> dict[str, Stat]:
    """Every note under ``root`` (vault-relative POSIX path -> ``(mtime_ns, size, inode)``).

    Dot folders (``.git``, ``.obsidian``, ``.trash``, ``.mdnet``, ...) are never
    entered, symlinked folders are not followed (no loops), and an unreadable
    folder is skipped rather than stopping the scan.

    Every command pays for this scan (one ``stat`` per note), so the loop does as
    little as it can per entry: plain tuples rather than :class:`FileState`, and
    names that cannot be notes are turned away before any other test.
    """
    found: dict[str, Stat] = {}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            # Listing an open folder makes each entry's stat relative to it (fstatat), which
            # spares the kernel walking the whole path again for every note.
            fd = os.open(folder, _FOLDER_FLAGS) if _STAT_BY_FOLDER else None
        except OSError:
            continue
        try:
            _scan_folder(folder, fd, prefix, found, stack)
        finally:
            _close(fd)
    return found


def _scan_folder(
    folder: str, fd: int | None, prefix: str, found: dict[str, Stat], stack: list[tuple[str, str]]
) -> None:
    """One folder of :func:`scan`: its notes into ``found``, its sub-folders onto ``stack``."""
    is_regular, is_folder = stat.S_ISREG, stat.S_ISDIR
    note_suffixes = _NOTE_SUFFIXES
    join = os.path.join
    try:
        entries = os.scandir(folder if fd is None else fd)
    except OSError:
        return
    with entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(note_suffixes):
                if name[0] != "." and _is_real_folder(entry):
                    stack.append((join(folder, name), prefix + name + "/"))
                continue
            if name[0] in ".~":  # hidden, or the only editor temporary that can end in .md
                continue
            try:
                info = entry.stat()
            except OSError:
                continue
            if is_regular(info.st_mode):
                found[prefix + name] = (info.st_mtime_ns, info.st_size, info.st_ino)
            elif is_folder(info.st_mode) and not entry.is_symlink():
                stack.append((join(folder, name), prefix + name + "/"))  # a folder named like a note


def state_if_scanned(root: Path, relative: str, folders: dict[str, bool]) -> Stat | None:
    """The state :func:`scan` would give the note at ``relative``, or ``None`` when the scan would not list it.

    For refreshing a few paths (a watcher's events) by the scan's rules: every folder on
    the way a real one (not a symbolic link) that the scan enters, a note's name, a
    regular file, and the path spelled as the scan spells it (no ``.``, ``..`` or ``//``).
    ``folders`` remembers the folders checked, for the next path of the same batch.
    """
    *parts, name = relative.split("/")
    if not name.endswith(_NOTE_SUFFIXES) or name[0] in ".~":
        return None
    folder = ""
    for part in parts:
        folder = folder + "/" + part if folder else part
        entered = folders.get(folder)
        if entered is None:
            entered = bool(part) and part[0] != "." and not (part[0] == "~" and part.endswith(_NOTE_SUFFIXES))
            if entered:
                try:
                    entered = stat.S_ISDIR(os.lstat(root / folder).st_mode)
                except OSError:
                    entered = False
            folders[folder] = entered
        if not entered:
            return None
    try:
        info = os.stat(root / relative)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


_STAT_BY_FOLDER = os.scandir in os.supports_fd  # not on Windows
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def _is_real_folder(entry: os.DirEntry[str]) -> bool:
    """A folder that is not a symbolic link (never followed: no loops); ``False`` when it cannot be told."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def readable_path(path: str) -> str:
    """The index's key for ``path``: ``path`` itself, or, for a name that is not UTF-8, its bytes written as ``\\xNN``.

    ``os.scandir`` and inotify give such a name with lone surrogates, which neither
    SQLite nor JSON can hold; the index keeps the note under this stand-in and reports
    it. ``readable_path(path) != path`` says that the name was not UTF-8.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def names_in(folder: Path) -> list[str] | None:
    """The names of the entries in ``folder``, or None when it does not exist or cannot be listed.

    For ``add``, which numbers a new note's name past the names already taken there.
    """
    try:
        return os.listdir(folder)
    except OSError:
        return None


def token_of(path: Path) -> str | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return token(info.st_mtime_ns, info.st_size, info.st_ino)


class TooLarge(Exception):
    """A note over the size limit: not read, reported."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_bytes(path: str | Path, max_bytes: int) -> bytes:
    """The note's bytes, refusing files over ``max_bytes`` without reading them.

    Plain descriptor calls rather than ``open()``: a cold index reads every note, and a
    buffered file object costs more than the read itself.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        return _read_all(fd, max_bytes)
    finally:
        os.close(fd)


def _read_all(fd: int, max_bytes: int) -> bytes:
    size = os.fstat(fd).st_size
    if max_bytes and size > max_bytes:
        raise TooLarge(size)
    data = os.read(fd, size + 1)
    if len(data) == size:  # the whole file, in one call
        return data
    parts = [data]  # it grew since fstat, or the file system reads in pieces: on to the end
    while chunk := os.read(fd, 1 << 20):
        parts.append(chunk)
    return b"".join(parts)


def inside_vault(root: str | Path, path: str | Path, display: str) -> Path:
    """``path``'s real location (every link followed, once), refused when it leaves the vault.

    Raises :class:`OutsideVault` when the real location is outside ``root``'s real location,
    or when a link leads into a dot name there (``people/x.md -> ../.git/config``): a cloned
    vault's links are its committer's, and must not make mdnet read or write anything but
    the vault's own files. A link that stays inside (a note shared between folders) is
    followed. ``path`` need not exist: a new note's folder is checked the same way.
    """
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    prefix = real_root.rstrip(os.sep) + os.sep
    if real != real_root and not real.startswith(prefix):
        raise OutsideVault("links outside the vault; not read, not written", path=display)
    relative = real[len(prefix) :] if real != real_root else ""
    parts = relative.split(os.sep)
    if any(part.startswith(".") for part in parts):
        lexical = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if lexical != relative:  # a dot name the path itself names (.gitignore, .obsidian/...) is fine
            raise OutsideVault("links into a hidden folder of the vault; not read, not written", path=display)
    return Path(real)


def read_note(root: str, relative: str, max_bytes: int) -> bytes:
    """The bytes of the note ``relative`` (a path :func:`scan` listed), read only if it is the vault's.

    A regular file costs nothing extra: it is opened without following a link, and only a
    note that is a link (``ELOOP``) has its real location checked (:func:`inside_vault`).
    The scan never enters a linked folder, so the note's folders need no check.
    """
    path = os.path.join(root, relative)
    try:
        fd = os.open(path, _READ_FLAGS | _NO_FOLLOW)
    except OSError as exc:
        if exc.errno not in _IS_A_LINK or not _NO_FOLLOW:
            raise
        fd = os.open(inside_vault(root, path, relative), _READ_FLAGS)
    return _read_open(fd, max_bytes, relative)


def read_inside(root: str | Path, path: str | Path, max_bytes: int, display: str) -> bytes:
    """The bytes of the regular file ``path`` inside the vault ``root`` (a template, a config or git
    file, a daily note, a note named by a user): links followed only where they stay inside.

    Raises :class:`FileNotFoundError` when there is none, :class:`OutsideVault` when its real
    location leaves the vault, :class:`VaultError` when it is not a regular file (a FIFO, a
    device: never waited on), and :class:`TooLarge` over ``max_bytes`` (0: no limit).
    """
    return _read_open(os.open(inside_vault(root, path, display), _READ_FLAGS), max_bytes, display)


def _read_open(fd: int, max_bytes: int, display: str) -> bytes:
    """Read the open file ``fd`` whole (and close it): a regular file only, up to ``max_bytes``."""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise VaultError("is not a regular file; not read", path=display)
        return _read_all(fd, max_bytes)
    finally:
        os.close(fd)


# O_NONBLOCK: a FIFO in the vault's place of a template or note is refused, not waited on.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_IS_A_LINK = frozenset({errno.ELOOP, errno.EMLINK})  # Linux and macOS say ELOOP, FreeBSD EMLINK


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_TEMP_PREFIX_BYTES = 64


@contextlib.contextmanager
def _temporary_beside(
    path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None = None, replacing: bool = False
) -> Iterator[Path]:
    """A fully written, fsynced temporary file in ``path``'s folder; removed if still there.

    ``mode`` and ``owner`` (uid, gid) are those of the note it will replace, so that the
    rename changes its bytes and nothing else about it; an owner this process may not
    give (anyone but root) is kept as far as the system allows. With ``replacing``, the
    note's extended attributes (tags, a "where from", POSIX ACLs) are copied too.
    """
    # A note's name may take all of NAME_MAX (255 bytes): the temporary keeps only a
    # short prefix of it, so that mdnet can write every note the file system can hold.
    prefix = os.fsencode(path.name)[:_TEMP_PREFIX_BYTES].decode("utf-8", "ignore")
    temp = path.with_name(f".{prefix}.mdnet-{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644 if mode is None else mode)
    try:
        if owner is not None and hasattr(os, "fchown"):
            _give(fd, *owner)
        if replacing:
            _copy_extended_attributes(path, fd)
        if mode is not None and os.chmod in os.supports_fd:
            with contextlib.suppress(OSError):  # a file system without permissions (FAT): as it comes
                os.chmod(fd, mode)  # the note's own permissions, whatever the umask took from them
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        yield temp
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _copy_extended_attributes(source: Path, fd: int) -> None:
    """Copy ``source``'s extended attributes to the open file ``fd``, each as far as allowed.

    A rename replaces the whole inode, and with it the attributes that other tools keep on
    the note (``user.*`` tags, POSIX ACLs in ``system.posix_acl_access``). Linux only:
    Python has no extended-attribute calls elsewhere. One this process may not set (a
    ``trusted.*`` or ``security.*`` name, not being root) is left behind, not an error.
    """
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(source)
    except OSError:
        return  # a file system without them
    for name in names:
        with contextlib.suppress(OSError):
            os.setxattr(fd, name, os.getxattr(source, name))


def _give(fd: int, uid: int, gid: int) -> None:
    """Give the file to ``uid``:``gid``; not being root, to ``gid`` alone when we are in that group."""
    try:
        os.fchown(fd, uid, gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, gid)


def write_if_unchanged(path: Path, data: bytes, expected: bytes, display: str, *, root: Path) -> None:
    """Replace ``path`` with ``data`` atomically, only if it still holds ``expected``.

    Raises :class:`FileChanged` (nothing written) when the note changed since it
    was read, :class:`NoteError` when it is read-only (no write permission bit: the
    user protected it, and a rename would replace it all the same), and
    :class:`VaultError` when it cannot be written. A note that is a symbolic link is
    written where the link points, if that is inside the vault ``root`` (else
    :class:`OutsideVault`, before anything is written): the link stays a link. The
    note's permissions, owner and extended attributes are kept.
    """
    if root is not None:
        path = inside_vault(root, path, display)
    try:
        info = path.stat()
        if not info.st_mode & _WRITABLE:
            raise NoteError("is read-only; nothing was written (make it writable first)", path=display)
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
        with _temporary_beside(path, data, mode, owner, replacing=True) as temp:
            if path.read_bytes() != expected:
                raise FileChanged(
                    "changed on disk since mdnet read it (saved in an editor?); nothing was written, try again",
                    path=display,
                )
            os.replace(temp, path)
    except FileNotFoundError:
        raise FileChanged("was deleted or renamed since mdnet read it; nothing was written", path=display) from None
    except OSError as exc:
        raise VaultError(f"cannot write: {exc.strerror}", path=display) from None
    _fsync_dir(path.parent)


def replace_atomically(path: Path, data: bytes, display: str, *, root: Path | None) -> None:
    """Write ``path`` atomically whatever it held: for mdnet's own outputs (exports, caches),
    never for a user's note (those go through :func:`write_if_unchanged`).

    A symbolic link is written where it points (the link stays), as notes are: an
    export linked into a synced folder must update the file there. With a vault ``root``
    the real location must be inside it (:func:`inside_vault`); ``None`` is for a file the
    user named on the command line, which may be anywhere.
    """
    if root is not None:
        path = inside_vault(root, path, display)
    elif path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _temporary_beside(path, data, None) as temp:
            os.replace(temp, path)
    except OSError as exc:
        raise VaultError(f"cannot write: {exc.strerror}", path=display) from None
    _fsync_dir(path.parent)


def create_new(path: Path, data: bytes, display: str, *, root: Path | None) -> None:
    """Create ``path`` atomically with ``data``; never overwrites an existing file.

    ``path``'s folder, links followed, must be inside the vault ``root`` (a ``daily/`` linked
    elsewhere is refused with :class:`OutsideVault`, and no folder is made); ``None`` is for
    a file the user named on the command line, which may be anywhere.

    A hard link from a finished temporary file is the one call that both never
    overwrites and never shows a half-written note. File systems without hard links
    (exFAT and FAT on a USB stick, some network shares) refuse it; there the note is
    created exclusively and written in place, and removed again if the write fails.
    """
    if root is not None:
        path = inside_vault(root, path, display)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _temporary_beside(path, data, None) as temp:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                _create_in_place(path, data)
    except FileExistsError:
        raise FileChanged("already exists; nothing was written", path=display) from None
    except OSError as exc:
        raise VaultError(f"cannot create: {exc.strerror}", path=display) from None
    _fsync_dir(path.parent)


def make_folder(path: Path) -> bool:
    """Make the folder ``path`` and any missing folders above it; False (nothing made) when a folder is there.

    For the folders a vault's layout names (``mdnet init``'s, the index's). A name held by anything
    but a folder (a file, a dangling link) raises :class:`FileExistsError`, as :meth:`Path.mkdir` does.
    """
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        if path.is_dir():
            return False
        raise
    return True


# What link(2) says on a file system without hard links: Linux's vfat and exfat give EPERM,
# others ENOTSUP/EOPNOTSUPP; a share may give EMLINK or ENOSYS.
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS})


def link_into_place(source: Path, target: Path) -> None:
    """Give the finished file ``source`` the name ``target`` too, never replacing a file there
    (:class:`FileExistsError`); the caller removes ``source``.

    On a file system without hard links (exFAT, FAT) ``source`` is renamed instead, after a
    look that ``target`` is free: not atomic against another writer, so callers hold a lock
    against each other (the index's creation lock).
    """
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.rename(source, target)


def _create_in_place(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) and write ``data`` into it; on failure leave no file behind."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


# -- mdnet's own folder (.mdnet/): made here, never reached through a link ----------------------------------------
#
# A vault is a git repository that `mdnet sync` pulls, and git stores symbolic links: a ``.mdnet`` committed as a
# link to another folder, or holding links where mdnet's files go, would have mdnet delete, create or rewrite files
# of other applications (an index.sqlite reached through a link is opened, and switched to WAL, by SQLite itself).
# So the folder is checked before anything in it is opened (docs/security.md), and its files are opened, written and
# deleted without following a link at their names.

NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where the lstat checks below stand alone
_OWN_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | NO_FOLLOW


class NotOwnFolder(VaultError, OSError):
    """``.mdnet`` is not a folder mdnet made: a link, not a folder, another user's, or one holding links.

    An :class:`OSError` too, so that every caller that answers from an index in memory when the index file cannot
    be used (a read-only folder, a full disk) does so here as well, without a case of its own.
    """

    def __init__(self, folder: Path, why: str) -> None:
        super().__init__(f"not an index folder mdnet made ({why})", path=str(folder))


def own_folder(folder: Path, *, create: bool = False) -> bool:
    """Whether mdnet's own folder ``folder`` is there and usable: a real folder (not a link) that this user or the
    owner of the folder above it owns, holding no symbolic link. False when it is missing and not ``create``.

    With ``create`` a missing folder is made first (mkdir never follows a link at its name). Raises
    :class:`NotOwnFolder` for a folder mdnet did not make, :class:`OSError` when it cannot be made or read. Costs one
    open and a listing of a handful of names, so every command can afford it before it opens the index.
    """
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
    if os.path.islink(folder):
        raise NotOwnFolder(folder, "it is a symbolic link")
    try:
        fd = os.open(folder, _OWN_FOLDER_FLAGS)
    except FileNotFoundError:
        if create:
            raise
        return False
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise NotOwnFolder(folder, "it is not a folder") from None
        raise
    try:
        _check_own_folder(folder, fd)
    finally:
        os.close(fd)
    return True


def _check_own_folder(folder: Path, fd: int) -> None:
    info = os.fstat(fd)
    if not stat.S_ISDIR(info.st_mode):
        raise NotOwnFolder(folder, "it is not a folder")
    if hasattr(os, "geteuid") and info.st_uid not in (os.geteuid(), os.lstat(folder.parent).st_uid):
        raise NotOwnFolder(folder, f"it belongs to user {info.st_uid}")
    with os.scandir(fd if os.scandir in os.supports_fd else folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                raise NotOwnFolder(folder, f"{entry.name} in it is a symbolic link")


def read_own_file(path: Path) -> bytes:
    """The bytes of mdnet's own file ``path`` (a cache), never through a link: :class:`OSError` for a link or
    anything but a regular file, which no cache of mdnet's is (a FIFO is opened without waiting for a writer)."""
    fd = os.open(path, _READ_FLAGS | NO_FOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        parts = []
        while chunk := os.read(fd, 1 << 20):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def write_own_file(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace mdnet's own file ``path`` (a cache) with ``data`` atomically. The temporary is created exclusively
    (never through a link) and renamed over the name: a link there is replaced, never written through. Without
    ``durable`` nothing is flushed to the disk (a crash may leave the old file, the new one, or one with missing
    data under the name): for a cache whose reader checks what it reads (the due answer's checksum)."""
    temp = path.with_name(f".{path.name}.mdnet-{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | NO_FOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    if durable:
        _fsync_dir(path.parent)


def create_own_file(path: Path, data: bytes) -> bool:
    """Create mdnet's own file ``path`` with ``data`` unless something is at that name (kept, even a link, which is
    not followed); True when it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def delete_own_file(path: Path) -> bool:
    """Delete ``path`` if it is a regular file (mdnet's own: a database, a temporary); a link, a folder or a missing
    name is left alone. True when it was deleted."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def flush_own_file(path: Path) -> None:
    """Have mdnet's own file ``path`` (a regular file, never through a link) on disk: fsync, once, for a file
    written without any (the index rebuilt with ``synchronous = OFF``) before a rename makes it the real one."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | NO_FOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.fsync(fd)
    finally:
        os.close(fd)


def rename_own_file(source: Path, target: Path) -> None:
    """Rename mdnet's own regular file ``source`` over ``target`` in the same folder, atomically: a link at
    ``target`` is replaced, never followed; then the folder is fsynced, so the new name survives a power cut."""
    if not stat.S_ISREG(os.lstat(source).st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(source))
    os.replace(source, target)
    _fsync_dir(target.parent)


# flock's answers that say "no such locks here" (NFS without a lock daemon says ENOLCK, a read-only file
# on NFS EBADF, some FUSE file systems EOPNOTSUPP or ENOSYS), not "locked by another process".
_NO_LOCKS = frozenset({errno.ENOLCK, errno.EBADF, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL})


def flock_within(descriptor: int, wait: float, held_too_long: str) -> bool:
    """Lock ``descriptor`` (flock, exclusive), waiting up to ``wait`` seconds for another process's lock; False
    where no such lock can be had (Windows, a file system without flock). Past ``wait`` it raises
    :class:`TimeoutError` with ``held_too_long``: a process stopped while it holds the lock (Ctrl-Z) keeps no
    command waiting for ever. The wait polls, from 1 ms doubling to 50 ms: flock has no timeout of its own."""
    if sys.platform == "win32":  # no flock there
        return False
    import fcntl

    deadline = time.monotonic() + wait
    pause = 0.001
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise TimeoutError(errno.ETIMEDOUT, held_too_long) from None
            time.sleep(pause)
            pause = min(0.05, pause * 2)
        except OSError as exc:
            if exc.errno not in _NO_LOCKS:
                raise
            return False
        else:
            return True
