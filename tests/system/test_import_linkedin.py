"""`mdnet import linkedin` over real LinkedIn-shaped exports (a folder and a zip) into real git vaults,
job changes as news, the `news` due reason and `mdnet news`."""

from __future__ import annotations

import json
import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mdnet.interop.import_merge import profile_url
from mdnet.interop.linkedin_jobs import company_key
from mdnet.interop.linkedin_read import repair
from tests.conftest import git, run_cli, run_mdnet_process

ME = "https://www.linkedin.com/in/me-myself"
JANE = "https://www.linkedin.com/in/janedoe"
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    'You will only see email addresses for connections who have allowed their connections to see or download it."\n'
    "\n"
)
CONNECTIONS = PREAMBLE + (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On,Extra Column\n"
    "Jane,Doe,https://www.linkedin.com/in/JaneDoe/,,Acme Corp,IT Manager,12 Mar 2024,x\n"
    "JosÃ©,GarcÃ\xada,https://www.linkedin.com/in/jose-garcia?trk=abc,,Initech,Engineer,01 Jan 2025,y\n"
    "Bob,Baker,https://www.linkedin.com/in/bob-baker,bob@globex.example,Globex,CTO,02 Feb 2023,\n"
)
MESSAGES_HEADER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,"
    "FOLDER,ATTACHMENTS,IS MESSAGE DRAFT\n"
)
MESSAGES = MESSAGES_HEADER + (
    f"c1,,Me Myself,{ME},Jane Doe,{JANE},2026-11-09 12:00:00 UTC,Coffee?,Shall we meet,INBOX,,No\n"
    f'c1,,Jane Doe,{JANE},Me Myself,{ME},2026-11-10 12:00:00 UTC,,"Sure - Tuesday works\nfor me",INBOX,,No\n'
    f"c1,,Jane Doe,{JANE},Me Myself,{ME},2026-11-10 13:00:00 UTC,,And bring the deck,INBOX,,No\n"
    f"c2,Team,Bob Baker,https://www.linkedin.com/in/bob-baker,Me Myself;JosÃ© GarcÃ\xada,"
    f"{ME};https://www.linkedin.com/in/jose-garcia,2026-11-05 12:00:00 UTC,,Group hello,INBOX,,No\n"
    f"c2,Team,Me Myself,{ME},Bob Baker;JosÃ© GarcÃ\xada,"
    f"https://www.linkedin.com/in/bob-baker;https://www.linkedin.com/in/jose-garcia,"
    f"2026-11-06 12:00:00 UTC,,Hi both,INBOX,,No\n"
    f"c3,,Me Myself,{ME},Bob Baker,https://www.linkedin.com/in/bob-baker,2026-11-20 12:00:00 UTC,,"
    f"A draft never sent,DRAFT,,Yes\n"
    f"c4,,LinkedIn Guide,,Me Myself,{ME},2026-11-21 12:00:00 UTC,,Tips from your guide,INBOX,,No\n"
    f"c5,,Stranger Danger,https://www.linkedin.com/in/stranger,Me Myself,{ME},2026-11-01 12:00:00 UTC,,"
    f"Buy my thing,INBOX,,No\n"
)
INVITATIONS = (
    "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
    'Me Myself,Bob Baker,"10/1/26, 4:05 PM",Great talk at the meetup!,OUTGOING,'
    f"{ME},https://www.linkedin.com/in/bob-baker\n"
    f'Jane Doe,Me Myself,"9/1/26, 4:05 PM",,INCOMING,{JANE},{ME}\n'
)
PROFILE = "First Name,Last Name,Headline\nMe,Myself,Builder\n"
TODAY = "2026-11-25"


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def write_export(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    names = {"connections": "Connections.csv", "messages": "messages.csv", "invitations": "Invitations.csv",
             "profile": "Profile.csv", "guide": "guide_messages.csv"}  # fmt: skip
    for key, text in files.items():
        (folder / names[key]).write_text(text, encoding="utf-8")
    return folder


def full_export(tmp_path: Path, **overrides: str) -> Path:
    files = {
        "connections": CONNECTIONS,
        "messages": MESSAGES,
        "invitations": INVITATIONS,
        "profile": PROFILE,
        "guide": MESSAGES_HEADER + f"g1,,LinkedIn,,Me,{ME},2026-11-22 12:00:00 UTC,,Role play,INBOX,,No\n",
    }
    files.update(overrides)
    return write_export(tmp_path / "export", **files)


def as_zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"Basic_LinkedInDataExport/{path.name}")
    return target


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def run_import(root: Path, source: Path, *extra: str) -> tuple[int, str, str]:
    code, out, err = run_cli("--vault", str(root), "--today", TODAY, "import", "linkedin", str(source), *extra)
    return code, out, err


