"""``mdnet init``: a new vault's folders and files, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

from mdnet.errors import VaultError
from mdnet.git import commands as history
from mdnet.store import files
from mdnet.store.layout import load_config

_CONFIG = """\
# mdnet settings; every key is optional (see docs/configuration.md).
contact_dirs = ["people"]
daily_dir = "daily"
upcoming_days = 7
new_contact_cadence = "90d"
"""


def init_vault(root: Path) -> list[str]:
    """Create mdnet.toml, people/, daily/, a .gitignore with .mdnet/, and a git repository."""
    created: list[str] = []
    try:
        files.make_folder(root)
        for folder in _folders(root):
            if not (root / folder).exists():
                files.make_folder(root / folder)
                created.append(folder + "/")
        config = root / "mdnet.toml"
        if not config.exists() and not config.is_symlink():  # a dangling link is not written through
            files.create_new(config, _CONFIG.encode("utf-8"), "mdnet.toml", root=root)
            created.append("mdnet.toml")
        if _ignore_the_index(root / ".gitignore"):
            created.append(".gitignore")
    except OSError as exc:
        raise VaultError(f"cannot create the vault: {exc.strerror}", path=str(root)) from None
    if history.git_available() and not history.is_inside_work_tree(root) and history.init_repository(root):
        created.append(".git/")
    created.extend(_setup_sync(root))
    return created


def _ignore_the_index(path: Path) -> bool:
    """Add ``.mdnet/`` to the vault's ``.gitignore`` unless it is there; True when it was added."""
    return ignore_in_git(path, ".mdnet/")


def ignore_in_git(path: Path, entry: str) -> bool:
    """Add ``entry`` (``.mdnet/``, ``.mdnet-vdir.json``) to the ``.gitignore`` at ``path`` unless it is there
    (with or without a trailing slash); True when it was added.

    The user's versioned file, read and written as git reads it, in bytes (any
    encoding, a byte-order mark): one line added in the file's own line ending,
    atomically and only over the bytes read.
    """
    try:
        original: bytes | None = files.read_inside(path.parent, path, 0, ".gitignore")  # a link out: refused
    except FileNotFoundError:
        original = None
    data = original or b""
    line = entry.encode("utf-8")
    if {row.strip() for row in data.removeprefix(b"\xef\xbb\xbf").split(b"\n")} & {line, line.rstrip(b"/")}:
        return False
    first_end = data.find(b"\n")
    newline = b"\r\n" if first_end > 0 and data[first_end - 1 : first_end] == b"\r" else b"\n"
    if data and not data.endswith(b"\n"):
        data += newline
    data += line + newline
    if original is None:
        files.create_new(path, data, ".gitignore", root=path.parent)
    else:
        files.write_if_unchanged(path, data, original, ".gitignore", root=path.parent)
    return True


def _folders(root: Path) -> list[str]:
    """The contact and daily folders an existing mdnet.toml names (the defaults otherwise).

    No daily folder when Obsidian's Daily notes plugin is set up: its settings say where the
    daily note goes (docs/daily.md), and ``daily_dir`` would be an empty folder never used.
    """
    from mdnet.errors import MdnetError
    from mdnet.store.layout import OBSIDIAN_DAILY_SETTINGS as OBSIDIAN_SETTINGS

    try:
        config = load_config(root)
        folders = [*config.contact_dirs, config.daily_dir]
    except MdnetError:
        folders = ["people", "daily"]
    if (root / OBSIDIAN_SETTINGS).exists():
        folders = folders[:-1]
    return folders


def _setup_sync(root: Path) -> list[str]:
    """Register the contact-note merge driver (.gitattributes, git config); see docs/sync.md."""
    from mdnet.errors import MdnetError
    from mdnet.git import sync

    try:
        return sync.setup(root, load_config(root))
    except MdnetError:
        return []  # a bad mdnet.toml is reported by every other command; init still succeeds
