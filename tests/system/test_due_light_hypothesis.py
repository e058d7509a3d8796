"""The light due path (SQL pre-filter + DueFacts rows) against the full computation over
``Vault.contacts()``, on random vaults: every field the due rules read, in the forms notes write them."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.core.due import due_items, matches, next_due
from mdnet.vault.facade import Vault
from tests.conftest import examples

DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2029, 12, 31))
EDGE_DAYS = st.sampled_from(
    [dt.date(2028, 2, 28), dt.date(2028, 2, 29), dt.date(2027, 2, 28), dt.date(2027, 3, 1), dt.date(2026, 12, 31),
     dt.date(2026, 1, 1), dt.date(2027, 12, 25)]
)  # fmt: skip
CADENCES = st.sampled_from(["", "30d", "2w", "1m", "monthly", "quarterly", "1y", "never", "30 days", "weekly", "3m"])
STATUSES = st.sampled_from(["", "active", "dormant", "archived", "Archived", "DORMANT"])
CATEGORIES = st.sampled_from(["", "client", "Client", "recruiter", "family", "friend"])
BIRTHDAYS = st.one_of(
    st.just(""),
    st.sampled_from(["--02-29", "1984-02-29", "--02-28", "--03-01", "--12-31", "--01-01", "1990-01-01"]),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2010, 12, 31)).map(str),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2000, 12, 31)).map(lambda d: f"--{d:%m-%d}"),
)
CONFIGS = st.sampled_from(
    [
        "",
        'default_cadence = "90d"\n',
        '[cadence]\nclient = "30d..45d"\nfamily = "never"\n',
        'default_cadence = "1m"\n[cadence]\nrecruiter = "3m"\nfriend = "2w..1m"\n',
    ]
)


def _maybe_date(days: st.SearchStrategy[dt.date]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), days.map(str))


@st.composite
def notes(draw: st.DrawFn) -> str:
    lines = ["---"]
    fields = {
        "category": draw(CATEGORIES),
        "cadence": draw(CADENCES),
        "status": draw(STATUSES),
        "last_contact": draw(_maybe_date(DAYS)),
        "next_contact": draw(_maybe_date(DAYS)),
        "follow_up": draw(_maybe_date(DAYS)),
        "snooze_until": draw(st.one_of(_maybe_date(DAYS), DAYS.map(lambda d: f"{d}T23:59"))),
        "name": draw(st.sampled_from(["", "Zoë", "zoe", "Álvaro", "alvaro", "Bob"])),
        "birthday": draw(BIRTHDAYS),
        "needs_reply": draw(st.one_of(st.sampled_from(["", "true", "false", "yes", "no"]), DAYS.map(str))),
    }
    for key, value in fields.items():
        if value:
            lines.append(f"{key}: {value}")
    lines.append("tags: " + draw(st.sampled_from(["[a, b]", "work/azure", '"#Work"', "[]", "B"])))
    lines.append("---")
    log = draw(st.lists(DAYS, max_size=2))
    if log:
        lines.append("## Log")
        lines.extend(f"- {day} 09:30 call: talked" for day in log)
    return "\n".join(lines) + "\n"


@settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    contacts=st.lists(notes(), min_size=1, max_size=12),
    config=CONFIGS,
    today=st.one_of(DAYS, EDGE_DAYS),
    within=st.one_of(st.sampled_from([0, 1, 7, 30, 364, 365, 366, 800]), st.integers(0, 1000)),
    category=st.sampled_from([None, "client", "CLIENT", "friend"]),
    tag=st.sampled_from([None, "a", "work", "#work", "b"]),
)
def test_light_due_equals_full_due(
    contacts: list[str], config: str, today: dt.date, within: int, category: str | None, tag: str | None
) -> None:
    root = Path(tempfile.mkdtemp(prefix="mdnet-due-light-"))
    try:
        (root / "people").mkdir()
        (root / "mdnet.toml").write_text(config, encoding="utf-8")
        for number, text in enumerate(contacts):
            (root / "people" / f"Person {number:02d}.md").write_text(text, encoding="utf-8")
        with Vault.open(root) as vault:
            full = vault.contacts()
            assert len(full) == len(contacts)
            cfg = vault.config
            by_path = {c.path: c for c in full}
            expected = due_items(full, today, within, cfg.default_cadence_duration, cfg.cadence_policy)
            assert vault.due(today=today, within=within) == expected
            kept = [i for i in expected if matches(by_path[i.path], category, tag)]
            assert vault.due(today=today, within=within, category=category, tag=tag) == kept
            for contact in full:  # next_due (list's "Next due") is the same rules, whatever the window
                next_due(contact, today, cfg.default_cadence_duration, cfg.cadence_policy)
    finally:
        shutil.rmtree(root)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contacts=st.lists(notes(), min_size=1, max_size=6),
    today=st.dates(min_value=dt.date(9998, 12, 1), max_value=dt.date(9999, 12, 31)),
    within=st.integers(0, 800),
)
def test_light_due_equals_full_due_at_the_end_of_the_calendar(contacts: list[str], today: dt.date, within: int) -> None:
    late = [text.replace("2029-", "9999-").replace("2028-", "9999-").replace("2027-", "9998-") for text in contacts]
    late = [text.replace("9999-02-29", "9999-02-28") for text in late]  # 2028 is a leap year; 9999 is not
    test_light_due_equals_full_due.hypothesis.inner_test(late, "", today, within, None, None)  # type: ignore[attr-defined]