def read(root: Path, name: str) -> str:
    return (root / "people" / f"{name}.md").read_text(encoding="utf-8")


@pytest.fixture
def vault(git_vault: Path) -> Path:
    (git_vault / "people" / "Jane Doe.md").write_text(
        "---\nname: Jane Doe\ncategory: client  # keep\n---\n# Jane Doe\n\n## Log\n- 2026-10-01 call: intro\n",
        encoding="utf-8",
    )
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "Jane")
    return git_vault


def test_folder_import_creates_links_logs_and_owes(vault: Path, tmp_path: Path) -> None:
    code, out, err = run_import(vault, full_export(tmp_path))
    assert code == 0, err
    jane = read(vault, "Jane Doe")
    assert f"linkedin: {JANE}\n" in jane  # lower case, no trailing slash
    assert "category: client  # keep\n" in jane
    assert "- 2026-11-10 linkedin: Sure - Tuesday works for me\n- 2026-11-09 linkedin: Coffee?\n" in jane
    assert "needs_reply: 2026-11-10" in jane  # the conversation's last message is hers
    jose = read(vault, "José García")  # mojibake repaired
    assert "linkedin: https://www.linkedin.com/in/jose-garcia\n" in jose
    assert "- 2026-11-06 linkedin: Hi both\n- 2026-11-05 linkedin: Group hello\n" in jose  # group conversation
    bob = read(vault, "Bob Baker")
    assert "- 2026-11-06 linkedin: Hi both" in bob
    assert "A draft never sent" not in bob  # drafts are never logged
    assert "- 2026-10-01 linkedin: invitation: Great talk at the meetup!" in bob
    assert "needs_reply" not in bob  # I wrote last in the group
    assert not any("Guide" in p.read_text(encoding="utf-8") for p in (vault / "people").glob("*.md"))
    assert "Stranger Danger (1)" in out  # people worth adding
    log = git(vault, "log", "--format=%B")
    assert "LinkedIn-Conversation: c1 2026-11-10" in log
    assert git(vault, "status", "--porcelain").strip() == ""  # everything committed


def test_reimport_writes_nothing_even_without_the_index(vault: Path, tmp_path: Path) -> None:
    export = full_export(tmp_path)
    assert run_import(vault, export)[0] == 0
    before = commits(vault)
    snapshot = {p.name: p.read_bytes() for p in (vault / "people").glob("*.md")}
    shutil.rmtree(vault / ".mdnet", ignore_errors=True)
    code, out, err = run_import(vault, export)
    assert code == 0, err
    assert commits(vault) == before
    assert {p.name: p.read_bytes() for p in (vault / "people").glob("*.md")} == snapshot
    assert "8 conversation days with contacts, 8 imported before" in out or "imported before" in out


def test_zip_gives_what_the_folder_gives(vault: Path, tmp_path: Path) -> None:
    archive = as_zip(full_export(tmp_path), tmp_path / "Basic_LinkedInDataExport_11-25-2026.zip")
    code, _out, err = run_import(vault, archive)
    assert code == 0, err
    assert "needs_reply: 2026-11-10" in read(vault, "Jane Doe")
    assert (vault / "people" / "José García.md").exists()


def test_no_reply_owed_after_a_later_interaction(vault: Path, tmp_path: Path) -> None:
    path = vault / "people" / "Jane Doe.md"
    path.write_text(path.read_text(encoding="utf-8") + "- 2026-11-12 coffee: met\n", encoding="utf-8")
    git(vault, "commit", "-qam", "coffee")
    assert run_import(vault, full_export(tmp_path))[0] == 0
    assert "needs_reply" not in read(vault, "Jane Doe")


