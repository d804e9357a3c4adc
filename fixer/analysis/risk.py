"""Risk of one in-place write: does it break autograd (and how sure are we), and may the fix rebind?

Three questions, answered from the region's facts after the traversal:
- saved for backward: is the written tensor (or a view of its storage) the output of an op that
  saves its result, or an input an op saved, between its binding and the write? Then backward
  raises, and the finding is an `error` naming that op and line.
- grad: does the tensor never require grad (a fresh factory result fed only grad-free values, a
  `.detach()`, a `.grad`, a bool or integer result)? Then autograd never sees the write: no finding.
- aliasing: is the target a local name bound from an expression that builds a new tensor, with
  no other name, container or view holding it? Only then may a rewrite rebind it safely.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.aliasing import AliasAnalysis
from fixer.analysis.flow import Flow, inside
from fixer.analysis.leaves import is_grad_leaf
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.scope import (
    VIEW_METHODS,
    FunctionFacts,
    RegionFacts,
    _handed_out,
    _returns_receiver,
    qualified,
)
from fixer.analysis.tables import Saves, TorchTables
from fixer.analysis.tensors import PLAIN_MEMBERS, Kind, TensorKinds, never_requires_grad
from fixer.batched import contains
from fixer.types import Safety, Severity




@dataclass(frozen=True, slots=True)
class Risk:
    """Whether to report a write, how sure, why, and whether its rewrite keeps behaviour."""

    severity: Severity
    reason: Message  # one sentence; empty for a plain warning (the rule says what is written)
    safety: Safety
    unsafe_because: Message = ()  # why the fix may change behaviour, when it may
    saved_by: cst.CSTNode | None = None  # the op whose saved value the write changes

    def message(self, what: str, *, with_fix: bool = True) -> Message:
        """The finding's message: the reason (or `what`), then why the fix is unsafe or withheld."""
        head: Message = self.reason or (what,)
        if with_fix and self.unsafe_because and self.safety is Safety.UNSAFE:
            return head + ("; fix unsafe: ", *self.unsafe_because)
        if self.unsafe_because and self.safety is Safety.DISPLAY_ONLY:
            return head + ("; no fix: ", *self.unsafe_because)
        return head


class Grad(enum.Enum):
    NO = "never requires grad"
    MAYBE = "may require grad"


# Python spellings whose derivatives.yaml op has another name.
OP_ALIASES = {
    "conv1d": "convolution", "conv2d": "convolution", "conv3d": "convolution",
    "conv_transpose1d": "convolution", "conv_transpose2d": "convolution", "conv_transpose3d": "convolution",
    "layer_norm": "native_layer_norm", "batch_norm": "native_batch_norm", "group_norm": "native_group_norm",
    "max_pool2d": "max_pool2d_with_indices", "max_pool3d": "max_pool3d_with_indices",
}
# Ops whose backward for one operand needs only the others: an operand is saved only when
# another one requires grad (autograd's codegen skips saves nobody needs).
BILINEAR = frozenset({"mul", "div", "matmul", "mm", "bmm", "convolution", "linear", "addmm", "baddbmm",
                      "addbmm", "addmv", "addr", "dot", "mv", "outer", "einsum", "bilinear"})
# Parameter names that hold integer or bool tensors by convention (token ids, masks, labels).
DISCRETE_NAMES = re.compile(r"(^|_)(ids|mask|masks|indices|index|labels|tokens|positions)$")
# Methods whose result surely shares storage with the receiver (casts and `contiguous` may copy).
TRUE_VIEWS = VIEW_METHODS - {"to", "type", "float", "double", "half", "bfloat16", "long", "int", "bool", "cpu",
                             "cuda", "contiguous", "chunk", "split", "unbind", "tensor_split",
                             "split_with_sizes", "hsplit", "vsplit", "dsplit"}
