"""``mdnet vdir sync`` on 2,000 contacts: the first sync, and a sync with nothing changed. Seeded, never fails.

    .venv/bin/python benchmarks/bench_vdir.py [--contacts 2000]

A sync with nothing changed reads the state, stats the vdir's cards (reading none) and
compares each note's mapped fields, from the up-to-date index, with the last synced ones.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import verdict  # noqa: E402
from generate import generate_vault  # noqa: E402

from mdnet.cli.main import run  # noqa: E402

TARGETS = {"first": 60.0, "unchanged": 2.0}


def mdnet(*args: str) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            contextlib.suppress(SystemExit):  # fmt: skip
        run(list(args))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=2000)
    count = parser.parse_args().contacts
    with tempfile.TemporaryDirectory() as temp:
        vault, folder = Path(temp) / "vault", Path(temp) / "vdir"
        generate_vault(vault, contacts=count, seed=1)
        folder.mkdir()
        setup = [["init", "-q", "-b", "main"], ["config", "user.name", "Bench"],
                 ["config", "user.email", "bench@example.com"], ["add", "-A"], ["commit", "-qm", "vault"]]  # fmt: skip
        for args in setup:
            subprocess.run(["git", "-C", str(vault), *args], check=True, capture_output=True)
        mdnet("--vault", str(vault), "index")
        first = mdnet("--vault", str(vault), "vdir", "sync", str(folder))
        cards = len(list(folder.iterdir()))
        unchanged = min(mdnet("--vault", str(vault), "vdir", "sync", str(folder)) for _ in range(3))
        figures = [("first", first, f"{cards} cards made, uid written into notes, one commit"),
                   ("unchanged", unchanged, f"{count} contacts, nothing changed; best of 3")]  # fmt: skip
        for name, seconds, what in figures:
            target = TARGETS[name]
            print(f"vdir {name:9} {seconds:7.2f} s  target <= {target:.0f} s  {verdict(seconds, target)}  ({what})")


if __name__ == "__main__":
    main()
