"""mdnet: a career network kept in plain Markdown, with due lists and git history.

>>> import mdnet
>>> vault = mdnet.Vault.open("~/my-network")      # doctest: +SKIP
>>> [item.name for item in vault.due(within="30d")] # doctest: +SKIP
"""

from mdnet.core.model import (
    ChangeResult,
    Contact,
    DueItem,
    Duration,
    GitFacts,
    Interaction,
    LogEntry,
    LogResult,
    Problem,
    Reason,
    RefreshStats,
)
from mdnet.errors import (
    AmbiguousName,
    ConfigError,
    ContactNotFound,
    DuplicateContact,
    FileChanged,
    MdnetError,
    NoteError,
    OutsideVault,
    SourceFileError,
    SyncError,
    UsageError,
    VaultError,
)
from mdnet.vault.facade import Vault

__version__ = "0.1.0"

__all__ = [
    "AmbiguousName",
    "ChangeResult",
    "ConfigError",
    "Contact",
    "ContactNotFound",
    "DueItem",
    "DuplicateContact",
    "Duration",
    "FileChanged",
    "GitFacts",
    "Interaction",
    "LogEntry",
    "LogResult",
    "MdnetError",
    "NoteError",
    "OutsideVault",
    "Problem",
    "Reason",
    "RefreshStats",
    "SourceFileError",
    "SyncError",
    "UsageError",
    "Vault",
    "VaultError",
    "__version__",
]
