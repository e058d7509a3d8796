"""Golden files for reading: every demo-vault note parses to the contact recorded in
tests/golden/example-contacts.json (reviewed by hand when written; regenerate with
MDNET_UPDATE_GOLDEN=1 and review the diff)."""

from __future__ import annotations

import json
import os

from mdnet.note import document
from mdnet.note.contact import ParseSettings, parse_note
from mdnet.store.index import contact_to_json
from tests.conftest import EXAMPLE_VAULT, REPO_ROOT

GOLDEN = REPO_ROOT / "tests" / "golden" / "example-contacts.json"


def _parsed() -> dict[str, object]:
    result: dict[str, object] = {}
    for path in sorted((EXAMPLE_VAULT / "people").glob("*.md")):
        relative = path.relative_to(EXAMPLE_VAULT).as_posix()
        note = parse_note(document.decode(path.read_bytes()), relative, contact_folder=True, settings=ParseSettings())
        assert note.contact is not None, relative
        result[relative] = {
            "contact": contact_to_json(note.contact),
            "problems": [p.as_dict() for p in note.problems],
        }
    return json.loads(json.dumps(result, ensure_ascii=False))  # tuples as lists, as stored


def test_every_example_note_reads_as_its_golden_record() -> None:
    parsed = _parsed()
    if os.environ.get("MDNET_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(parsed) == sorted(golden)
    for path in sorted(golden):
        assert parsed[path] == golden[path], path
