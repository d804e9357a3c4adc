"""The file seen whole: what its own functions, methods and classes do to the tensors they are given.

One region (a function) cannot see that `self.attn(x)` runs a class of the file whose `forward`
returns a sigmoid, or that `helper(x)` saves `x`. A summary answers that, computed on demand by
analysing the callee's own region with the same analysis, once per file, and only for callees a
write's question reaches.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
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
        methods = [(s, class_name) for s in owner.body if isinstance(s, FUNCTIONS)]
        return self._feeds(methods, lambda f: _spells_self(f, attr), 0, None)

    def argument_feeds(self, function: str, class_name: str | None, position: int, keyword: str) -> InplaceFeed | None:
        """Where the file calls `function` (a method of `class_name` through `self`, or a module-level
        function by name) passing, for the parameter at `position` (or `keyword`), a value autograd
        saved or a leaf that requires grad: the function writes that parameter in place."""
        if class_name is not None and function == "forward":  # `self.block(x)` in classes that hold one
            holders = [(c, [a for a, m in self.classes[c].submodules.items() if m.callee == class_name])
                       for c in self.class_nodes]
            callers = [(s, c) for c, attrs in holders if attrs for s in self.class_nodes[c].body if isinstance(s, FUNCTIONS)]
            held = {a for _, attrs in holders for a in attrs}
            return self._feeds(callers, lambda f: any(_spells_self(f, a) for a in held), position, keyword)
        if class_name is not None:
            owner = self.class_nodes.get(class_name)
            callers = [(s, class_name) for s in owner.body if isinstance(s, FUNCTIONS)] if owner is not None else []
            return self._feeds(callers, lambda f: _spells_self(f, function), position, keyword)
        callers = [(s, None) for s in self.functions.values()]
        callers += [(s, name) for name, c in self.class_nodes.items() for s in c.body if isinstance(s, FUNCTIONS)]
        spelled = lambda f: isinstance(f, cst.Name) and f.value == function  # noqa: E731
        return self._feeds(callers, spelled, position, keyword)

    def _feeds(self, callers: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]],
               matches: Callable[[cst.BaseExpression], bool], position: int, keyword: str | None) -> InplaceFeed | None:
        sites: list[tuple[int, str]] = []
        private = True
        for node, owner in callers:
            if not _mentions(node, matches):
                continue
            analysed = self._analyse(node, owner, params_are_tensors=False)
            if analysed is None:
                continue
            risks, scope, region = analysed
            for op in scope.ops:
                if not (isinstance(op, cst.Call) and matches(op.func)):
                    continue
                argument = _argument(op, position, keyword)
                if argument is None:
                    continue
                private &= position == 0 and _result_replaces(op, risks.flow.parents(scope))
                if risks.facts.in_no_grad(op):
                    continue
                found = risks.saved.feeds(op, argument, scope)
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


def _mentions(node: ast.AST, matches: Callable[[cst.BaseExpression], bool]) -> bool:
    """Cheaply, whether a def may call what `matches` spells (by the callee's last name)."""
    names = {n.attr if isinstance(n, ast.Attribute) else n.id for n in ast.walk(node) if isinstance(n, (ast.Attribute, ast.Name))}
    probe = [cst.Name(n) for n in names] + [cst.Attribute(value=cst.Name("self"), attr=cst.Name(n)) for n in names]
    return any(matches(p) for p in probe)


def _argument(call: cst.Call, position: int, keyword: str | None) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args):
        return None
    if position < len(positional):
        return positional[position].value
    return next((a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


def _spells_self(func: cst.BaseExpression, attr: str) -> bool:
    return (isinstance(func, cst.Attribute) and func.attr.value == attr
            and isinstance(func.value, cst.Name) and func.value.value == "self")


def _result_replaces(call: cst.Call, parents: Mapping[int, cst.CSTNode]) -> bool:
    """`x = self.act(x)`, or `self.act(<expression>)` used as a value: without the write, nothing
    that read the argument's tensor afterwards could tell the difference."""
    argument = call.args[0].value if call.args else None
    statement = parents.get(id(call))
    if isinstance(argument, cst.Name):
        return (isinstance(statement, cst.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0].target, cst.Name) and statement.targets[0].target.value == argument.value)
    return not isinstance(statement, cst.Expr) and isinstance(argument, (cst.Call, cst.BinaryOperation))
