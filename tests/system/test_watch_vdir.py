"""``mdnet watch --vdir``: a running watcher keeps a vdir in step, through real observers on real folders.

A card edited in the vdir reaches its note, a note edited reaches its card, and a watcher with nothing
to do writes nothing (the sync's own writes never start another sync)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mdnet.watch.watcher import Watcher, wait_for
from tests.conftest import commit_as_repository, git, run_cli
from tests.system.test_watch import watch_process

JANE = """\
---
name: Jane Doe
category: client   # paying
company: "[[Acme Corp]]"
role: IT Manager
email: [jane@acme.example]
cadence: 30d
---
# Jane Doe

## Log
- 2026-11-20 coffee: sailing
"""
BOB = "---\nname: Bob Baker\ncategory: friend\nrole: Chef\n---\n# Bob\n"

Start = Callable[..., Watcher]


@pytest.fixture
def vdir(tmp_path: Path) -> Path:
    folder = tmp_path / "contacts" / "mdnet"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def vault(vault_dir: Path) -> Path:
    (vault_dir / "people" / "Jane Doe.md").write_text(JANE)
    (vault_dir / "people" / "Bob Baker.md").write_text(BOB)
    return vault_dir


@pytest.fixture
def start(vault: Path, vdir: Path) -> Iterator[Start]:
    """A watcher with ``--vdir`` and short quiet periods; stopped at the end."""
    started: list[Watcher] = []

    def run(**options: object) -> Watcher:
        settings: dict[str, object] = {"quiet": 0.1, "settle": 0.2, "commit_quiet": 0.3, "vdir": vdir}
        settings.update(options)
        watcher = Watcher(vault, **settings)  # type: ignore[arg-type]
        started.append(watcher)
        watcher.start()
        return watcher

    yield run
    for watcher in started:
        watcher.stop()


def until(predicate: Callable[[], bool], timeout: float = 8.0) -> None:
    assert wait_for(predicate, timeout), "the vault and the vdir did not reach the expected state in time"


def text(path: Path) -> str:
    """A card's text as it is, CRLF kept."""
    return path.read_bytes().decode()


def card_of(vdir: Path, name: str) -> Path:
    found = [p for p in vdir.glob("*.vcf") if f"FN:{name}\r\n" in text(p)]
    assert len(found) == 1, found
    return found[0]


def replace_card(path: Path, text: str) -> None:
    """As vdirsyncer writes a card: a temporary file renamed over it."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(text.encode())
    os.replace(temp, path)


def mtimes(*folders: Path) -> dict[str, int]:
    """Every file's mtime below ``folders``, except the index and git (which the watcher may touch)."""
    found = {}
    for folder in folders:
        for path in folder.rglob("*"):
            parts = path.relative_to(folder).parts
            if path.is_file() and not {".mdnet", ".git"} & set(parts):
                found[str(path)] = path.stat().st_mtime_ns
    return found


@pytest.mark.parametrize("observer", ["auto", pytest.param("polling", marks=pytest.mark.slow)])
def test_a_card_edit_reaches_the_note_a_note_edit_the_card_and_then_nothing_moves(
    vault: Path, vdir: Path, start: Start, observer: str
) -> None:
    watcher = start(observer=observer, poll_interval=0.1)
    assert watcher.vdir_source is not None and watcher.vdir_source.mode == (
        "polling" if observer == "polling" else "inotify"
    )
    # the sync at start: a card for each note, a uid: in each note
    until(lambda: len(list(vdir.glob("*.vcf"))) == 2 and "uid:" in (vault / "people" / "Jane Doe.md").read_text())
    assert watcher.wait_idle(quiet_for=0.3)
    assert any("vdir sync with mdnet: 2 notes updated, 2 cards created" in m for m in watcher.messages)
    assert watcher.vdir_job.syncs == 1  # the events of its own writes end in a comparison, not in a sync

    jane_card = card_of(vdir, "Jane Doe")
    replace_card(jane_card, text(jane_card).replace("TITLE:IT Manager", "TITLE:CTO"))
    until(lambda: "role: CTO\n" in (vault / "people" / "Jane Doe.md").read_text())
    note = (vault / "people" / "Jane Doe.md").read_text()
    assert "category: client   # paying\n" in note  # edited in place, the comment kept
    until(lambda: any("vdir sync with mdnet: 1 note updated" in m for m in watcher.messages))
    assert watcher.wait_idle(quiet_for=0.5)
    assert watcher.vdir_job.syncs == 2

    bob = vault / "people" / "Bob Baker.md"
    bob.write_text(bob.read_text().replace("role: Chef", "role: Head Chef"))
    bob_card = card_of(vdir, "Bob Baker")
    until(lambda: "TITLE:Head Chef\r\n" in text(bob_card))
    assert watcher.wait_idle(quiet_for=0.5)
    assert watcher.vdir_job.syncs == 3

    # settled: the sync's own writes (cards, notes, the state) start no other sync, and nothing is written
    syncs, before = watcher.vdir_job.syncs, mtimes(vault, vdir)
    time.sleep(1.0)
    assert watcher.wait_idle(quiet_for=0.3)
    assert mtimes(vault, vdir) == before
    assert watcher.vdir_job.syncs == syncs
    assert watcher.running
    assert not [m for m in watcher.messages if "failed" in m or "internal error" in m]


