"""Pure helpers of the watcher: which paths matter, status lines, commit messages.

No IO and no clock here, so that every rule is a plain unit test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mdnet.core.model import Problem, RefreshStats
from mdnet.git.commit_text import SUBJECT_LIMIT, flat, message
from mdnet.store.files import is_note_name


def plain_token(token: str | None) -> str | None:
    """A change token without its ``racy:`` mark: the file as read, whether or not it may change again."""
    return None if token is None else token.removeprefix("racy:")


def relative_path(root: str, path: str) -> str | None:
    """``path`` relative to ``root`` (POSIX), or None when it is outside or in a dot folder / a dot file.

    ``""`` is the root itself. Every folder or file whose name starts with a dot
    (``.git``, ``.obsidian``, ``.trash``, ``.mdnet``, ``.note.md.swp``, ...) is ignored.
    """
    if path == root:
        return ""
    prefix = root.rstrip("/") + "/"
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative or any(part.startswith(".") or not part for part in relative.split("/")):
        return None
    return relative


def is_watched_note(relative: str) -> bool:
    """A vault-relative path the index cares about (a note, not an editor temporary)."""
    return is_note_name(relative.rsplit("/", 1)[-1])


@dataclass(frozen=True, slots=True)
class Batch:
    """One refresh the watcher did: why, what, and what it found."""

    reason: str  # "events", "retry", "start", "overflow", "restart", "periodic", "config", "handler error", ...
    paths: tuple[str, ...]  # the paths refreshed; empty for a full scan
    full: bool
    stats: RefreshStats | None
    problems: tuple[Problem, ...] = ()
    changed: tuple[str, ...] = ()  # notes whose index entry changed (added, updated, removed)
    error: str | None = None

    @property
    def did_something(self) -> bool:
        return bool(self.changed or self.problems or self.error)


def status_line(batch: Batch) -> str:
    """One line for a batch: what was reindexed and the problems found."""
    if batch.error is not None:
        return f"refresh failed ({batch.reason}): {batch.error}; will scan the vault again"
    stats = batch.stats
    what = _what(batch.changed)
    counts = ""
    if stats is not None:
        parts = [f"{n} {label}" for n, label in ((stats.added, "added"), (stats.updated, "updated"),
                                                 (stats.removed, "removed")) if n]  # fmt: skip
        counts = f" ({', '.join(parts)})" if parts else ""
    head = f"reindexed {what}{counts}" if batch.changed else "no change"
    if batch.full:
        head += f" [full scan: {batch.reason}]"
    elif batch.reason != "events":
        head += f" [{batch.reason}]"
    if batch.problems:
        first = batch.problems[0].format()
        more = f" (+{len(batch.problems) - 1} more; see mdnet check)" if len(batch.problems) > 1 else ""
        head += f"; {len(batch.problems)} problem{'s' if len(batch.problems) > 1 else ''}: {first}{more}"
    return head


def _what(paths: Sequence[str]) -> str:
    if len(paths) <= 3:
        return ", ".join(paths) if paths else "nothing"
    return f"{len(paths)} notes"


def commit_message(paths: Sequence[str], names: Mapping[str, str], deleted: Sequence[str] = ()) -> str:
    """A commit message naming the contacts touched, with every path in the body.

    ``names`` maps a path to its contact's name (now, or before it was deleted);
    paths without a name are other notes (daily notes, companies).
    """
    contacts = sorted({flat(names[p]) for p in paths if p in names}, key=str.casefold)
    if contacts:
        title = "Update " + _join_limited(contacts, SUBJECT_LIMIT - len("Update "))
    elif len(paths) == 1:
        title = f"Update {paths[0]}"
    else:
        title = f"Update {len(paths)} notes"
    gone = set(deleted)
    lines = ["Saved while mdnet watch --autocommit was running:"]
    for path in paths:
        label = f" ({names[path]})" if path in names else ""
        lines.append(f"- {'deleted ' if path in gone else ''}{path}{label}")
    # names and file names come from notes: commit_text flattens each line, so none adds a trailer
    return message(title, lines, [("Contact", name) for name in contacts])


def _join_limited(names: list[str], limit: int) -> str:
    """``A, B and 3 more`` within ``limit`` characters."""
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = ", ".join(names[:shown]) + (f" and {rest} more" if rest else "")
        if len(text) <= limit:
            return text
    return f"{len(names)} contacts"
