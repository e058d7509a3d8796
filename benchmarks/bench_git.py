"""Benchmark commits (issue 19): ``mdnet log`` runs per second with 1 and 4 writers, save -> commit latency.

Standalone; prints figures; never fails.

    .venv/bin/python benchmarks/bench_git.py [--seconds 10] [--saves 10]

Each ``log`` is a whole ``python -m mdnet log`` process (start-up included), as a script
calling mdnet would run it; 4 writers log to different notes of one repository, so their
commits take turns on mdnet's commit lock. Save -> commit: a note rewritten under
``watch --autocommit`` (its default 2 s quiet period), timed until HEAD holds the new text.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mdnet.watch.watcher import COMMIT_QUIET  # noqa: E402

NOTE = "---\nname: {name}\ncadence: 30d\n---\n# {name}\n\n## Log\n"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="Bench",
               GIT_COMMITTER_EMAIL="bench@example.com", GIT_CONFIG_NOSYSTEM="1")  # fmt: skip
    return env


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=_env()).stdout  # fmt: skip


def _vault(folder: Path, contacts: int) -> Path:
    root = folder / "vault"
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n')
    (root / ".gitignore").write_text(".mdnet/\n")
    for n in range(contacts):
        (root / "people" / f"C{n}.md").write_text(NOTE.format(name=f"C{n}"))
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "contacts")
    return root


def logs_per_second(writers: int, seconds: float) -> tuple[float, int, int]:
    """(logs per second, logs, uncommitted) with ``writers`` processes logging at once for ``seconds``."""
    with tempfile.TemporaryDirectory() as folder:
        root = _vault(Path(folder), writers * 4)
        done: list[int] = []
        stop = time.monotonic() + seconds

        def write(w: int) -> None:
            n = 0
            while time.monotonic() < stop:
                name = f"C{w * 4 + n % 4}"
                command = [sys.executable, "-m", "mdnet", "--vault", str(root), "log", name, f"w{w} n{n}"]
                result = subprocess.run(command,
                                        capture_output=True, env=_env(), check=False)  # fmt: skip
                done.append(result.returncode)
                n += 1

        started = time.monotonic()
        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        uncommitted = len(_git(root, "status", "--porcelain").splitlines())
        return len(done) / elapsed, len(done), uncommitted + sum(1 for rc in done if rc != 0)


def save_to_commit(saves: int) -> list[float]:
    """Seconds from a save to HEAD holding it, under ``watch --autocommit``."""
    with tempfile.TemporaryDirectory() as folder:
        root = _vault(Path(folder), 20)
        watcher = subprocess.Popen([sys.executable, "-m", "mdnet", "--vault", str(root), "watch", "--autocommit"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())  # fmt: skip
        latencies: list[float] = []
        try:
            time.sleep(2)
            for n in range(saves):
                note = root / "people" / f"C{n % 20}.md"
                marker = f"saved {n}"
                note.write_text(note.read_text() + marker + "\n")
                saved = time.monotonic()
                while time.monotonic() - saved < 30:
                    shown = subprocess.run(["git", "-C", str(root), "show", f"HEAD:people/C{n % 20}.md"],
                                           capture_output=True, text=True, check=False)  # fmt: skip
                    if marker in shown.stdout:
                        latencies.append(time.monotonic() - saved)
                        break
                    time.sleep(0.05)
        finally:
            watcher.terminate()
            watcher.wait()
        return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--saves", type=int, default=10)
    options = parser.parse_args()
    for writers in (1, 4):
        rate, count, lost = logs_per_second(writers, options.seconds)
        print(f"mdnet log, {writers} writer(s): {rate:.1f} logs/s ({count} in {options.seconds:g} s; "
              f"{lost} not committed)")  # fmt: skip
    latencies = save_to_commit(options.saves)
    if latencies:
        median, worst = statistics.median(latencies), max(latencies)
        print(f"save -> commit under watch --autocommit (quiet {COMMIT_QUIET:g} s): median {median:.2f} s, "
              f"max {worst:.2f} s ({len(latencies)}/{options.saves})")  # fmt: skip
    else:
        print("save -> commit: no save was committed within 30 s")


if __name__ == "__main__":
    main()
