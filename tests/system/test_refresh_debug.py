"""`mdnet --debug` shows each decision of the index refresh on stderr (logger "mdnet.refresh"),
as khal logs its cache's; without --debug, stderr stays empty."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mdnet.config import Config
from mdnet.store.index import Index
from mdnet.store.refresh import refresh
from tests.conftest import DEMO_DATE, run_mdnet_process

NOTE = "---\nname: {name}\ncategory: client\nlast_contact: 2026-08-01\n---\n"


def debug_lines(vault: Path, *flags: str) -> list[str]:
    result = run_mdnet_process(*flags, "--vault", str(vault), "--today", DEMO_DATE, "due")
    assert result.code == 0, result.err
    return result.err.splitlines()


def test_debug_prints_each_refresh_decision_and_nothing_without_it(
    vault_dir: Path, write_note: Callable[..., Path]
) -> None:
    note = write_note("people/Jane Doe.md", NOTE.format(name="Jane Doe"))
    write_note("people/Bob Baker.md", NOTE.format(name="Bob Baker"))
    for path in (note, note.with_name("Bob Baker.md")):  # saved a minute ago: not racy
        os.utime(path, (time.time() - 60, time.time() - 60))
    assert "mdnet: debug: reset: a new index; every note is read again" in debug_lines(vault_dir, "--debug")
    assert "mdnet: debug: digest equal: the 2 notes are as the last scan left them; nothing is read" in debug_lines(
        vault_dir, "--debug"
    )
    future = time.time() + 30  # a save "after" the scan started: racy, read again next time
    os.utime(note, (future, future))
    lines = debug_lines(vault_dir, "--debug")
    assert any(line.startswith("mdnet: debug: racy: 1 notes saved within a timestamp tick") for line in lines), lines
    lines = debug_lines(vault_dir, "--debug")
    assert "mdnet: debug: racy: 1 notes saved too close to the last scan are read again" in lines
    assert debug_lines(vault_dir) == []


def test_a_partial_refresh_says_so(
    vault_dir: Path, write_note: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    write_note("people/Jane Doe.md", NOTE.format(name="Jane Doe"))
    index = Index.memory()
    refresh(vault_dir, Config(), index)
    with caplog.at_level(logging.DEBUG, logger="mdnet.refresh"):
        refresh(vault_dir, Config(), index, only=["people/Jane Doe.md"])
    assert "partial: 1 paths looked at, the whole vault is not scanned" in caplog.messages
