"""The command line: JSON shapes, exit codes, one-line errors, discovery, as a user runs it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from tests.conftest import DEMO_DATE, run_cli, run_mdnet_process

GOOD = "---\nname: {name}\ncategory: client\ntags: [cloud]\ncadence: 30d\nlast_contact: 2026-10-21\n---\n# {name}\n"


@pytest.fixture
def small_vault(vault_dir: Path, write_note: Callable[..., Path]) -> Path:
    write_note("people/Jane Doe.md", GOOD.format(name="Jane Doe").replace("---\n#", "aliases: [JD]\n---\n#"))
    write_note("people/bob-overdue.md", GOOD.format(name="Bob Baker").replace("client", "vendor"))
    write_note("people/Bob Smith.md", "---\nname: Bob Smith\nneeds_reply: true\n---\n")
    write_note("people/José Álvarez.md", "---\nfollow_up: 2026-11-27\nfollow_up_note: ask about Q1\n---\n")
    return vault_dir


def cli(vault: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(vault), "--today", DEMO_DATE, *args)
    return result.code, result.out, result.err


def test_due_json_has_the_spec_shape(small_vault: Path) -> None:
    code, out, err = cli(small_vault, "due", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["date"] == DEMO_DATE and data["within_days"] == 7
    first = data["items"][0]
    assert set(first) >= {"name", "path", "bucket", "due", "days_overdue", "category", "tags", "reasons"}
    assert [(i["name"], i["bucket"]) for i in data["items"]] == [
        ("Bob Smith", "reply"), ("Bob Baker", "overdue"), ("Jane Doe", "overdue"), ("José Álvarez", "upcoming"),
    ]  # fmt: skip
    jane = data["items"][2]
    assert jane["reasons"] == [{"kind": "cadence", "due": "2026-11-20", "detail": "every 30d; last contact 2026-10-21"}]
    assert jane["days_overdue"] == 5 and jane["tags"] == ["cloud"]


def test_due_filters_and_window(small_vault: Path) -> None:
    _, out, _ = cli(small_vault, "due", "--json", "--category", "CLIENT")
    assert [i["name"] for i in json.loads(out)["items"]] == ["Jane Doe"]
    _, out, _ = cli(small_vault, "due", "--json", "--tag", "cloud", "--within", "0d")
    assert [i["name"] for i in json.loads(out)["items"]] == ["Bob Baker", "Jane Doe"]
    code, _, err = cli(small_vault, "due", "--within", "soon")
    assert code == 2 and err.startswith("mdnet: error: bad --within")


def test_human_due_table_names_every_bucket(small_vault: Path) -> None:
    code, out, _ = cli(small_vault, "due")
    assert code == 0
    for title in ("Immediate follow-up", "Overdue", "Coming up", "Jane Doe", "José Álvarez"):
        assert title in out


def test_list_and_show_json(small_vault: Path) -> None:
    _, out, _ = cli(small_vault, "list", "--json")
    contacts = json.loads(out)["contacts"]
    assert [c["name"] for c in contacts] == ["Bob Baker", "Bob Smith", "Jane Doe", "José Álvarez"]
    assert set(contacts[0]) == {"name", "path", "category", "tags", "cadence", "last_contact", "due"}
    assert contacts[2]["due"] == "2026-11-20"
    code, out, _ = cli(small_vault, "show", "jose", "--json")
    shown = json.loads(out)
    assert code == 0
    assert shown["name"] == "José Álvarez" and shown["fields"]["follow_up_note"] == "ask about Q1"
    assert shown["due"]["bucket"] == "upcoming"
    assert shown["last_contact"] is None


def test_unknown_and_ambiguous_names_exit_1_with_candidates(small_vault: Path) -> None:
    code, out, err = cli(small_vault, "show", "bob")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "people/bob-overdue.md" in err and "people/Bob Smith.md" in err
    code, _, err = cli(small_vault, "show", "Jnae Doe")
    assert code == 1 and "did you mean: Jane Doe (people/Jane Doe.md)" in err


def test_check_reports_quickfix_lines_and_exit_code(small_vault: Path, write_note: Callable[..., Path]) -> None:
    assert cli(small_vault, "check")[0] == 0
    write_note("people/Broken.md", "---\nname: Broken\nlast_contact: 2026-02-30\n---\n")
    code, out, _ = cli(small_vault, "check")
    assert code == 1
    assert out.startswith("people/Broken.md:3:1: error: bad date in last_contact")
    code, out, _ = cli(small_vault, "check", "--json")
    problem = json.loads(out)["problems"][0]
    assert problem == {"path": "people/Broken.md", "line": 3, "column": 1, "severity": "error",
                       "message": problem["message"]}  # fmt: skip
    code, out, _ = run_cli("--vault", str(small_vault), "check", "people/Jane Doe.md", cwd=small_vault)
    assert (code, out) == (0, "")


def test_bad_notes_are_warned_about_and_left_out(small_vault: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Broken.md", "---\nname: [unclosed\n---\n")
    write_note("people/Binary.md", "---\nname: X\n---\n")
    (small_vault / "people/Binary.md").write_bytes(b"---\nname: \xff\n---\n")
    code, out, err = cli(small_vault, "due", "--json")
    assert code == 0
    assert len(json.loads(out)["items"]) == 4
    assert "people/Broken.md:3:1: error: malformed YAML" in err and "people/Binary.md:2:7:" in err
    assert "Traceback" not in err


def test_report_is_brief_and_always_exits_0(small_vault: Path, tmp_path: Path) -> None:
    code, out, _ = cli(small_vault, "report")
    assert code == 0
    assert out.splitlines()[0] == f"mdnet {DEMO_DATE}: 1 reply, 2 overdue, 0 today, 1 upcoming"
    assert "reply owed: Bob Smith" in out and "overdue: Bob Baker (5d), Jane Doe (5d)" in out
    (small_vault / "people" / "Bob Smith.md").write_text("---\nname: Bob Smith\n---\n", encoding="utf-8")
    code, out, _ = cli(small_vault, "report")
    assert out.splitlines()[0] == f"mdnet {DEMO_DATE}: 0 replies, 2 overdue, 0 today, 1 upcoming"
    (small_vault / "mdnet.toml").write_text("contact_dirs = 3\n", encoding="utf-8")
    code, out, _ = cli(small_vault, "report")
    assert code == 0 and "contact_dirs" in out


def test_search_finds_words_and_prefixes(small_vault: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Sailor.md", "---\nname: Sam Sailor\ninterests: [sailing]\n---\nMet at the marina in Tempe.\n")
    _, out, _ = cli(small_vault, "search", "marina", "--json")
    assert [r["name"] for r in json.loads(out)["results"]] == ["Sam Sailor"]
    _, out, _ = cli(small_vault, "search", "sail", "--json")
    assert [r["name"] for r in json.loads(out)["results"]] == ["Sam Sailor"]
    _, out, _ = cli(small_vault, "search", "jose", "--json")
    assert [r["name"] for r in json.loads(out)["results"]] == ["José Álvarez"]


def test_one_contact_is_counted_in_the_singular(small_vault: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Sailor.md", "---\nname: Sam Sailor\ninterests: [sailing]\n---\n")
    titles = {
        args: cli(small_vault, *args)[1].splitlines()[0].rstrip()
        for args in [
            ("list", "--tag", "cloud"),
            ("list", "--category", "vendor"),
            ("search", "sailing"),
            ("search", "cloud"),
        ]
    }
    assert titles == {
        ("list", "--tag", "cloud"): "2 contacts",
        ("list", "--category", "vendor"): "1 contact",
        ("search", "sailing"): "1 contact matches 'sailing'",
        ("search", "cloud"): "2 contacts match 'cloud'",
    }


@pytest.mark.parametrize("args", [["due"], ["list"], ["show", "jane"], ["search", "cloud"]])
def test_tables_have_no_trailing_spaces(small_vault: Path, args: list[str]) -> None:
    """`:r !mdnet due` in vim, or the output pasted into a note: a title or card padded to the
    table's width leaves trailing spaces on the line, which editors and `git diff --check` flag."""
    code, out, _ = cli(small_vault, *args)
    assert code == 0
    assert [line for line in out.splitlines() if line != line.rstrip()] == []
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_index_prints_counts_and_rebuilds(small_vault: Path) -> None:
    code, out, _ = cli(small_vault, "index", "--json")
    assert code == 0 and json.loads(out)["contacts"] == 4
    code, out, _ = cli(small_vault, "index", "--rebuild", "--json")
    data = json.loads(out)
    assert data["rebuilt"] and data["added"] == 4


