"""Sync a vault through any git remote: the merge driver's setup, and commit, pull, push.

Every git command goes through :func:`mdnet.git.commands.run_git` (no shell, ``--``
before paths). The merge itself is :mod:`mdnet.merge.notes` (pure); this module is the IO
around it: reading git's three temporary files, writing the result, and driving
``git fetch`` / ``rebase`` (or ``merge``) / ``push``.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mdnet.config import Config
from mdnet.errors import MdnetError, SyncError
from mdnet.git import commands as history
from mdnet.git import commit_text
from mdnet.merge import daily as merge_daily
from mdnet.merge import notes as merge3
from mdnet.store import files

DRIVER = "mdnet"
DRIVER_NAME = "mdnet: merge contact notes key by key and log entry by entry"
ATTRIBUTES = ".gitattributes"


# -- setup -------------------------------------------------------------------


def driver_command() -> str:
    """The command git runs for the driver: this very interpreter, ``-m mdnet``.

    git runs merge drivers through ``sh -c`` with the PATH of whatever started it (a
    git GUI, Obsidian launched from a dock, a cron job), where ``mdnet`` is often not
    found; the absolute path of the interpreter that has mdnet installed always is.
    ``-m mdnet`` rather than the ``mdnet`` script next to it works for pipx, venv and
    system installs alike. Re-run ``mdnet sync --setup`` after moving the install.
    """
    return f"{shlex.quote(sys.executable)} -m mdnet merge-driver %O %A %B %P"


def attribute_lines(config: Config) -> list[str]:
    """``people/**/*.md merge=mdnet`` for each contact folder and the daily folder (quoted when it has spaces)."""
    lines = []
    folders = [*config.contact_dirs, *([config.daily_dir] if config.daily_dir.strip("/") else [])]
    for folder in dict.fromkeys(folders):
        # git matches patterns as written: './people' or '.' (the vault itself) would match nothing
        where = PurePosixPath(folder.strip("/")).as_posix()
        pattern = "**/*.md" if where == "." else f"{where}/**/*.md"
        if any(c in pattern for c in ' "\\\t'):
            pattern = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f"{pattern} merge={DRIVER}")
    return lines


def write_attributes(root: Path, config: Config) -> bool:
    """Add the driver's lines to the vault's ``.gitattributes`` (versioned); True when it changed."""
    path = root / ATTRIBUTES
    original: bytes | None
    try:
        original = files.read_inside(root, path, 0, ATTRIBUTES)
        existing = original.decode("utf-8")
    except FileNotFoundError:
        original, existing = None, ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncError(f"cannot read {ATTRIBUTES}: {exc}", path=ATTRIBUTES) from None
    present = {line.strip() for line in existing.splitlines()}
    missing = [line for line in attribute_lines(config) if line not in present]
    if not missing:
        return False
    newline = "\r\n" if "\r\n" in existing else "\n"
    text = existing
    if text and not text.endswith("\n"):
        text += newline
    if not existing:
        text += "# contact notes merge key by key (mdnet sync --setup; see docs/sync.md)" + newline
    text += "".join(line + newline for line in missing)
    # The user's versioned file: atomic, and only over the bytes read above.
    if original is None:
        files.create_new(path, text.encode("utf-8"), ATTRIBUTES, root=root)
    else:
        files.write_if_unchanged(path, text.encode("utf-8"), original, ATTRIBUTES, root=root)
    return True


def configure_git(root: Path) -> bool:
    """Set ``merge.mdnet.driver`` and ``.name`` in this clone's git config; True when it changed."""
    changed = False
    for key, value in ((f"merge.{DRIVER}.name", DRIVER_NAME), (f"merge.{DRIVER}.driver", driver_command())):
        current = history.run_git(root, "config", "--local", "--get", key)
        if current.returncode == 0 and current.stdout.rstrip("\n") == value:
            continue
        result = history.run_git(root, "config", "--local", key, value)
        if result.returncode != 0:
            raise SyncError(f"cannot set git config {key}: {_first_line(result.stderr)}")
        changed = True
    return changed


def setup(root: Path, config: Config) -> list[str]:
    """Register the merge driver: ``.gitattributes`` lines and this clone's git config.

    Returns what changed (empty when all was in place). The git config part is
    skipped when the vault is not (yet) a git repository.
    """
    changed = []
    if write_attributes(root, config):
        changed.append(ATTRIBUTES)
    if history.is_inside_work_tree(root) and configure_git(root):
        changed.append(f"git config merge.{DRIVER}.driver")
    return changed


