"""Measure how fast mdnet indexes and answers on vaults of 1k to 50k contacts.

Every figure is printed next to two yardsticks measured on the same files on
the same machine, so that the numbers mean something on any hardware:

* the *floor*: walking the vault and reading every note's bytes, which no
  indexer can beat;
* the *naive* way: ``frontmatter.load`` of every note (python-frontmatter with
  PyYAML), which is what a script without an index would do on every command.

Both read the notes that mdnet reads for ``due`` (contacts, daily and meeting
notes: every ``.md`` outside dot folders), as issue 17's targets say: "the same
files". The targets (issue 17; README.md beside this file) are printed under their
figure and again at the end, marked PASS or MISS, each with its ratio to the naive
time measured in the same run.  The script never fails on a figure: it is a
measuring instrument, not a test, and always exits 0.  Each measurement that
cannot run (mdnet not written yet, python-frontmatter not installed) prints
``error: ...`` and the rest still run.

Usage::

    python benchmarks/bench.py [--sizes 1000,10000,50000] [--workdir DIR]
                               [--seed S]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
if str(REPO_ROOT) not in sys.path:
    # Use the working tree's mdnet even when it is not installed.
    sys.path.insert(0, str(REPO_ROOT))

from common import best_of  # noqa: E402
from generate import GENERATOR_VERSION, TODAY, generate_vault  # noqa: E402

DEFAULT_SIZES = (1000, 10000, 50000)
TODAY_ARG = TODAY.isoformat()
MB = 1_000_000

#: Runs in a fresh interpreter, so the cold index pays for imports, a cold
#: SQLite file and nothing cached in memory, as a user's first command does.
#: The time is taken inside, so interpreter start-up is not counted.
_COLD_SCRIPT = """\
import json, resource, sys, time
t0 = time.perf_counter()
import mdnet
t1 = time.perf_counter()
stats = mdnet.Vault.open(sys.argv[1]).refresh()
t2 = time.perf_counter()
print(json.dumps({
    "import_s": t1 - t0,
    "refresh_s": t2 - t1,
    "self_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "stats": repr(stats),
}))
"""


@dataclass
class Result:
    """One measured figure, or why it could not be measured."""

    seconds: float | None = None
    error: str | None = None
    note: str = ""
    peak_bytes: int | None = None
    people_s: float | None = None  # the floor and the naive way: people/ alone (what issue 2 measured)


@dataclass
class SizeReport:
    """All the figures for one vault size."""

    size: int
    files: int = 0
    total_bytes: int = 0
    generate_s: float | None = None
    load: list[float] = field(default_factory=list)  # the 1-minute load average when each figure started
    reused: bool = False
    error: str | None = None
    rows: dict[str, Result] = field(default_factory=dict)


# ----------------------------------------------------------------- helpers


class MeasureError(Exception):
    """A measurement that could not be taken; its message is shown as is."""


def _error_text(exc: BaseException) -> str:
    """One line for an ``error:`` row: the last line of the message."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, MeasureError):
        return text[-1] if text else "failed"
    return f"{type(exc).__name__}: {text[-1] if text else ''}".rstrip(": ")


def _measure(fn: Callable[[], Result], load: list[float] | None = None) -> Result:
    """Run one measurement; any exception becomes an ``error:`` row. ``load`` gets the load average first."""
    if load is not None:
        _note_load(load)
    try:
        return fn()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a measuring tool reports all
        return Result(error=_error_text(exc))


def _note_load(load: list[float]) -> None:
    """Append the machine's 1-minute load average (nothing where there is none, as on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        load.append(os.getloadavg()[0])


def _notes(vault: Path) -> list[Path]:
    """Every note mdnet reads, ``people/`` first, in a stable order.

    As mdnet's scan: every ``.md`` file (any case) outside dot folders, links to folders not followed.
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(vault):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / f for f in sorted(filenames) if f.lower().endswith(".md"))
    people = vault / "people"
    return sorted(found, key=lambda path: people not in path.parents)  # stable: people/ first, then the rest


