"""`outplace trace`: real scripts run under the watcher; the reported lines are checked exactly.

Each script in tests/trace_scripts/ marks the line that saves the value with `# saved` and the
line that writes it with `# write`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent / "trace_scripts"
FAILING = sorted(p.name for p in SCRIPTS.glob("*.py") if p.name != "trains_fine.py")
# Scripts whose line the static analysis alone does not find (a forward's parameter written after
# LayerNorm saved it, a residual after a Sequential ending in ReLU, a helper writing its argument, a
# module attribute built with inplace=True): trace's evidence makes each an error, whose rewrite is
# unsafe (a caller's tensor, a module that may be called for its write), so `--unsafe-fixes` applies it.
UNSAFE_ONLY = ["helper_writes_argument.py", "layernorm_residual.py", "module_inplace_act.py", "skip_after_relu.py"]
# Scripts whose harmful line gets a safe fix; `other_column.py` writes a fresh table that the static
# analysis cannot see was saved (a column of it was): the run's evidence says so.
FIXABLE = [name for name in FAILING if name not in UNSAFE_ONLY]
# What each entry says under its line: the op that saved the value as the script writes it, and
# autograd's name for it where the expression does not say it; a module that wrote, with its line.
WHAT_WAS_WRITTEN = {
    "relu_output.py": "wrote to the output of `torch.relu(x * 2)` saved at",
    "sigmoid_output.py": "wrote to the output of `torch.sigmoid(x)` saved at",
    "exp_output.py": "wrote to the output of `x.exp()` saved at",
    "saved_input.py": "wrote to the input of `x * w` (MulBackward0) saved at",
    "rnn_buffer.py": "wrote to the input of `h[:, t - 1] @ W` (MmBackward0) saved at",
    "other_column.py": "wrote to the input of `x * table[:, 0]` (MulBackward0) saved at",
    "inplace_after_sigmoid.py": "`model.2`, a ReLU(inplace=True) built at inplace_after_sigmoid.py:{built}, "
                                "wrote to the output of `model(x)` (Sigmoid) saved at",
    "split_view.py": "wrote in place to an output of `y.chunk(2)` (split) made at",
    "leaf.py": "wrote in place to a leaf tensor that requires grad",
    "layernorm_residual.py": "wrote to the input of `self.norm(x)` (LayerNorm) saved at",
    "skip_after_relu.py": "wrote to the output of `self.body(x)` (ReLU) saved at",
    "helper_writes_argument.py": "wrote to the output of `torch.tanh(x)` saved at",
    "module_inplace_act.py": "`self.act`, a ReLU(inplace=True) built at module_inplace_act.py:{built}, "
                             "wrote to the output of `torch.sigmoid(self.fc(x))` saved at",
}
SAVED_AT = re.compile(r"(saved at|made at) (?P<saved_path>\S+?):(?P<saved>\d+)")


def marked(script: Path, marker: str) -> int:
    lines = script.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if re.search(rf"#.*\b{marker}\b", line))


def run_trace(tmp_path: Path, name: str, *flags: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(SCRIPTS / name, tmp_path / name)
    command = [sys.executable, "-m", "fixer", "trace", *flags, "--", sys.executable, name]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def entries(stderr: str) -> dict[str, list[str]]:
    """Each entry of the report: its `  path:line  code` head, and the sentences indented under it."""
    found: dict[str, list[str]] = {}
    for line in stderr.splitlines():
        if line.startswith("    ") and found:
            found[list(found)[-1]].append(line.strip())
        elif line.startswith("  ") and re.match(r"  \S+:\d+  ", line):
            found[line] = []
    return found


@pytest.mark.parametrize("name", FAILING)
def test_trace_names_the_writing_line_and_the_saving_line(tmp_path, name):
    run = run_trace(tmp_path, name)
    assert run.returncode != 0
    script = SCRIPTS / name
    [(head, sentences)] = [(h, s) for h, s in entries(run.stderr).items() if h.startswith(f"  {name}:")]
    assert head.startswith(f"  {name}:{marked(script, 'write')}  ")
    [sentence] = sentences
    built = marked(script, "built") if "{built}" in WHAT_WAS_WRITTEN[name] else 0
    assert WHAT_WAS_WRITTEN[name].format(built=built) in sentence
    if name == "leaf.py":
        return
    match = SAVED_AT.search(sentence)
    assert match, sentence
    assert (match["saved_path"], int(match["saved"])) == (name, marked(script, "saved"))


def trace_program(tmp_path: Path, source: str, *command: str) -> subprocess.CompletedProcess[str]:
    """`outplace trace -- COMMAND` in a folder holding `source` as prog.py (COMMAND: `python prog.py`)."""
    (tmp_path / "prog.py").write_text(source)
    command = command or (sys.executable, "prog.py")
    return subprocess.run([sys.executable, "-m", "fixer", "trace", "--", *command], cwd=tmp_path,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


TWO_ON_ONE_LINE = """\
import torch

