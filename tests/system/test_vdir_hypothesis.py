"""A Hypothesis state machine: random edits of notes and cards, then a sync; after each sync both
sides agree on every mapped field, and no note line outside those fields has changed."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mdnet.interop import vdir
from mdnet.interop.vdir_map import KEYS, note_values, read_card, same
from mdnet.vault import Vault
from tests.conftest import examples

MAPPED = ("name", "aliases", "email", "phone", "company", "role", "birthday", "links", "location", "category",
          "tags", "uid")  # fmt: skip
NOTE = """\
---
name: {name}
category: client   # keep this comment
tags: [cloud]
role: Engineer
email: [{user}@example.com]
cadence: 30d   # every month
custom_field: keep me
---
# {name}

Body line that must survive.
"""
ROLES = st.sampled_from(["CTO", "CFO", "Chef", "Engineer", "VP, Sales", ""])
WORDS = st.sampled_from(["ann", "bob", "cy", "dee"])


def _unmapped_lines(text: str) -> list[str]:
    kept, in_mapped = [], False
    for line in text.splitlines():
        key = re.match(r"([A-Za-z_]+):", line)
        if key:
            in_mapped = key.group(1) in MAPPED
        elif not line.startswith((" ", "- ")):
            in_mapped = False
        if not in_mapped:
            kept.append(line)
    return kept


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temp, path)


class VdirSync(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="mdnet-vdir-sm-"))
        self.root, self.folder = self.tmp / "vault", self.tmp / "vdir"
        (self.root / "people").mkdir(parents=True)
        self.folder.mkdir()
        (self.root / "mdnet.toml").write_text('contact_dirs = ["people"]\n', "utf-8")
        for name, user in (("Ann Lee", "ann"), ("Bob Ray", "bob")):
            (self.root / "people" / f"{name}.md").write_text(NOTE.format(name=name, user=user), "utf-8")
        self.unmapped = {p.name: _unmapped_lines(p.read_text("utf-8")) for p in (self.root / "people").iterdir()}
        self.sync()

    def _notes(self) -> list[Path]:
        return sorted((self.root / "people").iterdir())

    def _cards(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.suffix == ".vcf")

    @rule(index=st.integers(0, 1), role=ROLES)
    def edit_note_role(self, index: int, role: str) -> None:
        note = self._notes()[index]
        text = re.sub(r"(?m)^role:.*$", f'role: "{role}"' if role else "role:", note.read_text("utf-8"))
        note.write_text(text, "utf-8")

    @rule(index=st.integers(0, 1), word=WORDS)
    def add_note_email(self, index: int, word: str) -> None:
        note = self._notes()[index]
        text = note.read_text("utf-8")
        text = re.sub(r"(?m)^email: \[(.*)\]$", lambda m: f"email: [{m.group(1)}, {word}@note.example]"
                      if m.group(1) else f"email: [{word}@note.example]", text)  # fmt: skip
        note.write_text(text, "utf-8")

    @rule(index=st.integers(0, 1), role=ROLES)
    def edit_card_role(self, index: int, role: str) -> None:
        cards = self._cards()
        if index >= len(cards):
            return
        text = cards[index].read_bytes().decode("utf-8")
        text = re.sub(r"(?m)^TITLE:.*\r\n", "", text)
        if role:
            text = text.replace("END:VCARD", "TITLE:" + role.replace(",", "\\,") + "\r\nEND:VCARD")
        _write_atomically(cards[index], text.encode("utf-8"))

    @rule(index=st.integers(0, 1), word=WORDS, remove=st.booleans())
    def edit_card_email(self, index: int, word: str, remove: bool) -> None:
        cards = self._cards()
        if index >= len(cards):
            return
        text = cards[index].read_bytes().decode("utf-8")
        if remove:
            text = re.sub(r"(?m)^EMAIL[^\r\n]*\r\n", "", text, count=1)
        else:
            text = text.replace("END:VCARD", f"EMAIL;TYPE=HOME:{word}@card.example\r\nEND:VCARD")
        _write_atomically(cards[index], text.encode("utf-8"))

    @rule(index=st.integers(0, 1), tag=WORDS)
    def edit_card_categories(self, index: int, tag: str) -> None:
        cards = self._cards()
        if index >= len(cards):
            return
        text = cards[index].read_bytes().decode("utf-8")
        text = re.sub(r"(?m)^CATEGORIES:([^\r\n]*)", lambda m: f"CATEGORIES:{m.group(1)},{tag}", text)
        _write_atomically(cards[index], text.encode("utf-8"))

    @rule()
    def sync(self) -> None:
        with Vault(self.root) as vault:
            result = vdir.sync(vault, self.folder)
        assert result.problems == [], result.problems
        with Vault(self.root) as vault:
            contacts = {c.fields.get("uid"): c for c in vault.contacts()}
        cards = [read_card(p.read_bytes().decode("utf-8"), str(p)) for p in self._cards()]
        assert len(cards) == len(contacts) == 2
        for card in cards:
            mine = note_values(contacts[card.uid])
            for key in KEYS:
                assert same(key, mine[key], card.values[key]), (key, mine[key], card.values[key])

    @invariant()
    def no_line_outside_the_mapped_fields_changed(self) -> None:
        if not hasattr(self, "root"):
            return
        for note in self._notes():
            assert _unmapped_lines(note.read_text("utf-8")) == self.unmapped[note.name]

    def teardown(self) -> None:
        import shutil

        if hasattr(self, "tmp"):
            shutil.rmtree(self.tmp, ignore_errors=True)


VdirSync.TestCase.settings = settings(max_examples=examples(20), stateful_step_count=8, deadline=None)
test_vdir_sync_keeps_both_sides_in_step = VdirSync.TestCase