# -- the merge driver ----------------------------------------------------------


def side_labels(root: Path) -> tuple[str, str]:
    """The conflict markers' labels for a merge in ``root``: git's %A is this device's side in a merge, but
    the upstream's during a rebase (git replays this device's commits onto it), so "ours" and "theirs" would
    read backwards; "this device" and "other device" never do. Outside a repository: ours and theirs."""
    if not history.is_inside_work_tree(root):
        return ("ours", "theirs")
    if history.operation_in_progress(root) == "rebase":
        return ("other device", "this device")
    return ("this device", "other device")


def run_driver(
    base: Path, current: Path, other: Path, log_heading: str = "Log", labels: tuple[str, str] = ("ours", "theirs")
) -> merge3.MergeResult:
    """What ``mdnet merge-driver %O %A %B %P`` does: merge into ``current`` (git's %A).

    Bytes that are not UTF-8 are carried through unchanged (surrogate escapes), so
    the driver never refuses a file git hands it.
    """
    texts = []
    for path in (base, current, other):
        try:
            texts.append(path.read_bytes().decode("utf-8", "surrogateescape"))
        except FileNotFoundError:
            texts.append("")
        except OSError as exc:
            raise SyncError(f"merge driver cannot read {path}: {exc.strerror}") from None
    if merge_daily.is_daily(*texts):  # a daily note: mdnet's block by its rules, the rest as text
        result = merge_daily.merge_daily(texts[0], texts[1], texts[2], labels=labels)
    else:
        result = merge3.merge_note(texts[0], texts[1], texts[2], log_heading=log_heading, labels=labels)
    try:
        current.write_bytes(result.text.encode("utf-8", "surrogateescape"))
    except OSError as exc:
        raise SyncError(f"merge driver cannot write {current}: {exc.strerror}") from None
    return result


# -- sync ----------------------------------------------------------------------


@dataclass
class SyncReport:
    committed: list[str] = field(default_factory=list)
    commit: str | None = None
    pulled: int = 0
    pushed: int = 0
    upstream: str | None = None
    setup: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def pending_notes(root: Path) -> list[str]:
    """Vault-relative paths of notes (``*.md``) changed, added, deleted or renamed since HEAD."""
    head = history.run_git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    names: set[str] = set()
    if head.returncode == 0:
        changed = history.run_git(root, "diff", "--name-only", "--relative", "-z", "--no-renames", "HEAD", "--", ".")
        names.update(x for x in changed.stdout.split("\0") if x)
        others = history.run_git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    else:
        others = history.run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    names.update(x for x in others.stdout.split("\0") if x)
    return sorted(n for n in names if n == ATTRIBUTES or _is_note(n))


def _is_note(path: str) -> bool:
    """A note as the scan reads one: ``*.md`` in any case, no editor temporary (Emacs' ``.#x.md`` lock
    is a symlink), nothing in a dot folder (``.obsidian/``, ``.trash/``, ``.mdnet/``, ...)."""
    return files.is_note_name(path.rsplit("/", 1)[-1]) and not files.in_dot_folder(path)


def _commit_message(paths: list[str]) -> str:
    stems = [Path(p).stem for p in paths if p != ATTRIBUTES]
    shown = ", ".join(stems[:5]) + (f" and {len(stems) - 5} more" if len(stems) > 5 else "")
    title = f"Sync {len(paths)} note{'s' if len(paths) != 1 else ''}" + (f": {shown}" if shown else "")
    # a file name may hold a newline: commit_text puts each on one line, so none adds a trailer
    return commit_text.message(title, [f"- {p}" for p in paths])


def _commit_pending(root: Path, report: SyncReport) -> None:
    """Commit the changed notes. A commit that fails because some of them were committed meanwhile (by
    ``mdnet watch --autocommit`` running beside, between the listing and the commit) is made of what is left."""
    pending = pending_notes(root)
    while pending:
        outcome = history.commit_paths(root, pending, _commit_message(pending))
        if outcome:
            report.committed, report.commit = pending, outcome.commit
            return
        left = pending_notes(root)
        if not set(left) < set(pending):  # nothing was committed meanwhile: a real failure
            raise SyncError(f"cannot commit the changed notes: {outcome.reason}")
        pending = left


def _upstream(root: Path) -> str | None:
    found = history.run_git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    return found.stdout.strip() if found.returncode == 0 else None


