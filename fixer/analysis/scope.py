"""Per-function facts over a LibCST tree: what each name is bound to, aliases, and grad mode.

One pass records, for every function (and the module), its parameters, the values bound to each
name, the names whose tensor escapes into another name or container, and which statements run
with autograd off. `tensors.py` turns these facts into tri-state tensor kinds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.evidence import NO_EVIDENCE, Evidence, RegionEvidence
from fixer.analysis.modules import FUNCTION_BASES, ClassInfo, ClassTable
from fixer.analysis.regions import PARAMETER_CLASSES, ImportMap, qualify

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel

GRAD_OFF = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
                      "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode"})
GRAD_ON = frozenset({"torch.enable_grad", "torch.autograd.enable_grad"})
SET_GRAD = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled"})
OPTIMIZER_BASES = frozenset({"torch.optim.Optimizer", "torch.optim.optimizer.Optimizer"})
# autograd.Function's forward and backward run with autograd off (FUNCTION_BASES).
# Parameters only optimizer update functions take (`_single_tensor_adam(params, grads, exp_avgs, ...)`):
# they run under the step's no_grad.
OPTIMIZER_PARAMS = frozenset({"grad", "grads", "exp_avgs", "exp_avg_sqs", "state_steps", "momentum_buffer_list",
                              "exp_avg", "exp_avg_sq", "momentum_buffer"})
# Calls whose result shares storage with the receiver: writing either one writes both.
VIEW_METHODS = frozenset({
    "view", "view_as", "reshape", "reshape_as", "transpose", "t", "permute", "expand", "expand_as",
    "narrow", "select", "squeeze", "unsqueeze", "flatten", "unflatten", "unfold", "diagonal",
    "detach", "as_strided", "chunk", "split", "unbind", "tensor_split", "movedim", "swapaxes",
    "swapdims", "real", "imag", "view_as_real", "view_as_complex", "contiguous", "to", "type",
    "float", "double", "half", "bfloat16", "long", "int", "bool", "cpu", "cuda", "data", "T", "mT",
    "H", "mH", "split_with_sizes", "hsplit", "vsplit", "dsplit", "indices", "values",
})
CONTAINER_METHODS = frozenset({"append", "extend", "insert", "add", "setdefault", "update", "put", "appendleft",
                               "extendleft", "__setitem__"})


@dataclass(frozen=True, slots=True)
class Binding:
    """One binding of a name, in the order the function runs its statements."""

    order: int  # larger binds later in the source; compared with `RegionFacts.order` of nodes
    value: cst.BaseExpression | None  # None: unpacking, `with ... as`, a loop target
    blocks: tuple[int, ...]  # ids of the enclosing blocks, outermost first
    node: cst.CSTNode  # the statement (or loop) that binds
    loop: cst.BaseExpression | None = None  # the iterable, for a loop target


@dataclass(slots=True)
class FunctionFacts:
    """What one function (or the module, `node` None) binds, and which names escape."""

    node: cst.CSTNode | None
    parent: FunctionFacts | None
    class_bases: tuple[str, ...] = ()
    class_parameters: set[str] = field(default_factory=set)  # `self.X` the enclosing class makes Parameters
    class_info: ClassInfo | None = None  # the enclosing class, as the file's cheap pass read it
    params: dict[str, cst.Param] = field(default_factory=dict)
    bindings: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    loop_iters: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    outer_names: set[str] = field(default_factory=set)  # declared global / nonlocal
    aliased: dict[str, set[int]] = field(default_factory=dict)  # name -> ids of the aliasing nodes
    timeline: dict[str, list[Binding]] = field(default_factory=dict)  # name -> bindings in order
    ops: list[cst.BaseExpression] = field(default_factory=list)  # calls and binary operations, in order
    writes: dict[str, list[cst.CSTNode]] = field(default_factory=dict)  # name -> in-place writes to it
    attribute_stores: set[str] = field(default_factory=set)  # `self.h` in `self.h = ...`
    attribute_timeline: dict[str, list[Binding]] = field(default_factory=dict)  # `self.h` -> its bindings here
    returns: list[cst.Return] = field(default_factory=list)
    function_forward: bool = False  # `forward` of an autograd.Function: its inputs are the caller's

    @property
    def is_forward(self) -> bool:
        return isinstance(self.node, cst.FunctionDef) and self.node.name.value == "forward"

    def is_local(self, name: str) -> bool:
        return name not in self.outer_names and name not in self.params and name in self.bindings

    def shared(self, name: str, *, besides: cst.CSTNode) -> bool:
        """Whether some node other than `besides` lets another name or container reach the tensor."""
        return bool(self.aliased.get(name, set()) - {id(besides)})


@dataclass(slots=True)
class RegionFacts:
    """The facts of every function in a region, looked up by the nodes inside them."""

    imports: ImportMap
    classes: ClassTable = field(default_factory=dict)  # the file's classes by name
    file: FileModel | None = None  # the whole file, for what its own functions and classes do
    module: cst.Module | None = None  # the region's tree, set when its traversal starts
    scope_of: dict[int, FunctionFacts] = field(default_factory=dict)  # id(node) -> facts
    grad_off: set[int] = field(default_factory=set)  # ids of statements run without autograd
    order: dict[int, int] = field(default_factory=dict)  # id(node) -> position in source order
    blocks: dict[int, tuple[int, ...]] = field(default_factory=dict)  # id(node) -> enclosing block ids
    loop_bodies: set[int] = field(default_factory=set)  # ids of the blocks of `for` and `while` bodies
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)  # block id -> (its `if` chain, branch)
    evidence: RegionEvidence = NO_EVIDENCE  # what `outplace trace` saw break autograd in this file

    def scope(self, node: cst.CSTNode) -> FunctionFacts:
        return self.scope_of[id(node)]

    def evidence_at(self, node: cst.CSTNode, target: cst.BaseExpression) -> Evidence | None:
        """What the run saw the write `node` into `target` break, if `outplace trace` saw it."""
        return self.evidence.at(self.module, node, target)

    def in_no_grad(self, node: cst.CSTNode) -> bool:
        return id(node) in self.grad_off


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def qualified(node: cst.BaseExpression, imports: ImportMap) -> str | None:
    """The qualified name of `node` through the file's imports (`F.relu` -> `torch.nn.functional.relu`)."""
    return qualify(dotted(node), imports)


