"""The index kept current by change tokens against one built from scratch (SPEC 11): over random vaults of
contacts and dated notes and random edits (notes rewritten and deleted, a contact renamed, an alias
added, a contact added), the mentions, open loops and effective last contacts are the same."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.vault.facade import Vault
from tests.conftest import examples

NAMES = ["Ann Lee", "Bob Stone", "Cy", "Dee Dee"]
ALIASES = ["Bobby", "A", "Cee", "Ann Lee"]
DAYS = st.dates(min_value=dt.date(2026, 11, 1), max_value=dt.date(2026, 12, 31))
OLD = 1_700_000_000 * 10**9  # a time long past, in ns
TARGETS = st.sampled_from([*NAMES, *ALIASES, "Robert Stone", "Nobody", "people/Cy", "Eve"])


@st.composite
def lines(draw: st.DrawFn) -> str:
    target = draw(TARGETS)
    stem = target.rsplit("/", 1)[-1]
    form = draw(st.sampled_from(["[[{t}]]", "[[{t}|Label]]", "[{s}](people/{u}.md)", "met:: [[{t}]]",
                                 "- [ ] call [[{t}]] 📅 2026-12-{d:02d}", "- [x] [[{t}]]", "> [[{t}]]",
                                 "- [ ] plain task", "`[[{t}]]`"]))  # fmt: skip
    return form.format(t=target, s=stem, u=stem.replace(" ", "%20"), d=draw(st.integers(1, 28)))


@st.composite
def dated_notes(draw: st.DrawFn) -> tuple[str, str]:
    day = draw(DAYS)
    kind = draw(st.sampled_from(["daily", "meeting", "front"]))
    body = "\n".join(draw(st.lists(lines(), max_size=4))) + "\n"
    if kind == "daily":
        return f"daily/{day}.md", body
    if kind == "meeting":
        return f"meetings/{day} Meeting.md", body
    people = draw(st.sampled_from(NAMES))
    return f"notes/{draw(st.integers(0, 3))}.md", f"---\ndate: {day}\nattendees: ['[[{people}]]']\n---\n{body}"


def contact(name: str, aliases: list[str], last: dt.date | None, log: list[str]) -> str:
    lines_ = ["---", f"name: {name}", "cadence: 30d"]
    if aliases:
        lines_.append(f"aliases: [{', '.join(aliases)}]")
    if last is not None:
        lines_.append(f"last_contact: {last}")
    lines_ += ["---", "## Log", *(f"- 2026-11-{n + 1:02d} with {t}" for n, t in enumerate(log)), ""]
    return "\n".join(lines_)


EDITS = st.one_of(
    st.tuples(st.just("note"), dated_notes()),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("rename"), st.sampled_from(NAMES)),
    st.tuples(st.just("alias"), st.sampled_from(NAMES), st.sampled_from(ALIASES)),
    st.tuples(st.just("add"), st.sampled_from(["Eve", "Robert Stone"])),
)


def snapshot(vault: Vault, today: dt.date) -> list[Any]:
    found: list[Any] = [
        (c.path, c.last_contact, c.last_contact_source, c.mentions, c.open_loops) for c in vault.contacts(today=today)
    ]
    candidates = vault.indexed().due_candidates(today, today + dt.timedelta(days=30), True)
    found.extend(sorted(candidates, key=lambda f: f.path))  # in the table's order, which a rebuild may change
    return found


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(
        st.tuples(
            st.lists(st.sampled_from(ALIASES), max_size=1),
            st.one_of(st.none(), DAYS),
            st.lists(st.sampled_from(["[[Ann Lee]]", "[[Cy]]", "[[Bobby]]", "nobody"]), max_size=2),
        ),
        min_size=len(NAMES),
        max_size=len(NAMES),
    ),
    notes=st.lists(dated_notes(), max_size=6),
    edits=st.lists(EDITS, max_size=6),
    today=DAYS,
)
def test_the_incremental_index_equals_a_rebuild(
    people: list[tuple[list[str], dt.date | None, list[str]]],
    notes: list[tuple[str, str]],
    edits: list[tuple[Any, ...]],
    today: dt.date,
) -> None:
    root = Path(tempfile.mkdtemp(prefix="mdnet-mentions-"))
    try:
        (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
        for folder in ("people", "daily", "meetings", "notes"):
            (root / folder).mkdir()
        files: dict[str, str] = {}
        for name, (aliases, last, log) in zip(NAMES, people, strict=True):
            files[f"people/{name}.md"] = contact(name, aliases, last, log)
        files.update(dict(notes))
        for path, text in files.items():
            (root / path).write_text(text, encoding="utf-8")
        for path in root.rglob("*.md"):  # saved long ago: no note is racy, read again by every scan
            os.utime(path, ns=(OLD, OLD))
        with Vault.open(root, today=today) as vault:
            vault.contacts()  # the index, built
            for number, edit in enumerate(edits, 1):
                changed = _apply(root, edit)
                if changed is not None:  # only this note differs from the last scan
                    os.utime(changed, ns=(OLD + number * 10**9, OLD + number * 10**9))
                vault.refresh()
            incremental = snapshot(vault, today)
        rebuilt = Vault(root, save_index=False, today=today)  # an index in memory, every note read
        try:
            assert incremental == snapshot(rebuilt, today)
        finally:
            rebuilt.close()
    finally:
        shutil.rmtree(root)


def _apply(root: Path, edit: tuple[Any, ...]) -> Path | None:
    """Make the edit; the note it wrote, if any."""
    kind = edit[0]
    if kind == "note":
        path, text = edit[1]
        (root / path).write_text(text, encoding="utf-8")
        return root / path
    if kind == "delete":
        dated = sorted(p for p in root.rglob("*.md") if "people" not in p.parts)
        if dated:
            dated[edit[1] % len(dated)].unlink()
    elif kind == "rename":
        note = root / "people" / f"{edit[1]}.md"
        if note.exists():
            note.rename(root / "people" / f"{edit[1]} Renamed.md")  # the name field stays: links keep working
            return root / "people" / f"{edit[1]} Renamed.md"
    elif kind == "alias":
        note = root / "people" / f"{edit[1]}.md"
        if note.exists():
            text = note.read_text(encoding="utf-8")
            if "aliases:" not in text:
                note.write_text(
                    text.replace("cadence: 30d", f"cadence: 30d\naliases: [{edit[2]}]", 1), encoding="utf-8"
                )
    elif kind == "add":
        (root / "people" / f"{edit[1]}.md").write_text(contact(edit[1], [], None, []), encoding="utf-8")
