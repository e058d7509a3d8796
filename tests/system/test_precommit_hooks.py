"""The hook repository, tried with the real pre-commit framework from a temp vault.

pre-commit installs mdnet into its own virtualenv from a git clone of this
repository (so it needs PyPI); the tests share one PRE_COMMIT_HOME in a temp folder,
so that environment is built once per test session.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, git, git_env, run_cli

pytestmark = pytest.mark.slow

GOOD = "---\nname: Good Person\ncadence: 30d\nlast_contact: 2026-11-01\n---\n# Good Person\n"
BAD = "---\nname: Bad Person\ncadence: sometimes\n---\n# Bad Person\n"
OVERDUE = "---\nname: Olga Overdue\ncadence: 7d\nlast_contact: 2020-01-01\nneeds_reply: true\n---\n"
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "mdnet")


def _pre_commit() -> str:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    return found


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A committed copy of this repository's package (what `pre-commit` clones), and its commit."""
    if not _pypi_reachable():
        pytest.skip("pre-commit needs PyPI to install mdnet's dependencies, and pypi.org is unreachable")
    copy = tmp_path_factory.mktemp("hook-repo")
    for name in PACKAGE_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, copy / name)
    subprocess.run(["git", "init", "-q", str(copy)], check=True)
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "mdnet under test")
    return copy, git(copy, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def vault(git_vault: Path) -> Path:
    (git_vault / "people" / "Good Person.md").write_text(GOOD)
    (git_vault / "people" / "Olga Overdue.md").write_text(OVERDUE)
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "notes")
    return git_vault


