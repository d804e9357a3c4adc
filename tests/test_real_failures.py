"""The real-failure corpus (`tests/real_failures/`): each case is what its header says it is.

A failing case (`# expect: error`) raises PyTorch's in-place RuntimeError (at backward, or in the
forward pass when a leaf is written), and its `reference` computes the same value out of place and
runs backward. An intentional case (`# expect: clean`) runs backward. outplace's score on the corpus
is measured by `scripts/score_corpus.py tests/real_failures`, not asserted here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from tests.golden_support import assert_same, load_module

CORPUS = Path(__file__).resolve().parent / "real_failures"
CASES = sorted(CORPUS.glob("*.py"))
HEADER = re.compile(
    r"^# expect: (?P<expect>error|clean)\n# source: https?://\S+\n# report: .+\n# shape: .+\n", re.MULTILINE)
INPLACE_ERROR = re.compile(
    r"modified by an inplace operation"
    r"|a (view of a )?leaf Variable that requires grad is being used in an in-place operation")


def expectation(path: Path) -> str:
    match = HEADER.match(path.read_text())
    assert match is not None, f"{path.name}: needs the four header lines (expect, source URL, report, shape)"
    return match.group("expect")


def test_the_corpus_is_there() -> None:
    assert len([p for p in CASES if expectation(p) == "error"]) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_header(path: Path) -> None:
    expect = expectation(path)
    marked = "# <- error" in path.read_text()
    assert marked == (expect == "error"), f"{path.name}: culprit lines are marked exactly in failing cases"


ENTRY_POINT = 'if __name__ == "__main__":\n    run(*make_inputs()).backward()\n'


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_case_is_a_whole_script(path: Path) -> None:
    """Each case ends with the script's own entry point, as the reporter ran it: the analysis sees
    the whole program (what `make_inputs` builds reaches `run`), not a fragment."""
    assert path.read_text().endswith("\n\n\n" + ENTRY_POINT), f"{path.name}: ends with the entry point"


def raises_inplace_error(module) -> torch.Tensor | None:
    """Run the case and its backward; its forward value when the forward pass completed."""
    value = None
    with pytest.raises(RuntimeError, match=INPLACE_ERROR):
        value = module.run(*module.make_inputs())
        value.backward()
    return value


def value_without_grad(module) -> torch.Tensor | None:
    """The case's value with autograd off, where the program can compute it so (no inner backward)."""
    try:
        with torch.no_grad():
            return module.run(*module.make_inputs())
    except RuntimeError:
        return None


@pytest.mark.parametrize("path", [p for p in CASES if expectation(p) == "error"],
                         ids=[p.stem for p in CASES if expectation(p) == "error"])
def test_failing_case_fails_and_its_reference_runs(path: Path) -> None:
    module = load_module(path)
    value = raises_inplace_error(module)
    if value is None:
        value = value_without_grad(module)
    want = module.reference(*module.make_inputs())
    want.backward()
    if value is not None:
        assert_same(value.detach(), want.detach(), f"{path.name}: reference's value")


@pytest.mark.parametrize("path", [p for p in CASES if expectation(p) == "clean"],
                         ids=[p.stem for p in CASES if expectation(p) == "clean"])
def test_intentional_case_runs_backward(path: Path) -> None:
    module = load_module(path)
    module.run(*module.make_inputs()).backward()


def test_the_scorer_reads_a_case(tmp_path: Path) -> None:
    """scripts/score_corpus.py scores a case: its culprit lines, findings and fixes, without crashing."""
    scorer = load_module(CORPUS.parent.parent / "scripts" / "score_corpus.py")
    score = scorer.score(CORPUS / "gh_pytorch_sigmoid_index_assign.py", tmp_path)
    assert score.kind == "error" and score.marked and isinstance(score.found, bool)
    assert "gh_pytorch_sigmoid_index_assign" in scorer.describe(score)
    assert scorer.summary([score]).startswith(f"found {int(score.found)}/1 (error at the culprit line)")
