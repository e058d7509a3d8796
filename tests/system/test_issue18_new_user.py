"""Issue 18: what a new user tripped over. Each test failed before its fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mdnet.note import edit
from tests.conftest import git, git_env, run_cli, run_mdnet_process
from tests.system.test_sync import two_devices  # noqa: F401 (a fixture)


def test_check_of_a_folder_checks_every_note_under_it(vault_dir: Path) -> None:
    (vault_dir / "people" / "sub").mkdir()
    (vault_dir / "people" / "sub" / "dup.md").write_text(
        "---\nname: Dup\ncadence: 30d\ncadence: 60d\n---\n", encoding="utf-8"
    )
    (vault_dir / "people" / ".trash").mkdir()
    (vault_dir / "people" / ".trash" / "old.md").write_text("---\nname: [\n---\n", encoding="utf-8")
    result = run_mdnet_process("check", "people/", cwd=vault_dir)
    assert result.code == 1, result
    assert "people/sub/dup.md:4:1: error: duplicate key 'cadence'" in result.out
    assert ".trash" not in result.out + result.err


def _priya(vault: Path) -> None:
    (vault / "people" / "Priya Raman.md").write_text(
        "---\nname: Priya Raman\nneeds_reply: true\n---\n# Priya Raman\n", encoding="utf-8"
    )
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "priya")


def test_log_with_an_unquoted_name_is_refused_with_the_hint(git_vault: Path) -> None:
    _priya(git_vault)
    before = (git_vault / "people" / "Priya Raman.md").read_bytes()
    result = run_mdnet_process("log", "Priya", "Raman", "intro call", cwd=git_vault)
    assert result.code == 2, result
    assert 'quote names with spaces: mdnet log "Priya Raman" ...' in result.err
    assert (git_vault / "people" / "Priya Raman.md").read_bytes() == before
    assert git(git_vault, "log", "--format=%s", "-1").strip() == "priya"
    quoted = run_mdnet_process("log", "Priya Raman", "intro call", cwd=git_vault)
    assert quoted.code == 0, quoted


def test_other_commands_give_the_same_hint(git_vault: Path) -> None:
    _priya(git_vault)
    shown = run_mdnet_process("show", "Priya", "Raman", cwd=git_vault)
    assert shown.code == 2
    assert 'quote names with spaces: mdnet show "Priya Raman"' in shown.err
    snoozed = run_mdnet_process("snooze", "Priya", "Raman", cwd=git_vault)
    assert snoozed.code == 2
    assert 'quote names with spaces: mdnet snooze "Priya Raman"' in snoozed.err
    followed = run_mdnet_process("followup", "Priya", "Raman", "2w", cwd=git_vault)
    assert followed.code == 2
    assert 'quote names with spaces: mdnet followup "Priya Raman"' in followed.err


def test_snooze_none_on_a_contact_never_snoozed_changes_and_commits_nothing(git_vault: Path) -> None:
    _priya(git_vault)
    note = git_vault / "people" / "Priya Raman.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nan edit of my own, not for mdnet to commit\n")
    before = note.read_bytes()
    result = run_mdnet_process("snooze", "Priya Raman", "none", cwd=git_vault)
    assert result.code == 0, result
    assert "nothing to change (snooze_until is not set); nothing written or committed" in result.out
    assert "cleared" not in result.out
    assert note.read_bytes() == before
    assert git(git_vault, "log", "--format=%s", "-1").strip() == "priya"
    assert git(git_vault, "diff", "--name-only").strip() == "people/Priya Raman.md"  # still the user's edit


def test_export_refuses_an_out_file_in_a_missing_folder(vault_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.ics"
    for kind in ("ics", "vcard"):
        result = run_mdnet_process("export", kind, "--out", str(target), cwd=vault_dir)
        assert result.code == 2, result
        assert f"there is no folder {target.parent}" in result.err
        assert not (tmp_path / "nonexistent").exists()
    made = run_mdnet_process("export", "ics", "--out", str(tmp_path / "x.ics"), cwd=vault_dir)
    assert made.code == 0, made


def _conflicted_jane(vault: Path) -> Path:
    """A real merge conflict: two branches changed Jane's last_contact (no merge driver set up)."""
    note = vault / "people" / "Jane Doe.md"
    note.write_text("---\nname: Jane Doe\ncadence: 30d\nlast_contact: 2026-10-01\n---\n# Jane Doe\n", encoding="utf-8")
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "jane")
    git(vault, "checkout", "-qb", "other")
    note.write_text(note.read_text(encoding="utf-8").replace("2026-10-01", "2026-11-03"), encoding="utf-8")
    git(vault, "commit", "-qam", "other device")
    git(vault, "checkout", "-q", "main")
    note.write_text(note.read_text(encoding="utf-8").replace("2026-10-01", "2026-11-01"), encoding="utf-8")
    git(vault, "commit", "-qam", "this device")
    subprocess.run(["git", "-C", str(vault), "merge", "-q", "other"], capture_output=True, check=False)
    assert "<<<<<<<" in note.read_text(encoding="utf-8")
    return note


