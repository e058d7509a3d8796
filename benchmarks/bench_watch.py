"""Benchmark the watcher: save -> index latency, and a burst of 10,000 new files.

Standalone and seeded; prints figures with their targets and PASS/MISS; never fails.

    .venv/bin/python benchmarks/bench_watch.py [--saves 50] [--burst 10000]

Latency is measured from the moment a save completes (in place, or write-temp-then-
rename) to the moment the index (read through its own SQLite connection, never
refreshed by the benchmark) holds the new value. It includes the quiet period the
watcher waits for more events; "after the quiet period" subtracts it. The burst is
written by a separate process, as a ``git checkout`` would be.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import verdict  # noqa: E402

from mdnet.store.index import Index  # noqa: E402
from mdnet.watch.watcher import QUIET, Watcher, wait_for  # noqa: E402

SEED = 20261125
CONTACTS = 200
TARGET_MEDIAN = 0.3  # seconds after the quiet period
TARGET_P95 = 1.0
TARGET_BURST = 5.0

NOTE = "---\nname: {name}\ncategory: {category}\ncadence: 30d\nlast_contact: 2026-10-01\n---\n# {name}\n\n## Log\n"


def make_vault(root: Path, rng: random.Random) -> list[Path]:
    people = root / "people"
    people.mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n')
    paths = []
    for i in range(CONTACTS):
        name = f"Person {i:03} {rng.choice(['Smith', 'Garcia', 'Kim', 'Olsen', 'Ruiz'])}"
        path = people / f"{name}.md"
        path.write_text(NOTE.format(name=name, category="client"))
        paths.append(path)
    return paths


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def save_in_place(path: Path, text: str) -> None:
    with open(path, "r+", encoding="utf-8") as handle:
        handle.truncate(0)
        handle.write(text)


def save_by_rename(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def latencies(root: Path, watcher: Watcher, paths: list[Path], saves: int, how: str, rng: random.Random) -> list[float]:
    index = Index.open(root / ".mdnet" / "index.sqlite")
    save = save_in_place if how == "in place" else save_by_rename
    found: list[float] = []
    for i in range(saves):
        path = rng.choice(paths)
        relative = path.relative_to(root).as_posix()
        name = path.stem
        category = f"bench-{how.replace(' ', '-')}-{i}"
        save(path, NOTE.format(name=name, category=category))
        saved = time.perf_counter()

        def updated(relative: str = relative, category: str = category) -> bool:
            contact = index.contact(relative)
            return contact is not None and contact.category == category

        if wait_for(updated, 10.0, interval=0.002):
            found.append(time.perf_counter() - saved)
        else:
            found.append(float("inf"))
        watcher.wait_idle(timeout=10)
        time.sleep(rng.uniform(0.0, 0.05))
    index.close()
    return found


def burst(root: Path, count: int) -> tuple[float, float, float, int, int]:
    """(writing seconds, indexed after start, indexed after the writing ended, refreshes, full scans)."""
    watcher = Watcher(root)
    watcher.start()
    index = Index.open(root / ".mdnet" / "index.sqlite")
    before = len(index.tokens())
    batches_before, scans_before = len(watcher.batches), watcher.full_scans
    script = (
        "import sys\nfrom pathlib import Path\n"
        "folder = Path(sys.argv[1]); folder.mkdir()\n"
        "for i in range(int(sys.argv[2])):\n"
        "    (folder / f'Burst {i:05}.md').write_text(f'---\\nname: Burst {i:05}\\ncadence: 90d\\n---\\n')\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, str(root / "people" / "burst"), str(count)], check=True)
    written = time.perf_counter()
    done = wait_for(lambda: len(index.tokens()) >= before + count, 120.0, interval=0.02)
    finished = time.perf_counter()
    watcher.wait_idle(timeout=30)
    refreshes = len(watcher.batches) - batches_before
    scans = watcher.full_scans - scans_before
    watcher.stop()
    index.close()
    if not done:
        return written - started, float("inf"), float("inf"), refreshes, scans
    return written - started, finished - started, finished - written, refreshes, scans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--burst", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    workdir = Path(tempfile.mkdtemp(prefix="mdnet-bench-watch-"))
    try:
        root = workdir / "vault"
        paths = make_vault(root, rng)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"mdnet watch benchmark: {CONTACTS} contacts, quiet period {QUIET:g} s, {os.cpu_count()} CPUs, "
              f"load average {load:.2f}")  # fmt: skip
        with Watcher(root) as watcher:
            print(f"observer: {watcher.mode} ({watcher.source.folders} folders watched)")
            for how in ("in place", "rename"):
                found = latencies(root, watcher, paths, args.saves, how, rng)
                median, p95 = statistics.median(found), percentile(found, 0.95)
                after = max(0.0, median - QUIET)
                median_part = f"median {median:.3f} s ({after:.3f} s after the quiet period"
                median_part += f"; target <= {TARGET_MEDIAN} s) {verdict(after, TARGET_MEDIAN)}"
                p95_part = f"p95 {p95:.3f} s (target <= {TARGET_P95} s) {verdict(p95, TARGET_P95)}"
                print(f"save {how:>8}: {median_part}; {p95_part}; max {max(found):.3f} s over {len(found)} saves")
        writing, total, settle, refreshes, scans = burst(root, args.burst)
        print(f"burst of {args.burst:,} new files (written by another process in {writing:.2f} s): indexed "
              f"{total:.2f} s after the first write, {settle:.2f} s after the last (target <= {TARGET_BURST} s) "
              f"{verdict(settle, TARGET_BURST)}; {refreshes} refreshes, {scans} full scans")  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