class FactsCollector(cst.BatchableCSTVisitor):
    """Fills a RegionFacts while the rules visit the region: it runs first in the same batch.

    Rules read the facts of their nodes only after the traversal (see `Codemod.later`), when
    every binding of every name is known.
    """

    def __init__(self, imports: ImportMap, class_bases: tuple[str, ...] = (),
                 class_parameters: frozenset[str] = frozenset(), classes: ClassTable | None = None,
                 class_name: str | None = None, file: FileModel | None = None) -> None:
        """`class_bases`, `class_parameters` and `class_name`: of the class holding the region, when
        it is a method; `classes`: the file's classes, as the cheap pass read them."""
        self.facts = RegionFacts(imports=imports, classes=classes or {}, file=file)
        # A class's parameters fill while its body is visited; the region's own class is known.
        self.class_parameters = [set(class_parameters)]
        self.class_infos = [self.facts.classes.get(class_name) if class_name else None]
        self.current = FunctionFacts(node=None, parent=None, class_bases=class_bases,
                                     class_parameters=self.class_parameters[-1], class_info=self.class_infos[-1])
        self.class_bases = [class_bases]
        self.grad_enabled = [True]
        self.blocks: list[int] = []
        self.counter = 0

    # scopes -------------------------------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        self.facts.module = node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        # `Sampler[List[int]]` is the class `Sampler`, as regions.py reads it
        bases = (qualified(a.value.value if isinstance(a.value, cst.Subscript) else a.value, self.facts.imports)
                 for a in node.bases)
        self.class_bases.append(tuple(b for b in bases if b))
        self.class_parameters.append(set())
        self.class_infos.append(self.facts.classes.get(node.name.value))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_bases.pop()
        self.class_parameters.pop()
        self.class_infos.pop()

    def _class_parameter(self, name: str) -> None:
        """`self.<name>` is made a Parameter: so in every class around (as regions.py counts them)."""
        for found in self.class_parameters[1:]:
            found.add(name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.current = FunctionFacts(node=node, parent=self.current, class_bases=self.class_bases[-1],
                                     class_parameters=self.class_parameters[-1], class_info=self.class_infos[-1])
        for param in _all_params(node.params):
            self.current.params[param.name.value] = param
        self.current.function_forward = node.name.value == "forward" and any(b in FUNCTION_BASES for b in self.class_bases[-1])
        self.grad_enabled.append(self.grad_enabled[-1] and not self._grad_off_function(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        assert self.current.parent is not None
        self.current = self.current.parent
        self.grad_enabled.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.current = FunctionFacts(node=node, parent=self.current)
        for param in _all_params(node.params):
            self.current.params[param.name.value] = param

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        assert self.current.parent is not None
        self.current = self.current.parent

    def _grad_off_function(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            target = decorator.decorator
            target = target.func if isinstance(target, cst.Call) else target
            if qualified(target, self.facts.imports) in GRAD_OFF:
                return True
        bases = self.class_bases[-1]
        is_step = node.name.value == "step" and any(b in OPTIMIZER_BASES for b in bases)
        in_function = node.name.value in ("forward", "backward") and any(b in FUNCTION_BASES for b in bases)
        updates = any(p.name.value in OPTIMIZER_PARAMS for p in _all_params(node.params))
        info = self.class_infos[-1]
        return is_step or in_function or updates or info is not None and info.inference_only

    # grad mode ----------------------------------------------------------------------------
    def visit_With(self, node: cst.With) -> None:
        self.mark(node)  # its items run here, before the body
        enabled = self.grad_enabled[-1]
        for item in node.items:
            enabled = self._grad_after(item.item, enabled)
        self.grad_enabled.append(enabled)

    def leave_With(self, original_node: cst.With) -> None:
        self.grad_enabled.pop()

    def _grad_after(self, expr: cst.BaseExpression, enabled: bool) -> bool:
        call = expr if isinstance(expr, cst.Call) else None
        name = qualified(call.func if call else expr, self.facts.imports)
        if name in GRAD_OFF:
            return False
        if name in GRAD_ON:
            return True
        if name in SET_GRAD and call and call.args:
            value = call.args[0].value
            if isinstance(value, cst.Name) and value.value in ("False", "True"):
                return value.value == "True"
        return enabled

    def mark(self, node: cst.CSTNode) -> None:
        """Remember the function, grad mode, place in source order and blocks of a node."""
        self.facts.scope_of[id(node)] = self.current
        self.counter += 1
        self.facts.order[id(node)] = self.counter
        self.facts.blocks[id(node)] = tuple(self.blocks)
        if not self.grad_enabled[-1]:
            self.facts.grad_off.add(id(node))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.mark(node)
        if isinstance(node.target, cst.Name):
            self.current.writes.setdefault(node.target.value, []).append(node)

    def visit_Expr(self, node: cst.CSTNode) -> None:
        self.mark(node)

    def visit_Return(self, node: cst.Return) -> None:
        self.mark(node)
        self.current.returns.append(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self.mark(node)
        self.current.ops.append(node)

    # blocks: a binding reaches a later statement for sure when its blocks enclose it ----------
    def visit_IndentedBlock(self, node: cst.CSTNode) -> None:
        self.blocks.append(id(node))

    def leave_IndentedBlock(self, original_node: cst.CSTNode) -> None:
        self.blocks.pop()

    visit_SimpleStatementSuite = visit_IndentedBlock
    leave_SimpleStatementSuite = leave_IndentedBlock

    def visit_If(self, node: cst.If) -> None:
        """Number the blocks of an `if` / `elif` / `else` chain: at most one of them runs."""
        self.mark(node)  # its test runs here
        if id(node.body) in self.facts.branches:
            return  # an `elif`, numbered with its chain
        branch: cst.If | cst.Else | None = node
        index = 0
        while branch is not None:
            self.facts.branches[id(branch.body)] = (id(node), index)
            index += 1
            branch = branch.orelse if isinstance(branch, cst.If) else None

    def visit_While(self, node: cst.While) -> None:
        self.mark(node)
        self.facts.loop_bodies.add(id(node.body))

    def _record(self, target: cst.BaseExpression, value: cst.BaseExpression | None, node: cst.CSTNode,
                blocks: tuple[int, ...], loop: cst.BaseExpression | None = None) -> None:
        """Append ordered bindings: after the value is visited, so `x = x * w` saves the old `x`."""
        self.counter += 1
        for name in names_in(target):
            plain = value if isinstance(target, cst.Name) else None
            self.current.timeline.setdefault(name, []).append(Binding(self.counter, plain, blocks, node, loop))

    # bindings and aliases -----------------------------------------------------------------
    def visit_Global(self, node: cst.Global) -> None:
        self.current.outer_names.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.current.outer_names.update(n.name.value for n in node.names)

    def visit_Assign(self, node: cst.Assign) -> None:
        self.mark(node)
        for target in node.targets:
            self._bind(target.target, node.value)
            if isinstance(target.target, cst.Subscript):
                self._written(target.target.value, node)
            elif isinstance(target.target, cst.Attribute) and (spelled := dotted(target.target)):
                self.current.attribute_stores.add(spelled)
        if isinstance(node.value, cst.Call) and qualified(node.value.func, self.facts.imports) in PARAMETER_CLASSES:
            for target in node.targets:
                if on_self(target.target):
                    self._class_parameter(target.target.attr.value)
        self._alias_targets(node, [t.target for t in node.targets], node.value)

    def leave_Assign(self, original_node: cst.Assign) -> None:
        for target in original_node.targets:
            self._record(target.target, original_node.value, original_node, tuple(self.blocks))
            if isinstance(target.target, cst.Attribute) and (spelled := dotted(target.target)):
                self.current.attribute_timeline.setdefault(spelled, []).append(
                    Binding(self.counter, original_node.value, tuple(self.blocks), original_node))

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self._record(original_node.target, original_node.value, original_node, tuple(self.blocks))

    def _written(self, target: cst.BaseExpression, node: cst.CSTNode) -> None:
        """`t[i] = v` and `t[i][j] = v` write `t` in place."""
        while isinstance(target, cst.Subscript):
            target = target.value
        if isinstance(target, cst.Name):
            self.current.writes.setdefault(target.value, []).append(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.mark(node)
        self._bind(node.target, node.value)
        if node.value is not None:
            self._alias_targets(node, [node.target], node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)
        self._alias_targets(node, [node.target], node.value)

    def _alias_targets(self, node: cst.CSTNode, targets: list[cst.BaseExpression], value: cst.BaseExpression) -> None:
        """`y = x` or `v = x.view(-1)`: both names reach one tensor (`x = x.view(-1)` drops the old one)."""
        sources = handed_out(value)
        names = {n for t in targets for n in names_in(t)}
        if sources - names or any(not isinstance(t, cst.Name) for t in targets) and sources:
            self._alias(node, sources | names)

    def _alias(self, node: cst.CSTNode, names: set[str]) -> None:
        for name in names:
            self.current.aliased.setdefault(name, set()).add(id(node))

    def visit_For(self, node: cst.For) -> None:
        self.mark(node)  # its iterable is evaluated here, before the body
        self.facts.loop_bodies.add(id(node.body))
        for name in names_in(node.target):
            self.current.loop_iters.setdefault(name, []).append(node.iter)
            self.current.bindings.setdefault(name, []).append(None)
        self._record(node.target, None, node, (*self.blocks, id(node.body)), loop=node.iter)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, None)
            self._record(node.asname.name, None, node, tuple(self.blocks))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        for name in names_in(node.target):
            self.current.bindings.setdefault(name, []).append(None)

    def visit_Call(self, node: cst.Call) -> None:
        self.mark(node)
        self.current.ops.append(node)
        func = node.func
        if isinstance(func, cst.Attribute) and returns_receiver(func.attr.value):
            self._written(func.value, node)
        if isinstance(func, cst.Attribute) and func.attr.value in CONTAINER_METHODS:
            for arg in node.args:
                self._alias(node, handed_out(arg.value))
        if isinstance(func, cst.Attribute) and func.attr.value == "register_parameter" and node.args:
            first = node.args[0]
            if first.keyword is None and not first.star and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
                name = first.value.evaluated_value
                if isinstance(name, str):
                    self._class_parameter(name)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._alias(node, handed_out(node.value))

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self.current.bindings.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:  # unpacking: the values are unknown
                self._bind(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, None)

def handed_out(value: cst.BaseExpression) -> set[str]:
    """The names whose tensor `value` evaluates to: bare names, views of them, containers of them."""
    while True:
        if isinstance(value, cst.Name):
            return {value.value}
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            method = value.func.attr.value
            if method not in VIEW_METHODS and not returns_receiver(method):
                return set()
            value = value.func.value
        elif isinstance(value, cst.Attribute) and value.attr.value in VIEW_METHODS:
            value = value.value
        elif isinstance(value, cst.Subscript):
            value = value.value  # basic indexing returns a view
        elif isinstance(value, (cst.Tuple, cst.List, cst.Set)):
            return {n for e in value.elements for n in handed_out(e.value)}
        elif isinstance(value, cst.Dict):
            return {n for e in value.elements if isinstance(e, cst.DictElement) for n in handed_out(e.value)}
        else:
            return set()


def returns_receiver(method: str) -> bool:
    """In-place methods (`x.relu_()`) return the tensor they wrote."""
    return method.endswith("_") and not method.startswith("_")


def _all_params(params: cst.Parameters) -> Sequence[cst.Param]:
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out


def names_in(target: cst.BaseExpression) -> list[str]:
    """The names a binding target binds: `x`, `a, (b, *c)`."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in names_in(e.value)]
    if isinstance(target, cst.StarredElement):
        return names_in(target.value)
    return []


def on_self(node: cst.BaseExpression, attr: str | None = None) -> bool:
    """`self.<attr>` (any attribute of `self` when `attr` is None)."""
    return (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self"
            and (attr is None or node.attr.value == attr))