BINARY_OPS = {cst.Multiply: "mul", cst.Divide: "div", cst.MatrixMultiply: "matmul", cst.Power: "pow"}
FACTORIES = frozenset({"zeros", "ones", "empty", "full", "arange", "range", "linspace", "logspace", "eye",
                       "rand", "randn", "randint", "randperm", "tensor", "zeros_like", "ones_like",
                       "empty_like", "full_like", "rand_like", "randn_like", "randint_like", "tril_indices",
                       "triu_indices", "empty_strided", "bernoulli", "multinomial", "normal", "poisson"})
NEW_METHODS = frozenset({"new_zeros", "new_ones", "new_empty", "new_full", "new_tensor"})
# Results that are integer or bool: never require grad.
DISCRETE = frozenset({"long", "int", "bool", "short", "byte", "char", "argmax", "argmin", "argsort",
                      "nonzero", "argwhere", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf",
                      "isfinite", "logical_and", "logical_or", "logical_not", "logical_xor", "sign",
                      "bucketize", "searchsorted", "floor_divide", "detach", "item", "tolist"})
# Methods returning (values, indices): the values carry grad, the indices never do.
VALUES_AND_INDICES = frozenset({"topk", "sort", "max", "min", "kthvalue", "mode", "median", "cummax", "cummin"})
# Builtins whose result is one of their arguments, or computed from them only.
VALUE_BUILTINS = frozenset({"min", "max", "abs", "sum", "pow", "round"})


