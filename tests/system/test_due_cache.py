"""The cached answer of `mdnet due --json` (docs/due.md, "The answer cache"): used when nothing changed, never stale.

Each staleness test first plants a marker in place of the cached answer, under the cache's own key, and checks
that an unchanged vault answers with the marker (so the cache is really used), then makes one change and checks
that the answer is the fresh one, equal to the answer of a vault without any cache.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from hashlib import blake2b
from pathlib import Path

import pytest

from mdnet import UsageError, Vault
from mdnet.store import answer_cache
from mdnet.store.answer_cache import FORMAT
from tests.conftest import DEMO_DATE, run_cli, run_mdnet_process

CACHE = Path(".mdnet") / "answer-due"
MARKER = '{"cached": "marker"}'


def _old(path: Path, seconds_ago: float = 60) -> None:
    """Saved a while ago: a note saved within a timestamp tick of the scan is "racy", and never cached."""
    os.utime(path, (time.time() - seconds_ago, time.time() - seconds_ago))


def _note(vault: Path, relative: str, text: str, seconds_ago: float = 60) -> Path:
    path = vault / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _old(path, seconds_ago)
    return path


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\ndefault_cadence = "30d"\n', encoding="utf-8")
    _note(root, "people/Ann Lee.md", "---\nneeds_reply: true\ncategory: client\ntags: [golf]\n---\n")
    _note(root, "people/Bob Stone.md", "---\nlast_contact: 2026-10-01\ncategory: friend\n---\n")
    _note(root, "people/Cy Ng.md", "---\nlast_contact: 2026-11-20\nbirthday: 1980-11-27\n---\n")
    _note(root, "daily/2026-11-01.md", "- Lunch with [[Cy Ng]]\n")
    return root


def _due(vault: Path, *options: str, today: str = DEMO_DATE) -> str:
    code, out, err = run_cli("--vault", str(vault), "--today", today, "due", "--json", *options)
    assert code == 0, err
    return out


def _fresh(vault: Path, *options: str, today: str = DEMO_DATE) -> str:
    """The answer of a copy of the vault without .mdnet/: computed from the notes alone."""
    copy = vault.parent / "fresh-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".mdnet"))
    try:
        return _due(copy, *options, today=today)
    finally:
        shutil.rmtree(copy)


def _plant_marker(vault: Path) -> None:
    """Replace the cached answer with MARKER, keeping its key: the next hit prints MARKER."""
    header = (vault / CACHE).read_bytes().partition(b"\n")[0].split(b" ")
    assert b" ".join(header[:3]) == FORMAT
    body = MARKER.encode()
    checksum = blake2b(body, digest_size=16).hexdigest().encode()
    (vault / CACHE).write_bytes(b" ".join([*header[:4], str(len(body)).encode(), checksum]) + b"\n" + body)


def _cached_then(vault: Path, change: Callable[[], None], *options: str, today: str = DEMO_DATE) -> str:
    """Cache the answer, check that it is used, make ``change``, and return the answer after it."""
    _due(vault, *options)
    _plant_marker(vault)
    assert _due(vault, *options).strip() == MARKER  # the cache answers an unchanged vault
    change()
    return _due(vault, *options, today=today)


def test_an_unchanged_vault_is_answered_from_the_cache_with_the_same_text(vault: Path) -> None:
    first = _due(vault)
    assert (vault / CACHE).is_file()
    assert json.loads(first)["items"][0]["name"] == "Ann Lee"
    assert _due(vault) == first
    _plant_marker(vault)
    assert _due(vault).strip() == MARKER


def test_an_edited_note_gives_the_fresh_answer(vault: Path) -> None:
    def change() -> None:
        text = "---\nneeds_reply: false\nlast_contact: 2026-11-20\ncategory: client\n---\n"
        _note(vault, "people/Ann Lee.md", text, seconds_ago=30)

    after = _cached_then(vault, change)
    assert after == _fresh(vault)
    assert "Ann Lee" not in after


def test_a_new_mention_in_a_daily_note_gives_the_fresh_answer(vault: Path) -> None:
    after = _cached_then(vault, lambda: _note(vault, "daily/2026-11-24.md", "- Called [[Bob Stone]]\n"))
    assert after == _fresh(vault)
    assert "Bob Stone" not in after


def test_a_deleted_note_gives_the_fresh_answer(vault: Path) -> None:
    after = _cached_then(vault, lambda: (vault / "people" / "Bob Stone.md").unlink())
    assert after == _fresh(vault)
    assert "Bob Stone" not in after and "Ann Lee" in after


def test_a_renamed_note_gives_the_fresh_answer(vault: Path) -> None:
    def change() -> None:
        (vault / "people" / "Bob Stone.md").rename(vault / "people" / "Robert Stone.md")

    after = _cached_then(vault, change)
    assert after == _fresh(vault)
    assert "people/Robert Stone.md" in after and "people/Bob Stone.md" not in after


@pytest.mark.parametrize(
    "setting",
    ['default_cadence = "90d"', "upcoming_days = 1", '[cadence]\nfriend = "7d"', 'daily_format = "YYYY_MM_DD"'],
)
def test_a_changed_setting_gives_the_fresh_answer(vault: Path, setting: str) -> None:
    """Settings the index does not depend on (the default cadence, the window, the policy) miss too."""
    toml = vault / "mdnet.toml"

    def change() -> None:
        kept = toml.read_text(encoding="utf-8").replace('default_cadence = "30d"\n', "")
        if not setting.startswith("default_cadence"):
            kept += 'default_cadence = "30d"\n'
        toml.write_text(kept + setting + "\n", encoding="utf-8")

    after = _cached_then(vault, change)
    assert after == _fresh(vault)
    assert after.strip() != MARKER


@pytest.mark.parametrize("options", [("--within", "30d"), ("--category", "client"), ("--tag", "golf"),
                                     ("--limit", "1"), ("--within", "1d")])  # fmt: skip
def test_other_options_give_their_own_answer(vault: Path, options: tuple[str, ...]) -> None:
    _due(vault)
    _plant_marker(vault)
    assert _due(vault, *options) == _fresh(vault, *options)
    assert _due(vault, *options) == _fresh(vault, *options)  # and then from the cache, the same


def test_another_day_gives_the_fresh_answer(vault: Path) -> None:
    after = _cached_then(vault, lambda: None, today="2026-11-27")
    assert after == _fresh(vault, today="2026-11-27")
    assert json.loads(after)["date"] == "2026-11-27"


def test_a_damaged_cache_file_is_a_miss(vault: Path) -> None:
    first = _due(vault)
    data = (vault / CACHE).read_bytes()
    holes = data[: len(data) - 20] + b"\0" * 20  # the length right, the end never written (a crash)
    for damaged in (data[: len(data) // 2], b"", b"\n" + data, data.replace(FORMAT, b"mdnet answer 0"), b"\xff" * 40,
                    holes):  # fmt: skip
        (vault / CACHE).write_bytes(damaged)
        assert _due(vault) == first


def test_a_note_saved_during_the_scan_is_not_cached(vault: Path) -> None:
    """A note saved within a timestamp tick of the scan may change again unseen: such an index caches nothing."""
    (vault / "people" / "Ann Lee.md").write_text("---\nneeds_reply: true\n---\n", encoding="utf-8")
    _due(vault)
    assert not (vault / CACHE).exists()


def test_an_index_in_memory_caches_nothing(tmp_path: Path) -> None:
    """A folder no marker makes a vault keeps its index in memory; it has no .mdnet/ to keep an answer in."""
    _note(tmp_path, "people/Ann Lee.md", "---\nneeds_reply: true\n---\n")
    code, out, err = run_cli("--today", DEMO_DATE, "due", "--json", cwd=tmp_path)
    assert code == 0 and "Ann Lee" in out and "without saving an index" in err
    assert not (tmp_path / ".mdnet").exists()


def test_an_answer_computed_while_another_process_wrote_is_not_stored(vault: Path) -> None:
    """The key is taken before the query; when the index changes meanwhile, the answer is not stored under it."""
    with Vault.open(vault, today=DEMO_DATE) as first, Vault.open(vault, today=DEMO_DATE) as second:
        cache = first.answer_cache("due", "options")
        assert cache.get() is None
        _note(vault, "people/Dee Park.md", "---\nneeds_reply: true\n---\n")
        second.refresh()
        cache.put("an answer of the index as it was")
        assert not (vault / CACHE).exists()
        again = first.answer_cache("due", "options")  # brought up to date: the cache may be written
        again.put("an answer")
        assert again.get() == "an answer"
        with pytest.raises(UsageError, match="plain word"):
            first.answer_cache("../due", "options")


def test_a_link_at_the_cache_name_is_neither_read_nor_written_through(vault: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not mdnet's", encoding="utf-8")
    first = _due(vault)
    (vault / CACHE).unlink()
    (vault / CACHE).symlink_to(outside)
    code, out, _ = run_cli("--vault", str(vault), "--today", DEMO_DATE, "due", "--json")
    assert code == 0 and out == first
    assert outside.read_text(encoding="utf-8") == "not mdnet's"


def test_a_changed_mdnet_source_file_changes_the_code_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package"
    (package / "core" / "__pycache__").mkdir(parents=True)
    (package / "core" / "due.py").write_text("RULES = 1\n", encoding="utf-8")
    monkeypatch.setattr(answer_cache, "PACKAGE", package)
    before = answer_cache.code_fingerprint()
    (package / "core" / "__pycache__" / "due.cpython-311.pyc").write_bytes(b"compiled")  # not source: no change
    assert answer_cache.code_fingerprint() == before
    (package / "core" / "due.py").write_text("RULES = 2\n", encoding="utf-8")  # same size, new time
    os.utime(package / "core" / "due.py", ns=(1, 1))
    assert answer_cache.code_fingerprint() != before


def test_the_cache_is_used_by_a_new_process_and_it_answers_the_same(vault: Path) -> None:
    args = ("--vault", str(vault), "--today", DEMO_DATE, "due", "--json")
    first = run_mdnet_process(*args)
    assert first.code == 0 and (vault / CACHE).is_file()
    second = run_mdnet_process(*args)
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    _plant_marker(vault)
    assert run_mdnet_process(*args).out.strip() == MARKER


def test_warnings_about_bad_notes_are_given_on_a_hit_too(vault: Path) -> None:
    _note(vault, "people/Broken.md", "---\nname: [unclosed\n---\n")
    first = run_cli("--vault", str(vault), "--today", DEMO_DATE, "due", "--json")
    second = run_cli("--vault", str(vault), "--today", DEMO_DATE, "due", "--json")
    assert "Broken.md" in first.err and second.err == first.err and second.out == first.out


def _rewrite_keeping_state(path: Path, old: bytes, new: bytes) -> None:
    """Change a note's bytes in place, keeping its size, inode and time (a sync tool that sets the time, `touch
    -r`): the scan cannot see it, so the index keeps the old note until it is rebuilt."""
    info = path.stat()
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    with path.open("r+b") as handle:
        handle.write(data.replace(old, new))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_ino) == (info.st_size, info.st_ino)


@pytest.mark.parametrize("how", ["rebuild", "delete", "settings"])
def test_an_index_rebuilt_from_the_notes_is_not_answered_by_an_answer_of_the_old_index(vault: Path, how: str) -> None:
    """A rebuilt index (`mdnet index --rebuild`, a deleted index file, a settings change and back) may count its
    generations from 1 again, over the same scan: the key must still differ, or the old index's answer hides the
    rebuilt one's, which is what a rebuild is there to correct."""
    toml = vault / "mdnet.toml"
    settings = toml.read_text(encoding="utf-8")

    def rebuild() -> None:
        if how == "rebuild":
            code, _, err = run_cli("--vault", str(vault), "index", "--rebuild")
            assert code == 0, err
        elif how == "delete":
            (vault / ".mdnet" / "index.sqlite").unlink(missing_ok=True)
        else:  # read again under other settings, then under the first ones
            for text in (settings + 'log_heading = "History"\n', settings):
                toml.write_text(text, encoding="utf-8")
                _due(vault)

    rebuild()
    _due(vault)
    _due(vault)  # stored, perhaps at the generation the next rebuild and one run leave too
    _rewrite_keeping_state(vault / "people" / "Ann Lee.md", b"needs_reply: true\n", b"needs_reply: no  \n")
    rebuild()
    _due(vault)
    after = _due(vault)
    assert after == _fresh(vault)
    assert '"bucket": "reply"' not in after  # the reply Ann was owed is no longer in the note


def test_another_python_changes_the_code_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same checkout run by another Python (a venv made again on a newer one, an editable install: the same
    files, sizes and times) may answer otherwise: `--tag` folds text with the interpreter's Unicode tables, and
    U+1E08F, a combining mark since Unicode 15, is dropped by Python 3.12's fold and kept by 3.11's."""
    before = answer_cache.code_fingerprint()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert answer_cache.code_fingerprint() != before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_at_the_cache_name_is_a_miss_not_a_wait(vault: Path) -> None:
    """Opening a FIFO for reading waits for a writer: a vault unpacked with one at .mdnet/answer-due (tar keeps
    them) would hang every `due --json`. It is not a regular file, so it is a miss, as a link is."""
    first = _due(vault)
    (vault / CACHE).unlink()
    os.mkfifo(vault / CACHE)
    command = [sys.executable, "-m", "mdnet", "--vault", str(vault), "--today", DEMO_DATE, "due", "--json"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("due --json waited on the FIFO")
    assert (result.returncode, result.stdout) == (0, first)


def test_a_full_disk_leaves_the_answer_as_without_a_cache(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, *, durable: bool = True) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    expected = _fresh(vault)
    monkeypatch.setattr(answer_cache.files, "write_own_file", full)
    assert _due(vault) == expected
    assert not (vault / CACHE).exists() and not list((vault / ".mdnet").glob(".answer-due*"))
    assert _due(vault) == expected


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes every folder")
def test_a_read_only_index_folder_answers_and_never_from_a_stale_answer(vault: Path) -> None:
    first = _due(vault)
    folder = vault / ".mdnet"
    folder.chmod(0o555)
    try:
        assert _due(vault) == first  # unchanged: the stored answer, which is still the answer
        _note(vault, "people/Ann Lee.md", "---\nlast_contact: 2026-11-24\n---\n", seconds_ago=30)
        after = _due(vault)  # the index cannot be written: answered from memory, uncached
    finally:
        folder.chmod(0o755)
    assert after == _fresh(vault) and '"bucket": "reply"' not in after
