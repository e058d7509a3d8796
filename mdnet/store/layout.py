"""Where a vault is and how it is laid out: discovery, the index folder's names, and reading ``mdnet.toml``.

Below the facade, so that every layer that needs a vault's layout (the facade, its services, the
watcher, the CLI) takes it from here rather than from :mod:`mdnet.vault.facade`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mdnet.config import CONFIG_NAME, Config, config_from_bytes
from mdnet.errors import ConfigError, MdnetError, UsageError, VaultError
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
# The Periodic Notes plugin's settings: its "daily" folder and format, when Obsidian's own are not there.
PERIODIC_NOTES_SETTINGS = ".obsidian/plugins/periodic-notes/data.json"


def daily_location(root: Path, config: Config) -> tuple[str, str]:
    """The daily notes' folder and file-name format, for telling which notes are daily notes (SPEC 11):
    ``.obsidian/daily-notes.json`` when it exists (as :func:`mdnet.vault.daily.settings_for` reads it),
    else the Periodic Notes plugin's daily settings, else mdnet.toml's ``daily_dir``/``daily_format``.

    Read through the guarded reads of :mod:`mdnet.store.files`; a file that cannot be read or is not
    the JSON expected falls back to the next (``mdnet daily`` reports it when it writes a note): the
    index never fails on it.
    """
    obsidian = _json_object(root, OBSIDIAN_DAILY_SETTINGS)
    if obsidian is not None:
        return _folder(obsidian.get("folder")), _format(obsidian.get("format"))
    periodic = _json_object(root, PERIODIC_NOTES_SETTINGS)
    daily = periodic.get("daily") if periodic is not None else None
    if isinstance(daily, dict) and daily.get("enabled", True) is not False:
        return _folder(daily.get("folder")), _format(daily.get("format"))
    return config.daily_dir, config.daily_format


def _json_object(root: Path, relative: str) -> dict[str, Any] | None:
    try:
        raw = files.read_inside(root, root / relative, 1024 * 1024, relative)  # a link out of the vault: refused
        data = json.loads(raw.decode("utf-8-sig") or "{}")
    except (OSError, ValueError, MdnetError, files.TooLarge):
        return None
    return data if isinstance(data, dict) else None


def _folder(value: Any) -> str:
    return value.strip().strip("/") if isinstance(value, str) else ""


def _format(value: Any) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else "YYYY-MM-DD"


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
