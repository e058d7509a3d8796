"""The merge driver as git runs it, and its setup by `sync --setup` and `init`."""

from __future__ import annotations

import subprocess
from pathlib import Path
from subprocess import CompletedProcess

from mdnet.note import edit
from tests.conftest import git, run_cli, run_mdnet_process

NOTE = (
    "---\nname: Jane Doe\nrole: IT Manager\nlast_contact: 2026-10-21\n---\n"
    "# Jane Doe\n\n## Log\n- 2026-10-21 email: hi\n"
)


def test_setup_is_idempotent_and_the_attributes_match_nested_contact_notes(git_vault: Path) -> None:
    (git_vault / "mdnet.toml").write_text('contact_dirs = ["people", "my contacts"]\n', encoding="utf-8")
    first = run_cli("--vault", str(git_vault), "sync", "--setup")
    assert first.code == 0, first.err
    assert first.out.strip() == "set up: .gitattributes, git config merge.mdnet.driver"
    again = run_cli("--vault", str(git_vault), "sync", "--setup")
    assert again.out.strip() == "the merge driver is already set up"
    attributes = (git_vault / ".gitattributes").read_text(encoding="utf-8")
    assert 'people/**/*.md merge=mdnet\n"my contacts/**/*.md" merge=mdnet\n' in attributes
    for path, expected in (("people/a.md", "mdnet"), ("people/x/y/b.md", "mdnet"), ("my contacts/c.md", "mdnet"),
                           ("daily/2026-11-25.md", "mdnet"), ("notes/x.md", "unspecified"),
                           ("people/notes.txt", "unspecified")):  # fmt: skip
        assert git(git_vault, "check-attr", "merge", "--", path).strip().endswith(f"merge: {expected}")
    driver = git(git_vault, "config", "merge.mdnet.driver").strip()
    assert driver.endswith(" -m mdnet merge-driver %O %A %B %P")


def test_init_registers_the_driver(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "v"))
    assert result.code == 0
    assert ".gitattributes" in result.out
    assert "people/**/*.md merge=mdnet" in (tmp_path / "v" / ".gitattributes").read_text(encoding="utf-8")
    assert "merge-driver" in git(tmp_path / "v", "config", "merge.mdnet.driver")


def test_the_driver_command_exits_1_and_names_the_key_on_a_real_conflict(tmp_path: Path) -> None:
    (tmp_path / "O").write_text(NOTE, encoding="utf-8")
    (tmp_path / "A").write_text(edit.set_field(NOTE, "role", "CIO"), encoding="utf-8")
    (tmp_path / "B").write_text(edit.set_field(NOTE, "role", "CTO"), encoding="utf-8")
    result = run_mdnet_process("merge-driver", "O", "A", "B", "people/Jane Doe.md", cwd=tmp_path)
    assert result.code == 1
    assert result.err.strip() == "mdnet: conflict in people/Jane Doe.md: key 'role' (line 3)"
    assert "<<<<<<< ours\nrole: CIO\n=======\nrole: CTO\n>>>>>>> theirs\n" in (tmp_path / "A").read_text()


def test_a_real_git_merge_uses_the_driver(git_vault: Path) -> None:
    assert run_cli("--vault", str(git_vault), "sync", "--setup").code == 0
    note = git_vault / "people" / "Jane Doe.md"
    merged = _log_on_two_branches_and_merge(git_vault, note, NOTE)
    assert merged.returncode == 0, merged.stderr
    assert "- 2026-11-22 call: other\n- 2026-11-20 coffee: main\n- 2026-10-21 email: hi\n" in note.read_text()


def _log_on_two_branches_and_merge(repo: Path, note: Path, text: str, heading: str = "Log") -> CompletedProcess[str]:
    """``note`` committed as ``text``; an entry logged on a branch ``other`` and another on main; then a real
    ``git merge other`` on main."""
    note.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "jane")
    git(repo, "switch", "-q", "-c", "other")
    note.write_text(edit.insert_log_entry(text, "- 2026-11-22 call: other", heading=heading), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "switch", "-q", "main")
    note.write_text(edit.insert_log_entry(text, "- 2026-11-20 coffee: main", heading=heading), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main")
    return subprocess.run(["git", "-C", str(repo), "merge", "-q", "--no-edit", "other"], capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_the_driver_reads_the_log_heading_of_a_vault_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "home"
    vault = repo / "notes" / "network"
    (vault / "people").mkdir(parents=True)
    (vault / "mdnet.toml").write_text('log_heading = "Interactions"\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    for key, value in (("user.name", "T"), ("user.email", "t@example.com"), ("commit.gpgsign", "false")):
        git(repo, "config", key, value)
    assert run_cli("--vault", str(vault), "sync", "--setup").code == 0
    note = vault / "people" / "Jane Doe.md"
    merged = _log_on_two_branches_and_merge(repo, note, NOTE.replace("## Log", "## Interactions"), "Interactions")
    assert merged.returncode == 0, merged.stderr
    assert "- 2026-11-22 call: other\n- 2026-11-20 coffee: main\n- 2026-10-21 email: hi\n" in note.read_text()


def test_setup_registers_the_driver_for_a_contact_folder_written_with_dots(git_vault: Path) -> None:
    (git_vault / "mdnet.toml").write_text('contact_dirs = [".", "./team"]\n', encoding="utf-8")
    result = run_cli("--vault", str(git_vault), "sync", "--setup")
    assert result.code == 0, result.err
    for path in ("Jane Doe.md", "people/Bob.md", "team/Ann.md"):
        assert git(git_vault, "check-attr", "merge", "--", path).strip().endswith("merge: mdnet"), path
    assert run_cli("--vault", str(git_vault), "sync", "--setup").out.strip() == "the merge driver is already set up"
