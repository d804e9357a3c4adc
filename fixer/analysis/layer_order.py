"""Layers built in a row: the layer before each one, and the module whose input the first one gets.

`nn.Sequential(a, b)`, a list of layers (`[a, b]`, `layers.append(b)` after `layers.append(a)`)
and `self.body.add_module("b", b)` all run their layers in the order they were built. The first
layer receives the input of whatever holds them: `self.net = nn.Sequential(*layers)` (the
attribute `net`), or `super().__init__(*layers)` in a `Sequential` subclass (the class itself).
Each layer's statement (`self.act = nn.ReLU(...)`) tells the path code reaches it by.
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
    """Collects rows of layers, and the statement each call is the value of, while a rule visits a
    region; asked once the region is visited."""

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
        self.statements: dict[int, cst.BaseSmallStatement] = {}  # call -> the statement it is the value of
        self._element_of: dict[int, tuple[cst.Call, int]] = {}  # layer -> the Sequential holding it, its index

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
        """Note `layers.append(layer)`, `self.body.add_module(n, layer)`, `Sequential(a, b)`, `Sequential(*layers)`."""
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
        if name == SEQUENTIAL:
            self.sequence(node, [None if a.star else a.value for a in node.args if a.keyword is None])
            if not any(a.star for a in node.args):  # `Sequential(*layers)`: positions are not indices
                self._element_of.update((id(a.value), (node, i)) for i, a in enumerate(node.args))

    def literal(self, node: cst.List | cst.Tuple) -> None:
        """`[a, b]`, `(a, b)`, or `[("a", a), ("b", b)]` for an OrderedDict: a row if it holds layers."""
        layers = [None if isinstance(e, cst.StarredElement) else e.value for e in node.elements]
        if layers and all(isinstance(v, cst.Tuple) and len(v.elements) == 2 for v in layers):
            layers = [v.elements[1].value for v in layers]  # type: ignore[union-attr]  # OrderedDict pairs
        self.sequence(node, layers)

    def statement(self, node: cst.Expr | cst.Return) -> None:
        """Note the statement whose value a call is."""
        self.statements[id(node.value)] = node  # type: ignore[index]

    def assign(self, node: cst.Assign) -> None:
        """`self.body = nn.Sequential()`: layers added to it later come first. Notes the statement too."""
        for choice in {node.value, *choices(node.value)}:  # `self.act = nn.ReLU(inplace=True) if a else nn.GELU()`
            self.statements[id(choice)] = node
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

    def path(self, call: cst.Call) -> str | None:
        """How code reaches the module `call` builds (`self.act`, `model.2`); None when not plainly."""
        statement = self.statements.get(id(call))
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return code(statement.targets[0].target)
        sequence, index = self._element_of.get(id(call), (None, 0))
        head = self.path(sequence) if sequence is not None else None
        return f"{head}.{index}" if head else None

    def in_sequence(self, call: cst.Call) -> bool:
        """A layer of a `Sequential(...)`: its result is what flows on."""
        return id(call) in self._element_of

    def is_direct(self, call: cst.Call) -> bool:
        """`self.act = nn.ReLU(inplace=True)`: the call is (a choice of) an assignment's value."""
        statement = self.statements.get(id(call))
        return isinstance(statement, cst.Assign) and any(c is call for c in choices(statement.value))

    def holder(self, layer: cst.BaseExpression, scope: FunctionFacts) -> Holder | None:
        """What runs `layer` first in a row, when the class around it is known."""
        info = scope.class_info
        if info is None:
            return None
        if id(layer) in self._row and self._before.get(id(layer)) is None:
            row = self._row[id(layer)]
            if isinstance(row, cst.Call):
                return self._held_by(row, scope)
            statement = self.statements.get(id(row))  # `layers = [a, b]` then `nn.Sequential(*layers)`
            return self._list_holder(statement, scope) if statement is not None else None
        found = self._appended_at.get(id(layer))
        if found is None or found[1] != 0 or not self._only_appended(found[0]):
            return None
        receiver = found[0][1]
        if receiver.startswith("self.") and (id(scope), receiver) in self._empty:
            return Holder(info.name, receiver.removeprefix("self."))
        if "." in receiver or not all(_empty_list(v) for v in scope.bindings.get(receiver, [None])):
            return None
        return self._starred_holder(receiver, scope)

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

    def _list_holder(self, statement: cst.BaseSmallStatement, scope: FunctionFacts) -> Holder | None:
        if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
            return None
        target = statement.targets[0].target
        if not isinstance(target, cst.Name) or len(scope.bindings.get(target.value, [])) != 1:
            return None
        return self._starred_holder(target.value, scope)

    def _starred_holder(self, name: str, scope: FunctionFacts) -> Holder | None:
        calls = self._starred.get((id(scope), name), [])
        holders = {self._held_by(c, scope) for c in calls}
        return holders.pop() if len(holders) == 1 else None

    def _held_by(self, row: cst.Call, scope: FunctionFacts) -> Holder | None:
        info = scope.class_info
        assert info is not None
        if _super_init(row.func):
            return Holder(info.name, None) if SEQUENTIAL in info.bases else None
        statement = self.statements.get(id(row))
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