def test_init_and_add_make_a_working_vault(tmp_path: Path) -> None:
    root = tmp_path / "net"
    code, out, _ = run_cli("init", str(root))
    assert code == 0 and "mdnet.toml" in out
    assert (root / ".gitignore").read_text() == ".mdnet/\n"
    assert run_cli("init", str(root)).out.endswith("nothing to do\n")
    options = ["--category", "client", "--tag", "cloud", "--email", "jane@acme.example", "--company", "Acme Corp"]
    code, out, _ = run_cli("--vault", str(root), "add", "Jane Doe", *options, "--role", "IT Manager")
    assert (code, out) == (0, "added people/Jane Doe.md\n")
    text = (root / "people/Jane Doe.md").read_text()
    assert 'company: "[[Acme Corp]]"' in text and "cadence: 90d" in text and "email: [jane@acme.example]" in text
    code, _, err = run_cli("--vault", str(root), "add", "jane doe")
    assert code == 1 and "already a contact" in err
    code, out, _ = run_cli("--vault", str(root), "add", "../../Evil/Name")
    assert code == 0 and out == "added people/Evil Name.md\n"
    assert sorted(p.name for p in (root / "people").iterdir()) == ["Evil Name.md", "Jane Doe.md"]


def test_add_uses_the_vault_template_and_slug_names(tmp_path: Path) -> None:
    root = tmp_path / "net"
    run_cli("init", str(root))
    (root / "mdnet.toml").write_text('file_names = "slug"\n', encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates/contact.md").write_text(
        "---\nname: {{name}}\ntype: contact  # keep\ncadence: 30d\n---\n# {{title}}\nAdded {{date}}\n\n## Log\n"
    )
    run_cli("--vault", str(root), "--today", DEMO_DATE, "add", "José Álvarez", "--cadence", "2w")
    text = (root / "people/jose-alvarez.md").read_text()
    assert text == (
        "---\nname: José Álvarez\ntype: contact  # keep\ncadence: 2w\n---\n# José Álvarez\nAdded 2026-11-25\n\n## Log\n"
    )