def test_utc_times_become_local_days(vault: Path, tmp_path: Path) -> None:
    os.environ["TZ"] = "America/Phoenix"  # UTC-7 all year
    time.tzset()
    (vault / "mdnet.toml").write_text(f'contact_dirs = ["people"]\nmy_linkedin = "{ME}"\n', encoding="utf-8")
    late = MESSAGES_HEADER + f"c9,,Jane Doe,{JANE},Me Myself,{ME},2026-11-10 03:00:00 UTC,,Late night,INBOX,,No\n"
    export = write_export(tmp_path / "tz", connections=CONNECTIONS, messages=late)
    code, _out, err = run_import(vault, export)
    assert code == 0, err
    assert "- 2026-11-09 linkedin: Late night" in read(vault, "Jane Doe")


def test_missing_url_column_and_name_matching(vault: Path, tmp_path: Path) -> None:
    no_url = "First Name,Last Name,Company,Position,Connected On\nJane,Doe,Acme,IT Manager,12 Mar 2024\n"
    code, out, err = run_import(vault, write_export(tmp_path / "old", connections=no_url))
    assert code == 0, err
    jane = read(vault, "Jane Doe")
    assert 'company: "[[Acme]]"' in jane and "linkedin:" not in jane
    assert "updated Jane Doe" in out


def job_export(tmp_path: Path, name: str, company: str, role: str) -> Path:
    rows = f'First Name,Last Name,URL,Company,Position,Connected On\nJane,Doe,{JANE},"{company}",{role},12 Mar 2024\n'
    return write_export(tmp_path / name, connections=rows)


def due_json(root: Path, today: str) -> dict[str, object]:
    code, out, err = run_cli("--vault", str(root), "--today", today, "due", "--json", "--within", "60d")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def reasons(data: dict[str, object], name: str) -> list[dict[str, str]]:
    items = [i for i in data["items"] if i["name"] == name]  # type: ignore[attr-defined]
    return items[0]["reasons"] if items else []  # type: ignore[no-any-return]


def test_job_change_is_news_until_the_next_interaction(vault: Path, tmp_path: Path) -> None:
    assert run_import(vault, job_export(tmp_path, "a", "Acme Corp", "IT Manager"))[0] == 0
    first = read(vault, "Jane Doe")
    assert "news:" not in first and "## Career" not in first  # the first link makes no news
    assert run_import(vault, job_export(tmp_path, "b", "ACME Corp., Inc.", "IT Manager"))[0] == 0
    assert read(vault, "Jane Doe") == first  # the same company, spelled otherwise
    assert run_import(vault, job_export(tmp_path, "c", "", ""))[0] == 0
    assert read(vault, "Jane Doe") == first  # blank new values are no change
    before = commits(vault)
    code, out, err = run_import(vault, job_export(tmp_path, "d", "Initech", "VP Engineering"))
    assert code == 0, err
    jane = read(vault, "Jane Doe")
    assert 'company: "[[Initech]]"\n' in jane and "role: VP Engineering\n" in jane
    assert "## Career\n- 2026-11-25 IT Manager at Acme Corp → VP Engineering at Initech (LinkedIn)\n" in jane
    assert 'news: "2026-11-25 changed jobs: now VP Engineering at Initech"\n' in jane
    assert commits(vault) == before + 1 and "1 job change" in out
    found = reasons(due_json(vault, TODAY), "Jane Doe")
    detail = "changed jobs: now VP Engineering at Initech: congratulate them"
    assert {"kind": "news", "due": TODAY, "detail": detail} in found
    assert not any(r["kind"] == "news" for r in reasons(due_json(vault, "2026-12-26"), "Jane Doe"))  # 31 days on
    # another position at the same company is a change too
    assert run_import(vault, job_export(tmp_path, "e", "Initech Inc", "CTO"))[0] == 0
    assert "VP Engineering at Initech → CTO at Initech (LinkedIn)" in read(vault, "Jane Doe")
    code, _out, err = run_cli("--vault", str(vault), "--today", "2026-11-26", "log", "Jane", "congrats sent")
    assert code == 0, err
    assert not any(r["kind"] == "news" for r in reasons(due_json(vault, "2026-11-26"), "Jane Doe"))


