"""A script author's journey through the Python API as docs/api.md documents it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mdnet import UsageError, Vault
from tests.conftest import run_cli


def test_writing_methods_refuse_arguments_of_the_wrong_type_with_usage_errors(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    note = write_note("people/Ann.md", "---\nname: Ann Lee\n---\n")
    before = note.read_text()
    with Vault.open(vault_dir) as vault:
        wrong: list[Callable[[], object]] = [
            lambda: vault.log("ann", None, commit=False),  # type: ignore[arg-type]
            lambda: vault.log("ann", 5, commit=False),  # type: ignore[arg-type]
            lambda: vault.log("ann", "x", kind=5, commit=False),  # type: ignore[arg-type]
            lambda: vault.log("ann", "x", when=5, commit=False),  # type: ignore[arg-type]
            lambda: vault.followup("ann", 5, commit=False),  # type: ignore[arg-type]
            lambda: vault.followup("ann", "6m", note=5, commit=False),  # type: ignore[arg-type]
            lambda: vault.snooze("ann", 5, commit=False),  # type: ignore[arg-type]
            lambda: vault.check(5),  # type: ignore[arg-type]
            lambda: vault.check([None]),  # type: ignore[list-item]
            lambda: vault.check([b"people/Ann.md"]),  # type: ignore[list-item]
            lambda: vault.refresh(5),  # type: ignore[arg-type]
            lambda: Vault.init(None),  # type: ignore[arg-type]
        ]
        for call in wrong:
            with pytest.raises(UsageError):
                call()
    assert note.read_text() == before


def test_init_expands_a_tilde_as_open_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert "mdnet.toml" in Vault.init("~/my-network")
    assert (home / "my-network" / "mdnet.toml").is_file()
    assert not (tmp_path / "~").exists()
    with Vault.open("~/my-network") as vault:
        assert vault.root == (home / "my-network").resolve()


def test_add_takes_one_tag_or_email_given_as_a_string_as_one_value(vault_dir: Path) -> None:
    with Vault.open(vault_dir) as vault:
        path = vault.add("Zed Zulu", tags="cloud", email="zed@example.com", today="2026-11-25")
        zed = vault.get("Zed Zulu")
    assert "tags: [cloud]\n" in path.read_text()
    assert zed.tags == ("cloud",)
    assert zed.emails == ("zed@example.com",)


def test_every_method_that_takes_a_name_takes_a_contact_as_log_does(git_vault: Path) -> None:
    (git_vault / "people" / "Ann.md").write_text("---\nname: Ann Lee\n---\n")
    with Vault.open(git_vault) as vault:
        ann = vault.get("ann")
        assert vault.log(ann, "coffee", when="2026-11-20", today="2026-11-25").commit
        assert vault.followup(ann, "2027-01-10", commit=False).fields == {"follow_up": "2027-01-10"}
        assert vault.snooze(ann, "2026-12-01", commit=False).fields == {"snooze_until": "2026-12-01"}
        assert [item.text for item in vault.history(ann)] == [item.text for item in vault.history("ann")]
        assert vault.brief(ann, today="2026-11-25").name == "Ann Lee"


def test_an_empty_vault_path_is_bad_usage_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mdnet --vault "$VAULT"` with VAULT unset must not make the working directory a vault for good."""
    monkeypatch.chdir(tmp_path)
    for blank in ("", "  "):
        with pytest.raises(UsageError, match="empty"):
            Vault.open(blank)
        result = run_cli("--vault", blank, "due", "--json")
        assert result.code == 2 and "empty" in result.err and result.out == ""
    assert not (tmp_path / ".mdnet").exists()


def test_a_bad_mdnet_today_names_the_variable(vault_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A date set in the shell long ago and forgotten: the error says where it came from."""
    monkeypatch.setenv("MDNET_TODAY", "2026-13-01")
    result = run_cli("--vault", str(vault_dir), "due", "--json")
    assert result.code == 2 and "$MDNET_TODAY" in result.err and result.out == ""
    with Vault.open(vault_dir) as vault, pytest.raises(UsageError, match=r"\$MDNET_TODAY"):
        vault.due()
    assert run_cli("--vault", str(vault_dir), "--today", "2026-11-25", "due", "--json").code == 0


def test_every_example_on_the_api_page_prints_what_the_page_shows(tmp_path: Path) -> None:
    """docs/api.md's Python blocks that have an output block run as written (on a copy of the demo vault)."""
    import os
    import re
    import shutil
    import subprocess
    import sys

    from tests.conftest import EXAMPLE_VAULT, REPO_ROOT, git, git_env

    demo = tmp_path / "demo"
    shutil.copytree(EXAMPLE_VAULT, demo)
    subprocess.run(["git", "init", "-q", str(demo)], check=True, capture_output=True)
    git(demo, "add", "-A")
    git(demo, "commit", "-qm", "My network")
    page = (REPO_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w*)\n(.*?)```", page, re.S)
    env = dict(git_env(), MDNET_TODAY="2026-11-25")
    env.pop("MDNET_VAULT", None)
    ran = 0
    for (language, code), (next_language, expected) in zip(blocks, blocks[1:], strict=False):
        if language != "python" or next_language != "text":
            continue
        code = code.replace("/tmp/demo", str(demo)).replace("/tmp/new-network", str(tmp_path / "new-network"))
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert (result.returncode, result.stdout) == (0, expected), f"{code}\n{result.stderr}"
        ran += 1
    assert ran >= 8
    assert os.listdir(tmp_path / "new-network")


def test_the_build_requirement_reads_the_license_as_pyproject_writes_it() -> None:
    """`license = "MIT"` (an SPDX expression, PEP 639) needs setuptools 77: an older one,
    which `setuptools>=68` allowed, stops the build with "project.license must be valid"."""
    import tomllib

    from tests.conftest import REPO_ROOT

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_refresh_takes_paths_as_check_does(vault_dir: Path, write_note: Callable[..., Path]) -> None:
    write_note("people/Ann.md", "---\nname: Ann Lee\n---\n")
    with Vault.open(vault_dir) as vault:
        vault.refresh()
        write_note("people/Ann.md", "---\nname: Ann Lee\ncategory: client\n---\n")
        assert vault.refresh(Path("people/Ann.md")).updated == 1
        write_note("people/Ann.md", "---\nname: Ann Lee\ncategory: friend\n---\n")
        assert vault.refresh([Path("people/Ann.md")]).updated == 1
        with pytest.raises(UsageError):
            vault.refresh([5])  # type: ignore[list-item]


def test_list_with_a_filter_that_matches_nobody_does_not_say_the_vault_is_empty(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    write_note("people/Ann.md", "---\nname: Ann Lee\ncategory: client\ntags: [cloud]\n---\n")
    base = ["--vault", str(vault_dir), "list"]
    for args, said in (
        (["--tag", "golf"], "No contact has the tag 'golf'"),
        (["--category", "vendor"], "No contact in the category 'vendor'"),
        (["--category", "vendor", "--tag", "golf"], "No contact in the category 'vendor' has the tag 'golf'"),
    ):
        result = run_cli(*base, *args)
        assert result.code == 0 and result.out.startswith(said) and "No contacts yet" not in result.out, result.out
    empty = vault_dir.parent / "empty"
    empty.mkdir()
    assert "No contacts yet" in run_cli("--vault", str(empty), "list").out
