"""The file seen whole: what its own functions, methods and classes do to the tensors they are given.

One region (a function) cannot see that `self.attn(x)` runs a class of the file whose `forward`
returns a sigmoid, or that `helper(x)` saves `x`. A summary answers that, computed on demand by
analysing the callee's own region with the same analysis, once per file, and only for callees a
write's question reaches.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.modules import ClassTable
from fixer.analysis.regions import ImportMap, Region, function_region, region_source
from fixer.analysis.tables import TorchTables
from fixer.batched import visit_batched
from fixer.positions import positions

if TYPE_CHECKING:
    from fixer.analysis.risk import RiskAnalysis
    from fixer.analysis.scope import FunctionFacts

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
MAX_DEPTH = 3  # summaries asked while summarising: a chain of callees this long at most


@dataclass(frozen=True, slots=True)
class Summary:
    """What a function does to the tensors passed to it, and what it returns."""

    params: tuple[str, ...]  # positional parameters a caller fills, `self` left out
    saves: Mapping[str, str]  # parameter -> the op that saves it for backward
    result: str | None  # the op whose saved output it returns
    writes: frozenset[str]  # parameters it writes in place


class FileModel:
    """The file's functions and classes by name, with their summaries computed when first asked."""

    def __init__(self, tree: ast.Module, lines: list[str], imports: ImportMap, classes: ClassTable,
                 class_nodes: list[ast.ClassDef], tables: TorchTables) -> None:
        self.lines, self.imports, self.classes, self.tables = lines, imports, classes, tables
        self.functions = {s.name: s for s in tree.body if isinstance(s, FUNCTIONS)}
        self.class_nodes = {c.name: c for c in class_nodes if c.name in classes}
        self._summaries: dict[tuple[str, str], Summary | None] = {}
        self._depth = 0

    def function(self, name: str) -> Summary | None:
        """A module-level function of the file."""
        node = self.functions.get(name)
        return None if node is None else self._summary(("", name), node, None)

    def method(self, class_name: str, name: str) -> Summary | None:
        """A method of a class of the file, or of a base class of the file it inherits."""
        seen: set[str] = set()
        while class_name in self.class_nodes and class_name not in seen:
            seen.add(class_name)
            owner = self.class_nodes[class_name]
            node = next((s for s in owner.body if isinstance(s, FUNCTIONS) and s.name == name), None)
            if node is not None:
                return self._summary((class_name, name), node, class_name)
            class_name = next((b for b in self.classes[class_name].bases if b in self.class_nodes), "")
        return None

    def _summary(self, key: tuple[str, str], node: ast.FunctionDef | ast.AsyncFunctionDef,
                 class_name: str | None) -> Summary | None:
        if key in self._summaries:
            return self._summaries[key]
        if self._depth >= MAX_DEPTH:
            return None
        self._summaries[key] = None  # a recursive call sees no summary
        self._depth += 1
        try:
            self._summaries[key] = self._summarize(node, class_name)
        finally:
            self._depth -= 1
        return self._summaries[key]

    def _summarize(self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None) -> Summary | None:
        analysed = self._analyse(node, class_name, params_are_tensors=True)
        if analysed is None:
            return None
        risks, scope, _ = analysed
        return risks.saved.summary(scope, method=class_name is not None)

    def inplace_feeds(self, class_name: str, attr: str) -> InplaceFeed | None:
        """Where a method of the class calls `self.<attr>` (built to write its input in place) on a
        value autograd saved: the call's line and the sentence that says why."""
        owner = self.class_nodes.get(class_name)
        if owner is None:
            return None
        sites: list[tuple[int, str]] = []
        private = True
        for method in (s for s in owner.body if isinstance(s, FUNCTIONS) and _calls_self(s, attr)):
            analysed = self._analyse(method, class_name, params_are_tensors=False)
            if analysed is None:
                return None
            risks, scope, region = analysed
            for op in scope.ops:
                if not (isinstance(op, cst.Call) and _spells_self(op.func, attr)) or not op.args:
                    continue
                private &= _result_replaces(op, risks.flow.parents(scope))
                if risks.facts.in_no_grad(op):
                    continue
                found = risks.saved.feeds(op, scope)
                if found is not None:
                    where = positions(risks.facts.module)  # type: ignore[arg-type]
                    line = where[op][0][0] + region.first - 1
                    text = "".join(p if isinstance(p, str) else str(where[p.node][0][0] + region.first - 1) for p in found)
                    sites.append((line, text))
        return InplaceFeed(sites[0][0], sites[0][1], private) if sites else None

    def _analyse(self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None, *,
                 params_are_tensors: bool) -> tuple[RiskAnalysis, FunctionFacts, Region] | None:
        """The analysis of one def of the file, alone in its region."""
        from fixer.analysis.risk import RiskAnalysis  # the analysis summarises with itself
        from fixer.analysis.scope import FactsCollector
        from fixer.analysis.tensors import TensorKinds

        info = self.classes.get(class_name) if class_name else None
        region = function_region(node, self.lines, info.bases if info else (), class_name)
        if region is None:
            return None
        try:
            module = cst.parse_module(region_source(self.lines, region))
        except cst.ParserSyntaxError:
            return None
        collector = FactsCollector(self.imports, region.class_bases, region.class_parameters, self.classes,
                                   class_name, file=self)
        visit_batched(module, [collector])
        facts = collector.facts
        function = next((s for s in module.body if isinstance(s, cst.FunctionDef)), None)
        scope = next((f for f in facts.scope_of.values() if f.node is function), None)
        if function is None or scope is None:
            return None
        kinds = TensorKinds(facts, params_are_tensors=params_are_tensors)
        return RiskAnalysis(facts, kinds, self.tables), scope, region


@dataclass(frozen=True, slots=True)
class InplaceFeed:
    """A call of an in-place module on a value autograd saved."""

    line: int
    reason: str
    private: bool  # every call site rebinds what it passed, or passes a value used nowhere else


def _calls_self(node: ast.AST, attr: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == attr
               and isinstance(n.func.value, ast.Name) and n.func.value.id == "self" for n in ast.walk(node))


def _spells_self(func: cst.BaseExpression, attr: str) -> bool:
    return (isinstance(func, cst.Attribute) and func.attr.value == attr
            and isinstance(func.value, cst.Name) and func.value.value == "self")


def _result_replaces(call: cst.Call, parents: Mapping[int, cst.CSTNode]) -> bool:
    """`x = self.act(x)`, or `self.act(<expression>)` used as a value: without the write, nothing
    that read the argument's tensor afterwards could tell the difference."""
    argument = call.args[0].value
    statement = parents.get(id(call))
    if isinstance(argument, cst.Name):
        return (isinstance(statement, cst.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0].target, cst.Name) and statement.targets[0].target.value == argument.value)
    return not isinstance(statement, cst.Expr) and isinstance(argument, (cst.Call, cst.BinaryOperation))
