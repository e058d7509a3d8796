"""Index.apply removes a batch's old search rows in one pass (watch bursts); search stays exact."""

from __future__ import annotations

from pathlib import Path

from mdnet.vault.facade import Vault


def _note(name: str, word: str) -> str:
    return f"---\nname: {name}\n---\n# {name}\n\nTalked about {word}.\n"


def test_updates_and_deletes_leave_no_stale_search_rows(vault_dir: Path) -> None:
    people = vault_dir / "people"
    for i in range(30):
        (people / f"P{i:02}.md").write_text(_note(f"Person {i:02}", "sailing"))
    vault = Vault.open(vault_dir)
    vault.refresh()
    assert len(vault.search("sailing")) == 30
    for i in range(10):
        (people / f"P{i:02}.md").write_text(_note(f"Person {i:02}", "jazz"))
    for i in range(10, 15):
        (people / f"P{i:02}.md").unlink()
    vault.refresh([f"people/P{i:02}.md" for i in range(15)])
    assert sorted(c.name for c, _ in vault.search("jazz")) == [f"Person {i:02}" for i in range(10)]
    assert sorted(c.name for c, _ in vault.search("sailing")) == [f"Person {i:02}" for i in range(15, 30)]
    rows = vault.indexed().connection.execute("SELECT count(*) FROM contacts_fts").fetchone()[0]
    assert rows == 25
    vault.close()
