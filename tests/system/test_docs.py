"""Every command is documented, and every docs page is reachable from the README."""

from __future__ import annotations

import re

import click

from mdnet.cli import LAZY_COMMANDS, main
from tests.conftest import REPO_ROOT

COMMANDS_PAGE = (REPO_ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_a_section_in_commands_md() -> None:
    context = click.Context(main)
    names = set(main.list_commands(context)) | set(LAZY_COMMANDS)
    documented = set(re.findall(r"^## `mdnet ([a-z-]+)`", COMMANDS_PAGE, flags=re.MULTILINE))
    assert sorted(names - documented) == []
    assert sorted(documented - names) == []


def test_every_command_has_help_text() -> None:
    context = click.Context(main)
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None and (command.help or "").strip(), name


def test_every_docs_page_is_linked_from_the_readme() -> None:
    pages = sorted(p.name for p in (REPO_ROOT / "docs").glob("*.md"))
    missing = [page for page in pages if f"docs/{page}" not in README]
    assert missing == []


def test_readme_starts_with_the_two_commands() -> None:
    first_section = README.split("\n## ", 2)[1]
    assert "make run" in first_section and "make test" in first_section
