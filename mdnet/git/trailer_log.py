"""The trailers of each commit mdnet wrote, commit by commit, and the user's git address.

:func:`mdnet.git.commands.trailer_values` answers "was this Message-ID ever handled"; the calendar
scan asks a question per contact ("was this meeting logged for Jane", "which date did mdnet plan
for Jane"), so it reads each commit's trusted trailers together: the ``Contact:`` trailer names
whom the commit's ``Calendar-*`` trailers are about.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mdnet.git.commands import is_inside_work_tree, run_git
from mdnet.git.commit_text import trusted_trailers


def trailer_groups(root: Path, keys: Iterable[str]) -> list[list[tuple[str, str]]] | None:
    """The trusted trailers of every commit in HEAD's history holding one of ``keys``, newest commit
    first, each commit's trailers in its own order; ``None`` without git, ``[]`` before the first commit."""
    wanted = frozenset(keys)
    if not is_inside_work_tree(root):
        return None
    if run_git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        return []
    # NUL-separated subject and raw trailer block (neither can hold a NUL); only ':' separates a trailer
    result = run_git(root, "-c", "trailer.separators=:", "log", "-z", "--no-show-signature",
                     "--format=%s%x00%(trailers)", "HEAD", "--")  # fmt: skip
    if result.returncode != 0:
        return []
    fields = result.stdout.split("\0")
    groups: list[list[tuple[str, str]]] = []
    for title, block in zip(fields[0::2], fields[1::2], strict=False):
        pairs = trusted_trailers(block, title) or []
        if any(key in wanted for key, _ in pairs):
            groups.append(pairs)
    return groups


def user_email(root: Path) -> str | None:
    """git's ``user.email`` as seen from the vault (its own config, else the user's), or None."""
    if not is_inside_work_tree(root):
        return None
    result = run_git(root, "config", "--get", "user.email")
    value = result.stdout.strip() if result.returncode == 0 else ""
    return value or None
