"""The empty and the big cases of brief, path, who, stats and draft."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest

from mdnet import Vault
from tests.conftest import REPO_ROOT, run_cli


def cli(vault: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("--vault", str(vault), "--today", "2026-11-25", *args)
    return result.code, result.out, result.err


def test_an_empty_vault_answers_every_command(vault_dir: Path, tmp_path: Path) -> None:
    code, _, err = cli(vault_dir, "path", "Anyone")
    assert code == 1
    assert "Anyone" in err
    code, out, _ = cli(vault_dir, "path", "--company", "Acme", "--json")
    assert (code, json.loads(out)) == (0, {"target": "Acme", "paths": []})
    code, out, _ = cli(vault_dir, "who", "Acme", "--json")
    assert code == 0
    assert json.loads(out)["direct"] == []
    code, out, _ = cli(vault_dir, "stats", "--json")
    assert code == 0
    assert json.loads(out)["total"] == 0
    code, out, _ = cli(vault_dir, "stats", "--html", str(tmp_path / "s.html"))
    assert code == 0
    assert (tmp_path / "s.html").exists()
    template = tmp_path / "t.md"
    template.write_text("Hi {{ name }}\n", encoding="utf-8")
    code, out, _ = cli(vault_dir, "draft", str(template))
    assert code == 0
    assert "nothing written" in out
    code, _, err = cli(vault_dir, "brief", "Anyone")
    assert code == 1


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_network", REPO_ROOT / "benchmarks" / "bench_network.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_network", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_path_on_a_big_vault_reads_only_a_neighbourhood(tmp_path: Path) -> None:
    bench = _generator()
    root = tmp_path / "big"
    bench.generate(root, 2000, 7)  # type: ignore[attr-defined]
    with Vault.open(root) as vault:
        vault.refresh()
        target = vault.contacts()[1000].name
        started = time.perf_counter()
        result = vault.path(target, today="2026-11-25")
        elapsed = time.perf_counter() - started
        assert result.paths
        assert elapsed < 1.0
        scores = [p.score for p in result.paths]
        assert scores == sorted(scores, reverse=True)
        stranger = vault.path("Stranger 3", today="2026-11-25", limit=0)
        assert all(p.hops[-1].path is None for p in stranger.paths)
