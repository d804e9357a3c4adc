"""What IP103 (masked-assignment) and IP104 (index-assignment) share: finding `t[...] = v` and
`t[...] op= v` on a tensor, telling masks from other indices, and the clone-then-write fallback."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace

import libcst as cst

from codemods._element_writes import rebound_element
from fixer.rule import FACTORIES as TORCH_FACTORIES, NUMBER_FACTORIES
from fixer.rule import (
    AUGMENTED_TO_BINARY, SAME_TENSOR_ATTRIBUTES, Callee, Codemod, FileFacts, FunctionFacts, ImportMap, Kind, LineOf,
    Passed, Risk, RuleContext, Safety, Severity, Trigger, assign, builds_list, callee_of, children, code, contains, dotted,
    element_rebind_safety, is_assignable, is_text, literal_index, passed_for, qualified, quoted, right_operand,
    runs_without_grad, saved_by_a_later_op, saved_by_own_value,
)

# Tensor predicates: their result is a boolean tensor shaped like their (first) tensor argument.
PREDICATES = frozenset({"isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit",
                        "logical_not", "logical_and", "logical_or", "logical_xor", "eq", "ne", "gt",
                        "lt", "ge", "le", "greater", "less", "greater_equal", "less_equal", "not_equal",
                        "isclose", "isin", "bool"})
BITWISE = (cst.BitAnd, cst.BitOr, cst.BitXor)
# Torch calls that build a tensor autograd does not track unless asked (`requires_grad=True`).
# `as_tensor` may return its argument and `tril`/`triu` are ops, not factories: fresh all the same here.
FACTORIES = frozenset(TORCH_FACTORIES) | {"as_tensor", "tril", "triu"}
HARMLESS_READS = frozenset({"shape", "size", "dtype", "device", "dim", "ndim", "numel", "clone", "is_cuda",
                            "requires_grad", "stride", "is_contiguous", "element_size"})
RESHAPES = frozenset({"view", "reshape", "repeat", "expand", "permute", "flatten", "unflatten", "unsqueeze",
                      "squeeze", "transpose", "to", "type", "contiguous", "float", "double", "half", "long",
                      "int", "bool", "narrow", "roll", "flip", "repeat_interleave", "tile"})
PLAIN_CALLS = frozenset({"max", "min", "abs", "int", "float", "round", "len"})
INT_OPERATORS = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Modulo)
MADE_BY_METHODS = frozenset({"new_zeros", "new_ones", "new_full", "new_empty", "new_tensor", "clone"})
SIZED = NUMBER_FACTORIES
Write = tuple[cst.BaseSmallStatement, cst.Subscript, cst.BaseExpression, cst.BaseAugOp | None]


def subscript_target(node: ast.AST, file: FileFacts) -> ast.Subscript | None:
    """The cheap pass: the subscript written by `t[...] = v` or `t[...] op= v`, when `t` may be a
    tensor the write can rebind and the index is not a string (a tensor never takes one)."""
    if isinstance(node, ast.AugAssign):
        target = node.target
    else:
        target = node.targets[0] if len(node.targets) == 1 else None  # type: ignore[attr-defined]
    if not isinstance(target, ast.Subscript):
        return None
    held = target.value
    while isinstance(held, ast.Subscript):
        held = held.value  # `out[0][:, j] = v`: an element of `out`
    if not file.may_hold_tensor(held):
        return None
    if isinstance(held, ast.Attribute) and held.attr not in SAME_TENSOR_ATTRIBUTES:
        return None  # `self.cache[i] = v`: the analysis proves no attribute a tensor but `x.T` and kin
    element = held is not target.value and held.id in file.parameters if isinstance(held, ast.Name) else False
    if isinstance(held, ast.Name) and not file.may_be_tensor_name(held.id) and not element:
        return None  # `groups = {}` ... `groups[k] = v`, `for row in rows: row[0] = v`
    index = target.slice
    return None if isinstance(index, ast.Constant) and isinstance(index.value, str) or isinstance(index, ast.JoinedStr) else target


class IndexWrite(Codemod):
    """Visits subscript writes on tensors; subclasses pick theirs with `owns` and fix them in `decide`."""

    PREFILTER = re.compile(r"\]\s*(?:\*\*|//|<<|>>|[-+*/%@&|^])?=(?!=)")
    TRIGGERS = (
        Trigger("Assign", lambda w: w.target_kinds == ("Subscript",)),
        Trigger("AugAssign", lambda w: w.target.kind == "Subscript"),
    )

    @classmethod
    def prefilter(cls, text: str) -> bool:
        return "torch" in text and super().prefilter(text)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self.cloned_before: dict[int, str] = {}  # id of a statement -> the name `x = x.clone()` just before
        self.handled: set[int] = set()  # writes already reported as part of a larger fix
        self.following: dict[int, cst.BaseSmallStatement] = {}  # a statement -> the next in its block
        self.risks: dict[int, Risk] = {}  # id of a write -> its risk (severity, reason, fix safety)
        # Source order of reads, to tell a fresh buffer written before anything could save it.
        self._order, self._loops, self._functions = 0, [0], [0]
        self._not_reads: set[int] = set()  # names that are bound or written, not read
        self._reads: dict[tuple[int, str], list[tuple[int, frozenset[int], cst.CSTNode | None]]] = {}
        self._statements: list[cst.Assign | cst.AugAssign] = []
        self._grad_free: dict[tuple[int, frozenset[str]], bool] = {}
        self._size_names: dict[int, set[str]] = {}  # id of a function -> `size_names` of it
        self._writes: dict[int, tuple[int, frozenset[int], int]] = {}
        self._binds: dict[tuple[int, str], list[tuple[int, cst.BaseExpression, frozenset[int]]]] = {}
        self._grad_off: dict[Callee, bool] = {}  # functions every caller in the file runs without grad
        self._callers: dict[tuple[Callee, str], Passed | None] = {}  # what callers pass, by function and parameter
        self._stores: dict[tuple[int, str], list[cst.BaseExpression]] = {}  # values written into a name's elements
        self.in_list: dict[int, bool] = {}  # id of a write into `out[k]` that rebinds `out` -> `out` is a list built here

    def visit_IndentedBlock(self, node: cst.IndentedBlock | cst.Module) -> None:
        previous: cst.BaseSmallStatement | None = None
        for line in node.body:
            for small in line.body if isinstance(line, cst.SimpleStatementLine) else [None]:
                cloned = _cloned_name(previous)
                copy = self.cloned_before.get(id(previous)) if previous is not None else None
                if copy is not None and _written_name(previous) == copy:  # type: ignore[arg-type]
                    cloned = copy  # a run of writes into one copy
                if small is not None and cloned is not None:
                    self.cloned_before[id(small)] = cloned
                if previous is not None and small is not None:
                    self.following[id(previous)] = small
                previous = small

    visit_Module = visit_IndentedBlock  # type: ignore[assignment]

    def visit_Assign(self, node: cst.Assign) -> None:
        self._statements.append(node)
        for target in node.targets:
            self._not_reads.update(_name_ids(target.target))
            if isinstance(target.target, cst.Subscript):
                self._store(target.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._statements.append(node)
        if isinstance(node.target, cst.Subscript):
            self._not_reads.update(_name_ids(node.target))
            self._store(node.target, node.value)

    def _store(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """Remember `v` in `t[i] = v` under `t`: what a buffer holds is also what was written into it."""
        while isinstance(target, cst.Subscript):
            target = target.value
        if isinstance(target, cst.Name):
            self._stores.setdefault((self._functions[-1], target.value), []).append(value)

    def stored(self, name: str, scope: FunctionFacts) -> list[cst.BaseExpression]:
        """The values written into elements of `name` in the function `scope`."""
        return self._stores.get((id(scope.node) if scope.node is not None else 0, name), [])

    def leave_Assign(self, original_node: cst.Assign | cst.AugAssign) -> None:
        self._statements.pop()
        self._order += 1
        loops = frozenset(self._loops[1:])
        self._writes[id(original_node)] = (self._order, loops, self._functions[-1])
        for target in getattr(original_node, "targets", []):
            if isinstance(target.target, cst.Name):
                key = (self._functions[-1], target.target.value)
                self._binds.setdefault(key, []).append((self._order, original_node.value, loops))

    leave_AugAssign = leave_Assign  # type: ignore[assignment]

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._not_reads:
            self._order += 1
            read = (self._order, frozenset(self._loops[1:]), self._statements[-1] if self._statements else None)
            for function in self._functions:
                self._reads.setdefault((function, node.value), []).append(read)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in HARMLESS_READS:  # `t.shape`, `t.clone()`: nothing saved, nothing held
            base = node.value
            while isinstance(base, cst.Subscript):
                base = base.value
            self._not_reads.add(id(base))

    def visit_For(self, node: cst.For | cst.While) -> None:
        self._loops.append(id(node))

    def leave_For(self, original_node: cst.For | cst.While) -> None:
        self._loops.pop()

    visit_While, leave_While = visit_For, leave_For  # type: ignore[assignment]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(id(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def unread_fresh(self, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """A buffer just made (`torch.zeros`, `x.new_zeros`, `x.clone()`) and not read before this
        write, nor in a loop around it: no op can have saved it, so writing it is harmless."""
        scope = self.scope(node)
        if not isinstance(target, cst.Name) or target.value in scope.params:
            return False
        name = target.value
        order, loops, function = self._writes[id(node)]
        binds = self._binds.get((function, name), [])
        if len(binds) != len(scope.bindings.get(name, [])):
            return False  # also bound by unpacking, a loop, `with ... as`
        # Bindings that may reach the write; `x = x.view(...)` before it reads `x`, so the reads decide.
        reaching = [v for at, v, around in binds if at < order or around & loops]
        if not reaching or not all(self._fresh(v, node) or _mentions(v, name) for v in reaching):
            return False
        reads = self._reads.get((function, name), [])
        if not loops:  # reads after the write pass: only those before it are asked about (they are in order)
            reads = reads[: bisect_left(reads, order, key=lambda read: read[0])]
        return all(at > order and not (around & loops) or self._read_saves_nothing(statement, node)
                   for at, around, statement in reads)

    def _read_saves_nothing(self, statement: cst.CSTNode | None, node: cst.CSTNode) -> bool:
        """A read in `y = <value autograd never tracks>`, `m = t[i] > 0` (a comparison of plain reads)
        or `y = t[i][m]` (a mask copies what it selects): no op there saves the buffer for backward."""
        if not isinstance(statement, (cst.Assign, cst.AugAssign)):
            return False
        value = statement.value
        if isinstance(value, cst.Comparison):
            return all(_plain(p) for p in [value.left] + [c.comparator for c in value.comparisons])
        if isinstance(value, cst.Subscript) and isinstance(statement, cst.Assign) and _plain(value):
            last = value.slice[0].slice if len(value.slice) == 1 else None
            if isinstance(last, cst.Index) and self.is_mask(last.value, node):
                return True
        return self.grad_free(value, node)

    def _fresh(self, value: cst.BaseExpression, node: cst.CSTNode) -> bool:
        if not isinstance(value, cst.Call):
            return self.grad_free(value, node)
        name = (qualified(value.func, self.context.facts.imports) or "").rsplit(".", 1)[-1]
        func = value.func
        made = isinstance(func, cst.Attribute) and func.attr.value in MADE_BY_METHODS
        return made or name in FACTORIES or name.endswith("_like") or self.grad_free(value, node)

    def check(self, node: cst.Assign | cst.AugAssign) -> None:
        write = _write(node)
        _, sub, value, _ = write
        target = sub.value
        if id(node) in self.handled or self.cloned_before.get(id(node)) == code(target):
            return  # our own clone-then-write
        if not is_assignable(target):
            self.check_element(write)  # `a[0][:, j] = v`: only `a` can be rebound
            return
        if isinstance(target, cst.Attribute) and target.attr.value == "data":
            return  # IP109: writes through `.data` bypass autograd
        if len(sub.slice) == 1 and isinstance(sub.slice[0].slice, cst.Index) and is_text(sub.slice[0].slice.value):
            return  # `d["key"] = v`: a dict, since a tensor never takes a string index
        seen = self.evidenced(target, node)  # a run proved it a tensor whose write broke backward
        kind = self.kind(target, node)
        if not seen and (kind is Kind.NOT_TENSOR or not self.grad_may_flow(target, node)):
            return
        if not seen and kind is Kind.UNKNOWN and not self._saved_by_caller(target, node):
            return  # `def helper(h)`: a tensor only when a caller proves it one
        if not self.owns(sub, node) or self.updates_grad_leaf(target, [value], node):
            return
        if not seen and self.unread_fresh(target, node):
            return  # a fresh buffer (a mask, a position table) that no op can have saved yet
        risk = self.risk(target, node, [value])
        if risk is None:
            return
        if risk.severity is Severity.WARNING and isinstance(target, cst.Name):
            risk = self._saved_elsewhere(risk, target.value, node)
            if risk is None:
                return
        elif isinstance(target, cst.Name) and self._passed_lists(target.value, node):
            return  # `x[i] = self.m[i](x[i])` where every caller passes `[p3, p4]`: a list, not a tensor
        self.risks[id(node)] = risk
        self.decide(write)

    def check_element(self, write: Write) -> None:
        """Report a write into a tensor no name holds only when its own value saved a part of it; fix
        it by rebinding the sequence around the element when it is a literal position of a name."""
        node, sub, value, _ = write
        target = sub.value
        if self.kind(target, node) is Kind.NOT_TENSOR or not self.grad_may_flow(target, node) or not self.owns(sub, node):
            return
        assert self.context.risks is not None
        found = saved_by_own_value(self.context.risks, target, node, value, self.scope(node))
        if found is None:
            return
        element = literal_index(target)
        safety, because = Safety.DISPLAY_ONLY, (f"`{code(target)}` is no name a rewrite can rebind",)
        if element is not None:
            safety, because = element_rebind_safety(self.context.risks.aliases, *element, node, self.scope(node))
            self.in_list[id(node)] = builds_list(self.context.risks.aliases, element[0], node, self.scope(node))
        self.risks[id(node)] = Risk(Severity.ERROR, found[1], safety, because, found[0])
        if safety is Safety.DISPLAY_ONLY:
            self.report_write(write, "an indexed part", None)
        else:
            self.decide(write)  # the rule's out-of-place form of the element, then the sequence rebuilt around it

    def _without_grad(self, scope: FunctionFacts) -> bool:
        file, callee = self.context.facts.file, callee_of(scope)
        if file is None or callee is None:
            return False
        if callee not in self._grad_off:
            self._grad_off[callee] = runs_without_grad(file, callee)
        return self._grad_off[callee]

    def _saved_by_caller(self, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """`target` holds an argument that a caller in the file saved before the call."""
        assert self.context.risks is not None
        if not isinstance(target, cst.Name):
            return False
        found = passed_for(self.context.facts.file, self.context.risks.flow, target.value, node, self.scope(node), self._callers)
        return found is not None and found[1].saved is not None and not found[1].containers

    def _passed_lists(self, name: str, node: cst.CSTNode) -> bool:
        """`name` holds a parameter every caller in the file fills with a list, tuple or dict."""
        assert self.context.risks is not None
        found = passed_for(self.context.facts.file, self.context.risks.flow, name, node, self.scope(node), self._callers)
        return found is not None and found[1].containers

    def _saved_elsewhere(self, risk: Risk, name: str, node: cst.CSTNode) -> Risk | None:
        """A warning made an error by an op saving the tensor in a later loop iteration or in the
        caller that passed it; None when every caller passes a list, not a tensor."""
        risks, scope = self.context.risks, self.scope(node)
        assert risks is not None
        later = saved_by_a_later_op(risks, name, node, scope)
        if later is not None:
            return replace(risk, severity=Severity.ERROR, reason=later[1], saved_by=later[0])
        if self._without_grad(scope):
            return None  # every caller in the file runs it under `torch.no_grad()`
        found = passed_for(self.context.facts.file, risks.flow, name, node, scope, self._callers)
        if found is None:
            return risk
        param, callers = found
        if callers.containers:
            return None  # `self.detect([p3, p4])`: the parameter holds a list
        if callers.saved is None:
            return risk
        holds = f"`{name}` is an argument" if name == param else f"`{name}` holds the argument `{param}`"
        reason = (f"{holds} of this function; {callers.saved}; `{quoted(node)}` at line ",
                  LineOf(node), " makes backward fail")
        return replace(risk, severity=Severity.ERROR, reason=reason)

    def owns(self, sub: cst.Subscript, node: cst.CSTNode) -> bool:
        raise NotImplementedError

    def decide(self, write: Write) -> None:
        raise NotImplementedError

    # helpers --------------------------------------------------------------------------------
    def written(self, write: Write, *, cast: bool = False) -> cst.BaseExpression:
        """The value stored: `v`, or `t[i] op v` for an augmented write. `cast`: the value goes to
        `index_put`, which refuses a source of another dtype, where the in-place `t[i] op= v`
        rounds `t[i] op v` back to `t`'s dtype: `(t[i] op v).to(t.dtype)` unless proven the same."""
        node, sub, value, op = write
        if op is None:
            return value
        operator = AUGMENTED_TO_BINARY[type(op)]()
        stored = cst.BinaryOperation(left=sub, operator=operator, right=right_operand(value, operator))
        return self.kept_in_dtype(sub.value, stored, [value], node) if cast else stored

    def report_write(self, write: Write, what: str, fixed: cst.BaseExpression | None, *,
                     safety: Safety | None = None, imports: tuple[str, ...] = ()) -> None:
        """Report `t = <fixed>`, or the clone-then-write form when `fixed` is None."""
        node, sub, _, op = write
        target = sub.value
        lines: Sequence[cst.BaseSmallStatement]
        after = ""
        if id(node) in self.in_list:
            self._report_element(write, fixed, imports)
            return
        if fixed is None:
            lines = [assign(target, cst.Call(func=cst.Attribute(value=target, attr=cst.Name("clone")))), node]
            run = self._writes_after(node, code(target))
            self.handled.update(id(w) for w in run)
            after = f" (and the {len(run)} writes after it, into the same copy)" if run else ""
        else:
            lines = [assign(target, fixed)]
        operator = code(op).strip() if op is not None else "="
        message = f"`{code(sub)} {operator}` writes {what} of the tensor `{code(target)}` in place{after}"
        self.report_risk(node, self.risks[id(node)], message, replacement=lines, safety=safety, imports=imports)

    def _report_element(self, write: Write, fixed: cst.BaseExpression | None, imports: tuple[str, ...]) -> None:
        """Report a write into `out[k]` with `out` rebound around the element's out-of-place form;
        no fix without one: a copy written in place would fail the same way, as the value reads it."""
        node, sub, _, op = write
        risk = self.risks[id(node)]
        lines = None
        if fixed is None and risk.safety is not Safety.DISPLAY_ONLY:
            risk = replace(risk, safety=Safety.DISPLAY_ONLY, unsafe_because=(
                f"no out-of-place form of this index, and the value reads `{code(sub.value)}`, "
                "so a copy written in place fails too",))
        elif fixed is not None:
            lines = [rebound_element(sub.value, fixed, in_list=self.in_list[id(node)])]  # type: ignore[arg-type]
        operator = code(op).strip() if op is not None else "="
        message = f"`{code(sub)} {operator}` writes an element of the sequence `{code(sub.value)}` in place"
        self.report_risk(node, risk, message, replacement=lines, imports=imports if lines else ())

    def _writes_after(self, node: cst.CSTNode, target: str) -> list[cst.BaseSmallStatement]:
        """The writes to `target` right after `node` in its block: after a clone they write the copy."""
        run = []
        statement = self.following.get(id(node))
        while statement is not None and _written_name(statement) == target:
            run.append(statement)
            statement = self.following.get(id(statement))
        return run

    def torch_imports(self) -> tuple[str, ...]:
        return ("torch",) if self.context.torch_name is None else ()

    def torch(self, name: str) -> cst.Attribute:
        return cst.Attribute(value=cst.Name(self.context.torch_name or "torch"), attr=cst.Name(name))

    def is_mask(self, expr: cst.BaseExpression, node: cst.CSTNode, depth: int = 0) -> bool:
        """`x > 0`, `~m`, `a & b`, `torch.isnan(x)`, `x.bool()`, or a name every binding makes a mask."""
        scope = self.scope(node)
        if isinstance(expr, cst.Comparison):
            parts = [expr.left] + [c.comparator for c in expr.comparisons]
            return any(self.context.kinds.kind(p, scope) is Kind.TENSOR for p in parts)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.BitInvert):
            return self.is_mask(expr.expression, node, depth)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, BITWISE):
            return self.is_mask(expr.left, node, depth) or self.is_mask(expr.right, node, depth)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            name = qualified(expr.func, self.context.facts.imports) or ""
            if expr.func.attr.value in PREDICATES and (name.startswith("torch.") or
                                                       self.context.kinds.kind(expr.func.value, scope) is Kind.TENSOR):
                return True
            return any(a.keyword is not None and a.keyword.value == "dtype" and code(a.value).endswith(".bool")
                       for a in expr.args)
        if isinstance(expr, cst.Name) and depth < 4:
            values = scope.bindings.get(expr.value, [])
            return bool(values) and expr.value not in scope.params and all(
                v is not None and self.is_mask(v, node, depth + 1) for v in values)
        return False

    def size_names(self, function: cst.CSTNode) -> set[str]:
        """Every name `function` passes to a torch factory as a size (`torch.zeros(n, d)`), found in one walk."""
        if id(function) not in self._size_names:
            found: set[str] = set()
            contains(function, lambda n: found.update(_size_names(n, self.context.facts.imports)) is not None)
            self._size_names[id(function)] = found
        return self._size_names[id(function)]

    def grad_free(self, expr: cst.BaseExpression, node: cst.CSTNode, depth: int = 0,
                  assumed: frozenset[str] = frozenset()) -> bool:
        """Whether `expr` is provably a value autograd never tracks: constants, fresh factories, and
        torch ops over those. `assumed`: names being proved (`t = t.permute(...)` keeps `t` free)."""
        key = (id(expr), assumed)
        if key not in self._grad_free:
            self._grad_free[key] = self._prove_grad_free(expr, node, depth, assumed)
        return self._grad_free[key]

    def _prove_grad_free(self, expr: cst.BaseExpression, node: cst.CSTNode, depth: int,
                         assumed: frozenset[str]) -> bool:
        scope = self.scope(node)
        kind = self.context.kinds.kind(expr, scope)
        if kind is Kind.NOT_TENSOR or depth > 40:
            return kind is Kind.NOT_TENSOR
        if isinstance(expr, cst.Name):
            return expr.value in assumed or _name_grad_free(self, expr.value, scope, node, depth, assumed)
        free = lambda part: self.grad_free(part, node, depth + 1, assumed)  # noqa: E731
        if isinstance(expr, cst.Call):
            if any(a.keyword is not None and a.keyword.value == "requires_grad" for a in expr.args):
                return False
            name = qualified(expr.func, self.context.facts.imports) or ""
            if name.startswith("torch.") and name.rsplit(".", 1)[-1] in FACTORIES:
                return True
            parts = [a.value for a in expr.args]
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in RESHAPES:
                parts = []  # sizes, dims and dtypes carry no gradient
            if isinstance(expr.func, cst.Attribute) and not name.startswith("torch."):
                if (dotted(expr.func) or "").startswith("self."):
                    return False  # a submodule: its parameters require grad
                parts.append(expr.func.value)
            elif not name.startswith("torch.") and not (isinstance(expr.func, cst.Name) and expr.func.value in
                                                        PLAIN_CALLS and expr.func.value not in scope.bindings):
                return False
            return all(free(p) for p in parts)
        parts = _operands(expr)
        return bool(parts) and all(free(p) for p in parts)


