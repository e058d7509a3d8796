"""On the benchmark's generated vaults: the fast YAML path equals the full parser, and a
parallel index equals a serial one (the issue's condition for using both)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mdnet.config import Config
from mdnet.note import document, frontmatter_yaml
from mdnet.store import files
from mdnet.store.index import Index, contact_to_json
from mdnet.store.refresh import refresh
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from generate import generate_vault  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "vault"
    generate_vault(root, contacts=800, seed=7)
    return root


def test_fast_yaml_equals_ruamel_on_every_generated_note(generated: Path) -> None:
    fast_count = 0
    for relative in sorted(files.scan(generated)):
        doc = document.split(document.decode((generated / relative).read_bytes()))
        if doc.front_matter is None:
            continue
        full = frontmatter_yaml.load_full(doc.front_matter)[0]
        fast = frontmatter_yaml.load_fast_or_none(doc.front_matter)
        if fast is not None:
            fast_count += 1
            assert fast[0] == full, relative
    assert fast_count >= 795  # the harder 3% (block scalars, escapes, nesting) stay on the fast path too


def test_parallel_index_equals_serial_index(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def snapshot(index: Index) -> tuple[list[str], list[str], list[tuple[str, ...]]]:
        contacts = [json.dumps(contact_to_json(c), sort_keys=True) for c in index.contacts()]
        problems = [p.format() for p in index.problems()]
        links = [tuple(map(str, row)) for row in index.connection.execute("SELECT * FROM links ORDER BY 1, 2, 3, 4")]
        return contacts, problems, links

    monkeypatch.setattr("mdnet.store.refresh.PARALLEL_THRESHOLD", 10**9)
    serial = Index.memory()
    refresh(generated, Config(), serial)
    monkeypatch.setattr("mdnet.store.refresh.PARALLEL_THRESHOLD", 100)
    parallel = Index.memory()
    refresh(generated, Config(), parallel)
    assert snapshot(serial) == snapshot(parallel)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instruction_benchmark_prints_its_figures(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench_instructions.py"), "--contacts", "20",
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0].startswith("instructions, 20 contacts"), done.stdout
    cold = float(lines[1].split()[4])
    naive = float(lines[2].split()[2])
    assert 0 < cold < 100 and 0 < naive < 100, done.stdout  # millions per note: counted, not zero
    computed, cached = float(lines[3].split()[3]), float(lines[4].split()[3])
    assert 0 < cached < computed, done.stdout  # a hit of the answer cache does less than computing the answer


@pytest.mark.slow
def test_index_benchmark_prints_every_figure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench.py"), "--sizes", "60", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert "error" not in done.stdout, done.stdout
    for label in ("floor (read bytes)", "naive (frontmatter)", "cold index", "no-change refresh",
                  "one changed file", "due --json (process)"):  # fmt: skip
        assert f"  {label} " in done.stdout, done.stdout
    assert "best of 3; import" in done.stdout  # the cold index is timed as often as the naive way
    assert "== targets ==" in done.stdout


def test_index_benchmark_compares_the_machine_with_the_issues(capsys: pytest.CaptureFixture[str]) -> None:
    import bench

    report = bench.SizeReport(10000, rows={"floor": bench.Result(0.3), "naive": bench.Result(4.2)})
    bench.print_report(report)
    assert "this machine against issue 2's: floor 2.00x its 150 ms, naive 2.00x its 2.10 s" in capsys.readouterr().out
