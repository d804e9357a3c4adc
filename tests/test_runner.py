"""The per-file runner: never raises, writes only in FIX mode, keeps path order, runs in parallel."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

import pytest

from fixer.core import engine
from fixer.files import runner, written
from fixer.files.runner import Mode, Options, Outcome, process_file, process_stdin, run
from fixer.files.selection import ignored_codes
from fixer.files.sourcefile import SourceError
from fixer.core.types import ErrorKind, FileError, FileStatus, Safety

SIGMOID = """\
import torch
def f(x: torch.Tensor):
    h = torch.sigmoid(x)
    h += 1
    return h
"""
PARAMETER = "import torch\ndef f(x: torch.Tensor):\n    x += 1\n    return x\n"


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_check_mode_plans_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", SIGMOID)
    outcome = process_file(path, Options(Mode.CHECK))
    assert outcome.result.status is FileStatus.FINDINGS
    assert [f.rule_id for f in outcome.result.findings] == ["IP101"]
    assert outcome.diff == b"" and Path(path).read_text() == SIGMOID


def test_diff_mode_carries_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", SIGMOID)
    outcome = process_file(path, Options(Mode.DIFF))
    assert outcome.result.status is FileStatus.CHANGED
    assert b"-    h += 1\n+    h = h + 1\n" in outcome.diff
    assert Path(path).read_text() == SIGMOID


def test_fix_mode_writes(tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", SIGMOID)
    outcome = process_file(path, Options(Mode.FIX))
    assert len(outcome.result.applied) == 1
    assert Path(path).read_text() == SIGMOID.replace("h += 1", "h = h + 1")


@pytest.mark.parametrize(("unsafe_fixes", "applied"), [(False, 0), (True, 1)])
def test_unsafe_fixes_only_when_asked(tmp_path: Path, unsafe_fixes: bool, applied: int) -> None:
    path = write(tmp_path, "model.py", PARAMETER)
    outcome = process_file(path, Options(Mode.FIX, unsafe_fixes=unsafe_fixes, fix_warnings=True))  # PARAMETER is a warning
    assert outcome.result.findings[0].safety is Safety.UNSAFE
    assert len(outcome.result.applied) == applied


def test_a_crash_becomes_a_failed_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(engine, "plan", boom)
    path = write(tmp_path, "model.py", SIGMOID)
    result = process_file(path, Options(Mode.CHECK)).result
    assert result.status is FileStatus.FAILED
    assert result.error == FileError(ErrorKind.CRASH, "internal error: RuntimeError: boom")


def test_a_decode_error_becomes_a_failed_result(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"import torch\nname = 'caf\xe9'\n")
    error = process_file(str(path), Options()).result.error
    assert error is not None and error.kind is ErrorKind.DECODE and error.line == 2


def test_a_failed_write_becomes_a_failed_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, data: bytes, mode: int | None = None) -> None:
        raise SourceError(FileError(ErrorKind.IO, "read-only file"))

    monkeypatch.setattr(written, "write_atomic", refuse)  # the one write path of every front end
    path = write(tmp_path, "model.py", SIGMOID)
    result = process_file(path, Options(Mode.FIX)).result
    assert result.error == FileError(ErrorKind.IO, "read-only file")
    assert Path(path).read_text() == SIGMOID


def test_stdin_is_decoded_like_a_file() -> None:
    data = "# coding: latin-1\n# é\n".encode("latin-1") + SIGMOID.encode()
    outcome = process_stdin(data, "-", Options(Mode.FIX))
    assert outcome.encoding == "iso-8859-1"
    assert outcome.result.new_text == data.decode("latin-1").replace("h += 1", "h = h + 1")
    bad = process_stdin(b"\xff\xfe", "-", Options()).result
    assert bad.error is not None and bad.error.kind is ErrorKind.DECODE


def test_run_keeps_path_order_and_reports_walk_errors(tmp_path: Path) -> None:
    for name in ("b.py", "a.py", "sub/c.py"):
        write(tmp_path, name, SIGMOID)
    missing = str(tmp_path / "missing.py")
    results = [o.result for o in run([str(tmp_path), missing], Options())]
    assert [Path(r.path).relative_to(tmp_path).as_posix() for r in results] == ["a.py", "b.py", "missing.py", "sub/c.py"]
    assert results[2].error == FileError(ErrorKind.IO, "no such file or directory")


def test_pool_and_serial_runs_agree(tmp_path: Path) -> None:
    for i in range(12):
        write(tmp_path, f"m{i:02}.py", SIGMOID if i % 2 else PARAMETER)
    serial = list(run([str(tmp_path)], Options(Mode.DIFF, jobs=1)))
    parallel = list(run([str(tmp_path)], Options(Mode.DIFF, jobs=3)))
    assert serial == parallel
    assert len(serial) == 12


def test_a_dead_worker_fails_the_files_left_not_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the patched function reaches the workers only when they are forked")
    real = runner.process_text

    def die_on_m05(text: str, path: str, options: Options, encoding: str = "utf-8") -> Outcome:
        if path.endswith("m05.py"):
            os._exit(1)  # as a segfault in a native parser would
        return real(text, path, options, encoding)

    monkeypatch.setattr(runner, "process_text", die_on_m05)  # inherited by forked workers
    for i in range(10):
        write(tmp_path, f"m{i:02}.py", SIGMOID)
    results = [o.result for o in run([str(tmp_path)], Options(jobs=2))]
    assert len(results) == 10
    assert results[0].status is FileStatus.FINDINGS
    failed = [Path(r.path).name for r in results if r.status is FileStatus.FAILED]
    assert "m05.py" in failed
    assert all(r.error is not None and r.error.kind is ErrorKind.CRASH for r in results if r.status is FileStatus.FAILED)


def test_options_and_outcomes_are_picklable(tmp_path: Path) -> None:
    options = Options(Mode.FIX, select=("IP1",), per_file_ignores=(("tests/*", ("IP101",)),), root=str(tmp_path))
    assert pickle.loads(pickle.dumps(options)) == options
    outcome = process_file(write(tmp_path, "model.py", SIGMOID), Options(Mode.DIFF))
    assert pickle.loads(pickle.dumps(outcome)) == outcome
    # not vacuous: the outcome that crossed the pickle holds a finding and its diff
    assert outcome.result.status is FileStatus.CHANGED and outcome.result.findings
    assert b"-    h += 1\n+    h = h + 1\n" in outcome.diff


@pytest.mark.parametrize(
    ("glob", "path", "ignored"),
    [
        ("tests/*", "tests/test_a.py", True),
        ("tests/*", "src/tests_a.py", False),
        ("test_*.py", "deep/down/test_a.py", True),  # no slash: any folder, as in .gitignore
        ("/test_*.py", "deep/test_a.py", False),
        ("src/**/model.py", "src/a/b/model.py", True),
    ],
)
def test_per_file_ignores_match_relative_to_the_root(tmp_path: Path, glob: str, path: str, ignored: bool) -> None:
    options = Options(per_file_ignores=((glob, ("IP101",)),), root=str(tmp_path))
    assert ignored_codes(str(tmp_path / path), options) == (("IP101",) if ignored else ())


def test_per_file_ignores_remove_rules(tmp_path: Path) -> None:
    path = write(tmp_path, "tests/test_model.py", SIGMOID)
    options = Options(per_file_ignores=(("tests/", ("IP1",)),), root=str(tmp_path))
    assert process_file(path, options).result.findings == ()


def test_every_file_of_a_run_shares_one_project_model(tmp_path: Path) -> None:
    """The project's other files are read and modelled once per process and root, not per file."""
    from fixer.files import runner

    options = Options(Mode.PLAN, project_root=str(tmp_path), run_files=(str(tmp_path / "a.py"), str(tmp_path / "b.py")))
    first = runner.planned_with(str(tmp_path / "a.py"), options)[1]
    assert first is not None and runner.planned_with(str(tmp_path / "b.py"), options)[1] is first
