"""The fast path (text prefilters, `ast` candidates, function regions) finds exactly what a
whole-module LibCST pass finds: on every snippet the rules are tested with, and on real code.

The real code is the timm wheel the benchmark's corpus pins (hash-checked, fetched once per test
session; marked `network`, skipped with its reason when PyPI is unreachable);
`scripts/fast_path_agrees.py DIR` runs the same comparison over any tree, and found the
benchmark's whole 4,935-file corpus identical.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixer.core import engine, registry

REPO = Path(__file__).resolve().parent.parent
RULES = registry.all_rules()
TIMM = next(line for line in (REPO / "bench" / "corpus-requirements.txt").read_text().splitlines()
            if line.startswith("timm=="))


def disagreements(paths: list[Path]) -> list[str]:
    """`path: fast ... whole ...` for each file whose findings differ between the two paths."""
    out = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        fast = engine.plan(text, str(path), RULES).findings
        whole = engine.plan(text, str(path), RULES, fast=False).findings
        if fast != whole:
            out.append(f"{path}: fast {[(f.rule_id, f.span.start_line) for f in fast]} "
                       f"whole {[(f.rule_id, f.span.start_line) for f in whole]}")
    return out


def test_fast_path_agrees_on_every_snippet_the_rules_are_tested_with():
    paths = sorted([*REPO.glob("golden/*/*.py"), *REPO.glob("tests/risk_corpus/**/*.py"),
                    *REPO.glob("tests/trace_scripts/*.py"), *REPO.glob("examples/*.py")])
    assert len(paths) > 250
    found = sum(bool(engine.plan(p.read_text(), str(p), RULES).findings) for p in paths)
    assert found > 150  # not vacuous: most snippets hold findings
    assert disagreements(paths) == []


def pypi_unreachable() -> str:
    """Why the pinned wheel cannot be downloaded (PyPI does not answer), or "" when it can."""
    try:
        socket.create_connection(("files.pythonhosted.org", 443), timeout=5).close()
    except OSError as error:
        return f"offline: the pinned timm wheel comes from PyPI, which is unreachable ({error})"
    return ""


@pytest.fixture(scope="session")
def timm_sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if offline := pypi_unreachable():
        pytest.skip(offline)
    work = tmp_path_factory.mktemp("timm")
    (work / "requirements.txt").write_text(TIMM + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--require-hashes", "--only-binary=:all:",
         "-r", str(work / "requirements.txt"), "-d", str(work)],
        check=True,
    )  # fmt: skip
    (wheel,) = work.glob("timm-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".py")]
        archive.extractall(work / "src", members=names)
    return sorted((work / "src").rglob("*.py"))


@pytest.mark.network
def test_fast_path_agrees_on_real_code(timm_sources: list[Path]):
    sample = timm_sources[::3]
    assert len(sample) > 80
    found = sum(bool(engine.plan(p.read_text(), str(p), RULES).findings) for p in sample)
    assert found >= 5
    assert disagreements(sample) == []


def test_a_cheap_pass_that_drops_candidates_would_be_caught(monkeypatch: pytest.MonkeyPatch):
    """The comparison is not vacuous: when the cheap pass rejects every candidate, it shows."""
    paths = sorted((REPO / "golden" / "augmented-assignment").glob("*.before.py"))
    for rule in RULES:
        monkeypatch.setattr(rule, "is_candidate", classmethod(lambda cls, node, file, shape=None: False))
    assert len(disagreements(paths)) == len(paths)
