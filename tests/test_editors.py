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


def test_vscode_problem_matcher_leaves_notebook_cells_to_the_terminal(cli: Cli, tmp_path: Path) -> None:
    """`nb.ipynb:cell 3:2:5` is not a line of a file VS Code could open: the matcher must not take `nb.ipynb:cell 3` for a path."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(metadata={"language_info": {"name": "python"}})
    nb.cells = [new_code_cell("import torch\nx = torch.ones(2, requires_grad=True)\ny = x.sigmoid()\ny.exp_()")]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    (tmp_path / "model.py").write_text(RISKY)
    pattern = vscode_tasks()["tasks"][0]["problemMatcher"]["pattern"]  # type: ignore[index]
    done = cli("check", "--no-color", ".")
    cell_lines = [line for line in done.lines if line.startswith("nb.ipynb:cell 1:4:1: IP102 [")]
    assert len(cell_lines) == 1
    assert re.match(pattern["regexp"], cell_lines[0]) is None
    assert [line for line in done.lines if re.match(pattern["regexp"], line)] == [
        line for line in done.lines if line.startswith("model.py:")
    ]


def server_commands() -> dict[str, list[str]]:
    """The command each LSP recipe in `editors/` starts the server with."""
    import tomllib

    helix = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text())["language-server"]["outplace"]
    lua = (EDITORS / "nvim" / "outplace-lsp.lua").read_text()
    nvim = re.search(r"cmd = \{ ([^}]*) \}", lua).group(1)  # type: ignore[union-attr]
    js = (EDITORS / "vscode" / "outplace-lsp" / "extension.js").read_text()
    vscode_args = re.search(r"args: \[([^\]]*)\]", js).group(1)  # type: ignore[union-attr]
    vscode_command = json.loads((EDITORS / "vscode" / "outplace-lsp" / "package.json").read_text())[
        "contributes"]["configuration"]["properties"]["outplace.path"]["default"]
    return {
        "helix": [helix["command"], *helix["args"]],
        "nvim": json.loads(f"[{nvim}]"),
        "vscode": [vscode_command, *json.loads(f"[{vscode_args}]")],
    }


def lsp_session(command: list[str], messages: list[dict[str, object]]) -> list[dict[str, object]]:
    """Run `command` (with `outplace` as this checkout's `python -m fixer`), send `messages`, read every reply."""
    import os
    import subprocess
    import sys

    assert command[0] == "outplace"
    data = b""
    for message in messages:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        data += b"Content-Length: %d\r\n\r\n" % len(body) + body
    env = {**os.environ, "PYTHONPATH": str(EDITORS.parent)}
    done = subprocess.run([sys.executable, "-m", "fixer", *command[1:]], input=data, capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    replies, rest = [], done.stdout
    while rest:
        head, _, rest = rest.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
        replies.append(json.loads(rest[:length]))
        rest = rest[length:]
    return replies


def test_lsp_recipes_start_the_server_that_answers_with_the_actions_they_use(tmp_path: Path) -> None:
    commands = server_commands()
    assert set(map(tuple, commands.values())) == {("outplace", "server")}
    lua = (EDITORS / "nvim" / "outplace-lsp.lua").read_text()
    assert '"source.fixAll.outplace"' in lua
    assert '"source.fixAll.outplace"' in (EDITORS / "vscode" / "outplace-lsp" / "README.md").read_text()
    model = tmp_path / "model.py"
    model.write_text(RISKY)
    replies = lsp_session(commands["helix"], [
        {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": model.as_uri(), "languageId": "python", "version": 1, "text": RISKY}}},
        {"id": 2, "method": "shutdown"},
        {"method": "exit"},
    ])
    capabilities = next(r for r in replies if r.get("id") == 1)["result"]["capabilities"]  # type: ignore[index]
    assert "source.fixAll.outplace" in capabilities["codeActionProvider"]["codeActionKinds"]
    assert capabilities["hoverProvider"]
    published = next(r for r in replies if r.get("method") == "textDocument/publishDiagnostics")["params"]  # type: ignore[index]
    assert [d["code"] for d in published["diagnostics"]] == ["IP101", "IP102"]
