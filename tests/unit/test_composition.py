"""The facade is composed, read from the source: one note writer, services that never reach back.

``Vault`` holds an index session, a note writer and small services, and delegates to them
(docs/decisions.md, "Layer packages"). These tests fail when a module writes a note around the
writer, when the watcher or another module reaches into a vault's private attributes, or when
a service goes back to mixins or to importing the facade.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from mdnet.vault.facade import Vault
from tests.unit.test_layers import PACKAGE, all_modules, imported_modules, module_name

# The functions of mdnet.store.files that write a file over or into place.
WRITES = {"create_new", "write_if_unchanged", "replace_atomically"}
# Who may call them: the note writer; files itself; and writers of files that are not notes.
WRITERS = {
    "mdnet.store.files",
    "mdnet.vault.writer",  # every note
    "mdnet.vault.scaffold",  # mdnet.toml and .gitignore of a new vault
    "mdnet.git.sync",  # .gitattributes
}


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"))


def _writes_into_a_vault(tree: ast.AST) -> list[tuple[int, str]]:
    """Calls of :data:`WRITES` but those with ``root=None`` (a file the user named, such as ``export --out``:
    no vault's note)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            roots = [k.value for k in node.keywords if k.arg == "root"]
            outside = any(isinstance(r, ast.Constant) and r.value is None for r in roots)
            if name in WRITES and not outside:
                found.append((node.lineno, name))
    return found


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p))
def test_only_the_note_writer_writes_a_note(path: Path) -> None:
    if module_name(path) in WRITERS:
        return
    where = path.relative_to(PACKAGE.parent)
    calls = [f"{where}:{line}: {name}" for line, name in _writes_into_a_vault(_tree(path))]
    assert calls == [], "write notes through mdnet.vault.writer.NoteWriter (rewrite, create, write_over)"


def _private_vault_attributes(tree: ast.AST) -> list[tuple[int, str]]:
    """``vault._x``, ``self.vault._x``, ``self._vault._x``: a private attribute reached through a vault."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if name.lstrip("_") == "vault":
                found.append((node.lineno, node.attr))
    return found


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p))
def test_no_module_reaches_into_a_vaults_private_attributes(path: Path) -> None:
    """The watcher, the CLI and the adapters use the vault's public face and its session's (heal, reopen)."""
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: vault.{attr}"
        for line, attr in _private_vault_attributes(_tree(path))
    ]
    assert found == []


def _vault_modules() -> list[Path]:
    return [p for p in all_modules() if module_name(p).startswith("mdnet.vault.")]


@pytest.mark.parametrize("path", _vault_modules(), ids=lambda p: module_name(p))
def test_services_never_import_the_facade(path: Path) -> None:
    if module_name(path) == "mdnet.vault.facade":
        return
    assert "mdnet.vault.facade" not in {target for _line, target in imported_modules(path)}


@pytest.mark.parametrize("path", _vault_modules(), ids=lambda p: module_name(p))
def test_no_mixins_and_no_type_checking_stubs_in_a_class(path: Path) -> None:
    """A class of the vault layer inherits nothing but a Protocol, and declares no ``if TYPE_CHECKING:``
    stubs of methods it expects another class to supply."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(base) for base in node.bases]
            assert bases == [] or "Protocol" in bases, (node.name, bases)
            stubs = [s for s in node.body if isinstance(s, ast.If) and "TYPE_CHECKING" in ast.unparse(s.test)]
            assert stubs == [], node.name


def test_the_vault_is_composed_not_mixed() -> None:
    assert Vault.__bases__ == (object,)
    with Vault(Path("/nonexistent-vault-for-composition")) as vault:
        # The services share the one session, so a heal or a reopen is seen by every one of them.
        assert vault.writer.session is vault.session
        for service in (vault._queries, vault._writing, vault._history, vault._relations):
            assert service.session is vault.session
        # ...and the one note writer, built once however many services ask for it.
        assert vault._writing.writer is vault.writer and vault._history.writer is vault.writer


# Built at first use: the note writer and the services that write notes, read git or follow links.
LAZY = ("mdnet.vault.writer", "mdnet.vault.writing", "mdnet.vault.history", "mdnet.vault.relations",
        "mdnet.git.commit_text", "shlex")  # fmt: skip


def test_due_builds_and_imports_none_of_the_writing_services(tmp_path: Path) -> None:
    """`mdnet due` (the command run most, a new process each time) pays for the queries alone."""
    (tmp_path / "people").mkdir()
    (tmp_path / "mdnet.toml").write_text('contact_dirs = ["people"]\n', encoding="utf-8")
    (tmp_path / "people" / "Ann Lee.md").write_text("---\nneeds_reply: true\n---\n", encoding="utf-8")
    probe = (
        "import sys; from mdnet.cli.main import run\n"
        "try:\n    run(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in sys.modules if m in {LAZY!r}), file=sys.stderr)"
    )
    command = [sys.executable, "-c", probe, "--vault", str(tmp_path), "--today", "2026-11-25", "due", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert '"Ann Lee"' in result.stdout and "LOADED []" in result.stderr
    with Vault(tmp_path) as vault:
        assert "writer" not in vault.__dict__ and "_history" not in vault.__dict__
        assert [item.name for item in vault.due("2026-11-25")] == ["Ann Lee"]
        assert "writer" not in vault.__dict__ and "_writing" not in vault.__dict__


def test_the_checker_sees_a_note_written_around_the_writer(tmp_path: Path) -> None:
    """The tests above can fail: a write of a note and a private vault attribute are both found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(vault, data):\n"
        "    files.create_new(p, data, 'x', root=vault.root)\n"
        "    vault._rewrite(c, g)\n"
        "    files.replace_atomically(p, data, 'x', root=None)\n"
    )
    assert _writes_into_a_vault(_tree(sample)) == [(2, "create_new")]
    assert _private_vault_attributes(_tree(sample)) == [(3, "_rewrite")]
