"""The only git user: repositories, commits and the history of notes.

git is run as a subprocess with an argument list (never a shell), and ``--``
comes before every path so that a note named ``--output=x.md`` is just a file.
"""

from __future__ import annotations

import contextvars
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from mdnet.errors import MdnetError
from mdnet.git import commit_lock
from mdnet.git.commit_text import first_line as _first_line
from mdnet.git.commit_text import trusted_trailers
from mdnet.store import files


def git_available() -> bool:
    return shutil.which("git") is not None


_OWN_PROCESS_GROUP: contextvars.ContextVar[bool] = contextvars.ContextVar("mdnet_git_group", default=False)


def shield_git_from_ctrl_c() -> None:
    """From now on, in this thread, git runs in a process group of its own (POSIX).

    A terminal's Ctrl-C signals its whole foreground group: mdnet and a git it is running. For a command
    that is the user's wish; for ``mdnet watch``, whose clean stop makes the pending commit, it killed git
    half-way through that commit. Its worker thread calls this: mdnet gets the Ctrl-C, git finishes."""
    _OWN_PROCESS_GROUP.set(True)


def run_git(
    root: Path, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``git -C root ARGS`` without a shell; text in and out as UTF-8. ``env``: the whole environment, when
    given; ``input``: git's stdin (a commit message through ``-F -``, so no user text is read as an option)."""
    return subprocess.run(
        ["git", "-C", str(root), *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
        process_group=0 if _OWN_PROCESS_GROUP.get() and os.name == "posix" else None,
    )


def is_inside_work_tree(root: Path) -> bool:
    if not git_available():
        return False
    result = run_git(root, "rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def work_tree_root(root: Path) -> Path | None:
    """The top folder of the git repository ``root`` is in, or None outside one (or without git)."""
    if not git_available():
        return None
    result = run_git(root, "rev-parse", "--show-toplevel")
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def init_repository(root: Path) -> bool:
    """``git init`` the folder; False when git is missing or fails."""
    if not git_available():
        return False
    return subprocess.run(["git", "init", "--quiet", "--", str(root)], capture_output=True, check=False).returncode == 0


class CommitOutcome:
    """What a commit attempt did: the new commit's hash, or why there is none."""

    def __init__(
        self, commit: str | None, reason: str | None = None, *, unchanged: bool = False, failed: bool = False
    ) -> None:
        self.commit = commit
        self.reason = reason
        self.unchanged = unchanged  # no commit because the files are as in HEAD (committed meanwhile?)
        # git was busy past the retries (another git's index.lock, a stale one, mdnet's own lock held too long):
        # the command that wrote the note exits 1; the change stays on disk for the next commit. A refusal the
        # user set up (a hook, no identity) is said, not an error: every write would fail the same way.
        self.failed = failed

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
    refused = _not_now(root, paths)
    if refused is not None:
        return CommitOutcome(None, refused)
    commit_lock.remove_orphan_temporaries(sorted({(root / path).parent for path in paths}))
    try:
        with commit_lock.commit_lock(root):
            outcome = _add_and_commit(root, paths, message, hooks)
    except TimeoutError as exc:
        return CommitOutcome(None, str(exc.strerror or exc), failed=True)
    if outcome.commit is None and outcome.failed and commit_lock.is_busy(outcome.reason or ""):
        stale = commit_lock.stale_index_lock(root)
        if stale is not None:
            outcome.reason = (f"{stale} is left over from a git that is no longer running; the change is kept on "
                              f"disk: remove the lock with: rm -f {shlex.quote(str(stale))}")  # fmt: skip
    return outcome


def _add_and_commit(root: Path, paths: list[str], message: str, hooks: bool) -> CommitOutcome:
    """commit_paths' git steps, under mdnet's commit lock; each tried again while another git holds index.lock."""
    # --only takes the files as they are on disk; git only has to know the new ones. An intent to add, not
    # their content; when the commit fails, the intent is taken back too (see below).
    # A note removed with 'git rm' or moved with 'git mv' is in neither the index nor the folder, and
    # 'git add' of it would fail, while 'commit --only' records its removal from HEAD as it is.
    # --literal-pathspecs: a note named '*.md' or ':(top)x.md' is that file, never a pattern
    present = [path for path in paths if os.path.lexists(root / path)]
    renamed = [old for old in renamed_from(root, present) if old not in paths]
    untracked = _untracked(root, present)
    added = (
        commit_lock.retrying(
            lambda: run_git(root, "--literal-pathspecs", "add", "--intent-to-add", "--", *present), _busy
        )
        if present
        else None
    )
    if added is not None and added.returncode != 0:
        return CommitOutcome(None, "git add failed: " + _first_line(added.stderr), failed=_busy(added))
    outcome = _commit_only(root, paths, renamed, message, hooks)
    if outcome.commit is None and untracked:
        # the intent to add outlives a failed commit: the note would show as a new file with nothing staged
        # (' D' once deleted) and ride along in a 'git commit -a'; untracked it was, untracked it stays
        commit_lock.retrying(
            lambda: run_git(root, "--literal-pathspecs", "rm", "--cached", "--quiet", "--ignore-unmatch", "--",
                            *untracked), _busy)  # fmt: skip
    return outcome


def _busy(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode != 0 and commit_lock.is_busy(result.stderr)


def uncommitted_log_entries(root: Path, path: str) -> list[str]:
    """The log entries (``- YYYY-MM-DD ...`` lines) of the note at ``path`` on disk that HEAD's version lacks:
    interactions written and not committed (a commit that failed, ``--no-commit``, a killed mdnet)."""
    try:
        now = files.read_inside(root, root / path, 0, path).decode("utf-8", "replace")
    except (OSError, MdnetError):
        return []
    # the name through stdin: no path on git's command line outside '--' (a note named '--output=x.md')
    before = run_git(root, "cat-file", "--batch", input=f"HEAD:./{path}\n") if "\n" not in path else None
    header, _, content = (
        before.stdout.partition("\n") if before is not None and before.returncode == 0 else ("", "", "")
    )
    known: dict[str, int] = {}
    for line in content.splitlines() if header.split(" ")[1:2] == ["blob"] else ():
        known[line.strip()] = known.get(line.strip(), 0) + 1
    found: list[str] = []
    for line in now.splitlines():
        entry = line.strip()
        if not _LOG_ENTRY.match(entry):
            continue
        if known.get(entry, 0) > 0:
            known[entry] -= 1
        else:
            found.append(entry)
    return found


_LOG_ENTRY = re.compile(r"^[-*] +\[?\d{4}-\d{2}-\d{2}")


def _untracked(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` git does not know yet (an ignored file is not listed: no note of mdnet's is one)."""
    if not paths:
        return []
    found = run_git(root, "--literal-pathspecs", "ls-files", "-z", "--others", "--exclude-standard", "--", *paths)
    return [name for name in found.stdout.split("\0") if name] if found.returncode == 0 else []


def _commit_only(root: Path, paths: list[str], renamed: list[str], message: str, hooks: bool) -> CommitOutcome:
    verify = [] if hooks else ["--no-verify"]
    result = commit_lock.retrying(
        lambda: run_git(root, "--literal-pathspecs", "commit", "--quiet", "--only", *verify, "-F", "-", "--", *paths,
                        *renamed, input=message), _busy)  # fmt: skip
    if result.returncode != 0:
        if _as_in_head(root, paths):  # a snooze to the date it already had: git only says 'On branch main'
            return CommitOutcome(None, f"nothing to commit: {', '.join(paths)} {'is' if len(paths) == 1 else 'are'} "
                                       "as in the last commit", unchanged=True)  # fmt: skip
        return CommitOutcome(None, "git commit failed: " + _failure(result), failed=_busy(result))
    head = run_git(root, "rev-parse", "HEAD")
    return CommitOutcome(head.stdout.strip() or None)


def renamed_from(root: Path, paths: list[str]) -> list[str]:
    """The old names of those of ``paths`` that are new to HEAD but are notes renamed since their last commit.

    A note renamed in Obsidian (or with ``mv``) is a new file to git, and its old name a
    file gone from the folder. Committed apart, the two never meet again and history stops
    following the note; committed together, git sees the rename. Which deleted note is
    whose old name is git's own rename detection, run on a temporary index so the
    user's index is never touched. Only notes: another deleted file stays the user's.
    """
    # new to git: untracked, or staged as added ('git mv' stages the new name and the old one's removal)
    new = _untracked(root, paths)
    added = run_git(root, "--literal-pathspecs", "diff", "-z", "--cached", "--name-only", "--no-renames",
                    "--diff-filter=A", "--relative", "HEAD", "--", *paths)  # fmt: skip
    new += [name for name in added.stdout.split("\0") if name and name not in new] if added.returncode == 0 else []
    if not new:
        return []
    gone = run_git(
        root, "diff", "-z", "--name-only", "--no-renames", "--diff-filter=D", "--relative", "HEAD", "--", "."
    )
    deleted = [name for name in gone.stdout.split("\0") if name.lower().endswith(".md")] if gone.returncode == 0 else []
    if not deleted:
        return []
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(folder) / "index")}
        for step in (("read-tree", "HEAD"), ("add", "--", *new), ("rm", "--cached", "--quiet", "--", *deleted)):
            if run_git(root, "--literal-pathspecs", *step, env=env).returncode != 0:
                return []
        pairs = run_git(root, "--literal-pathspecs", "diff", "--cached", "-z", "--name-status", "-M", "--relative",
                        "HEAD", "--", *new, *deleted, env=env)  # fmt: skip
    tokens = pairs.stdout.split("\0") if pairs.returncode == 0 else []
    old: list[str] = []
    position = 0
    while position < len(tokens):
        status = tokens[position]
        if status.startswith(("R", "C")) and position + 2 < len(tokens):
            if status.startswith("R") and _same_name(root, tokens[position + 1], tokens[position + 2]):
                old.append(tokens[position + 1])
            position += 3
        else:
            position += 2 if status else 1
    return old


def _same_name(root: Path, old: str, new: str) -> bool:
    """Whether the note at ``old`` in HEAD and the file ``new`` have the same ``name:`` (or neither has one).

    git pairs files half alike; two notes made from one template are, so a rename must
    also keep the person: Obsidian's rename keeps ``name:``, where a new contact has its own.
    The names are read as the index reads them (``name: "Jane"`` is ``name: Jane``).
    """
    before = run_git(root, "show", f"HEAD:./{old}")
    try:
        after = files.read_inside(root, root / new, 0, new).decode("utf-8", "replace")
    except (OSError, MdnetError):  # gone, or a link out of the vault: never read
        return False
    return before.returncode == 0 and _front_matter_name(before.stdout) == _front_matter_name(after)


def _front_matter_name(text: str) -> object:
    """The ``name:`` value of a note's front matter as YAML reads it; None without one, or unreadable."""
    from mdnet.note import document, frontmatter_yaml  # pure readers, only wanted when git paired a rename

    front_matter = document.split(text).front_matter
    if front_matter is None:
        return None
    try:
        fields = frontmatter_yaml.load(front_matter)[0]
    except frontmatter_yaml.YamlProblem:
        return None
    return fields.get("name") if isinstance(fields, dict) else None


_IN_PROGRESS = (
    ("rebase-merge", "rebase"),
    ("rebase-apply", "rebase"),
    ("MERGE_HEAD", "merge"),
    ("CHERRY_PICK_HEAD", "cherry-pick"),
    ("REVERT_HEAD", "revert"),
)


def operation_in_progress(root: Path) -> str | None:
    """``rebase``, ``merge``, ``cherry-pick`` or ``revert`` when git stopped in the middle of one, else None."""
    args = [arg for name, _ in _IN_PROGRESS for arg in ("--git-path", name)]
    found = run_git(root, "rev-parse", *args)
    if found.returncode != 0:
        return None
    for line, (_, what) in zip(found.stdout.splitlines(), _IN_PROGRESS, strict=False):
        path = Path(line.strip())
        if (path if path.is_absolute() else root / path).exists():
            return what
    return None


def _not_now(root: Path, paths: Sequence[str] = ()) -> str | None:
    """Why mdnet must not commit (``paths``) in this repository now, or None. The note is already written:
    it waits for the user."""
    # A note git left unmerged (a stash pop, merge or rebase stopped on a conflict) holds conflict
    # markers: 'git add' would mark it resolved and a commit would record the markers.
    unmerged = run_git(root, "--literal-pathspecs", "ls-files", "-z", "--unmerged", "--", *paths) if paths else None
    if unmerged is not None and unmerged.returncode == 0 and unmerged.stdout:
        name = unmerged.stdout.split("\0", 1)[0].split("\t", 1)[-1]
        return f"{name} has unresolved merge conflicts (resolve them, then commit)"
    busy = operation_in_progress(root)
    if busy is not None:
        # 'git add' would mark a conflicted note as resolved, markers and all, and a commit now
        # would land inside the user's merge or rebase: the index is theirs until it is done
        return f"a git {busy} is in progress; commit the note when it is done"
    if run_git(root, "symbolic-ref", "--quiet", "HEAD").returncode != 0:
        # a commit on no branch is left behind by the next 'git switch', and the entry with it
        return "HEAD is detached (no branch is checked out); commit the note on a branch"
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


def _as_in_head(root: Path, paths: Sequence[str]) -> bool:
    """Every one of ``paths`` is tracked and the same on disk as in HEAD: a commit of them has nothing in it."""
    tracked = run_git(root, "--literal-pathspecs", "ls-files", "--error-unmatch", "--", *paths)
    same = run_git(root, "--literal-pathspecs", "diff", "--quiet", "HEAD", "--", *paths)
    return tracked.returncode == 0 and same.returncode == 0


def _failure(result: subprocess.CompletedProcess[str]) -> str:
    """Why a commit failed, in a line: git's own first line, or what to do when git has no identity."""
    if "Please tell me who you are" in result.stderr or "user.email" in result.stderr:
        return "git has no identity here (set git config user.name and user.email)"
    if "pre-commit configuration is unstaged" in result.stderr:
        # pre-commit says 'git add' it, but a commit of one note (--only) sees the config as in HEAD
        return (
            "the pre-commit framework runs no hook while .pre-commit-config.yaml differs from the last commit; "
            "commit it first: git commit -- .pre-commit-config.yaml"
        )
    refused = _failed_hooks(result.stderr + "\n" + result.stdout)
    if refused:
        return refused
    return _first_line(result.stderr) or _first_line(result.stdout)


_HOOK_STATUS = re.compile(r"^(?P<name>\S.*?)\.{3,}(?:\([^)]*\))?(?P<status>Passed|Failed|Skipped)$")


def _failed_hooks(text: str) -> str:
    """The pre-commit hooks that failed, each with the first line it printed: a commit refused by the
    framework starts with the hooks that passed (``mdnet check.....Passed``), which say nothing of why."""
    failed: list[str] = []
    name: str | None = None
    for line in text.splitlines():
        status = _HOOK_STATUS.match(line.strip())
        if status is not None:
            if name is not None:
                failed.append(name)
            name = f"hook '{status['name']}' failed" if status["status"] == "Failed" else None
        elif name is not None and line.strip() and not line.startswith("- "):
            failed.append(f"{name}: {line.strip()}")
            name = None
    if name is not None:
        failed.append(name)
    return "; ".join(failed)


def trailer_values(root: Path, key: str) -> set[str] | None:
    """Every value of the trailer ``key`` that mdnet wrote itself in the history of HEAD; ``None`` without git.

    Only a trailer block mdnet built counts (:func:`mdnet.git.commit_text.trusted_trailers`):
    a ``Message-ID:`` in a commit of the user's, or smuggled in by a name, is not a
    mail mdnet handled. An empty repository (no HEAD yet) has no trailers: an empty set.
    """
    if not is_inside_work_tree(root):
        return None
    if run_git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        return set()
    # NUL-separated subject and raw trailer block (neither can hold a NUL); only ':' separates a trailer
    result = run_git(root, "-c", "trailer.separators=:", "log", "-z", "--no-show-signature",
                     "--format=%s%x00%(trailers)", "HEAD", "--")  # fmt: skip
    if result.returncode != 0:
        return set()
    fields = result.stdout.split("\0")
    found: set[str] = set()
    for title, block in zip(fields[0::2], fields[1::2], strict=False):
        found.update(value for name, value in trusted_trailers(block, title) or () if name == key)
    return found


def commit_record(root: Path, message: str) -> CommitOutcome:
    """A commit that changes no file, to record ``message`` (its trailers) in the history.

    Made with plumbing (``commit-tree`` on HEAD's tree, then ``update-ref`` checked
    against the old HEAD), so the user's staged changes stay staged and out of it.
    """
    if not is_inside_work_tree(root):
        return CommitOutcome(None, "the vault is not a git repository")
    refused = _not_now(root)
    if refused is not None:
        return CommitOutcome(None, refused)
    try:
        with commit_lock.commit_lock(root):
            return _record(root, message)
    except TimeoutError as exc:
        return CommitOutcome(None, str(exc.strerror or exc), failed=True)


def _record(root: Path, message: str) -> CommitOutcome:
    head = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head.returncode != 0:
        return CommitOutcome(None, "the repository has no commit yet")
    old = head.stdout.strip()
    made = run_git(root, "commit-tree", f"{old}^{{tree}}", "-p", old, "-F", "-", input=message)
    if made.returncode != 0:
        return CommitOutcome(None, "git commit-tree failed: " + _failure(made), failed=_busy(made))
    new = made.stdout.strip()
    moved = commit_lock.retrying(lambda: run_git(root, "update-ref", "-m", "mdnet: record", "HEAD", new, old), _busy)
    if moved.returncode != 0:
        return CommitOutcome(None, "git update-ref failed: " + _first_line(moved.stderr), failed=_busy(moved))
    return CommitOutcome(new)


# -- reading history in one batched pass ------------------------------------------

# One record per commit: \x1e, then hash, author date, subject and trailers separated
# by NUL (none of them can hold a NUL), then -z's NUL-separated name-status fields. The trailer block is
# git's raw last paragraph: commit_text.trusted_trailers decides whether mdnet wrote it.
LOG_FORMAT = "%x1e%H%x00%aI%x00%s%x00%(trailers)%x00"


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


_COMMIT_HASH = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def _hashes(*revisions: str | None) -> bool:
    """Whether each of ``revisions`` (None allowed) is a full commit hash. The old HEAD comes from a cache
    file under ``.mdnet/``, which a shared repository could hold: ``--output=~/.bashrc`` is no revision."""
    return all(r is None or (isinstance(r, str) and _COMMIT_HASH.fullmatch(r)) for r in revisions)


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    if not _hashes(older, newer):
        return False
    result = run_git(root, "merge-base", "--is-ancestor", "--end-of-options", older, newer)
    return result.returncode == 0


def has_merges(root: Path, older: str, newer: str) -> bool:
    """Whether a merge commit is among ``older..newer`` (True when that cannot be told)."""
    if not _hashes(older, newer):
        return True
    result = run_git(root, "rev-list", "--merges", "--max-count=1", "--end-of-options", f"{older}..{newer}")
    return result.returncode != 0 or bool(result.stdout.strip())


def log_records(root: Path, head: str, since: str | None = None) -> Iterator[bytes]:
    """Raw ``git log -z --name-status -M`` of the vault folder, every commit newest first, in chunks.

    Paths are relative to the vault (``--relative``); ``since`` limits the walk to
    commits after it (``since..head``). One process for the whole vault, however
    many notes and commits it holds; its output is handed on while git still walks,
    so parsing overlaps git's work. The process is gone when the iterator is done.
    """
    if not _hashes(head, since):
        raise OSError("git log refused: not a commit hash")
    revisions = f"{since}..{head}" if since else head
    command = ["git", "-C", str(root), "--literal-pathspecs", "-c", "core.quotepath=off", "-c", "trailer.separators=:",
               "log", "-z",
               "--name-status", "-M", "--no-merges", "--relative", "--no-show-signature", "--no-color",
               "--no-ext-diff", f"--format={LOG_FORMAT}", "--end-of-options", revisions, "--", "."]  # fmt: skip
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
