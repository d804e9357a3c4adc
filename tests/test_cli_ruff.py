"""The command line a Ruff user expects (issue 16, items 3, 10, 11), run for real as `python -m fixer`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fixer.cli import noqa
from fixer.core.newsyntax import newer_syntax
from tests.conftest import Cli
from tests.test_cli import BOTH_RULES, CLEAN, PARAMETER, SIGMOID, findings, write

def flat(help_text: str) -> str:
    """Help text without rich's box borders and line wrapping."""
    return re.sub(r"[\s\N{BOX DRAWINGS LIGHT VERTICAL}]+", " ", help_text)


ON_311 = pytest.mark.skipif(sys.version_info >= (3, 12), reason="the syntax is valid on this Python")


# --version, -h, `.` by default, --output-format ----------------------------------------------
def test_version_prints_the_name_and_version(cli: Cli) -> None:
    for flag in ("--version", "-V"):
        done = cli(flag)
        assert done.code == 0
        assert done.stdout.startswith("outplace ") and len(done.stdout.split()) == 2


def test_short_help_is_help(cli: Cli) -> None:
    assert cli("-h").stdout == cli("--help").stdout
    short = cli("check", "-h")
    assert short.code == 0 and short.stdout == cli("check", "--help").stdout
    assert "--output-format" in short.stdout


@pytest.mark.parametrize("command", ["check", "fix", "diff", "bot", "explain", "trace"])
def test_help_has_no_typer_type_artefacts(cli: Cli, command: str) -> None:
    text = cli(command, "--help").stdout
    for artefact in ("<bool>", "<list[str]>", "<str>", "<int", "{paths}", "{code}", "()"):
        assert artefact not in text, (command, artefact)
    if command in ("check", "fix", "diff"):
        assert "[PATH]..." in text and "[default: .]" in text
        assert "[tool.outplace]" in flat(text)  # not eaten as rich markup


