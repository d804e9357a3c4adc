"""Jupyter notebooks through the real command: cell locations, IPython lines, byte-exact write-back."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from fixer.files import notebook
from tests.conftest import Cli

TRAIN = "x = torch.randn(3, requires_grad=True)\ny = x.sigmoid()\ny.add_(1)\n%timeit y.sum()\ny.sum().backward()"
HELPER = "def f(x):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\nf?"


def jupyter_notebook(*sources: str, language: str = "python") -> nbformat.NotebookNode:
    """A notebook as Jupyter makes it: a markdown cell, then code cells with outputs."""
    nb = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "language": language, "display_name": "Python 3"},
            "language_info": {"name": language},
        }
    )
    nb.cells = [new_markdown_cell("# Training \N{EM DASH} notes")]
    for count, source in enumerate(sources, start=1):
        out = new_output("stream", name="stdout", text=f"run {count}: \N{LATIN SMALL LETTER U WITH DIAERESIS}\n")
        nb.cells.append(new_code_cell(source, execution_count=count, outputs=[out], metadata={"tags": ["t"]}))
    return nb


def write_jupyter(path: Path, nb: nbformat.NotebookNode) -> bytes:
    nbformat.write(nb, path)
    return path.read_bytes()


def test_check_reports_cell_and_line(cli: Cli, tmp_path: Path) -> None:
    write_jupyter(tmp_path / "nb.ipynb", jupyter_notebook("import torch\n!pip install foo", TRAIN, HELPER))
    done = cli("check", "nb.ipynb")
    assert done.code == 1, done.stderr
    assert [line.split(" [")[0] for line in done.lines[:2]] == [
        "nb.ipynb:cell 3:3:1: IP102",
        "nb.ipynb:cell 4:3:5: IP101",
    ]
    # Lines the message names are cell lines too: `y` was saved by `.sigmoid()` on line 2 of cell 3.
    assert "(line 2)" in done.lines[0] and "line 3" in done.lines[0]


def test_findings_also_carry_their_place_in_the_notebooks_json(cli: Cli, tmp_path: Path) -> None:
    """`file_span`: the line and columns of the .ipynb text, escapes counted, for tools that read it as text."""
    escaped = 'import torch\nlabel = "caf\N{LATIN SMALL LETTER E WITH ACUTE} \\"q\\""\n'
    nb = jupyter_notebook("import torch", escaped + TRAIN, HELPER)
    for layout in ("lines", "one string"):
        path = tmp_path / "nb.ipynb"
        write_jupyter(path, nb)
        text = path.read_text()
        if layout == "one string":  # a notebook written by another tool: each source as one JSON string
            data = json.loads(text)
            for cell in data["cells"]:
                cell["source"] = "".join(cell["source"])
            text = json.dumps(data, indent=1)  # \u00e9 escapes: columns count the escape's characters
            path.write_text(text)
        found = json.loads(cli("check", "--format", "json", "nb.ipynb").stdout)["findings"]
        assert [f["original"] for f in found] == ["y.add_(1)", "h += 1"]
        lines = text.splitlines()
        for f in found:
            s = f["file_span"]
            raw = lines[s["start_line"] - 1][s["start_col"] - 1 : s["end_col"] - 1]  # 1-based columns, as `span`
            assert json.loads(f'"{raw}"') == f["original"], (layout, raw)


def test_folder_walk_finds_notebooks(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    write_jupyter(tmp_path / "pkg" / "explore.ipynb", jupyter_notebook("import torch", TRAIN))
    done = cli("check", ".")
    assert done.code == 1
    assert done.lines[0].startswith("pkg/explore.ipynb:cell 3:3:1: IP102")


def test_fix_changes_only_the_fixed_lines_bytes(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    before = write_jupyter(path, jupyter_notebook("import torch\n%matplotlib inline\n!pip install foo", TRAIN, HELPER))
    done = cli("fix", "nb.ipynb")
    assert done.code == 0, done.stdout + done.stderr
    after = path.read_bytes()
    expected = before.replace(b'"y.add_(1)\\n",', b'"y = y.add(1)\\n",').replace(
        b'"    h += 1\\n",', b'"    h = h + 1\\n",'
    )
    assert after == expected
    # Still exactly what Jupyter itself would write for this notebook.
    assert nbformat.writes(nbformat.reads(after.decode(), as_version=4)).encode() + b"\n" == after


def test_magic_lines_are_kept_verbatim_and_do_not_break_parsing(cli: Cli, tmp_path: Path) -> None:
    magics = "import torch\n%load_ext autoreload\nfiles = !ls\ntorch.zeros?\n!echo \\\n  continued"
    cell = "for i in range(2):\n    !echo $i\n    h = torch.sigmoid(torch.ones(2, requires_grad=True))\n    h.mul_(2)"
    path = tmp_path / "nb.ipynb"
    write_jupyter(path, jupyter_notebook(magics, "%%bash\nh.add_(1) is not python", cell))
    checked = cli("check", "nb.ipynb")
    assert checked.code == 1, checked.stderr
    assert [line.split(": ")[0] for line in checked.lines[:-1]] == ["nb.ipynb:cell 4:4:5"]
    assert cli("fix", "nb.ipynb").code == 0
    cells = nbformat.read(path, as_version=4).cells
    assert cells[1].source == magics
    assert cells[2].source == "%%bash\nh.add_(1) is not python"
    assert cells[3].source == cell.replace("h.mul_(2)", "h = h.mul(2)")


def test_untouched_notebook_is_not_rewritten(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    before = write_jupyter(path, jupyter_notebook("import torch\nx = torch.ones(2)\n%time x.sum()"))
    stamp = path.stat().st_mtime_ns
    done = cli("fix", "nb.ipynb")
    assert done.code == 0
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stamp


def test_other_layouts_keep_every_other_byte(cli: Cli, tmp_path: Path) -> None:
    """Not Jupyter's layout: two-space indent, keys unsorted, one-string sources, ASCII escapes."""
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"z": 1, "a": "\N{SNOWMAN}"},
        "cells": [
            {"cell_type": "code", "source": "import torch  # \N{SNOWMAN}\n", "metadata": {}, "outputs": [], "execution_count": None},
            {"source": TRAIN, "cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "é"}], "metadata": {}, "execution_count": 3},
        ],
    }
    text = json.dumps(nb, indent=2, ensure_ascii=True)
    path = tmp_path / "nb.ipynb"
    path.write_bytes(text.encode())
    assert cli("fix", "nb.ipynb").code == 0
    assert path.read_bytes() == text.replace("y.add_(1)", "y = y.add(1)").encode()


