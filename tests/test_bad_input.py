"""Bad input through the real command line: one clear line each, exit 2, the rest still processed.

Every case runs `outplace fix .` on a folder holding the bad file beside a good file with a fix:
the bad file gets exactly one `path[:line]: kind error: reason` line on stderr and its bytes stay
as they were, and the good file is still fixed. Valid but unusual inputs must simply work.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli

SIGMOID = "import torch\ndef f(x: torch.Tensor):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\n"
FIXED = SIGMOID.replace("h += 1", "h = h + 1")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def make_file(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def symlink_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


# (name of the case, how the bad file `bad.py` is made, the one line expected for it)
BAD_FILES = [
    ("syntax_error", make_file(b"import torch\ndef f(x:\n    x += 1\n"), "bad.py:2: parse error: '(' was never closed"),
    # No rule could match this file (no torch, no in-place write), yet it is reported: not Python is not clean.
    ("syntax_error_without_torch", make_file(b"def f(:\n    pass\n"), "bad.py:1: parse error: invalid syntax"),
    ("python2", make_file(b"import torch\nprint 'hi'\nx += 1\n"), "bad.py:2: parse error: Missing parentheses in call to 'print'. Did you mean print(...)?"),
    ("python2_without_torch", make_file(b"def f():\n    exec 'x = 1'\n"), "bad.py:2: parse error: Missing parentheses in call to 'exec'. Did you mean exec(...)?"),
    ("null_bytes", make_file(b"import torch\nx = 1\x00\nx += 1\n"), "bad.py: parse error: source code string cannot contain null bytes"),
    ("non_utf8_without_cookie", make_file(b"import torch\nname = 'caf\xe9'\nx += 1\n"), "bad.py:2: decode error: not valid utf-8 (byte 0xe9 at offset 24); declare the encoding with a coding cookie"),
    ("symlink_loop", symlink_to("bad.py"), "bad.py: io error: symbolic link loop"),
    ("broken_symlink", symlink_to("nowhere.py"), "bad.py: io error: broken symbolic link"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "line"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_gets_one_line_and_the_others_are_still_fixed(
    cli: Cli, tmp_path: Path, make: Callable[[Path], None], line: str
) -> None:
    (tmp_path / "good.py").write_text(SIGMOID)
    make(tmp_path / "bad.py")
    before = _state(tmp_path / "bad.py")
    result = cli("fix", ".")
    assert result.code == 2
    assert result.stderr.splitlines() == [line]
    assert (tmp_path / "good.py").read_text() == FIXED
    assert _state(tmp_path / "bad.py") == before
    assert "fixed 1 in good.py" in result.lines


def _state(path: Path) -> tuple[bool, bytes | str]:
    """What a bad file is: a link's target, or a file's bytes."""
    return (True, os.readlink(path)) if path.is_symlink() else (False, path.read_bytes())


def test_a_path_that_does_not_exist(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SIGMOID)
    result = cli("fix", "missing.py", "good.py", "missing_folder/")
    assert result.code == 2
    assert sorted(result.stderr.splitlines()) == [
        "missing.py: io error: no such file or directory",
        "missing_folder: io error: no such file or directory",
    ]
    assert (tmp_path / "good.py").read_text() == FIXED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.py"]


def test_a_read_only_file_is_not_written_during_fix(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(SIGMOID)
    (tmp_path / "read_only.py").write_text(SIGMOID)
    (tmp_path / "read_only.py").chmod(0o444)
    check = cli("check", ".")
    assert check.code == 1 and check.stderr == ""  # reading it is fine
    result = cli("fix", ".")
    assert result.code == 2
    assert result.stderr.splitlines() == ["read_only.py: io error: read-only file"]
    assert (tmp_path / "read_only.py").read_text() == SIGMOID
    assert (tmp_path / "read_only.py").stat().st_mode & 0o777 == 0o444
    assert (tmp_path / "good.py").read_text() == FIXED
    assert list(tmp_path.glob(".*outplace-tmp")) == []


def test_a_file_without_read_permission(tmp_path: Path) -> None:
    """As root, the command runs without the capabilities that let root read anything.

    Root with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH removed from its bounding set is held to
    the permission bits like any user (an owner with mode 000 may not read), which is what a
    user's unreadable file is; unlike running as `nobody`, it still reaches pytest's 0700 folders.
    """
    (tmp_path / "good.py").write_text(SIGMOID)
    (tmp_path / "secret.py").write_text(SIGMOID)
    (tmp_path / "secret.py").chmod(0o000)
    prefix: list[str] = []
    if IS_ROOT:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "fixer", "fix", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == ["secret.py: io error: permission denied"]
    assert (tmp_path / "good.py").read_text() == FIXED
    (tmp_path / "secret.py").chmod(0o644)
    assert (tmp_path / "secret.py").read_text() == SIGMOID


def test_a_file_deleted_between_walk_and_read(tmp_path: Path) -> None:
    """The real CLI, with discovery wrapped so that a found file is deleted before it is read."""
    for name in ("a.py", "gone.py", "z.py"):
        (tmp_path / name).write_text(SIGMOID)
    wrapper = textwrap.dedent(
        """
        import os, sys
        import fixer.files.runner as runner
        found = runner.discover
        def discover(*args, **kwargs):
            items = found(*args, **kwargs)
            assert any(item.path.name == "gone.py" for item in items)
            os.unlink("gone.py")
            return items
        runner.discover = discover
        from fixer.cli.app import main
        sys.argv = ["outplace", "fix", "."]
        main()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == ["gone.py: io error: no such file or directory"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "z.py"]  # not re-created
    assert (tmp_path / "a.py").read_text() == FIXED == (tmp_path / "z.py").read_text()


