"""Hostile input that would eat time or memory: each attack ends fast, in one clear line.

Every attack runs mdnet in a child process with a wall-clock timeout and an address-space
limit (RLIMIT_AS), so a regression fails this test in seconds instead of swapping the
machine: a YAML alias bomb, a note over the hard size ceiling, a long folded vCard line,
a mail with hundreds of thousands of recipients, draft templates that build huge strings
or loop for minutes, and 50,000-deep nesting in ``mdnet.toml``, a vCard and front matter.
Every hostile vault has a fake target outside it, which must stay untouched.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT = 20.0
MEMORY = 1536 * 1024 * 1024  # 1.5 GiB of address space: Python and its libraries need ~0.3


@dataclass(frozen=True)
class Bounded:
    code: int
    out: str
    err: str
    seconds: float


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(*args: str, cwd: Path) -> Bounded:
    """``python -m mdnet ARGS`` under a time and a memory limit; a timeout fails the test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    env["MDNET_TODAY"] = "2026-11-25"
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mdnet", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            preexec_fn=_limit_memory,  # noqa: PLW1509 - no threads in the test process that matter
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"mdnet {' '.join(args)} ran over {TIMEOUT:.0f} s")
    return Bounded(result.returncode, result.stdout, result.stderr, time.perf_counter() - start)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A vault and, outside it, a fake target file that no attack may touch."""
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\nme = ["me@example.com"]\n', encoding="utf-8")
    (root / "people" / "Ann.md").write_text("---\nname: Ann\nemail: [ann@example.com]\n---\n# Ann\n", encoding="utf-8")
    target = tmp_path / "outside" / ".bashrc"
    target.parent.mkdir()
    target.write_text("# the user's own file\n", encoding="utf-8")
    return root, target


def _assert_untouched(target: Path, before: tuple[bytes, int], tmp_path: Path) -> None:
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert sorted(p.name for p in target.parent.iterdir()) == [".bashrc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "vault"]


def _snapshot(target: Path) -> tuple[bytes, int]:
    return target.read_bytes(), target.stat().st_mtime_ns


def _no_traceback(result: Bounded) -> None:
    assert "Traceback" not in result.err
    assert "RecursionError" not in result.err
    assert "MemoryError" not in result.err


# -- YAML ------------------------------------------------------------------


def _alias_bomb_wide() -> str:
    """136 KB: a 100 KB string, then 9,000 aliases of it (under the old 10,000-value cap)."""
    return "---\nname: Bomb\nbig: &b " + "x" * 100_000 + "\nmany: [" + ", ".join(["*b"] * 9_000) + "]\n---\n"


def _alias_bomb_merge() -> str:
    """Merge keys: each level merges the one below four times; 4**12 mapping entries, few values."""
    lines = ["---", "name: Bomb", "l0: &l0 {a: 1, b: 2, c: 3, d: 4}"]
    for level in range(1, 13):
        lines.append(f"l{level}: &l{level}\n  <<: [*l{level - 1}, *l{level - 1}, *l{level - 1}, *l{level - 1}]")
    return "\n".join(lines) + "\n---\n"


@pytest.mark.parametrize("bomb", [_alias_bomb_wide, _alias_bomb_merge], ids=["long-string", "merge-keys"])
def test_yaml_alias_bomb_is_a_bad_note_and_the_rest_works(
    hostile: tuple[Path, Path], tmp_path: Path, bomb: object
) -> None:
    root, target = hostile
    before = _snapshot(target)
    (root / "people" / "Bomb.md").write_text(bomb(), encoding="utf-8")  # type: ignore[operator]
    result = run_bounded("--vault", str(root), "check", cwd=root)
    _no_traceback(result)
    assert "people/Bomb.md:" in result.err + result.out
    assert "YAML aliases expand too far" in result.err + result.out
    listed = run_bounded("--vault", str(root), "list", "--json", cwd=root)
    assert listed.code == 0, listed.err
    assert '"Ann"' in listed.out
    _assert_untouched(target, before, tmp_path)


def test_deep_yaml_flow_sequence_is_a_bad_note(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    root, target = hostile
    before = _snapshot(target)
    (root / "people" / "Deep.md").write_text("---\nname: Deep\nx: " + "[" * 50_000 + "]" * 50_000 + "\n---\n")
    result = run_bounded("--vault", str(root), "check", cwd=root)
    _no_traceback(result)
    assert "people/Deep.md:3:" in result.err + result.out
    assert run_bounded("--vault", str(root), "show", "Ann", cwd=root).code == 0
    _assert_untouched(target, before, tmp_path)


# -- the note size ceiling ---------------------------------------------------


def test_max_note_bytes_zero_still_skips_a_note_over_the_ceiling(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    root, target = hostile
    before = _snapshot(target)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\nmax_note_bytes = 0\n', encoding="utf-8")
    body = "---\nname: Huge\n---\n" + ("- 2026-01-01 call: " + "y" * 80 + "\n") * (20 * 1024 * 1024 // 100 + 1)
    (root / "people" / "Huge.md").write_text(body, encoding="utf-8")
    assert (root / "people" / "Huge.md").stat().st_size > 20 * 1024 * 1024
    result = run_bounded("--vault", str(root), "check", cwd=root)
    _no_traceback(result)
    assert "people/Huge.md:1:1: error: file is" in result.err + result.out
    assert "16,777,216-byte limit; skipped" in result.err + result.out
    listed = run_bounded("--vault", str(root), "list", "--json", cwd=root)
    assert listed.code == 0, listed.err
    assert '"Ann"' in listed.out
    _assert_untouched(target, before, tmp_path)


# -- vCard -------------------------------------------------------------------


def test_vcard_with_a_long_folded_photo_imports_fast(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    root, target = hostile
    before = _snapshot(target)
    folded = "".join(" " + "QUJD" * 18 + "\r\n" for _ in range(8 * 1024 * 1024 // 74))  # 8 MiB of photo
    card = tmp_path / "vault" / "photo.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pat Photo\r\nPHOTO;ENCODING=b;TYPE=JPEG:QUJD\r\n" + folded + "END:VCARD\r\n",
        encoding="utf-8",
    )
    result = run_bounded("--vault", str(root), "import", "vcard", str(card), cwd=root)
    _no_traceback(result)
    assert result.code == 0, result.err
    assert (root / "people" / "Pat Photo.md").is_file()
    assert result.seconds < TIMEOUT / 2
    _assert_untouched(target, before, tmp_path)


def test_deep_vcard_is_one_clear_error(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    root, target = hostile
    before = _snapshot(target)
    card = tmp_path / "vault" / "deep.vcf"
    nested = "BEGIN:VCARD\r\n" * 50_000 + "END:VCARD\r\n" * 50_000
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Deep\r\n" + nested + "END:VCARD\r\n", encoding="utf-8")
    result = run_bounded("--vault", str(root), "import", "vcard", str(card), cwd=root)
    _no_traceback(result)
    assert result.code != 0
    assert "deep.vcf" in result.err
    assert "unexpected" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    _assert_untouched(target, before, tmp_path)


# -- mdnet.toml ----------------------------------------------------------------


def test_deep_mdnet_toml_is_one_clear_config_error(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    root, target = hostile
    before = _snapshot(target)
    (root / "mdnet.toml").write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    result = run_bounded("--vault", str(root), "list", cwd=root)
    _no_traceback(result)
    assert result.code != 0
    assert "mdnet.toml" in result.err
    assert "nested too deeply" in result.err
    assert "unexpected" not in result.err
    _assert_untouched(target, before, tmp_path)


# -- mail ----------------------------------------------------------------------


def test_mail_with_300k_recipients_scans_fast(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    root, target = hostile
    before = _snapshot(target)
    recipients = ", ".join(f"r{n}@example.net" for n in range(300_000))
    mbox = tmp_path / "vault" / "sent.mbox"
    mbox.write_text(
        "From me@example.com Mon Nov 23 10:00:00 2026\n"
        "From: me@example.com\nTo: ann@example.com, " + recipients + "\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\nSubject: hello\nMessage-ID: <a1@example.com>\n\nhi\n",
        encoding="utf-8",
    )
    result = run_bounded("--vault", str(root), "mail", "scan", "--dry-run", str(mbox), cwd=root)
    _no_traceback(result)
    assert result.code == 0, result.err
    assert "Ann" in result.out
    assert result.seconds < TIMEOUT / 2
    _assert_untouched(target, before, tmp_path)


# -- draft templates -------------------------------------------------------------

_HOSTILE_TEMPLATES = {
    "doubling": "{% set s = namespace(v='x') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v }}",
    "plus": "{% set s = namespace(v='x') %}{% for i in range(40) %}{% set s.v = s.v + s.v %}{% endfor %}{{ s.v }}",
    "center": "{{ 'x' | center(1000000000) }}",
    "method": "{{ 'x'.ljust(1000000000) }}",
    "replace": "{{ ('x' * 9000) | replace('', 'y' * 9000) }}",
    "percent": "{{ '%1000000000s' % 'x' }}",
    "format": "{{ '%1000000000s' | format('x') }}",
    "loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}done",
    "string-loops": (
        "{% set s = 'x' * 9000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}"
        "{% endfor %}done"
    ),
    "macro-fanout": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}done"),
    "output": "{% for a in range(100000) %}{% for b in range(1000) %}xxxxxxxxxx{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("kind", sorted(_HOSTILE_TEMPLATES))
def test_hostile_draft_template_stops_fast_with_one_error(
    hostile: tuple[Path, Path], tmp_path: Path, kind: str
) -> None:
    root, target = hostile
    before = _snapshot(target)
    (root / "templates").mkdir()
    (root / "templates" / "bomb.md").write_text(_HOSTILE_TEMPLATES[kind] + "\n", encoding="utf-8")
    result = run_bounded("--vault", str(root), "draft", "bomb", "--format", "md", cwd=root)
    _no_traceback(result)
    assert result.code != 0
    assert result.err.startswith("mdnet: error: template bomb.md"), result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.seconds < TIMEOUT / 2
    assert not (root / "drafts").exists()
    _assert_untouched(target, before, tmp_path)


def test_an_ordinary_template_with_loops_and_filters_still_renders(hostile: tuple[Path, Path]) -> None:
    root, _target = hostile
    (root / "templates").mkdir()
    (root / "templates" / "hello.md").write_text(
        "---\nsubject: Hi {{ first_name }}\n---\nDear {{ name | upper }},\n"
        "{% for i in range(3) %}{{ i }}{% endfor %} {{ '-' * 20 }} {{ 'ab' ~ 'cd' }} {{ '%5s' % 'x' }}\n"
        "{{ 'x' | center(9) }}|{{ emails | join(', ') }}\n",
        encoding="utf-8",
    )
    result = run_bounded("--vault", str(root), "draft", "hello", "--format", "md", "--out", "r.md", cwd=root)
    assert result.code == 0, result.err
    text = (root / "r.md").read_text(encoding="utf-8")
    assert "Dear ANN," in text
    assert "012 -------------------- abcd     x" in text
    assert "    x    |ann@example.com" in text
