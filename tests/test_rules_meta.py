"""What every rule must carry: a unique id and name, a complete docstring, and golden cases."""

from __future__ import annotations

import ast
import re
from collections import Counter

import pytest

from fixer.core.codemod import Codemod, doc_section
from fixer.core.registry import all_rules
from fixer.core.types import Safety
from golden_support import GOLDEN, discover, flags_of, run_fix, run_plan, stray_files

SECTIONS = ("What it does", "Why is this risky", "Example", "Use instead", "Fix safety", "Limitations")
MIN_CASES, MIN_EXECUTED, MIN_NOOP = 10, 4, 1
CODE_BLOCK = re.compile(r"```python\n(?P<code>.*?)```", re.DOTALL)
# Docstring examples are fragments: give them the imports they take for granted.
EXAMPLE_PRELUDE = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

RULES = all_rules()


def _display_only(rule: type[Codemod]) -> bool:
    """A rule that never rewrites (`SAFETY = Safety.DISPLAY_ONLY`): its cases are noops with findings."""
    return getattr(rule, "SAFETY", None) is Safety.DISPLAY_ONLY


def _by_rule(rule: type[Codemod]) -> list:
    return [case for case in discover() if case.rule_name == rule.NAME]


def _code_block(rule: type[Codemod], section: str) -> str:
    match = CODE_BLOCK.search(doc_section(rule.__doc__ or "", section))
    assert match, f"{rule.ID}: the '{section}' section has no ```python block"
    return match.group("code")


def _statements(code: str) -> list[str]:
    """Every statement at any depth, unparsed: whitespace and comments normalised away."""
    return [ast.unparse(node) for node in ast.walk(ast.parse(code)) if isinstance(node, ast.stmt)]


def test_rules_are_found() -> None:
    assert RULES, "the registry found no rules"


def test_ids_and_names_are_unique() -> None:
    for attribute in ("ID", "NAME"):
        counts = Counter(getattr(rule, attribute) for rule in RULES)
        assert [v for v, n in counts.items() if n > 1] == [], f"duplicate {attribute}s"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.ID)
def test_id_and_name_shape(rule: type[Codemod]) -> None:
    assert re.fullmatch(r"IP\d{3}", rule.ID)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.NAME)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.ID)
def test_docstring_sections(rule: type[Codemod]) -> None:
    missing = [title for title in SECTIONS if not doc_section(rule.__doc__ or "", title)]
    assert missing == [], f"{rule.ID} docstring lacks sections {missing}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.ID)
def test_golden_cases(rule: type[Codemod]) -> None:
    assert (GOLDEN / rule.NAME).is_dir(), f"no golden/{rule.NAME}/ directory"
    cases = _by_rule(rule)
    # A display-only rule's executed cases run unchanged code that still reports findings.
    executed = [c for c in cases if c.executed and (not c.noop or _display_only(rule) and c.findings.exists())]
    noops = [c for c in cases if c.noop]
    assert len(cases) >= MIN_CASES, f"{rule.ID}: {len(cases)} golden cases, want {MIN_CASES}"
    assert len(executed) >= MIN_EXECUTED, f"{rule.ID}: {len(executed)} executed fixes, want {MIN_EXECUTED}"
    assert len(noops) >= MIN_NOOP, f"{rule.ID}: no noop case"


def test_no_orphan_golden_directories() -> None:
    names = {rule.NAME for rule in RULES}
    orphans = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and p.name not in names)
    assert orphans == [], "golden directories that name no rule"


def test_golden_files_belong_to_cases() -> None:
    assert stray_files() == []
    for case in discover():
        assert re.fullmatch(r"[a-z0-9_]+", case.name), f"{case.id}: case names are snake_case"
        flags_of(case.text)  # raises on an unknown flag
        if not case.noop:
            assert case.expected is not None and case.expected.exists(), f"{case.id}: no .after.py"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.ID)
def test_docstring_example_fixes_to_use_instead(rule: type[Codemod]) -> None:
    example = EXAMPLE_PRELUDE + _code_block(rule, "Example")
    fixed = run_fix(example, f"{rule.NAME}-example.py", rule, unsafe=True)
    if _display_only(rule):  # nothing to fix: the finding must suggest the 'Use instead' code
        findings = run_plan(example, f"{rule.NAME}-example.py", rule).findings
        assert fixed == example and findings, f"{rule.ID}: the Example gives no finding, or a fix"
        suggested = _statements(_code_block(rule, "Use instead"))[-1]
        assert any(suggested in f.message for f in findings), f"{rule.ID}: no finding suggests {suggested!r}"
        return
    assert fixed != example, f"{rule.ID}: the Example has nothing to fix"
    produced = set(_statements(fixed))
    missing = [s for s in _statements(_code_block(rule, "Use instead")) if s not in produced]
    assert missing == [], f"{rule.ID}: fixing the Example does not give {missing}"
