"""The `outplace` command line, run for real as `python -m fixer` in temporary folders."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli

SIGMOID = """\
import torch
def f(x: torch.Tensor):
    h = torch.sigmoid(x)
    h += 1
    return h
"""
SIGMOID_FIXED = SIGMOID.replace("h += 1", "h = h + 1")

# `x` is the caller's tensor: rewriting it is unsafe. Nothing saved it: a warning (it may train today).
PARAMETER = """\
import torch
def f(x: torch.Tensor):
    x += 1
    return x
"""

# The same write after `x * w` saved `x` for backward: an error, whose fix is still unsafe.
UNSAFE_ERROR = """\
import torch
def f(x: torch.Tensor, w: torch.Tensor):
    y = x * w
    x += 1
    return x, y
"""

BOTH_RULES = """\
import torch
def f(x: torch.Tensor, y: torch.Tensor):
    h = torch.sigmoid(x)
    h += 1
    g = torch.exp(y)
    g.mul_(2)
    return h, g
"""

CLEAN = """\
import torch
def f(x: torch.Tensor):
    return torch.sigmoid(x) + 1
"""

FINDING_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>IP\d{3}) \[(error|warning)\] .+ \(fix: (safe|unsafe|none)\)$")


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def findings(lines: list[str]) -> list[tuple[str, int, str]]:
    """(path, line, rule) of each finding line of `check` output."""
    return [(m["path"], int(m["line"]), m["rule"]) for line in lines if (m := FINDING_LINE.match(line))]


# check ------------------------------------------------------------------------------------------
def test_check_clean_file_exits_0(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", CLEAN)
    result = cli("check", ".")
    assert result.code == 0, result.stderr
    assert result.lines == ["All checked: no findings in 1 file."]


def test_check_finding_line_format_and_exit_1(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", SIGMOID)
    result = cli("check", "model.py")
    assert result.code == 1
    assert FINDING_LINE.match(result.lines[0]), result.lines
    assert result.lines[0].startswith("model.py:4:5: IP101 [")  # 1-based column of `h`
    assert result.lines[0].endswith("(fix: safe)")
    assert result.lines[1] == "Found 1 finding in 1 file: 1 error (1 fixable with `outplace fix`)."
    assert result.stderr == ""


def test_check_counts_unsafe_fixes_separately(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "a.py", SIGMOID)
    write(tmp_path, "b.py", UNSAFE_ERROR)
    result = cli("check", ".")
    assert result.code == 1
    assert findings(result.lines) == [("a.py", 4, "IP101"), ("b.py", 4, "IP101")]
    assert result.lines[1].endswith("(fix: unsafe)")
    assert result.lines[-1] == (
        "Found 2 findings in 2 files: 2 errors (1 fixable with `outplace fix`, 1 with `outplace fix --unsafe-fixes`)."
    )


def test_check_json_has_findings_errors_and_summary(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", SIGMOID)
    write(tmp_path, "broken.py", "import torch\ndef f(:\n    x += 1\n")
    result = cli("check", "--format", "json", ".")
    assert result.code == 2
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "errors", "unused_noqa", "summary"}
    (finding,) = data["findings"]
    assert finding["rule_id"] == "IP101" and finding["path"] == "model.py"
    assert finding["span"] == {"start_line": 4, "start_col": 5, "end_line": 4, "end_col": 11}  # 1-based, as the text says 4:5
    assert finding["safety"] == "safe" and finding["fixable"] is True
    assert data["errors"] == [{"path": "broken.py", "kind": "parse", "message": "invalid syntax", "line": 2}]
    assert data["summary"]["findings"] == 1 and data["summary"]["errors"] == 1
    assert data["summary"]["exit_code"] == 2


def test_check_missing_path_is_an_error_and_others_still_checked(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", SIGMOID)
    result = cli("check", "model.py", "nope.py")
    assert result.code == 2
    assert result.stderr == "nope.py: io error: no such file or directory\n"
    assert findings(result.lines) == [("model.py", 4, "IP101")]


def test_ip102_inplace_method_is_reported_and_fixed(cli: Cli, tmp_path: Path) -> None:
    source = SIGMOID.replace("h += 1", "h.add_(1)")
    path = write(tmp_path, "model.py", source)
    assert findings(cli("check", ".").lines) == [("model.py", 4, "IP102")]
    assert cli("fix", ".").code == 0
    assert path.read_text() == source.replace("h.add_(1)", "h = h.add(1)")


# a realistic folder: encodings, newlines, a syntax error, an ignored file ---------------------------
LATIN1 = "# -*- coding: latin-1 -*-\n# Gewichtsänderung\n" + SIGMOID
ODD_FILES = {
    "broken.py": b"import torch\ndef f(x:\n    x += 1\n",
    "latin1.py": LATIN1.encode("latin-1"),
    "crlf.py": SIGMOID.replace("\n", "\r\n").encode(),
    "bom.py": b"\xef\xbb\xbf" + SIGMOID.encode(),
    "no_newline.py": SIGMOID.rstrip("\n").replace("return h", "return h  # fin").encode(),
    "ignored/generated.py": SIGMOID.encode(),
    ".gitignore": b"ignored/\n",
}
FIXED_NAMES = ["bom.py", "crlf.py", "latin1.py", "no_newline.py"]


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    for name, data in ODD_FILES.items():
        write(folder, name, data)
    return folder


def test_check_odd_folder(cli: Cli, odd_folder: Path) -> None:
    result = cli("check", ".", cwd=odd_folder)
    assert result.code == 2
    assert result.stderr.splitlines() == ["broken.py:2: parse error: '(' was never closed"]
    assert findings(result.lines) == [(name, 4 + (name == "latin1.py") * 2, "IP101") for name in FIXED_NAMES]
    assert result.lines[-1] == (
        "Found 4 findings in 4 files: 4 errors (4 fixable with `outplace fix`). 1 file could not be processed."
    )


def test_fix_odd_folder_changes_only_the_fixed_lines(cli: Cli, odd_folder: Path) -> None:
    result = cli("fix", "--allow-dirty", ".", cwd=odd_folder)  # a git work tree with nothing committed
    assert result.code == 2, result.stdout
    assert "broken.py:2: parse error" in result.stderr
    for name, data in ODD_FILES.items():
        expected = data.replace(b"h += 1", b"h = h + 1") if name in FIXED_NAMES else data
        assert (odd_folder / name).read_bytes() == expected, name
    assert [line for line in result.lines if line.startswith("fixed")] == [f"fixed 1 in {n}" for n in FIXED_NAMES]
    assert "  IP101 augmented-assignment: 4" in result.lines


def test_diff_applies_with_git_and_patch_and_matches_fix(cli: Cli, odd_folder: Path, tmp_path: Path) -> None:
    before = {name: (odd_folder / name).read_bytes() for name in ODD_FILES}
    result = cli("diff", ".", cwd=odd_folder)
    assert result.code == 2  # broken.py could not be processed
    assert "Would fix 4 findings in 4 files." in result.stderr
    assert {name: (odd_folder / name).read_bytes() for name in ODD_FILES} == before  # diff writes nothing
    patch_file = tmp_path / "fix.patch"
    patch_file.write_bytes(result.stdout_bytes)
    assert result.stdout_bytes.count(b"\n--- a/") + result.stdout_bytes.startswith(b"--- a/") == 4
    assert b"\\ No newline at end of file" in result.stdout_bytes

    by_git, by_patch = tmp_path / "by_git", tmp_path / "by_patch"
    shutil.copytree(odd_folder, by_git)
    shutil.copytree(odd_folder, by_patch)
    subprocess.run(["git", "apply", "--check", str(patch_file)], cwd=by_git, check=True)
    subprocess.run(["git", "apply", str(patch_file)], cwd=by_git, check=True)
    subprocess.run(["patch", "-p1", "--dry-run", "-i", str(patch_file)], cwd=by_patch, check=True, capture_output=True)
    subprocess.run(["patch", "-p1", "-i", str(patch_file)], cwd=by_patch, check=True, capture_output=True)

    cli("fix", "--allow-dirty", ".", cwd=odd_folder)
    for name in ODD_FILES:
        fixed = (odd_folder / name).read_bytes()
        assert (by_git / name).read_bytes() == fixed, name
        assert (by_patch / name).read_bytes() == fixed, name


def test_diff_exit_codes(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "clean.py", CLEAN)
    empty = cli("diff", "clean.py")
    assert (empty.code, empty.stdout_bytes) == (0, b"")
    write(tmp_path, "model.py", SIGMOID)
    changed = cli("diff", "model.py")
    assert changed.code == 1
    assert changed.stdout.startswith("--- a/model.py\n+++ b/model.py\n@@ -1,5 +1,5 @@\n")
    assert "-    h += 1\n+    h = h + 1\n" in changed.stdout


# fix ----------------------------------------------------------------------------------------------
def test_fix_writes_atomically_and_keeps_permission_bits(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", SIGMOID)
    path.chmod(0o751)
    inode = path.stat().st_ino
    result = cli("fix", "model.py")
    assert result.code == 0
    assert result.lines == [
        "fixed 1 in model.py",
        "Fixed 1 finding in 1 file:",
        "  IP101 augmented-assignment: 1",
    ]
    assert path.read_text() == SIGMOID_FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]  # no temporary file left


def test_second_fix_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", BOTH_RULES)
    assert cli("fix", ".").code == 0
    fixed = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    again = cli("fix", ".")
    assert again.code == 0
    assert again.lines == ["Nothing fixed in 1 file."]
    assert path.read_bytes() == fixed and path.stat().st_mtime_ns == mtime


def test_fix_leaves_unsafe_fixes_and_says_why(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", UNSAFE_ERROR)
    result = cli("fix", ".")
    assert result.code == 1
    assert path.read_text() == UNSAFE_ERROR
    assert result.lines[:2] == ["Nothing fixed in 1 file.", "Autograd will still fail at 1 place:"]
    assert result.lines[2].startswith("  model.py:4:5: IP101 `x` is an input of `*` (line 3)")
    assert result.lines[2].endswith(
        "fix unsafe: `x` is a parameter: the caller's tensor changes in place, not after the rewrite. "
        "Fix: `x = x + 1`; unsafe fix, apply with `outplace fix --unsafe-fixes model.py`"
    )
    unsafe = cli("fix", "--unsafe-fixes", ".")
    assert unsafe.code == 0
    assert path.read_text() == UNSAFE_ERROR.replace("x += 1", "x = x + 1")


def test_display_only_findings_are_reported_never_fixed(cli: Cli, tmp_path: Path) -> None:
    source = SIGMOID.replace("h += 1", "h.normal_()")  # a random fill has no out-of-place twin
    path = write(tmp_path, "model.py", source)
    check = cli("check", ".")
    assert check.lines[0].endswith("(fix: none)")
    assert check.lines[-1] == "Found 1 finding in 1 file: 1 error."
    result = cli("fix", "--unsafe-fixes", ".")
    assert result.code == 1
    assert result.lines == [
        "Nothing fixed in 1 file.",
        "Autograd will still fail at 1 place:",
        "  model.py:4:5: IP102 `h` is the output of `torch.sigmoid` (line 3), which saves its result for backward; "
        "`h.normal_()` at line 4 makes backward fail (random fill: no out-of-place twin draws the same numbers); "
        "display-only, see `outplace explain IP102`",
    ]
    assert path.read_text() == source


# rule selection, configuration --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("flags", "rules"),
    [
        ([], ["IP101", "IP102"]),
        (["--select", "IP101"], ["IP101"]),
        (["--ignore", "IP101"], ["IP102"]),
        (["--select", "IP1", "--ignore", "ip102"], ["IP101"]),
        (["--select", "IP101,IP102"], ["IP101", "IP102"]),
        (["--select", "IP101", "--select", "inplace-method"], ["IP101", "IP102"]),
    ],
    ids=["all", "select", "ignore", "prefix-minus-ignore", "comma-separated", "repeated-and-name"],
)
def test_select_and_ignore(cli: Cli, tmp_path: Path, flags: list[str], rules: list[str]) -> None:
    write(tmp_path, "model.py", BOTH_RULES)
    result = cli("check", *flags, ".")
    assert [rule for _, _, rule in findings(result.lines)] == rules


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_rule_code_is_a_usage_error(cli: Cli, tmp_path: Path, flag: str) -> None:
    write(tmp_path, "model.py", SIGMOID)
    result = cli("check", flag, "IP101,IP999", ".")
    assert result.code == 2
    assert result.stderr == "error: unknown rule code 'IP999' (see `outplace rules`)\n"
    assert result.stdout == ""


def test_config_from_pyproject_and_flag_override(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "demo"\n\n[tool.outplace]\nignore = ["IP101"]\n')
    write(tmp_path, "src/pkg/model.py", BOTH_RULES)
    write(tmp_path, "src/pkg/pyproject.toml", "[tool.black]\nline-length = 100\n")  # no [tool.outplace]
    assert [r for _, _, r in findings(cli("check", "src/pkg").lines)] == ["IP102"]
    assert [r for _, _, r in findings(cli("check", "model.py", cwd=tmp_path / "src/pkg").lines)] == ["IP102"]
    assert [r for _, _, r in findings(cli("check", "--ignore", "IP102", "src").lines)] == ["IP101"]


def test_config_per_file_ignores_and_exclude(cli: Cli, tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.outplace]\nexclude = ["vendored/"]\n\n[tool.outplace.per-file-ignores]\n"tests/*" = ["IP101"]\n',
    )
    for name in ("src/model.py", "tests/test_model.py", "vendored/lib.py"):
        write(tmp_path, name, BOTH_RULES)
    result = cli("check", ".")
    assert findings(result.lines) == [
        ("src/model.py", 4, "IP101"),
        ("src/model.py", 6, "IP102"),
        ("tests/test_model.py", 6, "IP102"),
    ]
    # the per-file ignores are relative to pyproject.toml's folder, wherever the run starts
    assert findings(cli("check", "test_model.py", cwd=tmp_path / "tests").lines) == [("test_model.py", 6, "IP102")]
    flag = cli("check", "--exclude", "tests", ".")  # a flag replaces the configured exclude
    assert sorted({p for p, _, _ in findings(flag.lines)}) == ["src/model.py", "vendored/lib.py"]


def test_force_exclude_applies_exclusions_to_paths_named_explicitly(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.outplace]\nexclude = ["vendored/", "*_pb2.py"]\n')
    named = ["src/model.py", "vendored/lib.py", "src/api_pb2.py"]
    for name in named:
        write(tmp_path, name, SIGMOID)
    # as pre-commit runs it: every file named; without the flag a named file is always checked (as in Ruff)
    assert sorted({p for p, _, _ in findings(cli("check", *named).lines)}) == sorted(named)
    forced = cli("check", "--force-exclude", *named)
    assert (forced.code, [p for p, _, _ in findings(forced.lines)]) == (1, ["src/model.py"])
    assert cli("check", "--force-exclude", "vendored").code == 0  # an excluded folder named explicitly
    assert cli("check", "--force-exclude", "lib.py", cwd=tmp_path / "vendored").code == 0  # matched from the project root
    assert cli("fix", "--force-exclude", "--allow-dirty", *named).code == 0
    assert (tmp_path / "vendored/lib.py").read_text() == SIGMOID and (tmp_path / "src/model.py").read_text() == SIGMOID_FIXED
    piped = cli("fix", "--force-exclude", "--stdin-filename", "vendored/lib.py", "-", stdin=SIGMOID.encode())
    assert (piped.code, piped.stdout) == (0, SIGMOID)  # an excluded stdin file comes back unchanged
    write(tmp_path, "pyproject.toml", '[tool.outplace]\nexclude = ["vendored/"]\nforce-exclude = true\n')
    assert cli("check", "vendored/lib.py").code == 0
    assert cli("check", "--no-force-exclude", "vendored/lib.py").code == 1


def test_config_unsafe_fixes_and_no_unsafe_fixes_flag(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.outplace]\nunsafe-fixes = true\n")
    path = write(tmp_path, "model.py", UNSAFE_ERROR)
    assert cli("fix", "--no-unsafe-fixes", ".").code == 1
    assert path.read_text() == UNSAFE_ERROR
    assert cli("fix", ".").code == 0
    assert path.read_text() == UNSAFE_ERROR.replace("x += 1", "x = x + 1")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("selct = ['IP101']", "unknown key 'selct'"),
        ("select = ['IP999']", "unknown rule code 'IP999'"),
        ("select = 'IP101'", "'select' must be a list of strings"),
        ("unsafe-fixes = 'yes'", "'unsafe-fixes' must be true or false"),
        ("per-file-ignores = { 'a.py' = ['IP998'] }", "unknown rule code 'IP998'"),
        ("select = [", "invalid TOML"),
    ],
    ids=["unknown-key", "unknown-code", "not-a-list", "not-a-bool", "per-file-unknown-code", "bad-toml"],
)
def test_bad_config_is_a_one_line_usage_error(cli: Cli, tmp_path: Path, table: str, message: str) -> None:
    write(tmp_path, "pyproject.toml", f"[tool.outplace]\n{table}\n")
    write(tmp_path, "model.py", SIGMOID)
    result = cli("check", ".")
    assert result.code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert result.stderr.startswith("error: ") and "pyproject.toml" in result.stderr


# suppression comments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("comment", "reported"),
    [
        ("", True),
        ("  # noqa", False),
        ("  # noqa: IP101", False),
        ("  # noqa: IP102", True),
        ("  # outplace: ignore[IP101]", False),
        ("  # outplace: ignore[IP102]", True),
    ],
    ids=["none", "bare-noqa", "noqa-rule", "noqa-other-rule", "outplace-ignore", "outplace-ignore-other"],
)
def test_suppression_comments(cli: Cli, tmp_path: Path, comment: str, reported: bool) -> None:
    source = SIGMOID.replace("h += 1", "h += 1" + comment)
    path = write(tmp_path, "model.py", source)
    assert bool(findings(cli("check", ".").lines)) is reported
    cli("fix", ".")
    assert (path.read_text() == source) is not reported


def test_skip_file_marker(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", "# outplace: skip-file\n" + SIGMOID)
    result = cli("check", ".")
    assert (result.code, result.lines) == (0, ["All checked: no findings in 1 file."])
    assert cli("fix", ".").code == 0
    assert path.read_text() == "# outplace: skip-file\n" + SIGMOID


# standard input ------------------------------------------------------------------------------------
def test_check_stdin(cli: Cli) -> None:
    result = cli("check", "--stdin-filename", "pkg/model.py", "-", stdin=SIGMOID.encode())
    assert result.code == 1
    assert findings(result.lines) == [("pkg/model.py", 4, "IP101")]
    plain = cli("check", "-", stdin=SIGMOID.encode())
    assert findings(plain.lines) == [("-", 4, "IP101")]


def test_fix_stdin_writes_code_to_stdout_and_report_to_stderr(cli: Cli) -> None:
    result = cli("fix", "-", stdin=SIGMOID.replace("\n", "\r\n").encode())
    assert result.code == 0
    assert result.stdout_bytes == SIGMOID_FIXED.replace("\n", "\r\n").encode()
    assert "fixed 1 in -" in result.stderr
    clean = cli("fix", "-", stdin=CLEAN.encode())
    assert (clean.code, clean.stdout_bytes) == (0, CLEAN.encode())


def test_diff_stdin(cli: Cli) -> None:
    result = cli("diff", "--stdin-filename", "model.py", "-", stdin=SIGMOID.encode())
    assert result.code == 1
    assert result.stdout.startswith("--- a/model.py\n+++ b/model.py\n")


def test_stdin_with_other_paths_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", SIGMOID)
    result = cli("check", "-", "model.py")
    assert result.code == 2 and result.stderr.startswith("error: ")


# rules, explain, help ------------------------------------------------------------------------------
def test_rules_lists_id_name_default_safety_and_fix(cli: Cli) -> None:
    result = cli("rules")
    assert result.code == 0
    assert result.lines[0].split() == ["ID", "NAME", "SAFETY", "FIX"]
    assert re.search(r"^IP101 +augmented-assignment +safe +Rewrite as an out-of-place assignment$", result.stdout, re.M)
    assert re.search(r"^IP106 +out-argument +unsafe ", result.stdout, re.M)
    assert re.search(r"^IP109 +data-mutation +display-only ", result.stdout, re.M)


def test_explain_prints_the_rule_doc(cli: Cli) -> None:
    result = cli("explain", "IP101")
    assert result.code == 0
    assert result.lines[0] == "IP101 augmented-assignment"
    assert "## Why is this risky" in result.stdout
    assert "modified by an inplace operation" in result.stdout
    assert cli("explain", "augmented-assignment").stdout == result.stdout


def test_explain_unknown_rule_exits_2(cli: Cli) -> None:
    result = cli("explain", "IP999")
    assert result.code == 2
    assert result.stderr == "error: unknown rule 'IP999' (see `outplace rules`)\n"


@pytest.mark.parametrize("command", [[], ["check"], ["diff"], ["fix"], ["rules"], ["explain"]])
def test_help(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0
    assert "Usage:" in result.stdout


def test_console_script_exists() -> None:
    script = Path(sys.executable).parent / "outplace"
    if not script.exists():
        pytest.skip("the console script is not installed")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "check" in done.stdout


# parallelism ---------------------------------------------------------------------------------------
def test_jobs_1_and_2_give_identical_output(cli: Cli, tmp_path: Path) -> None:
    for i in range(20):
        text = [SIGMOID, PARAMETER, BOTH_RULES, CLEAN][i % 4]
        write(tmp_path, f"pkg{i % 3}/module_{i:02}.py", text)
    write(tmp_path, "pkg1/broken.py", "import torch\nx +=\n")
    for command in (["check"], ["check", "--format", "json"], ["diff"]):
        one = cli(*command, "-j", "1", ".")
        two = cli(*command, "-j", "2", ".")
        assert one.code == two.code == 2
        assert one.stdout_bytes == two.stdout_bytes and one.stderr == two.stderr
    assert len(findings(cli("check", "-j", "2", ".").lines)) == 20


def test_no_torch_import(tmp_path: Path) -> None:
    code = "import sys, fixer.cli.app, fixer.files.runner, fixer.core.engine, fixer.core.registry; fixer.core.registry.all_rules(); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert done.stdout.strip() == "False"
