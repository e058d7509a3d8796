"""``mdnet vdir sync`` against the real vdirsyncer: mdnet's vdir on one side, a folder standing in
for the phone (a second ``filesystem`` storage) on the other, as docs/vdir.md sets it up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, run_cli

JANE = """\
---
name: Jane Doe
aliases: [JD]
category: client   # paying
tags: [cloud]
company: "[[Acme Corp]]"
role: IT Manager
email: [jane@acme.example]
phone: "+1 480 555 0100"
cadence: 30d
---
# Jane Doe

Met at the chamber breakfast.

## Log
- 2026-11-20 coffee: sailing
"""

BOB_CARD = """\
BEGIN:VCARD\r
VERSION:3.0\r
UID:bob-on-the-phone\r
FN:Bob Baker\r
N:Baker;Bob;;;\r
EMAIL;TYPE=WORK:bob@baker.example\r
TEL;TYPE=CELL:+1 555 0101\r
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHB\r
 wgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAA\r
X-ABUID:1234-5678\r
X-SOCIALPROFILE;TYPE=twitter:https://twitter.example/bob\r
NOTE:Met at the conference\\, table 4\r
END:VCARD\r
"""

VDIRSYNCER = shutil.which("vdirsyncer", path=str(Path(sys.executable).parent)) or shutil.which("vdirsyncer")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(VDIRSYNCER is None, reason="vdirsyncer is in the test extra: pip install -e .[test]"),
]


class Chain:
    """A vault, mdnet's vdir, the 'phone' folder, and a vdirsyncer configuration pairing the two folders."""

    def __init__(self, tmp: Path, vault: Path) -> None:
        self.vault, self.vdir, self.phone = vault, tmp / "contacts" / "mdnet", tmp / "contacts" / "phone"
        self.vdir.mkdir(parents=True)
        self.phone.mkdir(parents=True)
        self.config = tmp / "vdirsyncer.conf"
        self.config.write_text(
            f"""[general]
status_path = "{tmp / "vdirsyncer-status"}"

[pair contacts]
a = "mdnet"
b = "phone"
collections = null
conflict_resolution = "b wins"

[storage mdnet]
type = "filesystem"
path = "{self.vdir}"
fileext = ".vcf"

[storage phone]
type = "filesystem"
path = "{self.phone}"
fileext = ".vcf"
""",
            encoding="utf-8",
        )
        self.vdirsyncer("discover")

    def vdirsyncer(self, *args: str) -> None:
        assert VDIRSYNCER is not None
        result = subprocess.run([VDIRSYNCER, "--config", str(self.config), *args], capture_output=True, text=True,
                                input="y\n" * 5, timeout=120, check=False)  # fmt: skip
        assert result.returncode == 0, result.stderr + result.stdout

    def mdnet(self) -> tuple[int, str, str]:
        code, out, err = run_cli("--vault", str(self.vault), "vdir", "sync", str(self.vdir))
        return code, out, err

    def round(self) -> tuple[int, str, str]:
        """The phone syncs, mdnet syncs, the phone syncs again: what a cron job of both does."""
        self.vdirsyncer("sync")
        result = self.mdnet()
        self.vdirsyncer("sync")
        return result

    def phone_card(self, uid_part: str) -> Path:
        found = [p for p in self.phone.iterdir() if uid_part in p.read_text(encoding="utf-8")]
        assert len(found) == 1, [p.name for p in self.phone.iterdir()]
        return found[0]

    def mtimes(self) -> dict[str, int]:
        folders = [self.vdir, self.phone, self.vault / "people"]
        return {str(p): p.stat().st_mtime_ns for folder in folders for p in folder.iterdir()} | {
            str(self.vault / ".mdnet-vdir.json"): (self.vault / ".mdnet-vdir.json").stat().st_mtime_ns
        }


