"""End to end: two clones of a bare repository sync through the merge driver (real git, real processes)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mdnet.note import edit
from tests.conftest import git, run_cli

pytestmark = pytest.mark.slow

TODAY = "2026-11-25"


def _identity(root: Path, name: str) -> None:
    git(root, "config", "user.name", name)
    git(root, "config", "user.email", f"{name.lower()}@example.com")
    git(root, "config", "commit.gpgsign", "false")


def _mdnet(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(root), "--today", TODAY, *args)
    return result.code, result.out, result.err


def _keep_jane_continue_and_sync(desktop: Path, laptop: Path) -> None:
    """The way out of a stopped sync, as its message gives it: keep Jane's note as it is now, go on with the
    rebase, sync, and sync the other device."""
    git(desktop, "add", "--", "people/Jane Doe.md")
    subprocess.run(
        ["git", "-C", str(desktop), "-c", "core.editor=true", "rebase", "--continue"], check=True, capture_output=True
    )
    code, _out, err = _mdnet(desktop, "sync")
    assert code == 0, err
    assert _mdnet(laptop, "sync")[0] == 0


def _edit(path: Path, key: str, value: edit.Value) -> None:
    path.write_bytes(edit.set_field(path.read_bytes().decode("utf-8"), key, value).encode("utf-8"))


@pytest.fixture
def two_devices(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A laptop vault made by `mdnet init`, a bare remote, and a desktop clone set up with `sync --setup`."""
    laptop, remote, desktop = tmp_path / "laptop", tmp_path / "remote.git", tmp_path / "desktop"
    assert run_cli("init", str(laptop)).code == 0
    git(laptop, "symbolic-ref", "HEAD", "refs/heads/main")
    _identity(laptop, "Laptop")
    assert (laptop / ".gitattributes").read_text(encoding="utf-8").count("people/**/*.md merge=mdnet") == 1
    assert "merge-driver %O %A %B %P" in git(laptop, "config", "merge.mdnet.driver")
    code, out, err = _mdnet(laptop, "add", "Jane Doe", "--cadence", "30d", "--tag", "cloud", "--role", "IT Manager")
    assert code == 0, err
    git(laptop, "add", "-A")
    git(laptop, "commit", "-q", "-m", "new vault")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True, capture_output=True)
    git(laptop, "remote", "add", "origin", str(remote))
    code, out, err = _mdnet(laptop, "sync")
    assert code == 0, err
    assert "pushed 1 commit" in out
    subprocess.run(["git", "clone", "-q", str(remote), str(desktop)], check=True, capture_output=True)
    _identity(desktop, "Desktop")
    code, out, err = _mdnet(desktop, "sync", "--setup")
    assert code == 0, err
    assert "git config merge.mdnet.driver" in out
    return laptop, remote, desktop


def test_two_devices_sync_both_ways_without_conflict_or_loss(two_devices: tuple[Path, Path, Path]) -> None:
    laptop, _remote, desktop = two_devices
    # The laptop logs a coffee and changes the cadence.
    assert (
        _mdnet(laptop, "log", "Jane", "coffee", "about", "sailing", "--kind", "coffee", "--date", "2026-11-20")[0] == 0
    )
    _edit(laptop / "people" / "Jane Doe.md", "cadence", "60d")
    # The desktop logs a call (later), adds a tag, and renames the note as Obsidian would.
    assert (
        _mdnet(desktop, "log", "Jane", "call", "about", "the", "budget", "--kind", "call", "--date", "2026-11-22")[0]
        == 0
    )
    assert _mdnet(desktop, "log", "Jane", "sent the deck", "--kind", "email", "--date", "2026-11-18")[0] == 0
    _edit(desktop / "people" / "Jane Doe.md", "tags", ["cloud", "phoenix"])
    (desktop / "people" / "Jane Doe.md").rename(desktop / "people" / "Jane D.md")

    code, out, err = _mdnet(laptop, "sync")
    assert code == 0, err
    code, out, err = _mdnet(desktop, "sync")
    assert code == 0, err
    assert "committed 2 notes" in out
    assert "pulled 2 commits" in out
    assert "pushed 3 commits" in out
    code, out, err = _mdnet(laptop, "sync")
    assert code == 0, err
    assert "pulled 3 commits" in out

    for device in (laptop, desktop):
        assert not (device / "people" / "Jane Doe.md").exists()
        text = (device / "people" / "Jane D.md").read_text(encoding="utf-8")
        assert "<<<<<<<" not in text
        assert ">>>>>>>" not in text
        assert "cadence: 60d\n" in text
        assert "tags: [cloud, phoenix]\n" in text
        assert "last_contact: 2026-11-22\n" in text
        log = [line for line in text.splitlines() if line.startswith("- 2026-")]
        assert log == [
            "- 2026-11-22 call: call about the budget",
            "- 2026-11-20 coffee: coffee about sailing",
            "- 2026-11-18 email: sent the deck",
        ]
        assert git(device, "status", "--porcelain") == ""
    assert (laptop / "people" / "Jane D.md").read_bytes() == (desktop / "people" / "Jane D.md").read_bytes()
    show = run_cli("--vault", str(laptop), "--today", TODAY, "show", "Jane", "--json")
    assert show.code == 0
    assert '"path": "people/Jane D.md"' in show.out