def test_no_path_checks_the_current_folder(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pkg/model.py", SIGMOID)
    done = cli("check")
    assert done.code == 1
    assert findings(done.lines) == [("pkg/model.py", 4, "IP101")]
    assert cli("diff").stdout.startswith("--- a/pkg/model.py")


def test_output_format_and_its_format_alias_agree(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", SIGMOID)
    long, short = cli("check", "--output-format", "json"), cli("check", "--format", "json")
    assert long.code == short.code == 1 and long.stdout == short.stdout
    assert cli("check", "--output-format", "github").stdout.startswith("::error file=model.py,line=4,")


def test_json_columns_are_1_based_like_the_text(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", SIGMOID)
    text = cli("check", "--no-cache").lines[0]
    (finding,) = json.loads(cli("check", "--output-format", "json").stdout)["findings"]
    span = finding["span"]
    assert text.startswith(f"model.py:{span['start_line']}:{span['start_col']}: ")
    sarif = json.loads(cli("check", "--output-format", "sarif").stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (span["start_col"], span["end_col"])


def test_no_python_files_found_is_a_warning(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    write(tmp_path, "docs/notes.txt", "x += 1\n")
    for command in ("check", "fix", "diff"):
        done = cli(command, "docs")
        assert done.code == 0, (command, done.stderr)
        assert "warning: No Python files found under the given path(s)" in done.stderr.splitlines()
    write(tmp_path, "docs/clean.py", CLEAN)
    assert "No Python files" not in cli("check", "docs").stderr


# rule selection and configuration ---------------------------------------------------------------
def test_extend_select_and_extend_ignore_add_to_the_selection(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", BOTH_RULES)
    rules = lambda *args: sorted({rule for _, _, rule in findings(cli("check", *args).lines)})  # noqa: E731
    assert rules("--select", "IP101") == ["IP101"]
    assert rules("--select", "IP101", "--extend-select", "IP102") == ["IP101", "IP102"]
    assert rules("--extend-select", "IP102") == ["IP101", "IP102"]  # everything was selected already
    assert rules("--extend-ignore", "IP102") == ["IP101"]
    write(tmp_path, "pyproject.toml", '[tool.outplace]\nselect = ["IP101"]\nextend-ignore = ["IP101"]\n')
    assert rules() == []
    assert rules("--extend-select", "IP102") == ["IP102"]
    assert rules("--ignore", "IP103") == ["IP101"]  # --ignore replaces ignore and extend-ignore
    bad = cli("check", "--extend-ignore", "IP999")
    assert bad.code == 2 and "unknown rule code 'IP999'" in bad.stderr


def test_config_names_the_file_to_use(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", BOTH_RULES)
    write(tmp_path, "pyproject.toml", '[tool.outplace]\nselect = ["IP101"]\n')
    write(tmp_path, "ci/outplace.toml", 'select = ["IP102"]\n')
    write(tmp_path, "ci/pyproject.toml", '[tool.outplace]\nignore = ["IP101"]\n')
    rules = lambda *args: sorted({rule for _, _, rule in findings(cli("check", *args).lines)})  # noqa: E731
    assert rules() == ["IP101"]
    assert rules("--config", "ci/outplace.toml") == ["IP102"]  # top-level keys
    assert rules("--config", "ci/pyproject.toml") == ["IP102"]  # its [tool.outplace] table
    missing = cli("check", "--config", "nowhere.toml")
    assert missing.code == 2 and missing.stderr == "error: --config nowhere.toml: no such file\n"
    write(tmp_path, "ci/other.toml", 'selec = ["IP102"]\n')
    typo = cli("check", "--config", "ci/other.toml")
    assert typo.code == 2 and "ci/other.toml: unknown key 'selec'" in typo.stderr


def test_outplace_toml_is_found_like_ruff_toml(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pkg/model.py", BOTH_RULES)
    write(tmp_path, "pyproject.toml", '[tool.outplace]\nselect = ["IP101"]\n')
    write(tmp_path, "pkg/outplace.toml", 'select = ["IP102"]\n')
    assert {rule for _, _, rule in findings(cli("check", "pkg").lines)} == {"IP102"}


def test_check_unsafe_fixes_counts_unsafe_fixes_as_available(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "a.py", SIGMOID)
    path = write(tmp_path, "b.py", PARAMETER)
    plain, counted = cli("check"), cli("check", "--unsafe-fixes")
    assert plain.lines[-1] == counted.lines[-1] == (  # the summary names the command that applies each fix
        "Found 2 findings in 2 files: 1 error (1 fixable with `outplace fix`), "
        "1 warning (1 fixable with `outplace fix --fix-warnings --unsafe-fixes`).")
    assert counted.code == 1 and path.read_text() == PARAMETER  # check applies nothing
    stats = json.loads(cli("check", "--unsafe-fixes", "--statistics", "--output-format", "json").stdout)
    assert stats == [{"code": "IP101", "name": "augmented-assignment", "count": 2, "fixable": 2}]
    assert "Count unsafe fixes as fixable in --statistics" in flat(cli("check", "--help").stdout)


# noqa: --add-noqa and the comments that silence nothing ------------------------------------------
def test_add_noqa_silences_every_finding_and_writes_only_comments(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "model.py", BOTH_RULES.replace("\n", "\r\n").replace("    g.mul_(2)", "    g.mul_(2)  # keep"))
    done = cli("check", "--add-noqa")
    assert done.code == 0 and done.stdout == ""
    assert done.stderr == "Added 2 noqa directives.\n"
    assert path.read_bytes().decode().splitlines(keepends=True)[3:6] == [
        "    h += 1  # noqa: IP101\r\n", "    g = torch.exp(y)\r\n", "    g.mul_(2)  # keep  # noqa: IP102\r\n",
    ]
    after = cli("check")
    assert after.code == 0 and after.lines == ["All checked: no findings in 1 file."]
    again = cli("check", "--add-noqa")
    assert again.code == 0 and again.stderr == "Added 0 noqa directives.\n"


def test_add_noqa_joins_an_existing_noqa_list() -> None:
    from fixer.core import engine
    from fixer.core.registry import all_rules

    text = SIGMOID.replace("h += 1", "h += 1  # noqa: E501")
    result = engine.plan(text, "m.py", all_rules())
    new, count = noqa.with_noqa(text, result.findings)
    assert count == 1 and "    h += 1  # noqa: E501, IP101\n" in new


def test_add_noqa_never_writes_inside_a_string() -> None:
    from fixer.core.types import Finding, Safety, Severity, Span

    text = 's = """a\nb"""; x += 1\ny = 1\n'
    finding = Finding("IP101", "augmented-assignment", "m.py", Span(1, 0, 2, 14), Severity.WARNING, "m", "w", None,
                      Safety.SAFE, None, "")
    new, count = noqa.with_noqa(text, [finding])
    assert count == 1 and new == 's = """a\nb"""; x += 1  # noqa: IP101\ny = 1\n'  # the last line, not the first


def test_an_unused_noqa_is_a_note_and_does_not_fail_the_run(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", CLEAN.replace("return torch.sigmoid(x) + 1", "return torch.sigmoid(x) + 1  # noqa: IP101"))
    write(tmp_path, "other.py", "x = 1  # noqa: E501\ny = 2  # noqa\nz = '# noqa: IP102'\n")  # not outplace's to judge
    done = cli("check")
    assert done.code == 0
    assert done.lines == [
        "model.py:3:34: note: unused `# noqa: IP101` (no IP101 finding on this line)",
        "All checked: no findings in 2 files.",
    ]
    data = json.loads(cli("check", "--output-format", "json").stdout)
    assert data["unused_noqa"] == [{"path": "model.py", "line": 3, "col": 34, "comment": "# noqa: IP101", "codes": ["IP101"]}]
    assert cli("check", "--select", "IP102").lines == ["All checked: no findings in 2 files."]  # IP101 did not run
    used = write(tmp_path, "model.py", SIGMOID.replace("h += 1", "h += 1  # noqa: IP101, IP102"))
    assert cli("check", str(used.name)).lines == [
        "model.py:4:13: note: unused `# noqa: IP101, IP102` (no IP102 finding on this line)",
        "All checked: no findings in 1 file.",
    ]


# --show-fixes -------------------------------------------------------------------------------------
def test_fix_show_fixes_lists_the_fixes_per_file_and_rule(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "a.py", BOTH_RULES)
    write(tmp_path, "b.py", SIGMOID)
    done = cli("fix", "--show-fixes")
    assert done.code == 0, done.stderr
    assert done.lines[:7] == [
        "Fixed 3 findings:",
        "- a.py:",
        "    1 \N{MULTIPLICATION SIGN} IP101 (augmented-assignment)",
        "    1 \N{MULTIPLICATION SIGN} IP102 (inplace-method)",
        "- b.py:",
        "    1 \N{MULTIPLICATION SIGN} IP101 (augmented-assignment)",
        "",
    ]
    assert cli("fix", "--show-fixes").lines[0] == "No fixes applied."


# item 10: syntax newer than the running Python -----------------------------------------------------
@ON_311
def test_newer_syntax_names_the_python_it_needs(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "model.py", "import torch\n\ntype Pair = tuple[torch.Tensor, torch.Tensor]\n")
    write(tmp_path, "broken.py", "x = = 1\n")
    done = cli("check")
    assert done.code == 2
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert done.stderr.splitlines() == [
        "broken.py:1: parse error: invalid syntax",
        f"model.py:3: parse error: a `type` statement (PEP 695) needs Python 3.12; outplace runs on {running}",
    ]


@pytest.mark.parametrize(("code", "needs"), [
    ("type X = int\n", "a `type` statement (PEP 695) needs Python 3.12"),
    ("def f[T](x: T) -> T:\n    return x\n", "type parameters `[T]` (PEP 695) needs Python 3.12"),
    ("class C[T]:\n    pass\n", "type parameters `[T]` (PEP 695) needs Python 3.12"),
    ("x = f'{f'{a}'}'\n", "this f-string (PEP 701: quotes, backslashes or comments inside `{}`) needs Python 3.12"),
    ("x = f\"{'\\n'.join(a)}\"\n", "this f-string (PEP 701: quotes, backslashes or comments inside `{}`) needs Python 3.12"),
    ("def f[T = int](): pass\n", "a type parameter default (PEP 696) needs Python 3.13"),
    ("x = t'{a}'\n", "a template string `t\"...\"` (PEP 750) needs Python 3.14"),
    ("try:\n    pass\nexcept A, B:\n    pass\n", "`except` with unparenthesized types (PEP 758) needs Python 3.14"),
])
def test_newer_syntax_cases(code: str, needs: str) -> None:
    assert newer_syntax(code, running=(3, 11)) == f"{needs}; outplace runs on 3.11"


@pytest.mark.parametrize("code", ["x = = 1\n", "1 = x\n", "x = f'{}'\n", "x = f'{a}'\n"])
def test_plain_syntax_errors_are_not_blamed_on_the_python_version(code: str) -> None:
    assert newer_syntax(code, running=(3, 11)) is None


def test_syntax_the_running_python_has_is_not_newer() -> None:
    assert newer_syntax("type X = int\n", running=(3, 12)) is None


# item 11: the cache lives at the project root ------------------------------------------------------
def test_cache_lives_at_the_project_root_not_in_the_package(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project, "pyproject.toml", "[project]\nname = 'demo'\n")  # no [tool.outplace]: still the root
    write(project, "src/pkg/model.py", SIGMOID)
    assert cli("check", "src/pkg", cwd=project).code == 1
    assert (project / ".outplace_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (project / "src" / "pkg" / ".outplace_cache").exists()
    assert cli("check", str(project / "src" / "pkg" / "model.py"), cwd=tmp_path).code == 1
    assert not (tmp_path / ".outplace_cache").exists()  # found upward from the path, not the cwd


def test_cache_root_is_the_git_root_else_the_current_folder(cli: Cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, "pkg/model.py", SIGMOID)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert cli("check", "pkg", cwd=repo).code == 1
    assert (repo / ".outplace_cache").is_dir() and not (repo / "pkg" / ".outplace_cache").exists()
    loose = tmp_path / "loose"
    write(loose, "pkg/model.py", SIGMOID)
    work = tmp_path / "work"
    work.mkdir()
    assert cli("check", str(loose / "pkg"), cwd=work).code == 1
    assert (work / ".outplace_cache").is_dir() and not (loose / "pkg" / ".outplace_cache").exists()