def run_pre_commit(vault: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = git_env() | {"PRE_COMMIT_HOME": str(home), "MDNET_TODAY": "2026-11-25", "PRE_COMMIT_COLOR": "never"}
    env.pop("MDNET_VAULT", None)
    return subprocess.run([_pre_commit(), *args], cwd=vault, env=env, capture_output=True, text=True,
                          timeout=900, check=False)  # fmt: skip


def git_commit(root: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    """``git commit -m MESSAGE`` in ``root`` as a user runs it, its installed hooks included."""
    return subprocess.run(["git", "commit", "-m", message], cwd=root, env=env, capture_output=True, text=True,
                          timeout=900, check=False)  # fmt: skip


def test_try_repo_mdnet_check_fails_on_a_bad_note(
    vault: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    """`pre-commit try-repo` (which installs into a store of its own each time: one call only)."""
    repo, _ = hook_repo
    (vault / "people" / "Bad Person.md").write_text(BAD)
    git(vault, "add", "-A")
    bad = run_pre_commit(vault, pre_commit_home, "try-repo", str(repo), "mdnet-check",
                         "--files", "people/Bad Person.md", "people/Good Person.md")  # fmt: skip
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "mdnet check" in bad.stdout
    assert "Failed" in bad.stdout
    assert "people/Bad Person.md:3:1: error: bad cadence: not a duration: 'sometimes'" in bad.stdout
    assert "Good Person.md:" not in bad.stdout


@pytest.fixture
def configured_vault(vault: Path, hook_repo: tuple[Path, str]) -> Path:
    """The vault with the few lines a user adds to .pre-commit-config.yaml (docs/hooks.md)."""
    repo, sha = hook_repo
    (vault / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {sha}\n    hooks:\n      - id: mdnet-check\n      - id: mdnet-report\n"
    )
    git(vault, "add", ".pre-commit-config.yaml")
    git(vault, "commit", "-q", "-m", "use mdnet's hooks")
    return vault


def test_mdnet_check_passes_good_notes_and_report_never_fails(configured_vault: Path, pre_commit_home: Path) -> None:
    vault = configured_vault
    good = run_pre_commit(vault, pre_commit_home, "run", "mdnet-check",
                          "--files", "people/Good Person.md", "people/Olga Overdue.md")  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert "mdnet check" in good.stdout
    assert "Passed" in good.stdout
    (vault / "people" / "Bad Person.md").write_text(BAD)  # a bad note does not make report fail
    git(vault, "add", "-A")
    status_before = git(vault, "status", "--porcelain", "--ignored")
    report = run_pre_commit(vault, pre_commit_home, "run", "mdnet-report", "--all-files")
    assert report.returncode == 0, report.stdout + report.stderr
    assert "mdnet 2026-11-25: 1 reply, 0 overdue" in report.stdout
    assert "reply owed: Olga Overdue" in report.stdout
    # the index it keeps is under .mdnet/, which ignores itself: no tracked or untracked file appears
    assert git(vault, "status", "--porcelain") == status_before.replace("!! .mdnet/\n", "")


def test_a_real_commit_runs_the_hooks(configured_vault: Path, pre_commit_home: Path) -> None:
    vault = configured_vault
    installed = run_pre_commit(vault, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr
    env = git_env() | {"PRE_COMMIT_HOME": str(pre_commit_home), "MDNET_TODAY": "2026-11-25"}
    (vault / "people" / "Bad Person.md").write_text(BAD)
    git(vault, "add", "-A")
    refused = git_commit(vault, env, "add a bad note")
    assert refused.returncode != 0
    assert "people/Bad Person.md:3:1: error: bad cadence" in refused.stdout + refused.stderr
    (vault / "people" / "Bad Person.md").write_text(BAD.replace("sometimes", "90d"))
    git(vault, "add", "-A")
    accepted = git_commit(vault, env, "add a fixed note")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "reply owed: Olga Overdue" in accepted.stdout + accepted.stderr
    assert os.path.exists(vault / ".git" / "hooks" / "pre-commit")


SUBFOLDER_CONFIG = """repos:
  - repo: {repo}
    rev: {sha}
    hooks:
      - id: mdnet-check
        entry: mdnet --vault "Notes/Réseau pro" check --
        files: ^Notes/Réseau pro/.*\\.md$
      - id: mdnet-report
        entry: mdnet --vault "Notes/Réseau pro" report
"""


def test_a_vault_in_a_subfolder_with_spaces_and_unicode_names(
    git_vault: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    """docs/hooks.md's recipe for a vault that is a subfolder of a bigger repository: the hooks
    run in the repository's root, so `entry` names the vault and `files` keeps to it."""
    repo, sha = hook_repo
    root = git_vault  # the repository; the vault is a subfolder of it
    vault = root / "Notes" / "Réseau pro"
    (vault / "people").mkdir(parents=True)
    (vault / "mdnet.toml").write_text('contact_dirs = ["people"]\n', "utf-8")
    (vault / "people" / "Olga Överdue.md").write_text(OVERDUE.replace("Olga Overdue", "Olga Överdue"), "utf-8")
    (root / "README.md").write_text("# Not a note of the vault\n", "utf-8")
    (root / ".pre-commit-config.yaml").write_text(SUBFOLDER_CONFIG.format(repo=repo, sha=sha), "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a vault in a subfolder")
    assert run_pre_commit(root, pre_commit_home, "install").returncode == 0
    env = git_env() | {"PRE_COMMIT_HOME": str(pre_commit_home), "MDNET_TODAY": "2026-11-25"}
    bad = vault / "people" / "Bäd Pérson 😀.md"
    bad.write_text(BAD, "utf-8")
    (root / "README.md").write_text("# Still not a note of the vault\n", "utf-8")
    git(root, "add", "-A")
    refused = git_commit(root, env, "a bad note")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "people/Bäd Pérson 😀.md:3:1: error: bad cadence" in output
    assert "README.md" not in output
    bad.write_text(BAD.replace("sometimes", "90d"), "utf-8")
    git(root, "add", "-A")
    accepted = git_commit(root, env, "a fixed note")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "mdnet 2026-11-25: 1 reply" in output
    assert "reply owed: Olga Överdue" in output
    assert git(root, "status", "--porcelain") == ""


def test_the_hooks_check_the_repository_being_committed_whatever_mdnet_vault_says(
    configured_vault: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    """With MDNET_VAULT set in the shell (docs/daily.md suggests it for vim), the hooks checked and
    reported that vault: every staged note was 'not inside the vault' (found by review)."""
    elsewhere = tmp_path / "another vault"
    (elsewhere / "people").mkdir(parents=True)
    (elsewhere / "mdnet.toml").write_text('contact_dirs = ["people"]\n', "utf-8")
    (elsewhere / "people" / "Somebody Else.md").write_text(OVERDUE.replace("Olga Overdue", "Somebody Else"), "utf-8")
    vault = configured_vault
    assert run_pre_commit(vault, pre_commit_home, "install").returncode == 0
    env = git_env() | {"PRE_COMMIT_HOME": str(pre_commit_home), "MDNET_TODAY": "2026-11-25",
                       "MDNET_VAULT": str(elsewhere)}  # fmt: skip
    (vault / "people" / "New Friend.md").write_text(GOOD.replace("Good Person", "New Friend"), "utf-8")
    git(vault, "add", "-A")
    accepted = git_commit(vault, env, "a new friend")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "reply owed: Olga Overdue" in output
    assert "Somebody Else" not in output


def test_a_note_whose_name_starts_with_a_dash_is_a_file_not_an_option(
    configured_vault: Path, pre_commit_home: Path
) -> None:
    """pre-commit passes file names after the entry as they are: '-Dash.md' at the vault's root
    was read as the option -D ('No such option', exit 2, every commit refused; found by review)."""
    vault = configured_vault
    (vault / "-Dash idea.md").write_text("# An idea\n", "utf-8")
    (vault / "people" / "-Bad Dash.md").write_text(BAD, "utf-8")
    git(vault, "add", "-A")
    good = run_pre_commit(vault, pre_commit_home, "run", "mdnet-check", "--files", "-Dash idea.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "No such option" not in good.stdout
    bad = run_pre_commit(
        vault, pre_commit_home, "run", "mdnet-check", "--files", "-Dash idea.md", "people/-Bad Dash.md"
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "people/-Bad Dash.md:3:1: error: bad cadence" in bad.stdout


REFUSING_CONFIG = """repos:
  - repo: local
    hooks:
      - id: says-yes
        name: a hook that passes
        entry: "true"
        language: system
      - id: says-no
        name: notes need a review
        entry: "ask the reviewer first"
        language: fail
        files: \\.md$
"""


def test_mdnet_log_says_which_hook_refused_its_commit_and_why(
    vault: Path, pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit prints the hooks that passed first: the reason is the failed hook's, not the first line."""
    (vault / ".pre-commit-config.yaml").write_text(REFUSING_CONFIG)
    git(vault, "add", ".pre-commit-config.yaml")
    git(vault, "commit", "-q", "-m", "hooks")
    installed = run_pre_commit(vault, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    monkeypatch.setenv("PRE_COMMIT_COLOR", "never")
    for key, value in git_env().items():
        if key.startswith("GIT_"):
            monkeypatch.setenv(key, value)
    head = git(vault, "rev-parse", "HEAD")
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "log", "Good", "coffee")
    assert result.code == 0, result.err
    assert "logged in people/Good Person.md" in result.out
    assert "Passed" not in result.out + result.err
    assert (
        "not committed: git commit failed: hook 'notes need a review' failed: ask the reviewer first"
        in result.out + result.err
    )
    assert git(vault, "rev-parse", "HEAD") == head
    assert "- 2026-11-25 coffee" in (vault / "people" / "Good Person.md").read_text()


def test_mdnet_log_before_the_hook_configuration_is_committed_says_to_commit_it(
    vault: Path, pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit's own advice ('git add' the config) does not help a commit of one note: say what does."""
    (vault / ".pre-commit-config.yaml").write_text(REFUSING_CONFIG.split("      - id: says-no")[0])
    git(vault, "add", ".pre-commit-config.yaml")
    git(vault, "commit", "-q", "-m", "hooks")
    (vault / ".pre-commit-config.yaml").write_text(REFUSING_CONFIG)  # a hook added later
    git(vault, "add", ".pre-commit-config.yaml")  # staged, as pre-commit advises, but not committed
    installed = run_pre_commit(vault, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    for key, value in git_env().items():
        if key.startswith("GIT_"):
            monkeypatch.setenv(key, value)
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", "log", "Good", "coffee")
    assert result.code == 0, result.err
    assert "not committed: " in result.out + result.err
    assert "commit it first: git commit -- .pre-commit-config.yaml" in result.out + result.err
