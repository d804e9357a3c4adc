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
# Scripts whose harmful line has a static fix today; `other_column.py` writes a fresh table that
# the static analysis cannot see was saved (a column of it was), so trace reports it but cannot fix it.
FIXABLE = [name for name in FAILING if name != "other_column.py"]
WHAT_WAS_WRITTEN = {
    "relu_output.py": "wrote to the output of relu",
    "sigmoid_output.py": "wrote to the output of sigmoid",
    "exp_output.py": "wrote to the output of exp",
    "saved_input.py": "wrote to the input of mul",
    "rnn_buffer.py": "wrote to the input of mm",
    "other_column.py": "wrote to the input of mul",
    "inplace_after_sigmoid.py": "(in ReLU(inplace=True)) wrote to the output of sigmoid",
    "split_view.py": "wrote in place to an output of split",
    "leaf.py": "wrote in place to a leaf tensor that requires grad",
}
REPORT_LINE = re.compile(r"^  (?P<path>\S+):(?P<line>\d+)  .*?(saved at|made at) (?P<saved_path>\S+?):(?P<saved>\d+)")


def marked(script: Path, marker: str) -> int:
    lines = script.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if re.search(rf"#.*\b{marker}\b", line))


def run_trace(tmp_path: Path, name: str, *flags: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(SCRIPTS / name, tmp_path / name)
    command = [sys.executable, "-m", "fixer", "trace", *flags, "--", sys.executable, name]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def reported(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("  ") and "  " in line[2:]]


@pytest.mark.parametrize("name", FAILING)
def test_trace_names_the_writing_line_and_the_saving_line(tmp_path, name):
    run = run_trace(tmp_path, name)
    assert run.returncode != 0
    lines = [line for line in reported(run.stderr) if line.startswith(f"  {name}:")]
    assert len(lines) == 1, run.stderr
    script = SCRIPTS / name
    assert lines[0].startswith(f"  {name}:{marked(script, 'write')}  ")
    assert WHAT_WAS_WRITTEN[name] in lines[0]
    if name == "leaf.py":
        return
    match = REPORT_LINE.match(lines[0])
    assert match, lines[0]
    assert (match["saved_path"], int(match["saved"])) == (name, marked(script, "saved"))


def test_a_program_that_trains_fine_reports_nothing(tmp_path):
    run = run_trace(tmp_path, "trains_fine.py")
    assert run.returncode == 0, run.stderr
    assert "trained" in run.stdout
    assert "no in-place write broke autograd" in run.stderr


@pytest.mark.parametrize("name", FIXABLE)
def test_fix_turns_the_failing_script_into_one_that_runs(tmp_path, name):
    run = run_trace(tmp_path, name, "--fix")
    assert run.returncode == 0, run.stderr
    assert "the error is gone" in run.stderr
    assert (tmp_path / name).read_text() != (SCRIPTS / name).read_text()
    again = subprocess.run([sys.executable, name], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


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
    assert run.stderr.strip().splitlines()[-1].endswith("outplace trace needs torch in the traced program's Python: pip install torch")
