"""Nothing lost on `fix`: git can always undo it, permission bits stay, a kill never leaves half a file."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixer.sourcefile import remove_stale_temps
from tests.conftest import Cli

SIGMOID = "import torch\ndef f(x: torch.Tensor):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\n"
FIXED = SIGMOID.replace("h += 1", "h = h + 1")
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main"]

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(folder: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.outplace-tmp"))


# git: uncommitted work is never rewritten ------------------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A work tree with a committed clean file, a modified one, a staged one, an untracked one."""
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    for name in ("clean.py", "modified.py", "staged.py", "sub/deep.py"):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(SIGMOID)
    (folder / ".gitignore").write_text("ignored.py\n")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "init")
    (folder / "modified.py").write_text(SIGMOID + "# edited\n")
    (folder / "staged.py").write_text(SIGMOID + "# staged\n")
    git(folder, "add", "staged.py")
    (folder / "untracked.py").write_text(SIGMOID)
    (folder / "ignored.py").write_text(SIGMOID)
    return folder


@needs_git
def test_fix_refuses_files_with_uncommitted_work_and_fixes_the_rest(cli: Cli, repo: Path) -> None:
    result = cli("fix", ".", "ignored.py", cwd=repo)
    assert result.code == 2
    assert sorted(result.stderr.splitlines()) == [
        "modified.py: vcs error: has uncommitted changes; commit or stash them first, or pass --allow-dirty",
        "staged.py: vcs error: has uncommitted changes; commit or stash them first, or pass --allow-dirty",
        "untracked.py: vcs error: is untracked: git could not undo the fix; commit it first, or pass --allow-dirty",
    ]
    assert (repo / "modified.py").read_text() == SIGMOID + "# edited\n"
    assert (repo / "staged.py").read_text() == SIGMOID + "# staged\n"
    assert (repo / "untracked.py").read_text() == SIGMOID
    # committed files are fixed; an ignored file (named explicitly) is not git's to undo, like cargo fix
    for name in ("clean.py", "sub/deep.py", "ignored.py"):
        assert (repo / name).read_text() == FIXED, name


@needs_git
def test_a_dirty_file_with_nothing_to_fix_is_not_an_error(cli: Cli, repo: Path) -> None:
    (repo / "modified.py").write_text("import torch\n# nothing to fix\n")
    result = cli("fix", "modified.py", "clean.py", cwd=repo)
    assert result.code == 0, result.stderr
    assert (repo / "clean.py").read_text() == FIXED


@needs_git
def test_allow_dirty_fixes_everything(cli: Cli, repo: Path) -> None:
    result = cli("fix", "--allow-dirty", ".", cwd=repo)
    assert result.code == 0, result.stderr
    for name in ("clean.py", "modified.py", "staged.py", "untracked.py", "sub/deep.py"):
        assert (repo / name).read_text().startswith(FIXED), name


@needs_git
def test_check_and_diff_do_not_care_about_uncommitted_work(cli: Cli, repo: Path) -> None:
    assert cli("check", "untracked.py", cwd=repo).code == 1
    assert cli("diff", "untracked.py", cwd=repo).code == 1


def test_files_outside_git_are_fixed(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(SIGMOID)
    assert cli("fix", "a.py").code == 0
    assert (tmp_path / "a.py").read_text() == FIXED
