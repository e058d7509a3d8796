"""The docs name only commands, links, modules and anchors that exist; every page is reachable from the README."""

from __future__ import annotations

import importlib
import re

import click

import mdnet
from mdnet.cli.main import LAZY_COMMANDS, main
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


def _anchors(markdown: str) -> set[str]:
    """The #anchors of a page's headings, as GitHub makes them (the -1, -2 of repeats too)."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} +(.*?)\s*$", _without_code_blocks(markdown), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _without_code_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)


def test_every_relative_link_and_anchor_in_the_docs_exists() -> None:
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", _without_code_blocks(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            file, _, anchor = target.partition("#")
            dest = (page.parent / file) if file else page
            if not dest.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and anchor not in _anchors(dest.read_text(encoding="utf-8")):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_every_mdnet_command_the_docs_name_exists() -> None:
    """`mdnet NAME` in running text and `$ mdnet [--global X] NAME` in examples: a real command."""
    context = click.Context(main)
    names = set(main.list_commands(context)) | set(LAZY_COMMANDS)
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    unknown = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        named = re.findall(r"`mdnet ([a-z][a-z-]+)", text)
        named += re.findall(r"^\$ mdnet (?:--[a-z]+ \S+ )*([a-z][a-z-]+)", text, flags=re.MULTILINE)
        unknown |= {f"{page.name}: mdnet {name}" for name in named if name not in names}
    assert sorted(unknown) == []


def test_every_mdnet_module_and_name_the_docs_name_exists() -> None:
    """`mdnet.core.policy`, `mdnet.Vault`, `mdnet.interop.import_merge`...: a module of the package or a
    name it exports (`mdnet.toml` is the settings file)."""
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    named = {name for page in pages for name in re.findall(r"`mdnet\.(\w+)", page.read_text(encoding="utf-8"))}
    missing = []
    for name in sorted(named - {"toml"}):
        if hasattr(mdnet, name):
            continue
        try:
            importlib.import_module(f"mdnet.{name}")
        except ModuleNotFoundError:
            missing.append(f"mdnet.{name}")
    assert missing == []
