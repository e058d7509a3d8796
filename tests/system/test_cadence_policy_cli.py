"""`[cadence]` in mdnet.toml through the real CLI, on a copy of the demo vault."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DEMO_DATE, run_cli


def _policy(vault: Path, table: str) -> None:
    config = vault / "mdnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[cadence]\n" + table, encoding="utf-8")


def test_policy_makes_contacts_without_cadence_due(example_vault: Path) -> None:
    before = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "due", "--json")
    assert "Chris Dunn" not in before.out
    _policy(example_vault, 'former-colleague = "30d..60d"\nchamber = "60d"\n')
    result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "due", "--json")
    assert result.code == 0, result.err
    items = {i["name"]: i for i in json.loads(result.out)["items"]}
    # Greg Thompson has no cadence of his own: the former-colleague policy applies.
    greg = items["Greg Thompson"]
    assert any(r["kind"] == "cadence" and "former-colleague policy" in r["detail"] for r in greg["reasons"])
    # Bob Baker's own 30d wins over the chamber policy (60d); the chamber window's tolerance
    # (60d -> 120d, 2x) gives his own cadence a maximum of 60d: 71 days is 2.4x, losing touch.
    bob = items["Bob Baker"]
    assert bob["cadence_ratio"] == 2.4
    assert bob["losing_touch"] is True
    assert bob["due"] == "2026-10-15"
    for item in items.values():
        assert {"cadence_ratio", "losing_touch"} <= set(item)


def test_due_table_shows_the_ratio(example_vault: Path) -> None:
    result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "due")
    assert result.code == 0, result.err
    assert "2.4x" in result.out  # Bob Baker: 71 days on a 30-day cadence


def test_bad_policy_is_a_one_line_config_error(example_vault: Path) -> None:
    _policy(example_vault, 'client = "45d..30d"\n')
    result = run_cli("--vault", str(example_vault), "--today", DEMO_DATE, "due")
    assert result.code == 2
    assert result.err.startswith("mdnet: error: ")
    assert "cadence.client" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_add_leaves_a_category_with_a_policy_to_its_policy(vault_dir: Path) -> None:
    """`add --category client` wrote `cadence: 90d` (new_contact_cadence), which overrode the
    client policy the user had set; a category the policy does not name still gets 90d."""
    _policy(vault_dir, 'client = "30d..45d"\n')
    assert run_cli("--vault", str(vault_dir), "add", "Ann Lee", "--category", "Client").code == 0
    assert run_cli("--vault", str(vault_dir), "add", "Bob Ray", "--category", "friend").code == 0
    assert run_cli("--vault", str(vault_dir), "add", "Cy Dee", "--category", "client", "--cadence", "2w").code == 0
    ann = (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8")
    assert "cadence" not in ann and "category: Client\n" in ann
    assert "cadence: 90d\n" in (vault_dir / "people" / "Bob Ray.md").read_text(encoding="utf-8")
    assert "cadence: 2w\n" in (vault_dir / "people" / "Cy Dee.md").read_text(encoding="utf-8")
    shown = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "due", "--json")
    items = {i["name"]: i for i in json.loads(shown.out)["items"]}
    assert any("every 30d (Client policy)" in r["detail"] for r in items["Ann Lee"]["reasons"])


def test_a_templates_cadence_gives_way_to_the_policy_as_new_contact_cadence_does(vault_dir: Path) -> None:
    """`add` always wrote its cadence over the template's; leaving it out for a category the policy names kept
    the template's `cadence: 90d` instead, which overrode the client policy all the same."""
    _policy(vault_dir, 'client = "30d..45d"\n')
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / "contact.md").write_text(
        "---\nname: {{name}}\ncategory:\ncadence: 90d  # how often\ntags: []\n---\n# {{name}}\n\n## Log\n",
        encoding="utf-8",
    )
    assert run_cli("--vault", str(vault_dir), "add", "Ann Lee", "--category", "client").code == 0
    assert run_cli("--vault", str(vault_dir), "add", "Bob Ray", "--category", "friend").code == 0
    ann = (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8")
    assert ann == "---\nname: Ann Lee\ncategory: client\ntags: []\n---\n# Ann Lee\n\n## Log\n"
    bob = (vault_dir / "people" / "Bob Ray.md").read_text(encoding="utf-8")
    assert "cadence: 90d  # how often\n" in bob  # new_contact_cadence, written over the template's as before
