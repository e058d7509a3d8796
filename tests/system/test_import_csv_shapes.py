"""`mdnet import csv` of LinkedIn's Connections.csv and of semicolon- and tab-separated files.

Each shape was refused before ("not a Google Contacts or Outlook CSV export"); the
tests write real files in temp folders and import them through the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mdnet.interop.csv_import import detect, header_delimiter, linkedin_date, parse_contacts_csv
from tests.conftest import run_cli, run_mdnet_process
from tests.system.test_import_csv import GOOGLE_HEADER, OUTLOOK_HEADER, assert_refused_in_one_line, build_csv

# The notes LinkedIn writes above the header of Connections.csv, as they are
LINKEDIN_NOTES = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    "address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\r\n'
    "\r\n"
)
LINKEDIN_HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
LINKEDIN_ROWS = [
    {"First Name": "Ann", "Last Name": "Lee", "URL": "https://www.linkedin.com/in/annlee",
     "Email Address": "ann@example.com", "Company": "Acme", "Position": "CTO", "Connected On": "12 Mar 2024"},
    {"First Name": "José", "Last Name": "Álvarez Núñez", "URL": "https://www.linkedin.com/in/jose-alvarez",
     "Email Address": "", "Company": "Señales, S.A.", "Position": "Head of Data; EMEA",
     "Connected On": "03 Sep 2019"},
    {"First Name": "Jane", "Last Name": "Doe", "URL": "https://www.linkedin.com/in/janedoe",
     "Email Address": "", "Company": "Acme Corp", "Position": "CTO", "Connected On": "28 Feb 2021"},
]  # fmt: skip
JANE_NOTE = "---\nname: Jane Doe\nrole: Chief Technology Officer\nlinks: [https://jane.example/blog]\n---\n# Jane Doe\n"


def linkedin_file(tmp_path: Path, rows: list[dict[str, str]] = LINKEDIN_ROWS) -> Path:
    """Connections.csv as LinkedIn writes it: UTF-8 with a BOM, CRLF, notes above the header."""
    source = tmp_path / "Connections.csv"
    source.write_bytes(b"\xef\xbb\xbf" + (LINKEDIN_NOTES + build_csv(LINKEDIN_HEADER, rows)).encode("utf-8"))
    return source


def test_linkedin_connections_import(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE_NOTE, encoding="utf-8")
    source = linkedin_file(tmp_path)
    # a new process in a German locale, as a user's shell runs it: the months are read in English all the same
    env = {"LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}
    result = run_mdnet_process("--vault", str(vault_dir), "--today", "2026-11-25", "import", "csv", str(source),
                               env=env)  # fmt: skip
    assert result.code == 0, result.err
    assert result.err == ""
    assert "1 updated" in result.out and "2 created" in result.out
    ann = (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8")
    for line in ("name: Ann Lee\n", 'company: "[[Acme]]"\n', "role: CTO\n", "email: [ann@example.com]\n",
                 "linkedin_connected: 2024-03-12\n", "links: [https://www.linkedin.com/in/annlee]\n"):  # fmt: skip
        assert line in ann
    assert "last_contact" not in ann and "## Log\n-" not in ann  # connecting is not an interaction
    jose = (vault_dir / "people" / "José Álvarez Núñez.md").read_text(encoding="utf-8")
    assert "email" not in jose  # LinkedIn left it out: no empty key is written
    assert 'company: "[[Señales, S.A.]]"\n' in jose  # a comma inside a quoted cell
    assert "role: Head of Data; EMEA\n" in jose
    assert "linkedin_connected: 2019-09-03\n" in jose
    # matched by name (no email in the export): the role is the user's, the link is added
    jane = (vault_dir / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert "role: Chief Technology Officer\n" in jane
    assert "links: [https://jane.example/blog, https://www.linkedin.com/in/janedoe]\n" in jane
    assert "linkedin_connected: 2021-02-28\n" in jane
    again = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["counts"] == {"create": 0, "update": 0, "unchanged": 3, "skip": 0, "failed": 0}


def test_linkedin_never_overwrites_a_connection_date_and_dry_run_writes_nothing(vault_dir: Path,
                                                                                 tmp_path: Path) -> None:  # fmt: skip
    note = "---\nname: Ann Lee\nemail: [ann@example.com]\nlinkedin_connected: 2020-01-01\n---\n"
    (vault_dir / "people" / "Ann Lee.md").write_text(note, encoding="utf-8")
    source = linkedin_file(tmp_path, LINKEDIN_ROWS[:1])
    dry = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    (item,) = json.loads(dry.out)["items"]
    assert item["action"] == "update"
    assert item["details"] == [
        "company: [[Acme]]",
        "role: CTO",
        "linkedin: https://www.linkedin.com/in/annlee",
        "links += https://www.linkedin.com/in/annlee",
    ]
    assert item["source"].endswith("Connections.csv line 5")  # the line in the file, notes counted
    assert (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8") == note


def test_linkedin_header_without_url_and_dates() -> None:
    # exports before 2022 had no URL column
    text = "First Name,Last Name,Email Address,Company,Position,Connected On\nBo,Chan,,Initech,Dev,5 Jan 2018\n"
    (bo,) = parse_contacts_csv(text)
    assert (bo.name, bo.emails, bo.links, bo.linkedin_connected) == ("Bo Chan", (), (), "2018-01-05")
    assert detect(["First Name", "Last Name", "Email Address", "Company", "Position", "Connected On"]) == "linkedin"
    assert linkedin_date("12 Mar 2024") == "2024-03-12"
    assert linkedin_date("1 sept 2019") == linkedin_date("01 September 2019") == "2019-09-01"
    assert linkedin_date("2024-03-12") == "2024-03-12"
    assert linkedin_date("31 Feb 2024") is None
    assert linkedin_date("12 Mär 2024") is None  # not English: dropped, never guessed
    assert linkedin_date("") is None


def test_semicolon_file_with_a_comma_in_a_cell(vault_dir: Path, tmp_path: Path) -> None:
    # Outlook's export opened and saved again by Excel in a German locale: semicolons, cp1252
    rows = [{"First Name": "Jürgen", "Last Name": "Groß", "E-mail Address": "jg@initech.example",
             "Company": "Initech, GmbH", "Job Title": "Leiter IT", "Business City": "München"}]  # fmt: skip
    text = build_csv(OUTLOOK_HEADER, rows).replace(",", ";").replace("Initech; GmbH", "Initech, GmbH")
    source = tmp_path / "kontakte.csv"
    source.write_bytes(text.encode("cp1252"))
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--encoding", "cp1252")
    assert result.code == 0, result.err
    note = (vault_dir / "people" / "Jürgen Groß.md").read_text(encoding="utf-8")
    assert 'company: "[[Initech, GmbH]]"\n' in note
    assert "role: Leiter IT\n" in note
    assert "location: München\n" in note


def test_tab_separated_file(vault_dir: Path, tmp_path: Path) -> None:
    rows = [{"First Name": "Mei", "Last Name": "Lin", "E-mail 1 - Value": "mei@lin.example",
             "Organization Name": "Lin, Lee & Co; Ltd", "Phone 1 - Value": "+1 602 555 0142"}]  # fmt: skip
    source = tmp_path / "contacts.tsv"
    source.write_text(build_csv(GOOGLE_HEADER, rows).replace(",", "\t").replace("Lin\t Lee", "Lin, Lee"),
                      encoding="utf-8")  # fmt: skip
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert result.code == 0, result.err
    note = (vault_dir / "people" / "Mei Lin.md").read_text(encoding="utf-8")
    assert 'company: "[[Lin, Lee & Co; Ltd]]"\n' in note
    assert 'phone: "+1 602 555 0142"\n' in note or "phone: +1 602 555 0142\n" in note


def test_comma_file_whose_cells_hold_semicolons_is_read_as_commas(vault_dir: Path, tmp_path: Path) -> None:
    rows = [{"First Name": "Ann", "Last Name": "Lee", "E-mail Address": "ann@x.example",
             "Company": "Acme; Berlin; Paris", "Job Title": "CTO; CFO", "Notes": "a;b;c;d;e;f;g;h"}]  # fmt: skip
    source = tmp_path / "outlook.csv"
    source.write_text(build_csv(OUTLOOK_HEADER, rows), encoding="utf-8")
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--json")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)["items"]
    assert (item["action"], item["name"]) == ("create", "Ann Lee")
    assert "company: Acme; Berlin; Paris" in item["details"]
    assert "role: CTO; CFO" in item["details"]


def test_header_delimiter_counts_the_header_line() -> None:
    assert header_delimiter("First Name,Last Name,E-mail Address\r\n") == ","
    assert header_delimiter("First Name;Last Name;E-mail Address\r\n") == ";"
    assert header_delimiter("First Name\tLast Name\tE-mail Address\n") == "\t"
    assert header_delimiter("Notes:\n") == ","  # none at all: comma
    assert header_delimiter("a,b;c\n") == ","  # a tie: comma


def test_excels_sep_line_is_read_as_a_note_above_the_header() -> None:
    text = "sep=;\r\n" + ";".join(OUTLOOK_HEADER) + "\r\n" + "Ann;Lee" + ";" * (len(OUTLOOK_HEADER) - 2) + "\r\n"
    (ann,) = parse_contacts_csv(text)
    assert ann.name == "Ann Lee"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # an unknown header is still refused, whatever its delimiter, naming its own line and cells
        (b"Name;Email;Phone\r\nJane;jane@x.example;1\r\n", "bad.csv:1: not a Google Contacts, Outlook or LinkedIn "
         "CSV export (header: Name, Email, Phone)"),
        (b"Name\tEmail\r\nJane\tjane@x.example\r\n", "(header: Name, Email)"),
        # LinkedIn's notes above a header that is not LinkedIn's: the header's line is named
        (LINKEDIN_NOTES.encode() + b"First Name,Last Name,URL\r\nAnn,Lee,x\r\n", "bad.csv:4: not a Google Contacts, "
         "Outlook or LinkedIn CSV export (header: First Name, Last Name, URL)"),
        (b"\r\n\r\n", "empty file"),
        # truly malformed: a quote never closed, in a semicolon file and below LinkedIn's notes
        (";".join(OUTLOOK_HEADER).encode() + b'\r\nAnn;Lee\r\n"Bo;Chan\r\n', "bad.csv:3: malformed CSV"),
        (LINKEDIN_NOTES.encode() + ",".join(LINKEDIN_HEADER).encode() + b'\r\nAnn,Lee,"x,y\r\n',
         "bad.csv:5: malformed CSV"),
    ],
)  # fmt: skip
def test_what_is_still_refused_is_one_line(vault_dir: Path, tmp_path: Path, content: bytes, message: str) -> None:
    assert_refused_in_one_line(vault_dir, tmp_path, content, message)


def test_excels_unicode_text_is_utf16_and_tab_separated(vault_dir: Path, tmp_path: Path) -> None:
    rows = [{"First Name": "René", "Last Name": "Côté", "E-mail Address": "rene@cote.example", "Company": "Côté, Inc."}]
    source = tmp_path / "unicode.txt"
    text = build_csv(OUTLOOK_HEADER, rows).replace(",", "\t").replace("Côté\t Inc.", "Côté, Inc.")
    source.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Excel writes it
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--json")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)["items"]
    assert (item["action"], item["name"], item["path"]) == ("create", "René Côté", "people/René Côté.md")
    assert "company: Côté, Inc." in item["details"]


def test_import_cadence_and_a_category_policy_keep_a_big_import_off_todays_list(
    vault_dir: Path, tmp_path: Path
) -> None:
    """Every created note got new_contact_cadence (90d) and no contact yet: due at once. With
    --cadence, or a [cadence] entry for the --category, hundreds of connections stay quiet."""
    source = linkedin_file(tmp_path)
    code, out, err = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--cadence", "never")
    assert code == 0, err
    assert "cadence: never\n" in (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8")
    for note in (vault_dir / "people").iterdir():
        note.unlink()
    config = vault_dir / "mdnet.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[cadence]\nlinkedin = "never"\n', encoding="utf-8")
    code, out, err = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--category", "linkedin")
    assert code == 0, err
    assert "cadence" not in (vault_dir / "people" / "Ann Lee.md").read_text(encoding="utf-8")
    due = run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "due", "--json")
    assert json.loads(due.out)["items"] == []


def test_a_bad_import_cadence_is_refused_before_anything_is_written(vault_dir: Path, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "--vault", str(vault_dir), "import", "csv", str(linkedin_file(tmp_path)), "--cadence", "soon"
    )
    assert code == 2
    assert err.startswith("mdnet: error: bad --cadence") and err.count("\n") == 1
    assert list((vault_dir / "people").iterdir()) == []


TWO_JOSES = [
    {"First Name": "José", "Last Name": "Álvarez", "URL": "https://www.linkedin.com/in/ja/",
     "Email Address": "", "Company": "Globex", "Position": "", "Connected On": "12 Mar 2024"},
    {"First Name": "Jose", "Last Name": "Alvarez", "URL": "https://www.linkedin.com/in/ja2?trk=x",
     "Email Address": "", "Company": "Initech", "Position": "", "Connected On": "13 Mar 2024"},
]  # fmt: skip


def test_linkedin_csv_two_profiles_of_one_name_are_two_people(vault_dir: Path, tmp_path: Path) -> None:
    """Issue 18 item 5 through `import csv`: the URL column is the `linkedin` identity key (SPEC 13)."""
    result = run_mdnet_process("--vault", str(vault_dir), "import", "csv", str(linkedin_file(tmp_path, TWO_JOSES)))
    assert result.code == 0, result.err
    assert "2 created" in result.out
    first = (vault_dir / "people" / "José Álvarez.md").read_text(encoding="utf-8")
    second = (vault_dir / "people" / "Jose Alvarez 2.md").read_text(encoding="utf-8")
    assert "linkedin: https://www.linkedin.com/in/ja\n" in first and "Globex" in first
    assert "linkedin: https://www.linkedin.com/in/ja2\n" in second and "Initech" in second


def test_linkedin_csv_second_person_in_a_later_file(vault_dir: Path, tmp_path: Path) -> None:
    """The two rows from separate files: the second import makes a second note, no `links += .../ja2`."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = run_mdnet_process("--vault", str(vault_dir), "import", "csv",
                              str(linkedin_file(tmp_path / "a", TWO_JOSES[:1])))  # fmt: skip
    assert first.code == 0, first.err
    plan = run_mdnet_process("--vault", str(vault_dir), "import", "csv", "--dry-run",
                             str(linkedin_file(tmp_path / "b", TWO_JOSES[1:])))  # fmt: skip
    assert plan.code == 0, plan.err
    assert "Jose Alvarez 2" in plan.out and "links +=" not in plan.out
    second = run_mdnet_process("--vault", str(vault_dir), "import", "csv",
                               str(linkedin_file(tmp_path / "b", TWO_JOSES[1:])))  # fmt: skip
    assert second.code == 0, second.err
    assert "Initech" not in (vault_dir / "people" / "José Álvarez.md").read_text(encoding="utf-8")
    assert "Initech" in (vault_dir / "people" / "Jose Alvarez 2.md").read_text(encoding="utf-8")


def test_vcard_linkedin_url_is_the_identity_key(vault_dir: Path, tmp_path: Path) -> None:
    """A vCard whose URL is a linkedin.com/in/ profile splits two people of one name the same way."""
    cards = tmp_path / "cards.vcf"
    cards.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:José Álvarez\r\nORG:Globex\r\nURL:https://www.linkedin.com/in/JA/\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jose Alvarez\r\nORG:Initech\r\n"
        "URL:https://linkedin.com/in/ja2\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    result = run_mdnet_process("--vault", str(vault_dir), "import", "vcard", str(cards))
    assert result.code == 0, result.err
    assert "2 created" in result.out
    assert "linkedin: https://www.linkedin.com/in/ja\n" in (vault_dir / "people" / "José Álvarez.md").read_text(
        encoding="utf-8"
    )
    assert "Initech" in (vault_dir / "people" / "Jose Alvarez 2.md").read_text(encoding="utf-8")