def test_a_note_with_conflict_markers_is_named_as_such_and_kept_listed(git_vault: Path) -> None:
    note = _conflicted_jane(git_vault)
    said = "unresolved merge conflict in people/Jane Doe.md (line 4)"
    checked = run_mdnet_process("check", cwd=git_vault)
    assert checked.code == 1
    assert f"people/Jane Doe.md:4:1: error: {said}" in checked.out
    assert "malformed YAML" not in checked.out
    assert said in run_mdnet_process("check", "people/Jane Doe.md", cwd=git_vault).out
    listed = run_mdnet_process("list", "--json", cwd=git_vault)
    assert [c["name"] for c in json.loads(listed.out)["contacts"]] == ["Jane Doe"]
    assert said in listed.err
    shown = run_mdnet_process("show", "jane", cwd=git_vault)
    assert shown.code == 0, shown
    assert "2026-11-01" in shown.out  # read as its first side, this device's
    assert said in shown.err
    due = run_mdnet_process("--today", "2026-12-20", "due", "--json", cwd=git_vault)
    assert [i["name"] for i in json.loads(due.out)["items"]] == ["Jane Doe"]
    before = note.read_bytes()
    logged = run_mdnet_process("log", "jane", "call", cwd=git_vault)
    assert logged.code == 1
    assert said in logged.err
    assert "nothing was written" in logged.err
    assert note.read_bytes() == before


def test_five_concurrent_logs_of_one_contact_each_commit_their_own_entry(git_vault: Path) -> None:
    _priya(git_vault)
    env = {k: v for k, v in git_env().items() if not k.startswith("MDNET_")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mdnet", "log", "Priya Raman", f"concurrent {n}"],
            cwd=git_vault,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for n in range(5)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, (out, err)
        assert "not committed" not in out + err, (out, err)
        assert "committed " in out
    subjects = git(git_vault, "log", "--format=%s").splitlines()
    for n in range(5):
        assert sum(subject.endswith(f": concurrent {n}") for subject in subjects) == 1, subjects
    committed = git(git_vault, "show", "HEAD:people/Priya Raman.md")
    assert all(committed.count(f" concurrent {n}\n") == 1 for n in range(5))
    assert git(git_vault, "status", "--porcelain") == ""


def test_a_reply_answered_on_the_other_device_is_not_owed_after_sync(
    two_devices: tuple[Path, Path, Path],  # noqa: F811 (the fixture imported above)
) -> None:
    laptop, _remote, desktop = two_devices
    note = desktop / "people" / "Jane Doe.md"
    note.write_bytes(edit.set_field(note.read_text(encoding="utf-8"), "needs_reply", "2026-12-04").encode("utf-8"))
    git(desktop, "commit", "-qam", "jane wrote")
    logged = run_cli("--vault", str(laptop), "--today", "2026-12-08", "log", "Jane", "answered her", "--kind", "email",
                     "--date", "2026-12-07")  # fmt: skip
    assert logged.code == 0, logged
    for device in (laptop, desktop, laptop):
        synced = run_cli("--vault", str(device), "--today", "2026-12-08", "sync")
        assert synced.code == 0, synced
    for device in (laptop, desktop):
        text = (device / "people" / "Jane Doe.md").read_text(encoding="utf-8")
        assert "needs_reply: 2026-12-04" in text  # the merge kept both sides
        assert "answered her" in text
        due = run_mdnet_process("--today", "2026-12-08", "due", "--json", cwd=device)
        assert "reply" not in [r["kind"] for i in json.loads(due.out)["items"] for r in i["reasons"]], due.out


def test_mdnet_alone_shows_the_help_and_exits_0(tmp_path: Path) -> None:
    result = run_mdnet_process(cwd=tmp_path)
    assert result.code == 0, result
    assert result.out.startswith("Usage: mdnet")
    assert "Commands:" in result.out.splitlines()
    assert result.err == ""


def test_search_at_its_cap_does_not_claim_a_count(vault_dir: Path) -> None:
    import inspect

    from mdnet.cli.render import SEARCH_CAP
    from mdnet.store.index import Index

    assert inspect.signature(Index.search).parameters["limit"].default == SEARCH_CAP
    for n in range(SEARCH_CAP + 5):
        (vault_dir / "people" / f"Person {n:03}.md").write_text(
            f"---\nname: Person {n:03}\n---\nLoves sailing.\n", encoding="utf-8"
        )
    result = run_mdnet_process("search", "sailing", cwd=vault_dir)
    assert result.code == 0, result
    assert f"The first {SEARCH_CAP} contacts that match 'sailing' (there may be more" in " ".join(result.out.split())
    assert f"{SEARCH_CAP} contacts match" not in result.out
    few = run_mdnet_process("search", "Person 001", cwd=vault_dir)
    assert "1 contact matches" in few.out


def test_followup_text_without_note_points_to_note_not_to_quoting(git_vault: Path) -> None:
    """Issue 18 (second pass): `followup jane 2026-12-01 "send deck"` said to quote "jane 2026-12-01",
    though jane is a contact and 2026-12-01 a date: the text wanted --note."""
    (git_vault / "people" / "Jane Doe.md").write_text("---\nname: Jane Doe\n---\n# Jane Doe\n", encoding="utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-qm", "jane")
    result = run_mdnet_process("followup", "jane", "2026-12-01", "send deck", cwd=git_vault)
    assert result.code == 2, result
    assert "quote names" not in result.err
    assert 'give the text with --note (mdnet followup jane 2026-12-01 --note "send deck")' in result.err
    assert git(git_vault, "log", "--format=%s", "-1").strip() == "jane"
    # a name that is not a contact's keeps the quoting hint
    unknown = run_mdnet_process("show", "Jane", "Doe", "x", cwd=git_vault)
    assert 'quote names with spaces: mdnet show "Jane Doe"' in unknown.err
