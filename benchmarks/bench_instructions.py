"""Count the CPU instructions of a cold index and of ``due --json``: figures that a busy machine cannot blur.

Wall-clock figures on a shared 2-core machine move by 50% from one run to the next
(benchmarks/README.md). Instruction counts from valgrind's cachegrind are the same
on every run for the same code and files, so they show what a change to mdnet
itself did. Each program runs in a new interpreter under
``valgrind --tool=cachegrind --cache-sim=no``; the count of a program that only
imports the same modules is subtracted, so start-up is not counted, and the index
is built on one core (no worker processes: cachegrind follows one process).

Figures, per note of a generated vault (1,000 contacts by default):

* cold index: ``Vault.open(vault).refresh()`` with no ``.mdnet/``;
* naive: ``frontmatter.load`` of every note (the yardstick of bench.py);
* ``due --json``: the whole command as a new process, start-up included, on the
  indexed vault, divided by nothing (one figure for the command): once with the
  answer computed (no cached answer: a miss), once answered from the cache (a hit).

Usage::

    python benchmarks/bench_instructions.py [--contacts 1000] [--workdir DIR]

Needs valgrind; without it the script says so and exits 0, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from generate import GENERATOR_VERSION, TODAY, generate_vault  # noqa: E402

_PROGRAMS = {
    "imports": "import sys, mdnet, mdnet.store.refresh, frontmatter\n",
    "cold": (
        "import sys, shutil, mdnet, mdnet.store.refresh, frontmatter\n"
        "shutil.rmtree(sys.argv[1] + '/.mdnet', ignore_errors=True)\n"
        "mdnet.store.refresh.PARALLEL_THRESHOLD = 10**9\n"
        "mdnet.Vault.open(sys.argv[1]).refresh()\n"
    ),
    "naive": (
        "import sys, pathlib, mdnet, mdnet.store.refresh, frontmatter\n"
        "for note in sorted(pathlib.Path(sys.argv[1], 'people').iterdir()):\n"
        "    frontmatter.load(note)\n"
    ),
}
_REFS_RE = re.compile(r"I\s+refs:\s+([\d,]+)")


def count(command: list[str]) -> int:
    """Instructions that ``command`` executes, counted by cachegrind."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    )
    found = _REFS_RE.search(done.stderr)
    if found is None:
        raise RuntimeError("cachegrind printed no instruction count")
    return int(found.group(1).replace(",", ""))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000, help="vault size (default 1000)")
    parser.add_argument("--workdir", type=Path, help="keep the generated vault here and reuse it")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("error: valgrind is not installed; no instruction counts")
        return 0
    temporary = None
    if args.workdir is None:
        temporary = tempfile.TemporaryDirectory(prefix="mdnet-instr-")
        base = Path(temporary.name)
    else:
        base = args.workdir
    vault = base / f"vault-{args.contacts}-s1-g{GENERATOR_VERSION}"
    try:
        if not (vault / "people").is_dir():
            generate_vault(vault, contacts=args.contacts, seed=1)
        python = sys.executable
        # Once without valgrind, so that every counted run finds the same compiled bytecode: the cold index
        # imports the parser and the links only when it reads notes, after the baseline's imports.
        for program in ("imports", "cold"):
            subprocess.run([python, "-c", _PROGRAMS[program], str(vault)],
                           env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=True)  # fmt: skip
        imports = count([python, "-c", _PROGRAMS["imports"], str(vault)])
        cold = count([python, "-c", _PROGRAMS["cold"], str(vault)]) - imports
        naive = count([python, "-c", _PROGRAMS["naive"], str(vault)]) - imports
        due_command = [python, "-m", "mdnet", "--vault", str(vault), "--today", TODAY.isoformat(), "due", "--json"]
        # Once uncounted too: the command imports modules the programs above do not (cli, render), and a
        # changed one would be compiled inside the counted run (30 M instructions after an edit of cli.py).
        subprocess.run(due_command, capture_output=True, check=True)
        # A miss (the answer computed: what the figures before the answer cache were), then a hit (the answer the
        # miss stored, docs/due.md "The answer cache"). The file is mdnet's own: deleting it is always safe.
        (vault / ".mdnet" / "answer-due").unlink(missing_ok=True)
        due = count(due_command)
        due_hit = count(due_command)
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"error: {exc}")
        return 0
    finally:
        if temporary is not None:
            temporary.cleanup()
    per_note = args.contacts
    print(f"instructions, {args.contacts:,} contacts (cachegrind; the same on every run for the same code)")
    print(f"  cold index (one core)  {cold / per_note / 1e6:6.3f} M per note  ({cold / naive:.2f}x naive's)")
    print(f"  naive frontmatter.load {naive / per_note / 1e6:6.3f} M per note")
    print(f"  due --json (process)   {due / 1e6:8.1f} M in all, start-up included (the answer computed)")
    print(f"  due --json, cached     {due_hit / 1e6:8.1f} M in all (the answer cache's hit: nothing changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
