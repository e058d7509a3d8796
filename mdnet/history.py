"""The only git user: repositories, commits and the history of notes.

git is run as a subprocess with an argument list (never a shell), and ``--``
comes before every path so that a note named ``--output=x.md`` is just a file.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git_available() -> bool:
    return shutil.which("git") is not None


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``git -C root ARGS`` without a shell; output captured as text."""
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def is_inside_work_tree(root: Path) -> bool:
    if not git_available():
        return False
    result = run_git(root, "rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def init_repository(root: Path) -> bool:
    """``git init`` the folder; False when git is missing or fails."""
    if not git_available():
        return False
    return subprocess.run(["git", "init", "--quiet", "--", str(root)], capture_output=True, check=False).returncode == 0


class CommitOutcome:
    """What a commit attempt did: the new commit's hash, or why there is none."""

    def __init__(self, commit: str | None, reason: str | None = None) -> None:
        self.commit = commit
        self.reason = reason

    def __bool__(self) -> bool:
        return self.commit is not None


def commit_paths(root: Path, paths: list[str], message: str) -> CommitOutcome:
    """Commit exactly ``paths`` (vault-relative) with ``message``; nothing else.

    ``git commit --only`` leaves the user's other staged work staged and out of
    this commit. The message goes through stdin (``-F -``) so no user text is ever
    read as an option. Failure (no repository, no identity, a hook said no) is a
    reason, not an exception: the note is already written.
    """
    if not paths:
        return CommitOutcome(None, "nothing to commit")
    if not is_inside_work_tree(root):
        return CommitOutcome(None, "the vault is not a git repository")
    added = run_git(root, "add", "--", *paths)
    if added.returncode != 0:
        return CommitOutcome(None, "git add failed: " + _first_line(added.stderr))
    result = subprocess.run(
        ["git", "-C", str(root), "commit", "--quiet", "--only", "-F", "-", "--", *paths],
        input=message,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = _first_line(result.stderr) or _first_line(result.stdout)
        if "Please tell me who you are" in result.stderr or "user.email" in result.stderr:
            detail = "git has no identity here (set git config user.name and user.email)"
        return CommitOutcome(None, "git commit failed: " + detail)
    head = run_git(root, "rev-parse", "HEAD")
    return CommitOutcome(head.stdout.strip() or None)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def changed_paths(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` (vault-relative) that git would commit: modified, deleted, or new and not ignored.

    Paths are literal (``--literal-pathspecs``: a note named ``*.md`` is one file)
    and listed relative to ``root`` even when the vault is a folder of a bigger
    repository. Empty when ``root`` is not in a work tree.
    """
    if not paths or not is_inside_work_tree(root):
        return []
    flags = ("-z", "--modified", "--deleted", "--others", "--exclude-standard")
    found: set[str] = set()
    for start in range(0, len(paths), 1000):  # stay far below the command line's size limit
        listed = run_git(root, "--literal-pathspecs", "ls-files", *flags, "--", *paths[start : start + 1000])
        if listed.returncode != 0:
            return []
        found.update(name for name in listed.stdout.split("\0") if name)
    return [path for path in paths if path in found]