@pytest.fixture
def chain(tmp_path: Path, git_vault: Path) -> Chain:
    (git_vault / "people" / "Jane Doe.md").write_text(JANE, encoding="utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "Jane")
    made = Chain(tmp_path, git_vault)
    (made.phone / "bob-on-the-phone.vcf").write_bytes(BOB_CARD.encode("utf-8"))
    return made


def _commits(vault: Path) -> int:
    return int(git(vault, "rev-list", "--count", "HEAD").strip())


def test_the_whole_chain_both_ways(chain: Chain) -> None:
    vault = chain.vault
    code, out, err = chain.round()
    assert code == 0, err
    # the first sync: Bob's card from the phone became a note, Jane's note a card on the phone
    bob = (vault / "people" / "Bob Baker.md").read_text(encoding="utf-8")
    assert "uid: bob-on-the-phone" in bob and "bob@baker.example" in bob and "cadence: never" in bob
    jane_card = chain.phone_card("Jane Doe").read_text(encoding="utf-8")
    assert "TITLE:IT Manager" in jane_card and "ORG:Acme Corp" in jane_card
    assert "CATEGORIES:client,cloud" in jane_card
    jane_note = (vault / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    assert jane_note.count("\n") == JANE.count("\n") + 1 and "\nuid: urn:uuid:" in jane_note  # one line added
    assert "Sync 2 contacts" in git(vault, "log", "-1", "--format=%s")

    # a phone edit reaches the note: only the role line changes
    phone_bob = chain.phone_card("bob-on-the-phone")
    phone_bob.write_bytes(phone_bob.read_bytes().replace(b"TEL;TYPE=CELL", b"TITLE:Head chef\r\nTEL;TYPE=CELL"))
    jane_before = (vault / "people" / "Jane Doe.md").read_text(encoding="utf-8")
    code, out, err = chain.round()
    assert code == 0, err
    assert "role: Head chef" in (vault / "people" / "Bob Baker.md").read_text(encoding="utf-8")
    assert (vault / "people" / "Jane Doe.md").read_text(encoding="utf-8") == jane_before

    # a note edit reaches the phone, and the phone's PHOTO, NOTE and X- lines survive mdnet's rewrite
    bob_path = vault / "people" / "Bob Baker.md"
    bob_path.write_text(bob_path.read_text(encoding="utf-8").replace("role: Head chef", "role: Owner"), "utf-8")
    code, out, err = chain.round()
    assert code == 0, err
    card = chain.phone_card("bob-on-the-phone").read_bytes().decode("utf-8")
    assert "TITLE:Owner" in card and "Head chef" not in card
    for line in BOB_CARD.split("\r\n"):
        if line.startswith(("PHOTO", " ", "X-", "NOTE", "EMAIL", "TEL")):
            assert line in card.split("\r\n"), line

    # both sides: the note wins, the card's value is reported
    jane_card_path = chain.phone_card("Jane Doe")
    jane_card_path.write_bytes(jane_card_path.read_bytes().replace(b"TITLE:IT Manager", b"TITLE:CIO"))
    jane_path = vault / "people" / "Jane Doe.md"
    jane_path.write_text(jane_path.read_text(encoding="utf-8").replace("role: IT Manager", "role: CTO"), "utf-8")
    code, out, err = chain.round()
    assert code == 0, err
    assert "conflict people/Jane Doe.md: role: kept the note's 'CTO', the card had 'CIO'" in out
    assert "TITLE:CTO" in chain.phone_card("Jane Doe").read_text(encoding="utf-8")

    # nothing changed: no file written on either side, no commit
    chain.vdirsyncer("sync")
    before, commits = chain.mtimes(), _commits(vault)
    code, out, err = chain.round()
    assert code == 0, err
    assert "nothing to change" in out
    assert chain.mtimes() == before
    assert _commits(vault) == commits

    # a phone deletion keeps the note, says so, and the card is not made again
    chain.phone_card("bob-on-the-phone").unlink()
    code, out, err = chain.round()
    assert code == 0, err
    assert "kept note people/Bob Baker.md: its card" in out
    assert bob_path.exists()
    assert not [p for p in chain.phone.iterdir() if "bob-on-the-phone" in p.read_text(encoding="utf-8")]
    code, out, err = chain.round()
    assert "nothing to change" in out and not [p for p in chain.vdir.iterdir() if "Bob" in p.read_text("utf-8")]


def test_an_archived_note_deletes_its_card_and_lost_state_deletes_nothing(chain: Chain) -> None:
    vault = chain.vault
    assert chain.round()[0] == 0
    (vault / ".mdnet-vdir.json").unlink()
    chain.phone_card("Jane Doe").unlink()
    code, out, err = chain.round()  # a first sync again: Jane's card comes back, nothing is deleted
    assert code == 0, err
    assert chain.phone_card("Jane Doe").exists() and (vault / "people" / "Bob Baker.md").exists()
    jane = vault / "people" / "Jane Doe.md"
    jane.write_text(jane.read_text(encoding="utf-8").replace("cadence: 30d", "status: archived"), "utf-8")
    code, out, err = chain.round()
    assert "deleted card" in out
    assert not [p for p in chain.phone.iterdir() if "Jane Doe" in p.read_text(encoding="utf-8")]
    assert jane.exists()
    assert ".mdnet-vdir.json" in (vault / ".gitignore").read_text(encoding="utf-8")