def test_news_command_sets_news_and_commits(vault: Path) -> None:
    before = commits(vault)
    code, out, err = run_cli("--vault", str(vault), "--today", TODAY, "news", "Jane", "moved", "to", "Berlin")
    assert code == 0, err
    assert "news: 2026-11-25 moved to Berlin\n" in read(vault, "Jane Doe")
    assert commits(vault) == before + 1 and "committed" in out
    assert {"kind": "news", "due": TODAY, "detail": "news: moved to Berlin; ask them about it"} in reasons(
        due_json(vault, TODAY), "Jane Doe"
    )
    code, out, err = run_cli("--vault", str(vault), "--today", TODAY, "brief", "Jane", "--json")
    assert code == 0, err
    assert json.loads(out)["news"] == "2026-11-25 moved to Berlin"
    code, _out, err = run_cli("--vault", str(vault), "--today", TODAY, "daily", "--print")
    assert code == 0, err
    assert "moved to Berlin" in _out


@pytest.mark.parametrize(
    ("files", "wanted"),
    [
        ({"connections": "Name,Phone\nJane,123\n"}, "Connections.csv: not LinkedIn's"),
        ({"messages": "Subject,Body\nx,y\n"}, "messages.csv: not LinkedIn's"),
        ({"profile": PROFILE}, "not a LinkedIn export"),
        ({"connections": CONNECTIONS, "messages": "".join(MESSAGES.splitlines(keepends=True)[:2])}, "my_linkedin"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(vault: Path, tmp_path: Path, files: dict[str, str],
                                                  wanted: str) -> None:  # fmt: skip
    export = write_export(tmp_path / "bad", **files)  # my_linkedin: one conversation of two, no draft, no profile
    before = commits(vault)
    result = run_mdnet_process("--vault", str(vault), "--today", TODAY, "import", "linkedin", str(export))
    assert result.code == 2, result.err
    assert wanted in result.err and len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert commits(vault) == before and git(vault, "status", "--porcelain").strip() == ""


def test_a_zip_without_the_files_and_a_broken_zip(vault: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("Profile.csv", PROFILE)
    code, _out, err = run_import(vault, empty)
    assert code == 2 and "empty.zip: not a LinkedIn export" in err
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    code, _out, err = run_import(vault, broken)
    assert code == 2 and "broken.zip: not a readable zip file" in err


def test_my_linkedin_in_the_config_settles_who_i_am(vault: Path, tmp_path: Path) -> None:
    (vault / "mdnet.toml").write_text(f'contact_dirs = ["people"]\nmy_linkedin = "{ME.upper()}/"\n', encoding="utf-8")
    no_drafts = MESSAGES.replace(",DRAFT,,Yes", ",INBOX,,No")
    code, _out, err = run_import(vault, write_export(tmp_path / "x", connections=CONNECTIONS, messages=no_drafts))
    assert code == 0, err
    assert "needs_reply: 2026-11-10" in read(vault, "Jane Doe")


def test_dry_run_writes_nothing(vault: Path, tmp_path: Path) -> None:
    before = commits(vault)
    code, out, err = run_import(vault, full_export(tmp_path), "--dry-run")
    assert code == 0, err
    assert "would create" in out and commits(vault) == before
    assert git(vault, "status", "--porcelain").strip() == ""


def test_pure_helpers() -> None:
    assert repair("JosÃ© GarcÃ\xada") == "José García"
    assert repair("Zoë") == "Zoë" and repair("Ã alone") == "Ã alone"
    assert company_key("Acme Corp, Inc.") == company_key("acme") == company_key("[[ACME]]")
    assert company_key("Initech") != company_key("Acme")
    assert profile_url("HTTPS://www.LinkedIn.com/in/Jane/?trk=1") == "https://www.linkedin.com/in/jane"


@pytest.mark.slow
def test_a_failed_commit_is_made_by_the_next_import(vault: Path, tmp_path: Path) -> None:
    """Issue 19: the notes written while git was locked are committed by the next import, not just recorded."""
    export = full_export(tmp_path)
    lock = vault / ".git" / "index.lock"
    lock.write_text("")
    os.utime(lock, (time.time() - 60, time.time() - 60))  # left by a killed git
    before = commits(vault)
    code, out, err = run_import(vault, export)
    assert code == 1, out + err
    assert commits(vault) == before
    assert "- 2026-11-10 linkedin: Sure - Tuesday works for me" in read(vault, "Jane Doe")
    lock.unlink()
    code, out, err = run_import(vault, export)
    assert code == 0, out + err
    assert "committed people/Jane Doe.md, written earlier" in out
    assert git(vault, "show", "HEAD:people/Jane Doe.md").count("- 2026-11-10 linkedin: Sure - Tuesday works") == 1
    assert git(vault, "status", "--porcelain").strip() == ""  # every note the first import wrote
