"""The watcher (docs/watch.md): ``from mdnet.watch import Watcher``.

Imported on first use, so that importing a pure helper (``mdnet.watch.report``) loads no watchdog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mdnet.watch.watcher import Watcher

__all__ = ["Watcher"]


def __getattr__(name: str) -> Any:
    if name == "Watcher":
        from mdnet.watch.watcher import Watcher

        return Watcher
    raise AttributeError(f"module 'mdnet.watch' has no attribute {name!r}")