x = torch.randn(3, requires_grad=True)
a = torch.sigmoid(x)
b = torch.exp(x)
a.add_(1); b.mul_(2)
(a + b).sum().backward()
"""
LOOP = """\
import torch

x = torch.randn(3, requires_grad=True)
z = torch.zeros(3)
outs = []
for _ in range(3):
    z += x
    outs.append(z * x)
torch.stack(outs).sum().backward()
"""


def test_findings_on_one_line_are_shown_together_under_it(tmp_path):
    run = trace_program(tmp_path, TWO_ON_ONE_LINE)
    assert run.returncode == 1, run.stderr
    assert "outplace trace: in-place writes on 1 line break autograd:" in run.stderr
    [(head, sentences)] = entries(run.stderr).items()
    assert head == "  prog.py:6  a.add_(1); b.mul_(2)"
    assert sorted(s.split(" saved at")[0] for s in sentences) == [
        "wrote to the output of `torch.exp(x)`", "wrote to the output of `torch.sigmoid(x)`"]


def test_a_loop_writing_the_same_saved_value_again_is_one_sentence_with_a_count(tmp_path):
    run = trace_program(tmp_path, LOOP)
    assert run.returncode == 1, run.stderr
    [(head, sentences)] = entries(run.stderr).items()
    assert head == "  prog.py:7  z += x"
    assert sentences == ["wrote to the input of `z * x` (MulBackward0) saved at prog.py:8 (2 times, version 1 -> 3); backward needs it"]


def test_the_programs_exit_status_passes_through_unchanged(tmp_path):
    run = trace_program(tmp_path, "import sys\nprint('bye')\nsys.exit(3)\n")
    assert (run.returncode, run.stdout) == (3, "bye\n"), run.stderr
    assert "torch" not in run.stderr
    message = trace_program(tmp_path, "import sys\nsys.exit('bad config')\n")
    assert message.returncode == 1 and message.stderr.startswith("bad config\n")


@pytest.mark.parametrize(("command", "said"), [
    (["foo.py"], "outplace trace: no such file: foo.py"),
    ([sys.executable, "foo.py"], "outplace trace: no such file: foo.py"),
    (["-m", "no_such_module"], "outplace trace: no module named no_such_module"),
])
def test_a_missing_script_or_module_is_said_in_one_line(tmp_path, command, said):
    run = trace_program(tmp_path, "", *command)
    assert (run.returncode, run.stderr) == (2, said + "\n")


def test_the_traceback_is_the_programs_own_without_outplaces_frames(tmp_path):
    run = run_trace(tmp_path, "sigmoid_output.py")
    traceback = run.stderr.split("RuntimeError:")[0]
    assert traceback.splitlines()[:2] == ["Traceback (most recent call last):", '  File "sigmoid_output.py", line 6, in <module>']
    assert "fixer" not in traceback and "runpy" not in traceback
    assert "RuntimeError: one of the variables needed for gradient computation has been modified by an inplace " \
           "operation: the output of `torch.sigmoid(x)` saved at sigmoid_output.py:4" in run.stderr


PYTEST_FILE = """\
import torch


