"""Benchmark: git history for a vault of 10k notes and 20k commits (built with git fast-import).

Figures: every contact's git facts (last touched, commits) cold and with the cache
warm, and one contact's history. Standalone and seeded; prints figures and targets
with PASS/MISS; never fails.

    .venv/bin/python benchmarks/bench_history.py [--notes 10000] [--commits 20000]
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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import verdict  # noqa: E402

from mdnet.git import timeline  # noqa: E402
from mdnet.vault.facade import Vault  # noqa: E402

SEED = 20261125
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def note_text(number: int, revision: int) -> bytes:
    return (
        f"---\nname: Person {number:05d}\ncategory: colleague\ncadence: 90d\nlast_contact: 2026-0{1 + number % 9}-15\n"
        f"---\n# Person {number:05d}\n\nNotes about person {number}.\n\n## Log\n- 2026-01-0{1 + revision % 9} email: "
        f"revision {revision}\n"
    ).encode()


def fast_import_stream(notes: int, commits: int, rng: random.Random, flat: bool = False) -> bytes:
    """One commit adding every note, then one small change per commit (some renames, some mdnet-style)."""
    out: list[bytes] = []
    stamp = 1_600_000_000
    paths = [f"people/{'' if flat else f'{n % 100:02d}/'}Person {n:05d}.md" for n in range(notes)]

    def commit(message: str, body: list[bytes]) -> None:
        nonlocal stamp
        stamp += 600
        data = message.encode()
        out.append(b"commit refs/heads/main\n")
        out.append(f"committer Bench <bench@example.com> {stamp} +0000\n".encode())
        out.append(f"data {len(data)}\n".encode() + data + b"\n")
        out.extend(body)
        out.append(b"\n")

    commit("add every contact", [_inline(p, note_text(n, 0)) for n, p in enumerate(paths)])
    for revision in range(1, commits):
        number = rng.randrange(notes)
        if revision % 50 == 0:
            old = paths[number]
            paths[number] = old.rsplit("/", 1)[0] + f"/renamed {revision} {number:05d}.md"
            commit(f"rename {old}", [f'R "{old}" "{paths[number]}"\n'.encode()])
        elif revision % 3 == 0:
            message = (f"Log email with Person {number:05d}: revision {revision}\n\nContact: Person {number:05d}\n"
                       f"Interaction: email\nInteraction-Date: 2026-01-0{1 + revision % 9}\n")  # fmt: skip
            commit(message, [_inline(paths[number], note_text(number, revision))])
        else:
            commit(f"vault backup {revision}", [_inline(paths[number], note_text(number, revision))])
    return b"".join(out)


def _inline(path: str, data: bytes) -> bytes:
    return f'M 100644 inline "{path}"\n'.encode() + f"data {len(data)}\n".encode() + data + b"\n"


def build_vault(root: Path, notes: int, commits: int, flat: bool) -> float:
    started = time.perf_counter()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=ENV)
    stream = fast_import_stream(notes, commits, random.Random(SEED), flat)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=stream, check=True, env=ENV)
    subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard", "main"], check=True, env=ENV)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n')
    return time.perf_counter() - started


def timed(function: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--flat", action="store_true", help="every note in one folder (git's tree diffs get slow)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mdnet-bench-history-"))
    try:
        root = folder / "vault"
        built = build_vault(root, args.notes, args.commits, args.flat)
        layout = "one folder" if args.flat else "people/00..99/"
        print(f"vault: {args.notes} notes in {layout}, {args.commits} commits (fast-import + checkout {built:.1f} s)")
        cache = root / ".mdnet"
        cache.mkdir()
        cold, facts = timed(lambda: timeline.load_facts(root, cache))
        assert isinstance(facts, dict)
        warm, _ = timed(lambda: timeline.load_facts(root, cache), repeat=7)
        for name in (timeline.HISTORY_CACHE, timeline.FACTS_CACHE):
            print(f"  cache {name}: {(cache / name).stat().st_size / 1e6:.1f} MB")
        renamed = next(p for p in sorted(facts) if "renamed" in p)
        print(f"every contact's git facts ({len(facts)} notes), cold: {cold * 1000:7.0f} ms"
              f"   target <= 2000 ms  {verdict(cold, 2.0)}")  # fmt: skip
        print(f"every contact's git facts, cache warm:     {warm * 1000:7.1f} ms"
              f"   target <=   50 ms  {verdict(warm, 0.05)}")  # fmt: skip
        one, commits = timed(lambda: timeline.commits_of(root, cache, renamed), repeat=7)
        print(f"one contact's git history, cache warm:     {one * 1000:7.1f} ms"
              f"   target <=  100 ms  {verdict(one, 0.1)}   ({renamed}: {len(commits)} commits)")  # type: ignore[arg-type]  # fmt: skip
        with Vault.open(root) as vault:
            index_cold, _ = timed(vault.refresh)
            stem = Path(renamed).stem
            full, items = timed(lambda: vault.history(stem), repeat=7)
            lookup, _ = timed(lambda: vault.get(stem), repeat=7)
        print(f"Vault.history() end to end (index warm):   {full * 1000:7.1f} ms"
              f"   target <=  100 ms  {verdict(full, 0.1)}   ({len(items)} items)")  # type: ignore[arg-type]  # fmt: skip
        print(f"  of which Vault.get() (index refresh scan + name lookup, not git): {lookup * 1000:.1f} ms")
        print(f"  (first index build of {args.notes} notes: {index_cold:.1f} s, not part of the targets)")
        follow, _ = timed(lambda: subprocess.run(["git", "-C", str(root), "log", "--follow", "--format=%H", "--",
                                                  renamed], capture_output=True, check=True))  # fmt: skip
        print(
            f"for comparison, one 'git log --follow' per note: {follow * 1000:.0f} ms each, "
            f"{follow * len(facts) / 60:.0f} min for every note"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
