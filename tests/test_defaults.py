"""What breaks, by default: `fix`, `diff` and the bot change errors; warnings are fixed on request;
`check` and `fix` exit 1 on errors (ESLint's rule); `fix` names each error it left and how to fix it,
and remembers what it wrote so that `fix --unsafe-fixes` right after `fix` needs no --allow-dirty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_nothing_lost import git, needs_git

# `h.relu_()` after `x @ w + b` may train today (a warning, safe fix); `g += 1` on sigmoid's output
# makes backward fail (an error, safe fix).
MIXED = """\
import torch
def f(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor):
    h = x @ w
    h.add_(b)
    h.relu_()
    g = torch.sigmoid(h)
    g += 1
    return g
"""
ERRORS_FIXED = MIXED.replace("g += 1", "g = g + 1")
ALL_FIXED = ERRORS_FIXED.replace("h.relu_()", "h = h.relu()")

WARNING_ONLY = MIXED.replace("    g += 1\n", "")

# `x` was saved by `x * w`, and is the caller's tensor: an error whose fix is unsafe.
UNSAFE_ERROR = """\
import torch
def f(x: torch.Tensor, w: torch.Tensor):
    y = x * w
    x += 1
    return x, y
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


# fix and diff: errors by default ------------------------------------------------------------------
def test_fix_changes_errors_only_and_says_how_to_fix_the_warnings(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", MIXED)
    result = cli("fix", ".")
    assert path.read_text() == ERRORS_FIXED
    assert result.lines == [
        "fixed 1 in model.py",
        "Fixed 1 finding in 1 file:",
        "  IP101 augmented-assignment: 1",
        "1 warning (code that may train today) was not fixed: 1 fixable with `outplace fix --fix-warnings .`.",
    ]
    assert result.code == 0  # only warnings are left: as ESLint, they do not fail the run


def test_fix_warnings_flag_fixes_both(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", MIXED)
    result = cli("fix", "--fix-warnings", ".")
    assert result.code == 0, result.stdout
    assert path.read_text() == ALL_FIXED
    assert "Fixed 2 findings in 1 file:" in result.lines


def test_fix_warnings_config_key_and_the_flag_that_overrides_it(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.outplace]\nfix-warnings = true\n")
    path = write(tmp_path, "model.py", MIXED)
    assert cli("fix", "--no-fix-warnings", ".").code == 0
    assert path.read_text() == ERRORS_FIXED
    assert cli("fix", ".").code == 0
    assert path.read_text() == ALL_FIXED


def test_fix_warnings_config_key_must_be_a_boolean(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.outplace]\nfix-warnings = 'yes'\n")
    write(tmp_path, "model.py", MIXED)
    result = cli("check", ".")
    assert result.code == 2
    assert "'fix-warnings' must be true or false" in result.stderr


def test_diff_shows_error_fixes_only_unless_asked(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", MIXED)
    errors = cli("diff", ".")
    assert errors.code == 1
    assert "-    g += 1\n+    g = g + 1\n" in errors.stdout
    assert "+    h = h.relu()" not in errors.stdout
    assert errors.stderr == "Would fix 1 finding in 1 file. 1 warning left as they are (--fix-warnings shows their fixes).\n"
    both = cli("diff", "--fix-warnings", ".")
    assert "+    h = h.relu()\n" in both.stdout and "+    g = g + 1\n" in both.stdout
    assert both.stderr == "Would fix 2 findings in 1 file.\n"


def test_diff_of_warnings_only_is_empty_by_default(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", WARNING_ONLY)
    result = cli("diff", ".")
    assert (result.code, result.stdout) == (0, "")


# check: both shown, errors fail -------------------------------------------------------------------
def test_check_shows_both_and_counts_each_severity(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", MIXED)
    result = cli("check", ".")
    assert result.code == 1
    assert [line.split()[2] for line in result.lines[:2]] == ["[warning]", "[error]"]
    assert result.lines[-1] == (
        "Found 2 findings in 1 file: 1 error (1 fixable with `outplace fix`), "
        "1 warning (1 fixable with `outplace fix --fix-warnings`)."
    )


@pytest.mark.parametrize(
    ("source", "flags", "code"),
    [
        (WARNING_ONLY, [], 0),  # warnings alone do not fail
        (WARNING_ONLY, ["--max-warnings", "0"], 1),
        (WARNING_ONLY, ["--max-warnings", "1"], 0),
        (MIXED, [], 1),  # errors always do
        (MIXED, ["--max-warnings", "5"], 1),
        (MIXED, ["--exit-zero"], 0),
        (MIXED, ["--exit-zero", "--max-warnings", "0"], 0),
    ],
)
def test_check_exit_codes(cli: Cli, tmp_path: Path, source: str, flags: list[str], code: int) -> None:
    write(tmp_path, "model.py", source)
    assert cli("check", *flags, ".").code == code
    assert json.loads(cli("check", "--format", "json", *flags, ".").stdout)["summary"]["exit_code"] == code


def test_exit_zero_still_exits_2_when_a_file_cannot_be_processed(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", MIXED)
    write(tmp_path, "broken.py", "def f(:\n")
    assert cli("check", "--exit-zero", ".").code == 2
    assert cli("fix", "--exit-zero", ".").code == 2


def test_check_json_counts_by_severity(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", MIXED)
    summary = json.loads(cli("check", "--format", "json", ".").stdout)["summary"]
    assert summary["by_severity"] == {"error": 1, "warning": 1}


def test_fix_exit_code_follows_the_errors_left(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", UNSAFE_ERROR)
    assert cli("fix", "--exit-zero", ".").code == 0
    assert cli("fix", ".").code == 1  # the unsafe error is still there
    write(tmp_path, "other.py", WARNING_ONLY)
    assert cli("fix", "--unsafe-fixes", "--max-warnings", "0", ".").code == 1  # the warning is left


# finish the job: each error left, why, and the command -------------------------------------------
def test_fix_lists_each_error_left_with_why_and_the_command(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", MIXED)
    write(tmp_path, "unsafe.py", UNSAFE_ERROR)
    result = cli("fix", ".")
    assert result.code == 1
    assert result.lines[3:] == [
        "Autograd will still fail at 1 place:",
        "  unsafe.py:4:5: IP101 `x` is an input of `*` (line 3), which saves it for backward; `x += 1` at line 4 "
        "makes backward fail; fix unsafe: `x` is a parameter: the caller's tensor changes in place, not after the "
        "rewrite. Fix: `x = x + 1`; unsafe fix, apply with `outplace fix --unsafe-fixes unsafe.py`",
        "1 warning (code that may train today) was not fixed: 1 fixable with `outplace fix --fix-warnings .`.",
    ]
    applied = cli("fix", "--unsafe-fixes", "unsafe.py")  # the command it printed
    assert applied.code == 0 and (tmp_path / "unsafe.py").read_text() == UNSAFE_ERROR.replace("x += 1", "x = x + 1")


# remember what was written: fix, then fix --unsafe-fixes ------------------------------------------
@pytest.fixture
def committed(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    (folder / "model.py").write_text(MIXED + "\n" + UNSAFE_ERROR.replace("import torch\n", "").replace("def f", "def k"))
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "init")
    return folder


@needs_git
def test_unsafe_fixes_right_after_fix_is_not_refused(cli: Cli, committed: Path) -> None:
    path = committed / "model.py"
    first = cli("fix", ".", cwd=committed)
    assert first.code == 1 and "apply with `outplace fix --unsafe-fixes model.py`" in first.stdout
    after_first = path.read_text()
    assert "g = g + 1" in after_first and "    x += 1\n" in after_first
    second = cli("fix", "--unsafe-fixes", "model.py", cwd=committed)
    assert second.code == 0, second.stderr
    assert second.stderr == ""
    assert "    x = x + 1\n" in path.read_text()
    third = cli("fix", "--fix-warnings", ".", cwd=committed)  # and again: still only outplace's changes
    assert third.code == 0, third.stderr
    assert "h = h.relu()" in path.read_text()
    assert git(committed, "status", "--porcelain") == " M model.py\n"  # the record is in the cache, ignored by git


@needs_git
def test_an_edit_after_fix_is_refused_again(cli: Cli, committed: Path) -> None:
    path = committed / "model.py"
    cli("fix", ".", cwd=committed)
    path.write_text(path.read_text() + "# my own work\n")
    result = cli("fix", "--unsafe-fixes", ".", cwd=committed)
    assert result.code == 2
    assert result.stderr == "model.py: vcs error: has uncommitted changes; commit or stash them first, or pass --allow-dirty\n"
    assert path.read_text().endswith("# my own work\n") and "    x += 1\n" in path.read_text()


# fix -i: both, errors first -----------------------------------------------------------------------
B_ERROR = "import torch\ndef g(y: torch.Tensor):\n    e = torch.exp(y)\n    e.add_(1)\n    return e\n"


def test_interactive_asks_every_error_first_then_the_warnings(tmp_path: Path) -> None:
    from tests.test_interactive import answer, finish, headers, spawn

    write(tmp_path, "a.py", MIXED)
    write(tmp_path, "b.py", B_ERROR)
    child = spawn(tmp_path, ".")
    shown = answer(child, "yyy")
    code, rest = finish(child)
    assert headers(shown) == [("a.py", 7, "IP101"), ("b.py", 4, "IP102"), ("a.py", 5, "IP102")]
    assert "[warning, safe fix]" in shown[2] and "[error, safe fix]" in shown[0]
    assert (tmp_path / "a.py").read_text() == ALL_FIXED
    assert (tmp_path / "b.py").read_text() == B_ERROR.replace("e.add_(1)", "e = e.add(1)")
    assert "Applied 3 changes, skipped 0; wrote 2 files." in rest
    assert code == 0


def test_interactive_quit_after_the_errors_keeps_them_and_leaves_the_warnings(tmp_path: Path) -> None:
    from tests.test_interactive import answer, finish, headers, spawn

    write(tmp_path, "a.py", MIXED)
    write(tmp_path, "b.py", B_ERROR)
    child = spawn(tmp_path, ".")
    shown = answer(child, "yyq")
    code, rest = finish(child)
    assert headers(shown)[-1] == ("a.py", 5, "IP102")
    assert (tmp_path / "a.py").read_text() == ERRORS_FIXED
    assert "Stopped early: 1 change not reviewed." in rest
    assert code == 0  # as `fix`: only a warning is left


def test_interactive_exit_code_follows_the_errors_left(tmp_path: Path) -> None:
    from tests.test_interactive import answer, finish, spawn

    write(tmp_path, "a.py", MIXED)
    child = spawn(tmp_path, "--max-warnings", "0", ".")
    answer(child, "yn")  # the error is fixed, the warning skipped
    assert finish(child)[0] == 1
    write(tmp_path, "a.py", MIXED)
    child = spawn(tmp_path, ".")
    answer(child, "ny")  # the error is skipped
    assert finish(child)[0] == 1


# the bot: errors by default -----------------------------------------------------------------------
def test_bot_commits_error_fixes_only_unless_asked(tmp_path: Path) -> None:
    from tests.fake_github import FakeGitHub
    from tests.test_bot import BRANCH, TOKEN, bot, make_repo
    from tests.test_bot import git as bot_git

    github = FakeGitHub(TOKEN)
    github.start()
    try:
        repo = make_repo(tmp_path, {"model.py": MIXED})
        first = bot(repo, github)
        assert first.code == 0, first.stderr
        assert bot_git("show", f"{BRANCH}:model.py", cwd=repo.remote) + "\n" == ERRORS_FIXED
        assert "Not fixed here: 1 finding whose fix is unsafe or display-only, or that are warnings" in github.pulls[1]["body"]
        second = bot(repo, github, "--fix-warnings")
        assert second.code == 0, second.stderr
        assert bot_git("show", f"{BRANCH}:model.py", cwd=repo.remote) + "\n" == ALL_FIXED
        assert "$ outplace diff . --fix-warnings" in github.pulls[1]["body"]
        assert github.violations == []
    finally:
        github.stop()
