"""Shared fixtures: real vaults in temp folders, real git, the CLI in-process and as a subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are repeatable by default: `make test` (and so CI) draws the same examples
# on every run, so a green run here is a green run in CI. `make test-explore` draws new
# random examples, ten times as many, to look for cases nobody has found yet; a case it
# finds becomes a fixed example in the test (see docs/decisions.md, "Repeatable property tests").
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
HYPOTHESIS_PROFILE = os.environ.get("MDNET_HYPOTHESIS", "repeatable")
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(count: int) -> int:
    """A property test's number of examples: ``count``, or ten times it when exploring."""
    return count * 10 if HYPOTHESIS_PROFILE == "explore" else count


REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = REPO_ROOT / "examples" / "vault"
DEMO_DATE = "2026-11-25"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def __iter__(self):  # type: ignore[no-untyped-def]
        """``code, out, err = run_cli(...)``."""
        return iter((self.code, self.out, self.err))


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
    """Run ``mdnet ARGS`` in-process (through the real entry point and its error mapping)."""
    from mdnet.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    old_cwd = Path.cwd()
    old_env = dict(os.environ)
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        if env:
            os.environ.update(env)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    return CliResult(code, out.getvalue(), err.getvalue())


def run_mdnet_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
    """Run ``python -m mdnet ARGS`` as a new process: what a user's shell does."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "mdnet", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return CliResult(result.returncode, result.stdout, result.stderr)


@pytest.fixture(autouse=True)
def _no_ambient_mdnet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own vault or date."""
    for key in ("MDNET_VAULT", "MDNET_TODAY"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """An empty vault: mdnet.toml and people/."""
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with its own identity (CI has none configured)."""
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env=git_env())
    return result.stdout


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="author@example.com",
        GIT_COMMITTER_NAME="Test Author",
        GIT_COMMITTER_EMAIL="author@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def commit_as_repository(root: Path) -> Path:
    """Make ``root`` a git repository with its own identity (CI has none) and commit all of it once."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, capture_output=True)
    git(root, "config", "user.name", "Test User")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def git_vault(vault_dir: Path) -> Path:
    """A vault that is a git repository with a local identity and one commit."""
    (vault_dir / ".gitignore").write_text(".mdnet/\n", encoding="utf-8")
    return commit_as_repository(vault_dir)


def write_file(root: Path, relative: str, text: str | bytes) -> Path:
    """Write ``text`` (exact bytes; a string as UTF-8) to ``relative`` under ``root``, making its folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture
def write_note(vault_dir: Path) -> Callable[[str, str], Path]:
    """Write ``text`` (exact bytes, UTF-8) to a vault-relative path."""

    def write(relative: str, text: str) -> Path:
        return write_file(vault_dir, relative, text)

    return write


@pytest.fixture
def example_vault(tmp_path: Path) -> Path:
    """A private copy of examples/vault (tests never write into the repository)."""
    import shutil

    target = tmp_path / "example"
    shutil.copytree(EXAMPLE_VAULT, target, ignore=shutil.ignore_patterns(".mdnet"))
    return target


@pytest.fixture
def phoenix_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local time zone is America/Phoenix (UTC-7, no daylight saving), for tests of local dates and times."""
    import time

    monkeypatch.setenv("TZ", "America/Phoenix")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
