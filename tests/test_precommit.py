"""The pre-commit hooks of `.pre-commit-hooks.yaml`, installed from this checkout by the real pre-commit.

pre-commit clones the checkout at its HEAD commit and pip-installs it into an environment of its
own (from PyPI: torch is not a runtime dependency), so this tests the committed hooks and code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RISKY = "import torch\n\n\ndef f(x):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\n"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, capture_output=True, text=True, check=check, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module's tests: both hooks share the repository and rev."""
    return tmp_path_factory.mktemp("pre-commit-home")


def repository(tmp_path: Path, home: Path, hook: str) -> Path:
    """A new git repository using `hook` from this checkout's HEAD, with the hook installed."""
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n"
    )
    os.environ["PRE_COMMIT_HOME"] = str(home)  # read by the hook script git runs
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True)
    (repo / "model.py").write_text(RISKY)
    git(repo, "add", ".")
    return repo


@pytest.fixture(autouse=True)
def _restore_environ() -> object:
    saved = dict(os.environ)
    os.environ["PRE_COMMIT_COLOR"] = "never"
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_check_hook_stops_a_risky_commit(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = repository(tmp_path, pre_commit_home, "outplace-check")
    done = git(repo, "commit", "-m", "risky", check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "model.py:6:5: IP101 [" in done.stderr  # git hooks print there
    assert git(repo, "rev-list", "--all").stdout == ""  # nothing was committed
    assert (repo / "model.py").read_text() == RISKY


def test_check_hook_leaves_out_excluded_files(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = repository(tmp_path, pre_commit_home, "outplace-check")
    (repo / "pyproject.toml").write_text('[tool.outplace]\nexclude = ["vendored/"]\n')
    (repo / "vendored").mkdir()
    (repo / "vendored" / "legacy.py").write_text(RISKY)
    git(repo, "add", ".")
    done = git(repo, "commit", "-m", "risky", check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "model.py:6:5: IP101 [" in done.stderr  # pre-commit named both files: the other is still checked
    assert "vendored" not in done.stderr
    git(repo, "rm", "-q", "--cached", "model.py")
    alone = git(repo, "commit", "-m", "vendored only", check=False)
    assert alone.returncode == 0, alone.stdout + alone.stderr


def test_fix_hook_rewrites_and_the_second_commit_passes(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = repository(tmp_path, pre_commit_home, "outplace-fix")
    first = git(repo, "commit", "-m", "risky", check=False)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stderr
    assert "Fixed 1 finding in 1 file" in first.stderr
    assert (repo / "model.py").read_text() == RISKY.replace("h += 1", "h = h + 1")
    git(repo, "add", "model.py")
    second = git(repo, "commit", "-m", "fixed", check=False)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "outplace fix" in second.stderr and "Passed" in second.stderr