def _name_grad_free(rule: IndexWrite, name: str, scope: FunctionFacts, node: cst.CSTNode, depth: int,
                    assumed: frozenset[str]) -> bool:
    if scope.node is not None and name in rule.size_names(scope.node):
        return True  # `torch.zeros(n, d)`, `torch.arange(0, d, 2)`: `d` is a size, an int
    if name in scope.params or name in scope.outer_names or name not in scope.bindings:
        return False
    values = scope.bindings[name]
    if not all(v is not None and rule.grad_free(v, node, depth + 1, assumed | {name}) for v in values):
        return False
    # `buf[0] = x` puts `x`'s gradient in `buf`; `buf[0] += self.size - 1` puts none
    return not any(_carries_grad(rule, v, scope, node, depth, assumed | {name}) for v in rule.stored(name, scope))


def _carries_grad(rule: IndexWrite, value: cst.BaseExpression, scope: FunctionFacts, node: cst.CSTNode, depth: int,
                  assumed: frozenset[str]) -> bool:
    """A value stored into a buffer that may bring a gradient: it reads a variable not proven
    grad-free, a parameter of the class (`self.w`), or calls a submodule (`self.proj(x)`)."""
    if rule.grad_free(value, node, depth + 1, assumed):
        return False
    imports = rule.context.facts.imports
    owned = set(scope.class_parameters) | set(scope.class_info.submodules if scope.class_info is not None else ())

    def carries(part: cst.CSTNode) -> bool:
        if isinstance(part, cst.Attribute) and isinstance(part.value, cst.Name) and part.value.value == "self":
            return part.attr.value in owned  # `self.window_size` is configuration, `self.w` a parameter
        if isinstance(part, cst.Attribute):
            return qualified(part, imports) is None and carries(part.value)  # `torch.float`, `math.pi`: no tensor
        if isinstance(part, cst.Call) and isinstance(part.func, cst.Name):
            return any(carries(a.value) for a in part.args)  # `max(...)`: the function's name reads no tensor
        if isinstance(part, cst.Name):
            return (part.value != "self" and qualified(part, imports) is None
                    and not rule.grad_free(part, node, depth + 1, assumed))
        return any(carries(child) for child in children(part))

    return carries(value)