def test_cross_cell_tensor_is_followed(cli: Cli, tmp_path: Path) -> None:
    """A leaf made in one cell and written in a later one is found in the later cell."""
    cells = ("import torch\nx = torch.ones(2, requires_grad=True)\ny = x.sigmoid()", "y.exp_()")
    write_jupyter(tmp_path / "nb.ipynb", jupyter_notebook(*cells))
    done = cli("check", "nb.ipynb")
    assert done.lines[0].startswith("nb.ipynb:cell 3:1:1: IP102")
    assert "cell 2, line 3" in done.lines[0]  # where `.sigmoid()` saved `y`


def test_parse_error_names_the_cell(cli: Cli, tmp_path: Path) -> None:
    write_jupyter(tmp_path / "nb.ipynb", jupyter_notebook("import torch", "x = (", TRAIN))
    done = cli("check", "nb.ipynb")
    assert done.code == 2
    assert "nb.ipynb: parse error: cell 3, line 1:" in done.stderr


def test_not_a_notebook_is_an_error_not_clean(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text('{"cells": "torch"}')
    done = cli("check", "nb.ipynb")
    assert done.code == 2
    assert "nb.ipynb: parse error: not a Jupyter notebook of format 4" in done.stderr


def test_other_kernel_languages_are_skipped(cli: Cli, tmp_path: Path) -> None:
    write_jupyter(tmp_path / "nb.ipynb", jupyter_notebook("torch.ones(2).add_(1)", language="julia"))
    assert cli("check", "nb.ipynb").code == 0


def test_json_output_carries_the_cell(cli: Cli, tmp_path: Path) -> None:
    write_jupyter(tmp_path / "nb.ipynb", jupyter_notebook("import torch", TRAIN))
    finding = json.loads(cli("check", "--format", "json", "nb.ipynb").stdout)["findings"][0]
    assert (finding["cell"], finding["span"]["start_line"], finding["path"]) == (3, 3, "nb.ipynb")


def test_stdin_notebook_is_fixed_by_its_filename(cli: Cli, tmp_path: Path) -> None:
    data = nbformat.writes(jupyter_notebook("import torch", TRAIN)).encode() + b"\n"
    done = cli("fix", "-", "--stdin-filename", "nb.ipynb", stdin=data)
    assert done.stdout_bytes == data.replace(b'"y.add_(1)\\n",', b'"y = y.add(1)\\n",')


def test_joined_cells_split_back_to_the_same_sources() -> None:
    sources = ["import torch\n%time 1", None, "", "x = 1\n", "%%bash\necho", "a?\nb = 2"]
    joined = notebook.join_cells(sources)
    assert notebook.split_cells(joined.text, joined, len(sources)) == [
        "import torch\n%time 1", None, "", "x = 1\n", None, "a?\nb = 2"
    ]


def test_a_reverted_fix_keeps_the_cells_and_the_other_fixes() -> None:
    from fixer.core import engine
    from tests.test_engine import RULES, TOUCHED, BrokenRule

    text = nbformat.writes(new_notebook(cells=[new_code_cell(TOUCHED)]))
    result = notebook.process(text, "n.ipynb", lambda code: engine.fix(code, "n.ipynb", [*RULES, BrokenRule], lambda f: True))
    assert result.error is not None and result.error.message.startswith("cell 1, line 6: the fixed code does not parse")
    (cell,) = nbformat.reads(result.new_text, as_version=4).cells
    assert cell.source == TOUCHED.replace("h += 1", "h = h + 1").replace("h.mul_(2)", "h = h.mul(2)")
