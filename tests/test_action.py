"""The composite GitHub Action in `action.yml`: its run step executed with bash as a runner would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.test_formats import ANNOTATION, RISKY

ACTION = Path(__file__).resolve().parent.parent / "action.yml"


def step(name: str) -> dict[str, object]:
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    (found,) = [s for s in action["runs"]["steps"] if s.get("name") == name]
    return found


def run_step(tmp_path: Path, bin_dir: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The `Run outplace` step's script, with the inputs in its env as GitHub passes them."""
    script = step("Run outplace")
    env = {**os.environ, "NO_COLOR": "1", "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.update({f"OUTPLACE_{key.upper()}": value for key, value in inputs.items()})
    env.setdefault("OUTPLACE_ARGS", "")
    return subprocess.run(
        ["bash", "-e", "-c", str(script["run"])], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_mode_annotates_and_fails(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    done = run_step(tmp_path, Path(sys.executable).parent, mode="check", paths=".", args="--select IP101")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and ANNOTATION.fullmatch(lines[0])
    assert re.match(r"::(error|warning) file=model.py,line=6,", lines[0])


def test_bot_mode_runs_outplace_bot_with_the_inputs(tmp_path: Path) -> None:
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "outplace").write_text('#!/bin/sh\necho "outplace $* token=$OUTPLACE_TOKEN"\n')
    (stub / "outplace").chmod(0o755)
    done = run_step(tmp_path, stub, mode="bot", paths="src tests", args="--label autograd", token="t0k")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "outplace bot --label autograd src tests token=t0k\n"


def test_unknown_mode_is_an_error_annotation(tmp_path: Path) -> None:
    done = run_step(tmp_path, Path(sys.executable).parent, mode="lint", paths=".")
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=outplace action::mode must be check or bot")


def test_inputs_reach_the_script_only_through_the_environment() -> None:
    run = str(step("Run outplace")["run"])
    assert "${{" not in run  # an input pasted into the script could inject shell code
    install = step("Install outplace")
    assert "${{" not in str(install["run"])
