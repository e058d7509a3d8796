"""Issue 19: when ``watch --autocommit`` commits. A commit git refused is tried again by the clock (no new save
needed), edits that never stop are committed within ``autocommit_max_wait``, and after a branch switch the
daily note is not committed while the checkout's files settle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mdnet.git import commit_lock
from mdnet.watch.watcher import Watcher, wait_for
from tests.conftest import git

JANE = "---\nname: Jane Doe\ncategory: client\ncadence: 30d\nlast_contact: 2020-01-01\n---\n# Jane Doe\n\n## Log\n"
SETTLE = 5.0  # docs/watch.md, Branch switches: "the watcher commits nothing for 5 s"
ZED = "---\nname: Zed Zimmer\ncategory: client\ncadence: 30d\nlast_contact: 2020-01-01\n---\n# Zed Zimmer\n"


@pytest.fixture
def watchers() -> Iterator[list[Watcher]]:
    started: list[Watcher] = []
    yield started
    for watcher in started:
        watcher.stop()


def _start(started: list[Watcher], root: Path, **options: object) -> Watcher:
    settings: dict[str, object] = {"quiet": 0.1, "settle": 0.2, "commit_quiet": 0.3, "autocommit": True}
    settings.update(options)
    watcher = Watcher(root, **settings)  # type: ignore[arg-type]
    started.append(watcher)
    watcher.start()
    return watcher


def _with_jane(root: Path) -> Path:
    jane = root / "people" / "Jane Doe.md"
    jane.write_text(JANE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "jane")
    return jane


@pytest.mark.slow
def test_a_commit_git_refused_is_tried_again_without_another_save(
    git_vault: Path, watchers: list[Watcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git of the user's holds index.lock for 7 s, longer than commit_paths' retries (cut to 0.5 s here):
    the save is committed once the lock is gone, by the watcher's timer, with no event after it."""
    monkeypatch.setattr(commit_lock, "BUSY_WAIT", 0.5)
    root = git_vault
    jane = _with_jane(root)
    watcher = _start(watchers, root)
    assert watcher.wait_idle(quiet_for=0.3)
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    jane.write_text(JANE + "- 2026-11-25 saved while git was busy\n")
    locked_at = time.monotonic()
    assert wait_for(lambda: any("not committed" in line for line in watcher.messages), 10), list(watcher.messages)
    time.sleep(max(0.0, locked_at + 7 - time.monotonic()))
    assert watcher.commits == []
    lock.unlink()  # the user's git is done; nothing is saved after this
    assert wait_for(lambda: len(watcher.commits) == 1, 15), list(watcher.messages)
    assert "saved while git was busy" in git(root, "show", "HEAD:people/Jane Doe.md")
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.slow
def test_edits_that_never_settle_are_committed_within_autocommit_max_wait(
    git_vault: Path, watchers: list[Watcher]
) -> None:
    """A save every 0.3 s never leaves the 2 s quiet period a commit waits for; autocommit_max_wait = 2 in
    mdnet.toml still commits them, about every 2 s, while the saves go on."""
    root = git_vault
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\nautocommit_max_wait = 2\n')
    jane = _with_jane(root)
    watcher = _start(watchers, root, commit_quiet=2.0)
    assert watcher.wait_idle(quiet_for=0.3)
    started = time.monotonic()
    first: float | None = None
    n = 0
    while time.monotonic() - started < 7:
        n += 1
        jane.write_text(JANE + "".join(f"- 2026-11-25 save {k}\n" for k in range(n)))
        if first is None and watcher.commits:
            first = time.monotonic() - started
        time.sleep(0.3)
    assert first is not None, list(watcher.messages)
    assert first <= 3.5, first  # max_wait (2 s) and a batch's quiet period, not the end of the edits
    assert len(watcher.commits) >= 2, list(watcher.messages)
    assert watcher.wait_idle(timeout=15, quiet_for=0.3)
    assert f"save {n - 1}" in git(root, "show", "HEAD:people/Jane Doe.md")


@pytest.mark.slow
def test_after_a_branch_switch_the_daily_note_waits_for_the_files_to_settle(
    git_vault: Path, watchers: list[Watcher]
) -> None:
    """``git checkout side`` brings a new overdue contact: the watcher rewrites today's daily note at once, but
    commits nothing for 5 s; then the note is committed on ``side``, and ``main`` is as it was."""
    root = git_vault
    _with_jane(root)
    main = git(root, "symbolic-ref", "--short", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "side")
    (root / "people" / "Zed.md").write_text(ZED)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "zed")
    git(root, "checkout", "-q", main)
    watcher = _start(watchers, root, daily=True)
    daily = root / "daily" / f"{time.strftime('%Y-%m-%d')}.md"
    assert wait_for(lambda: len(watcher.commits) == 1, 15), list(watcher.messages)  # today's note, on main
    assert watcher.wait_idle(quiet_for=0.5)
    assert "Zed Zimmer" not in daily.read_text()
    main_head = git(root, "rev-parse", main)
    side_head = git(root, "rev-parse", "side")
    git(root, "checkout", "-q", "side")  # the daily note is not on side: git removes it, the watcher writes it
    switched = time.monotonic()
    assert wait_for(lambda: daily.exists() and "Zed Zimmer" in daily.read_text(), 10), list(watcher.messages)
    while time.monotonic() < switched + SETTLE - 1:
        assert git(root, "rev-parse", "side") == side_head, "committed while the checkout was settling"
        time.sleep(0.2)
    assert wait_for(lambda: git(root, "rev-parse", "side") != side_head, 15), list(watcher.messages)
    assert time.monotonic() - switched >= SETTLE - 0.5
    assert git(root, "rev-parse", main) == main_head
    assert "Zed Zimmer" in git(root, "show", f"side:daily/{daily.name}")
    assert git(root, "log", "-1", "--format=%s", "side").startswith("Update")
