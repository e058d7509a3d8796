"""`add` with names that are hard to write: the note reads back with exactly the name given."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdnet
from mdnet.core import naming
from tests.conftest import DEMO_DATE, examples, run_cli

TEMPLATE = (
    "---\n"
    "name: {{name}}\n"
    "aliases: [{{name}}]\n"
    'title: "{{title}}"\n'
    "nick: '{{name}}'\n"
    "summary: {{name}} met on {{date}}  # filled by add\n"
    "created: {{date}}\n"
    "others:\n"
    "  - {{title}}\n"
    "---\n"
    "# {{name}}\n\n## Log\n"
)
HARD_NAMES = [
    'Ann "AJ" Lee',
    "Bo: Co",
    "Dee #x",
    "- Eve",
    "* Star",
    "[[Fay]]",
    "Gus, Hal",
    "{Ivy}",
    "Jo's",
    "null",
    "yes",
    "~ Tilde",
    "&anchor",
    "!tag",
    "%pct",
    "@at",
    "`tick`",
    "a\\b",
    "x" * 300,
    "¯",  # NFKD makes it a space and an accent: it folded to nothing, and nothing found it
]


def _vault_with_template(root: Path) -> mdnet.Vault:
    run_cli("init", str(root))
    (root / "templates").mkdir()
    (root / "templates/contact.md").write_text(TEMPLATE, encoding="utf-8")
    return mdnet.Vault.open(root)


def _assert_reads_back(vault: mdnet.Vault, path: Path, name: str) -> None:
    assert vault.check([path]) == []
    contact = vault.get(path.stem)
    assert contact.name == name
    assert contact.aliases == (name,)
    assert contact.fields["title"] == name
    assert contact.fields["nick"] == name
    assert contact.fields["summary"] == f"{name} met on {DEMO_DATE}"
    assert contact.fields["others"] == [name]
    assert str(contact.fields["created"]) == DEMO_DATE
    text = path.read_text(encoding="utf-8")
    assert "  # filled by add\n" in text
    assert f"\ncreated: {DEMO_DATE}\n" in text


@pytest.mark.parametrize("name", HARD_NAMES)
def test_template_placeholders_give_yaml_that_reads_back_the_name(tmp_path: Path, name: str) -> None:
    vault = _vault_with_template(tmp_path / "net")
    path = vault.add(name, today=DEMO_DATE)
    _assert_reads_back(vault, path, name)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40))
def test_template_placeholders_read_back_any_name(name: str) -> None:
    name = " ".join(name.split())
    if not name:
        return
    with tempfile.TemporaryDirectory() as temp:
        vault = _vault_with_template(Path(temp) / "net")
        path = vault.add(name, today=DEMO_DATE)
        _assert_reads_back(vault, path, name)


@pytest.mark.parametrize("name", ["AC/DC", "Either/Or Ltd", "M/S Group"])
def test_a_name_with_a_slash_is_found_by_that_name(tmp_path: Path, name: str) -> None:
    root = tmp_path / "net"
    run_cli("init", str(root))
    vault = mdnet.Vault.open(root)
    path = vault.add(name)
    assert vault.get(name).path == path.relative_to(root).as_posix()
    contacts = vault.contacts()
    assert naming.find_contact(contacts, name).name == name
    code, out, err = run_cli("--vault", str(root), "show", name)
    assert code == 0, err


@pytest.mark.parametrize(
    ("name", "stem"),
    [("aux.md", "aux-contact.md"), ("con.txt", "con-contact.txt"), ("LPT1.tar.gz", "LPT1-contact.tar.gz"),
     ("COM¹", "COM¹-contact"), ("CON", "CON-contact"), ("Conrad", "Conrad")],
)  # fmt: skip
def test_windows_device_names_with_an_extension_get_a_suffix(name: str, stem: str) -> None:
    assert naming.file_stem(name) == stem


@pytest.mark.parametrize(
    ("mode", "first", "second", "second_file"),
    [
        ("title", "Jane Doe", "Jane: Doe", "Jane Doe 2.md"),
        ("title", "~", "...", "contact 2.md"),
        ("slug", "Ann Marie", "Ann.Marie", "ann-marie-2.md"),
        ("slug", "张伟", "李娜", "contact-2.md"),
    ],
)
def test_two_names_with_one_file_name_give_two_notes(
    tmp_path: Path, mode: str, first: str, second: str, second_file: str
) -> None:
    root = tmp_path / "net"
    run_cli("init", str(root))
    (root / "mdnet.toml").write_text(f'file_names = "{mode}"\n', encoding="utf-8")
    vault = mdnet.Vault.open(root)
    one = vault.add(first)
    two = vault.add(second)
    assert two.name == second_file
    assert one.exists()
    assert vault.get(second).path == f"people/{second_file}"
    assert vault.get(first).path == one.relative_to(root).as_posix()


def test_a_file_name_differing_only_in_case_is_not_reused(tmp_path: Path) -> None:
    """On macOS and Windows people/Ann.md and people/ann.md are one file: a clone would lose one."""
    root = tmp_path / "net"
    run_cli("init", str(root))
    (root / "people/ann.md").write_text("---\nname: Ann Other\n---\n", encoding="utf-8")
    vault = mdnet.Vault.open(root)
    path = vault.add("Ann:")
    assert path.name == "Ann 2.md"
    assert vault.get("Ann:").path == "people/Ann 2.md"


def test_a_broken_note_with_that_file_name_is_not_sidestepped(tmp_path: Path) -> None:
    root = tmp_path / "net"
    run_cli("init", str(root))
    (root / "people/Jane Doe.md").write_text("---\nname: [oops\n---\n", encoding="utf-8")
    code, _out, err = run_cli("--vault", str(root), "add", "Jane Doe")
    assert code == 1
    assert "people/Jane Doe.md" in err
    assert sorted(p.name for p in (root / "people").iterdir()) == ["Jane Doe.md"]


def test_a_token_in_a_block_scalar_or_a_nested_value_reads_back_too(tmp_path: Path) -> None:
    root = tmp_path / "net"
    run_cli("init", str(root))
    (root / "templates").mkdir()
    (root / "templates/contact.md").write_text(
        "---\r\nname: {{name}}\r\nbio: |\r\n  {{name}} is a friend\r\n  second line\r\n"
        "meta: {who: {{name}}, since: {{date}}}\r\nmore:\r\n  said: '{{name}} said so'\r\n---\r\n# {{title}}\r\n",
        encoding="utf-8",
    )
    vault = mdnet.Vault.open(root)
    name = 'Ann: "AJ" #1, it\'s'
    path = vault.add(name, today=DEMO_DATE)
    assert vault.check([path]) == []
    fields = vault.get(name).fields
    assert fields["bio"] == f"{name} is a friend\nsecond line\n"
    assert fields["meta"] == {"who": name, "since": DEMO_DATE}
    assert fields["more"] == {"said": f"{name} said so"}
    assert b"\r\nbio: |\r\n  Ann: " in path.read_bytes()  # the block scalar stays one, in CRLF
