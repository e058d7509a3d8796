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