def test_nothing_changed_writes_nothing(vault: Path, vdir: Path, start: Start) -> None:
    """A vault already in step: the sync at start changes nothing; a note edit outside the mapped fields makes
    a sync that writes no card, no note and no state."""
    assert run_cli("--vault", str(vault), "vdir", "sync", str(vdir)).code == 0
    before = mtimes(vault, vdir)
    watcher = start()
    assert watcher.wait_idle(quiet_for=0.5)
    assert mtimes(vault, vdir) == before
    assert watcher.vdir_job.syncs == 1
    assert any("vdir sync with mdnet: in step, nothing to change" in m for m in watcher.messages)

    jane = vault / "people" / "Jane Doe.md"
    jane.write_text(jane.read_text() + "- 2026-12-01 call: the offsite\n")
    until(lambda: watcher.vdir_job.syncs == 2)
    assert watcher.wait_idle(quiet_for=0.5)
    after = mtimes(vault, vdir)
    assert {path for path in after if after[path] != before.get(path)} == {str(jane)}
    time.sleep(0.6)
    assert watcher.wait_idle(quiet_for=0.3)
    assert watcher.vdir_job.syncs == 2


def test_the_vdir_from_mdnet_toml_and_a_missing_one(vault: Path, vdir: Path) -> None:
    with (vault / "mdnet.toml").open("a") as handle:
        handle.write(f'vdir = "{vdir}"\n')
    watcher = Watcher(vault, vdir="", commit_quiet=0.3)
    assert watcher.vdir_job.folder == vdir
    watcher.vault.close()
    result = run_cli("--vault", str(vault), "watch", "--vdir", str(vdir / "nowhere"))
    assert result.code != 0
    assert "no such folder" in result.err
    assert "Traceback" not in result.err


@pytest.mark.slow
def test_a_sync_error_is_reported_and_the_watcher_goes_on(vault: Path, vdir: Path, start: Start) -> None:
    watcher = start()
    assert watcher.wait_idle(quiet_for=0.3)
    moved = vdir.with_name("elsewhere")
    vdir.rename(moved)
    jane = vault / "people" / "Jane Doe.md"
    jane.write_text(jane.read_text().replace("IT Manager", "CIO"))
    until(lambda: any("vdir sync failed" in m and "cannot read the vdir" in m for m in watcher.messages))
    assert watcher.running
    moved.rename(vdir)
    bob = vault / "people" / "Bob Baker.md"
    bob.write_text(bob.read_text().replace("Chef", "Cook"))
    until(lambda: "TITLE:CIO\r\n" in text(card_of(vdir, "Jane Doe")))
    until(lambda: "TITLE:Cook\r\n" in text(card_of(vdir, "Bob Baker")))


@pytest.mark.slow
def test_with_autocommit_each_change_is_committed_once(vault: Path, vdir: Path, start: Start) -> None:
    """The sync commits the notes it changes (one commit); the user's own edit gets autocommit's commit;
    no note is committed twice and nothing is left uncommitted."""
    (vault / ".gitignore").write_text(".mdnet/\n")
    commit_as_repository(vault)
    watcher = start(autocommit=True)
    until(lambda: len(list(vdir.glob("*.vcf"))) == 2)
    assert watcher.wait_idle(quiet_for=0.5)
    first = git(vault, "log", "--format=%s").splitlines()
    assert first[0] == "Sync 2 contacts with the vdir mdnet"

    jane_card = card_of(vdir, "Jane Doe")
    replace_card(jane_card, text(jane_card).replace("TITLE:IT Manager", "TITLE:CTO"))
    until(lambda: "role: CTO\n" in (vault / "people" / "Jane Doe.md").read_text())
    assert watcher.wait_idle(quiet_for=0.5)
    bob = vault / "people" / "Bob Baker.md"
    bob.write_text(bob.read_text().replace("role: Chef", "role: Sous Chef"))
    until(lambda: "TITLE:Sous Chef\r\n" in text(card_of(vdir, "Bob Baker")))
    assert watcher.wait_idle(quiet_for=0.8)

    subjects = git(vault, "log", "--format=%s").splitlines()
    new = subjects[: len(subjects) - len(first)]
    assert new == ["Update Bob Baker", "Sync 1 contact with the vdir mdnet"], new
    assert git(vault, "status", "--porcelain", "--", "people") == ""
    assert git(vault, "show", "--format=", "--name-only", "HEAD~1").splitlines() == ["people/Jane Doe.md"]

    # the user logs a call with Jane while her card changes: her log line is committed by autocommit, in its
    # own commit, before the sync commits the role it brings
    jane = vault / "people" / "Jane Doe.md"
    jane.write_text(jane.read_text() + "- 2026-12-01 call: the offsite\n")
    replace_card(jane_card, text(jane_card).replace("TITLE:CTO", "TITLE:CEO"))
    until(lambda: "role: CEO\n" in jane.read_text())
    assert watcher.wait_idle(quiet_for=0.8)
    last = git(vault, "log", "-2", "--format=%s").splitlines()
    assert last == ["Sync 1 contact with the vdir mdnet", "Update Jane Doe"], last
    assert "the offsite" in git(vault, "show", "HEAD~1")
    assert "the offsite" not in git(vault, "show", "HEAD")
    assert git(vault, "status", "--porcelain", "--", "people") == ""


@pytest.mark.slow
def test_mdnet_watch_vdir_as_a_process(vault: Path, vdir: Path) -> None:
    """``mdnet watch --vdir DIR`` (the option takes the folder; alone, it reads mdnet.toml)."""
    import signal

    with watch_process(vault, "--vdir", str(vdir)) as (process, lines):
        until(lambda: any("vdir sync with mdnet: 2 notes updated, 2 cards created" in line for line in lines))
        card = card_of(vdir, "Bob Baker")
        replace_card(card, text(card).replace("TITLE:Chef", "TITLE:Baker"))
        until(lambda: "role: Baker\n" in (vault / "people" / "Bob Baker.md").read_text(), timeout=15)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    stderr = process.stderr.read() if process.stderr else ""
    assert "Traceback" not in stderr
