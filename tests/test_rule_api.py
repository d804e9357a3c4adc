"""The rule API's boundary: a module in codemods/ imports from `fixer` only `fixer.rule`, and a
rule module stays under 150 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CODEMODS = Path(__file__).resolve().parent.parent / "codemods"
MAX_RULE_LINES = 150
MODULES = sorted(CODEMODS.glob("*.py"))


def _fixer_imports(path: Path) -> list[str]:
    """Every module of `fixer` that `path` imports, wherever the import statement sits."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            names = [node.module] if node.module != "fixer" else [f"fixer.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [n for n in names if n == "fixer" or n.startswith("fixer.")]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_rule_imports_from_fixer_only_the_rule_api(path: Path) -> None:
    assert [n for n in _fixer_imports(path) if n != "fixer.rule"] == []


@pytest.mark.parametrize("path", [p for p in MODULES if not p.name.startswith("_")], ids=lambda p: p.name)
def test_a_rule_module_is_under_150_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < MAX_RULE_LINES


def test_the_boundary_check_sees_every_import_form(tmp_path: Path) -> None:
    module = tmp_path / "rule.py"
    module.write_text("import fixer.core\nfrom fixer import rule, analysis\ndef f():\n    from fixer.analysis import x\n")
    assert _fixer_imports(module) == ["fixer.core", "fixer.rule", "fixer.analysis", "fixer.analysis"]


def _golden_sources() -> list[Path]:
    return sorted((CODEMODS.parent / "golden").rglob("*.py"))


def test_a_trigger_matches_the_same_nodes_in_both_trees() -> None:
    """The cheap pass (`ast`) and the rule's visit (LibCST) read one declaration: on every golden
    file they see the same number of matching nodes, trigger by trigger."""
    import libcst as cst

    from fixer.analysis.regions import collect_imports
    from fixer.core.batched import contains
    from fixer.core.registry import all_rules
    from fixer.core.trigger import AstShape, CstShape

    triggers = [t for rule in all_rules() for t in rule.TRIGGERS]
    assert len(triggers) >= 10
    matched = 0
    for path in _golden_sources():
        text = path.read_text(encoding="utf-8")
        try:
            tree, module = ast.parse(text), cst.parse_module(text)
        except (SyntaxError, cst.ParserSyntaxError):
            continue
        imports = collect_imports(tree)
        cst_nodes: list[cst.CSTNode] = []
        contains(module, lambda n: cst_nodes.append(n) is not None)
        for trigger in triggers:
            in_ast = sum(trigger.when(AstShape(n, imports)) for n in ast.walk(tree) if isinstance(n, trigger.ast_type))
            kind = getattr(cst, trigger.node)
            in_cst = sum(trigger.when(CstShape(n, imports)) for n in cst_nodes if isinstance(n, kind))
            assert in_ast == in_cst, (path.name, trigger)
            matched += in_ast
    assert matched > 100  # the golden files exercise the triggers
