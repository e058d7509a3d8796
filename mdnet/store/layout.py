"""Where a vault is and how it is laid out: discovery, the index folder's names, and reading ``mdnet.toml``.

Below the facade, so that every layer that needs a vault's layout (the facade, its services, the
watcher, the CLI) takes it from here rather than from :mod:`mdnet.vault.facade`.
"""

from __future__ import annotations

import os
from pathlib import Path

from mdnet.config import CONFIG_NAME, Config, config_from_bytes
from mdnet.errors import ConfigError, UsageError, VaultError
from mdnet.store import files

INDEX_DIR = ".mdnet"
INDEX_NAME = "index.sqlite"
MARKERS = (CONFIG_NAME, INDEX_DIR, ".obsidian")


def discover_root(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """``explicit``, else ``$MDNET_VAULT``, else the nearest ancestor holding
    ``mdnet.toml``, ``.mdnet/`` or ``.obsidian/``, else the working directory."""
    if explicit is not None and not isinstance(explicit, (str, os.PathLike)):
        raise UsageError(f"a vault path must be text or a path, not {type(explicit).__name__}")
    if isinstance(explicit, str) and not explicit.strip():
        # `mdnet --vault "$VAULT"` with VAULT unset: reading the working directory would write .mdnet/
        # there and make it (and every folder below it) a vault for good
        raise UsageError("the vault path is empty: give a folder, or leave --vault out to discover the vault")
    chosen = explicit if explicit is not None else os.environ.get("MDNET_VAULT") or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise VaultError("not a folder", path=str(root))
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_marked(folder):
            return folder
    return here


def is_marked(folder: Path) -> bool:
    """Whether ``folder`` says it is a vault: it holds ``mdnet.toml``, ``.mdnet/`` or ``.obsidian/``."""
    return any((folder / marker).exists() for marker in MARKERS)


# Why a vault found by no marker answers from an index in memory (see Vault.open): the CLI's warning
# and ``vault.in_memory_because`` alike.
NOT_A_VAULT = (
    "no mdnet.toml, .mdnet/ or .obsidian/ here or above; "
    "read as a vault without saving an index (mdnet init makes it one)"
)

# Obsidian's "Daily notes" settings, read for the daily note's folder, format and template.
OBSIDIAN_DAILY_SETTINGS = ".obsidian/daily-notes.json"


def load_config(root: Path) -> Config:
    """Read ``root/mdnet.toml`` (a regular file inside the vault, never a link out of it); the defaults
    when it does not exist."""
    path = root / CONFIG_NAME
    try:
        data = files.read_inside(root, path, 0, CONFIG_NAME)  # a link out of the vault: refused (OutsideVault)
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=CONFIG_NAME) from None
    return config_from_bytes(data)
