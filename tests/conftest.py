"""Shared fixtures: running the real command line as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout_bytes: bytes
    stderr: str

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", errors="replace")

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


Cli = Callable[..., CliResult]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`cli("check", ".", cwd=..., stdin=b"...")` runs `python -m fixer` (default cwd: tmp_path)."""

    def run(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> CliResult:
        env = {**os.environ, "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "fixer", *args],
            cwd=cwd or tmp_path,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=env,
            timeout=120,
        )
        return CliResult(done.returncode, done.stdout, done.stderr.decode("utf-8", errors="replace"))

    return run