def test_vault_discovery_and_environment(small_vault: Path, tmp_path: Path) -> None:
    nested = small_vault / "people"
    result = run_mdnet_process("--today", DEMO_DATE, "list", "--json", cwd=nested)
    assert len(json.loads(result.out)["contacts"]) == 4
    result = run_mdnet_process("list", "--json", cwd=tmp_path, env={"MDNET_VAULT": str(small_vault)})
    assert len(json.loads(result.out)["contacts"]) == 4
    result = run_mdnet_process("due", "--json", cwd=small_vault, env={"MDNET_TODAY": "2026-11-26"})
    assert json.loads(result.out)["date"] == "2026-11-26"


def test_a_folder_no_marker_makes_a_vault_is_read_but_gets_no_index(tmp_path: Path) -> None:
    """`mdnet due` typed in the home folder wrote `~/.mdnet/` there, which made the home folder and
    every folder below it a vault for good. It still reads the folder (SPEC: else the working
    directory) but keeps the index in memory and says so; a named vault keeps its index."""
    plain = tmp_path / "plain"
    (plain / "people").mkdir(parents=True)
    (plain / "people" / "Ann.md").write_text("---\nname: Ann\ncadence: 30d\n---\n", encoding="utf-8")
    (plain / "sub").mkdir()
    result = run_mdnet_process("--today", DEMO_DATE, "due", "--json", cwd=plain / "sub")
    assert result.code == 0, result.err
    assert json.loads(result.out)["items"] == []  # sub/ is the working directory: no people/ there
    result = run_mdnet_process("--today", DEMO_DATE, "due", "--json", cwd=plain)
    assert [item["name"] for item in json.loads(result.out)["items"]] == ["Ann"]
    assert result.err == (f"mdnet: warning: {plain.resolve()}: no mdnet.toml, .mdnet/ or .obsidian/ here or above; "
                          "read as a vault without saving an index (mdnet init makes it one)\n")  # fmt: skip
    assert not (plain / ".mdnet").exists() and not (plain / "sub" / ".mdnet").exists()
    named = run_mdnet_process("--today", DEMO_DATE, "due", "--json", cwd=tmp_path, env={"MDNET_VAULT": str(plain)})
    assert (named.code, named.err) == (0, "")
    assert (plain / ".mdnet" / "index.sqlite").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--vault", "/nonexistent/x", "due"], "not a folder"),
        (["--today", "tomorrow", "due"], "bad date for today"),
        (["due", "--nope"], "No such option"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_usage_exits_2_with_one_line(small_vault: Path, args: list[str], fragment: str) -> None:
    result = run_cli(*args, cwd=small_vault)
    assert result.code == 2
    assert result.err.startswith("mdnet: error: ") and fragment in result.err
    assert result.err.count("\n") == 1


@pytest.mark.parametrize("option", ["--today", "--vault"])
def test_a_global_option_after_the_command_says_where_it_goes(small_vault: Path, option: str) -> None:
    """`mdnet due --today 2026-11-25` is a natural thing to type; click's 'Did you mean --tag?' is no help."""
    result = run_cli("due", option, "x", cwd=small_vault)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"mdnet: error: {option} is an option of mdnet, not of 'due': put it before the command "
        f"(mdnet {option} {'DATE' if option == '--today' else 'PATH'} due)\n"
    )


