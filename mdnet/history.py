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


def trailer_values(root: Path, key: str) -> set[str] | None:
    """Every value of the commit trailer ``key`` in the history of HEAD; ``None`` without git.

    An empty repository (no HEAD yet) has no trailers: an empty set.
    """
    if not is_inside_work_tree(root):
        return None
    if run_git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        return set()
    result = run_git(root, "log", f"--format=%(trailers:key={key},valueonly,unfold)", "HEAD")
    if result.returncode != 0:
        return set()
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


def commit_record(root: Path, message: str) -> CommitOutcome:
    """A commit that changes no file, to record ``message`` (its trailers) in the history.

    Made with plumbing (``commit-tree`` on HEAD's tree, then ``update-ref`` checked
    against the old HEAD), so the user's staged changes stay staged and out of it.
    """
    if not is_inside_work_tree(root):
        return CommitOutcome(None, "the vault is not a git repository")
    head = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head.returncode != 0:
        return CommitOutcome(None, "the repository has no commit yet")
    old = head.stdout.strip()
    made = subprocess.run(
        ["git", "-C", str(root), "commit-tree", f"{old}^{{tree}}", "-p", old, "-F", "-"],
        input=message,
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        detail = _first_line(made.stderr)
        if "Please tell me who you are" in made.stderr or "user.email" in made.stderr:
            detail = "git has no identity here (set git config user.name and user.email)"
        return CommitOutcome(None, "git commit-tree failed: " + detail)
    new = made.stdout.strip()
    moved = run_git(root, "update-ref", "-m", "mdnet: record", "HEAD", new, old)
    if moved.returncode != 0:
        return CommitOutcome(None, "git update-ref failed: " + _first_line(moved.stderr))
    return CommitOutcome(new)