class RiskAnalysis:
    """Answers `assess(target, node)` for the rules of one region, after its traversal."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, tables: TorchTables) -> None:
        self.facts, self.kinds, self.tables = facts, kinds, tables
        self._grad: dict[tuple[int, str], Grad] = {}
        self.flow = Flow(facts)
        self.aliases = AliasAnalysis(facts, kinds, tables, self.flow)
        self._write_order = 0

    # the verdict ------------------------------------------------------------------------------
    def assess(self, target: cst.BaseExpression, node: cst.CSTNode, values: Sequence[cst.BaseExpression] = (),
               statement: cst.CSTNode | None = None, *, tensor: bool = False) -> Risk | None:
        """None when the write is intentional or harmless; else the severity, reason and fix safety.
        `statement`: the statement the fix replaces, when not `node` (its own aliasing is rewritten too);
        `tensor`: the caller knows the target is a tensor (a torch function's argument)."""
        scope = self.facts.scope(node)
        evidence = self.facts.evidence_at(node, target)  # `outplace trace` saw this write break backward
        if evidence is not None and self.kinds.kind(target, scope) is not Kind.NOT_TENSOR:
            tensor = tensor or evidence.holds(target)
            safety, because = evidence.safety(*self.fix_safety(target, node, besides=statement or node, tensor=tensor),
                                              no_grad=self.facts.in_no_grad(node))
            return Risk(Severity.ERROR, evidence.reason(target, node), safety, because)
        if self.facts.in_no_grad(node) or never_requires_grad(target) or qualified(target, self.facts.imports):
            return None  # no grad, or a module (`nn.init.normal_(w)` is a function, not a method)
        safety, because = self.fix_safety(target, node, besides=statement or node, tensor=tensor)
        if isinstance(target, cst.Name):
            saved = self.saved(target.value, node, scope)
            if saved is not None:
                return Risk(Severity.ERROR, saved[1], safety, because, saved[0])
        if is_grad_leaf(target, scope, self.facts):
            where = f"`{code(target)}` is a leaf tensor that requires grad"
            reason = (where, f"; `{_write(node)}` at line ", LineOf(node), " outside `torch.no_grad()` raises at once")
            return Risk(Severity.ERROR, reason, safety, because)
        if isinstance(target, cst.Name) and self.grad(target, scope, node) is Grad.NO:
            return None
        if not tensor and self.kinds.kind(target, scope) is Kind.NOT_TENSOR:
            return None
        return Risk(Severity.WARNING, (), safety, because)

    # saved for backward -----------------------------------------------------------------------
    def saved(self, name: str, node: cst.CSTNode, scope: FunctionFacts, depth: int = 0) -> tuple[cst.CSTNode, Message] | None:
        """The op that saved the tensor `name` holds at `node`, and the sentence that says so."""
        write = self.facts.order.get(id(node), 0)
        self._write_order = write
        reaching = self.flow.reaching(name, node, scope)
        for binding in reaching:
            if binding.value is None or id(binding.node) in self.facts.grad_off:
                continue
            op = self._result_saver(binding.value, scope)
            if op is not None and depth == 0 and self._grad_dead(name, scope, node):
                op = None  # every use of the result is an index, a shape or a comparison: backward never runs it
            if op is not None:
                label, call = op
                return call, (f"`{name}` is the output of `{label}` (line ", LineOf(call),
                              f"), which saves its result for backward; `{_write(node)}` at line ",
                              LineOf(node), " makes backward fail")
            source = _storage_name(binding.value)
            if depth < 3 and source is not None and source != name:  # a view or another name: same storage
                found = self.saved(source, node, scope, depth + 1)
                if found is not None:
                    return found
        start = min((b.order for b in reaching if b.order < write), default=0)
        storage = {name} | self._views_of(name, scope, start, write)
        loop = self.flow.loop_of(node)
        for op in scope.ops:
            at = self.facts.order.get(id(op), 0)
            in_loop = loop is not None and at > write and loop in self.facts.blocks.get(id(op), ())
            if not (start < at < write or in_loop and start < self.facts.order.get(id(loop), 0)) or id(op) in self.facts.grad_off:
                continue
            label = self._saves_input(op, storage, scope)
            if label is not None and self._output_dead(op, scope):
                continue  # nothing differentiable reads what the op made: backward never runs it
            if label is not None and not contains(op, lambda n: n is node):  # `t.add_(1) / s` writes first
                return op, (f"`{name}` is an input of `{label}` (line ", LineOf(op),
                            f"), which saves it for backward; `{_write(node)}` at line ",
                            LineOf(node), " makes backward fail")
        return None

    def _grad_dead(self, name: str, scope: FunctionFacts, write: cst.CSTNode | None, depth: int = 0,
                   after: cst.CSTNode | None = None) -> bool:
        """Whether the local tensor `name` reaches nothing differentiable: each use (but the write,
        whose result is dropped) is a comparison, a shape or dtype, an integer result such as
        `argmax`, the values of `topk` / `sort` used that way in turn, an in-place write into it or
        into another such name, or a `.data` assignment. `after`: only uses after that node count."""
        if scope.node is None or not scope.is_local(name) or depth > 2:
            return False
        if write is not None and not self._result_dropped(write, scope):
            return False
        parents = self.flow.parents(scope)
        uses = self.flow.uses(name, scope)
        if after is not None:  # only what runs after `after` (not in another branch of its `if`)
            marked = [self.flow.marked(n, parents) for n in uses]
            uses = [n for n, m in zip(uses, marked) if m is None or self.facts.order[id(m)] > self.facts.order[id(after)]
                    and not self.flow.exclusive(self.facts.blocks[id(m)], self.facts.blocks[id(after)])]
        return all(self._grad_free_use(use, parents, scope, write, depth) for use in uses)

    def _output_dead(self, op: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """`n = op(...)` outside loops, and nothing differentiable reads `n` afterwards."""
        if scope.node is None:
            return False
        statement = self.flow.parents(scope).get(id(op))
        if not isinstance(statement, cst.Assign) or statement.value is not op or self.flow.loop_of(op) is not None:
            return False
        targets = [t.target for t in statement.targets]
        if len(targets) != 1 or not isinstance(targets[0], cst.Name):
            return False
        return self._grad_dead(targets[0].value, scope, None, 1, after=op)

    def _grad_free_use(self, use: cst.Name, parents: dict[int, cst.CSTNode], scope: FunctionFacts,
                       write: cst.CSTNode | None, depth: int) -> bool:
        parent = parents.get(id(use))
        while isinstance(parent, (cst.Element, cst.Tuple, cst.List)) and isinstance(parents.get(id(parent)), (cst.Element, cst.Tuple, cst.List, cst.AssignTarget)):
            parent = parents.get(id(parent))  # `a, b = ...` binds `a`
        if isinstance(parent, (cst.AssignTarget, cst.Comparison, cst.ComparisonTarget)) or inside(use, write, parents):
            return True  # a binding, a comparison (a bool result), the write itself
        if isinstance(parent, cst.Assign) and parent.value is use:
            return all(isinstance(t.target, cst.Attribute) and t.target.attr.value == "data" for t in parent.targets)
        if isinstance(parent, cst.Attribute) and parent.value is use:
            member, call = parent.attr.value, parents.get(id(parent))
            if member in PLAIN_MEMBERS:
                return True
            if not (isinstance(call, cst.Call) and call.func is parent):
                return False
            if member in DISCRETE - {"detach"}:
                return True
            statement = parents.get(id(call))
            if _returns_receiver(member) and isinstance(statement, cst.Expr):
                return True  # written in place again, its result dropped
            if member in VALUES_AND_INDICES and isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                target = statement.targets[0].target
                names = [e.value for e in target.elements] if isinstance(target, cst.Tuple) else []
                return (len(names) == 2 and all(isinstance(n, cst.Name) for n in names)
                        and self._grad_dead(names[0].value, scope, None, depth + 1))  # type: ignore[union-attr]
            return False
        if isinstance(parent, cst.Arg):
            call = parents.get(id(parent))
            if not isinstance(call, cst.Call):
                return False
            func = call.func
            if (isinstance(func, cst.Attribute) and _returns_receiver(func.attr.value) and isinstance(func.value, cst.Name)
                    and isinstance(parents.get(id(call)), cst.Expr)):  # `b.add_(use)`: flows into `b` only
                return func.value.value != use.value and self._grad_dead(func.value.value, scope, None, depth + 1)
            called = qualified(func, self.facts.imports)
            return called is not None and called.startswith("torch.") and called.rsplit(".", 1)[-1] in DISCRETE
        return False

    def _result_dropped(self, write: cst.CSTNode, scope: FunctionFacts) -> bool:
        """The write is a statement of its own: `x += 1`, `x[i] = v`, `x.add_(1)` (not `y = x.add_(1)`)."""
        if isinstance(write, (cst.AugAssign, cst.Assign)):
            return True
        return isinstance(self.flow.parents(scope).get(id(write)), cst.Expr)

    def _views_of(self, name: str, scope: FunctionFacts, start: int, write: int) -> set[str]:
        """Names bound between `start` and `write` to `name` itself or a view of it."""
        return {other for other, bindings in scope.timeline.items() if other != name
                for b in bindings if start < b.order < write and b.value is not None and name in _handed_out(b.value)}

    def _op(self, expr: cst.BaseExpression, scope: FunctionFacts) -> tuple[str, str, Saves, list[tuple[str, cst.BaseExpression]]] | None:
        """The derivatives.yaml op an expression runs, with its tensor operands by schema name."""
        if isinstance(expr, cst.BinaryOperation):
            op = BINARY_OPS.get(type(expr.operator))
            if op is None:
                return None
            saves = self.tables.saves[op]
            operands = [("self", expr.left), ("other" if op != "pow" else "exponent", expr.right)]
            if op == "pow" and self._number(expr.right, scope):
                saves = Saves(result=False, inputs=frozenset({"self"}), args=("self",))  # x ** 2
            symbol = {"mul": "*", "div": "/", "matmul": "@", "pow": "**"}[op]
            return symbol, op, saves, operands
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in VIEW_METHODS:
            return None  # a view saves only sizes
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        args = [a for a in expr.args if not a.star]
        name = qualified(func, self.facts.imports)
        if name is not None and name.startswith("torch."):
            last = name.rsplit(".", 1)[-1]
            label, receiver = name, []
        elif isinstance(func, cst.Attribute) and self._tensor_method(expr, scope):
            last = func.attr.value
            label, receiver = f".{last}()", [func.value]
        else:
            return None
        op = OP_ALIASES.get(last) or self.tables.tensor_method_ops.get(last) or last
        saves = self.tables.saves.get(op)
        if saves is None:
            return None
        positional = receiver + [a.value for a in args if a.keyword is None]
        operands = list(zip(saves.args, positional))
        for arg in args:
            if arg.keyword is not None:
                key = "self" if arg.keyword.value == "input" and "self" in saves.args else arg.keyword.value
                operands.append((key, arg.value))
        return label.replace("torch.nn.functional.", "F."), op, saves, operands

    def _result_saver(self, value: cst.BaseExpression, scope: FunctionFacts) -> tuple[str, cst.CSTNode] | None:
        """`torch.sigmoid(z)`, or a view of it (`torch.sigmoid(z).view(-1)`): the op saves what it returns."""
        while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in TRUE_VIEWS - {"detach", "data"}:
            value = value.func.value
        while isinstance(value, cst.Subscript):
            value = value.value
        op = self._op(value, scope)
        if op is None or not op[2].result or self._overload_saves_less(value, op[0], op[1], scope):
            return None
        if all(self._grad_of(e, scope) is Grad.NO for _, e in op[3]):
            return None  # nothing requires grad: autograd records nothing
        return op[0], value

    def _saves_input(self, op_node: cst.BaseExpression, storage: set[str], scope: FunctionFacts) -> str | None:
        op = self._op(op_node, scope)
        if op is None or not op[2].inputs:
            return None
        label, name, saves, operands = op
        grads = [self._grad_of(e, scope) for _, e in operands]
        bilinear = name in BILINEAR
        for i, (arg, expr) in enumerate(operands):
            if arg not in saves.inputs or not (_storage_name(expr) in storage):
                continue
            if self._overload_saves_less(op_node, label, name, scope):
                continue
            if self._bare_parameter(expr, scope):
                continue  # an untyped parameter: may be ids, a cache or optimizer state, no proof
            if self._rebound_after(op_node, _storage_name(expr) or "", scope):
                continue  # the op saved an earlier binding of the name
            if isinstance(op_node, cst.BinaryOperation) and not self._tensor_operands(op_node, expr, scope):
                continue  # `n * k` on Python numbers saves nothing
            scalar_op = isinstance(op_node, cst.BinaryOperation) and isinstance(op_node.operator, (cst.Multiply, cst.Divide))
            if scalar_op and not any(self.kinds.kind(e, scope) is Kind.TENSOR for j, (_, e) in enumerate(operands) if j != i):
                continue  # `x / scale`: the other operand may be a number, which needs nothing saved
            others = [g for j, g in enumerate(grads) if j != i]
            needed = others if bilinear else grads
            if arg == "other" and name == "div":
                needed = grads  # div saves the divisor for both gradients
            if any(g is Grad.MAYBE for g in needed) and not self._number(expr, scope):
                return label
        return None

    # grad ---------------------------------------------------------------------------------------
    def grad(self, target: cst.Name, scope: FunctionFacts, node: cst.CSTNode) -> Grad:
        return self._grad_of(target, scope)

    def _grad_of(self, expr: cst.BaseExpression, scope: FunctionFacts) -> Grad:
        """NO for values autograd never tracks: numbers, bools, fresh factories fed no grad, `.grad`."""
        if isinstance(expr, (cst.BaseNumber, cst.BaseString, cst.Comparison, cst.BooleanOperation)):
            return Grad.NO
        if never_requires_grad(expr) or isinstance(expr, cst.Attribute) and expr.attr.value == "data":
            return Grad.NO
        if isinstance(expr, cst.Name):
            return self._name_grad(expr.value, scope)
        if isinstance(expr, (cst.Subscript,)):
            return self._grad_of(expr.value, scope)
        if isinstance(expr, cst.UnaryOperation):
            return self._grad_of(expr.expression, scope)
        if isinstance(expr, cst.BinaryOperation):
            return _any_maybe([self._grad_of(expr.left, scope), self._grad_of(expr.right, scope)])
        if isinstance(expr, cst.Attribute):
            if self.kinds.kind(expr, scope) is Kind.NOT_TENSOR or self._plain_self_attribute(expr, scope):
                return Grad.NO
            return self._grad_of(expr.value, scope) if expr.attr.value in ("T", "mT", "real", "imag") else Grad.MAYBE
        if isinstance(expr, cst.Call):
            return self._call_grad(expr, scope)
        return Grad.MAYBE

    def _call_grad(self, call: cst.Call, scope: FunctionFacts) -> Grad:
        flag = next((a.value for a in call.args if a.keyword and a.keyword.value == "requires_grad"), None)
        if flag is not None and not (isinstance(flag, cst.Name) and flag.value == "False"):
            return Grad.MAYBE
        func = call.func
        name = qualified(func, self.facts.imports)
        args = [a.value for a in call.args]
        if name is not None:
            last = name.rsplit(".", 1)[-1]
            if not name.startswith("torch.") or last in ("Parameter",) or name.startswith("torch.nn.") and not name.startswith("torch.nn.functional."):
                return Grad.NO if name.split(".")[0] in ("numpy", "math", "random") else Grad.MAYBE
            if last in FACTORIES or last in DISCRETE:
                return Grad.NO
            return _any_maybe([self._grad_of(a, scope) for a in args])
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in NEW_METHODS or method in DISCRETE or self.kinds.kind(call, scope) is Kind.NOT_TENSOR:
                return Grad.NO
            grad_free = isinstance(func.value, (cst.Comparison, cst.BooleanOperation, cst.Name))
            if grad_free and self._grad_of(func.value, scope) is Grad.NO:  # `(w > 0).to(dtype)`, `mask.sum()`
                return _any_maybe([self._grad_of(a, scope) for a in args])
            if method == "requires_grad_" or self.kinds.kind(func.value, scope) is not Kind.TENSOR:
                return Grad.MAYBE
            return _any_maybe([self._grad_of(func.value, scope)] + [self._grad_of(a, scope) for a in args])
        if isinstance(func, cst.Name) and self.kinds.kind(call, scope) is Kind.NOT_TENSOR:
            return Grad.NO
        if isinstance(func, cst.Name) and func.value in VALUE_BUILTINS and func.value not in scope.bindings:
            return _any_maybe([self._grad_of(a, scope) for a in args])  # `min(a, b)` is one of its arguments
        return Grad.MAYBE

    def _name_grad(self, name: str, scope: FunctionFacts) -> Grad:
        key = (id(scope), name)
        if key in self._grad:
            return self._grad[key]
        self._grad[key] = Grad.NO  # a cycle (`x = x * 2`) adds nothing new
        result = self._resolve_name_grad(name, scope)
        self._grad[key] = result
        return result

    def _resolve_name_grad(self, name: str, scope: FunctionFacts) -> Grad:
        if self.kinds.name_kind(name, scope) is Kind.NOT_TENSOR:
            return Grad.NO
        if name in scope.params and DISCRETE_NAMES.search(name):
            return Grad.NO  # `input_ids`, `attention_mask`, `labels`: integer or bool by convention
        if name in scope.params or name in scope.outer_names or name not in scope.timeline:
            return Grad.MAYBE
        if len(scope.timeline[name]) != len(scope.bindings.get(name, ())):
            return Grad.MAYBE  # bound somewhere the timeline does not see (a comprehension, walrus)
        values = [b.value for b in scope.timeline[name]]
        if any(v is None for v in values) or any(self._grad_of(v, scope) is Grad.MAYBE for v in values if v is not None):
            return Grad.MAYBE
        for write in scope.writes.get(name, []):
            if any(self._grad_of(v, scope) is Grad.MAYBE for v in _written_values(write)):
                return Grad.MAYBE  # it received a value that may require grad
        return Grad.NO

    def _plain_self_attribute(self, expr: cst.Attribute, scope: FunctionFacts) -> bool:
        """`self.x` in a class whose known bases are none of torch.nn's (a data sampler, a scheduler)."""
        bases = scope.class_bases
        is_self = isinstance(expr.value, cst.Name) and expr.value.value == "self"
        return is_self and bool(bases) and not any(b.startswith("torch.nn.") for b in bases)

    def _number(self, expr: cst.BaseExpression, scope: FunctionFacts) -> bool:
        return self.kinds.kind(expr, scope) is Kind.NOT_TENSOR

    # fix safety ---------------------------------------------------------------------------------
    def fix_safety(self, target: cst.BaseExpression, node: cst.CSTNode,
                   besides: cst.CSTNode | None = None, *, tensor: bool = False) -> tuple[Safety, Message]:
        """Whether rebinding `target` keeps behaviour: the aliasing analysis decides."""
        return self.aliases.fix_safety(target, node, besides, tensor=tensor)

    def _overload_saves_less(self, node: cst.BaseExpression, label: str, op: str, scope: FunctionFacts) -> bool:
        """The table merges overloads: `max(x, dim)` saves only indices, `x.pow(2)` not its result."""
        args = [a for a in getattr(node, "args", ()) if not a.star]
        extra = args if label.startswith(".") else args[1:]
        if op in ("max", "min"):
            return bool(extra)
        if op == "pow" and isinstance(node, cst.Call):
            return bool(extra) and self._number(extra[0].value, scope)
        return False

    def _bare_parameter(self, expr: cst.BaseExpression, scope: FunctionFacts) -> bool:
        name = _storage_name(expr)
        return name is not None and name in scope.params and name not in scope.timeline and scope.params[name].annotation is None

    def _rebound_after(self, op: cst.BaseExpression, name: str, scope: FunctionFacts) -> bool:
        """A binding of `name` after `op` that runs whenever `op` ran (its blocks enclose the op's)."""
        at, blocks = self.facts.order.get(id(op), 0), self.facts.blocks.get(id(op), ())
        return any(b.order > at and blocks[: len(b.blocks)] == b.blocks and b.order < self._write_order
                   for b in scope.timeline.get(name, []))

    def _tensor_operands(self, op: cst.BinaryOperation, saved: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """An operator runs a tensor op: `@` unless an operand is surely not a tensor; `*`, `/`, `**`
        only when an operand is proved a tensor (the saved one at least may be)."""
        kinds = [self.kinds.kind(e, scope) for e in (op.left, op.right)]
        if Kind.NOT_TENSOR in kinds and isinstance(op.operator, cst.MatrixMultiply) or self._number(saved, scope):
            return False
        return isinstance(op.operator, cst.MatrixMultiply) or Kind.TENSOR in kinds

    def _tensor_method(self, call: cst.Call, scope: FunctionFacts) -> bool:
        """`x.sigmoid()` on a tensor (or on anything, for a method only tensors have)."""
        func = call.func
        assert isinstance(func, cst.Attribute)
        receiver = self.kinds.kind(func.value, scope)
        return receiver is Kind.TENSOR or receiver is Kind.UNKNOWN and self.kinds.kind(call, scope) is Kind.TENSOR


def _storage_name(expr: cst.BaseExpression) -> str | None:
    """The name whose storage `expr` surely is: the name or a view of it (a cast may copy)."""
    while True:
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in TRUE_VIEWS:
            expr = expr.func.value
        elif isinstance(expr, cst.Subscript):
            expr = expr.value
        else:
            return None


def _written_values(write: cst.CSTNode) -> list[cst.BaseExpression]:
    if isinstance(write, cst.AugAssign):
        return [write.value]
    if isinstance(write, cst.Assign):
        return [write.value]
    if isinstance(write, cst.Call):
        return [a.value for a in write.args]
    return []


def _any_maybe(grads: list[Grad]) -> Grad:
    return Grad.MAYBE if Grad.MAYBE in grads else Grad.NO


def _write(node: cst.CSTNode, width: int = 60) -> str:
    """The in-place write as the message quotes it: its first line, cut with … past `width`."""
    lines = code(node).strip().splitlines() or [""]
    first = " ".join(lines[0].split())
    if len(first) > width:
        return first[: width - 1] + "…"
    return first + ("…" if len(lines) > 1 else "")