def test_sigmoid_then_add():
    x = torch.randn(3, requires_grad=True)
    h = torch.sigmoid(x)
    h += 1
    h.sum().backward()


def test_fine():
    pass
"""


def test_trace_runs_pytest_and_keeps_its_exit_status(tmp_path):
    (tmp_path / "test_grad.py").write_text(PYTEST_FILE)
    pytest_script = str(Path(sys.executable).parent / "pytest")
    run = trace_program(tmp_path, "", pytest_script, "-q", "-p", "no:cacheprovider", "test_grad.py")
    assert run.returncode == 1, run.stderr  # one test failed
    assert "1 failed, 1 passed" in run.stdout
    assert "fixer/trace" not in run.stdout  # pytest hides the watcher's frame too
    assert entries(run.stderr) == {"  test_grad.py:7  h += 1": [
        "wrote to the output of `torch.sigmoid(x)` saved at test_grad.py:6 (version 0 -> 1); backward needs it"]}
    (tmp_path / "conftest.py").write_text("def pytest_configure(config):\n    raise RuntimeError('boom')\n")
    broken = trace_program(tmp_path, "", pytest_script, "-q", "-p", "no:cacheprovider", "test_grad.py")
    assert broken.returncode == 3  # pytest's internal error, not "needs torch"
    assert "torch" not in broken.stderr.splitlines()[-1]


def test_a_program_that_trains_fine_reports_nothing(tmp_path):
    run = run_trace(tmp_path, "trains_fine.py")
    assert run.returncode == 0, run.stderr
    assert "trained" in run.stdout
    assert "no in-place write broke autograd" in run.stderr


# One script per shape through the real command (about 8 s each): an input saved, a view, a loop
# buffer, a leaf, and a write only the run's evidence proves; the output-saved scripts (relu,
# sigmoid, exp) are the shape `saved_input.py`'s fix shares, and their static fixes are golden.
END_TO_END = ["leaf.py", "other_column.py", "rnn_buffer.py", "saved_input.py", "split_view.py"]


@pytest.mark.parametrize("name", [name for name in FIXABLE if name in END_TO_END])
def test_fix_turns_the_failing_script_into_one_that_runs(tmp_path, name):
    run = run_trace(tmp_path, name, "--fix")
    assert run.returncode == 0, run.stderr
    assert "the error is gone" in run.stderr
    assert (tmp_path / name).read_text() != (SCRIPTS / name).read_text()
    again = subprocess.run([sys.executable, name], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def forward_printed(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("forward "))


# Two of them run through the real command (about 9 s each); the static analysis now finds the
# other two's shapes itself (tests/test_project.py runs them under torch).
@pytest.mark.parametrize("name", ["helper_writes_argument.py", "layernorm_residual.py"])
def test_fix_with_unsafe_fixes_rewrites_what_only_the_run_saw(tmp_path, name):
    before = subprocess.run([sys.executable, str(SCRIPTS / name)], capture_output=True, text=True)
    assert before.returncode != 0 and "modified by an inplace operation" in before.stderr
    run = run_trace(tmp_path, name, "--fix", "--unsafe-fixes")
    assert run.returncode == 0, run.stderr
    assert "the error is gone" in run.stderr
    after = subprocess.run([sys.executable, name], cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stderr  # its backward ran
    assert forward_printed(after.stdout) == forward_printed(before.stdout)


def test_fix_without_unsafe_fixes_names_the_line_and_why(tmp_path):
    run = run_trace(tmp_path, "layernorm_residual.py", "--fix")
    assert run.returncode != 0
    assert ("no fix for layernorm_residual.py:12: its fix is unsafe (`x` is a parameter: the caller's tensor "
            "changes in place, not after the rewrite); rerun with --unsafe-fixes to apply it") in run.stderr
    assert (tmp_path / "layernorm_residual.py").read_text() == (SCRIPTS / "layernorm_residual.py").read_text()


def plan_with(source: str, **evidence: object) -> list[object]:
    """The findings of `source` given what a run saw at its `# write` line (nothing, without `evidence`)."""
    from fixer.core import engine, registry
    from fixer.analysis.evidence import Evidence

    line = next(i for i, text in enumerate(source.splitlines(), 1) if "# write" in text)
    seen = {line: Evidence("block.py", line, **evidence)} if evidence else None  # type: ignore[arg-type]
    return list(engine.plan(source, "block.py", registry.all_rules(), evidence=seen).findings)


BLOCK = """\
import torch


