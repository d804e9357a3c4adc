"""The editor recipes in `editors/` against the real command's output."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import Cli
from tests.test_formats import RISKY

EDITORS = Path(__file__).resolve().parent.parent / "editors"


def vscode_tasks() -> dict[str, object]:
    text = (EDITORS / "vscode" / "tasks.json").read_text()
    return json.loads("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")))  # JSONC


def test_vscode_problem_matcher_reads_every_finding(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text(RISKY)
    task = vscode_tasks()["tasks"][0]  # type: ignore[index]
    pattern = task["problemMatcher"]["pattern"]
    done = cli(*task["command"].split()[1:])
    findings = [line for line in done.lines if not line.startswith("Found ")]
    assert len(findings) == 2
    for line in findings:
        match = re.match(pattern["regexp"], line)
        assert match, line
        assert match.group(pattern["file"]) == "pkg/model.py"
        assert match.group(pattern["code"]) in ("IP101", "IP102")
        assert match.group(pattern["severity"]) in ("error", "warning")
    assert [re.match(pattern["regexp"], line).group(pattern["line"]) for line in findings] == ["6", "7"]  # type: ignore[union-attr]


def test_nvim_lint_parser_reads_fields_the_json_has(cli: Cli) -> None:
    """Every `f.x` / `f.span.x` the nvim-lint parser reads is in `check --format json -` output."""
    lua = (EDITORS / "nvim" / "outplace.lua").read_text()
    done = cli("check", "--format", "json", "--stdin-filename", "model.py", "-", stdin=RISKY.encode())
    assert done.code == 1
    finding = json.loads(done.stdout)["findings"][0]
    used = set(re.findall(r"\bf\.(\w+)(?:\.(\w+))?", lua))
    assert {("span", "start_line"), ("rule_id", ""), ("severity", "")} <= used
    for field, sub in used:
        assert field in finding, field
        if sub:
            assert sub in finding[field], (field, sub)
    assert finding["path"] == "model.py" and finding["span"]["start_line"] == 6


def test_conform_fix_over_stdin_prints_the_whole_buffer(cli: Cli) -> None:
    assert '"fix", "--stdin-filename", "$FILENAME", "-"' in (EDITORS / "nvim" / "outplace.lua").read_text()
    done = cli("fix", "--stdin-filename", "model.py", "-", stdin=RISKY.encode())
    assert done.code == 0  # in the recipe's exit_codes
    assert done.stdout == RISKY.replace("h += 1", "h = h + 1").replace("h.mul_(2)", "h = h.mul(2)")
    clean = cli("fix", "--stdin-filename", "model.py", "-", stdin=b"import torch\n")
    assert clean.code == 0 and clean.stdout == "import torch\n"