def test_config_errors_are_one_line(small_vault: Path) -> None:
    (small_vault / "mdnet.toml").write_text("upcoming_days = 'x'\nbogus = 1\n", encoding="utf-8")
    code, _, err = cli(small_vault, "due")
    assert code == 2
    assert err == "mdnet: error: mdnet.toml: upcoming_days must be a whole number >= 0; unknown key 'bogus'\n"


def test_json_goes_to_stdout_only_and_debug_shows_tracebacks(small_vault: Path) -> None:
    result = run_mdnet_process("--vault", str(small_vault), "show", "nobody", "--json")
    assert result.code == 1 and result.out == ""
    result = run_mdnet_process("--debug", "--vault", str(small_vault), "show", "nobody")
    assert "Traceback" in result.err


def test_due_does_not_import_watchdog_git_or_rich(small_vault: Path) -> None:
    probe = (
        "import sys; from mdnet.cli.main import run\n"
        "try:\n    run(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('watchdog', 'git', 'rich', 'jinja2', 'ruamel'))\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", probe, "--vault", str(small_vault), "--today", DEMO_DATE, "due", "--json"],
        capture_output=True, text=True, check=True, env={k: v for k, v in os.environ.items() if k != "MDNET_TODAY"},
    )  # fmt: skip
    assert "HEAVY []" in result.stderr


def test_due_on_an_unchanged_vault_does_not_import_the_parser(small_vault: Path) -> None:
    """Reading the index needs no parser: the parser is imported only when a note has to be read."""
    probe = (
        "import sys; from mdnet.cli.main import run\n"
        "try:\n    run(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "parser = ('mdnet.note.contact', 'mdnet.note.frontmatter_yaml', 'mdnet.note.document', "
        "'mdnet.note.links', 'mdnet.store.rows')\n"
        "print('PARSER', sorted(m for m in sys.modules if m in parser), file=sys.stderr)"
    )
    import subprocess
    import sys

    for note in (small_vault / "people").iterdir():  # saved a minute ago: a note saved within 100 ms of a
        os.utime(note, (time.time() - 60, time.time() - 60))  # scan is "racy", and the next run reads it again
    command = [sys.executable, "-c", probe, "--vault", str(small_vault), "--today", DEMO_DATE, "due", "--json"]
    environment = {k: v for k, v in os.environ.items() if k != "MDNET_TODAY"}
    first = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    assert "PARSER []" not in first.stderr  # the first run indexes the vault: it reads every note
    second = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    assert "PARSER []" in second.stderr
    assert second.stdout == first.stdout
    table = subprocess.run(command[:-1], capture_output=True, text=True, check=True, env=environment)
    assert "PARSER []" in table.stderr  # the table shows wikilinks (mdnet.core.wikilinks), without the parser


def test_report_json_and_init_honours_existing_folders(small_vault: Path, tmp_path: Path) -> None:
    code, out, _ = cli(small_vault, "report", "--json")
    data = json.loads(out)
    assert code == 0
    assert data == {"date": DEMO_DATE, "counts": {"reply": 1, "overdue": 2, "today": 0, "upcoming": 1},
                    "reply": ["Bob Smith"], "overdue": ["Bob Baker", "Jane Doe"]}  # fmt: skip
    root = tmp_path / "existing"
    root.mkdir()
    (root / "mdnet.toml").write_text('contact_dirs = ["contacts/work"]\ndaily_dir = "journal"\n', encoding="utf-8")
    run_cli("init", str(root))
    assert (root / "contacts/work").is_dir() and (root / "journal").is_dir()
    assert not (root / "people").exists() and not (root / "daily").exists()


def test_init_in_an_obsidian_vault_with_daily_notes_set_up_makes_no_daily_folder(tmp_path: Path) -> None:
    """Obsidian's Daily notes settings decide where the daily note goes (docs/daily.md): an empty
    `daily/` beside the user's own Journal/ would be a folder mdnet never uses, in their file list."""
    root = tmp_path / "Main"
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "daily-notes.json").write_text('{"folder": "Journal"}', encoding="utf-8")
    result = run_cli("init", str(root))
    assert result.code == 0, result.err
    assert "daily/" not in result.out and "people/" in result.out
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [".git", ".obsidian", "people"]
    assert run_cli("--vault", str(root), "--today", DEMO_DATE, "daily").out == "created Journal/2026-11-25.md\n"
    plain = tmp_path / "Other"
    (plain / ".obsidian").mkdir(parents=True)  # Daily notes not set up: mdnet's daily_dir is used
    run_cli("init", str(plain))
    assert (plain / "daily").is_dir()


