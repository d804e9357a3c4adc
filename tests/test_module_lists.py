"""ModuleList and ModuleDict elements, and modules chosen by an `__init__` flag: `self.convs[i](x)`
and `conv` drawn from `self.convs` run the module every element is; a list of their outputs
written in place is an error when that module saves its output. Each snippet also runs under
torch: the code flagged `error` really fails at backward, the code left a warning does not."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest

from fixer.core import engine, registry
from fixer.analysis.modules import class_table, module_called
from fixer.analysis.regions import collect_imports
from fixer.analysis.scope import FactsCollector
from fixer.analysis.tables import torch_tables
from fixer.core.types import Severity
from tests.test_project import errors, fails_at_backward

CONV_MODULE = """
import torch
from torch import nn


class ConvModule(nn.Module):
    def __init__(self, cin, cout, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1)
        self.activate = nn.ReLU() if act else nn.Identity()

    def forward(self, x):
        return self.activate(self.conv(x))
"""

PAFPN = CONV_MODULE + """

class Neck(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.lateral = nn.ModuleList([ConvModule(c, 2) for c in channels])
        self.fpn = nn.ModuleList([ConvModule(2, 2), ConvModule(2, 2)])

    def forward(self, feats):
        laterals = [conv(feats[i]) for i, conv in enumerate(self.lateral)]
        laterals[0] += laterals[1]
        outs = [self.fpn[i](laterals[i]) for i in range(2)]
        outs[1] += outs[0]
        return laterals[0] + outs[1]


def run():
    return Neck([3, 4])([torch.randn(1, 3, 4, 4), torch.randn(1, 4, 4, 4)])
"""


def test_a_list_of_module_outputs_saved_by_their_relu_is_an_error() -> None:
    found = errors(PAFPN)
    assert sorted(found) == [24, 26]
    assert "`laterals[0]` holds the output of `conv` (a `ConvModule`, line 23), whose `self.activate`, a `nn.ReLU`" in found[24]
    assert "`outs[1]` holds the output of `self.fpn[i]` (a `ConvModule`, line 25)" in found[26]
    assert fails_at_backward(PAFPN, "run()")


def test_the_flag_is_read_from_every_call_building_the_class() -> None:
    tree = ast.parse(textwrap.dedent(PAFPN))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    table = class_table(classes, {"nn": "torch.nn", "torch": "torch"}, torch_tables().inplace_params, tree)
    assert table["ConvModule"].submodules["activate"].callee == "torch.nn.ReLU"
    lateral = table["Neck"].submodules["lateral"]
    assert lateral.element is not None and lateral.element.callee == "ConvModule"


def _activate(source: str) -> str | None:
    tree = ast.parse(textwrap.dedent(source))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    table = class_table(classes, {"nn": "torch.nn", "torch": "torch"}, torch_tables().inplace_params, tree)
    spec = table["ConvModule"].submodules.get("activate")
    return spec.callee if spec is not None else None


def test_a_flag_passed_by_a_variable_or_differing_leaves_the_module_unknown() -> None:
    by_variable = PAFPN.replace("ConvModule(c, 2)", "ConvModule(c, 2, act=len(channels) > 1)")
    assert _activate(by_variable) is None
    assert 24 not in errors(by_variable)  # still a warning: which module runs is unknown
    mixed = PAFPN.replace("ConvModule(2, 2), ConvModule(2, 2)", "ConvModule(2, 2), ConvModule(2, 2, False)")
    assert _activate(mixed) is None
    handed_on = PAFPN + "\nfactory = ConvModule\n"
    assert _activate(handed_on) is None  # built where the file does not show
    off = PAFPN.replace("ConvModule(c, 2)", "ConvModule(c, 2, act=False)").replace(
        "ConvModule(2, 2), ConvModule(2, 2)", "ConvModule(2, 2, False), ConvModule(2, 2, act=False)")
    assert _activate(off) == "torch.nn.Identity"
    assert errors(off) == {}
    assert not fails_at_backward(off, "run()")


CONV_BN = """
import torch
from torch import nn


class Head(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.convs = nn.ModuleList([nn.Sequential(nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2)) for _ in range(n)])

    def forward(self, x):
        outs = [conv(x) for conv in self.convs]
        outs[0] += outs[1]
        return outs[0]


def run():
    return Head(2)(torch.randn(2, 2, 3, 3))
"""


def test_modules_that_save_no_output_leave_a_warning() -> None:
    found = engine.plan(textwrap.dedent(CONV_BN), "t.py", registry.all_rules()).findings
    assert [(f.span.start_line, f.severity) for f in found] == [(13, Severity.WARNING)]
    assert not fails_at_backward(CONV_BN, "run()")


REPLACED = CONV_MODULE + """

class Neck(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([ConvModule(2, 2) for _ in range(2)])

    def forward(self, x):
        outs = [conv(x) for conv in self.convs]
        outs[0] = outs[0] * 2
        outs[0] += outs[1]
        return outs[0]


def run():
    return Neck()(torch.randn(1, 2, 3, 3))
"""


def test_an_element_replaced_before_the_write_leaves_a_warning() -> None:
    assert errors(REPLACED) == {}
    assert not fails_at_backward(REPLACED, "run()")


SIGMOIDS = """
import torch
from torch import nn


class Gates(nn.Module):
    def __init__(self):
        super().__init__()
        self.gates = nn.ModuleDict({"a": nn.Sigmoid(), "b": nn.Sigmoid()})
        self.acts = nn.ModuleList(nn.Sigmoid() for _ in range(2))

    def forward(self, x):
        y = self.acts[0](x)
        y += 1
        gated = [gate(x) for gate in self.gates.values()]
        gated[0] *= 2
        return y + gated[0]


def run():
    return Gates()(torch.randn(3, requires_grad=True))
"""


def test_elements_of_a_module_dict_and_a_generator_built_list() -> None:
    found = errors(SIGMOIDS)
    assert sorted(found) == [14, 16]
    assert "`self.acts[0]`, a `nn.Sigmoid`" in found[14]
    assert "`gated[0]` holds the output of `gate` (a `nn.Sigmoid`" in found[16]
    assert fails_at_backward(SIGMOIDS, "run()")
    assert fails_at_backward(SIGMOIDS.replace("y += 1", "y = y + 1"), "run()")
    assert not fails_at_backward(SIGMOIDS.replace("y += 1", "y = y + 1").replace("gated[0] *= 2", "gated[0] = gated[0] * 2"), "run()")


def test_modules_built_differently_have_no_element() -> None:
    source = "from torch import nn\nclass M(nn.Module):\n    def __init__(self):\n        self.m = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])\n"
    tree = ast.parse(source)
    table = class_table([tree.body[1]], {"nn": "torch.nn"}, torch_tables().inplace_params, tree)  # type: ignore[list-item]
    assert table["M"].submodules["m"].element is None


LOOPS = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(3, 3), nn.Sigmoid()) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 3), "b": nn.Linear(3, 3)})

    def forward(self, x, feats):
        for blk in self.blocks:
            x = blk(x)
        for i, (blk2, f) in enumerate(zip(self.blocks, feats)):
            x = blk2(f)
        for key, head in self.heads.items():
            x = head(x)
        for other in (self.blocks[0], self.heads["a"]):
            x = other(x)
        return x
"""


def test_names_drawn_from_a_module_list_run_its_element() -> None:
    source = textwrap.dedent(LOOPS)
    tree = ast.parse(source)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    table = class_table(classes, collect_imports(tree), torch_tables().inplace_params, tree)
    collector = FactsCollector(collect_imports(tree), classes=table)
    calls: list[cst.Call] = []

    class Calls(cst.BatchableCSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name):
                calls.append(node)

    cst.visit_batched(cst.parse_module(source), [collector, Calls()])
    found = {c.func.value: module_called(c.func, collector.facts.scope(c)) for c in calls  # type: ignore[attr-defined]
             if c.func.value not in ("enumerate", "zip", "range", "super")}  # type: ignore[attr-defined]
    assert {k: v.callee if v else None for k, v in found.items()} == {
        "blk": "torch.nn.Sequential", "blk2": "torch.nn.Sequential", "head": "torch.nn.Linear", "other": None}


ACT_DEFAULT = """
import torch.nn as nn


class Conv(nn.Module):
    def __init__(self, d, act=nn.ReLU()):
        super().__init__()
        self.lin = nn.Linear(d, d)
        self.act = act

    def forward(self, x):
        out = self.lin(x)
        if self.act is not None:
            out = self.act(out)
        return out
"""


@pytest.mark.parametrize("built, held", [
    ("", "torch.nn.ReLU"),  # no construction in the file: the default
    ("layers = [Conv(4), Conv(4, act=None)]", "torch.nn.ReLU"),  # None leaves no module to call
    ("layers = [Conv(4), Conv(4, nn.GELU())]", None),  # another module passed: unknown
    ("layers = [Conv(4, act=nn.GELU())]", None),
    ("layers = [Conv(4, **cfg)]", None),  # may pass anything
])
def test_an_attribute_set_from_a_parameter_holds_its_default_module(built: str, held: str | None) -> None:
    tree = ast.parse(textwrap.dedent(ACT_DEFAULT) + "\n" + built + "\n")
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    spec = class_table(classes, {"nn": "torch.nn"}, torch_tables().inplace_params, tree)["Conv"].submodules.get("act")
    assert (spec.callee if spec is not None else None) == held
