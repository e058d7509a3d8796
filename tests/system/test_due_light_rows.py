"""`mdnet due` reads light rows (DueFacts) that SQL pre-filters; on a generated vault, with
every kind of configuration, the list must equal the one computed from full contacts."""

from __future__ import annotations

import datetime as dt
import json
import sys
import typing
from pathlib import Path

import pytest

from mdnet.core.due import due_items
from mdnet.core.model import Contact, DueFacts
from mdnet.vault.facade import Vault
from tests.conftest import REPO_ROOT, run_cli

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from generate import generate_vault  # noqa: E402

SETTINGS = [
    "",
    'default_cadence = "90d"\n',
    'default_cadence = "45d"\n[cadence]\nclient = "30d..45d"\nrecruiter = "3m"\nfamily = "never"\n',
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("due-light") / "vault"
    generate_vault(root, contacts=400, seed=11)
    return root


def test_light_rows_hold_the_contact_fields_the_due_rules_read() -> None:
    contact_types = typing.get_type_hints(Contact)
    # a property of Contact read from its fields (news) counts as one of its fields
    properties = {name: value.fget for name, value in vars(Contact).items() if isinstance(value, property)}
    contact_types.update({name: typing.get_type_hints(getter)["return"] for name, getter in properties.items()})
    light_types = typing.get_type_hints(DueFacts)
    assert set(light_types) <= set(Contact.__slots__) | set(properties)
    for name, annotation in light_types.items():
        assert annotation == contact_types[name], name


@pytest.mark.parametrize("settings", SETTINGS)
def test_due_from_light_rows_equals_due_from_full_contacts(generated: Path, settings: str) -> None:
    (generated / "mdnet.toml").write_text('contact_dirs = ["people"]\n' + settings, encoding="utf-8")
    with Vault.open(generated) as vault:
        config = vault.config
        for today in (dt.date(2026, 11, 25), dt.date(2026, 12, 29), dt.date(2027, 2, 27), dt.date(2028, 2, 29)):
            contacts = vault.contacts(today=today)  # the effective last contacts as of that day (SPEC 11)
            for window in (0, 7, 30, 400):
                light = vault.due(today=today, within=window)
                full = due_items(contacts, today, window, config.default_cadence_duration, config.cadence_policy)
                assert light == full, (today, window)
                assert len(light) > 10
        client = vault.due(today="2026-11-25", within=30, category="client", tag=None)
        assert client == [i for i in vault.due(today="2026-11-25", within=30) if i.category == "client"]


def test_due_json_is_the_items_as_dicts(generated: Path) -> None:
    (generated / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    code, out, _err = run_cli("--vault", str(generated), "--today", "2026-11-25", "due", "--within", "30d", "--json")
    assert code == 0
    with Vault.open(generated) as vault:
        items = vault.due(today="2026-11-25", within="30d")
    expected = {"date": "2026-11-25", "within_days": 30, "items": [i.as_dict() for i in items]}
    assert out == json.dumps(expected, ensure_ascii=False) + "\n"
