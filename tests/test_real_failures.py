"""The real-failure corpus (`tests/real_failures/`): each case is what its header says it is.

A failing case (`# expect: error`) raises PyTorch's in-place RuntimeError (at backward, or in the
forward pass when a leaf is written), and its `reference` computes the same value out of place and
runs backward. An intentional case (`# expect: clean`) runs backward. outplace's score on the corpus
is measured by `scripts/score_corpus.py tests/real_failures`, not asserted here.

A case is one file, or a folder `tests/real_failures/<name>/` holding a small project without a
package: its `main.py` is what a one-file case is (the four header lines, `make_inputs`, `run`,
`reference`, the entry point last), and it imports 1-3 sibling modules of the folder with plain
imports at the top of the file (`from layers import Block`, `from utils import helper`), as
research code run as scripts does. A failing folder case marks its culprit lines `# <- error` in
whichever of its files they are; an intentional one marks none. It runs as
`cd <name> && python main.py` would: `main.py` imported with the folder first on `sys.path`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from tests.golden_support import assert_same, corpus_cases, load_module, load_program, main_file

CORPUS = Path(__file__).resolve().parent / "real_failures"
CASES = corpus_cases(CORPUS)
FOLDERS = [p for p in CASES if p.is_dir()]
HEADER = re.compile(
    r"^# expect: (?P<expect>error|clean)\n# source: https?://\S+\n# report: .+\n# shape: .+\n", re.MULTILINE)
INPLACE_ERROR = re.compile(
    r"modified by an inplace operation"
    r"|a (view of a )?leaf Variable that requires grad is being used in an in-place operation")


def expectation(path: Path) -> str:
    match = HEADER.match(main_file(path).read_text())
    assert match is not None, f"{path.name}: needs the four header lines (expect, source URL, report, shape)"
    return match.group("expect")


def test_the_corpus_is_there() -> None:
    assert len([p for p in CASES if expectation(p) == "error"]) >= 25


def case_texts(path: Path) -> list[str]:
    """The text of each file of the case (a folder case's `main.py` and its sibling modules)."""
    return [p.read_text() for p in (sorted(path.glob("*.py")) if path.is_dir() else [path])]


def test_the_corpus_has_folder_cases() -> None:
    """Cases whose culprit or saver is in another module than the code that runs it."""
    assert len([p for p in FOLDERS if expectation(p) == "error"]) >= 4
    assert [p for p in FOLDERS if expectation(p) == "clean"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_header(path: Path) -> None:
    expect = expectation(path)
    marked = any("# <- error" in text for text in case_texts(path))
    assert marked == (expect == "error"), f"{path.name}: culprit lines are marked exactly in failing cases"


ENTRY_POINT = 'if __name__ == "__main__":\n    run(*make_inputs()).backward()\n'


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_case_is_a_whole_script(path: Path) -> None:
    """Each case ends with the script's own entry point, as the reporter ran it: the analysis sees
    the whole program (what `make_inputs` builds reaches `run`), not a fragment."""
    assert main_file(path).read_text().endswith("\n\n\n" + ENTRY_POINT), f"{path.name}: ends with the entry point"


@pytest.mark.parametrize("path", FOLDERS, ids=[p.name for p in FOLDERS])
def test_folder_case_is_a_project_of_sibling_modules(path: Path) -> None:
    """`main.py` imports 1-3 sibling modules of its folder by plain name; nothing else is in it."""
    siblings = {p.stem for p in path.glob("*.py")} - {"main"}
    assert 1 <= len(siblings) <= 3, f"{path.name}: main.py and 1-3 modules it imports"
    imported = set(re.findall(r"^(?:from (\w+) import|import (\w+))", main_file(path).read_text(), re.MULTILINE))
    assert siblings & {name for pair in imported for name in pair}, f"{path.name}: main.py imports a sibling"
    assert not [p for p in path.iterdir() if p.suffix != ".py" and p.name != "__pycache__"], f"{path.name}: only modules"


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
    module = load_program(path)
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
    module = load_program(path)
    module.run(*module.make_inputs()).backward()


def test_the_scorer_reads_a_case(tmp_path: Path) -> None:
    """scripts/score_corpus.py scores a case: its culprit lines, findings and fixes, without crashing."""
    scorer = load_module(CORPUS.parent.parent / "scripts" / "score_corpus.py")
    score = scorer.score(CORPUS / "gh_pytorch_sigmoid_index_assign.py", tmp_path)
    assert score.kind == "error" and score.marked and score.found
    assert "gh_pytorch_sigmoid_index_assign" in scorer.describe(score)
    assert scorer.summary([score]).startswith(f"found {int(score.found)}/1 (error at the culprit line)")


FIRST_FAILING_FOLDER = [p for p in FOLDERS if expectation(p) == "error"][:1]


@pytest.mark.parametrize("path", FIRST_FAILING_FOLDER, ids=[p.name for p in FIRST_FAILING_FOLDER])
def test_the_scorer_reads_a_folder_case(path: Path, tmp_path: Path) -> None:
    """A folder case is scored over all its files: its marks and findings name the file they are in."""
    scorer = load_module(CORPUS.parent.parent / "scripts" / "score_corpus.py")
    score = scorer.score(path, tmp_path)
    assert score.folder and score.name == path.name
    assert {name for name, _ in score.marked} <= {p.name for p in path.glob("*.py")}
    assert all(f"{name}:{line}" in scorer.describe(score) for name, line in score.marked)


def test_a_folder_case_imports_its_own_sibling_modules(tmp_path: Path) -> None:
    """Two folder cases with a `layers.py` each: each `main.py` gets its own, before and after the other."""
    for name, value in (("first", 1), ("second", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "layers.py").write_text(f"VALUE = {value}\n")
        (tmp_path / name / "main.py").write_text("from layers import VALUE\n")
    assert [load_program(tmp_path / n).VALUE for n in ("first", "second", "first")] == [1, 2, 1]


SCRIPT_MAIN = '''\
# expect: error
# source: https://example.org/report
# report: a helper of another module doubled its argument in place
# shape: sibling module's def writes a sigmoid output it is given
import torch

from ops import boost


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, requires_grad=True),)


def run(h):
    return boost(torch.sigmoid(h)).sum()


def reference(h):
    return (torch.sigmoid(h) * 2).sum()


if __name__ == "__main__":
    run(*make_inputs()).backward()
'''

SCRIPT_OPS = '''\
def boost(h):
    h.mul_(2)  # <- error
    return h
'''


def test_the_scorer_follows_a_folder_case_across_its_files(tmp_path: Path) -> None:
    """The write in `ops.py` is an error only through its caller in `main.py`: the scorer plans the
    folder as one project, and fixes the copy's `ops.py` so that `main.py` runs like its reference."""
    scorer = load_module(CORPUS.parent.parent / "scripts" / "score_corpus.py")
    case = tmp_path / "corpus" / "helper_doubles_sigmoid"
    case.mkdir(parents=True)
    (case / "main.py").write_text(SCRIPT_MAIN)
    (case / "ops.py").write_text(SCRIPT_OPS)
    work = tmp_path / "work"
    work.mkdir()
    score = scorer.score(case, work)
    assert score.marked == (("ops.py", 2),)
    assert score.found and score.unsafe, scorer.describe(score)
    assert "ops.py:2:error:" in scorer.describe(score)