def _branch(root: Path) -> str:
    found = history.run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    if found.returncode != 0:
        raise SyncError("HEAD is detached; check out a branch (git switch main) and sync again")
    return found.stdout.strip()


def _remote_for_new_branch(root: Path) -> str:
    remotes = [x for x in history.run_git(root, "remote").stdout.split() if x]
    if not remotes:
        raise SyncError("the vault has no git remote to sync with; add one: git remote add origin URL")
    if "origin" in remotes:
        return "origin"
    if len(remotes) == 1:
        return remotes[0]
    raise SyncError("no upstream and several remotes; choose one: git branch --set-upstream-to=REMOTE/BRANCH")


def sync(root: Path, config: Config, *, push: bool = True, rebase: bool = True) -> SyncReport:
    """Commit pending notes, fetch, rebase onto (or merge) the upstream, push.

    Raises :class:`SyncError` with the file, the key and the way out when a real
    conflict stops the rebase or merge (which is left in progress for the user).
    """
    if not history.is_inside_work_tree(root):
        raise SyncError("the vault is not a git repository; run git init and add a remote first", path=str(root))
    report = SyncReport()
    state = history.operation_in_progress(root)
    if state is not None:
        conflicts = _describe_conflicts(root, state)
        raise SyncError(conflicts or _unfinished(state))
    branch = _branch(root)  # before anything: a commit on a detached HEAD is left behind by 'git switch'
    report.setup = setup(root, config)
    _commit_pending(root, report)
    upstream = _upstream(root)
    if upstream is None:
        remote = _remote_for_new_branch(root)
        fetched = history.run_git(root, "fetch", "--quiet", remote)
        if fetched.returncode != 0:
            raise SyncError(f"git fetch {remote} failed: {_first_line(fetched.stderr)}")
        exists = history.run_git(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}")
        if exists.returncode != 0:
            if push:
                _push(root, remote, branch, set_upstream=True)
                report.pushed = _count(root, "HEAD")
                report.upstream = f"{remote}/{branch}"
            else:
                report.messages.append(f"{remote} has no branch {branch} yet; not pushed (--no-push)")
            return report
        _track(root, remote, branch)
        upstream = f"{remote}/{branch}"
    report.upstream = upstream
    remote = history.run_git(root, "config", "--get", f"branch.{branch}.remote").stdout.strip() or "origin"
    merge_ref = history.run_git(root, "config", "--get", f"branch.{branch}.merge").stdout.strip()
    remote_branch = merge_ref.removeprefix("refs/heads/") or branch
    for attempt in range(3):
        if remote != ".":
            fetched = history.run_git(root, "fetch", "--quiet", remote)
            if fetched.returncode != 0:
                raise SyncError(f"git fetch {remote} failed: {_first_line(fetched.stderr)}")
        report.pulled += _integrate(root, rebase)
        if not push:
            break
        ahead = _count(root, "@{u}..HEAD")
        if ahead == 0:
            break
        pushed = history.run_git(root, "push", "--quiet", remote, f"HEAD:refs/heads/{remote_branch}")
        if pushed.returncode == 0:
            report.pushed += ahead
            break
        if attempt == 2 or not _rejected(pushed.stderr):
            raise SyncError(f"git push to {remote} failed: {_first_line(pushed.stderr)}")
    return report


def _integrate(root: Path, rebase: bool) -> int:
    """Rebase onto (or merge) the upstream; the number of commits that came in."""
    behind = _count(root, "HEAD..@{u}")
    if behind == 0:
        return 0
    # git's autostash gives the changes back unstaged: what the user had staged (an mdnet.toml edit for
    # their next commit) is staged again afterwards, exactly, from the index's own diff
    staged = history.run_git(root, "diff", "--cached", "--binary", "--no-color", "--no-ext-diff").stdout
    if rebase:
        result = history.run_git(root, "-c", "core.editor=true", "rebase", "--autostash", "--quiet", "@{u}")
    else:
        result = history.run_git(root, "-c", "core.editor=true", "merge", "--autostash", "--no-edit", "--quiet", "@{u}")
    if result.returncode == 0 and staged:
        history.run_git(root, "apply", "--cached", "--whitespace=nowarn", "-", input=staged)
    if result.returncode != 0:
        what = "rebase" if rebase else "merge"
        state = history.operation_in_progress(root)
        if state is None:
            raise SyncError(f"git {what} failed: {_first_line(result.stderr)}")
        described = _describe_conflicts(root, state)
        if described is None:
            # stopped with nothing to resolve (a commit that cannot be signed, a hook that said no):
            # undone, so the user is back where sync started instead of inside a rebase
            history.run_git(root, what, "--abort")
            raise SyncError(f"git {what} stopped without a conflict ({_error_line(result.stderr)}); it was undone, "
                            "nothing changed: fix that and sync again")  # fmt: skip
        raise SyncError(described)
    return behind


