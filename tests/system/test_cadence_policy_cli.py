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
