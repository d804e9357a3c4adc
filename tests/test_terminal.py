"""Colour, the progress bar and --quiet, with the command's streams on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.test_formats import RISKY

ESC = b"\x1b["


def run_on_terminal(tmp_path: Path, *args: str, terminal: str = "stdout", env: dict[str, str] | None = None) -> tuple[bytes, bytes, int]:
    """Run outplace with `terminal` ("stdout" or "stderr") on a pty; (that stream, the other, exit code)."""
    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update({"TERM": "xterm-256color", "COLUMNS": "120", **(env or {})})
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, terminal: follower}
    done = subprocess.Popen(
        [sys.executable, "-m", "fixer", *args], cwd=tmp_path, env=environ, stdin=subprocess.DEVNULL, **streams
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty closes when the command exits
            break
        if not chunk:
            break
        seen += chunk
    other = (done.stderr if terminal == "stdout" else done.stdout).read()  # type: ignore[union-attr]
    code = done.wait(timeout=120)
    os.close(leader)
    return seen, other, code


def test_colour_on_a_terminal_only(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    coloured, _, code = run_on_terminal(tmp_path, "check", "model.py")
    assert code == 1 and ESC in coloured and b"IP101" in coloured
    for args, env in ((("--no-color",), None), ((), {"NO_COLOR": "1"})):
        plain, _, code = run_on_terminal(tmp_path, "check", *args, "model.py", env=env)
        assert code == 1 and ESC not in plain and b"model.py:6:5: IP101" in plain
    piped = subprocess.run([sys.executable, "-m", "fixer", "check", "model.py"], cwd=tmp_path, capture_output=True)
    assert ESC not in piped.stdout


def test_progress_bar_on_a_terminal_for_long_runs(tmp_path: Path) -> None:
    for i in range(25):
        (tmp_path / f"m{i:02}.py").write_text(RISKY)
    bar, stdout, code = run_on_terminal(tmp_path, "check", "-j", "1", ".", terminal="stderr")
    assert code == 1
    assert b"25/25" in bar and b"outplace" in bar  # the bar's last state before it is erased
    assert ESC not in stdout and stdout.count(b"IP101") == 25  # the report itself is untouched
    quiet, stdout, code = run_on_terminal(tmp_path, "check", "-q", ".", terminal="stderr")
    assert quiet == b"" and code == 1
    assert b"Found" not in stdout and stdout.count(b"IP101") == 25  # --quiet: findings, no summary


def test_no_bar_for_short_runs_or_pipes(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    bar, _, _ = run_on_terminal(tmp_path, "check", ".", terminal="stderr")
    assert b"/1" not in bar and b"files" not in bar
    for i in range(25):
        (tmp_path / f"m{i:02}.py").write_text(RISKY)
    piped = subprocess.run([sys.executable, "-m", "fixer", "check", "."], cwd=tmp_path, capture_output=True)
    assert b"26/26" not in piped.stderr and piped.stderr == b""


def test_quiet_fix_and_diff_print_no_summary(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    diff = subprocess.run([sys.executable, "-m", "fixer", "diff", "-q", "model.py"], cwd=tmp_path, capture_output=True)
    assert diff.returncode == 1 and diff.stdout.startswith(b"--- a/model.py") and diff.stderr == b""
    fix = subprocess.run([sys.executable, "-m", "fixer", "fix", "-q", "model.py"], cwd=tmp_path, capture_output=True)
    assert fix.returncode == 0 and fix.stdout == b"" and fix.stderr == b""
    assert "h = h + 1" in (tmp_path / "model.py").read_text()
