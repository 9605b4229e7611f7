"""No module of coursekit imports, directly or through others, a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def module_imports(root: Path, package: str) -> dict[str, set[str]]:
    """``{module: modules of the package it imports}``, function-level imports included."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of ``graph``, each once, starting at its smallest module name."""
    found = []
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for target in sorted(graph[node]):
                if target == start:
                    found.append(path)
                elif target > start and target not in path:
                    stack.append((target, [*path, target]))
    return found


def test_coursekit_has_no_import_cycle() -> None:
    graph = module_imports(REPO, "coursekit")
    assert "coursekit.classgrade.run" in graph
    assert cycles(graph) == [], "\n".join(" -> ".join(c) for c in cycles(graph))


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "run.py").write_text("from pkg.backend import Executor\n")
    (package / "backend.py").write_text("def fail():\n    from .run import GradeError\n")
    (package / "errors.py").write_text("class GradeError(Exception):\n    pass\n")
    assert cycles(module_imports(tmp_path, "pkg")) == [["pkg.backend", "pkg.run"]]
