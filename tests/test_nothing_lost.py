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

from fixer.files.sourcefile import remove_stale_temps
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


# permission bits -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o775])
def test_fix_keeps_the_permission_bits(cli: Cli, tmp_path: Path, mode: int) -> None:
    path = tmp_path / "a.py"
    path.write_text(SIGMOID)
    path.chmod(mode)
    assert cli("fix", ".").code == 0
    assert path.read_text() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == mode


# SIGKILL: every file is the original or the fixed version, never a part -----------------------------
# Several functions per file, so that each file takes a moment and a kill lands among the writes.
def many_writes(n: int) -> str:
    return "import torch\n" + "".join(
        f"def f{i}(x: torch.Tensor):\n    h = torch.sigmoid(x)\n    h += {i}\n    h.mul_(2)\n    return h\n\n"
        for i in range(n)
    )


ORIGINAL = many_writes(40)


def fixed_text(tmp_path: Path) -> str:
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "r.py").write_text(ORIGINAL)
    subprocess.run([sys.executable, "-m", "fixer", "fix", "-j", "1", "r.py"], cwd=reference, check=True, capture_output=True)
    text = (reference / "r.py").read_text()
    assert text != ORIGINAL and "h += " not in text and ".mul_(" not in text
    return text


def lay_out(folder: Path, count: int) -> list[Path]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    paths = [folder / f"m{i:03d}.py" for i in range(count)]
    for path in paths:
        path.write_text(ORIGINAL)
    return paths


def assert_whole(paths: list[Path], fixed: str) -> tuple[int, int]:
    """Every file is the original or the fully fixed text; returns (original, fixed) counts."""
    texts = [path.read_text() for path in paths]
    partial = [path.name for path, text in zip(paths, texts) if text not in (ORIGINAL, fixed)]
    assert partial == [], f"partial files: {partial}"
    return texts.count(ORIGINAL), texts.count(fixed)


def test_a_kill_between_temp_write_and_rename_leaves_the_original_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    """The real CLI, with os.replace wrapped to SIGKILL the process just before its third rename."""
    fixed = fixed_text(tmp_path)
    folder = tmp_path / "work"
    paths = lay_out(folder, 5)
    wrapper = (
        "import os, signal, sys\n"
        "real, calls = os.replace, []\n"
        "def replace(*args, **kwargs):\n"
        "    calls.append(args)\n"
        "    if len(calls) == 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(*args, **kwargs)\n"
        "os.replace = replace\n"
        "from fixer.cli.app import main\n"
        "sys.argv = ['outplace', 'fix', '-j', '1', '.']\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", wrapper], cwd=folder, capture_output=True, env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert assert_whole(paths, fixed) == (3, 2)
    assert temp_files(folder) == [t for t in temp_files(folder) if t.startswith(".m002.py.")] != []
    check = subprocess.run([sys.executable, "-m", "fixer", "check", "."], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 1 and "outplace-tmp" not in check.stdout + check.stderr  # never walked
    again = subprocess.run([sys.executable, "-m", "fixer", "fix", "."], cwd=folder, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert assert_whole(paths, fixed) == (0, 5)
    assert temp_files(folder) == []


def test_sigkill_at_many_moments_never_leaves_a_partial_file(tmp_path: Path) -> None:
    """Kill the whole process group (the CLI and its workers) after varied delays, then finish."""
    fixed = fixed_text(tmp_path)
    folder = tmp_path / "work"
    command = [sys.executable, "-m", "fixer", "fix", "-j", "2", "."]
    paths = lay_out(folder, 30)
    start = time.monotonic()
    subprocess.run(command, cwd=folder, check=False, capture_output=True, timeout=300)
    whole_run = time.monotonic() - start  # only to spread the kills over a run, never asserted
    assert assert_whole(paths, fixed) == (0, 30)
    outcomes = []
    for fraction in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
        paths = lay_out(folder, 30)
        process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(whole_run * fraction)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append(assert_whole(paths, fixed))
        assert all(name.endswith(".outplace-tmp") for name in temp_files(folder))
    finish = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert finish.returncode == 0, finish.stderr
    assert assert_whole(paths, fixed) == (0, 30)
    assert temp_files(folder) == []
    print("(original, fixed) after each kill:", outcomes)  # shown with -s: where the kills landed
