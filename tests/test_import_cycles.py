"""No import cycle between the modules of fixer/: the layers import one way.

The rule: an import counts when it runs, at module level or inside a function. A lazy import (one
inside a function, to keep `outplace --help` fast or to load torch only when needed) delays the
dependency; it does not remove it, so it counts. An import under `if TYPE_CHECKING:` never runs
(it names a type for the checker), so it does not count. `from package import name` is an import
of the submodule `name` when there is one, else of the package; a package's `__init__.py` is the
module of the package.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fixer"

def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _runtime_imports(node: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The import statements under `node` that run: all of them but those under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            found += [i for statement in child.orelse for i in _runtime_imports(statement)]
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            found.append(child)
        found += _runtime_imports(child)
    return found


def _imported(statement: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path]) -> list[str]:
    """The modules of the package that `statement`, written in `module`, imports."""
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names if alias.name in modules]
    base = statement.module or ""
    if statement.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - statement.level + 1]
        base = ".".join([*parts, *([statement.module] if statement.module else [])])
    targets = []
    for alias in statement.names:
        submodule = f"{base}.{alias.name}"
        if submodule in modules:
            targets.append(submodule)
        elif base in modules:
            targets.append(base)
    return targets


def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """module -> {module it imports: the line of the first such import}."""
    modules = module_files(root)
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges = graph.setdefault(module, {})
        for statement in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in _imported(statement, module, path.name == "__init__.py", modules):
                if target != module:
                    edges.setdefault(target, statement.lineno)
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[frozenset[str]]:
    """The groups of modules that import each other, directly or not (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(frozenset(group))
    return groups


def shortest_cycle(graph: dict[str, dict[str, int]], group: frozenset[str]) -> str:
    """One cycle through the first module of `group`, as `a (line 3) -> b (line 9) -> a`."""
    start = min(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph[node]):
            if successor not in group:
                continue
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                path.reverse()
                hops = [f"{a} (line {graph[a][b]})" for a, b in zip(path, [*path[1:], start])]
                return " -> ".join([*hops, start])
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def test_fixer_has_no_import_cycle() -> None:
    graph = import_graph()
    cycles = [
        f"{shortest_cycle(graph, group)}\n  (modules in the cycle: {sorted(group)})"
        for group in strongly_connected(graph)
    ]
    assert not cycles, "import cycles in fixer/:\n" + "\n".join(cycles)


def test_a_lazy_import_back_is_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    (package / "files").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "files" / "__init__.py").write_text("")
    (package / "files" / "runner.py").write_text("from fixer.files.cache import Cache\n")
    (package / "files" / "cache.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fixer.files.runner import Options\n"
        "def lookup():\n    from . import runner\n"
    )
    graph = import_graph(tmp_path)
    assert graph["fixer.files.cache"] == {"fixer.files.runner": 5}  # the function's import, not the checker's
    groups = strongly_connected(graph)
    assert groups == [frozenset({"fixer.files.runner", "fixer.files.cache"})]
    assert shortest_cycle(graph, groups[0]) == "fixer.files.cache (line 5) -> fixer.files.runner (line 1) -> fixer.files.cache"


def test_a_type_checking_import_is_no_cycle(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "types.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fixer.runner import Options\n")
    (package / "runner.py").write_text("from fixer.types import Mode\n")
    assert strongly_connected(import_graph(tmp_path)) == []
