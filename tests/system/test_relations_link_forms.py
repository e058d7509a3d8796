"""The relations read links in every form a vault writes them: real notes, the real index."""

from __future__ import annotations

import json
from pathlib import Path

from mdnet.note.contact import as_list
from tests.conftest import run_cli


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def cli_json(root: Path, *args: str) -> dict[str, object]:
    result = run_cli("--vault", str(root), "--today", "2026-11-25", *args, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


def hop_names(data: dict[str, object]) -> list[list[str]]:
    paths = data["paths"]
    assert isinstance(paths, list)
    return [[hop["name"] for hop in route["hops"]] for route in paths]


def test_an_unquoted_wikilink_as_an_item_of_a_block_list_is_that_link() -> None:
    # knows:\n  - [[Carl Jung]]  is YAML for a list holding [["Carl Jung"]]
    assert as_list([[["Carl Jung"]], "[[Dana]]"]) == ("[[Carl Jung]]", "[[Dana]]")


def test_knows_written_as_a_block_list_of_unquoted_links_connects_people(tmp_path: Path) -> None:
    write(tmp_path, "mdnet.toml", "")
    write(tmp_path, "people/Ann.md", "---\nlast_contact: 2026-11-01\nknows:\n  - [[Priya Raman]]\n---\n")
    write(tmp_path, "people/Ben.md", "---\nemployers:\n  - [[Globex]]\nintroduced_by:\n  - [[Ann]]\n---\n")
    assert hop_names(cli_json(tmp_path, "path", "Priya Raman")) == [["Ann", "Priya Raman"]]
    who = cli_json(tmp_path, "who", "Globex", "--company")
    assert [entry["name"] for entry in who["direct"]] == ["Ben"]  # type: ignore[index,union-attr]
    brief = cli_json(tmp_path, "brief", "Ben")
    assert brief["introduced_by"] == ["Ann"]


def test_a_link_written_with_the_md_extension_names_the_same_note(tmp_path: Path) -> None:
    # Obsidian resolves [[Ann.md]] and [[people/Ann.md|Ann]] to people/Ann.md, as mdnet's name lookups do
    write(tmp_path, "mdnet.toml", "")
    write(tmp_path, "people/Ann.md", "---\nlast_contact: 2026-11-01\n---\nLunch with [[Priya Raman.md]].\n")
    write(tmp_path, "people/Ben.md", '---\nlast_contact: 2026-11-20\nknows: ["[[people/Ann.md|Ann]]"]\n---\n')
    write(tmp_path, "people/Cy.md", "---\nlast_contact: 2026-10-01\n---\nKnows [[Priya Raman]] from school.\n")
    assert hop_names(cli_json(tmp_path, "path", "Ann")) == [["Ben", "Ann"], ["Ann"], ["Cy", "Priya Raman", "Ann"]]
    assert hop_names(cli_json(tmp_path, "path", "Priya Raman")) == [["Ann", "Priya Raman"], ["Cy", "Priya Raman"]]
    brief = cli_json(tmp_path, "brief", "Ann")
    assert [m["name"] for m in brief["mutual"]] == ["Ben"]  # type: ignore[index,union-attr]


def test_who_takes_a_company_written_as_any_wikilink(tmp_path: Path) -> None:
    # '[[Acme Corp|ACME]]' was understood but not '[[orgs/Acme Corp|ACME]]' or '[[Acme Corp#History]]'
    write(tmp_path, "mdnet.toml", "")
    write(tmp_path, "orgs/Acme Corp.md", "---\ntype: company\n---\n")
    write(tmp_path, "people/Ann.md", '---\ncompany: "[[orgs/Acme Corp|ACME]]"\n---\n')
    for query in ("Acme Corp", "[[Acme Corp|ACME]]", "[[orgs/Acme Corp|ACME]]", "[[Acme Corp#History]]",
                  "[[orgs/Acme Corp.md]]", "acme corp"):  # fmt: skip
        who = cli_json(tmp_path, "who", query, "--company")
        assert [entry["name"] for entry in who["direct"]] == ["Ann"], query  # type: ignore[index,union-attr]
        path = cli_json(tmp_path, "path", "--company", query)
        assert hop_names(path) == [["Ann"]], query


def test_a_link_inside_a_fenced_code_block_is_code_not_a_mention(tmp_path: Path) -> None:
    # Obsidian neither links nor counts [[...]] inside a fence, as mdnet's log reading ignores entries there
    write(tmp_path, "mdnet.toml", "")
    write(tmp_path, "people/Ann.md", "---\nlast_contact: 2026-11-01\n---\n```\nknows = '[[Priya Raman]]'\n```\n")
    write(tmp_path, "people/Cy.md", "---\nlast_contact: 2026-10-01\n---\nKnows [[Priya Raman]] from school.\n")
    assert hop_names(cli_json(tmp_path, "path", "Priya Raman")) == [["Cy", "Priya Raman"]]


def test_a_link_with_a_folder_names_the_note_in_that_folder_when_two_share_a_file_name(tmp_path: Path) -> None:
    # mdnet itself writes [[people/work/jane|Jane Wu]] when two contact notes are named jane.md
    write(tmp_path, "mdnet.toml", "")
    write(tmp_path, "people/jane.md", "---\nname: Jane Park\nlast_contact: 2026-01-01\n---\n")
    write(tmp_path, "people/work/jane.md", "---\nname: Jane Wu\nlast_contact: 2026-01-01\n---\n")
    write(tmp_path, "people/Ann.md", '---\nlast_contact: 2026-11-20\nknows: ["[[people/work/jane|Jane Wu]]"]\n---\n')
    write(
        tmp_path, "people/Cy.md", "---\nlast_contact: 2026-11-10\n---\nLunch with [[work/jane]] and [[People/Jane]].\n"
    )
    assert hop_names(cli_json(tmp_path, "path", "Jane Wu")) == [["Ann", "Jane Wu"], ["Cy", "Jane Wu"], ["Jane Wu"]]
    assert hop_names(cli_json(tmp_path, "path", "Jane Park")) == [["Cy", "Jane Park"], ["Jane Park"]]
    brief = cli_json(tmp_path, "brief", "Ann")
    assert [m["name"] for m in brief["mutual"]] == ["Jane Wu"]  # type: ignore[index,union-attr]


def test_a_name_given_as_a_link_with_a_folder_picks_the_note_in_that_folder(tmp_path: Path) -> None:
    write(tmp_path, "mdnet.toml", "")
    write(tmp_path, "people/jane.md", "---\nname: Jane Park\n---\n")
    write(tmp_path, "people/work/jane.md", "---\nname: Jane Wu\nlast_contact: 2026-01-01\n---\n")
    for given in ("[[people/work/jane|Jane Wu]]", "people/work/jane.md", "work/jane", "[[Work/Jane]]"):
        assert cli_json(tmp_path, "show", given)["path"] == "people/work/jane.md", given
        assert hop_names(cli_json(tmp_path, "path", given)) == [["Jane Wu"]], given
    assert cli_json(tmp_path, "show", "people/jane")["path"] == "people/jane.md"
    assert run_cli("--vault", str(tmp_path), "show", "jane").code == 1  # still ambiguous without a folder


def test_a_link_to_an_attachment_is_a_file_not_a_person_or_an_organisation(tmp_path: Path) -> None:
    # [[Deck.pdf]] or [[notes/Q3 plan.canvas]] opens a file in Obsidian; mdnet made each a person without a note
    write(tmp_path, "mdnet.toml", "")
    ann = '---\nlast_contact: 2026-11-01\nknows: ["[[Deck.pdf]]", "[[J. R. Smith]]"]\nintroduced_by: "[[photo.PNG]]"\n'
    ann += "---\nSee [[notes/Q3 plan.canvas]], [[Dr. No]], [[St.Louis Group]] and [[slides.PPTX|the slides]].\n"
    write(tmp_path, "people/Ann.md", ann)
    write(tmp_path, "people/Ben.md",
          '---\nlast_contact: 2026-11-10\nknows: ["[[Deck.pdf#page=3]]"]\ncompany: "[[budget.xlsx]]"\n---\n'
          "Also [[notes/Q3 plan.canvas]] and [[Audio 2026-11-10.m4a]].\n")  # fmt: skip
    write(tmp_path, "people/Cy.md", '---\nlast_contact: 2026-10-01\ncompany: "[[budget.xlsx]]"\n---\n')
    assert hop_names(cli_json(tmp_path, "path", "Ann")) == [["Ann"]]  # not Ben -> Deck.pdf -> Ann
    assert hop_names(cli_json(tmp_path, "path", "Ben")) == [["Ben"]]  # nor Ann -> Q3 plan.canvas -> Ben
    for name in ("J. R. Smith", "Dr. No", "St.Louis Group"):  # a dot in a name is not an extension
        assert hop_names(cli_json(tmp_path, "path", name)) == [["Ann", name]], name
    for attachment in ("Deck.pdf", "Q3 plan.canvas", "[[photo.png]]", "slides.pptx"):
        result = run_cli("--vault", str(tmp_path), "--today", "2026-11-25", "path", attachment)
        assert result.code == 1, (attachment, result.out)
    brief = cli_json(tmp_path, "brief", "Ann")
    assert brief["introduced_by"] == []
    assert [m["name"] for m in brief["mutual"]] == []  # type: ignore[union-attr]
    assert [m["name"] for m in cli_json(tmp_path, "brief", "Ben")["mutual"]] == []  # type: ignore[union-attr]
    who = cli_json(tmp_path, "who", "budget.xlsx", "--company")
    assert who["direct"] == [] and who["one_hop"] == []
