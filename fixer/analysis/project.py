"""The file seen whole: what its own functions, methods and classes do to the tensors they are given.

One region (a function) cannot see that `self.attn(x)` runs a class of the file whose `forward`
returns a sigmoid, or that `helper(x)` saves `x`. A summary answers that, computed on demand by
analysing the callee's own region with the same analysis, once per file, and only for callees a
write's question reaches.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import itertools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.call_index import CallIndex
from fixer.analysis.modules import FUNCTION_BASES, ClassTable, module_called
from fixer.analysis.scope import GRAD_OFF, OPTIMIZER_BASES, OPTIMIZER_PARAMS, on_self
from fixer.analysis.regions import ImportMap, Region, dotted_name, function_region, qualify, region_source, walk
from fixer.analysis.summary import FUNCTIONS, Summary
from fixer.analysis.tables import TorchTables
from fixer.core.batched import visit_batched
from fixer.core.positions import positions

if TYPE_CHECKING:
    from fixer.analysis.imported import ProjectFiles
    from fixer.analysis.risk import RiskAnalysis
    from fixer.analysis.scope import FunctionFacts

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_DEPTH = 3  # summaries asked while summarising: a chain of callees this long at most
NOT_PROJECT = frozenset({"torch", "numpy", "math", "typing", "functools", "collections", "einops"})  # never a project file


class FileModel:
    """The file's functions and classes by name, with their summaries computed when first asked."""

    def __init__(self, tree: ast.Module, lines: list[str], imports: ImportMap, classes: ClassTable,
                 class_nodes: list[ast.ClassDef], tables: TorchTables, path: str = "",
                 project: ProjectFiles | None = None) -> None:
        self.lines, self.imports, self.classes, self.tables = lines, imports, classes, tables
        self.path, self.project = path, project  # the run's other files, for what the file imports
        self.functions = {s.name: s for s in tree.body if isinstance(s, FUNCTIONS)}
        self.script = [s for s in tree.body if not isinstance(s, (*FUNCTIONS, ast.ClassDef))]  # module-level code
        self.class_nodes = {c.name: c for c in class_nodes if c.name in classes}
        self._summaries: dict[tuple[str, str], Summary | None] = {}
        self._without_grad: dict[tuple[str, str], bool] = {}
        self._analysed: dict[tuple[int, bool], tuple[RiskAnalysis, FunctionFacts, Region] | None] = {}
        self._feeds_of: dict[tuple[object, ...], object] = {}
        self._depth = 0

    def close(self) -> None:
        """Drop the analyses of the file's defs: they refer back to the model, a cycle that would
        keep the file's nodes until the garbage collector runs (asked again, they are redone)."""
        self._analysed.clear()
        self._feeds_of.pop(("top level",), None)

    def function(self, name: str) -> Summary | None:
        """A module-level function of the file."""
        node = self.functions.get(name)
        return None if node is None else self._summary(("", name), node, None)

    def summary_of(self, func: cst.BaseExpression, scope: FunctionFacts) -> Summary | None:
        """The summary of the file's own def a call of `func` runs: `self.attn` (a class of the
        file held in that attribute), `self.helper` (a method of the class), `helper`."""
        info = scope.class_info
        spec = module_called(func, scope)
        if spec is not None and not spec.callee.startswith("torch."):
            return self.forward_of(spec.callee)
        if info is not None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            return self.method(info.name, func.attr.value) if func.attr.value in info.methods else None
        if isinstance(func, cst.Name) and func.value not in scope.bindings and func.value not in scope.params:
            if func.value in self.functions or func.value not in self.imports:
                return self.function(func.value)
            return self._elsewhere(self.imports[func.value], "")
        instance = self.instance_of(func, scope)
        return self.forward_of(instance) if instance is not None else None

    def instance_of(self, expr: cst.BaseExpression, scope: FunctionFacts) -> str | None:
        """The class whose instance the name `expr` holds: every binding of a local builds it
        (`model = Net(d)`), or every call in the file passes one for the parameter. A class of the
        file by its name, one imported from another file of the run as imported (`.model.Net`)."""
        if not isinstance(expr, cst.Name) or not (self.class_nodes or self.project):
            return None
        name = expr.value
        if name in scope.params:
            if name in scope.bindings or scope.parent is None or scope.parent.node is not None:
                return None  # rebound, or a nested def: its callers are not followed
            function = scope.node
            assert isinstance(function, cst.FunctionDef)
            params = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
            info = scope.class_info
            if info is not None:
                params = params[1:]
            if name not in params:
                return None
            return self._passed_instance(function.name.value, info.name if info else None, params.index(name), name)
        values = scope.bindings.get(name, [])
        built = {self._built(v) for v in values}
        return built.pop() if values and len(built) == 1 else None

    def _built(self, value: cst.BaseExpression | None) -> str | None:
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
            return self._class_called(value.func.value)
        return None

    def _class_called(self, name: str) -> str | None:
        """What calling `name` builds: a class of the file (its name), or of another file of the run
        (as imported: `.model.Net`)."""
        if name in self.class_nodes:
            return name
        qualified = self.imports.get(name)
        return qualified if qualified is not None and self.defines_class(qualified) else None

    def _passed_instance(self, function: str, class_name: str | None, position: int, keyword: str) -> str | None:
        key = ("instance", function, class_name, position, keyword)
        if key in self._feeds_of:
            return self._feeds_of[key]  # type: ignore[return-value]
        self._feeds_of[key] = None  # a recursive question sees no instance
        built: set[str | None] = set()
        for _, scope, _, argument, _ in self._sites(function, class_name, position, keyword, depth=1):
            built.add(self._built(argument) or self.instance_of(argument, scope))
            if len(built) > 1 or None in built:
                break
        self._feeds_of[key] = built.pop() if len(built) == 1 else None
        return self._feeds_of[key]  # type: ignore[return-value]

    def forward_of(self, callee: str) -> Summary | None:
        """The `forward` of the module class `callee`: a class of the file, or one it imports from
        another file of the run (`.layers.Block`, as a submodule's `callee` spells it)."""
        if callee in self.classes:
            return self.method(callee, "forward")
        return self._elsewhere(callee, "forward")

    def defines_class(self, qualified: str) -> bool:
        """Whether `qualified` (`.layers.Block`) names a class another file of the run defines."""
        found = self._imported(qualified)
        return found is not None and found[1] in found[0].class_nodes

    def _imported(self, qualified: str) -> tuple[FileModel, str] | None:
        if self.project is None or not qualified or qualified.split(".")[0] in NOT_PROJECT:
            return None
        return self.project.resolve(self.path, qualified)

    def _elsewhere(self, qualified: str, method: str) -> Summary | None:
        """The summary of a function (or of a class's `method`) another file of the run defines."""
        found = self._imported(qualified)
        if found is None or self.project is None:
            return None
        model, name = found
        with self.project.deeper() as allowed:
            if not allowed:
                return None
            summary = (model.method(name, method) if name in model.class_nodes else None) if method else model.function(name)
        return dataclasses.replace(summary, origin=summary.origin or os.path.basename(model.path)) if summary else None

    def method(self, class_name: str, name: str) -> Summary | None:
        """A method of a class of the file, or of a base class it inherits (of the file, or of
        another file of the run)."""
        seen: set[str] = set()
        while class_name in self.class_nodes and class_name not in seen:
            seen.add(class_name)
            owner = self.class_nodes[class_name]
            node = next((s for s in owner.body if isinstance(s, FUNCTIONS) and s.name == name), None)
            if node is not None:
                return self._summary((class_name, name), node, class_name)
            bases = self.classes[class_name].bases
            class_name = next((b for b in bases if b in self.class_nodes), "")
            if not class_name:  # a base another file of the run defines (`from .base import Block`)
                return next((s for b in bases if not b.startswith("torch.") and (s := self._elsewhere(b, name))), None)
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
        callers = {(id(d), d, o) for d, o, _, _ in self.calls.get(("self", attr), ()) if o == class_name}
        return self._feeds(self._calls_in(callers, lambda f: on_self(f, attr), 0, None), private_needs_first=True)

    def argument_feeds(self, function: str, class_name: str | None, position: int, keyword: str) -> InplaceFeed | None:
        """Where the file calls `function` (a method of `class_name` through `self`, its `forward`
        through the classes holding one, or a module-level function by name) passing, for the
        parameter at `position` (or `keyword`), a value autograd saved or a leaf that requires grad:
        the function writes that parameter in place."""
        key = ("feeds", function, class_name, position, keyword)
        if key not in self._feeds_of:
            self._feeds_of[key] = self._feeds(self._sites(function, class_name, position, keyword),
                                              private_needs_first=position == 0)
        return self._feeds_of[key]  # type: ignore[return-value]

    def argument_unsaved(self, function: str, class_name: str | None, position: int, keyword: str) -> bool:
        """Whether the file calls `function` at least once, and every call passes for the parameter
        a new value no op saved and nothing else reads (`self.ls(self.mlp(x))`): writing it in
        place inside the function is what the code means."""
        key = ("unsaved", function, class_name, position, keyword)
        if key not in self._feeds_of:
            self._feeds_of[key] = self._unsaved(function, class_name, position, keyword)
        return bool(self._feeds_of[key])

    def _unsaved(self, function: str, class_name: str | None, position: int, keyword: str) -> bool:
        sites = list(self._sites(function, class_name, position, keyword))
        return bool(sites) and all(
            risks.facts.in_no_grad(op) or isinstance(argument, cst.Call) and risks.saved.unsaved_output(argument, scope)
            for risks, scope, op, argument, _ in sites)

    def _sites(self, function: str, class_name: str | None, position: int, keyword: str | None,
               depth: int = 0) -> Iterator[Site]:
        """Each call of the def in the file with the argument it passes for the parameter; a caller
        that passes its own parameter on is replaced by its own callers (`depth`: how far)."""
        from fixer.analysis.callers import argument_position  # callers.py reads this module's FileModel

        sites = self._direct_sites(function, class_name, position, keyword)
        if depth == 0 and (class_name is None or function == "forward"):
            sites = itertools.chain(sites, self._sites_elsewhere(class_name or function, class_name is not None, position, keyword))
        for site in sites:
            risks, scope, op, argument, _ = site
            passed = argument_position(risks.facts.file, risks.flow, argument.value, op, scope) if isinstance(argument, cst.Name) else None
            caller = risks.facts.file if isinstance(risks.facts.file, FileModel) else self
            further = None
            if passed is not None and depth < MAX_DEPTH and (caller, passed[0], passed[1]) != (self, function, class_name):
                further = list(caller._sites(*passed, argument.value, depth + 1))  # type: ignore[union-attr]  # noqa: SLF001
            yield from further or [site]  # a caller nothing calls in turn (public API) still passes its parameter

    def _sites_elsewhere(self, name: str, is_class: bool, position: int, keyword: str | None) -> Iterator[Site]:
        """The calls of the def (the `forward` of the class) `name` in the run's other files that import it."""
        for model, local in self._importers(name) or ():
            if is_class:
                yield from model._forward_calls(model.imports[local], local, position, keyword)  # noqa: SLF001
            else:
                yield from model._name_calls(local, position, keyword)  # noqa: SLF001

    def _importers(self, name: str) -> list[tuple[FileModel, str]] | None:
        """The run's other files that import the def or class `name` of the file (None: too many to follow)."""
        return self.project.importers(self.path, name) if self.project is not None and self.path else []

    def _direct_sites(self, function: str, class_name: str | None, position: int, keyword: str | None) -> Iterator[Site]:
        if self.words[class_name if function == "forward" and class_name else function] < 2:
            return  # only its definition: nothing in the file calls it (or builds the class)
        if class_name is not None and function == "forward":
            yield from self._forward_calls(class_name, class_name, position, keyword)
            return
        if class_name is not None:
            callers = {(id(d), d, o) for d, o, _, _ in self.calls.get(("self", function), ()) if o == class_name}
            yield from self._calls_in(callers, lambda f: on_self(f, function), position, keyword)
            return
        yield from self._def_calls(function, position, keyword)
        yield from self._script_calls(function, position)
        yield from self._top_level_name_calls(function, position, keyword)

    def _forward_calls(self, callee: str, local: str, position: int, keyword: str | None) -> Iterator[Site]:
        """The calls that run the `forward` of the class `callee` (spelled `local` in the file): in
        the classes that hold one (`self.block(x)`), on names that hold one (`model(x)`)."""
        yield from self._held_calls(callee, position, keyword)
        yield from self._instance_calls(callee, position, keyword)
        if self._script_builds(local):
            yield from self._top_level_calls(
                lambda f, scope: isinstance(f, cst.Name) and self.instance_of(f, scope) == callee, position, keyword)

    def _held_calls(self, callee: str, position: int, keyword: str | None) -> Iterator[Site]:
        """`self.block(x)` in the classes of the file whose attribute holds a `callee` (a class of
        the file, or an imported one as the submodule spells it: `.layers.Block`)."""
        held = {(c, a) for c in self.class_nodes for a, m in self.classes[c].submodules.items() if m.callee == callee}
        callers = {(id(d), d, o) for c, a in held for d, o, _, _ in self.calls.get(("self", a), ()) if o == c}
        attrs = {a for _, a in held}
        yield from self._calls_in(callers, lambda f: any(on_self(f, a) for a in attrs), position, keyword)

    def _name_calls(self, name: str, position: int, keyword: str | None) -> Iterator[Site]:
        """`name(...)` in the file's defs and its top-level code."""
        yield from self._def_calls(name, position, keyword)
        yield from self._top_level_name_calls(name, position, keyword)

    def _def_calls(self, name: str, position: int, keyword: str | None) -> Iterator[Site]:
        callers = {(id(d), d, o) for d, o, _, _ in self.calls.get(("", name), ())}
        yield from self._calls_in(callers, lambda f: isinstance(f, cst.Name) and f.value == name, position, keyword)

    def _top_level_name_calls(self, name: str, position: int, keyword: str | None) -> Iterator[Site]:
        if self._script_calls_name(name):
            yield from self._top_level_calls(lambda f, _: isinstance(f, cst.Name) and f.value == name, position, keyword)

    def _instance_calls(self, class_name: str, position: int, keyword: str | None) -> Iterator[Site]:
        """`model(x)` where the name holds an instance of the class (`model = Net()`, or a parameter
        every caller fills with one)."""
        defs = [*self.functions.values(), *(s for c in self.class_nodes.values() for s in c.body if isinstance(s, FUNCTIONS))]
        held = set().union(*(self._instance_names(d) for d in defs)) if defs else set()
        names = {n for n in held if n not in self.functions and n not in self.class_nodes and ("", n) in self.calls}
        callers = {(id(d), d, o) for n in names for d, o, _, _ in self.calls[("", n)] if n in self._instance_names(d)}
        for site in self._calls_in(callers, lambda f: isinstance(f, cst.Name) and f.value in names, position, keyword):
            risks, scope, op, _, _ = site
            if self.instance_of(op.func, scope) == class_name:
                yield site

    def _instance_names(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
        """The def's parameters and the names it binds to a class of the file: what may hold an instance."""
        key = ("names", id(node))
        if key not in self._feeds_of:
            args = node.args
            names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
            text = "".join(self.lines[node.lineno - 1: node.end_lineno])
            if any(f"{c}(" in text for c in itertools.chain(self.class_nodes, self.imports if self.project else ())):
                names |= {t.id for sub in walk(node) if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call)
                          and isinstance(sub.value.func, ast.Name) and self._class_called(sub.value.func.id) is not None
                          for t in sub.targets if isinstance(t, ast.Name)}  # only a def that spells a construction is walked
            self._feeds_of[key] = frozenset(names)
        return self._feeds_of[key]  # type: ignore[return-value]

    @functools.cached_property
    def _script_index(self) -> tuple[dict[str, list[ast.Call]], frozenset[str]]:
        """The module's own code (outside defs and classes), walked once: its calls by the name
        they call, and the classes it binds a name to an instance of (`net = Net()`)."""
        calls: dict[str, list[ast.Call]] = {}
        built: set[str] = set()
        for statement in self.script:
            for node in walk(statement):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    calls.setdefault(node.func.id, []).append(node)
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
                    built.add(node.value.func.id)
        return calls, frozenset(built)

    def _script_calls_name(self, name: str) -> bool:
        """Whether the module's own code calls `name(...)`."""
        return name in self._script_index[0]

    def _script_builds(self, class_name: str) -> bool:
        """Whether the module's own code binds a name to an instance of the class (`net = Net()`)."""
        return class_name in self._script_index[1]

    def _top_level_calls(self, matches: Callable[[cst.BaseExpression, FunctionFacts], bool], position: int,
                         keyword: str | None) -> Iterator[Site]:
        """The calls `matches` in the module's own code (a script: `net = Net(); net(x)` at top level)."""
        analysed = self._top_level()
        if analysed is None:
            return
        risks, scope, region = analysed
        for op in scope.ops:
            if isinstance(op, cst.Call) and matches(op.func, scope):
                argument = _argument(op, position, keyword)
                if argument is not None:
                    yield risks, scope, op, argument, region

    def _top_level(self) -> tuple[RiskAnalysis, FunctionFacts, Region] | None:
        """The module analysed whole, its top-level code as one scope (once; only a script asks)."""
        key = ("top level",)
        if key not in self._feeds_of:
            self._feeds_of[key] = self._top_level_now()
        return self._feeds_of[key]  # type: ignore[return-value]

    def _top_level_now(self) -> tuple[RiskAnalysis, FunctionFacts, Region] | None:
        from fixer.analysis.risk import RiskAnalysis
        from fixer.analysis.scope import FactsCollector
        from fixer.analysis.tensors import TensorKinds

        region = Region(0, len(self.lines), "")
        try:
            module = cst.parse_module(region_source(self.lines, region))
        except cst.ParserSyntaxError:
            return None
        collector = FactsCollector(self.imports, (), frozenset(), self.classes, None, file=self)
        scope = collector.current
        visit_batched(module, [collector])
        return RiskAnalysis(collector.facts, TensorKinds(collector.facts, params_are_tensors=False), self.tables), scope, region

    def _script_calls(self, function: str, position: int) -> Iterator[Site]:
        """`run(*make_inputs())` in the module's own code (a script's entry point): the argument is
        the element at `position` of the tuple the other function returns."""
        for call in self._script_index[0].get(function, ()):
            if not (len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Starred)):
                continue
            source = call.args[0].value
            if not (isinstance(source, ast.Call) and isinstance(source.func, ast.Name) and not source.args
                    and source.func.id in self.functions):
                continue
            analysed = self._analyse(self.functions[source.func.id], None, params_are_tensors=False)
            if analysed is None:
                continue
            risks, scope, region = analysed
            for ret in scope.returns:
                if isinstance(ret.value, cst.Tuple) and position < len(ret.value.elements):
                    element = ret.value.elements[position]
                    if not isinstance(element, cst.StarredElement):
                        yield risks, scope, ret, element.value, region  # type: ignore[misc]

    def _calls_in(self, callers: set[tuple[int, ast.FunctionDef | ast.AsyncFunctionDef, str | None]],
                  matches: Callable[[cst.BaseExpression], bool], position: int, keyword: str | None) -> Iterator[Site]:
        """Each call `matches` spells in the defs, analysed, with the argument for the parameter."""
        for _, node, owner in sorted(callers, key=lambda c: c[1].lineno):
            analysed = self._analyse(node, owner, params_are_tensors=False)
            if analysed is None:
                continue
            risks, scope, region = analysed
            for op in scope.ops:
                if isinstance(op, cst.Call) and matches(op.func):
                    argument = _argument(op, position, keyword)
                    if argument is not None:
                        yield risks, scope, op, argument, region

    @functools.cached_property
    def calls(self) -> CallIndex:
        """Every call of a name (`("", "f")`) or of `self.<attr>` (`("self", "attr")`) in the file's
        defs, with the def, its class, and whether a no-grad `with` block holds the call."""
        defs = [(s, None) for s in self.functions.values()]
        defs += [(s, name) for name, c in self.class_nodes.items() for s in c.body if isinstance(s, FUNCTIONS)]
        return CallIndex(defs, self.lines, functools.partial(_calls, imports=self.imports))

    def _feeds(self, sites: Iterator[Site], *, private_needs_first: bool) -> InplaceFeed | None:
        found: list[tuple[int, str, str]] = []
        private = private_needs_first
        for risks, scope, op, argument, region in sites:
            private &= isinstance(op, cst.Call) and _result_replaces(op, risks.flow.parents(scope))
            if risks.facts.in_no_grad(op):
                continue
            reason = risks.saved.feeds(op, argument, scope) if not found else None  # the first one is shown
            if reason is not None:
                where = positions(risks.facts.module)  # type: ignore[arg-type]
                offset = max(region.first, 1) - 1  # a whole-module region (first 0) is not shifted
                line = where[op][0][0] + offset
                text = "".join(p if isinstance(p, str) else str(where[p.node][0][0] + offset) for p in reason)
                caller = risks.facts.file
                elsewhere = f" of {os.path.basename(caller.path)}" if isinstance(caller, FileModel) and caller is not self else ""
                via = (f"the call at line {line}{elsewhere} passes" if isinstance(op, cst.Call)
                       else f"`{scope.node.name.value}` (line {line}) returns, for the script's entry point,")  # type: ignore[union-attr]
                found.append((line, text, via))
        return InplaceFeed(found[0][0], found[0][1], private, found[0][2]) if found else None

    @functools.cached_property
    def words(self) -> Counter[str]:
        """How often each identifier is spelled in the file: a def named once is never called here."""
        return Counter(WORD.findall("".join(self.lines)))

    def left_at_default(self, function: str, class_name: str | None, position: int, keyword: str) -> bool:
        """Whether the file calls the private def (`_name`: nothing outside the file should) at least
        once, and no call passes the parameter (at `position`, or by `keyword`) or unpacks arguments."""
        if not function.startswith("_") or function.startswith("__") or self.words[function] < 2:
            return False
        sites = [c for _, owner, c, _ in self.calls.get(("self" if class_name else "", function), ()) if owner == class_name]
        if len(sites) + 1 < self.words[function]:
            return False  # named elsewhere too: handed on, or called through another name
        return bool(sites) and not any(
            len(c.args) > position or any(isinstance(a, ast.Starred) for a in c.args)
            or any(k.arg is None or k.arg == keyword for k in c.keywords) for c in sites)

    def runs_without_grad(self, function: str, class_name: str | None, depth: int = 0) -> bool:
        """Whether every call of the def in the file (and, for a module-level def, in the run's other
        files that import it) runs with autograd off (in a `torch.no_grad()` block or decorated
        function, an optimizer's `step`, or a def that itself runs so), and there is at least one:
        `zeropower_via_newtonschulz` called only from `Muon.step`."""
        key = (class_name or "", function)
        if key in self._without_grad:
            return self._without_grad[key]
        self._without_grad[key] = False  # a recursive call proves nothing
        elsewhere = self._importers(function) if class_name is None and depth == 0 else []
        if elsewhere is None:
            return False  # imported by too many files to follow
        calls = [(self, function, class_name)] + [(m, local, None) for m, local in elsewhere]
        called = False
        for model, name, owner_class in calls:
            if model.words[name] < 2:
                continue  # only its `def` or import: no call in that file
            if owner_class is None and model._script_calls_name(name):  # noqa: SLF001
                return False  # the module's own code calls it, with grad
            for node, owner, _, off in model.calls.get(("self" if owner_class else "", name), ()):
                if owner_class is not None and owner != owner_class:
                    continue
                called = True
                bases = model.classes[owner].bases if owner else ()
                if not (off or _grad_off_def(node, bases, model.imports) or owner is not None and model.classes[owner].inference_only
                        or depth < 2 and model.runs_without_grad(node.name, owner, depth + 1)):
                    return False
        self._without_grad[key] = called
        return called

    def _analyse(self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None, *,
                 params_are_tensors: bool) -> tuple[RiskAnalysis, FunctionFacts, Region] | None:
        """The analysis of one def of the file, alone in its region (once per def and mode)."""
        key = (id(node), params_are_tensors)
        if key not in self._analysed:
            self._analysed[key] = self._analyse_now(node, class_name, params_are_tensors=params_are_tensors)
        return self._analysed[key]

    def _analyse_now(self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None, *,
                     params_are_tensors: bool) -> tuple[RiskAnalysis, FunctionFacts, Region] | None:
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


