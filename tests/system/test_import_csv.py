"""`mdnet import csv` with real Google Contacts and Outlook export headers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mdnet.interop.csv_import import detect, parse_contacts_csv
from tests.conftest import run_cli

# The header Google Contacts writes today ("Google CSV"), in full.
GOOGLE_HEADER = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label",
    "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address", "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip

# The older Google export header (still produced by many tools), abridged to its real first columns.
GOOGLE_OLD_HEADER = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi",
    "Additional Name Yomi", "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials", "Nickname",
    "Short Name", "Maiden Name", "Birthday", "Gender", "Location", "Billing Information", "Directory Server",
    "Mileage", "Occupation", "Hobby", "Sensitivity", "Priority", "Subject", "Notes", "Language", "Photo",
    "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value",
    "Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Yomi Name", "Organization 1 - Title",
]  # fmt: skip

# Outlook's "Export to a file > Comma Separated Values" header, in full.
OUTLOOK_HEADER = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "Given Yomi", "Surname Yomi",
    "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone", "Home Phone 2", "Business Phone",
    "Business Phone 2", "Mobile Phone", "Car Phone", "Other Phone", "Primary Phone", "Pager", "Business Fax",
    "Home Fax", "Other Fax", "Company Main Phone", "Callback", "Radio Phone", "Telex", "TTY/TDD Phone",
    "IMAddress", "Job Title", "Department", "Company", "Office Location", "Manager's Name", "Assistant's Name",
    "Assistant's Phone", "Company Yomi", "Business Street", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home City", "Home State",
    "Home Postal Code", "Home Country/Region", "Other Street", "Other City", "Other State", "Other Postal Code",
    "Other Country/Region", "Personal Web Page", "Spouse", "Schools", "Hobby", "Location", "Web Page",
    "Birthday", "Anniversary", "Notes",
]  # fmt: skip


def build_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


GOOGLE_ROWS = [
    {"First Name": "Jane", "Last Name": "Doe", "Organization Name": "Acme Corp", "Organization Title": "CTO",
     "Birthday": "1984-06-02", "Labels": "* myContacts ::: Clients", "E-mail 1 - Label": "* Work",
     "E-mail 1 - Value": "jane@acme.example ::: jane.doe@home.example", "Phone 1 - Label": "Mobile",
     "Phone 1 - Value": "+1 480-555-0100", "Address 1 - City": "Scottsdale", "Address 1 - Region": "AZ",
     "Website 1 - Value": "https://jane.example/blog", "Notes": "Met at the breakfast,\nlikes sailing"},
    {"First Name": "Zoë", "Last Name": "Müller", "Nickname": "Zo", "Birthday": "--11-30",
     "E-mail 1 - Value": "zoe@mueller.example", "Phone 1 - Value": "+49 30 1234567",
     "Phone 2 - Value": "+49 170 7654321"},
    {"First Name": "", "Last Name": "", "Organization Name": "Nameless Inc"},
]  # fmt: skip

OUTLOOK_ROWS = [
    {"First Name": "Aaron", "Last Name": "Mitchell", "Title": "Mr.", "E-mail Address": "aaron@initech.example",
     "E-mail 2 Address": "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=aaron",
     "Business Phone": "(602) 555-0171", "Mobile Phone": "(602) 555-0199", "Job Title": "VP Operations",
     "Company": "Initech", "Business City": "Phoenix", "Business State": "AZ", "Birthday": "3/14/1979",
     "Anniversary": "0/0/00", "Web Page": "initech.example"},
    {"First Name": "René", "Last Name": "Côté", "E-mail Address": "rene@cote.example", "Birthday": "0/0/00",
     "Home City": "Montréal", "Home State": "QC"},
]  # fmt: skip

JANE_NOTE = "---\nname: Jane Doe\nrole: Chief Technology Officer\nemail: [jane@acme.example]\n---\n# Jane Doe\n"


def test_detect_from_header() -> None:
    assert detect(GOOGLE_HEADER) == "google"
    assert detect(GOOGLE_OLD_HEADER) == "google"
    assert detect(OUTLOOK_HEADER) == "outlook"
    assert detect(["Name", "Email", "Phone"]) is None


def test_google_columns() -> None:
    jane, zoe = parse_contacts_csv(build_csv(GOOGLE_HEADER, GOOGLE_ROWS))
    assert jane.name == "Jane Doe"
    assert jane.emails == ("jane@acme.example", "jane.doe@home.example")
    assert (jane.company, jane.role, jane.location, jane.birthday) == ("Acme Corp", "CTO", "Scottsdale, AZ",
                                                                         "1984-06-02")  # fmt: skip
    assert jane.links == ("https://jane.example/blog",)
    assert zoe.name == "Zoë Müller"
    assert zoe.phones == ("+49 30 1234567", "+49 170 7654321")
    assert zoe.birthday == "--11-30"
    assert zoe.aliases == ("Zo",)


def test_google_old_header() -> None:
    rows = [{"Name": "Kenji Watanabe", "Given Name": "Kenji", "Family Name": "Watanabe",
             "E-mail 1 - Value": "kenji@kaizen.example", "Organization 1 - Name": "Kaizen Robotics",
             "Organization 1 - Title": "Founder"}]  # fmt: skip
    (kenji,) = parse_contacts_csv(build_csv(GOOGLE_OLD_HEADER, rows))
    assert (kenji.name, kenji.company, kenji.role) == ("Kenji Watanabe", "Kaizen Robotics", "Founder")


def test_outlook_columns() -> None:
    aaron, rene = parse_contacts_csv(build_csv(OUTLOOK_HEADER, OUTLOOK_ROWS))
    assert aaron.name == "Aaron Mitchell"
    assert aaron.emails == ("aaron@initech.example",)  # the Exchange X.500 address is not an email
    assert aaron.phones == ("(602) 555-0199", "(602) 555-0171")
    assert (aaron.company, aaron.role, aaron.location) == ("Initech", "VP Operations", "Phoenix, AZ")
    assert aaron.birthday == "1979-03-14"
    assert rene.birthday is None
    assert rene.location == "Montréal, QC"


def test_import_google_merges_and_creates(vault_dir: Path, tmp_path: Path) -> None:
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE_NOTE, encoding="utf-8")
    source = tmp_path / "contacts.csv"
    source.write_bytes(b"\xef\xbb\xbf" + build_csv(GOOGLE_HEADER, GOOGLE_ROWS).encode("utf-8"))
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--category", "google", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["counts"]["create"] == 1
    assert report["counts"]["update"] == 1
    jane = (vault_dir / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert "role: Chief Technology Officer\n" in jane  # never overwritten
    assert 'company: "[[Acme Corp]]"\n' in jane
    assert "email: [jane@acme.example, jane.doe@home.example]\n" in jane
    zoe = (vault_dir / "people" / "Zoë Müller.md").read_text(encoding="utf-8")
    assert "category: google\n" in zoe
    assert "phone: [+49 30 1234567, +49 170 7654321]\n" in zoe


def test_outlook_in_the_windows_code_page(vault_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "outlook.csv"
    source.write_bytes(build_csv(OUTLOOK_HEADER, OUTLOOK_ROWS).encode("cp1252"))
    wrong = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert wrong.code == 2
    assert wrong.err.count("\n") == 1
    assert "outlook.csv:3: not utf-8 text (byte 0xe9); re-export as UTF-8 or pass --encoding" in wrong.err
    assert list((vault_dir / "people").iterdir()) == []
    right = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--encoding", "cp1252")
    assert right.code == 0, right.err
    assert "created René Côté people/René Côté.md" in right.out
    assert (vault_dir / "people" / "Aaron Mitchell.md").exists()


def test_utf16_outlook_export(vault_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "unicode.csv"
    source.write_bytes(build_csv(OUTLOOK_HEADER, OUTLOOK_ROWS).encode("utf-16"))
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--dry-run")
    assert result.code == 0, result.err
    assert "would create René Côté" in result.out
    assert list((vault_dir / "people").iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Name,Email,Phone\r\nJane,jane@x.example,1\r\n", "not a Google Contacts, Outlook or LinkedIn CSV export"),
        (b"", "empty file"),
        (",".join(OUTLOOK_HEADER).encode() + b'\r\n"Jane,Doe\x00,x\r\n', "malformed CSV"),
    ],
)
def test_bad_csv_is_one_error(vault_dir: Path, tmp_path: Path, content: bytes, message: str) -> None:
    assert_refused_in_one_line(vault_dir, tmp_path, content, message)


def assert_refused_in_one_line(vault_dir: Path, tmp_path: Path, content: bytes, message: str) -> None:
    """``import csv`` of ``content``: exit 2, one error line holding ``message``, nothing written."""
    source = tmp_path / "bad.csv"
    source.write_bytes(content)
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert result.code == 2
    assert result.err.startswith("mdnet: error: ")
    assert message in result.err
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert list((vault_dir / "people").iterdir()) == []


def test_a_cell_larger_than_the_csv_modules_default_limit_is_read() -> None:
    # Python's csv refuses a field over 128 KiB by default; a long Notes cell is still a contact
    rows = [{"First Name": "Ann", "Last Name": "Lee", "E-mail 1 - Value": "ann@x.example", "Notes": "n" * 300_000},
            {"First Name": "Bo", "Last Name": "Chan", "E-mail 1 - Value": "bo@x.example"}]  # fmt: skip
    ann, bo = parse_contacts_csv(build_csv(GOOGLE_HEADER, rows))
    assert (ann.name, ann.emails, bo.name) == ("Ann Lee", ("ann@x.example",), "Bo Chan")
    assert csv.field_size_limit() == 131072  # the process-wide setting is given back


# -- one name, two people: a name alone never joins two people whose emails differ ------------------------

JOHN_NOTE = "---\nname: John Smith\nemail: [john@acme.example]\n---\n# John Smith\n"


def test_another_john_smith_in_a_google_export_is_a_second_note_not_merged(vault_dir: Path, tmp_path: Path) -> None:
    note = vault_dir / "people" / "John Smith.md"
    note.write_text(JOHN_NOTE, encoding="utf-8")
    rows = [{"First Name": "John", "Last Name": "Smith", "E-mail 1 - Value": "jsmith@other.example",
             "Organization Name": "Other Ltd", "Phone 1 - Value": "+1 555 0100 200"},
            {"First Name": "John", "Last Name": "Smith", "Phone 1 - Value": "+1 555 0100 300"},  # no email
            {"First Name": "Ann", "Last Name": "Lee", "E-mail 1 - Value": "ann@lee.example"}]  # fmt: skip
    source = tmp_path / "contacts.csv"
    source.write_text(build_csv(GOOGLE_HEADER, rows), encoding="utf-8")
    dry = run_cli("--vault", str(vault_dir), "import", "csv", str(source), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    report = json.loads(dry.out)
    # was a skip ("matches people/John Smith.md by name but no email in common ..."); issue 18 item 5 made
    # another email another person: a second note, and the plan says why
    assert report["counts"] == {"create": 2, "update": 0, "unchanged": 0, "skip": 0, "failed": 0}
    second = report["items"][0]
    assert (second["action"], second["name"], second["source"]) == ("create", "John Smith 2", f"{source} line 2")
    assert second["details"][0] == ("a second note: another person than John Smith, as people/John Smith.md has "
                                    "no email in common (john@acme.example)")  # fmt: skip
    done = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert done.code == 0, done.err
    assert done.out.splitlines()[-1] == "2 created"
    # the row without email went with the other row of its name, into the second note
    assert note.read_text(encoding="utf-8") == JOHN_NOTE
    assert sorted(p.name for p in (vault_dir / "people").iterdir()) == ["Ann Lee.md", "John Smith 2.md",
                                                                        "John Smith.md"]  # fmt: skip
    assert "+1 555 0100 300" in (vault_dir / "people" / "John Smith 2.md").read_text(encoding="utf-8")
    again = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert again.out.splitlines()[-1] == "2 unchanged"


def test_two_john_smiths_in_one_outlook_export(vault_dir: Path, tmp_path: Path) -> None:
    # the third row is the first John again (by his email, in capitals): one note of the two
    rows = [{"First Name": "John", "Last Name": "Smith", "E-mail Address": "john@acme.example", "Company": "Acme"},
            {"First Name": "John", "Last Name": "Smith", "E-mail Address": "jsmith@other.example",
             "Company": "Other Ltd"},
            {"First Name": "John", "Last Name": "Smith", "E-mail Address": "JOHN@acme.example",
             "Mobile Phone": "(602) 555-0199"}]  # fmt: skip
    source = tmp_path / "outlook.csv"
    source.write_text(build_csv(OUTLOOK_HEADER, rows), encoding="utf-8")
    result = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert result.code == 0, result.err
    # the second John was skipped before issue 18 item 5; now he is another person, a second note
    assert result.out.splitlines() == [
        "created John Smith people/John Smith.md: company: Acme; email: john@acme.example; phone: (602) 555-0199",
        f"created John Smith 2 people/John Smith 2.md: a second note: another person than John Smith, as John Smith "
        f"({source} line 2), which this import creates, has no email in common (john@acme.example); company: Other "
        "Ltd; email: jsmith@other.example",
        "2 created",
    ]
    john = (vault_dir / "people" / "John Smith.md").read_text(encoding="utf-8")
    assert "Other Ltd" not in john and "jsmith" not in john
    # once the notes exist, each John finds his own by email
    again = run_cli("--vault", str(vault_dir), "import", "csv", str(source))
    assert again.out.splitlines() == ["2 unchanged"]
    assert (vault_dir / "people" / "John Smith.md").read_text(encoding="utf-8") == john
