"""Layers built in a row: the layer before each one, and the module whose input the first one gets.

`nn.Sequential(a, b)`, a list of layers (`[a, b]`, `layers.append(b)` after `layers.append(a)`)
and `self.body.add_module("b", b)` all run their layers in the order they were built. The first
layer receives the input of whatever holds them: `self.net = nn.Sequential(*layers)` (the
attribute `net`), or `super().__init__(*layers)` in a `Sequential` subclass (the class itself).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from fixer.analysis.flow import Flow
from fixer.analysis.messages import code
from fixer.analysis.scope import FunctionFacts, RegionFacts, qualified

SEQUENTIAL = "torch.nn.Sequential"
APPENDS = {"append": 0, "add_module": 1}  # method -> position of the layer among its arguments


@dataclass(frozen=True, slots=True)
class Holder:
    """What runs a row of layers: the attribute `attr` of the class, or the class itself (`attr` None)."""

    class_name: str
    attr: str | None


class LayerOrder:
    """Collects rows of layers while a rule visits a region; asked once the region is visited."""

    def __init__(self, facts: RegionFacts, flow: Flow) -> None:
        self.facts, self.flow = facts, flow
        self._before: dict[int, cst.BaseExpression | None] = {}  # layer -> the layer before it
        self._row: dict[int, cst.CSTNode] = {}  # first layer -> the Sequential call or list it starts
        self._appended: dict[tuple[int, str], list[tuple[cst.Call, cst.BaseExpression]]] = {}
        self._appended_at: dict[int, tuple[tuple[int, str], int]] = {}  # layer -> (its row's key, its index)
        self._scopes: dict[int, FunctionFacts] = {}
        self._starred: dict[tuple[int, str], list[cst.Call]] = {}  # (scope, list name) -> `Sequential(*name)` calls
        self._empty: set[tuple[int, str]] = set()  # (scope, `self.X`) bound to an empty `nn.Sequential()`
        self._unknown: set[int] = set()  # layers after a `*others` in a row

    def sequence(self, row: cst.CSTNode, layers: list[cst.BaseExpression | None]) -> None:
        """`nn.Sequential(a, b)` or a list/tuple literal of layers; None stands for `*others`."""
        for before, layer in zip([None, *layers], layers):
            for choice in choices(layer) if layer is not None else ():  # `nn.ReLU(inplace=True) if relu else nn.Identity()`
                if id(choice) in self._before or id(choice) in self._unknown:
                    continue  # the outermost sequence knows the order
                if before is None and layer is not layers[0]:
                    self._unknown.add(id(choice))  # after `*others`: what comes before is not known
                else:
                    self._before[id(choice)] = before
        for first in choices(layers[0]) if layers and layers[0] is not None else ():
            self._row.setdefault(id(first), row)

    def call(self, node: cst.Call, name: str | None) -> None:
        """Note `layers.append(layer)`, `self.body.add_module(n, layer)`, `Sequential(*layers)`."""
        scope = id(self.facts.scope(node))
        func = node.func
        args = [a for a in node.args if a.keyword is None]
        starred = [a.value for a in node.args if a.star == "*"]
        if (name == SEQUENTIAL or _super_init(func)) and len(starred) == 1 and isinstance(starred[0], cst.Name):
            self._starred.setdefault((scope, starred[0].value), []).append(node)
        if isinstance(func, cst.Attribute) and func.attr.value in APPENDS and len(args) > APPENDS[func.attr.value]:
            if not any(a.star for a in node.args):
                layer = args[APPENDS[func.attr.value]].value
                key = (scope, code(func.value))
                row = self._appended.setdefault(key, [])
                for choice in choices(layer):
                    self._appended_at[id(choice)] = (key, len(row))
                row.append((node, layer))
                self._scopes[scope] = self.facts.scope(node)

    def assign(self, node: cst.Assign) -> None:
        """`self.body = nn.Sequential()`: layers added to it later come first."""
        value = node.value
        if isinstance(value, cst.Call) and not value.args and qualified(value.func, self.facts.imports) == SEQUENTIAL:
            for target in node.targets:
                self._empty.add((id(self.facts.scope(node)), code(target.target)))

    def previous(self, layer: cst.BaseExpression) -> tuple[bool, cst.BaseExpression | None]:
        """(known, the layer before `layer`): (True, None) for a first layer; (False, None) unknown."""
        if id(layer) in self._unknown:
            return False, None
        if id(layer) in self._before:
            before = self._before[id(layer)]
            return True, before
        found = self._appended_at.get(id(layer))
        if found is None or not self._only_appended(found[0]):
            return False, None
        row, i = self._appended[found[0]], found[1]
        if i == 0:
            return True, None
        (call, _), (previous_call, previous) = row[i], row[i - 1]
        same_block = self.facts.blocks.get(id(call)) == self.facts.blocks.get(id(previous_call))
        return (True, previous) if same_block else (False, None)

    def holder(self, layer: cst.BaseExpression, statements: dict[int, cst.BaseSmallStatement],
               scope: FunctionFacts) -> Holder | None:
        """What runs `layer` first in a row, when the class around it is known."""
        info = scope.class_info
        if info is None:
            return None
        if id(layer) in self._row and self._before.get(id(layer)) is None:
            row = self._row[id(layer)]
            if isinstance(row, cst.Call):
                return self._held_by(row, statements, scope)
            statement = statements.get(id(row))  # `layers = [a, b]` then `nn.Sequential(*layers)`
            return self._list_holder(statement, statements, scope) if statement is not None else None
        found = self._appended_at.get(id(layer))
        if found is None or found[1] != 0 or not self._only_appended(found[0]):
            return None
        receiver = found[0][1]
        if receiver.startswith("self.") and (id(scope), receiver) in self._empty:
            return Holder(info.name, receiver.removeprefix("self."))
        if "." in receiver or not all(_empty_list(v) for v in scope.bindings.get(receiver, [None])):
            return None
        return self._starred_holder(receiver, statements, scope)

    def _only_appended(self, key: tuple[int, str]) -> bool:
        """The list `layers` changes only by `layers.append(...)`: no `extend`, `insert`, `+=`, item
        writes or other holders. `self.X` rows are taken as built in order."""
        scope, receiver = self._scopes[key[0]], key[1]
        if "." in receiver:
            return True
        parents = self.flow.parents(scope)
        for use in self.flow.uses(receiver, scope):
            parent = parents.get(id(use))
            if isinstance(parent, cst.AssignTarget) or isinstance(parent, cst.Arg) and parent.star == "*":
                continue
            if isinstance(parent, cst.Attribute) and parent.value is use and parent.attr.value == "append":
                continue
            return False
        return True

    def _list_holder(self, statement: cst.BaseSmallStatement, statements: dict[int, cst.BaseSmallStatement],
                     scope: FunctionFacts) -> Holder | None:
        if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
            return None
        target = statement.targets[0].target
        if not isinstance(target, cst.Name) or len(scope.bindings.get(target.value, [])) != 1:
            return None
        return self._starred_holder(target.value, statements, scope)

    def _starred_holder(self, name: str, statements: dict[int, cst.BaseSmallStatement],
                        scope: FunctionFacts) -> Holder | None:
        calls = self._starred.get((id(scope), name), [])
        holders = {self._held_by(c, statements, scope) for c in calls}
        return holders.pop() if len(holders) == 1 else None

    def _held_by(self, row: cst.Call, statements: dict[int, cst.BaseSmallStatement], scope: FunctionFacts) -> Holder | None:
        info = scope.class_info
        assert info is not None
        if _super_init(row.func):
            return Holder(info.name, None) if SEQUENTIAL in info.bases else None
        statement = statements.get(id(row))
        if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
            return None
        target = code(statement.targets[0].target)
        return Holder(info.name, target.removeprefix("self.")) if target.startswith("self.") and target.count(".") == 1 else None


def choices(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """`a if c else b` -> [a, b] (nested ones too); any other value -> [value]."""
    if isinstance(value, cst.IfExp):
        return choices(value.body) + choices(value.orelse)
    return [value]


def _super_init(func: cst.BaseExpression) -> bool:
    """`super().__init__`."""
    return (isinstance(func, cst.Attribute) and func.attr.value == "__init__" and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")


def _empty_list(value: cst.BaseExpression | None) -> bool:
    return isinstance(value, cst.List) and not value.elements
