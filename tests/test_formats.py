"""`check --format sarif|github` and `--statistics` through the real command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from fixer.cli import formats
from tests.conftest import Cli

SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"
RISKY = "import torch\n\n\ndef f(x):\n    h = torch.sigmoid(x)\n    h += 1\n    h.mul_(2)\n    return h\n"
# GitHub's workflow-command syntax: `::level prop=value,...::message`, values and message escaped.
ANNOTATION = re.compile(
    r"::(?P<level>error|warning|notice) (?P<props>file=[^,:\r\n]*(?:,(?:line|endLine|col|endColumn|title)=[^,:\r\n]*)*)"
    r"::(?P<message>[^\r\n]*)"
)


def project(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    (tmp_path / "broken.py").write_text("import torch\nx = (\nx += 1\n")
    nb = new_notebook(metadata={"language_info": {"name": "python"}})
    nb.cells = [new_code_cell("import torch\n%time 1"), new_code_cell("x = torch.ones(2, requires_grad=True)\ny = x.sigmoid()\ny.exp_()")]
    nbformat.write(nb, tmp_path / "nb.ipynb")


def test_sarif_validates_against_the_2_1_0_schema(cli: Cli, tmp_path: Path) -> None:
    project(tmp_path)
    done = cli("check", "--format", "sarif", ".")
    assert done.code == 2  # broken.py could not be parsed
    log = json.loads(done.stdout)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {"IP101", "IP102"} <= set(rules)
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results] == [
        ("IP101", "model.py"), ("IP102", "model.py"), ("IP102", "nb.ipynb"),
    ]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    cell = results[2]
    assert cell["properties"]["cell"] == 2 and cell["message"]["text"].startswith("cell 2, line 3: ")
    # The region is the notebook's own text, where a viewer that opens the file lands: `"y.exp_()"` in the JSON.
    region = cell["locations"][0]["physicalLocation"]["region"]
    line = (tmp_path / "nb.ipynb").read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "y.exp_()" and "fixes" not in cell
    assert run["invocations"][0]["executionSuccessful"] is False
    notice = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


def test_sarif_fixes_applied_give_what_fix_writes(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    log = json.loads(cli("check", "--format", "sarif", "model.py").stdout)
    lines = RISKY.splitlines(keepends=True)
    replacements = [
        rep
        for result in log["runs"][0]["results"]
        for fix in result["fixes"]
        for change in fix["artifactChanges"]
        for rep in change["replacements"]
    ]
    assert len(replacements) == 2
    for rep in sorted(replacements, key=lambda r: (r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]), reverse=True):
        region = rep["deletedRegion"]
        assert region["startLine"] == region["endLine"]
        line = lines[region["startLine"] - 1]
        lines[region["startLine"] - 1] = (
            line[: region["startColumn"] - 1] + rep["insertedContent"]["text"] + line[region["endColumn"] - 1 :]
        )
    assert cli("fix", "model.py").code == 0
    assert "".join(lines) == (tmp_path / "model.py").read_text()


def test_github_annotations_match_the_workflow_command_syntax(cli: Cli, tmp_path: Path) -> None:
    project(tmp_path)
    done = cli("check", "--format", "github", ".")
    assert done.code == 2
    lines = done.stdout.splitlines()
    assert lines and all(ANNOTATION.fullmatch(line) for line in lines), lines
    findings = json.loads(cli("check", "--format", "json", ".").stdout)["findings"]
    expected = ["::error file=broken.py,line=2,title=outplace parse error::'(' was never closed"]
    for f in findings:
        s, level, rule = f["span"], f["severity"], f"title=outplace {f['rule_id']} ({f['rule_name']})"
        fix = f"(fix: {'none' if f['safety'] == 'display-only' else f['safety']})"
        at = f["file_span"] or s  # a notebook's finding: its line in the .ipynb text, which GitHub shows
        where = f"line={at['start_line']},endLine={at['end_line']},col={at['start_col']},endColumn={at['end_col']}"  # JSON columns are 1-based too
        if f["cell"] is None:
            expected.append(f"::{level} file={f['path']},{where},{rule}::{f['message']} {fix}")
        else:
            expected.append(f"::{level} file={f['path']},{where},{rule}::cell {f['cell']}, line {s['start_line']}: {f['message']} {fix}")
    assert lines == expected
    assert [line.split(",")[0].split(" ")[1] for line in lines] == [
        "file=broken.py", "file=model.py", "file=model.py", "file=nb.ipynb"
    ]
    assert "Found 3 findings" in done.stderr


def test_github_escaping_follows_the_toolkit(cli: Cli, tmp_path: Path) -> None:
    name = "we,ird:100%.py"
    (tmp_path / name).write_text(RISKY)
    first = cli("check", "--format", "github", name).stdout.splitlines()[0]
    assert re.match(r"::(error|warning) file=we%2Cird%3A100%25.py,line=6,", first)
    assert ANNOTATION.fullmatch(first)
    assert formats.escape_data("50%\r\ndone") == "50%25%0D%0Adone"
    assert formats.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_statistics_count_per_rule(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(RISKY)
    (tmp_path / "more.py").write_text(RISKY.replace("h.mul_(2)", "h.mul(2)"))
    done = cli("check", "--statistics", ".")
    assert done.code == 1
    assert done.lines == ["2  IP101  augmented-assignment  (2 fixable)", "1  IP102  inplace-method  (1 fixable)"]
    rows = json.loads(cli("check", "--statistics", "--format", "json", ".").stdout)
    assert rows == [
        {"code": "IP101", "name": "augmented-assignment", "count": 2, "fixable": 2},
        {"code": "IP102", "name": "inplace-method", "count": 1, "fixable": 1},
    ]
