"""``mdnet init``: a new vault's folders and files, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

from mdnet import history
from mdnet.errors import VaultError

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
        root.mkdir(parents=True, exist_ok=True)
        for folder in _folders(root):
            if not (root / folder).exists():
                (root / folder).mkdir(parents=True)
                created.append(folder + "/")
        config = root / "mdnet.toml"
        if not config.exists():
            config.write_text(_CONFIG, encoding="utf-8")
            created.append("mdnet.toml")
        ignore = root / ".gitignore"
        existing = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
        if ".mdnet/" not in existing.split("\n") and ".mdnet" not in existing.split("\n"):
            separator = "" if not existing or existing.endswith("\n") else "\n"
            with ignore.open("a", encoding="utf-8") as handle:
                handle.write(separator + ".mdnet/\n")
            created.append(".gitignore")
    except OSError as exc:
        raise VaultError(f"cannot create the vault: {exc.strerror}", path=str(root)) from None
    if history.git_available() and not history.is_inside_work_tree(root) and history.init_repository(root):
        created.append(".git/")
    created.extend(_setup_sync(root))
    return created


def _folders(root: Path) -> list[str]:
    """The contact and daily folders an existing mdnet.toml names (the defaults otherwise)."""
    from mdnet.config import load_config
    from mdnet.errors import MdnetError

    try:
        config = load_config(root)
    except MdnetError:
        return ["people", "daily"]
    return [*config.contact_dirs, config.daily_dir]


def _setup_sync(root: Path) -> list[str]:
    """Register the contact-note merge driver (.gitattributes, git config); see docs/sync.md."""
    from mdnet import sync
    from mdnet.config import load_config
    from mdnet.errors import MdnetError

    try:
        return sync.setup(root, load_config(root))
    except MdnetError:
        return []  # a bad mdnet.toml is reported by every other command; init still succeeds