class Block(torch.nn.Module):
    def forward(self, x):
        x += self.attn(self.norm(x))  # write
        return x
"""
FRESH = """\
import torch


def scaled(x):
    h = torch.sigmoid(x) + 0
    h += 1  # write
    return h
"""
NUMBER = """\
import torch


def scaled(x):
    n = 0
    n += 1  # write
    return x * n
"""


def test_evidence_makes_a_silent_write_an_error_naming_the_op_that_saved_it():
    from fixer.core.types import Safety, Severity

    [static] = plan_with(BLOCK)  # the static analysis alone: a warning (what `self.norm` is, it cannot see)
    assert static.severity is Severity.WARNING
    [finding] = plan_with(BLOCK, written=("x",), saved_by="NativeLayerNormBackward0", saved_in="LayerNorm",
                          saved_at="block.py:6")
    assert finding.severity is Severity.ERROR and finding.span.start_line == 6
    assert finding.message.startswith("backward failed at run time: `x` was saved by NativeLayerNormBackward0 "
                                      "(in `LayerNorm`, line 6); `x += self.attn(self.norm(x))` at line 6 wrote it in place")
    assert finding.safety is Safety.UNSAFE  # a parameter: the aliasing analysis still decides, never forced safe


def test_evidence_about_another_tensor_on_the_line_changes_nothing():
    assert plan_with(BLOCK, written=("y",), saved_by="MulBackward0") == plan_with(BLOCK)


def test_evidence_makes_an_unreported_write_an_error_and_keeps_a_private_local_safe():
    from fixer.core.types import Safety, Severity

    assert plan_with(FRESH) == []  # statically: `+ 0` made a new tensor nothing saved
    [finding] = plan_with(FRESH, written=("h",), saved_by="SigmoidBackward0")
    assert finding.severity is Severity.ERROR and finding.safety is Safety.SAFE


SHIFTED = """\
import torch
import torch.nn.functional as F


def run(x):
    h = x - 0.1
    g = F.gelu(h)
    h *= 2  # write
    return g.sum() + h.sum()
