"""Issue 18: what a new user tripped over. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_mdnet_process


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