def _size_names(node: cst.CSTNode, imports: ImportMap) -> set[str]:
    """The names a torch factory call takes as positional size arguments, when `node` is one."""
    factory = qualified(node.func, imports) if isinstance(node, cst.Call) else None
    if factory is None or not factory.startswith("torch.") or factory.rsplit(".", 1)[-1] not in SIZED:
        return set()
    return {a.value.value for a in node.args  # type: ignore[attr-defined]
            if isinstance(a.value, cst.Name) and a.keyword is None}


def _plain(expr: cst.BaseExpression) -> bool:
    """A read that runs no op autograd records a save for: names, numbers, and indexes of them."""
    if isinstance(expr, (cst.Name, cst.BaseNumber)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return _plain(expr.expression)
    if isinstance(expr, cst.Subscript):
        parts = [p for e in expr.slice for p in ((e.slice.value,) if isinstance(e.slice, cst.Index) else
                                                 (e.slice.lower, e.slice.upper, e.slice.step)) if p is not None]
        return _plain(expr.value) and all(_plain(p) for p in parts)
    return False


def _mentions(expr: cst.CSTNode, name: str) -> bool:
    return contains(expr, lambda n: isinstance(n, cst.Name) and n.value == name)


def _name_ids(target: cst.CSTNode) -> set[int]:
    """Every name in a write's target: `t` in `t[i] = v` is written, not read."""
    found: set[int] = set()
    contains(target, lambda n: isinstance(n, cst.Name) and found.add(id(n)) is not None)
    return found


def _operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BinaryOperation):
        return [expr.left, expr.right]
    if isinstance(expr, cst.UnaryOperation):
        return [expr.expression]
    if isinstance(expr, cst.Comparison):
        return [expr.left] + [c.comparator for c in expr.comparisons]
    if isinstance(expr, cst.Subscript):
        return [expr.value] + [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [e.value for e in expr.elements]
    if isinstance(expr, cst.Attribute) and expr.attr.value in ("T", "mT"):
        return [expr.value]
    return []


def _write(node: cst.Assign | cst.AugAssign) -> Write:
    """`t[...] = v` or `t[...] op= v` as (statement, subscript, value, operator or None)."""
    if isinstance(node, cst.AugAssign):
        return node, node.target, node.value, node.operator  # type: ignore[return-value]
    return node, node.targets[0].target, node.value, None  # type: ignore[return-value]


def _written_name(statement: cst.CSTNode) -> str | None:
    """`t` for `t[...] = v` and `t[...] op= v`."""
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        target = statement.targets[0].target
    elif isinstance(statement, cst.AugAssign):
        target = statement.target
    else:
        return None
    return code(target.value) if isinstance(target, cst.Subscript) else None


def _cloned_name(statement: cst.BaseSmallStatement | None) -> str | None:
    """`x` for the statement `x = x.clone()`."""
    if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
        return None
    value, target = statement.value, statement.targets[0].target
    if isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute):
        if value.func.attr.value == "clone" and code(value.func.value) == code(target):
            return code(target)
    return None