"""


def test_the_name_seen_holding_the_tensor_proves_it_a_tensor_for_the_aliasing_analysis():
    from fixer.core.types import Safety

    [static] = plan_with(SHIFTED)
    [unnamed] = plan_with(SHIFTED, saved_by="GeluBackward0")
    [named] = plan_with(SHIFTED, saved_by="GeluBackward0", written=("h",))
    assert static.safety is unnamed.safety is Safety.UNSAFE and "`h` is not known to be a tensor" in unnamed.message
    assert named.safety is Safety.SAFE  # no holder of `h` besides: the one doubt left was its kind


def test_evidence_never_reports_a_proven_number():
    assert plan_with(NUMBER, saved_by="MulBackward0") == []


def violation_at(path: Path, line: int, **fields: object) -> object:
    from fixer.trace.report import Location, Violation

    return Violation(write=Location(str(path), line), op="add_", kind="saved", saved_op="relu", saved_role="output",
                     saved_at=Location(str(path), line - 1), versions=(0, 1), failed=True, **fields)  # type: ignore[arg-type]


def test_each_line_gets_its_fix_or_the_reason_it_has_none(tmp_path):
    from fixer.trace.fixes import plan_fixes

    program = tmp_path / "block.py"
    program.write_text(BLOCK + FRESH.split("\n", 1)[1].replace("h += 1  # write", "h += 1"))
    param, fresh = violation_at(program, 6, written=("x",)), violation_at(program, 12, written=("h",))
    safe_only = {f.violation.write.line: f for f in plan_fixes([param, fresh], unsafe=False)}
    assert [f.rule_id for f in safe_only[12].findings] == ["IP101"] and safe_only[12].missing is None
    assert safe_only[6].findings == () and "rerun with --unsafe-fixes" in (safe_only[6].missing or "")
    [with_unsafe] = plan_fixes([param], unsafe=True)
    assert [f.original for f in with_unsafe.findings] == ["x += self.attn(self.norm(x))"]


def test_a_write_inside_an_installed_package_is_named_not_rewritten(tmp_path):
    from fixer.trace.fixes import plan_fixes

    installed = tmp_path / "site-packages" / "lib.py"
    installed.parent.mkdir()
    installed.write_text(BLOCK)
    [line_fix] = plan_fixes([violation_at(installed, 6)], unsafe=True)
    assert line_fix.findings == () and line_fix.missing == "the line is in an installed package, not in your project"


def test_a_module_built_with_inplace_true_gets_the_flag_dropped(tmp_path):
    from fixer.trace.fixes import plan_fixes

    program = tmp_path / "head.py"
    program.write_text((SCRIPTS / "module_inplace_act.py").read_text())
    call = marked(SCRIPTS / "module_inplace_act.py", "write")
    [line_fix] = plan_fixes([violation_at(program, call, inside="ReLU(inplace=True)")], unsafe=True)
    [finding] = line_fix.findings
    assert (finding.rule_id, finding.original, finding.replacement) == ("IP105", "nn.ReLU(inplace=True)", "nn.ReLU()")
    assert finding.message.startswith("backward failed at run time: `nn.ReLU` with inplace=True, called at line 12")
    assert finding.safety.value == "unsafe"  # an attribute: `self.act(x)` may be called for its write alone


TWO_RELUS = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.ReLU(inplace=True))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(self.stem(x) * 2)
"""


@pytest.mark.parametrize(("path", "line"), [("self.act", 9), ("self.stem.2", 8)])
def test_only_the_module_the_run_saw_loses_its_flag(tmp_path, path, line):
    from fixer.trace.fixes import plan_fixes

    program = tmp_path / "net.py"
    program.write_text(TWO_RELUS)
    [line_fix] = plan_fixes([violation_at(program, 12, inside="ReLU(inplace=True)", inside_path=path)], unsafe=True)
    assert [f.span.start_line for f in line_fix.findings] == [line]


def test_python_api_watches_a_block():
    torch = pytest.importorskip("torch")
    from fixer.trace import watch

    x = torch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        with watch() as report:
            h = torch.sigmoid(x)
            h.mul_(2)
            h.sum().backward()
    [violation] = report.violations
    assert violation.failed and violation.saved_op == "sigmoid" and violation.saved_role == "output"
    assert violation.write.line == violation.saved_at.line + 1
    assert [f.rule_id for f in report.findings] == ["IP102"]


def test_without_torch_trace_exits_2_with_one_line(tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    bare = tmp_path / "bare" / "bin" / "python"
    (tmp_path / "s.py").write_text("print('hi')\n")
    run = subprocess.run(
        [sys.executable, "-m", "fixer", "trace", "--", str(bare), "s.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr == ("outplace trace: needs torch in the traced program's Python (No module named 'torch'): "
                          "pip install torch\n")


LEAF_THROUGH_A_MODULE = """\
import torch
from torch import nn


class Fuse(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(2))
        self.weight_relu = nn.ReLU(inplace=True)

    def forward(self, x):
        weight = self.weight_relu(self.weight)
        return weight[0] * x
"""


def test_a_leaf_written_by_an_inplace_module_gets_the_flag_dropped(tmp_path):
    from fixer.trace.fixes import plan_fixes
    from fixer.trace.report import Location, Violation

    program = tmp_path / "fuse.py"
    program.write_text(LEAF_THROUGH_A_MODULE)
    leaf = Violation(write=Location(str(program), 12), op="relu_", kind="leaf", failed=True)  # no module named: raised at once
    [line_fix] = plan_fixes([leaf], unsafe=True)
    assert [(f.rule_id, f.span.start_line, f.replacement) for f in line_fix.findings] == [("IP105", 9, "nn.ReLU()")]
