"""Following imports into the run's other files: `from .layers import Gate` in `model.py` makes
`self.gate(x)` the `Gate.forward` of `layers.py`, as it would be for a class of `model.py`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fixer.files import cache, runner, walk
from fixer.core import engine
from fixer.core.registry import select_rules
from fixer.files.runner import Mode, Options
from fixer.core.types import Severity

LAYERS = '''\
import torch
import torch.nn as nn


class Gate(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        return torch.sigmoid(self.proj(x))


def squashed(x):
    return torch.tanh(x)
'''

MODEL = '''\
import torch
import torch.nn as nn

from {source} import Gate, squashed


class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gate = Gate(d)
        self.out = nn.Linear(d, d)

    def forward(self, x):
        g = self.gate(x)
        g *= 2
        s = squashed(self.out(x))
        s.mul_(3)
        return g + s
'''

RUN = '''\
import json, sys, torch
sys.path.insert(0, sys.argv[1])
from pkg.model import Net
torch.manual_seed(0)
net = Net(4)
x = torch.randn(2, 4)
out = net(x)
try:
    out.sum().backward()
except RuntimeError as error:
    print(json.dumps({"error": str(error).split(":")[0]}))
else:
    grads = [p.grad.flatten().tolist() for p in net.parameters() if p.grad is not None]
    print(json.dumps({"out": out.flatten().tolist(), "grads": grads}))
'''


def make_project(root: Path, source: str = ".layers", layers: str = LAYERS) -> Path:
    (root / "pyproject.toml").write_text("")
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "layers.py").write_text(layers)
    (package / "model.py").write_text(MODEL.format(source=source))
    return package


def executed(root: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, str(root)], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def errors(path: Path, **changes: object) -> dict[int, str]:
    options = Options(**{"jobs": 1, **changes})  # type: ignore[arg-type]
    [outcome] = [o for o in runner.run([str(path.parent.parent)], options) if o.result.path.endswith("model.py")]
    return {f.span.start_line: f.rule_id for f in outcome.result.findings if f.severity is Severity.ERROR}


@pytest.mark.parametrize("source", [".layers", "pkg.layers", "pkg"])
def test_what_another_file_saves_makes_the_write_an_error(tmp_path: Path, source: str) -> None:
    package = make_project(tmp_path, source)
    if source == "pkg":  # re-exported by the package: `from .layers import Gate, squashed` in `__init__.py`
        (package / "__init__.py").write_text("from .layers import Gate, squashed\n")
    assert errors(package / "model.py") == {15: "IP101", 17: "IP102"}


def test_the_fixed_program_trains_and_computes_the_same(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    before = executed(tmp_path)
    assert before["error"].startswith("one of the variables needed for gradient computation")
    options = Options(Mode.FIX, unsafe_fixes=True, jobs=1)
    list(runner.run([str(tmp_path)], options))
    fixed = (package / "model.py").read_text()
    assert "g = g * 2" in fixed and "s = s.mul(3)" in fixed
    after = executed(tmp_path)
    (package / "model.py").write_text(MODEL.format(source=".layers").replace("g *= 2", "g = g * 2").replace("s.mul_(3)", "s = s * 3"))
    assert after == executed(tmp_path)  # the same numbers as the program written out of place by hand


def test_a_file_alone_in_its_folder_follows_nothing_outside_the_project(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    package = make_project(tmp_path / "inside")
    (tmp_path / "inside" / "pyproject.toml").unlink()
    (tmp_path / "other").mkdir()
    assert walk.project_root([str(package / "model.py")]) is None  # the run then reads the folder holding its paths
    assert walk.common_folder([str(package / "model.py"), str(package / "layers.py")]) == package
    (tmp_path / "inside" / ".git").mkdir()
    assert walk.project_root([str(package / "model.py"), str(package / "layers.py")]) == tmp_path / "inside"
    outside = engine.project_files(lambda path: None)  # a reader that finds nothing: the imports stay unknown
    text = (package / "model.py").read_text()
    result = engine.plan(text, str(package / "model.py"), select_rules((), ()), project=outside)
    assert not [f for f in result.findings if f.severity is Severity.ERROR] and result.depends == ()


def test_a_cached_result_is_computed_again_when_a_file_it_imports_from_changes(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    options = {"cache_dir": str(tmp_path / cache.CACHE_FOLDER)}
    assert errors(package / "model.py", **options) == {15: "IP101", 17: "IP102"}
    key, hit = cache.lookup(str(package / "model.py"), Options(jobs=1, **options))  # type: ignore[arg-type]
    assert hit is not None and [p for p, _ in hit.depends] == [str(package / "layers.py")]
    # Gate now returns the Linear's output (not saved), squashed a `+` (not saved): nothing fails
    (package / "layers.py").write_text(LAYERS.replace("torch.sigmoid(self.proj(x))", "self.proj(x)").replace("torch.tanh(x)", "x + 1"))
    assert cache.lookup(str(package / "model.py"), Options(jobs=1, **options))[1] is None  # type: ignore[arg-type]
    assert errors(package / "model.py", **options) == {}


def test_imports_in_a_cycle_and_files_that_do_not_parse_are_harmless(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    (package / "layers.py").write_text("from .model import Net\n" + LAYERS)
    assert errors(package / "model.py") == {15: "IP101", 17: "IP102"}
    (package / "layers.py").write_text(LAYERS + "\ndef broken(:\n")
    assert errors(package / "model.py") == {}


def test_a_dependency_is_named_through_a_chain_of_files(tmp_path: Path) -> None:
    package = make_project(tmp_path, layers=textwrap.dedent('''\
        import torch.nn as nn

        from .base import Gate as BaseGate
        from .base import squashed


        class Gate(BaseGate):
            pass
        '''))
    (package / "base.py").write_text(LAYERS)
    project = engine.project_files(lambda path: Path(path).read_text() if Path(path).exists() else None)
    text = (package / "model.py").read_text()
    result = engine.plan(text, str(package / "model.py"), select_rules((), ()), project=project)
    # Gate's forward is its base's, in base.py; squashed is re-exported by layers.py
    assert {f.span.start_line for f in result.findings if f.severity is Severity.ERROR} == {15, 17}
    assert [p for p, _ in result.depends] == [str(package / "base.py"), str(package / "layers.py")]


OPS = '''\
import torch


def boost(h):
    h.mul_(2)
    return h


def blend(avg, new):
    avg.mul_(0.9).add_(new, alpha=0.1)
'''

CALLERS = '''\
import torch
import torch.nn as nn

from .ops import blend, boost


class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gate = nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.avg = nn.Linear(d, d)

    def forward(self, x):
        g = boost(torch.sigmoid(self.gate(x)))
        return self.out(g)

    def update(self, other):
        with torch.no_grad():
            for a, b in zip(self.avg.parameters(), other.parameters()):
                blend(a, b)
'''


def findings_of(path: Path, **changes: object) -> dict[int, tuple[str, str]]:
    options = Options(**{"jobs": 1, **changes})  # type: ignore[arg-type]
    [outcome] = [o for o in runner.run([str(path.parent.parent)], options) if o.result.path == str(path)]
    return {f.span.start_line: (f.severity.value, f.message) for f in outcome.result.findings}


def test_a_caller_in_another_file_makes_the_write_of_a_parameter_an_error(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    (package / "ops.py").write_text(OPS)
    (package / "model.py").write_text(CALLERS)
    found = findings_of(package / "ops.py")
    assert list(found) == [5]  # `blend` runs only in `update`'s no_grad block: nothing to report
    severity, message = found[5]
    assert severity == "error" and "the call at line 15 of model.py passes" in message
    before = executed(tmp_path)
    assert before["error"].startswith("one of the variables needed for gradient computation")
    list(runner.run([str(tmp_path)], Options(Mode.FIX, unsafe_fixes=True, jobs=1)))
    assert "h = h.mul(2)" in (package / "ops.py").read_text()
    after = executed(tmp_path)
    (package / "ops.py").write_text(OPS.replace("h.mul_(2)", "h = h * 2"))
    assert after == executed(tmp_path)


def test_a_caller_with_grad_in_another_file_keeps_the_warning(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    (package / "ops.py").write_text(OPS)
    (package / "model.py").write_text(CALLERS)
    (package / "train.py").write_text("from pkg.ops import blend as mix\n\n\ndef step(a, b):\n    mix(a, b)\n")
    assert [line for line, (severity, _) in findings_of(package / "ops.py").items() if severity == "warning"] == [10]


def test_a_def_imported_by_too_many_files_is_not_followed(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    (package / "ops.py").write_text(OPS)
    (package / "model.py").write_text(CALLERS)
    for n in range(17):  # each calls it in no_grad code too, but there are too many to read
        (package / f"user{n}.py").write_text("import torch\nfrom .ops import blend\n\n\ndef f(a, b):\n"
                                             "    with torch.no_grad():\n        blend(a, b)\n")
    found = findings_of(package / "ops.py")
    assert found[5][0] == "error" and found[10][0] == "warning"


HEAD = '''\
import torch.nn as nn


class Head(nn.Module):
    def forward(self, h):
        h.mul_(2)
        return h
'''

TRAIN = '''\
import json
import sys

import torch

sys.path.insert(0, sys.argv[1])
from pkg.head import Head

torch.manual_seed(0)
head = Head()
z = torch.randn(2, 4, requires_grad=True)
out = head(torch.sigmoid(z))
try:
    out.sum().backward()
except RuntimeError as error:
    print(json.dumps({"error": str(error).split(":")[0]}))
else:
    print(json.dumps({"out": out.flatten().tolist(), "grad": z.grad.flatten().tolist()}))
'''


def test_a_script_in_another_file_that_builds_the_class_reaches_its_forward(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    (package / "head.py").write_text(HEAD)
    (tmp_path / "train.py").write_text(TRAIN)
    severity, message = findings_of(package / "head.py")[6]
    assert severity == "error" and "the call at line 12 of train.py passes" in message

    def run() -> dict:
        done = subprocess.run([sys.executable, str(tmp_path / "train.py"), str(tmp_path)], capture_output=True, text=True,
                              timeout=120, check=True)
        return json.loads(done.stdout)

    assert run()["error"].startswith("one of the variables needed for gradient computation")
    list(runner.run([str(tmp_path)], Options(Mode.FIX, unsafe_fixes=True, jobs=1)))
    assert "h = h.mul(2)" in (package / "head.py").read_text()
    after = run()
    (package / "head.py").write_text(HEAD.replace("h.mul_(2)", "h = h * 2"))
    assert after == run()


def test_the_message_names_the_file_the_chain_leads_into(tmp_path: Path) -> None:
    package = make_project(tmp_path)
    severity, message = findings_of(package / "model.py")[15]
    assert severity == "error" and "`g` is the output of `self.gate` through `torch.sigmoid` in `layers.py` (line 14)" in message
