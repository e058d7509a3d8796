"""The watcher's "did the due list change" check reads the same due rules as ``mdnet due``.

The cadence policy (``[cadence]`` in mdnet.toml, docs/cadence-policy.md) can make a contact due
where the default cadence would not: a watcher that left the policy out saw no change in its due
list, and so did not refresh the daily note, when a note the policy makes due was saved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mdnet.config import config_from_bytes
from mdnet.core.due import DueRules, due_items
from mdnet.store.layout import load_config
from mdnet.vault.facade import Vault
from mdnet.watch.watcher import Watcher, wait_for

TODAY = dt.date(2026, 11, 25)
POLICY = 'contact_dirs = ["people"]\n\n[cadence]\nclient = "30d"\n'
ZED = "---\nname: Zed Policy\ncategory: client\nlast_contact: 2026-01-05\n---\n"


def test_config_builds_every_due_setting() -> None:
    config = config_from_bytes(b'upcoming_days = 10\ndefault_cadence = "60d"\n[cadence]\nclient = "30d"\n')
    rules = config.due_rules
    assert rules == DueRules(10, config.default_cadence_duration, config.cadence_policy)
    assert rules.inherited
    assert not config_from_bytes(b"").due_rules.inherited


def test_the_policy_makes_a_contact_due_where_the_default_would_not(vault_dir: Path) -> None:
    (vault_dir / "mdnet.toml").write_text(POLICY, encoding="utf-8")
    (vault_dir / "people" / "Zed.md").write_text(ZED, encoding="utf-8")
    vault = Vault.open(vault_dir)
    contacts = vault.contacts()
    config = load_config(vault_dir)
    assert due_items(contacts, TODAY, config.upcoming_days, config.default_cadence_duration) == []
    assert [i.name for i in config.due_rules.items(contacts, TODAY)] == ["Zed Policy"]
    assert [i.name for i in vault.due(today=TODAY)] == ["Zed Policy"]
    vault.close()


def test_the_watchers_due_check_sees_a_change_only_the_policy_makes(vault_dir: Path) -> None:
    (vault_dir / "mdnet.toml").write_text(POLICY, encoding="utf-8")
    watcher = Watcher(vault_dir, daily=True, quiet=0.1, settle=0.2, today=lambda: TODAY)
    daily = vault_dir / "daily" / "2026-11-25.md"
    with watcher:
        assert wait_for(daily.exists, 5.0)
        assert "Zed Policy" not in daily.read_text(encoding="utf-8")
        (vault_dir / "people" / "Zed.md").write_text(ZED, encoding="utf-8")
        assert wait_for(lambda: "Zed Policy" in daily.read_text(encoding="utf-8"), 5.0), (
            "the watcher did not see that the due list changed: " + "; ".join(watcher.messages)
        )


def test_the_documented_import_of_the_watcher() -> None:
    from mdnet.watch import Watcher as Documented

    assert Documented is Watcher
