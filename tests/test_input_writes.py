"""Modules that write their caller's tensor (fixer/analysis/input_writes.py), and the facts they use."""

from __future__ import annotations

import ast
import textwrap

from fixer.analysis.input_writes import leaf_feed, parent_feeds, passes_input
from fixer.analysis.modules import Submodule, call_effect
from fixer.analysis.regions import scan
from fixer.analysis.tables import torch_tables
from fixer.core.engine import _model

SOURCE = textwrap.dedent('''
    import torch
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.ReLU(inplace=True)
            self.conv = nn.Conv2d(3, 3, 1)
            self.weight = nn.Parameter(torch.ones(3))

        def forward(self, x):
            x = self.act(x)
            with torch.no_grad():
                self.act(self.weight)
            return self.conv(x)

    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()

        def forward(self, x):
            return self.block(x)

    class Unit(nn.Module):
        def __init__(self):
            super().__init__()
            self.shortcut = nn.Conv2d(3, 3, 1)
            self.body = nn.Sequential(Wrapper(), nn.Conv2d(3, 3, 1))

        def forward(self, x):
            skip = self.shortcut(x)
            return self.body(x) + skip
''')


def model():
    tree = ast.parse(SOURCE)
    file = scan(tree, (), lambda node, facts: False)[0]
    return _model(tree, SOURCE.splitlines(keepends=True), file)


def test_forward_handing_its_input_to_a_submodule():
    file = model()
    handover = passes_input(file, "Block", "act")
    assert handover is not None and handover.line == 13
    assert not handover.private  # `self.act(self.weight)` relies on the write: dropping the flag shows
    assert passes_input(file, "Block", "conv") is None  # `x` was rebound before
    assert passes_input(file, "Unit", "shortcut") is not None


def test_parent_feeding_a_saved_value_is_found_through_a_class_that_hands_it_on():
    found = parent_feeds(model(), "Block")
    assert found is not None and (found.parent, found.attr, found.through) == ("Unit", "body", ("Wrapper",))
    assert found.feed.line == 34 and "self.shortcut" in found.feed.reason


def test_a_parameter_written_under_no_grad_is_no_leaf_feed():
    assert leaf_feed(model(), "Block", "act", frozenset({"weight"})) is None


def test_an_empty_sequential_has_unknown_effect():
    table = torch_tables().module_saves
    assert not call_effect(Submodule("torch.nn.Sequential", 1), table).known
    nested = Submodule("torch.nn.Sequential", 1, False, (Submodule("torch.nn.Sequential", 1),))
    assert not call_effect(nested, table).known
