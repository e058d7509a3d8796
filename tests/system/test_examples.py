"""The demo vault's due list, checked against examples/EXPECTED.md (computed by hand)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from mdnet.core.due import due_items
from mdnet.errors import ContactNotFound
from mdnet.store.index import Index
from mdnet.vault.facade import Vault
from tests.conftest import DEMO_DATE, REPO_ROOT, run_mdnet_process

EXPECTED = (REPO_ROOT / "examples" / "EXPECTED.md").read_text(encoding="utf-8")


def _expected_rows(section: str) -> list[list[str]]:
    block = EXPECTED.split(section, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 4 and re.fullmatch(r"\d{4}-\d\d-\d\d", cells[5] if cells[0].isdigit() else cells[4]):
            rows.append(cells)
    return rows


@pytest.mark.skipif(not hasattr(Index, "mentions_of"), reason="needs the index of issue 14: the table counts mentions")
def test_the_seven_day_list_matches_the_hand_computed_table(example_vault: Path) -> None:
    expected = [(r[1], r[2], r[4], r[5]) for r in _expected_rows("## 1.")]
    assert len(expected) == 19
    result = run_mdnet_process("--vault", str(example_vault), "--today", DEMO_DATE, "due", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["date"], data["within_days"]) == (DEMO_DATE, 7)
    got = [(i["name"], i["path"], i["bucket"], i["due"]) for i in data["items"]]
    assert got == expected
    assert {i["bucket"] for i in data["items"]} == {"reply", "overdue", "today", "upcoming"}


def test_the_month_adds_the_hand_computed_rows(example_vault: Path) -> None:
    extra = [(r[0], r[1], r[3], r[4]) for r in _expected_rows("## 2.")]
    with Vault.open(example_vault) as vault:
        week = vault.due(today=DEMO_DATE)
        month = vault.due(today=DEMO_DATE, within="30d")
    names_week = {i.name for i in week}
    added = [(i.name, i.path, i.bucket, i.due.isoformat()) for i in month if i.name not in names_week]
    assert added == extra


@pytest.mark.parametrize("offset", [-40, -1, 0, 3, 17, 60, 200])
@pytest.mark.parametrize(
    "settings",
    ['default_cadence = "never"', 'default_cadence = "60d"', '[cadence]\nclient = "30d..45d"\nfriend = "never"'],
)
def test_sql_prefilter_never_drops_a_due_contact(example_vault: Path, offset: int, settings: str) -> None:
    """Vault.due reads light rows that SQL pre-filters; it must equal the full computation."""
    (example_vault / "mdnet.toml").write_text(settings + "\n", encoding="utf-8")
    today = dt.date(2026, 11, 25) + dt.timedelta(days=offset)
    # the vault's day is today's too: its contacts' effective last contacts count mentions up to it (SPEC 11)
    with Vault.open(example_vault, today=today) as vault:
        config = vault.config
        for window in (0, 7, 30, 400):
            fast = vault.due(today=today, within=window)
            full = due_items(vault.contacts(), today, window, config.default_cadence_duration, config.cadence_policy)
            assert [i.as_dict() for i in fast] == [i.as_dict() for i in full]


def test_every_example_note_is_clean(example_vault: Path) -> None:
    with Vault.open(example_vault) as vault:
        assert [p.format() for p in vault.check() if p.severity == "error"] == []
        assert len(vault.contacts()) >= 30


def test_get_through_the_name_table_equals_the_full_lookup(example_vault: Path) -> None:
    """Vault.get looks names up in the index; it must agree with naming.find_contact on every contact."""
    from mdnet.core.folding import fold
    from mdnet.core.naming import find_contact
    from mdnet.errors import MdnetError

    with Vault.open(example_vault) as vault:
        contacts = vault.contacts()
        queries = {"bob", "jose", "ALVAREZ", "[[bob-overdue|Bob Baker]]", "people/Nina Patel.md", "nobody", "Jnae"}
        for c in contacts:
            queries.update({c.name, c.stem, fold(c.name)[:3], c.name.split()[0], *c.aliases})
        for query in sorted(queries):
            try:
                expected: object = find_contact(contacts, query).path
            except MdnetError as exc:
                expected = (type(exc).__name__, str(exc))
            try:
                got: object = vault.get(query).path
            except MdnetError as exc:
                got = (type(exc).__name__, str(exc))
            assert got == expected, query


def test_a_broken_note_is_named_when_its_contact_is_asked_for(example_vault: Path) -> None:
    (example_vault / "people" / "Tom Bad.md").write_text("---\nname: Tom Bad\ncadence: whenever\n---\n")
    with Vault.open(example_vault) as vault, pytest.raises(ContactNotFound, match=r"people/Tom Bad.md has errors"):
        vault.get("tom bad")
