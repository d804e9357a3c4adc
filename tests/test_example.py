"""The bundled example: it fails as shipped, `outplace fix` makes it train, and the diff applies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def outplace(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fixer", *args], cwd=cwd, capture_output=True, text=True)


def train(cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; sys.path.insert(0, 'examples'); import train; print('final', train.train(steps=60))"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)


def copy_examples(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_the_example_as_shipped_fails_in_backward(tmp_path):
    run = train(copy_examples(tmp_path))
    assert run.returncode != 0
    assert "modified by an inplace operation" in run.stderr


def test_fix_makes_the_example_train_and_leaves_nothing_fixable(tmp_path):
    root = copy_examples(tmp_path)
    fixed = outplace("fix", "--allow-dirty", "examples/", cwd=root)  # a work tree with nothing committed
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    run = train(root)
    assert run.returncode == 0, run.stderr
    losses = [float(line.split()[-1]) for line in run.stdout.splitlines() if line.startswith("final")]
    first = float(run.stdout.split("first loss ")[1].split(",")[0])
    assert losses and losses[0] < first  # it learns
    check = outplace("check", "examples/", cwd=root)
    assert check.returncode == 0, check.stdout
    source = (root / "examples" / "train.py").read_text()
    assert "p_ema.mul_(0.99).add_(p, alpha=0.01)" in source  # intended in-place under no_grad stays
    assert "running_loss += loss.item()" in source


def test_the_diff_applies_with_git_and_gives_what_fix_writes(tmp_path):
    root = copy_examples(tmp_path)
    diff = outplace("diff", "examples/", cwd=root)
    assert diff.returncode == 1 and diff.stdout.startswith("--- a/examples/train.py")
    (root / "change.patch").write_text(diff.stdout)
    subprocess.run(["git", "apply", "--check", "change.patch"], cwd=root, check=True)
    subprocess.run(["git", "apply", "change.patch"], cwd=root, check=True)
    applied = (root / "examples" / "train.py").read_text()
    other = copy_examples(tmp_path / "other")
    outplace("fix", "--allow-dirty", "examples/", cwd=other)
    assert applied == (other / "examples" / "train.py").read_text()