# valid input that must simply work --------------------------------------------------------------
VALID = [
    ("bom", b"\xef\xbb\xbf" + SIGMOID.encode(), b"\xef\xbb\xbf" + FIXED.encode()),
    ("cr_only", SIGMOID.replace("\n", "\r").encode(), FIXED.replace("\n", "\r").encode()),
    ("mixed_newlines", b"import torch\r\ndef f(x: torch.Tensor):\n    h = torch.sigmoid(x)\r    h += 1\r\n    return h\n",
     b"import torch\r\ndef f(x: torch.Tensor):\n    h = torch.sigmoid(x)\r    h = h + 1\r\n    return h\n"),
    ("tabs", SIGMOID.replace("    ", "\t").encode(), FIXED.replace("    ", "\t").encode()),
    ("tabs_and_spaces_in_a_class", b"import torch\nclass M:\n\tdef f(self, x: torch.Tensor):\n\t    h = torch.exp(x)\n\t    h.mul_(2)\n\t    return h\n",
     b"import torch\nclass M:\n\tdef f(self, x: torch.Tensor):\n\t    h = torch.exp(x)\n\t    h = h.mul(2)\n\t    return h\n"),
    ("empty", b"", b""),
    ("only_a_newline", b"\n", b"\n"),
    ("no_final_newline", SIGMOID.rstrip("\n").encode(), FIXED.rstrip("\n").encode()),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after"), [case[1:] for case in VALID], ids=[case[0] for case in VALID])
def test_valid_unusual_input_is_fixed_byte_exactly(cli: Cli, tmp_path: Path, before: bytes, after: bytes) -> None:
    (tmp_path / "m.py").write_bytes(before)
    result = cli("fix", ".")
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "m.py").read_bytes() == after
    assert cli("fix", ".").code == 0 and (tmp_path / "m.py").read_bytes() == after  # nothing more


def test_a_folder_named_like_a_python_file_is_walked(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "inner.py").write_text(SIGMOID)
    assert cli("fix", ".").code == 0
    assert (tmp_path / "x.py" / "inner.py").read_text() == FIXED
    named = cli("check", "x.py")  # named explicitly, it is still a folder
    assert named.code == 0 and named.stderr == "", named.stderr


# a 10 MB file: peak memory of the command, measured as the kernel saw it -------------------------
def peak_rss_kb(folder: Path, *command: str) -> tuple[int, int, str]:
    """(exit code, peak RSS in kB, stderr) of `command` run by a fresh Python parent.

    getrusage(RUSAGE_CHILDREN) of that parent sees this one child only, never an earlier test's.
    """
    measure = textwrap.dedent(
        f"""
        import resource, subprocess, sys
        done = subprocess.run({list(command)!r}, capture_output=True)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.stderr.write(done.stderr.decode())
        """
    )
    done = subprocess.run([sys.executable, "-c", measure], cwd=folder, capture_output=True, text=True, timeout=600)
    code, peak = map(int, done.stdout.split())
    return code, peak, done.stderr


def test_a_10_mb_file_is_fixed_within_bounded_memory(tmp_path: Path) -> None:
    """A generated table of 10 MB with two functions to fix: LibCST parses them, not the 10 MB.

    The floor is one `ast.parse` of the file (about 1 GB here: Python's ast objects weigh ~100x
    the source), which the engine needs for its regions. The bound: the whole `fix` peaks within
    a third of that floor above it, so it never holds two trees of the file, nor a LibCST one.
    """
    rows = "".join(f"TABLE_{i} = ({i}, {i * 0.5!r}, 'row {i:08d} of generated data, not code to fix')\n" for i in range(150_000))
    text = SIGMOID + rows + SIGMOID.replace("def f", "def g")
    assert len(text.encode()) > 10 * 1024 * 1024
    (tmp_path / "big.py").write_text(text)
    parse = "import ast, sys; ast.parse(open(sys.argv[1], encoding='utf-8').read())"
    code, floor_kb, stderr = peak_rss_kb(tmp_path, sys.executable, "-c", parse, "big.py")
    assert code == 0, stderr
    code, peak_kb, stderr = peak_rss_kb(tmp_path, sys.executable, "-m", "fixer", "fix", "big.py")
    assert code == 0, stderr
    assert (tmp_path / "big.py").read_text() == text.replace("h += 1", "h = h + 1")
    assert peak_kb < floor_kb * 4 // 3, f"peak RSS {peak_kb // 1024} MB; one ast.parse: {floor_kb // 1024} MB"


def test_a_fix_that_does_not_parse_gets_one_line_and_the_files_other_fixes_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixer.cli import report
    from fixer.files import runner
    from tests.test_engine import RULES, TOUCHED, BrokenRule

    monkeypatch.setattr(runner, "rules_for", lambda path, options: (*RULES, BrokenRule))
    path = tmp_path / "touched.py"
    path.write_text(TOUCHED)
    options = runner.Options(mode=runner.Mode.FIX, unsafe_fixes=True, fix_warnings=True)  # TOUCHED's findings are warnings
    outcome = runner.process_file(str(path), options)
    assert report.error_lines([outcome.result]) == (
        f"{path}:6: fix-broke-syntax error: the fixed code does not parse with the fix of IP999: reverted, "
        "the other fixes are applied\n"
    )
    assert path.read_text() == TOUCHED.replace("h += 1", "h = h + 1").replace("h.mul_(2)", "h = h.mul(2)")
    assert report.summarize([outcome.result]).exit_code() == 2
