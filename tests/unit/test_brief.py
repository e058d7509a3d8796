"""The meeting brief, built from a note's fields, body and log."""

from __future__ import annotations

from mdnet.features.brief import Mutual, build_brief
from mdnet.note.contact import ParseSettings, parse_note

NOTE = """---
name: Jane Doe
company: "[[Acme Corp]]"
role: IT Manager
location: Scottsdale, AZ
links: [https://jane.example/blog]
interests: [sailing, jazz]
introduced_by: "[[Bob Smith]]"
follow_up: 2026-12-01
follow_up_note: Ask about the Q2 budget
needs_reply: 2026-11-20
---
# Jane Doe

Runs IT at [[Acme Corp|Acme]]. We met at the chamber breakfast in 2024.

- [ ] send her the [[Backup Checklist]]
- [x] already done

## Log
- 2026-11-20 coffee: discussed their cloud migration; ask about the sailing trip
- 2026-10-21 email: sent quarterly update
- 2026-09-01 call: intro call
- 2026-08-01 call: oldest
"""


def test_brief_gathers_everything() -> None:
    parsed = parse_note(NOTE, "people/Jane Doe.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None
    mutual = [Mutual("Zed", "people/Zed.md", "knows"), Mutual("Bob Smith", "people/Bob Smith.md", "introduced_by")]
    brief = build_brief(parsed.contact, parsed.body, mutual, None)
    data = brief.as_dict()
    assert data["role"] == "IT Manager"
    assert data["company"] == "Acme Corp"
    assert data["how_we_met"] == "We met at the chamber breakfast in 2024."
    assert data["introduced_by"] == ["Bob Smith"]
    assert data["about"] == "Runs IT at Acme. We met at the chamber breakfast in 2024."
    assert data["links"] == ["https://jane.example/blog"]
    assert [i["date"] for i in data["last_interactions"]] == ["2026-11-20", "2026-10-21", "2026-09-01"]
    assert data["open_follow_ups"] == [
        "you owe them a reply (since 2026-11-20)",
        "follow up on 2026-12-01: Ask about the Q2 budget",
        "send her the Backup Checklist",
    ]
    assert data["ask_about"] == ["the sailing trip", "Ask about the Q2 budget", "sailing", "jazz"]
    assert [m["name"] for m in data["mutual"]] == ["Bob Smith", "Zed"]  # introducers first
    assert data["mutual_total"] == 2
    assert data["last_contact"] == "2026-11-20"
    assert data["due"] is None


def test_brief_of_a_bare_note_is_empty_not_broken() -> None:
    parsed = parse_note("just text\n", "people/Bare.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None
    data = build_brief(parsed.contact, parsed.body, [], None).as_dict()
    assert data["name"] == "Bare"
    assert data["role"] is None
    assert data["how_we_met"] is None
    assert data["last_interactions"] == []
    assert data["mutual"] == []
    assert data["about"] == "just text"


def test_mutual_contacts_are_capped_closest_first() -> None:
    parsed = parse_note("---\nname: Hub\n---\n", "people/Hub.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None
    mutual = [Mutual(f"P{i:02d}", f"people/P{i:02d}.md", "company: Acme", i / 100) for i in range(40)]
    mutual.append(Mutual("Intro", "people/Intro.md", "introduced_by", 0.0))
    data = build_brief(parsed.contact, "", mutual, None).as_dict()
    assert data["mutual_total"] == 41
    names = [m["name"] for m in data["mutual"]]
    assert names[0] == "Intro"
    assert names[1:4] == ["P39", "P38", "P37"]
    assert len(names) == 15


def test_a_linkedin_connection_date_says_how_we_met_when_nothing_else_does() -> None:
    """An imported LinkedIn connection has no story yet; the date it was made is the one clue."""

    def met(text: str) -> str | None:
        parsed = parse_note(text, "people/Ann Lee.md", contact_folder=True, settings=ParseSettings())
        assert parsed.contact is not None
        return build_brief(parsed.contact, parsed.body, [], None).as_dict()["how_we_met"]  # type: ignore[no-any-return]

    assert met("---\nname: Ann Lee\nlinkedin_connected: 2024-03-12\n---\n") == "connected on LinkedIn on 2024-03-12"
    assert met("---\nname: Ann Lee\nlinkedin_connected: 2024-03-12\n---\nWe met at PyCon.\n") == "We met at PyCon."
    assert met("---\nname: Ann Lee\nmet: at PyCon\nlinkedin_connected: 2024-03-12\n---\n") == "at PyCon"
    assert met("---\nname: Ann Lee\nlinkedin_connected:\n---\n") is None
