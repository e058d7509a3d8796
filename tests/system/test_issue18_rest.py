"""Issue 18, the rest: what a new user tripped over. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_mdnet_process

# -- 9: a vCard round trip keeps every mapped field ---------------------------

_MAPPED = ("name", "aliases", "email", "phone", "company", "role", "location", "birthday", "links",
           "category", "tags", "status")  # fmt: skip


def test_vcard_round_trip_keeps_every_mapped_field(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Ana Lima.md").write_text(
        "---\nname: Ana Lima\naliases: [Ani]\nemail: [ana@example.com, ana@work.example]\n"
        'phone: "+1 480 555 0100"\ncompany: "[[Acme]]"\nrole: CTO\nlocation: Lisbon\nbirthday: 1984-06-02\n'
        "links: [https://ana.example]\ncategory: client\ntags: [cloud, mentor]\nstatus: archived\n---\n",
        encoding="utf-8",
    )
    (vault_dir / "people" / "Bo Chen.md").write_text(
        "---\nname: Bo Chen\nbirthday: --12-08\ncategory: friend\nstatus: dormant\n---\n", encoding="utf-8"
    )
    cards = tmp_path / "out.vcf"
    exported = run_mdnet_process("export", "vcard", "--out", str(cards), cwd=vault_dir)
    assert exported.code == 0, exported
    empty = tmp_path / "empty"
    (empty / "people").mkdir(parents=True)
    (empty / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    imported = run_mdnet_process("import", "vcard", str(cards), cwd=empty)
    assert imported.code == 0, imported

    def fields(root: Path) -> dict[str, dict[str, object]]:
        listed = run_mdnet_process("list", "--json", cwd=root)
        assert listed.code == 0, listed
        out: dict[str, dict[str, object]] = {}
        for row in json.loads(listed.out)["contacts"]:
            shown = json.loads(run_mdnet_process("show", row["name"], "--json", cwd=root).out)
            out[row["name"]] = {key: shown["fields"].get(key) for key in _MAPPED}
            out[row["name"]]["name"] = row["name"]
        return out

    before, after = fields(vault_dir), fields(empty)
    assert set(before) == {"Ana Lima", "Bo Chen"}
    assert before == after
