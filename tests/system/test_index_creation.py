"""Making the index: processes killed half way, long paths, the creation lock and file systems it fails on."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

NOTE = "---\nname: {name}\ncadence: 30d\nlast_contact: 2026-10-01\n---\n"


def _mdnet(root: Path, *args: str, code: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`mdnet --vault ROOT ARGS` in a process of its own; ``code`` runs first in it (to stop it half way)."""
    prelude = code or ""
    script = f"import sys\n{prelude}\nfrom mdnet.cli import run\nrun(sys.argv[1:])\n"
    command = [sys.executable, "-c", script, "--vault", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _sqlite_opens(path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(path)
    except sqlite3.OperationalError:
        return False
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE t (a)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def test_the_index_is_made_in_the_longest_folder_sqlite_opens(tmp_path: Path) -> None:
    """SQLite opens no database whose full path is longer than about 500 bytes. A vault whose
    `.mdnet/index.sqlite` is just short enough had its index on disk; the new database made under a
    longer temporary name first (`index.sqlite.<pid>.new`, 12 bytes more) could not be opened, so every
    command there answered from memory, reading every note each time."""
    base = tmp_path / "v"
    longest = None
    for length in range(200, 600):  # the deepest vault whose index path SQLite still opens
        root = base / "/".join("d" * 200 for _ in range(length // 200)) / ("e" * (length % 200 or 1))
        if not _sqlite_opens(root / ".mdnet" / "probe.sqlite"):  # as long as index.sqlite
            break
        longest = root
    assert longest is not None
    (longest / "people").mkdir(parents=True)
    (longest / "people" / "Ann.md").write_text(NOTE.format(name="Ann"), encoding="utf-8")
    result = _mdnet(longest, "index")
    assert result.returncode == 0, result.stderr
    assert (longest / ".mdnet" / "index.sqlite").is_file()
    assert not [p.name for p in (longest / ".mdnet").iterdir() if p.name.endswith(".new")]
