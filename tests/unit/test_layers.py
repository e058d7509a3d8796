"""The layers of the package, read from the source: no package imports one above it.

Every ``import`` and ``from ... import`` is read, at module level and inside functions
(a deferred import is still a dependency), and so are imports under ``TYPE_CHECKING``:
a type that names a higher layer is a dependency of the design even when it costs
nothing at run time. docs/decisions.md ("Layer packages") says why the order is this one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mdnet"

# Lowest first. A module may import its own layer and any layer before it.
LAYERS = ["errors", "core", "config", "note", "merge", "features", "store", "git", "vault", "interop", "watch", "cli"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}
# The public face and the ``python -m mdnet`` entry point sit above everything.
TOP = {"__init__", "__main__"}


def layer_of(module: str) -> str:
    """``mdnet.store.files`` -> ``store``; ``mdnet.config`` -> ``config``; ``mdnet`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every mdnet module ``path`` imports, with the line: ``from mdnet.x import y`` counts ``mdnet.x.y``
    when ``y`` is a module, else ``mdnet.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("mdnet")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("mdnet"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / candidate.replace(".", "/") / "__init__.py"
                ).exists()
                found.append((node.lineno, candidate if is_module else node.module))
    return found


def all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = [module_name(p) for p in all_modules() if layer_of(module_name(p)) not in RANK | dict.fromkeys(TOP)]
    assert unknown == [], "modules outside the layer packages (add them to a package, or to LAYERS)"


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p))
def test_no_module_imports_a_layer_above_its_own(path: Path) -> None:
    here = layer_of(module_name(path))
    if here in TOP:
        return
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target} ({layer_of(target)} is above {here})"
        for line, target in imported_modules(path)
        if layer_of(target) in RANK and RANK[layer_of(target)] > RANK[here]
    ]
    assert upward == []


def test_the_package_has_no_import_cycle() -> None:
    graph = {module_name(p): {t for _, t in imported_modules(p)} for p in all_modules()}
    graph = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    # The package's own __init__ is imported by every submodule implicitly: leave its edges out.
    graph.pop("mdnet", None)
    for targets in graph.values():
        targets.discard("mdnet")
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above can fail: an import of the CLI from the core is reported."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from mdnet.cli.main import run\n")
    assert [layer_of(t) for _, t in imported_modules(sample)] == ["cli"]