def test_init_inside_another_git_repository_says_where_commits_will_go(tmp_path: Path) -> None:
    """A home folder kept in git (dotfiles) holds ~/my-network: init makes no repository of its own
    there, so every `mdnet log` commits into the dotfiles; the user is told, once, at init."""
    import subprocess

    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(["git", "init", "-q", str(home)], check=True)
    result = run_cli("init", "my-network", cwd=home)
    assert result.code == 0, result.err
    assert ".git/" not in result.out
    assert result.out.splitlines()[1] == (
        f"my-network is inside the git repository {home.resolve()}: mdnet commits its notes there "
        "(for a repository of its own: git init my-network)"
    )
    again = run_cli("init", "my-network", cwd=home)
    assert again.out == "my-network is already a vault; nothing to do\n"
    alone = run_cli("init", str(tmp_path / "alone"))
    assert ".git/" in alone.out and len(alone.out.splitlines()) == 1


def test_show_prints_yaml_booleans_and_markup_stays_text(small_vault: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Kim.md", "---\nname: Kim\nvip: true\nfollow_up_note: send [b]the deck[/b]\n---\n")
    code, out, _ = cli(small_vault, "show", "kim")
    assert code == 0
    assert "true" in out and "True" not in out
    assert "send [b]the deck[/b]" in out


def test_add_refuses_a_name_that_is_an_alias_or_a_file_stem(small_vault: Path) -> None:
    for taken in ("jd", "BOB-OVERDUE", "José Álvarez"):
        code, _, err = cli(small_vault, "add", taken)
        assert code == 1 and "already a contact" in err, taken
    assert cli(small_vault, "add", "Bob Bakerson")[0] == 0


@pytest.mark.parametrize("args", [["due", "--json"], ["due"], ["list"], ["report"], ["show", "jane", "--json"]])
def test_a_reader_that_stops_early_is_not_an_error(small_vault: Path, args: list[str]) -> None:
    """``mdnet due --json | head -c 10``: the pipe's reader is gone before mdnet writes. That is
    the reader's choice, not a problem mdnet found (exit 1), and ``report`` always exits 0."""
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe now fails with EPIPE
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mdnet", "--vault", str(small_vault), "--today", DEMO_DATE, *args],
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_bare_zero_window_is_today_only_as_documented(small_vault: Path) -> None:
    """docs/due.md: "`--within 0d` (or `0`) is a window of zero days"; other bare numbers stay refused."""
    code, out, err = cli(small_vault, "due", "--json", "--within", "0")
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(cli(small_vault, "due", "--json", "--within", "0d")[1])
    assert json.loads(out)["within_days"] == 0
    assert cli(small_vault, "due", "--within", "3")[0] == 2


def test_a_stdout_that_is_not_utf8_gets_tables_and_utf8_json(small_vault: Path) -> None:
    """Under a Latin-1 locale (PYTHONIOENCODING stands in for one) a name Latin-1 cannot hold
    must not crash a table (it was exit 2 with a two-line message), and JSON stays UTF-8, as
    docs/commands.md promises and every JSON reader expects."""
    import subprocess
    import sys

    (small_vault / "people" / "Łukasz Nowak.md").write_text(
        "---\nname: Łukasz Nowak\nneeds_reply: true\n---\n# Łukasz Nowak\n\nMet at the café…\n", encoding="utf-8"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    environment["PYTHONIOENCODING"] = "latin-1"

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "mdnet", "--vault", str(small_vault), "--today", DEMO_DATE, *args]
        return subprocess.run(command, capture_output=True, env=environment, timeout=120, check=False)

    for args in (["due"], ["list"], ["show", "lukasz"], ["search", "cafe"]):
        result = run(*args)
        assert (result.returncode, result.stderr) == (0, b""), args
        assert "ukasz Nowak" in result.stdout.decode("latin-1")
    for args in (["due", "--json"], ["list", "--json"], ["show", "lukasz", "--json"]):
        result = run(*args)
        assert result.returncode == 0, args
        assert "Łukasz Nowak" in result.stdout.decode("utf-8")
        json.loads(result.stdout.decode("utf-8"))


def test_check_of_a_file_in_a_dot_folder_is_silent_like_the_scan(small_vault: Path) -> None:
    """SPEC 1: .obsidian/, .trash/, .git/ are never read as notes. A pre-commit hook passes every
    staged .md, including a note Obsidian moved to .trash/; `check FILE` must not judge it either."""
    bad = "---\nname: [unclosed\n---\n"
    for folder in (".trash", ".trash/people", ".obsidian", ".mdnet"):
        (small_vault / folder).mkdir(parents=True, exist_ok=True)
        (small_vault / folder / "Old.md").write_text(bad, encoding="utf-8")
    (small_vault / "people" / "Bad.md").write_text(bad, encoding="utf-8")
    files = [".trash/Old.md", ".trash/people/Old.md", ".obsidian/Old.md", ".mdnet/Old.md"]
    result = run_cli("--vault", str(small_vault), "check", *files, cwd=small_vault)
    assert (result.code, result.out, result.err) == (0, "", "")
    result = run_cli("--vault", str(small_vault), "check", *files, "people/Bad.md", cwd=small_vault)
    assert result.code == 1 and result.out.startswith("people/Bad.md:3:1: error: malformed YAML")
    assert result.out.count("\n") == 1


def test_errors_and_problems_stay_one_line_when_a_name_or_path_holds_a_newline(small_vault: Path) -> None:
    (small_vault / "people" / "Evil.md").write_text('---\nname: "Bob\\nEvil"\n---\n', encoding="utf-8")
    folder = small_vault / "people" / "two\nlines"
    folder.mkdir()
    (folder / "Bad.md").write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    code, _, err = cli(small_vault, "show", "bob")  # a name on two lines is an error: that note is left out
    assert code == 1 and err.startswith("mdnet: error: 'bob' is ambiguous: Bob Baker ") and "Evil" not in err
    assert err.count("\n") == 1
    code, out, err = cli(small_vault, "check")
    lines = out.splitlines()
    assert code == 1 and "people/Evil.md:2:1: error: name holds a line break; write the name on one line" in lines
    assert any(line.startswith("people/two\\nlines/Bad.md:3:1: error: malformed YAML") for line in lines)
    assert len(lines) == len(json.loads(cli(small_vault, "check", "--json")[1])["problems"])
    code, _, err = cli(small_vault, "due")
    assert code == 0 and err.count("\n") == 2
    assert err.splitlines()[1].startswith("mdnet: warning: people/two\\nlines/Bad.md:3:1:")


@pytest.mark.skipif(not hasattr(click.exceptions, "NoArgsIsHelpError"), reason="click < 8.2 prints the help itself")
@pytest.mark.parametrize("args", [["mail"], ["export"]])
def test_no_command_prints_the_help_as_help(args: list[str]) -> None:
    """A group without its command is bad usage (exit 2, as click has it), answered with the help text on
    stderr, as it reads: not squeezed into an error line with its line breaks written as \\n."""
    result = run_cli(*args)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("Usage: mdnet") and "\\n" not in result.err
    assert "Commands:" in result.err.splitlines()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every folder")
@pytest.mark.parametrize("mode", [0o300, 0o000])
def test_a_vault_folder_that_cannot_be_read_is_exit_2_not_an_empty_network(small_vault: Path, mode: int) -> None:
    """SPEC 4: an unreadable vault is exit 2. A vault that could not be listed answered 'Nobody is
    due' (exit 0), or blamed mdnet.toml when even that could not be looked at."""
    from mdnet.errors import VaultError
    from mdnet.vault.facade import Vault

    small_vault.chmod(mode)
    try:
        result = run_cli("--vault", str(small_vault), "--today", DEMO_DATE, "due")
        with pytest.raises(VaultError, match="cannot read the vault"):
            Vault.open(small_vault)
    finally:
        small_vault.chmod(0o755)
    assert result.code == 2 and result.out == ""
    assert result.err == f"mdnet: error: {small_vault}: cannot read the vault: Permission denied\n"


def test_check_of_a_symlinked_note_checks_it_where_the_link_is(small_vault: Path, tmp_path: Path) -> None:
    """The scan reads a symlinked note as the vault's (decisions.md), and git stages the link's own
    path; `check FILE` resolved the link and called the note 'not inside the vault', which would
    fail the pre-commit hook on every commit that touches it. (A link out of the vault is refused:
    tests/system/test_security_paths.py; this one points to a file inside it.)"""
    shared = small_vault / "shared"
    shared.mkdir()
    (shared / "Ben.md").write_text("---\nname: Ben\nlast_contact: 2026-02-30\n---\n", encoding="utf-8")
    (small_vault / "people" / "Ben.md").symlink_to(Path("..") / "shared" / "Ben.md")
    whole = run_cli("--vault", str(small_vault), "check", cwd=small_vault)
    one = run_cli("--vault", str(small_vault), "check", "people/Ben.md", cwd=small_vault)
    assert whole.out.startswith("people/Ben.md:3:1: error: bad date in last_contact")
    assert (one.code, one.out) == (1, whole.out.splitlines(keepends=True)[0])


@pytest.mark.parametrize("args", [["due", "--json"], ["list", "--json"], ["due"]])
def test_a_stdout_closed_from_the_start_is_like_a_reader_that_left(small_vault: Path, args: list[str]) -> None:
    """`mdnet due --json >&-` (a cron line that closes stdout): Python has no sys.stdout at all, and
    the JSON commands failed with 'unexpected AttributeError' (exit 2)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mdnet", "--vault", str(small_vault), "--today", DEMO_DATE, *args],
        preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")


def test_show_says_the_due_date_once_and_a_reasons_date_only_where_it_differs(vault_dir: Path) -> None:
    """The card read ``today, today - cadence 2026-11-25: ...``: the bucket and each reason's date
    repeated the due date in front of them.

    Bo's follow_up was 2026-11-28 here; since SPEC 3's "an explicit date beats the rhythm" (issue 14) a
    follow_up after today holds back the cadence, so Bo's is now in the past (2026-11-20), which keeps both
    reasons, and Di has the future one: upcoming on its date, with no cadence line."""
    note = "---\nname: Bo\ncadence: 30d\nlast_contact: 2026-10-01\nfollow_up: 2026-11-20\n---\n"
    (vault_dir / "people" / "Bo.md").write_text(note, encoding="utf-8")
    (vault_dir / "people" / "Cy.md").write_text("---\nname: Cy\ncadence: 30d\n---\n", encoding="utf-8")
    (vault_dir / "people" / "Di.md").write_text(note.replace("Bo", "Di").replace("11-20", "11-28"), encoding="utf-8")
    bo = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "show", "Bo").out
    cy = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "show", "Cy").out
    di = run_cli("--vault", str(vault_dir), "--today", DEMO_DATE, "show", "Di").out
    due_bo = " ".join(bo[bo.index("\nDue") :].split())  # the row, unwrapped
    assert (
        due_bo
        == "Due 2026-10-31 (25d ago) - cadence: every 30d; last contact 2026-10-01; follow_up 2026-11-20: follow up"
    )
    assert "Due           today - cadence: every 30d; no contact yet\n" in cy
    assert " ".join(di[di.index("\nDue") :].split()) == "Due 2026-11-28 (in 3d) - follow up"


def test_counts_a_person_reads_are_singular_for_one(vault_dir: Path, tmp_path: Path) -> None:
    """`mdnet index` said "1 notes, 1 contacts" and `export vcard` "exported 1 contacts"."""
    (vault_dir / "people" / "Ann.md").write_text("---\nname: Ann\n---\n", encoding="utf-8")
    indexed = run_cli("--vault", str(vault_dir), "index")
    assert indexed.out.startswith("indexed: 1 note, 1 contact; 1 added, 0 updated, 0 removed; 0 problems in"), (
        indexed.out
    )
    exported = run_cli("--vault", str(vault_dir), "export", "vcard", "--out", str(tmp_path / "all.vcf"))
    assert exported.out == f"exported 1 contact to {tmp_path / 'all.vcf'}\n"