Site = tuple["RiskAnalysis", "FunctionFacts", cst.Call, cst.BaseExpression, Region]  # a call of a def, analysed


@dataclass(frozen=True, slots=True)
class InplaceFeed:
    """A call of an in-place module on a value autograd saved."""

    line: int
    reason: str
    private: bool  # every call site rebinds what it passed, or passes a value used nowhere else
    via: str = ""  # what hands the value over: "the call at line N passes", or a script's set-up returning it


def _calls(node: ast.FunctionDef | ast.AsyncFunctionDef, imports: ImportMap) -> Iterator[tuple[ast.Call, bool]]:
    """Each call in the def (nested defs left out: they run when called), and whether a
    `with torch.no_grad()` (or `inference_mode`) block holds it."""
    def visit(stmts: list[ast.stmt], off: bool) -> Iterator[tuple[ast.Call, bool]]:
        for stmt in stmts:
            if isinstance(stmt, (ast.With, ast.AsyncWith)):
                inner = off or any(_grad_off_call(i.context_expr, imports) for i in stmt.items)
                yield from calls_in(stmt.items, off)
                yield from visit(stmt.body, inner)
            elif isinstance(stmt, (*FUNCTIONS, ast.ClassDef)):
                continue
            else:
                bodies = [getattr(stmt, f) for f in ("body", "orelse", "finalbody") if isinstance(getattr(stmt, f, None), list)]
                bodies += [h.body for h in getattr(stmt, "handlers", [])]
                own = [v for f, v in ast.iter_fields(stmt) if f not in ("body", "orelse", "finalbody", "handlers")]
                yield from calls_in(own, off)
                for body in bodies:
                    yield from visit(body, off)

    def calls_in(values: list, off: bool) -> Iterator[tuple[ast.Call, bool]]:
        for value in values:
            roots = [value] if isinstance(value, ast.AST) else [v for v in value if isinstance(v, ast.AST)] if isinstance(value, list) else []
            for root in roots:
                for sub in walk(root):
                    if isinstance(sub, ast.Call):
                        yield sub, off

    yield from visit(node.body, False)


