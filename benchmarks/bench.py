"""Measure how fast mdnet indexes and answers on vaults of 1k to 50k contacts.

Every figure is printed next to two yardsticks measured on the same files on
the same machine, so that the numbers mean something on any hardware:

* the *floor*: walking ``people/`` and reading every file's bytes, which no
  indexer can beat;
* the *naive* way: ``frontmatter.load`` of every file (python-frontmatter with
  PyYAML), which is what a script without an index would do on every command.

The targets of the project (README.md beside this file) are printed with each
figure and marked PASS or MISS.  The script never fails on a figure: it is a
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


@dataclass
class SizeReport:
    """All the figures for one vault size."""

    size: int
    files: int = 0
    total_bytes: int = 0
    generate_s: float | None = None
    reused: bool = False
    error: str | None = None
    rows: dict[str, Result] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """A project target: which figure, at which size, and the limit."""

    size: int
    row: str
    text: str
    check: Callable[[SizeReport], bool | None]


# ----------------------------------------------------------------- helpers


class MeasureError(Exception):
    """A measurement that could not be taken; its message is shown as is."""


def _error_text(exc: BaseException) -> str:
    """One line for an ``error:`` row: the last line of the message."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, MeasureError):
        return text[-1] if text else "failed"
    return f"{type(exc).__name__}: {text[-1] if text else ''}".rstrip(": ")


def _measure(fn: Callable[[], Result]) -> Result:
    """Run one measurement; any exception becomes an ``error:`` row."""
    try:
        return fn()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a measuring tool reports all
        return Result(error=_error_text(exc))


def _notes(vault: Path) -> list[Path]:
    """Every Markdown file under people/, in a stable order."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(vault / "people"):
        dirnames.sort()
        found.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".md"))
    return found


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


def measure_floor(files: list[Path], vault: Path) -> Result:
    """Walk people/ and read every file's bytes: the least any index must do."""
    people = vault / "people"

    def run() -> None:
        for dirpath, _dirnames, filenames in os.walk(people):
            for name in filenames:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    fh.read()

    for path in files:  # warm the page cache: we measure CPU, not the disk
        path.read_bytes()
    return Result(seconds=best_of(3, run))


def measure_naive(files: list[Path], runs: int) -> Result:
    """``frontmatter.load`` of every file: what a tool without an index does."""
    frontmatter = _import("frontmatter")
    failures = 0

    def run() -> None:
        nonlocal failures
        failures = 0
        for path in files:
            try:
                frontmatter.load(path)
            except Exception:  # count, as a naive tool would crash
                failures += 1

    seconds = best_of(runs, run)
    note = f"best of {runs}"
    if failures:
        note += f"; {failures} files failed to parse"
    return Result(seconds=seconds, note=note)


def measure_cold(vault: Path, runs: int) -> Result:
    """Delete .mdnet/ and build the index in a fresh interpreter; the best of ``runs``.

    One run on this shared machine moves by half from the next (benchmarks/README.md),
    so the cold index is timed as often as the naive way it is compared with. The peak
    memory is the largest of the runs: each is that subprocess's maximum resident set
    size, from ``getrusage(RUSAGE_CHILDREN)`` in this process; when an earlier child was
    already bigger (that figure only ever grows), the child's own ``RUSAGE_SELF`` figure
    is used instead.
    """
    results = [_cold_once(vault) for _ in range(runs)]
    best = min(results, key=lambda r: r.seconds if r.seconds is not None else float("inf"))
    note = f"best of {runs}; {best.note}" if runs > 1 else best.note
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


def measure_due(vault: Path) -> Result:
    """Time ``python -m mdnet ... due --json`` as a new process.

    That is what a user or a pre-commit hook waits for, interpreter start-up
    included, so start-up is counted here.
    """
    mdnet_import_check = subprocess.run(
        [sys.executable, "-c", "import mdnet"],
        capture_output=True,
        text=True,
        env=_subprocess_env(),
        check=False,
    )
    if mdnet_import_check.returncode != 0:
        lines = mdnet_import_check.stderr.strip().splitlines()
        raise MeasureError(lines[-1] if lines else "cannot import mdnet")
    cmd = [
        sys.executable,
        "-m",
        "mdnet",
        "--vault",
        str(vault),
        "--today",
        TODAY_ARG,
        "due",
        "--json",
    ]
    env = _subprocess_env()
    subprocess.run(cmd, capture_output=True, env=env, check=False)  # index up to date
    best = float("inf")
    out = ""
    for _ in range(5):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            raise MeasureError(f"exit status {proc.returncode}: {lines[-1] if lines else 'no output'}")
        best = min(best, elapsed)
        out = proc.stdout
    try:
        items = json.loads(out)["items"]
        note = f"best of 5; {len(items)} items"
    except (ValueError, KeyError, TypeError):
        note = "best of 5; output is not the JSON of SPEC section 3"
    return Result(seconds=best, note=note)


