"""The only git user: repositories, commits and the history of notes.

git is run as a subprocess with an argument list (never a shell), and ``--``
comes before every path so that a note named ``--output=x.md`` is just a file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def git_available() -> bool:
    return shutil.which("git") is not None


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``git -C root ARGS`` without a shell; output captured as text."""
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8", errors="replace", check=False
    )


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


def commit_paths(root: Path, paths: list[str], message: str, *, hooks: bool = True) -> CommitOutcome:
    """Commit exactly ``paths`` (vault-relative) with ``message``; nothing else.

    ``git commit --only`` leaves the user's other staged work staged and out of
    this commit. The message goes through stdin (``-F -``) so no user text is ever
    read as an option. Failure (no repository, no identity, a hook said no) is a
    reason, not an exception: the note is already written. ``hooks=False``
    (``--no-verify``) is for a commit made in the background while the user edits:
    the pre-commit framework takes every other unstaged change out of the working
    tree while its hooks run (see docs/decisions.md).
    """
    if not paths:
        return CommitOutcome(None, "nothing to commit")
    for path in paths:
        if not _inside(root, path):
            return CommitOutcome(None, f"refusing to commit {path!r}: not inside the vault")
    if not is_inside_work_tree(root):
        return CommitOutcome(None, "the vault is not a git repository")
    busy = _unfinished_operation(root, paths)
    if busy is not None:
        return CommitOutcome(None, busy)
    # --only takes the files as they are on disk; git only has to know the new ones. An intent to add, not
    # their content: when the commit fails, nothing is left staged to ride along in the user's next commit.
    # --literal-pathspecs: a note named '*.md' or ':(top)x.md' is that file, never a pattern
    present = [path for path in paths if os.path.lexists(root / path)]
    added = run_git(root, "--literal-pathspecs", "add", "--intent-to-add", "--", *present) if present else None
    if added is not None and added.returncode != 0:
        return CommitOutcome(None, "git add failed: " + _first_line(added.stderr))
    verify = [] if hooks else ["--no-verify"]
    result = subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "--literal-pathspecs",
            "commit",
            "--quiet",
            "--only",
            *verify,
            "-F",
            "-",
            "--",
            *paths,
        ],
        input=message,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if result.returncode != 0:
        detail = _first_line(result.stderr) or _first_line(result.stdout)
        if "Please tell me who you are" in result.stderr or "user.email" in result.stderr:
            detail = "git has no identity here (set git config user.name and user.email)"
        return CommitOutcome(None, "git commit failed: " + detail)
    head = run_git(root, "rev-parse", "HEAD")
    return CommitOutcome(head.stdout.strip() or None)


# What git leaves in its folder while an operation waits for the user, and what to call it.
_OPERATIONS = (("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or git am"), ("MERGE_HEAD", "a merge"),
               ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert"))  # fmt: skip


def _unfinished_operation(root: Path, paths: list[str]) -> str | None:
    """Why committing ``paths`` now would break the user's work, or None.

    A note git left unmerged (a stash pop, merge or rebase stopped on a conflict) holds
    conflict markers: ``git add`` would mark it resolved and a commit would record the
    markers. A commit in the middle of a merge, rebase, cherry-pick or revert would
    become part of it. Either way the note is already written: it waits for the user.
    """
    unmerged = run_git(root, "--literal-pathspecs", "ls-files", "-z", "--unmerged", "--", *paths)
    if unmerged.returncode == 0 and unmerged.stdout:
        name = unmerged.stdout.split("\0", 1)[0].split("\t", 1)[-1]
        return f"{name} has unresolved merge conflicts (resolve them, then commit)"
    git_dir = run_git(root, "rev-parse", "--absolute-git-dir")
    if git_dir.returncode == 0:
        folder = Path(git_dir.stdout.strip())
        for entry, operation in _OPERATIONS:
            if (folder / entry).exists():
                return f"{operation} is in progress (finish it, then commit)"
    return None


def _inside(root: Path, relative: str) -> bool:
    """A vault-relative path that stays inside the vault (no absolute path, no ``..``)."""
    if not relative or Path(relative).is_absolute() or "\0" in relative:
        return False
    try:
        (root / relative).resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return ".." not in Path(relative).parts


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


# -- reading history in one batched pass ------------------------------------------

# One record per commit: \x1e, then hash, author date, subject and trailers separated
# by NUL (none of them can hold a NUL), then -z's NUL-separated name-status fields.
LOG_FORMAT = "%x1e%H%x00%aI%x00%s%x00%(trailers:only,unfold,separator=%x1f)%x00"


class RepoState:
    """Where the vault sits in its repository: HEAD's hash and the vault's folder prefix."""

    def __init__(self, head: str | None, prefix: str) -> None:
        self.head = head
        self.prefix = prefix


def repo_state(root: Path) -> RepoState | None:
    """HEAD (None before the first commit) and the vault's prefix; None outside a repository.

    One ``git rev-parse`` answers all three questions (two only in a repository
    without commits).
    """
    if not git_available():
        return None
    result = run_git(root, "rev-parse", "--is-inside-work-tree", "--show-prefix", "HEAD^{commit}", "--")
    lines = result.stdout.splitlines()
    if not lines or lines[0] != "true":
        return None
    prefix = lines[1] if len(lines) > 1 else ""
    if result.returncode == 0 and len(lines) > 2 and re.fullmatch(r"[0-9a-f]{40,64}", lines[2]):
        return RepoState(lines[2], prefix)
    return RepoState(None, prefix)


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    result = run_git(root, "merge-base", "--is-ancestor", older, newer)
    return result.returncode == 0


def log_records(root: Path, head: str, since: str | None = None) -> Iterator[bytes]:
    """Raw ``git log -z --name-status -M`` of the vault folder, every commit newest first, in chunks.

    Paths are relative to the vault (``--relative``); ``since`` limits the walk to
    commits after it (``since..head``). One process for the whole vault, however
    many notes and commits it holds; its output is handed on while git still walks,
    so parsing overlaps git's work. The process is gone when the iterator is done.
    """
    revisions = f"{since}..{head}" if since else head
    command = ["git", "-C", str(root), "--literal-pathspecs", "-c", "core.quotepath=off", "log", "-z",
               "--name-status", "-M", "--no-merges", "--relative", "--no-show-signature", "--no-color",
               "--no-ext-diff", f"--format={LOG_FORMAT}", revisions, "--", "."]  # fmt: skip
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
        try:
            assert process.stdout is not None
            while chunk := process.stdout.read(1 << 20):
                yield chunk
        finally:
            if process.stdout is not None:
                process.stdout.close()
            if process.poll() is None:
                process.kill()
            process.wait()
        if process.returncode != 0:
            errors.seek(0)
            raise OSError("git log failed: " + _first_line(errors.read().decode("utf-8", "replace")))


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
