"""Safety of every git call and every write: no shell, '--' before paths, odd names, nothing extra committed."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mdnet import FileChanged
from mdnet.git import commands as history
from mdnet.vault.facade import Vault
from tests.conftest import git, run_cli

ODD_NAMES = ["--output=x.md", "-rf.md", "*.md", ":(top)x.md", "[ab].md", "a b' ; rm -rf ~.md"]


def note(name: str) -> str:
    return f"---\nname: {name!r}\ncadence: 30d\n---\n# x\n"


@pytest.fixture
def spy_git(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, Any]]]:
    """Every subprocess mdnet starts (still run for real), with its arguments."""
    calls: list[tuple[list[str], dict[str, Any]]] = []
    real_run = subprocess.run

    def recording(args: Any, *rest: Any, **kwargs: Any) -> Any:
        calls.append((list(args), kwargs))
        return real_run(args, *rest, **kwargs)

    real_popen = subprocess.Popen

    def recording_popen(args: Any, *rest: Any, **kwargs: Any) -> Any:
        calls.append((list(args), kwargs))
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(history.subprocess, "run", recording)
    monkeypatch.setattr(history.subprocess, "Popen", recording_popen)
    return calls


@pytest.mark.parametrize("file_name", ODD_NAMES)
def test_odd_note_names_are_just_files_for_log_history_and_commit(
    git_vault: Path, write_note: Callable[[str, str], Path], file_name: str, spy_git: list[Any]
) -> None:
    stem = file_name[:-3]
    write_note(f"people/{file_name}", note(stem))
    write_note("people/Other.md", note("Other"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "add notes")
    (git_vault / "people" / "Other.md").write_text(note("Other") + "edited, not staged\n")
    with Vault.open(git_vault) as vault:
        result = vault.log(stem, "met for coffee", kind="coffee")
        assert result.commit is not None, result.not_committed_because
        items = vault.history(stem)
    assert git(git_vault, "show", "--name-only", "--format=", "HEAD").splitlines() == [f"people/{file_name}"]
    assert git(git_vault, "status", "--porcelain").splitlines() == [" M people/Other.md"]
    assert not (git_vault / "x.md").exists()
    assert not (git_vault / "people" / "x.md").exists()
    assert [(i.source, i.commit) for i in items][:1] == [("log", result.commit)]
    assert "add notes" in [i.text for i in items]
    for args, kwargs in spy_git:
        assert not kwargs.get("shell"), args
        assert args[0] == "git"
        for position, arg in enumerate(args):
            if arg.endswith(".md") or arg == ".":
                assert "--" in args[:position], f"a path before '--': {args}"


def test_the_users_other_staged_work_is_never_committed(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    write_note("people/Jane Doe.md", note("Jane Doe"))
    write_note("people/Bob.md", note("Bob"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "add notes")
    (git_vault / "people" / "Bob.md").write_text(note("Bob") + "staged work\n")
    (git_vault / "draft.md").write_text("a new staged file\n")
    git(git_vault, "add", "people/Bob.md", "draft.md")
    with Vault.open(git_vault) as vault:
        assert vault.log("Jane", "call", kind="call").commit is not None
        assert vault.followup("Jane", "2027-01-01").commit is not None
        assert vault.snooze("Jane", "2027-01-01").commit is not None
    for revision in ("HEAD", "HEAD~1", "HEAD~2"):
        assert git(git_vault, "show", "--name-only", "--format=", revision).split() == ["people/Jane", "Doe.md"]
    assert sorted(git(git_vault, "diff", "--cached", "--name-only").split()) == ["draft.md", "people/Bob.md"]


def test_a_vault_inside_a_bigger_repository_commits_only_its_file(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "home"
    vault = repo / "notes" / "network"
    (vault / "people").mkdir(parents=True)
    (vault / "mdnet.toml").write_text("")
    (vault / "people" / "Jane Doe.md").write_text(note("Jane Doe"))
    (repo / "outside.md").write_text("outside\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for key, value in (("user.name", "T"), ("user.email", "t@example.com"), ("commit.gpgsign", "false")):
        git(repo, "config", key, value)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "everything")
    (repo / "outside.md").write_text("changed outside\n")
    (repo / "staged-outside.md").write_text("staged outside\n")
    git(repo, "add", "staged-outside.md")
    with Vault.open(vault) as opened:
        result = opened.log("Jane", "lunch", kind="lunch")
        assert result.commit is not None
        items = opened.history("Jane")
        facts = opened.git_facts()
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == ["notes/network/people/Jane Doe.md"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["staged-outside.md"]
    assert [i.text for i in items if i.source == "git"] == ["everything"]
    assert set(facts) == {"people/Jane Doe.md"}  # vault-relative paths, nothing from outside


def test_commit_paths_refuses_paths_outside_the_vault(git_vault: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("not in the vault\n")
    for path in ("../secret.md", str(tmp_path / "secret.md"), ""):
        outcome = history.commit_paths(git_vault, [path], "x\n")
        assert outcome.commit is None
    assert git(git_vault, "log", "--format=%s").splitlines() == ["initial"]


def test_a_file_changed_between_read_and_write_is_left_as_the_user_saved_it(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", note("Jane Doe"))
    users_bytes = b"---\r\nname: Jane Doe\r\n---\r\nsaved in the editor meanwhile\r\n"
    with Vault.open(vault_dir) as vault:
        contact = vault.get("Jane")

        def editor_saves_meanwhile(text: str) -> str:
            path.write_bytes(users_bytes)  # a real write, between mdnet's read and its write
            return text + "mdnet's change\n"

        with pytest.raises(FileChanged, match="changed on disk"):
            vault.writer.rewrite(contact, editor_saves_meanwhile)
    assert path.read_bytes() == users_bytes
    assert sorted(p.name for p in path.parent.iterdir()) == ["Jane Doe.md"]  # no temporary left behind


def test_a_file_deleted_between_read_and_write_is_not_recreated(
    vault_dir: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", note("Jane Doe"))
    with Vault.open(vault_dir) as vault:
        contact = vault.get("Jane")

        def deleted_meanwhile(text: str) -> str:
            path.unlink()
            return text + "x\n"

        with pytest.raises(FileChanged):
            vault.writer.rewrite(contact, deleted_meanwhile)
    assert list(path.parent.iterdir()) == []


def test_log_keeps_every_other_byte(git_vault: Path, write_note: Callable[[str, str], Path]) -> None:
    original = "\ufeff---\r\nname: Jane Doe   # her name\r\ntags: [a, b]\r\nneeds_reply: true # owed\r\n---\r\n# J\r\n"
    path = write_note("people/Jane Doe.md", original)
    with Vault.open(git_vault) as vault:
        vault.log("Jane", "replied", kind="email", when="2026-11-25")
    assert path.read_bytes().decode("utf-8") == (
        "\ufeff---\r\nname: Jane Doe   # her name\r\ntags: [a, b]\r\nneeds_reply: false # owed\r\n"
        "last_contact: 2026-11-25\r\n---\r\n# J\r\n\r\n## Log\r\n- 2026-11-25 email: replied\r\n"
    )


def _bare_remote(vault: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True, capture_output=True)
    git(vault, "remote", "add", "origin", str(remote))


def test_sync_commits_notes_removed_or_moved_with_git_rm_and_git_mv(
    git_vault: Path, write_note: Callable[[str, str], Path], tmp_path: Path
) -> None:
    for name in ("Jane Doe", "Bob", "Ann"):
        write_note(f"people/{name}.md", note(name))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "add notes")
    _bare_remote(git_vault, tmp_path)
    git(git_vault, "rm", "-q", "people/Bob.md")  # the deletion is staged: the file is in neither index nor disk
    git(git_vault, "mv", "people/Jane Doe.md", "people/Jane D.md")
    (git_vault / "people" / "Ann.md").unlink()  # deleted on disk only
    result = run_cli("--vault", str(git_vault), "sync")
    assert result.code == 0, result.err
    assert git(git_vault, "status", "--porcelain", "--", "people").strip() == ""
    assert git(git_vault, "ls-tree", "-r", "--name-only", "HEAD", "--", "people").splitlines() == ["people/Jane D.md"]


def test_sync_on_a_detached_head_commits_nothing(git_vault: Path, write_note: Callable[[str, str], Path]) -> None:
    write_note("people/Jane Doe.md", note("Jane Doe"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "add jane")
    git(git_vault, "checkout", "-q", "--detach")
    head = git(git_vault, "rev-parse", "HEAD")
    write_note("people/Jane Doe.md", note("Jane Doe") + "edited\n")
    result = run_cli("--vault", str(git_vault), "sync")
    assert result.code == 1
    assert "HEAD is detached" in result.err
    # a commit on a detached HEAD is left behind by the 'git switch main' the message asks for
    assert git(git_vault, "rev-parse", "HEAD") == head
    assert git(git_vault, "status", "--porcelain").splitlines() == [' M "people/Jane Doe.md"']


def test_log_during_a_merge_leaves_the_users_index_and_conflicts_alone(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", note("Jane Doe") + "\nSome text\n")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "add jane")
    git(git_vault, "switch", "-q", "-c", "other")
    path.write_text(note("Jane Doe") + "\nOther text\n")
    git(git_vault, "commit", "-q", "-am", "other")
    git(git_vault, "switch", "-q", "main")
    path.write_text(note("Jane Doe") + "\nMain text\n")
    git(git_vault, "commit", "-q", "-am", "main")
    merged = subprocess.run(["git", "-C", str(git_vault), "merge", "-q", "other"], capture_output=True, check=False)
    assert merged.returncode == 1  # a conflict in the body: the note is still readable
    with Vault.open(git_vault) as vault:
        result = vault.log("Jane", "call during the merge", kind="call")
    assert result.commit is None
    assert "merge" in (result.not_committed_because or "")
    assert "- " in path.read_text() and "call during the merge" in path.read_text()
    # still unmerged: 'git add' would have marked the conflict markers as its resolution
    assert git(git_vault, "status", "--porcelain").splitlines() == ['UU "people/Jane Doe.md"']


def test_sync_commits_the_notes_the_scan_reads_and_no_editor_lock_or_dot_folder_file(
    git_vault: Path, write_note: Callable[[str, str], Path], tmp_path: Path
) -> None:
    _bare_remote(git_vault, tmp_path)
    write_note("people/Jane Doe.md", note("Jane Doe"))
    write_note("people/Bob.MD", note("Bob"))  # a note for the scan, so for sync too
    write_note("people/.hidden/Old.md", note("Old"))  # a dot folder: never read as notes
    (git_vault / "people" / ".#Jane Doe.md").symlink_to("me@laptop.4242:1764000000")  # Emacs' lock while editing
    result = run_cli("--vault", str(git_vault), "sync")
    assert result.code == 0, result.err
    committed = git(git_vault, "ls-tree", "-r", "--name-only", "HEAD", "--", "people").splitlines()
    assert committed == ["people/Bob.MD", "people/Jane Doe.md"]


def test_log_on_a_detached_head_writes_the_note_and_does_not_commit_it_to_no_branch(
    git_vault: Path, write_note: Callable[[str, str], Path]
) -> None:
    path = write_note("people/Jane Doe.md", note("Jane Doe"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "add jane")
    git(git_vault, "checkout", "-q", "--detach", "HEAD")  # looking at an old commit, or bisecting
    head = git(git_vault, "rev-parse", "HEAD")
    with Vault.open(git_vault) as vault:
        result = vault.log("Jane", "call while detached", kind="call")
    assert result.commit is None
    assert "detached" in (result.not_committed_because or "")
    assert git(git_vault, "rev-parse", "HEAD") == head
    # the entry is in the note, and 'git switch main' carries it over instead of leaving it in an orphan commit
    git(git_vault, "switch", "-q", "main")
    assert "call while detached" in path.read_text()


def test_a_record_commit_is_not_made_on_a_detached_head(git_vault: Path) -> None:
    git(git_vault, "checkout", "-q", "--detach", "HEAD")
    head = git(git_vault, "rev-parse", "HEAD")
    outcome = history.commit_record(git_vault, "Record mail\n\nMail-Handled: x\n")
    assert outcome.commit is None
    assert "detached" in (outcome.reason or "")
    assert git(git_vault, "rev-parse", "HEAD") == head


def test_a_rebase_that_stops_without_a_conflict_is_undone_and_says_why(
    git_vault: Path, write_note: Callable[[str, str], Path], tmp_path: Path
) -> None:
    _bare_remote(git_vault, tmp_path)
    write_note("people/Jane Doe.md", note("Jane Doe"))
    assert run_cli("--vault", str(git_vault), "sync").code == 0
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "remote.git"), str(other)], check=True)
    (other / "people" / "Bob.md").write_text(note("Bob"))
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "bob on the other device")
    git(other, "push", "-q", "origin", "main")
    write_note("people/Ann.md", note("Ann"))
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "ann here")
    head = git(git_vault, "rev-parse", "HEAD")
    # signing that cannot work: the rebase stops at its first commit, with nothing to resolve
    git(git_vault, "config", "commit.gpgsign", "true")
    git(git_vault, "config", "gpg.program", "false")
    result = run_cli("--vault", str(git_vault), "sync")
    assert result.code == 1
    assert "gpg failed to sign" in result.err
    assert "an earlier sync" not in result.err
    assert history.operation_in_progress(git_vault) is None  # nothing left half-done for the user to undo
    assert git(git_vault, "rev-parse", "HEAD") == head


def test_a_refused_commit_leaves_a_new_note_untracked_as_it_was(git_vault: Path) -> None:
    """A hook that says no (or no identity): the new notes mdnet told git about are forgotten again, so
    'git status' shows them untracked as before, not as half-added files ('new file' with nothing staged;
    ' D' once the user deletes the bad note; carried along by the user's next 'git commit -a')."""
    hook = git_vault / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'people/New.md:1:1: error: no' >&2\nexit 1\n")
    hook.chmod(0o755)
    (git_vault / "people" / "New.md").write_text(note("New Person"), encoding="utf-8")
    (git_vault / "people" / "Staged.md").write_text(note("Staged Person"), encoding="utf-8")
    git(git_vault, "add", "people/Staged.md")  # the user's own staged note stays staged
    before = git(git_vault, "status", "--porcelain")
    outcome = history.commit_paths(git_vault, ["people/New.md", "people/Staged.md"], "Sync\n")
    assert outcome.commit is None
    assert outcome.reason is not None and "people/New.md:1:1: error: no" in outcome.reason
    assert git(git_vault, "status", "--porcelain") == before
    assert "?? people/New.md" in before
