"""Tie strength, ranking and the shape of paths, over the in-memory twin of the index."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mdnet.core.model import Contact
from mdnet.features.network import MemoryLinks, Network, find_person, members_at, tie_strength, who
from mdnet.note.contact import ParseSettings, parse_note
from mdnet.note.links import note_links

TODAY = dt.date(2026, 11, 25)


def note(name: str, front: str = "", body: str = "", log: tuple[str, ...] = ()) -> tuple[Contact, str]:
    text = f"---\nname: {name}\n{front}---\n# {name}\n\n{body}\n\n## Log\n" + "".join(f"- {e}\n" for e in log)
    parsed = parse_note(text, f"people/{name}.md", contact_folder=True, settings=ParseSettings())
    assert parsed.contact is not None, parsed.problems
    return parsed.contact, parsed.body


def network(*notes: tuple[Contact, str], other_notes: tuple[str, ...] = ()) -> Network:
    source = MemoryLinks([c for c, _ in notes], {c.path: b for c, b in notes}, other_notes)
    return Network(source, TODAY)


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def test_note_links_reads_fields_and_body() -> None:
    contact, body = note(
        "Ann",
        'company: "[[Acme Corp|ACME]]"\nemployers: ["[[Globex]]", Initech]\nintroduced_by: "[[Bob]]"\n'
        'knows: ["[[Cy]]", Dee]\n',
        body="Lunch with [[people/Eve|Evie]] and [[Ann]] on [[2026-11-01]]; ![[photo.png]]",
    )
    rows = [(r.kind, r.key, r.label) for r in note_links(contact, body)]
    assert rows == [
        ("company", "acme corp", "Acme Corp"),
        ("employer", "globex", "Globex"),
        ("employer", "initech", "Initech"),
        ("introduced_by", "bob", "Bob"),
        ("knows", "cy", "Cy"),
        ("knows", "dee", "Dee"),
        ("link", "eve", "Eve"),
    ]


def test_tie_strength_rises_with_recency_and_frequency() -> None:
    never, _ = note("Never")
    old, _ = note("Old", log=(f"{days_ago(400)} call: hi",))
    recent, _ = note("Recent", log=(f"{days_ago(3)} call: hi",))
    often, _ = note("Often", log=tuple(f"{days_ago(3 + 20 * i)} call: hi" for i in range(8)))
    values = [tie_strength(c, TODAY) for c in (never, old, recent, often)]
    assert values[0] == 0.0
    assert values == sorted(values)
    assert len(set(values)) == 4
    assert 0 < values[-1] <= 1


def test_paths_rank_by_the_weakest_hop_and_end_at_the_target() -> None:
    strong = note(
        "Strong", 'knows: ["[[Target Person]]"]\n', log=tuple(f"{days_ago(2 + 9 * i)} coffee: x" for i in range(6))
    )
    weak = note("Weak", 'knows: ["[[Target Person]]"]\n', log=(f"{days_ago(300)} email: x",))
    net = network(strong, weak)
    target = find_person(net, "target person")
    assert target is not None
    assert not isinstance(target, list)
    assert target.path is None
    routes = net.paths([target])
    assert [[h.name for h in r.hops] for r in routes] == [["Strong", "Target Person"], ["Weak", "Target Person"]]
    assert routes[0].score > routes[1].score
    assert routes[0].hops[0].via == "contact"
    assert routes[0].hops[-1].as_dict() == {"name": "Target Person", "path": None, "via": "knows"}


def test_a_warm_path_can_beat_the_direct_tie_and_via_filters() -> None:
    friend = note("Friend", 'knows: ["[[Cold]]"]\n', log=tuple(f"{days_ago(1 + 7 * i)} call: x" for i in range(8)))
    cold = note("Cold", log=(f"{days_ago(700)} email: x",))
    other = note("Other", body="Met [[Cold]] at a fair.", log=(f"{days_ago(30)} email: x",))
    net = network(friend, cold, other)
    routes = net.paths([net.person_of(cold[0])], limit=0)
    names = [[h.name for h in r.hops] for r in routes]
    assert names[0] == ["Friend", "Cold"]
    assert ["Cold"] in names
    assert ["Other", "Cold"] in names
    assert routes[names.index(["Other", "Cold"])].hops[-1].via == "link"
    only = net.paths([net.person_of(cold[0])], via=net.person_of(other[0]))
    assert [[h.name for h in r.hops] for r in only] == [["Other", "Cold"]]


def test_second_hand_hop_through_a_person_without_note() -> None:
    ann = note("Ann", 'knows: ["[[Xavier]]"]\n', log=(f"{days_ago(5)} call: x",))
    target = note("Target", 'knows: ["[[Xavier]]"]\n')
    net = network(ann, target)
    routes = net.paths([net.person_of(target[0])], limit=0)
    shapes = {tuple(h.name for h in r.hops): r for r in routes}
    assert ("Ann", "Xavier", "Target") in shapes
    route = shapes[("Ann", "Xavier", "Target")]
    assert [h.path for h in route.hops] == ["people/Ann.md", None, "people/Target.md"]
    assert route.score == pytest.approx(0.5 * tie_strength(ann[0], TODAY), abs=0.001)


def test_companies_and_past_employers_connect_people_but_are_not_people() -> None:
    ann = note("Ann", 'company: "[[Acme]]"\n', log=(f"{days_ago(5)} call: x",))
    bob = note("Bob", 'employers: ["[[Acme]]"]\n', body="Ex-[[Acme]] and [[Acme HQ]] person.")
    cy = note("Cy", 'company: "[[Acme]]"\n')
    net = network(ann, bob, cy, other_notes=("companies/Acme HQ.md",))
    assert find_person(net, "Acme") is None
    assert find_person(net, "Acme HQ") is None
    neighbours = {p.name: via for p, via in net.neighbours(net.person_of(ann[0])).values()}
    assert neighbours == {"Bob": "worked at: Acme", "Cy": "company: Acme"}
    members = [(c.name, relation) for c, relation in members_at(net, "acme")]
    assert members == [("Ann", "works there"), ("Bob", "worked there"), ("Cy", "works there")]


@pytest.mark.parametrize("orgs", [["Globex", "Initech", "Hooli"], ["Hooli", "Initech", "Globex"]])
def test_two_people_with_several_employers_in_common_are_joined_by_the_first_one_named(orgs: list[str]) -> None:
    """Not by whichever a set of organisation names yields first: that order changed from run
    to run (string hashing), so `who Acme` printed 'worked at: Initech' one time and
    'worked at: Globex' the next for the same vault."""
    employers = "employers: [" + ", ".join(f'"[[{org}]]"' for org in orgs) + "]\n"
    ann = note("Ann", employers, log=(f"{days_ago(5)} call: x",))
    bob = note("Bob", 'employers: ["[[Globex]]", "[[Hooli]]", "[[Initech]]"]\n')
    net = network(ann, bob)
    neighbours = {p.name: via for p, via in net.neighbours(net.person_of(ann[0])).values()}
    assert neighbours == {"Bob": f"worked at: {orgs[0]}"}


def test_who_lists_direct_and_one_hop() -> None:
    ann = note("Ann", 'company: "[[Acme Corp]]"\n', log=(f"{days_ago(5)} call: x",))
    bob = note("Bob", 'knows: ["[[Ann]]"]\n', log=(f"{days_ago(50)} call: x",))
    cy = note("Cy")
    net = network(ann, bob, cy)
    result = who(net, "Acme", "company", members_at(net, "Acme"))
    data: dict[str, Any] = result.as_dict()
    assert [e["name"] for e in data["direct"]] == ["Ann"]
    assert [e["name"] for e in data["one_hop"]] == ["Bob"]
    assert data["one_hop"][0]["through"] == [{"name": "Ann", "path": "people/Ann.md", "via": "knows"}]


def test_empty_network_has_no_paths() -> None:
    net = network()
    assert find_person(net, "Anyone") is None
    lonely = note("Lonely")
    net = network(lonely)
    routes = net.paths([net.person_of(lonely[0])])
    assert [r.as_dict() for r in routes] == [{"hops": [{"name": "Lonely", "path": "people/Lonely.md",
                                                       "via": "contact"}], "score": 0.0}]  # fmt: skip


def test_links_to_attachments_are_left_out_and_names_with_dots_are_not() -> None:
    contact, body = note(
        "Ann",
        'company: "[[Report.PDF]]"\nintroduced_by: "[[scan.heic|a scan]]"\n'
        'knows: ["[[J. R. Smith]]", "[[board.base]]", "[[Dr. No]]"]\n',
        body="See [[notes/Q3 plan.canvas]], [[St.Louis Group]], [[clip.webm]], [[Ann.md]] and [[Mr.Docx Fan]].",
    )
    rows = [(r.kind, r.label) for r in note_links(contact, body)]
    assert rows == [("knows", "J. R. Smith"), ("knows", "Dr. No"), ("link", "St.Louis Group"), ("link", "Mr.Docx Fan")]
