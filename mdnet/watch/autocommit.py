"""``--autocommit``: the notes that changed committed once edits settle, named after their contacts.

Exactly those notes, never other staged work; without hooks (docs/decisions.md); a busy git
(another commit, a rebase) is tried again shortly. Every indexed note that differs from HEAD is
committed, whoever indexed it (a save ``mdnet due`` indexed first, one a previous watcher left
pending); edits that never stop are committed at least every ``autocommit_max_wait`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from mdnet.git import commands as history
from mdnet.git import commit_lock
from mdnet.store.index import Index
from mdnet.watch.report import commit_message
from mdnet.watch.report import plain_token as _plain

RETRY_FIRST = 1.0  # seconds before a commit git refused (busy past commit_paths' retries, a stale lock) is tried again
REWRITTEN_RECHECK = 0.25  # seconds: an overdue commit held back by a note being saved looks again this soon
BRANCH_SETTLE = 5.0  # seconds after HEAD moved to another branch before committing (a checkout still writing)


class AutoCommit:
    """The notes waiting to be committed and when; ``index`` gives the watcher's index of the moment."""

    def __init__(self, root: Path, index: Callable[[], Index], *, enabled: bool, commit_quiet: float,
                 say: Callable[[str], None], token_of: Callable[[str], str | None],
                 max_wait: Callable[[], float] = lambda: 60.0) -> None:  # fmt: skip
        self.root = root
        self.max_wait = max_wait
        self._since: float | None = None  # when the oldest change still uncommitted was seen
        self._branch: str | None = None
        self._branch_moved_at = 0.0
        self._index = index
        self.autocommit = enabled
        self.commit_quiet = commit_quiet
        self.say = say
        self.token_of = token_of
        self.commits: list[str] = []
        self._commit: set[str] = set()
        self._commit_at: float | None = None
        self._failed_rounds = 0  # commits in a row that git refused as busy or locked
        self._names: dict[str, str] = {}

    @property
    def due_at(self) -> float | None:
        """When the next commit is due (None: nothing waits)."""
        return self._commit_at

    @property
    def waiting(self) -> bool:
        return bool(self._commit)

    def postpone(self, when: float) -> None:
        """Edits are still coming: look again at ``when``, but no later than ``autocommit_max_wait`` after the
        oldest change waiting."""
        self._commit_at = when if self._since is None else min(when, self._since + self.max_wait())

    def overdue(self, now: float) -> bool:
        """A change has waited ``autocommit_max_wait``: commit now, even while edits go on."""
        return self._since is not None and now >= self._since + self.max_wait()

    def _schedule(self, when: float) -> None:
        if self._since is None:
            self._since = time.monotonic()
        self.postpone(when)

    def start(self) -> None:
        """Before the first commit: a vault outside git commits nothing; the contacts' names for the messages."""
        if self.autocommit:
            if not history.is_inside_work_tree(self.root):
                self.say("--autocommit: the vault is not in a git repository; nothing will be committed")
                self.autocommit = False
            else:
                self._names = {c.path: c.name for c in self._index().contacts()}
                self._branch = self._current_branch()
                folders = sorted({(self.root / path).parent for path in self._index().tokens()} | {self.root})
                for gone in commit_lock.remove_orphan_temporaries(folders):
                    self.say(f"removed {gone.name}, a temporary file a stopped mdnet left behind")
                # what a previous watcher (killed, or stopped before its commit) or a --no-commit left behind
                left = self._uncommitted()
                if left:
                    self.say(f"--autocommit: {len(left)} note(s) differ from the last commit; committing them")
                    self._commit.update(left)
                    self._schedule(time.monotonic())

    def _uncommitted(self) -> set[str]:
        """Every indexed note that git would commit (changed, deleted or new), whoever indexed it."""
        try:
            return set(history.changed_paths(self.root, sorted(self._index().tokens())))
        except OSError:
            return set()

    def seen(self, paths: Iterable[str]) -> None:
        """Events named ``paths``, changed in the index or not (another mdnet may have indexed them first): they
        are looked at in the next commit, which commits those git sees changed."""
        if self.autocommit:
            fresh = set(paths) - self._commit
            if fresh:
                self._commit.update(fresh)
                if self._commit_at is None:
                    self._schedule(time.monotonic() + self.commit_quiet)

    def after_change(self, changed: Iterable[str]) -> None:
        """Notes changed (as the index now has them): commit them once edits settle."""
        index = self._index()
        for path in changed:
            contact = index.contact(path)
            if contact is not None:
                self._names[path] = contact.name
        if self.autocommit:
            self._commit.update(changed)
            self._schedule(time.monotonic() + self.commit_quiet)

    def add_own_write(self, path: str) -> None:
        """The watcher's own write (the daily note): no batch of the user's brings it to the commit (nor does its
        own event, once the write has indexed it); commit_pending keeps it only if git sees a change."""
        if self.autocommit:
            self._commit.add(path)
            self._schedule(time.monotonic() + self.commit_quiet)

    def commit_pending(self) -> None:
        """Commit the notes that changed (exactly those; never other staged work) with their contacts' names.

        git commits a note as it is on disk now: one written again since it was indexed (a writer still holding
        it, its close not seen yet) may be half-written, so it waits for its own batch and the next commit."""
        if not self.autocommit:
            self._commit, self._commit_at, self._since = set(), None, None
            return
        branch = self._current_branch()
        if branch != self._branch:  # a checkout or switch: its files may still be landing; wait for them
            if branch is not None and self._branch is not None:  # (a rebase detaches HEAD: refused below, at once)
                self._branch_moved_at = time.monotonic()
            self._branch = branch
        if time.monotonic() < self._branch_moved_at + BRANCH_SETTLE:
            self._commit_at = self._branch_moved_at + BRANCH_SETTLE
            return
        self._commit |= self._uncommitted()
        rewritten = self._rewritten_since_indexed(self._commit)
        try:
            changed = history.changed_paths(self.root, sorted(self._commit - rewritten))
            subject = ""
            if changed:
                deleted = [p for p in changed if not (self.root / p).exists()]
                message = commit_message(changed, {p: self._names[p] for p in changed if p in self._names}, deleted)
                subject = message.splitlines()[0]
                # Without hooks: the pre-commit framework would take the user's other unstaged work out of the
                # working tree while its hooks run, and roll back a save made meanwhile (docs/decisions.md).
                outcome = history.commit_paths(self.root, changed, message, hooks=False)
        except OSError as exc:  # git vanished, or too many paths for one command line
            changed, outcome = ["?"], history.CommitOutcome(None, f"cannot run git: {exc}")
        if changed and outcome.commit is None and outcome.unchanged:
            pass  # committed meanwhile by someone else (mdnet sync, the user): nothing to say
        elif changed and outcome.commit is None and outcome.failed:
            # git stayed busy past commit_paths' own retries (a long rebase, a stale index.lock, another mdnet
            # holding the commit lock): the notes stay waiting and are tried again by the clock, 1 s, 2 s, 4 s ...
            # apart, at most autocommit_max_wait, so they are committed once git is free, with no save needed
            self._failed_rounds += 1
            delay = max(RETRY_FIRST, min(self.max_wait(), RETRY_FIRST * 2 ** min(self._failed_rounds - 1, 16)))
            if self._failed_rounds == 1:
                self.say(f"not committed: {outcome.reason}; trying again until git lets it")
            now = time.monotonic()
            self._commit_at, self._since = now + delay, now
            return
        elif changed and outcome.commit is None:
            self.say(f"not committed: {outcome.reason}")
        elif changed and outcome.commit is not None:
            self.commits.append(outcome.commit)
            self.say(f"committed {outcome.commit[:10]}: {subject}")
        self._failed_rounds = 0
        self._commit = rewritten
        now = time.monotonic()
        if not rewritten:
            self._commit_at = self._since = None
        else:
            # a note saved again since it was indexed waits for its batch, but its change is as old as it was:
            # past autocommit_max_wait, it is looked at again right after that batch, not a whole quiet period
            # later (a note saved every 0.3 s would otherwise never be caught as the index has it)
            self._since = now if self._since is None else self._since
            self._commit_at = now + (REWRITTEN_RECHECK if self.overdue(now) else self.commit_quiet)

    def _current_branch(self) -> str | None:
        found = history.run_git(self.root, "symbolic-ref", "--quiet", "HEAD")
        return found.stdout.strip() if found.returncode == 0 else None

    def _rewritten_since_indexed(self, paths: set[str]) -> set[str]:
        """Those of ``paths`` whose file is not as the index read it (a file gone, or held under a stand-in
        name, is not waited for: nothing could be half-written there)."""
        tokens = self._index().tokens()
        found = ((path, self.token_of(path)) for path in paths)
        return {path for path, token in found if token is not None and token != _plain(tokens.get(path))}
