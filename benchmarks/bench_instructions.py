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

"Per note" divides by the contacts (1,000 by default), though the cold index reads the daily
and meeting notes too (1,700 notes in all at 1,000 contacts; the naive figure reads people/).

With ``--stages``, also the cold index's instruction profile (issue 17 item 1): one program per
stage, each doing the stages before it and its own (read, split, YAML, contact, log, links,
rows, pickling between processes, SQLite), on one core, counted the same way; a stage's figure
is its program's count minus the one before it.

Usage::

    python benchmarks/bench_instructions.py [--contacts 1000] [--workdir DIR] [--stages]

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
#: The cold index's stages, in order: (name, what it covers). Each program does its stage and every one
#: before it (``pickling`` and ``SQLite`` both follow ``rows``), so subtracting the one before gives the stage.
STAGES: tuple[tuple[str, str], ...] = (
    ("imports", "the baseline: the cold index line's imports (mdnet, refresh, frontmatter)"),
    ("parser", "importing the parser (mdnet.store.rows and what it imports)"),
    ("read", "scan, read each note's bytes, decode"),
    ("split", "split front matter from body"),
    ("yaml", "YAML of the front matter"),
    ("contact", "the rest of parse_note: checks, the Contact (log left out)"),
    ("log", "the log section's entries"),
    ("links", "links (mentions): read_note's facts, their rows, the contact's links"),
    ("rows", "the rest of build_row: record JSON, due columns, names, full text"),
    ("pickling", "pickling jobs and rows between processes (the parallel path only; importing pickle too)"),
    ("sqlite", "SQLite: Vault.open, store, resolve, indexes, meta; the serial refresh minus rows (and import shutil)"),
)
_STAGE_PROGRAM = """\
import sys, mdnet, mdnet.store.refresh, frontmatter

root, stage = sys.argv[1], sys.argv[2]
names = sys.argv[3].split(",")
level = names.index(stage)
if stage == "sqlite":  # the cold index line's program, which imports shutil (some 8 M instructions) too
    import shutil
    shutil.rmtree(root + "/.mdnet", ignore_errors=True)
    mdnet.store.refresh.PARALLEL_THRESHOLD = 10**9
    mdnet.Vault.open(root).refresh()
    sys.exit()
if level >= names.index("parser"):
    from mdnet.config import is_in_contact_folder
    from mdnet.note import contact, document, frontmatter_yaml
    from mdnet.store import files, rows
    from mdnet.store.layout import daily_location, load_config
if level >= names.index("read"):
    from pathlib import Path
    config = load_config(Path(root))
    folder, date_format = daily_location(Path(root), config)
    settings = (config.contact_dirs, config.log_heading, config.max_note_bytes, config.mentions,
                config.interaction_fields, folder, date_format)
    jobs = [(root, path, files.token(*state)) for path, state in files.scan(Path(root)).items()]
if level >= names.index("links"):
    if stage == "links":  # parse_one without build_row's own work: the facts' rows and the contact's links
        def facts_and_links(path, token, contact, fields, problems, body, log=None, facts=rows.NOTHING):
            rows.facts_rows(facts)
            if contact is not None:
                tuple(rows.note_links(contact, body))
        rows.build_row = facts_and_links
    built = [rows.parse_one(job, settings) for job in jobs]
    if stage == "pickling":  # what a ProcessPoolExecutor sends: the jobs out, the rows back, in batches
        import pickle  # here: imported first, it would spare the cold path some imports of its own
        chunk = max(100, min(500, len(jobs) // (2 * 8)))
        for i in range(0, len(jobs), chunk):
            pickle.loads(pickle.dumps((jobs[i : i + chunk], settings)))
            pickle.loads(pickle.dumps(built[i : i + chunk]))
elif level >= names.index("contact"):
    if stage == "contact":
        contact._parse_log = lambda doc, heading, out: []
    parse_settings = contact.ParseSettings(config.log_heading)
    for base, path, _token in jobs:
        try:
            text = document.decode(files.read_note(base, path, config.max_note_bytes))
        except Exception:
            continue
        in_folder = is_in_contact_folder(path, config.contact_dirs)
        contact.parse_note(text, path, contact_folder=in_folder, settings=parse_settings, log_records=False)
elif level >= names.index("read"):
    for base, path, _token in jobs:
        try:
            text = document.decode(files.read_note(base, path, config.max_note_bytes))
        except Exception:
            continue
        if level >= names.index("split"):
            doc = document.split(text)
            if level >= names.index("yaml") and doc.front_matter is not None:
                try:
                    frontmatter_yaml.load(doc.front_matter)
                except frontmatter_yaml.YamlProblem:
                    pass
"""
#: ``frontmatter.load`` of every note the cold index reads (people, daily and meeting notes), for the profile.
_NAIVE_ALL = (
    "import sys, pathlib, mdnet, mdnet.store.refresh, frontmatter\n"
    "for note in sorted(pathlib.Path(sys.argv[1]).rglob('*.md')):\n"
    "    frontmatter.load(note)\n"
)
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
    parser.add_argument("--stages", action="store_true", help="also the cold index's profile, stage by stage")
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
        profile = stage_counts(python, vault, imports) if args.stages else None
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
    if profile is not None:
        print_stages(profile, per_note, cold)
    return 0


def stage_counts(python: str, vault: Path, imports: int) -> dict[str, int]:
    """Each stage's instructions (its program's count minus the one before it), and ``naive-all``.

    ``pickling`` and ``sqlite`` are both counted against ``rows``: the serial refresh that the last
    program runs pickles nothing. ``naive-all`` is counted against ``imports``, the count of the
    import program of the lines above (a program as small as it).
    """
    names = ",".join(name for name, _ in STAGES)

    def program(stage: str) -> list[str]:
        return [python, "-c", _STAGE_PROGRAM, str(vault), stage, names]

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for warm in ("pickling", "sqlite"):  # uncounted first: every module compiled before the counts
        subprocess.run(program(warm), env=env, check=True)
    totals = {name: count(program(name)) for name, _ in STAGES}
    stages: dict[str, int] = {}
    before = totals["imports"]
    for name, _ in STAGES[1:]:
        stages[name] = totals[name] - (totals["rows"] if name in ("pickling", "sqlite") else before)
        before = totals[name]
    stages["naive-all"] = count([python, "-c", _NAIVE_ALL, str(vault)]) - imports
    return stages


def print_stages(stages: dict[str, int], per_note: int, cold: int) -> None:
    """The profile table: each stage per note (the cold index line's unit) and its share of the whole."""
    whole = sum(value for name, value in stages.items() if name != "naive-all")
    print(f"cold index by stage (one core; M per note as above; share of {whole / per_note / 1e6:.3f} M)")
    for name, what in STAGES[1:]:
        value = stages[name]
        print(f"  {name:<9} {value / per_note / 1e6:7.3f} M  {100 * value / whole:5.1f}%  {what}")
    serial = whole - stages["pickling"]
    print(f"  serial total {serial / per_note / 1e6:.3f} M (the cold index line: {cold / per_note / 1e6:.3f} M)")
    naive_all = stages["naive-all"]
    print(f"  naive frontmatter.load of the same notes (people, daily, meetings) {naive_all / per_note / 1e6:.3f} M")


if __name__ == "__main__":
    sys.exit(main())