def _grad_off_call(expr: ast.expr, imports: ImportMap) -> bool:
    call = expr.func if isinstance(expr, ast.Call) else expr
    return qualify(dotted_name(call), imports) in GRAD_OFF


def _grad_off_def(node: ast.FunctionDef | ast.AsyncFunctionDef, bases: tuple[str, ...], imports: ImportMap) -> bool:
    """A def that runs with autograd off, as the LibCST facts decide it (`scope.FactsCollector`)."""
    if any(_grad_off_call(d, imports) for d in node.decorator_list):
        return True
    args = node.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    return (node.name == "step" and any(b in OPTIMIZER_BASES for b in bases)
            or node.name in ("forward", "backward") and any(b in FUNCTION_BASES for b in bases)
            or bool(names & OPTIMIZER_PARAMS))


def _argument(call: cst.Call, position: int, keyword: str | None) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args):
        return None
    if position < len(positional):
        return positional[position].value
    return next((a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


def _result_replaces(call: cst.Call, parents: Mapping[int, cst.CSTNode]) -> bool:
    """`x = self.act(x)`, or `self.act(<expression>)` used as a value: without the write, nothing
    that read the argument's tensor afterwards could tell the difference."""
    argument = call.args[0].value if call.args else None
    statement = parents.get(id(call))
    if isinstance(argument, cst.Name):
        return (isinstance(statement, cst.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0].target, cst.Name) and statement.targets[0].target.value == argument.value)
    return not isinstance(statement, cst.Expr) and isinstance(argument, (cst.Call, cst.BinaryOperation))