def _people_count(files: list[Path], vault: Path) -> int:
    """How many of ``files`` (people/ first) are under people/: the part issue 2's figures read."""
    people = vault / "people"
    return sum(1 for path in files if people in path.parents)


def _subprocess_env() -> dict[str, str]:
    """Environment for mdnet subprocesses.

    The working tree's package comes first on the path, and MDNET_* variables
    are dropped so that none can point the command at another vault or day.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + old if old else "")
    # An installed package runs from compiled bytecode; some shells (and this
    # workplace) set PYTHONDONTWRITEBYTECODE, which would make every process
    # compile mdnet from source and time the compiler, not mdnet.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _compile_package()
    return env


def _compile_package() -> None:
    import compileall

    compileall.compile_dir(str(REPO_ROOT / "mdnet"), quiet=1)


def _import(name: str) -> ModuleType:
    """Import by name so the script runs (and type-checks) without it."""
    return importlib.import_module(name)


def _children_maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


# -------------------------------------------------------------- the vault


@contextlib.contextmanager
def _vault_for(size: int, seed: int, workdir: Path | None, report: SizeReport) -> Iterator[Path]:
    """Yield a generated vault of ``size`` contacts.

    With ``--workdir`` the vault is kept as ``vault-<size>-s<seed>-g<version>``
    (``g`` is the generator's version) and reused by later runs, as writing
    50k files takes a while on slow disks.  It is generated under a temporary
    name and renamed when complete, so an interrupted run never leaves a
    half-made vault that looks reusable.
    Without it, the vault lives in a temporary folder removed afterwards.
    """
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix=f"mdnet-bench-{size}-") as tmp:
            vault = Path(tmp) / "vault"
            start = time.perf_counter()
            generate_vault(vault, size, seed)
            report.generate_s = time.perf_counter() - start
            yield vault
        return
    workdir.mkdir(parents=True, exist_ok=True)
    vault = workdir / f"vault-{size}-s{seed}-g{GENERATOR_VERSION}"
    if vault.is_dir():
        report.reused = True
    else:
        partial = vault.with_name(vault.name + ".partial")
        if partial.exists():
            shutil.rmtree(partial)
        start = time.perf_counter()
        generate_vault(partial, size, seed)
        partial.rename(vault)
        report.generate_s = time.perf_counter() - start
    yield vault


# ---------------------------------------------------------- measurements


def _best_parts(runs: int, function: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """Best of ``runs`` for each of the two times ``function`` returns (people/ alone, every note)."""
    times = [function() for _ in range(runs)]
    return min(t[0] for t in times), min(t[1] for t in times)


def _read_tree(top: Path, skip: Path | None = None) -> None:
    """Read the bytes of every note under ``top`` (dot folders and ``skip`` left out)."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and Path(dirpath, d) != skip]
        for name in filenames:
            if name.lower().endswith(".md"):
                with open(os.path.join(dirpath, name), "rb") as fh:
                    fh.read()


def measure_floor(files: list[Path], vault: Path) -> Result:
    """Walk the vault and read every note's bytes: the least any index must do.

    ``people/`` is read first and timed apart too: that is what issue 2's floor read.
    """
    people = vault / "people"

    def run() -> tuple[float, float]:
        start = time.perf_counter()
        _read_tree(people)
        middle = time.perf_counter()
        _read_tree(vault, skip=people)
        return middle - start, time.perf_counter() - start

    for path in files:  # warm the page cache: we measure CPU, not the disk
        path.read_bytes()
    people_s, seconds = _best_parts(3, run)
    return Result(seconds=seconds, note=f"best of 3; people/ alone {_format_seconds(people_s)}", people_s=people_s)


def naive_once(files: list[Path], people: int) -> tuple[float, float, int]:
    """``frontmatter.load`` of every note, in this process: what a tool without an index does.

    Returns the time of the first ``people`` files (the contacts: issue 2's naive figure read
    those alone), of them all, and how many failed to parse. Interpreter start-up and
    ``import frontmatter`` are not counted, so the ratio of a command run as a new process to
    this is the stricter one; the figure's note says what a new process would add.
    """
    frontmatter = _import("frontmatter")
    failures = 0
    start = time.perf_counter()
    middle = start
    for n, path in enumerate(files):
        if n == people:
            middle = time.perf_counter()
        try:
            frontmatter.load(path)
        except Exception:  # count, as a naive tool would crash
            failures += 1
    end = time.perf_counter()
    return (middle if people < len(files) else end) - start, end - start, failures


def _naive_result(runs: list[tuple[float, float, int]]) -> Result:
    people_s, seconds = min(r[0] for r in runs), min(r[1] for r in runs)
    note = f"best of {len(runs)}; people/ alone {_format_seconds(people_s)}"
    if runs[-1][2]:
        note += f"; {runs[-1][2]} files failed to parse"
    with contextlib.suppress(Exception):
        start_up = _naive_start_up()
        note += f"; as a new process it would take {_format_seconds(start_up)} more (start-up, import)"
    return Result(seconds=seconds, note=note, people_s=people_s)


def _naive_start_up() -> float:
    """What a naive tool pays before its first note: a new interpreter importing python-frontmatter."""
    command = [sys.executable, "-c", "import frontmatter"]
    return best_of(3, lambda: subprocess.run(command, check=True, capture_output=True))


def _cold_result(results: list[Result]) -> Result:
    """The cold index's best run; the peak memory is the largest of the runs.

    Each run's peak is that subprocess's maximum resident set size, from
    ``getrusage(RUSAGE_CHILDREN)`` in this process; when an earlier child was already bigger
    (that figure only ever grows), the child's own ``RUSAGE_SELF`` figure is used instead.
    """
    best = min(results, key=lambda r: r.seconds if r.seconds is not None else float("inf"))
    note = f"best of {len(results)}; {best.note}" if len(results) > 1 else best.note
    return Result(seconds=best.seconds, note=note, peak_bytes=max(r.peak_bytes or 0 for r in results))


def _cold_once(vault: Path) -> Result:
    shutil.rmtree(vault / ".mdnet", ignore_errors=True)
    before = _children_maxrss_kib()
    proc = subprocess.run(
        [sys.executable, "-c", _COLD_SCRIPT, str(vault)],
        capture_output=True,
        text=True,
        env=_subprocess_env(),
        check=False,
    )
    after = _children_maxrss_kib()
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise MeasureError(lines[-1] if lines else f"exit status {proc.returncode}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    peak_kib = after if after > before else int(data["self_maxrss_kib"])
    note = f"import {data['import_s']:.2f} s not included; stats: {data['stats']}"
    return Result(seconds=float(data["refresh_s"]), note=note, peak_bytes=peak_kib * 1024)


def _refresh(mdnet: ModuleType, vault: Path) -> object:
    return mdnet.Vault.open(vault).refresh()


def measure_no_change(vault: Path) -> Result:
    """``Vault.open(vault).refresh()`` with nothing changed, in-process."""
    mdnet = _import("mdnet")
    stats: object = None

    def run() -> None:
        nonlocal stats
        stats = _refresh(mdnet, vault)

    seconds = best_of(3, run)
    return Result(seconds=seconds, note=f"best of 3; stats: {stats!r}")


def measure_one_changed(vault: Path, files: list[Path]) -> Result:
    """Append a log line to one note, then refresh; a different note each time.

    The notes are put back byte for byte afterwards (and the index refreshed),
    so a vault kept with --workdir stays as generated.
    """
    mdnet = _import("mdnet")
    _refresh(mdnet, vault)  # start from an up-to-date index
    picks = [files[len(files) * k // 4] for k in (1, 2, 3)] if files else []
    originals: dict[Path, bytes] = {}
    best = float("inf")
    try:
        for n, path in enumerate(dict.fromkeys(picks)):
            data = path.read_bytes()
            originals[path] = data
            newline = b"\r\n" if b"\r\n" in data else b"\n"
            tail = b"" if data.endswith(b"\n") or not data else newline
            line = f"- {TODAY_ARG} note: benchmark edit {n + 1}".encode()
            path.write_bytes(data + tail + line + newline)
            start = time.perf_counter()
            _refresh(mdnet, vault)
            best = min(best, time.perf_counter() - start)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
        if originals:
            with contextlib.suppress(Exception):
                _refresh(mdnet, vault)
    if not originals:
        raise MeasureError("the vault has no notes")
    return Result(seconds=best, note=f"best of {len(originals)}")


@dataclass(frozen=True)
class ProcessRun:
    """One command run as a new process: its wall time, output and peak memory."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_bytes: int


def run_process(command: list[str], env: dict[str, str]) -> ProcessRun:
    """Run ``command`` and wait for it with ``wait4``, which gives this child's own peak memory.

    The peak is the largest resident set size of the process and of the worker processes it
    waited for (Linux's ``ru_maxrss`` of a child: the larger of its own and its children's).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB elsewhere
    return ProcessRun(seconds, proc.returncode, stdout, stderr, usage.ru_maxrss * unit)


def _due_command(vault: Path) -> list[str]:
    return [sys.executable, "-m", "mdnet", "--vault", str(vault), "--today", TODAY_ARG, "due", "--json"]


def _run_due(vault: Path, env: dict[str, str]) -> ProcessRun:
    """``due --json`` as a new process; a failure is a MeasureError with the command's last line."""
    run = run_process(_due_command(vault), env)
    if run.returncode != 0:
        lines = (run.stderr or run.stdout).strip().splitlines()
        raise MeasureError(f"exit status {run.returncode}: {lines[-1] if lines else 'no output'}")
    return run


def _due_env() -> dict[str, str]:
    """The environment for ``python -m mdnet``, once mdnet is known to import (a clear error if not)."""
    env = _subprocess_env()
    check = subprocess.run([sys.executable, "-c", "import mdnet"], capture_output=True, text=True, env=env, check=False)
    if check.returncode != 0:
        lines = check.stderr.strip().splitlines()
        raise MeasureError(lines[-1] if lines else "cannot import mdnet")
    return env


def _items(stdout: str) -> str:
    try:
        return f"{len(json.loads(stdout)['items']):,} items"
    except (ValueError, KeyError, TypeError):
        return "output is not the JSON of SPEC section 3"


def measure_due(vault: Path) -> Result:
    """Time ``python -m mdnet ... due --json`` as a new process on an up-to-date index: warm.

    That is what a user or a pre-commit hook waits for, interpreter start-up
    included, so start-up is counted here.
    """
    env = _due_env()
    subprocess.run(_due_command(vault), capture_output=True, env=env, check=False)  # index up to date
    runs = [_run_due(vault, env) for _ in range(5)]
    best = min(runs, key=lambda r: r.seconds)
    return Result(seconds=best.seconds, note=f"best of 5; {_items(best.stdout)}")


def cold_due_once(vault: Path, env: dict[str, str]) -> ProcessRun:
    """Delete ``.mdnet/``, then ``due --json`` as a new process: the index built and the answer given.

    Start-up included, as a user's first command after a clone pays it.
    """
    shutil.rmtree(vault / ".mdnet", ignore_errors=True)
    return _run_due(vault, env)


def _cold_due_result(runs: list[ProcessRun]) -> Result:
    best = min(runs, key=lambda r: r.seconds)
    note = f"best of {len(runs)}; {_items(best.stdout)}; no .mdnet/, start-up included"
    return Result(seconds=best.seconds, note=note, peak_bytes=max(r.peak_bytes for r in runs))


def measure_side_by_side(vault: Path, files: list[Path], people: int, runs: int) -> dict[str, Result]:
    """The naive read, the cold index and the cold ``due --json``, in ``runs`` rounds of one each.

    Taken in turn rather than one after the other, so that the best of each comes from the same
    minutes of a shared machine and their ratio is fair. A figure that fails is an ``error:`` row
    and is not tried again; the others go on.
    """
    env: dict[str, str] = {}

    def cold_due() -> ProcessRun:
        if not env:
            env.update(_due_env())
        return cold_due_once(vault, env)

    measures: dict[str, Callable[[], Any]] = {
        "naive": lambda: naive_once(files, people),
        "cold": lambda: _cold_once(vault),
        "colddue": cold_due,
    }
    done: dict[str, list[Any]] = {key: [] for key in measures}
    errors: dict[str, str] = {}
    for _ in range(runs):
        for key, measure in measures.items():
            if key in errors:
                continue
            try:
                done[key].append(measure())
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # a measuring tool reports all
                errors[key] = _error_text(exc)
    builders: dict[str, Callable[[list[Any]], Result]] = {
        "naive": _naive_result,
        "cold": _cold_result,
        "colddue": _cold_due_result,
    }
    results: dict[str, Result] = {}
    for key in measures:
        if key in errors:
            results[key] = Result(error=errors[key])
        else:
            results[key] = _measure(functools.partial(builders[key], done[key]))
    return results


def measure_one_changed_due(vault: Path, contacts: list[Path]) -> Result:
    """Append a log line to one contact note, then ``due --json`` as a new process; best of 3 notes.

    The command finds the change, reads that note again and answers. The notes are put back
    byte for byte afterwards and the index brought up to date again.
    """
    env = _due_env()
    _run_due(vault, env)  # start from an up-to-date index
    picks = list(dict.fromkeys(contacts[len(contacts) * k // 4] for k in (1, 2, 3))) if contacts else []
    originals: dict[Path, bytes] = {}
    best: ProcessRun | None = None
    try:
        for n, path in enumerate(picks):
            data = path.read_bytes()
            originals[path] = data
            newline = b"\r\n" if b"\r\n" in data else b"\n"
            tail = b"" if data.endswith(b"\n") or not data else newline
            path.write_bytes(data + tail + f"- {TODAY_ARG} note: benchmark edit {n + 1}".encode() + newline)
            run = _run_due(vault, env)
            if best is None or run.seconds < best.seconds:
                best = run
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
        if originals:
            with contextlib.suppress(Exception):
                _run_due(vault, env)
    if best is None:
        raise MeasureError("the vault has no contact notes")
    return Result(seconds=best.seconds, note=f"best of {len(originals)}; {_items(best.stdout)}")


# --------------------------------------------------------------- targets


def _seconds(report: SizeReport, row: str) -> float | None:
    result = report.rows.get(row)
    return None if result is None else result.seconds


#: What a target shows (its figure and the figure's ratio to naive) and whether it is met (None: not measured).
Evaluation = tuple[str, bool | None]


def _at_most(row: str, limit: float) -> Callable[[SizeReport], Evaluation]:
    def evaluate(report: SizeReport) -> Evaluation:
        value, naive = _seconds(report, row), _seconds(report, "naive")
        if value is None:
            return "", None
        return f"{_format_seconds(value)}, {_ratio(value, naive)} naive's time", value <= limit

    return evaluate


def _faster_than_naive(row: str, factor: float, stretch: float) -> Callable[[SizeReport], Evaluation]:
    def evaluate(report: SizeReport) -> Evaluation:
        value, naive = _seconds(report, row), _seconds(report, "naive")
        if value is None or naive is None or value <= 0:
            return "", None
        speed = naive / value
        reached = "reached" if speed >= stretch else "not reached"
        shown = f"{speed:.2f}x naive's speed: {_format_seconds(value)} for {_format_seconds(naive)}"
        return f"{shown}; stretch {stretch:g}x {reached}", speed >= factor

    return evaluate


def _peak_at_most(row: str, limit: int) -> Callable[[SizeReport], Evaluation]:
    def evaluate(report: SizeReport) -> Evaluation:
        result = report.rows.get(row)
        if result is None or result.peak_bytes is None:
            return "", None
        return f"{result.peak_bytes / MB:.0f} MB", result.peak_bytes <= limit

    return evaluate


@dataclass(frozen=True)
class Target:
    """A project target: which figure, at which size, and how to judge it."""

    size: int
    row: str
    text: str
    evaluate: Callable[[SizeReport], Evaluation]

    def line(self, report: SizeReport) -> str:
        """``text: PASS (figure, ratio to naive)``, or MISS, or MISS (not measured)."""
        shown, ok = self.evaluate(report)
        return f"{self.text}: {_verdict(ok)}" + (f" ({shown})" if shown else "")


#: Issue 17's targets, which replaced issue 2's (benchmarks/README.md).
TARGETS: tuple[Target, ...] = (
    Target(10000, "colddue", "cold due --json >= 2x faster than naive", _faster_than_naive("colddue", 2.0, 3.0)),
    Target(10000, "due", "warm due --json <= 0.2 s", _at_most("due", 0.2)),
    Target(10000, "onedue", "one changed note, then due --json <= 0.25 s", _at_most("onedue", 0.25)),
    Target(50000, "colddue", "cold due --json >= 2x faster than naive", _faster_than_naive("colddue", 2.0, 3.0)),
    Target(50000, "colddue", "peak memory of the cold due --json <= 300 MB", _peak_at_most("colddue", 300 * MB)),
)


#: Issue 2's own figures for 10,000 contacts, on the machine its targets were set on:
#: reading every contact file, and ``frontmatter.load`` of every contact file.
REFERENCE = {10000: {"floor": 0.15, "naive": 2.1}}


def _verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "MISS (not measured)"}[ok]


# ---------------------------------------------------------------- output

ROWS: tuple[tuple[str, str], ...] = (
    ("floor", "floor (read bytes)"),
    ("naive", "naive (frontmatter)"),
    ("cold", "cold index"),
    ("nochange", "no-change refresh"),
    ("one", "one changed file"),
    ("colddue", "cold due --json (process)"),
    ("due", "warm due --json (process)"),
    ("onedue", "one changed, due --json"),
)


def _format_seconds(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _ratio(value: float, base: float | None) -> str:
    if base is None or base <= 0:
        return "n/a"
    ratio = value / base
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.0f}x"


def print_report(report: SizeReport) -> None:
    """One block per size: each figure with its ratios and its targets."""
    origin = "reused" if report.reused else f"generated in {report.generate_s or 0:.1f} s"
    print()
    print(f"== {report.size:,} contacts: {report.files:,} files, {report.total_bytes / MB:.1f} MB ({origin}) ==")
    if report.load:
        # A busy machine slows the figures that run on every core (cold index, cold due) more than the naive read.
        print(
            f"  load average {min(report.load):.1f} to {max(report.load):.1f} while measuring "
            f"({os.cpu_count()} CPUs; above that, the figures wait for other work)"
        )
    if report.error:
        print(f"  error: {report.error}")
    floor = _seconds(report, "floor")
    naive = _seconds(report, "naive")
    width = max(len(label) for _, label in ROWS)
    for key, label in ROWS:
        result = report.rows.get(key)
        if result is None:
            continue
        if result.seconds is None:
            print(f"  {label:<{width}}  error: {result.error}")
            continue
        figure = (
            f"{_format_seconds(result.seconds):>9}  "
            f"({_ratio(result.seconds, floor)} floor, {_ratio(result.seconds, naive)} naive)"
        )
        if result.peak_bytes is not None:
            figure += f"  peak {result.peak_bytes / MB:.0f} MB"
        print(f"  {label:<{width}}  {figure}")
        for target in TARGETS:
            if target.size == report.size and target.row == key:
                print(f"  {'':<{width}}    target: {target.line(report)}")
        if result.note:
            print(f"  {'':<{width}}    {result.note}")
    reference = REFERENCE.get(report.size)
    floor_people, naive_people = _people_seconds(report, "floor"), _people_seconds(report, "naive")
    if reference and floor_people and naive_people:
        # Issue 2's figures read the contacts alone: say how fast this machine was against the one they were set on.
        print(
            f"  this machine against issue 2's: floor {floor_people / reference['floor']:.2f}x its "
            f"{_format_seconds(reference['floor'])}, naive {naive_people / reference['naive']:.2f}x its "
            f"{_format_seconds(reference['naive'])} (above 1: slower; people/ alone, as issue 2 read)"
        )


def _people_seconds(report: SizeReport, row: str) -> float | None:
    """The ``people/`` part of the floor or the naive way (its whole time when not measured apart)."""
    result = report.rows.get(row)
    if result is None:
        return None
    return result.people_s if result.people_s is not None else result.seconds


def print_machine() -> None:
    """What the figures were measured on, so others can compare."""
    print("mdnet benchmarks")
    print(f"  python      {platform.python_implementation()} {platform.python_version()} ({sys.executable})")
    print(f"  machine     {platform.platform()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    for name, dist in (("mdnet", "mdnet"), ("frontmatter", "python-frontmatter"), ("yaml", "PyYAML")):
        try:
            module = _import(name)
        except Exception as exc:  # report, do not stop
            print(f"  {name:<11} error: {_error_text(exc)}")
            continue
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = str(getattr(module, "__version__", "?"))
        extra = ""
        if name == "yaml":
            extra = " (libyaml C loader)" if getattr(module, "__with_libyaml__", False) else " (pure Python)"
        print(f"  {name:<11} {version}{extra}  {getattr(module, '__file__', '')}")
    print(f"  today       {TODAY_ARG} (fixed, so the due list is the same on every run)")


def print_summary(reports: Sequence[SizeReport]) -> None:
    """Every target in one place, for a quick read and for CI logs."""
    sizes = {r.size: r for r in reports}
    print()
    print("== targets (issue 17) ==")
    for target in TARGETS:
        report = sizes.get(target.size)
        line = target.line(report) if report else f"{target.text}: not run (add {target.size} to --sizes)"
        print(f"  at {target.size:>6,}: {line}")


# ------------------------------------------------------------------ main


def run_size(size: int, seed: int, workdir: Path | None) -> SizeReport:
    """Generate (or reuse) a vault of ``size`` contacts and measure it all."""
    report = SizeReport(size)
    try:
        with _vault_for(size, seed, workdir, report) as vault:
            files = _notes(vault)
            report.files = len(files)
            report.total_bytes = sum(p.stat().st_size for p in files)
            contacts = files[: _people_count(files, vault)]
            runs = 1 if size >= 50000 else 3  # a 50k run takes 15 s each way
            load = report.load
            report.rows["floor"] = _measure(lambda: measure_floor(files, vault), load)
            _note_load(load)
            report.rows.update(measure_side_by_side(vault, files, len(contacts), runs))
            report.rows["nochange"] = _measure(lambda: measure_no_change(vault), load)
            report.rows["one"] = _measure(lambda: measure_one_changed(vault, contacts), load)
            report.rows["due"] = _measure(lambda: measure_due(vault), load)
            report.rows["onedue"] = _measure(lambda: measure_one_changed_due(vault, contacts), load)
            _note_load(load)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # e.g. the disk is full
        report.error = _error_text(exc)
    return report


def _parse_sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 1000,10000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; always returns 0 (figures never fail a run)."""
    parser = argparse.ArgumentParser(description="Benchmark mdnet against reading and naive parsing.")
    parser.add_argument(
        "--sizes",
        type=_parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated contact counts (default 1000,10000,50000)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep generated vaults here and reuse them (default: a temporary folder)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    args = parser.parse_args(argv)

    print_machine()
    reports: list[SizeReport] = []
    for size in args.sizes:
        report = run_size(size, args.seed, args.workdir)
        print_report(report)
        sys.stdout.flush()
        reports.append(report)
    print_summary(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