def _error_line(text: str) -> str:
    """git's own reason: its first ``error:`` or ``fatal:`` line, else its first line."""
    for line in text.splitlines():
        if line.strip().startswith(("error:", "fatal:")):
            return line.strip()
    return _first_line(text)


def _count(root: Path, revisions: str) -> int:
    found = history.run_git(root, "rev-list", "--count", revisions)
    try:
        return int(found.stdout.strip())
    except ValueError:
        return 0


def _rejected(stderr: str) -> bool:
    return any(word in stderr for word in ("rejected", "fetch first", "non-fast-forward"))


def _push(root: Path, remote: str, branch: str, *, set_upstream: bool) -> None:
    args = ["push", "--quiet", remote, f"HEAD:refs/heads/{branch}"]
    pushed = history.run_git(root, *args)
    if pushed.returncode != 0:
        raise SyncError(f"git push to {remote} failed: {_first_line(pushed.stderr)}")
    if set_upstream:
        _track(root, remote, branch)


def _track(root: Path, remote: str, branch: str) -> None:
    """Make ``remote/branch`` the upstream (by config, which also works on a branch with no commit yet)."""
    history.run_git(root, "config", f"branch.{branch}.remote", remote)
    history.run_git(root, "config", f"branch.{branch}.merge", f"refs/heads/{branch}")


def _way_out(state: str, marked: list[str], unmarked: list[str]) -> str:
    """What to do: edit the notes with conflict markers, decide keep-or-delete for the others."""
    go_on = "git rebase --continue" if state == "rebase" else "git commit --no-edit"
    undo = f" && mdnet sync (or undo the pull: git {state} --abort)"
    steps = []
    if marked:
        quoted = " ".join(shlex.quote(p) for p in marked)
        steps.append(
            "edit the file to keep what you want and delete the <<<<<<< ======= >>>>>>> lines, "
            f"then run: git add -- {quoted}"
        )
    for path in unmarked:
        # a modify/delete conflict leaves no markers: the file holds the changed side, to keep or delete
        quoted = shlex.quote(path)
        steps.append(f"keep {quoted} as it is now (git add -- {quoted}) or delete it (git rm -- {quoted})")
    if not unmarked:
        return f"{steps[0]} && {go_on}{undo}"
    return "; ".join(steps) + f"; then run: {go_on}{undo}"


def _unfinished(state: str) -> str:
    return (
        f"a git {state} is in progress (an earlier sync stopped?); finish it with "
        f"'git {state} --continue' or undo it with 'git {state} --abort', then sync again"
    )


def _describe_conflicts(root: Path, state: str) -> str | None:
    listed = history.run_git(root, "diff", "--name-only", "--relative", "-z", "--diff-filter=U")
    paths = sorted(x for x in listed.stdout.split("\0") if x)
    if not paths:
        return None
    parts = []
    marked: list[str] = []
    unmarked: list[str] = []
    for path in paths:
        try:
            text = files.read_inside(root, root / path, 0, path).decode("utf-8", "surrogateescape")
        except (OSError, MdnetError):  # gone, or a link out of the vault: not read
            text = ""
        found = merge3.conflict_keys(text)
        if not found:
            parts.append(f"{path} (changed on one side and deleted or renamed on the other)")
            unmarked.append(path)
            continue
        described = ", ".join(c.describe() for c in found)
        parts.append(f"{path}: {described}")
        marked.append(path)
    what = "a real conflict" if len(parts) == 1 else f"{len(parts)} real conflicts"
    # during a rebase git's "ours" is the upstream: the markers (side_labels) and this line name devices
    sides = ""
    if marked and state == "rebase":
        sides = " (<<<<<<< other device: the version pulled; >>>>>>> this device: yours)"
    elif marked:
        sides = " (<<<<<<< this device: yours; >>>>>>> other device: the version pulled)"
    return f"sync stopped on {what}, changed differently on two devices: {'; '.join(parts)}{sides}; " + _way_out(
        state, marked, unmarked
    )


def _first_line(text: str) -> str:
    return commit_text.first_line(text, "(no message)")
