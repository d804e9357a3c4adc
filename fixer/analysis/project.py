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

import libcst as cst

from fixer.analysis.modules import ClassTable
from fixer.analysis.regions import ImportMap, function_region, region_source
from fixer.analysis.tables import TorchTables
from fixer.batched import visit_batched

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
        risks = RiskAnalysis(facts, TensorKinds(facts, params_are_tensors=True), self.tables)
        return risks.saved.summary(scope, method=class_name is not None)