def test_a_true_conflict_stops_with_the_file_the_key_and_the_way_out(two_devices: tuple[Path, Path, Path]) -> None:
    laptop, _remote, desktop = two_devices
    _edit(laptop / "people" / "Jane Doe.md", "role", "CIO")
    assert _mdnet(laptop, "log", "Jane", "promoted", "--date", "2026-11-21")[0] == 0
    assert _mdnet(laptop, "sync")[0] == 0
    _edit(desktop / "people" / "Jane Doe.md", "role", "CTO")
    assert _mdnet(desktop, "log", "Jane", "lunch", "--kind", "lunch", "--date", "2026-11-23")[0] == 0

    code, out, err = _mdnet(desktop, "sync")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1
    message = lines[0]
    assert message.startswith("mdnet: error: sync stopped on a real conflict")
    assert "people/Jane Doe.md: key 'role'" in message
    assert "git rebase --continue" in message
    assert "git rebase --abort" in message
    text = (desktop / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    # the sides were "ours"/"theirs", backwards in a rebase (ours = the laptop's CIO); issue 18 named them
    assert "<<<<<<< other device\nrole: CIO\n=======\nrole: CTO\n>>>>>>> this device\n" in text
    assert "<<<<<<< other device: the version pulled; >>>>>>> this device: yours" in message
    assert "- 2026-11-23 lunch: lunch" in text
    assert "- 2026-11-21 promoted" in text
    # Running sync again before resolving says what is going on instead of making it worse.
    code, _out, err = _mdnet(desktop, "sync")
    assert code == 1
    assert "key 'role'" in err
    # The way out works: keep one value, continue, sync.
    resolved = text.replace("<<<<<<< other device\nrole: CIO\n=======\nrole: CTO\n>>>>>>> this device\n", "role: CTO\n")
    (desktop / "people" / "Jane Doe.md").write_text(resolved, encoding="utf-8")
    _keep_jane_continue_and_sync(desktop, laptop)
    assert (laptop / "people" / "Jane Doe.md").read_bytes() == (desktop / "people" / "Jane Doe.md").read_bytes()


def test_sync_without_a_remote_or_repository_says_so(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    (vault / "people").mkdir(parents=True)
    code, _out, err = _mdnet(vault, "sync")
    assert code == 1
    assert "not a git repository" in err
    subprocess.run(["git", "init", "-q", str(vault)], check=True)
    _identity(vault, "Solo")
    code, _out, err = _mdnet(vault, "sync")
    assert code == 1
    assert "no git remote" in err
    assert "git remote add origin" in err


def test_merge_mode_and_no_push(two_devices: tuple[Path, Path, Path]) -> None:
    laptop, remote, desktop = two_devices
    assert _mdnet(laptop, "log", "Jane", "coffee", "--date", "2026-11-20")[0] == 0
    assert _mdnet(laptop, "sync")[0] == 0
    assert _mdnet(desktop, "log", "Jane", "call", "--date", "2026-11-21")[0] == 0
    before = git(remote, "rev-parse", "main")
    code, out, err = _mdnet(desktop, "sync", "--merge", "--no-push")
    assert code == 0, err
    assert "pulled 1 commit from origin/main" in out
    assert "pushed" not in out
    assert git(remote, "rev-parse", "main") == before
    assert len(git(desktop, "rev-list", "--merges", "HEAD").split()) == 1
    text = (desktop / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert "- 2026-11-21 call\n- 2026-11-20 coffee\n" in text
    code, out, err = _mdnet(desktop, "sync")
    assert code == 0, err
    assert "pushed 2 commits" in out


def test_a_push_that_loses_a_race_is_retried_after_integrating_the_new_commit(
    two_devices: tuple[Path, Path, Path],
) -> None:
    laptop, remote, desktop = two_devices
    # The desktop's pre-push hook makes the laptop push first, once: the desktop's push is then rejected.
    marker = desktop.parent / "raced"
    hook = desktop / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e '{marker}' ]; then\n"
        f"  touch '{marker}'\n"
        f"  git -C '{laptop}' commit -q --allow-empty -m 'laptop won the race' && git -C '{laptop}' push -q\n"
        "fi\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    assert _mdnet(desktop, "log", "Jane", "call", "--date", "2026-11-21")[0] == 0
    code, out, err = _mdnet(desktop, "sync")
    assert code == 0, err
    assert marker.exists()
    assert "pulled 1 commit" in out
    assert "pushed 1 commit" in out
    subjects = git(remote, "log", "--format=%s", "main").splitlines()
    assert subjects[:2] == ["Log interaction with Jane Doe: call", "laptop won the race"]
    code, out, err = _mdnet(desktop, "sync")
    assert code == 0, err
    assert out.strip() == "up to date with origin/main"


def test_a_note_deleted_on_one_device_and_changed_on_the_other_says_keep_or_delete(
    two_devices: tuple[Path, Path, Path],
) -> None:
    """A modify/delete conflict leaves no conflict markers: the way out is git add or git rm, not an edit."""
    laptop, _remote, desktop = two_devices
    git(laptop, "rm", "-q", "people/Jane Doe.md")
    git(laptop, "commit", "-q", "-m", "drop Jane")
    assert _mdnet(laptop, "sync")[0] == 0
    assert _mdnet(desktop, "log", "Jane", "lunch", "--kind", "lunch", "--date", "2026-11-23")[0] == 0

    code, _out, err = _mdnet(desktop, "sync")
    assert code == 1
    message = err.strip()
    assert "people/Jane Doe.md (changed on one side and deleted or renamed on the other)" in message
    assert "<<<<<<<" not in message  # there are no markers to delete
    assert "keep 'people/Jane Doe.md' as it is now (git add -- 'people/Jane Doe.md')" in message
    assert "or delete it (git rm -- 'people/Jane Doe.md')" in message
    assert message.endswith("then run: git rebase --continue && mdnet sync (or undo the pull: git rebase --abort)")
    text = (desktop / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    assert "- 2026-11-23 lunch: lunch" in text
    # The way out works: keep the note, continue, sync.
    _keep_jane_continue_and_sync(desktop, laptop)
    assert "- 2026-11-23 lunch: lunch" in (laptop / "people" / "Jane Doe.md").read_text(encoding="utf-8")


def test_sync_goes_on_when_the_watcher_commits_its_notes_first(
    two_devices: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mdnet watch --autocommit` beside `mdnet sync`: a note sync listed may be committed by the watcher
    before sync's own commit. That is no error (it said 'cannot commit the changed notes: nothing to commit')."""
    from mdnet.git import sync as sync_module

    laptop, _remote, desktop = two_devices
    _edit(laptop / "people" / "Jane Doe.md", "cadence", "60d")
    (laptop / "people" / "Bob.md").write_text("---\nname: Bob Baker\n---\n", encoding="utf-8")
    listed = sync_module.pending_notes
    calls = []

    def listed_then_committed_by_the_watcher(root: Path) -> list[str]:
        found = listed(root)
        calls.append(found)
        if len(calls) == 1:  # the watcher commits them right after sync listed them
            git(laptop, "add", "--", *found)
            git(laptop, "commit", "-q", "-m", "Update Bob Baker, Jane Doe", "--", *found)
        return found

    monkeypatch.setattr(sync_module, "pending_notes", listed_then_committed_by_the_watcher)
    code, out, err = _mdnet(laptop, "sync")
    assert code == 0, err
    assert "committed" not in out
    assert "pushed 1 commit" in out
    assert git(laptop, "status", "--porcelain", "--", "people") == ""
    assert _mdnet(desktop, "sync")[0] == 0
    assert "cadence: 60d" in (desktop / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert (desktop / "people" / "Bob.md").exists()
