"""brief, path and who through the real CLI on a copy of the demo vault."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DEMO_DATE, run_cli


def cli(vault: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(vault), "--today", DEMO_DATE, *args)
    return result.code, result.out, result.err


def test_brief_json_on_the_demo_vault(example_vault: Path) -> None:
    code, out, err = cli(example_vault, "brief", "Maria", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["name"] == "Maria Santos"
    assert data["introduced_by"] == ["Alan Wright"]
    assert len(data["last_interactions"]) == 3
    assert "you owe them a reply" in data["open_follow_ups"]
    mutual = {m["name"]: m["via"] for m in data["mutual"]}
    assert mutual["Alan Wright"] == "introduced_by"
    assert mutual["Linda Foster"] == "knows"
    assert mutual["Greg Thompson"] == "worked at: Globex"


def test_brief_human_and_unknown_name(example_vault: Path) -> None:
    code, out, _ = cli(example_vault, "brief", "Maria Santos")
    assert code == 0
    assert "Mutual contacts" in out
    assert "Alan Wright" in out
    code, _, err = cli(example_vault, "brief", "Nobody At All")
    assert code == 1
    assert err.startswith("mdnet: error:")


def test_path_json_shape_to_someone_without_a_note(example_vault: Path) -> None:
    code, out, err = cli(example_vault, "path", "Priya", "Raman", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"target", "paths"}
    assert data["target"] == "Priya Raman"
    assert [[h["name"] for h in p["hops"]] for p in data["paths"]] == [
        ["Hannah Lee", "Priya Raman"],
        ["Victoria Shaw", "Priya Raman"],
    ]
    for route in data["paths"]:
        assert set(route) == {"hops", "score"}
        assert all(set(h) == {"name", "path", "via"} for h in route["hops"])
        assert route["hops"][-1]["path"] is None
        assert route["hops"][0]["via"] == "contact"
    assert data["paths"][0]["score"] > data["paths"][1]["score"]


def test_path_follows_edits_of_the_notes(example_vault: Path) -> None:
    code, out, _ = cli(example_vault, "path", "Tom Whitfield", "--json")
    assert [[h["name"] for h in p["hops"]] for p in json.loads(out)["paths"]] == [["Walter Hughes", "Tom Whitfield"]]
    note = example_vault / "people" / "Nina Patel.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("## Log", "Nina plays chess with [[Tom Whitfield]].\n\n## Log", 1), encoding="utf-8")
    code, out, _ = cli(example_vault, "path", "Tom Whitfield", "--json")
    routes = json.loads(out)["paths"]
    assert ["Nina Patel", "Tom Whitfield"] in [[h["name"] for h in p["hops"]] for p in routes]
    nina = next(p for p in routes if p["hops"][0]["name"] == "Nina Patel")
    assert nina["hops"][1]["via"] == "link"
    code, out, _ = cli(example_vault, "path", "Tom Whitfield", "--via", "Walter", "--json")
    assert [[h["name"] for h in p["hops"]] for p in json.loads(out)["paths"]] == [["Walter Hughes", "Tom Whitfield"]]


def test_path_to_a_company(example_vault: Path) -> None:
    code, out, err = cli(example_vault, "path", "--company", "Globex", "--limit", "0", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["target"] == "Globex"
    ends = {p["hops"][-1]["name"] for p in data["paths"]}
    assert {"Maria Santos", "Megan O'Brien", "Greg Thompson"} <= ends
    scores = [p["score"] for p in data["paths"]]
    assert scores == sorted(scores, reverse=True)
    for route in data["paths"]:  # nobody at Globex sits in the middle of a path to Globex
        assert not {h["name"] for h in route["hops"][:-1]} & ends


def test_path_errors_are_one_line(example_vault: Path) -> None:
    code, _, err = cli(example_vault, "path")
    assert code == 2
    assert err.startswith("mdnet: error:")
    code, _, err = cli(example_vault, "path", "Zzyzx Qwerty")
    assert code == 1
    assert len(err.strip().splitlines()) == 1


def test_who_company_and_tag(example_vault: Path) -> None:
    code, out, err = cli(example_vault, "who", "Acme", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "company"
    direct = {e["name"]: e["relation"] for e in data["direct"]}
    assert direct["Hannah Lee"] == "worked there"
    assert direct["Megan O'Brien"] == "works there"
    hop_names = {e["name"] for e in data["one_hop"]}
    assert "Kevin Park" in hop_names
    assert not hop_names & set(direct)
    code, out, _ = cli(example_vault, "who", "#cloud", "--json")
    data = json.loads(out)
    assert data["kind"] == "tag"
    assert "Maria Santos" in {e["name"] for e in data["direct"]}
    code, out, _ = cli(example_vault, "who", "Nowhere Inc")
    assert code == 0
    assert "nobody" in out


def test_a_deleted_note_leaves_the_network(example_vault: Path) -> None:
    (example_vault / "people" / "Hannah Lee.md").unlink()
    code, out, err = cli(example_vault, "path", "Priya Raman", "--json")
    assert code == 0, err
    assert [[h["name"] for h in p["hops"]] for p in json.loads(out)["paths"]] == [["Victoria Shaw", "Priya Raman"]]


def test_brief_says_today_for_a_contact_made_today(example_vault: Path) -> None:
    """After `mdnet log maria ...` the brief said 'Last contact 2026-11-25 (0d ago)'."""
    assert cli(example_vault, "log", "Maria", "coffee", "--no-commit")[0] == 0
    code, out, err = cli(example_vault, "brief", "Maria")
    assert code == 0, err
    assert "2026-11-25 (today)" in out
    assert "0d ago" not in out
    code, out, err = cli(example_vault, "brief", "Elena")
    assert "2026-08-25 (92d ago)" in out


def test_brief_indents_the_wrapped_lines_of_an_interaction(example_vault: Path) -> None:
    """Maria's 2026-11-02 entry is longer than the panel: its second line stays under the first."""
    code, out, err = cli(example_vault, "brief", "Maria")
    assert code == 0, err
    lines = [line.strip("│").rstrip() for line in out.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("   2026-11-02 meeting:"))
    assert lines[start + 1].startswith("   ") and lines[start + 1].strip()


