"""`mdnet import vcard` and `mdnet export vcard` on realistic files built here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mdnet.errors import SourceFileError
from mdnet.interop.vcard import parse_vcards
from tests.conftest import run_cli

# An iPhone-style 3.0 card (folded lines, photo, Apple's year-less birthday, X- fields),
# an Android-style 2.1 card (quoted-printable with a soft line break), and a 4.0 card.
CARDS = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\n"
    "N:Doe;Jane;;;\r\n"
    "FN:Jane Doe\r\n"
    "ORG:Acme Corp;Cloud Platform\r\n"
    "TITLE:IT Manager\r\n"
    "EMAIL;type=INTERNET;type=WORK;type=pref:jane@acme.example\r\n"
    "EMAIL;type=INTERNET;type=HOME:jane.doe@home.example\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+1 (480) 555-0100\r\n"
    "TEL;type=WORK;type=VOICE:+1 480 555 0111\r\n"
    "item1.ADR;type=WORK;type=pref:;;1 Camelback Rd;Scottsdale;AZ;85251;United States\r\n"
    "item1.X-ABADR:us\r\n"
    "NOTE:Met at the chamber breakfast. Likes sailing and has a very long note that\r\n"
    "  is folded onto the next line by the exporter\r\n"
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-06-02\r\n"
    "URL;type=HOME:https://jane.example/blog\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR\r\n"
    " ofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAAB\r\n"
    "X-SOCIALPROFILE;type=twitter:https://twitter.com/janedoe\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=81lvarez;Jos=C3=A9;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 =C3=81lvarez\r\n"
    "TEL;CELL:+34 600 123 456\r\n"
    "EMAIL;HOME:jose@alvarez.example\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Conoc=C3=AD a Jos=C3=A9 en la conferencia de Madr=\r\n"
    "id, muy amable=0D=0Ahabla de vinos\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "FN:Dr. Kenji Watanabe\r\n"
    "N:Watanabe;Kenji;;Dr.;\r\n"
    "NICKNAME:Ken\r\n"
    "EMAIL;TYPE=work;PREF=1:kenji@kaizen.example\r\n"
    'TEL;VALUE=uri;TYPE="voice,cell":tel:+81-90-1234-5678\r\n'
    "BDAY:19790314\r\n"
    "ORG:Kaizen Robotics\r\n"
    "GENDER:M\r\n"
    "CLIENTPIDMAP:1;urn:uuid:3df403f4-5924-4bb7-b077-3c711d9eb34b\r\n"
    "END:VCARD\r\n"
)

JANE_NOTE = """\
---
name: Jane Doe
category: client   # keep
company: "[[Acme Corp]]"
role: Head of IT
email: [jane@acme.example]
cadence: 30d
---
# Jane Doe

