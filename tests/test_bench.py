"""bench/bench.py's plumbing on a tiny fake corpus: arguments, the table, results.md (no timing asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("outplace_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["outplace_bench"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def fake_corpus(root: Path) -> Path:
    files = {
        "pkg-1.0/pkg/model.py": "import torch\n\ndef f(x):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\n",
        "pkg-1.0/pkg/clean.py": "def g(a):\n    return a + 1\n",
        "pkg-1.0/pkg/broken.py": "def (:\n",
    }
    for name, text in files.items():
        (root / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "src" / name).write_text(text)
    (root / "files.txt").write_text("\n".join(sorted(files)) + "\n")
    return root


def test_arguments(bench):
    args = bench.parse_args(["--quick", "--rounds", "2", "--no-torchfix"])
    assert (args.quick, args.rounds, args.no_torchfix, args.label) == (True, 2, True, "quick")
    assert bench.parse_args([]).label == "latest"
    with pytest.raises(SystemExit):
        bench.parse_args(["--rounds", "0"])


def test_table_ratios_and_spread(bench):
    bare = bench.Task(bench.BARE, 10, samples=[bench.Sample(2.0, 10.0, 50), bench.Sample(2.2, 12.0, 60)])
    check = bench.Task("outplace check -j1", 10, samples=[bench.Sample(1.0, 5.0, 70), bench.Sample(1.0, 3.0, 80)])
    one = bench.Task("outplace check one file", 1, against="", samples=[bench.Sample(0.3, 0.2, 40)] * 2)
    table = bench.render([bare, check, one])
    assert "| outplace check -j1 | 10 | 1.00 (1.00-1.00) | 4.00 (3.00-5.00) | 80 | 0.38 (0.25-0.50) |" in table
    assert "| outplace check one file | 1 |" in table and table.count("| - |") == 2  # no ratio for bare nor one file
    assert "- one-file run: 0.30 (0.30-0.30) s wall" in table


def test_results_sections_are_replaced_by_label(bench, tmp_path):
    out = tmp_path / "results.md"
    bench.write_results(out, "before", "old before")
    bench.write_results(out, "after", "the after")
    bench.write_results(out, "before", "new before")
    text = out.read_text()
    assert "new before" in text and "the after" in text and "old before" not in text
    assert text.index("new before") < text.index("the after")


def test_parse_yardstick_counts_failures(bench, tmp_path, capfd):
    corpus = fake_corpus(tmp_path)
    bench.parse_files(str(corpus / "files.txt"), str(corpus / "src"))
    assert capfd.readouterr().out == "1 files failed to parse\n"


def test_one_round_end_to_end(bench, tmp_path):
    """One round without TorchFix on the fake corpus: every task runs, fix converges, results.md is written."""
    corpus = fake_corpus(tmp_path / "corpus")
    out = tmp_path / "results.md"
    argv = ["--corpus", str(corpus), "--work", str(tmp_path / "work"), "--rounds", "1", "--no-torchfix",
            "--output", str(out), "--label", "fake"]  # fmt: skip
    bench.main(argv)
    text = out.read_text()
    for task in ("libcst parse", "outplace check -j1", "outplace diff", "outplace fix again (no-op)",
                 "outplace check one file", "outplace check, writing the cache", "outplace check re-run with cache"):
        assert f"| {task}" in text
    assert "- check re-run with cache:" in text and not (corpus / "src" / ".outplace_cache").exists()
    assert "<!-- bench:fake -->" in text and "- machine:" in text and "libcst 1." in text


def test_long_function_is_the_split_lines_in_one_function(tmp_path):
    """bench/long_function.py: the same statements, once in one `forward` and once in ~200-line methods."""
    import ast

    spec = importlib.util.spec_from_file_location("outplace_long_function", BENCH.parent / "long_function.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    groups = module.body_groups(1000)
    one, split = ast.parse(module.one_function(groups)), ast.parse(module.split_functions(groups))

    def bodies(tree):
        methods = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("forward")]
        return [ast.dump(s) for m in methods for s in m.body[:-1]], [m.end_lineno - m.lineno for m in methods]

    one_body, one_lengths = bodies(one)
    split_body, split_lengths = bodies(split)
    assert one_body == split_body and one_lengths[0] >= 1000
    assert len(split_lengths) == 5 and all(195 <= n <= 215 for n in split_lengths[:-1])
    assert module.main(["--lines", "300", "--write", str(tmp_path)]) is None
    assert (tmp_path / "one_300.py").is_file() and (tmp_path / "split_300.py").is_file()


def test_lsp_latency_plumbing(tmp_path):
    """bench/lsp_latency.py on a two-class fake timm: a model file built, a server edited, check timed (no timing asserted)."""
    import subprocess

    models = tmp_path / "timm" / "timm" / "models"
    models.mkdir(parents=True)
    (models / "a.py").write_text("import torch\n\n\nclass A(torch.nn.Module):\n    def forward(self, x):\n        return x\n")
    (models / "b.py").write_text("def b(x):\n    return x\n\n\nclass B:\n    pass\n")
    script = BENCH.parent / "lsp_latency.py"
    done = subprocess.run(
        [sys.executable, str(script), "--corpus", str(tmp_path / "timm"), "--lines", "20", "--edits", "2", "--pause", "0.35",
         "--check-runs", "1"], capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "server, edit -> diagnostics, warm: median" in done.stdout
    assert "(diagnostics per version: [0, 1])" in done.stdout  # the inserted function's write, then none
    assert "outplace check FILE (whole process): median" in done.stdout