def test_no_path_through_via_says_so_and_not_that_there_is_no_path_at_all(example_vault: Path) -> None:
    """Priya Raman has two paths; none goes through Kevin: the hint said 'no path ... add them to knows:'."""
    code, out, err = cli(example_vault, "path", "Priya", "Raman", "--via", "kevin")
    assert code == 0, err
    assert "No path to Priya Raman through Kevin Park" in " ".join(out.split())
    assert "knows:" not in out
    assert "--via" in out


def test_no_path_to_a_company_names_the_company_not_them(example_vault: Path) -> None:
    code, out, err = cli(example_vault, "path", "--company", "Umbrella Corp")
    assert code == 0, err
    text = " ".join(out.split())
    assert "No path to anyone at Umbrella Corp" in text
    assert "Who might know them?" not in text


def test_who_for_a_tag_reads_as_a_tag_not_a_place(example_vault: Path) -> None:
    """'You know at family (tag)' and 'You know nobody at #nosuch' read as if a tag were a company."""
    for args in (("who", "#family"), ("who", "--tag", "family")):
        code, out, err = cli(example_vault, *args)
        assert code == 0, err
        assert out.startswith("You know, tagged #family\n")
    code, out, err = cli(example_vault, "who", "--tag", "nosuch")
    assert code == 0, err
    assert " ".join(out.split()) == "You know nobody tagged #nosuch yet, directly or one hop away."
    code, out, err = cli(example_vault, "who", "Acme")
    assert out.startswith("You know at Acme (company)\n")