## Log
- 2026-11-20 coffee: sailing
"""


@pytest.fixture
def vcf(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.vcf"
    path.write_bytes(CARDS.encode("utf-8"))
    return path


def test_parse_realistic_cards(vcf: Path) -> None:
    jane, jose, kenji = parse_vcards(vcf.read_text(encoding="utf-8"), str(vcf))
    assert jane.name == "Jane Doe"
    assert jane.emails == ("jane@acme.example", "jane.doe@home.example")
    assert jane.phones == ("+1 (480) 555-0100", "+1 480 555 0111")
    assert (jane.company, jane.role, jane.location) == ("Acme Corp", "IT Manager", "Scottsdale, AZ")
    assert jane.birthday == "--06-02"
    assert jane.links == ("https://jane.example/blog",)
    assert jose.name == "José Álvarez"
    assert jose.emails == ("jose@alvarez.example",)
    (plain,) = parse_vcards("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nORG:Smith, Jones & Co.;Legal\r\nEND:VCARD\r\n")
    assert plain.company == "Smith, Jones & Co."
    assert kenji.name == "Dr. Kenji Watanabe"
    assert kenji.phones == ("+81-90-1234-5678",)
    assert kenji.birthday == "1979-03-14"
    assert kenji.aliases == ("Ken",)
    assert kenji.source.endswith("contacts.vcf card 3")


def test_import_merges_and_creates(vault_dir: Path, vcf: Path) -> None:
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE_NOTE, encoding="utf-8")
    (vault_dir / "people" / "Jose Alvarez.md").write_text("---\nname: Jose Alvarez\n---\n", encoding="utf-8")
    dry = run_cli("--vault", str(vault_dir), "import", "vcard", str(vcf), "--dry-run")
    assert dry.code == 0, dry.err
    assert "would update Jane Doe people/Jane Doe.md" in dry.out
    assert "would create Dr. Kenji Watanabe" in dry.out
    assert "dry run: 1 to create, 2 to update" in dry.out
    assert (vault_dir / "people" / "Jane Doe.md").read_text(encoding="utf-8") == JANE_NOTE
    assert sorted(p.name for p in (vault_dir / "people").iterdir()) == ["Jane Doe.md", "Jose Alvarez.md"]

    done = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "import", "vcard", str(vcf), "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["counts"] == {"create": 1, "update": 2, "unchanged": 0, "skip": 0, "failed": 0}
    jane = (vault_dir / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    # the user's role and comment survive; the new email and phones are added, the rest filled
    assert jane == JANE_NOTE.replace(
        "email: [jane@acme.example]\n", "email: [jane@acme.example, jane.doe@home.example]\n"
    ).replace(
        "cadence: 30d\n",
        "cadence: 30d\nlocation: Scottsdale, AZ\nbirthday: --06-02\n"
        "phone: [+1 (480) 555-0100, +1 480 555 0111]\nlinks: [https://jane.example/blog]\n",
    )
    jose = (vault_dir / "people" / "Jose Alvarez.md").read_text(encoding="utf-8")
    assert jose == "---\nname: Jose Alvarez\nemail: [jose@alvarez.example]\nphone: +34 600 123 456\n---\n"
    kenji = (vault_dir / "people" / "Dr. Kenji Watanabe.md").read_text(encoding="utf-8")
    assert kenji.startswith('---\nname: Dr. Kenji Watanabe\ncompany: "[[Kaizen Robotics]]"\n')
    assert "aliases: [Ken]\n" in kenji
    assert "birthday: 1979-03-14\n" in kenji
    shown = run_cli("--vault", str(vault_dir), "show", "Ken", "--json")
    assert json.loads(shown.out)["fields"]["phone"] == "+81-90-1234-5678"

    again = run_cli("--vault", str(vault_dir), "import", "vcard", str(vcf))
    assert again.code == 0
    assert "nothing" not in again.out
    assert again.out.strip() == "3 unchanged"


def test_import_a_folder(vault_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.vcf").write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEMAIL:ann@x.example\nEND:VCARD\n")
    (folder / "sub" / "b.VCF").write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Bo Chan\nEND:VCARD\n")
    (folder / "readme.txt").write_text("not a card")
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(folder))
    assert result.code == 0, result.err
    assert sorted(p.name for p in (vault_dir / "people").iterdir()) == ["Ann Lee.md", "Bo Chan.md"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\nEMAIL:cut@x.example\n", "was never closed"),
        ("just some text\n", "not a valid vCard"),
        ("", "no vCard in this file"),
        ("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "expected BEGIN:VCARD"),
    ],
)
def test_bad_file_is_one_error_and_changes_nothing(vault_dir: Path, tmp_path: Path, content: str,
                                                   message: str) -> None:  # fmt: skip
    good = "BEGIN:VCARD\nVERSION:3.0\nFN:Good Person\nEND:VCARD\n"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "1-good.vcf").write_text(good)
    (folder / "2-bad.vcf").write_text(content)
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(folder))
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mdnet: error: ")
    assert "2-bad.vcf" in lines[0]
    assert message in lines[0]
    assert list((vault_dir / "people").iterdir()) == []


def test_not_utf8_and_missing_file(vault_dir: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin.vcf"
    latin.write_bytes("BEGIN:VCARD\nVERSION:3.0\nFN:José\nEND:VCARD\n".encode("latin-1"))
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(latin))
    assert result.code == 2
    assert "latin.vcf:3: not utf-8 text (byte 0xe9)" in result.err
    # the error says to pass --encoding: import vcard takes it, as import csv does
    latin1 = run_cli("--vault", str(vault_dir), "import", "vcard", str(latin), "--encoding", "latin-1")
    assert latin1.code == 0, latin1.err
    assert (vault_dir / "people" / "José.md").is_file()
    missing = run_cli("--vault", str(vault_dir), "import", "vcard", str(tmp_path / "nope.vcf"))
    assert missing.code == 2
    assert "no such file or folder" in missing.err


def test_export_round_trip_is_stable(example_vault: Path, tmp_path: Path, vault_dir: Path) -> None:
    out = tmp_path / "all.vcf"
    first = run_cli("--vault", str(example_vault), "export", "vcard", "--out", str(out))
    assert first.code == 0, first.err
    data = out.read_bytes()
    second = run_cli("--vault", str(example_vault), "export", "vcard")
    assert second.out.encode("utf-8") == data
    text = data.decode("utf-8")
    assert text.count("BEGIN:VCARD") == text.count("END:VCARD") >= 30
    records = parse_vcards(text)
    jane = next(r for r in records if r.name == "Aaron Mitchell")
    assert jane.emails == ("aaron.mitchell@initech.example.com",)
    assert jane.company == "Initech"
    assert jane.role == "VP Operations"
    assert jane.location == "Phoenix, AZ"
    # importing the export into an empty vault makes one note per contact
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(out), "--json")
    assert json.loads(result.out)["counts"]["create"] == len(records)


def test_bare_commas_are_kept() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Doe, Jane\r\nTITLE:VP, Operations\r\n"
        'NICKNAME:JD,Janie\r\nEMAIL;TYPE="work,pref":jane@acme.example\r\nORG:Acme\\, Inc.;Cloud\r\n'
        "NOTE:commas, everywhere\r\n  and a folded, line\r\nEND:VCARD\r\n"
    )
    (jane,) = parse_vcards(text)
    assert jane.name == "Jane Doe"
    assert jane.role == "VP, Operations"
    assert jane.aliases == ("JD", "Janie")
    assert jane.emails == ("jane@acme.example",)
    assert jane.company == "Acme, Inc."


def test_source_error_type() -> None:
    with pytest.raises(SourceFileError):
        parse_vcards("BEGIN:VCARD\nFN:x\n", "x.vcf")


def test_export_then_import_round_trips_every_mapped_field(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Zoë Müller.md").write_text(
        '---\nname: Zoë Müller\naliases: [Zo, ZM]\ncategory: friend\ntags: [berlin]\ncompany: "[[Acme, Inc.]]"\n'
        "role: VP, Operations\nemail: [zoe@mueller.example, z@work.example]\n"
        'phone: ["+49 30 1234567", "+49 170 7654321"]\nlocation: Berlin, DE\nbirthday: --02-29\n'
        "links: [https://zoe.example]\n---\n# Zoë\n",
        encoding="utf-8",
    )
    out = tmp_path / "zoe.vcf"
    assert run_cli("--vault", str(vault_dir), "export", "vcard", "--out", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29" in text
    assert "CATEGORIES:friend,berlin" in text
    (zoe,) = parse_vcards(text)
    assert zoe.name == "Zoë Müller"
    assert zoe.aliases == ("Zo", "ZM")
    assert zoe.company == "Acme, Inc."
    assert zoe.role == "VP, Operations"
    assert zoe.emails == ("zoe@mueller.example", "z@work.example")
    assert zoe.phones == ("+49 30 1234567", "+49 170 7654321")
    assert zoe.location == "Berlin, DE"
    assert zoe.birthday == "--02-29"
    assert zoe.links == ("https://zoe.example",)


def test_a_note_that_cannot_be_written_is_reported_and_the_rest_go_on(vault_dir: Path, tmp_path: Path) -> None:
    # "Jane: Doe" would be people/Jane Doe.md, a note with errors that add does not sidestep
    # (another contact's Jane Doe.md would give Jane Doe 2.md)
    (vault_dir / "people" / "Jane Doe.md").write_text("---\nname: [Someone Else\n---\n", encoding="utf-8")
    source = tmp_path / "two.vcf"
    source.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Jane: Doe\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEND:VCARD\n"
    )
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert result.code == 1
    assert "mdnet: warning: Jane: Doe: people/Jane Doe.md: already exists; nothing was written" in result.err
    assert "created Ann Lee people/Ann Lee.md" in result.out
    assert (vault_dir / "people" / "Jane Doe.md").read_text(encoding="utf-8") == "---\nname: [Someone Else\n---\n"


def test_an_ambiguous_card_is_skipped_with_every_candidate(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Sam Lee.md").write_text("---\nname: Sam Lee\n---\n")
    (vault_dir / "people" / "Sam Lee (Boston).md").write_text("---\nname: Sam Lee\n---\n")
    source = tmp_path / "sam.vcf"
    source.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Sam Lee\nTITLE:Partner\nEND:VCARD\n")
    dry = run_cli("--vault", str(vault_dir), "import", "vcard", str(source), "--dry-run")
    assert "would skip Sam Lee: matches several contacts by name: " in dry.out
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert result.code == 0
    assert (
        "skipped Sam Lee: matches several contacts by name: "
        "Sam Lee (people/Sam Lee (Boston).md), Sam Lee (people/Sam Lee.md)" in result.out
    )
    assert "1 skipped" in result.out
    assert "Partner" not in (vault_dir / "people" / "Sam Lee.md").read_text()


def test_quoted_printable_and_base64_text_is_read_as_text() -> None:
    # Android writes quoted-printable as soon as a value holds a letter outside ASCII, and a
    # comma in it is as bare as in plain text; some exporters write base64 (ENCODING=b) text
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
        "TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Gesch=C3=A4ftsf=C3=BChrer, Vertrieb=\r\n"
        " und Marketing\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        "FN;ENCODING=b;CHARSET=ISO-8859-1:Sm9z6SDBbHZhcmV6\r\n"  # "José Álvarez" in Latin-1
        "N;ENCODING=b:w4FsdmFyZXo7Sm9zw6k7Ozs=\r\n"  # "Álvarez;José;;;"
        "ORG;ENCODING=b:QWNtZSwgSW5jLjtWZW50YXM=\r\n"  # "Acme, Inc.;Ventas"
        "TITLE;ENCODING=b:VlAsIE9wZXJhdGlvbnM=\r\n"  # "VP, Operations"
        "EMAIL;TYPE=work;ENCODING=b:am9zZUBhbHZhcmV6LmV4YW1wbGU=\r\n"  # "jose@alvarez.example"
        "END:VCARD\r\n"
    )
    juergen, jose = parse_vcards(text)
    assert juergen.name == "Jürgen Müller"
    assert juergen.role == "Geschäftsführer, Vertrieb und Marketing"
    assert jose.name == "José Álvarez"
    assert jose.company == "Acme, Inc."
    assert jose.role == "VP, Operations"
    assert jose.emails == ("jose@alvarez.example",)
    (plain,) = parse_vcards("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nORG:Smith, Jones & Co.;Legal\r\nEND:VCARD\r\n")
    assert plain.company == "Smith, Jones & Co."


def test_a_cut_off_photo_is_skipped_like_any_photo() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
        " /2wBDAAgGBgcGBQgHBwcJCQgKDBQ\r\n\r\nEMAIL;HOME:ann@x.example\r\nEND:VCARD\r\n"
    )
    (ann,) = parse_vcards(text)
    assert (ann.name, ann.emails) == ("Ann Lee", ("ann@x.example",))


def test_broken_base64_text_or_unknown_charset_is_one_error() -> None:
    for line, message in (
        ("FN;ENCODING=b:Sm9z6", "x.vcf:3: not a valid vCard: FN: bad base64"),
        ("FN;CHARSET=KLINGON;ENCODING=QUOTED-PRINTABLE:Jos=E9", "x.vcf:3: not a valid vCard: FN: unknown charset"),
        ("FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=E9", "x.vcf:3: not a valid vCard: FN: not UTF-8"),
    ):
        with pytest.raises(SourceFileError, match=message):
            parse_vcards(f"BEGIN:VCARD\r\nVERSION:2.1\r\n{line}\r\nEND:VCARD\r\n", "x.vcf")


def test_long_quoted_printable_values_are_read_in_one_pass() -> None:
    # Android breaks a quoted-printable value every 76 characters; a long note in a big
    # address book must not make the import quadratic (it took minutes)
    import quopri
    import time

    note = quopri.encodestring(("Conocí a José en Madrid, muy amable. " * 8000).encode()).decode()
    cards = [f"BEGIN:VCARD\nVERSION:2.1\nFN:Person {i}\nEMAIL:p{i}@x.example\nEND:VCARD\n" for i in range(4000)]
    cards.append(
        f"BEGIN:VCARD\nVERSION:2.1\nFN:Big Note\nNOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{note}\nEND:VCARD\n"
    )
    started = time.monotonic()
    records = parse_vcards("".join(cards))
    assert len(records) == 4001
    assert time.monotonic() - started < 30  # about 2 s here in one pass; several minutes before


def test_an_alias_with_a_comma_round_trips_as_one_alias(vault_dir: Path, tmp_path: Path) -> None:
    note = vault_dir / "people" / "Jane Doe.md"
    text = '---\nname: Jane Doe\naliases: ["Doe, Jane", JD, "back\\\\slash; semi"]\n---\n# Jane\n'
    note.write_text(text, encoding="utf-8")
    out = tmp_path / "jane.vcf"
    assert run_cli("--vault", str(vault_dir), "export", "vcard", "--out", str(out)).code == 0
    (jane,) = parse_vcards(out.read_text(encoding="utf-8"))
    assert jane.aliases == ("Doe, Jane", "JD", "back\\slash; semi")
    again = run_cli("--vault", str(vault_dir), "import", "vcard", str(out))
    assert again.code == 0, again.err
    assert again.out.strip() == "1 unchanged"
    assert note.read_text(encoding="utf-8") == text
    (two,) = parse_vcards("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nNICKNAME:Lee\\, Ann,Annie\r\nEND:VCARD\r\n")
    assert two.aliases == ("Lee, Ann", "Annie")


def test_a_note_edited_after_the_import_read_it_is_left_alone(
    vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the import read Jane's note with no role and planned to fill it; meanwhile she got one in Obsidian
    import mdnet.interop.importing

    note = vault_dir / "people" / "Jane Doe.md"
    note.write_text("---\nname: Jane Doe\nrole:\nemail: [jane@acme.example]\n---\n# Jane\n", encoding="utf-8")
    edited = "---\nname: Jane Doe\nrole: Head of IT\nemail: [jane@acme.example]\n---\n# Jane\n"
    planned = mdnet.interop.importing.plan_import

    def plan_then_edit(*args: Any, **kwargs: Any) -> Any:
        plans = planned(*args, **kwargs)
        note.write_text(edited, encoding="utf-8")  # the user saves while the import runs
        return plans

    monkeypatch.setattr(mdnet.interop.importing, "plan_import", plan_then_edit)
    source = tmp_path / "jane.vcf"
    source.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Jane Doe\nEMAIL:jane@acme.example\nTITLE:CTO\nEND:VCARD\n")
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert result.code == 1
    assert "people/Jane Doe.md: changed since mdnet read it; nothing was written" in result.err
    assert note.read_text(encoding="utf-8") == edited


# -- one name, two people: a name alone never joins two people whose emails differ ------------------------

JOHN_NOTE = '---\nname: John Smith\ncompany: "[[Acme]]"\nemail: [john@acme.example]\n---\n# John Smith\n'


def card(name: str, *lines: str) -> str:
    return "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + name + "\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VCARD\r\n"


def test_another_john_smith_from_a_phone_is_a_second_note_not_merged(vault_dir: Path, tmp_path: Path) -> None:
    # Issue 18 item 5 reversed the old choice (a skip, with "add the address to the note" as the way to merge):
    # another email is another person, a second note; the plan says why and the first note is left alone
    note = vault_dir / "people" / "John Smith.md"
    note.write_text(JOHN_NOTE, encoding="utf-8")
    source = tmp_path / "phone.vcf"
    source.write_text(card("John Smith", "EMAIL:jsmith@other.example", "TEL:+1 555 0100 200", "TITLE:Plumber"))
    reason = ("a second note: another person than John Smith, as people/John Smith.md has no email in common "
              "(john@acme.example)")  # fmt: skip
    dry = run_cli("--vault", str(vault_dir), "import", "vcard", str(source), "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.out.startswith(f"would create John Smith 2: {reason}; role: Plumber; email: jsmith@other.example")
    done = run_cli("--vault", str(vault_dir), "import", "vcard", str(source), "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["counts"] == {"create": 1, "update": 0, "unchanged": 0, "skip": 0, "failed": 0}
    assert report["items"][0]["path"] == "people/John Smith 2.md"
    assert report["items"][0]["details"][0] == reason
    assert note.read_text(encoding="utf-8") == JOHN_NOTE
    assert sorted(p.name for p in (vault_dir / "people").iterdir()) == ["John Smith 2.md", "John Smith.md"]
    again = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert again.code == 0, again.err
    assert again.out.splitlines()[-1] == "1 unchanged"


def test_two_john_smiths_in_one_file_make_two_notes_and_one_skip(vault_dir: Path, tmp_path: Path) -> None:
    # the third card was skipped before issue 18 item 5; now it is another person, a second note
    source = tmp_path / "phone.vcf"
    source.write_text(card("John Smith", "TEL:+1 555 0100 999")  # no email: either John's phone
                      + card("John Smith", "EMAIL:john@acme.example", "TITLE:CTO")
                      + card("john smith", "EMAIL:jsmith@other.example", "TITLE:Plumber"))  # fmt: skip
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("skipped John Smith: cannot tell which John Smith it is: this import has several "
                               "with no email in common (john@acme.example, ")  # fmt: skip
    assert lines[1].startswith("created John Smith people/John Smith.md: role: CTO; email: john@acme.example")
    assert lines[2].startswith(f"created john smith 2 people/john smith 2.md: a second note: another person than "
                               f"john smith, as John Smith ({source} card 2), which this import creates, has no "
                               "email in common (john@acme.example)")  # fmt: skip
    assert lines[3] == "2 created, 1 skipped"
    john = (vault_dir / "people" / "John Smith.md").read_text(encoding="utf-8")
    assert "email: [john@acme.example]\n" in john
    assert "Plumber" not in john and "phone" not in john
    assert "Plumber" in (vault_dir / "people" / "john smith 2.md").read_text(encoding="utf-8")
    # a second import of the same file changes nothing and reports the same skip
    again = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert again.code == 0, again.err
    assert again.out.splitlines()[-1] == "2 unchanged, 1 skipped"
    assert (vault_dir / "people" / "John Smith.md").read_text(encoding="utf-8") == john


def test_a_name_match_the_emails_do_not_contradict_still_merges(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "John Smith.md").write_text(JOHN_NOTE, encoding="utf-8")
    (vault_dir / "people" / "Ann Lee.md").write_text("---\nname: Ann Lee\n---\n# Ann\n", encoding="utf-8")
    source = tmp_path / "phone.vcf"
    source.write_text(card("John Smith", "TEL:+1 555 0100 200")  # no email on the card
                      + card("Ann Lee", "EMAIL:ann@lee.example")  # no email on the note
                      + card("Smith, John", "N:Smith;Johnny;;;", "EMAIL:JOHN@ACME.example", "TITLE:CTO"))  # fmt: skip
    result = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "2 updated"
    john = (vault_dir / "people" / "John Smith.md").read_text(encoding="utf-8")
    assert john == JOHN_NOTE.replace("---\n# John", "role: CTO\nphone: +1 555 0100 200\n---\n# John")
    assert (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8") == (
        "---\nname: Ann Lee\nemail: [ann@lee.example]\n---\n# Ann\n"
    )
    again = run_cli("--vault", str(vault_dir), "import", "vcard", str(source))
    assert again.out.strip() == "2 unchanged"


def test_export_lists_a_category_that_is_also_a_tag_once(vault_dir: Path, tmp_path: Path) -> None:
    """José is in the category chamber and tagged chamber: the address book gets one group chamber."""
    (vault_dir / "people" / "José Álvarez.md").write_text(
        "---\nname: José Álvarez\ncategory: chamber\ntags: [insurance, Chamber, '#connector', connector]\n---\n",
        encoding="utf-8",
    )
    out = tmp_path / "net.vcf"
    result = run_cli("--vault", str(vault_dir), "export", "vcard", "--out", str(out))
    assert result.code == 0, result.err
    assert "CATEGORIES:chamber,insurance,connector\n" in out.read_text(encoding="utf-8")