def is_scalar(expr: cst.BaseExpression) -> bool:
    """A Python number: literals, `-1`, `float("-inf")`, `torch.finfo(x.dtype).min`, `math.inf`."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        return is_scalar(expr.expression)
    if isinstance(expr, cst.BinaryOperation):
        return is_scalar(expr.left) and is_scalar(expr.right)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        return expr.func.value in ("float", "int") and all(isinstance(a.value, cst.BaseString) for a in expr.args)
    if isinstance(expr, cst.Attribute):
        if isinstance(expr.value, cst.Name) and expr.value.value == "math":
            return expr.attr.value in ("inf", "pi", "e", "nan")
        inner = expr.value
        return (expr.attr.value in ("min", "max", "eps", "tiny") and isinstance(inner, cst.Call)
                and isinstance(inner.func, cst.Attribute) and inner.func.attr.value in ("finfo", "iinfo"))
    return False


def is_int(expr: cst.BaseExpression, scope: FunctionFacts, depth: int = 0) -> bool:
    """Provably a Python int: literals, `range` loop variables, `len(...)`, `x.shape[0]`, sums of those."""
    if isinstance(expr, cst.Integer):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return is_int(expr.expression, scope, depth)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, INT_OPERATORS):
        return is_int(expr.left, scope, depth) and is_int(expr.right, scope, depth)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("len", "int"):
        return expr.func.value not in scope.bindings
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Attribute):
        return expr.value.attr.value == "shape"
    if not isinstance(expr, cst.Name) or depth > 4:
        return False
    if expr.value in scope.params:
        annotation = scope.params[expr.value].annotation
        return annotation is not None and code(annotation.annotation) == "int"
    ranges = [i for i in scope.loop_iters.get(expr.value, []) if isinstance(i, cst.Call)
              and isinstance(i.func, cst.Name) and i.func.value == "range"]
    values = scope.bindings.get(expr.value, [])
    others = [v for v in values if v is not None]
    if len(ranges) != len(scope.loop_iters.get(expr.value, [])) or len(values) - len(others) != len(ranges):
        return False  # also bound by unpacking, `with`, or a loop over something else
    return bool(values) and all(is_int(v, scope, depth + 1) for v in others)


def one_index(elements: list[cst.BaseSlice]) -> tuple[int, cst.BaseSlice] | None:
    """(dim, index) when exactly one element is not `:` and the dim it indexes is known."""
    def full(e: cst.BaseSlice) -> bool:
        return isinstance(e, cst.Slice) and e.lower is None and e.upper is None and e.step is None

    def ellipsis(e: cst.BaseSlice) -> bool:
        return isinstance(e, cst.Index) and isinstance(e.value, cst.Ellipsis)

    special = [i for i, e in enumerate(elements) if not full(e) and not ellipsis(e)]
    dots = [i for i, e in enumerate(elements) if ellipsis(e)]
    if len(special) != 1 or len(dots) > 1:
        return None
    position = special[0]
    element = elements[position]
    if isinstance(element, cst.Index) and (code(element.value) == "None" or element.star is not None):
        return None
    if dots and dots[0] < position:
        return -(len(elements) - position), element
    return position, element