# --------------------------------------------------------------- targets


def _seconds(report: SizeReport, row: str) -> float | None:
    result = report.rows.get(row)
    return None if result is None else result.seconds


def _at_most(row: str, limit: float) -> Callable[[SizeReport], bool | None]:
    def check(report: SizeReport) -> bool | None:
        value = _seconds(report, row)
        return None if value is None else value <= limit

    return check


def _faster_than_naive(factor: float) -> Callable[[SizeReport], bool | None]:
    def check(report: SizeReport) -> bool | None:
        cold, naive = _seconds(report, "cold"), _seconds(report, "naive")
        if cold is None or naive is None:
            return None
        return cold * factor <= naive

    return check


def _peak_at_most(limit: int) -> Callable[[SizeReport], bool | None]:
    def check(report: SizeReport) -> bool | None:
        result = report.rows.get("cold")
        if result is None or result.peak_bytes is None:
            return None
        return result.peak_bytes <= limit

    return check


TARGETS: tuple[Target, ...] = (
    Target(10000, "cold", "cold index <= 0.5 s", _at_most("cold", 0.5)),
    Target(10000, "cold", "cold index >= 4x faster than naive", _faster_than_naive(4.0)),
    Target(10000, "due", "due --json <= 0.25 s", _at_most("due", 0.25)),
    Target(10000, "one", "one changed file <= 0.1 s", _at_most("one", 0.1)),
    Target(50000, "cold", "cold index <= 3 s", _at_most("cold", 3.0)),
    Target(50000, "cold", "cold index peak memory <= 300 MB", _peak_at_most(300 * MB)),
)


#: Issue 2's own figures for 10,000 contacts, on the machine its targets were set on:
#: reading every file, and ``frontmatter.load`` of every file.
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
    ("due", "due --json (process)"),
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
                print(f"  {'':<{width}}    target: {target.text:<36} {_verdict(target.check(report))}")
        if result.note:
            print(f"  {'':<{width}}    {result.note}")
    reference = REFERENCE.get(report.size)
    if reference and floor and naive:
        # The targets are absolute times: say how fast this machine was against the one they were set on.
        print(
            f"  this machine against issue 2's: floor {floor / reference['floor']:.2f}x its "
            f"{_format_seconds(reference['floor'])}, naive {naive / reference['naive']:.2f}x its "
            f"{_format_seconds(reference['naive'])} (above 1: slower)"
        )


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
    print("== targets ==")
    for target in TARGETS:
        report = sizes.get(target.size)
        verdict = _verdict(target.check(report)) if report else f"not run (add {target.size} to --sizes)"
        print(f"  at {target.size:>6,}: {target.text:<36} {verdict}")


# ------------------------------------------------------------------ main


def run_size(size: int, seed: int, workdir: Path | None) -> SizeReport:
    """Generate (or reuse) a vault of ``size`` contacts and measure it all."""
    report = SizeReport(size)
    try:
        with _vault_for(size, seed, workdir, report) as vault:
            files = _notes(vault)
            report.files = len(files)
            report.total_bytes = sum(p.stat().st_size for p in files)
            runs = 1 if size >= 50000 else 3  # a 50k run takes 15 s each way
            report.rows["floor"] = _measure(lambda: measure_floor(files, vault))
            report.rows["naive"] = _measure(lambda: measure_naive(files, runs))
            report.rows["cold"] = _measure(lambda: measure_cold(vault, runs))
            report.rows["nochange"] = _measure(lambda: measure_no_change(vault))
            report.rows["one"] = _measure(lambda: measure_one_changed(vault, files))
            report.rows["due"] = _measure(lambda: measure_due(vault))
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
