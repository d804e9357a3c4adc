"""scripts/new_rule.py writes a rule that works as written: run into a copy of the repository, its
rule is found by the registry, imports from `fixer` only `fixer.rule`, passes the rule checks of
tests/test_rules_meta.py (all but the number of golden cases, the contributor's to write), its
executed golden case passes, and the README lists it as `outplace rules` prints it."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCAFFOLD = REPO / "scripts" / "new_rule.py"
NEEDED = ("fixer", "codemods", "golden", "README.md", "pyproject.toml")
TESTS = ("conftest.py", "golden_support.py", "test_golden.py", "test_rules_meta.py")
CODE, NAME, CLASS = "IP190", "exp-on-saved", "ExpOnSaved"


def python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python args` with `cwd`, the copy, first on the path: the copy's `codemods` and `fixer` load."""
    env = {**os.environ, "PYTHONPATH": str(cwd), "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of what the rule checks need, with the scaffold run into it; and the scaffold's output."""
    root = tmp_path_factory.mktemp("repo")
    skip = shutil.ignore_patterns("__pycache__")
    for name in NEEDED:
        source = REPO / name
        (shutil.copytree(source, root / name, ignore=skip) if source.is_dir() else shutil.copy(source, root / name))
    (root / "tests").mkdir()
    for name in TESTS:
        shutil.copy(REPO / "tests" / name, root / "tests" / name)
    done = python(str(SCAFFOLD), "--code", CODE, "--name", NAME, "--class", CLASS, "--root", str(root), cwd=root)
    assert done.returncode == 0, done.stderr
    return root, done.stdout


def test_the_scaffold_writes_the_module_the_golden_case_and_the_docs_entry(scaffolded: tuple[Path, str]) -> None:
    root, output = scaffolded
    assert output.splitlines()[:4] == [
        "wrote codemods/exp_on_saved.py",
        "wrote golden/exp-on-saved/saved_output.before.py",
        "wrote golden/exp-on-saved/saved_output.after.py",
        "wrote README.md",
    ]
    readme = (root / "README.md").read_text()
    assert f"| {CODE} | " in readme and f"{CODE}  {NAME} " in readme


def test_the_rule_imports_from_fixer_only_the_rule_api(scaffolded: tuple[Path, str]) -> None:
    tree = ast.parse((scaffolded[0] / "codemods" / "exp_on_saved.py").read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in modules if m and m.split(".")[0] in {"fixer", "codemods"}} == {"fixer.rule"}


def test_the_registry_finds_it_and_the_readme_lists_it_as_outplace_rules_prints(scaffolded: tuple[Path, str]) -> None:
    root, _ = scaffolded
    check = textwrap.dedent(f"""
        import re
        from fixer.cli.report import rules_table
        from fixer.core import engine, registry
        rule = registry.find_rule("{CODE}")
        assert rule is not None and rule.NAME == "{NAME}" and rule.__name__ == "{CLASS}", rule
        listed = re.search(r"\\$ outplace rules\\n(.*?)```", open("README.md").read(), re.DOTALL).group(1)
        assert listed == rules_table(registry.all_rules()), listed
        text = open("golden/{NAME}/saved_output.before.py").read()
        fast, whole = (engine.plan(text, "t.py", [rule], fast=f).findings for f in (True, False))
        assert [f.rule_id for f in fast] == ["{CODE}"] and fast == whole, (fast, whole)
        print(fast[0].severity.value, fast[0].safety.value)
    """)
    done = python("-c", check, cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["error", "safe"]


def test_its_golden_case_runs_and_it_passes_the_rule_checks(scaffolded: tuple[Path, str]) -> None:
    root, _ = scaffolded
    golden = python("-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "tests/test_golden.py", "-k", NAME,
                    cwd=root)  # fmt: skip
    assert golden.returncode == 0 and "1 passed" in golden.stdout, golden.stdout + golden.stderr
    meta = python("-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-rf", "tests/test_rules_meta.py",
                  "-k", f"{CODE} or unique or orphan or belong or found", cwd=root)  # fmt: skip
    # every check passes but the number of cases: one executed case is written, the rest is the contributor's
    failed = [line for line in meta.stdout.splitlines() if line.startswith("FAILED ")]
    assert [line.split(" ")[1] for line in failed] == [f"tests/test_rules_meta.py::test_golden_cases[{CODE}]"], meta.stdout
    assert f"AssertionError: {CODE}: 1 golden cases, want 10" in meta.stdout
    assert re.search(r"\b1 failed, ([5-9]|\d\d+) passed", meta.stdout), meta.stdout  # the rule's own checks ran


@pytest.mark.parametrize(("flag", "taken"), [("--code", "IP101"), ("--name", "inplace-method"), ("--class", "InplaceMethod")])
def test_it_refuses_what_exists_and_writes_nothing(tmp_path: Path, flag: str, taken: str) -> None:
    shutil.copytree(REPO / "codemods", tmp_path / "codemods", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "golden").mkdir()
    arguments = {"--code": "IP191", "--name": "fresh-rule", "--class": "FreshRule", flag: taken}
    done = python(str(SCAFFOLD), *[x for pair in arguments.items() for x in pair], "--root", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and f"{flag.strip('-')} {taken} exists in codemods/" in done.stderr, done.stderr
    assert not (tmp_path / "codemods" / "fresh_rule.py").exists() and not any((tmp_path / "golden").iterdir())
