"""Saved for backward: is the written tensor (or a view of its storage) the output of an op that
saves its result, or an input an op saved, between its binding and the write? Then backward
raises, and the finding is an `error` naming that op and line.

Ops are torch functions, Tensor methods and operators (what they save comes from derivatives.yaml),
and calls of submodules (`self.norm(x)`, what each torch.nn module saves is generated from torch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst

from fixer.analysis.flow import Flow, inside
from fixer.analysis.leaves import is_grad_leaf, makes_leaf
from fixer.analysis.grad import DISCRETE, VALUES_AND_INDICES, Grad, GradAnalysis
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.scope import VIEW_METHODS, FunctionFacts, RegionFacts, handed_out, returns_receiver, qualified
from fixer.analysis.modules import call_effect, module_called
from fixer.analysis.summary import Summary, unpacked_result
from fixer.analysis.tables import Saves, TorchTables
from fixer.analysis.tensors import PLAIN_MEMBERS, Kind, TensorKinds
from fixer.core.batched import contains

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
# Methods whose result surely shares storage with the receiver (casts and `contiguous` may copy).
TRUE_VIEWS = VIEW_METHODS - {"to", "type", "float", "double", "half", "bfloat16", "long", "int", "bool", "cpu",
                             "cuda", "contiguous", "chunk", "split", "unbind", "tensor_split",
                             "split_with_sizes", "hsplit", "vsplit", "dsplit"}
BINARY_OPS = {cst.Multiply: "mul", cst.Divide: "div", cst.MatrixMultiply: "matmul", cst.Power: "pow"}


class SavedAnalysis:
    """Answers `saved(name, node, scope)`: the op that saved the tensor a write changes, if any."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, tables: TorchTables, flow: Flow,
                 grads: GradAnalysis) -> None:
        self.facts, self.kinds, self.tables, self.flow, self.grads = facts, kinds, tables, flow, grads

    def saved(self, name: str, node: cst.CSTNode, scope: FunctionFacts, depth: int = 0) -> tuple[cst.CSTNode, Message] | None:
        """The op that saved the tensor `name` holds at `node`, and the sentence that says so."""
        write = self.facts.order.get(id(node), 0)
        reaching = self.flow.reaching(name, node, scope)
        for binding in reaching:
            if binding.value is None and id(binding.node) not in self.facts.grad_off:
                indices = self._indices_of(name, binding.node, scope)
                if indices is not None:
                    return indices, (f"`{name}` holds the indices `{code(indices)}` (line ", LineOf(indices),
                                     f") returns, which it saves for backward; `{quoted(node)}` at line ",
                                     LineOf(node), " makes backward fail")
                element = unpacked_result(name, binding.node, scope, self.facts.file)
                if element is not None:
                    call, inner = element
                    return call, (f"`{name}` is an output of `{code(call.func)}` through `{inner}` (line ", LineOf(call),
                                  f"), which saves its result for backward; `{quoted(node)}` at line ",
                                  LineOf(node), " makes backward fail")
            if binding.value is None or id(binding.node) in self.facts.grad_off:
                continue
            op = self._result_saver(binding.value, scope)
            if op is not None and depth == 0 and self._grad_dead(name, scope, node):
                op = None  # every use of the result is an index, a shape or a comparison: backward never runs it
            if op is not None:
                label, call = op
                return call, (f"`{name}` is the output of `{label}` (line ", LineOf(call),
                              f"), which saves its result for backward; `{quoted(node)}` at line ",
                              LineOf(node), " makes backward fail")
            source = storage_name(binding.value)
            if depth < 3 and source is not None and source != name:  # a view or another name: same storage
                found = self.saved(source, node, scope, depth + 1)
                if found is not None:
                    return found
        start = min((b.order for b in reaching if b.order < write), default=0)
        storage = {name} | self._views_of(name, scope, start, write)
        loop = self.flow.loop_of(node)
        operands = _evaluated_first(node)
        looped = loop is not None and not any(loop in b.blocks for b in reaching)  # bound before the loop
        for op in self._ops_to_check(scope, node, start, loop if looped else None, operands):
            if id(op) in self.facts.grad_off:
                continue
            label = self.saves_input(op, storage, scope, write)
            if label is not None and self._output_dead(op, scope):
                continue  # nothing differentiable reads what the op made: backward never runs it
            if label is not None and not contains(op, lambda n: n is node):  # `t.add_(1) / s` writes first
                return op, (f"`{name}` is an input of `{label}` (line ", LineOf(op),
                            f"), which saves it for backward; `{quoted(node)}` at line ",
                            LineOf(node), " makes backward fail")
        return None

    def proven_unsaved(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
        """Whether no op can have saved the local tensor `name` holds at the write `node`: every
        binding that reaches it is a known op's output that op does not save, and every use of the
        name between that binding and the write (or anywhere in the loop around it) is an operand
        of a known op that does not save it, a shape or dtype read, or the write itself."""
        if name in scope.outer_names or name not in scope.timeline or self.flow.entry_reaches(name, node, scope):
            return False  # a value from outside (an argument, a global) may be saved by its owner
        reaching = self.flow.reaching(name, node, scope)
        if not reaching or any(b.value is None or not self.unsaved_output(b.value, scope) for b in reaching):
            return False
        write = self.facts.order.get(id(node), 0)
        start = min((b.order for b in reaching if b.order < write), default=0)
        loop = self.flow.loop_of(node)
        parents = self.flow.parents(scope)
        index = self.flow.use_index(name, scope)
        positions = set(index.between(start, write)) | set(index.in_loop.get(loop, ()) if loop is not None else ())
        for position in sorted(positions):
            use = index.uses[position]
            if not inside(use, node, parents) and not self._harmless_use(use, parents, scope, write):
                return False
        return True

    def unsaved_output(self, value: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """A known op's output the op does not save: `a + b`, `self.bn(x)`, `torch.cat(...)`."""
        if isinstance(value, cst.BinaryOperation) and type(value.operator) not in BINARY_OPS:
            return True  # `+`, `-` and friends save no output
        if isinstance(value, cst.Call):
            spec = module_called(value.func, scope)
            if spec is not None and spec.callee.startswith("torch.nn."):
                effect = call_effect(spec, self.tables.module_saves)
                return effect.known and not effect.saves_output and not effect.returns_input
            summary = self._summary_of(value.func, scope)
            if summary is not None:
                return summary.result_unsaved
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in VIEW_METHODS:
            return False  # a view: its storage is its base's
        op = self._op(value, scope, result=True)
        return op is not None and not op[2].result and op[1] != "module-weight"

    def _harmless_use(self, use: cst.Name, parents: dict[int, cst.CSTNode], scope: FunctionFacts, write: int) -> bool:
        parent = parents.get(id(use))
        if isinstance(parent, cst.Attribute) and parent.value is use and parent.attr.value in PLAIN_MEMBERS:
            return True  # `x.shape`, `x.dtype`
        if isinstance(parent, cst.AssignTarget):
            return True
        if isinstance(parent, cst.AugAssign) and parent.target is use:
            return isinstance(parent.operator, (cst.AddAssign, cst.SubtractAssign))  # `x += y` saves nothing
        op: cst.CSTNode | None = None
        if isinstance(parent, cst.BinaryOperation):
            if type(parent.operator) not in BINARY_OPS:
                return True  # `x + y` saves neither operand
            op = parent
        elif isinstance(parent, cst.Arg):
            op = parents.get(id(parent))
        elif isinstance(parent, cst.Attribute) and parent.value is use:
            call = parents.get(id(parent))
            op = call if isinstance(call, cst.Call) and call.func is parent and parent.attr.value not in VIEW_METHODS else None
        if not isinstance(op, (cst.BinaryOperation, cst.Call)) or self._op(op, scope) is None:
            return False
        return self.saves_input(op, {use.value}, scope, write) is None and not self._bare_parameter(use, scope)  # skipped for want of proof, not shown unsaved

    def summary(self, scope: FunctionFacts, *, method: bool) -> Summary:
        """What the function `scope` does to its arguments: which it saves, whether it returns an
        output an op saved, which it writes in place (`method`: its first parameter is `self`)."""
        node = scope.node
        assert isinstance(node, cst.FunctionDef)
        params = [p.name.value for p in (*node.params.posonly_params, *node.params.params)][1 if method else 0:]
        saves: dict[str, str] = {}
        for op in scope.ops:
            if id(op) in self.facts.grad_off:
                continue
            for name in params:
                if name not in saves and self._argument_reaches(name, op, scope):
                    label = self.saves_input(op, {name}, scope, 0)  # a binding after the op leaves the caller's tensor saved all the same
                    if label is not None and not self._output_dead(op, scope):
                        saves[name] = label
        result = None
        for ret in scope.returns:
            if result is None and ret.value is not None:
                result = self._returned_saver(ret.value, ret, scope)
        results = self._returned_elements(scope)
        writes = frozenset(name for name in params
                           if any(self.flow.entry_reaches(name, w, scope) for w in scope.writes.get(name, ())))
        fresh = bool(scope.returns) and all(r.value is not None and self.unsaved_output(r.value, scope) for r in scope.returns)
        grad_free = bool(scope.returns) and all(r.value is not None and self.grads.grad_of(r.value, scope) is Grad.NO
                                                for r in scope.returns)
        return Summary(tuple(params), saves, result, writes, fresh, grad_free, results=results)

    def _returned_elements(self, scope: FunctionFacts) -> tuple[str | None, ...]:
        """`return a, b` (every return a tuple that long): the op whose saved output each element is."""
        shapes = {len(r.value.elements) if isinstance(r.value, cst.Tuple) else -1 for r in scope.returns}
        if len(shapes) != 1 or shapes == {-1} or not scope.returns:
            return ()
        found: list[str | None] = [None] * shapes.pop()
        for ret in scope.returns:
            for i, element in enumerate(ret.value.elements):  # type: ignore[union-attr]
                if found[i] is None and not isinstance(element, cst.StarredElement):
                    found[i] = self._returned_saver(element.value, ret, scope)
        return tuple(found)

    def _argument_reaches(self, name: str, node: cst.CSTNode, scope: FunctionFacts, depth: int = 0) -> bool:
        """Whether `name` holds the caller's tensor at `node`: the argument itself, or views of it
        the def rebinds the name to (`x = torch.transpose(x, 0, 1)`, `x = x.view(n, -1)`)."""
        if self.flow.entry_reaches(name, node, scope):
            return True
        reaching = self.flow.reaching(name, node, scope)
        return depth < 3 and bool(reaching) and all(
            b.value is not None and self._view_source(b.value) == name and self._argument_reaches(name, b.node, scope, depth + 1)
            for b in reaching)

    def _view_source(self, value: cst.BaseExpression) -> str | None:
        """The name `value` is surely a view of: `x.transpose(0, 1)`, `x[:, 0]`, `torch.transpose(x, 0, 1)`."""
        if isinstance(value, cst.Call) and not isinstance(value.func, cst.Attribute) or isinstance(value, cst.Call) and qualified(value.func, self.facts.imports):
            name = qualified(value.func, self.facts.imports) or ""
            positional = [a.value for a in value.args if a.keyword is None and not a.star]
            if name.startswith("torch.") and name.rsplit(".", 1)[-1] in TRUE_VIEWS and positional:
                return storage_name(positional[0])
            return None
        return storage_name(value)

    def saver_after(self, storage: set[str], node: cst.CSTNode, scope: FunctionFacts,
                    keep: Callable[[cst.BaseExpression], bool] = lambda op: True) -> tuple[cst.BaseExpression, str] | None:
        """The first op after the write `node` (and that `keep` accepts) that saves a tensor named in
        `storage` for backward, with its label: what the write's next run changes."""
        write = self.flow.order(node)  # the op's operands are read after the write
        for op in self.flow.ops_between(scope, write, 1 << 60):
            if id(op) in self.facts.grad_off or not keep(op):
                continue
            label = self.saves_input(op, storage, scope, write)
            if label is not None:
                return op, label
        return None

    def feeds(self, call: cst.Call, argument: cst.BaseExpression, scope: FunctionFacts) -> Message | None:
        """Why a call that writes `argument` in place breaks backward: autograd saved it, or it is
        a leaf that requires grad."""
        if is_grad_leaf(argument, scope, self.facts) or makes_leaf(argument, self.facts):
            return (f"`{code(argument)}` is a leaf tensor that requires grad",)
        if isinstance(argument, cst.Name):
            found = self.saved(argument.value, call, scope)
            return None if found is None else found[1]
        saver = self._result_saver(argument, scope)
        if saver is None:
            return None
        return (f"its argument is the output of `{saver[0]}` (line ", LineOf(saver[1]), "), which saves its result for backward")

    def saved_attribute(self, target: cst.Attribute, node: cst.CSTNode, scope: FunctionFacts) -> tuple[cst.CSTNode, Message] | None:
        """`self.w.div_(t)` after `self.w = scores.softmax(-1)` in the same function: the op that saved it."""
        spelled = code(target)
        for binding in self.flow.reaching(spelled, node, scope, scope.attribute_timeline.get(spelled, [])):
            if binding.value is None or id(binding.node) in self.facts.grad_off:
                continue
            op = self._result_saver(binding.value, scope)
            if op is not None:
                return op[1], (f"`{spelled}` is the output of `{op[0]}` (line ", LineOf(op[1]),
                               f"), which saves its result for backward; `{quoted(node)}` at line ",
                               LineOf(node), " makes backward fail")
        return None

    def _indices_of(self, name: str, binding: cst.CSTNode, scope: FunctionFacts) -> cst.Call | None:
        """`values, order = x.sort(-1)`: `order` holds indices sort saves for its values' backward
        (as `topk`, `max(dim)`, `kthvalue` ... do), when `x` may require grad."""
        if not (isinstance(binding, cst.Assign) and len(binding.targets) == 1 and isinstance(binding.value, cst.Call)):
            return None
        target, call = binding.targets[0].target, binding.value
        if not (isinstance(target, cst.Tuple) and len(target.elements) == 2):
            return None
        second = target.elements[1].value
        if not (isinstance(second, cst.Name) and second.value == name):
            return None
        func = call.func
        args = [a for a in call.args if not a.star]
        qualified_name = qualified(func, self.facts.imports)
        if qualified_name is not None and qualified_name.startswith("torch."):
            method, source, rest = qualified_name.rsplit(".", 1)[-1], args[0].value if args else None, args[1:]
        elif isinstance(func, cst.Attribute):
            method, source, rest = func.attr.value, func.value, args
        else:
            return None
        if method not in VALUES_AND_INDICES or source is None or method in ("max", "min") and not rest:
            return None
        if self.kinds.kind(source, scope) is Kind.NOT_TENSOR or self.grads.grad_of(source, scope) is Grad.NO:
            return None
        return call

    def result_saver(self, value: cst.BaseExpression, scope: FunctionFacts) -> str | None:
        """The op that saves the value `value` evaluates to, as its result: `torch.tanh(z)`."""
        found = self._result_saver(value, scope)
        return None if found is None else found[0]

    def _returned_saver(self, value: cst.BaseExpression, ret: cst.Return, scope: FunctionFacts) -> str | None:
        found = self._result_saver(value, scope)
        if found is not None:
            return found[0]
        if isinstance(value, cst.Name):
            for binding in self.flow.reaching(value.value, ret, scope):
                found = self._result_saver(binding.value, scope) if binding.value is not None else None
                if found is not None:
                    return found[0]
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
            if returns_receiver(member) and isinstance(statement, cst.Expr):
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
            if (isinstance(func, cst.Attribute) and returns_receiver(func.attr.value) and isinstance(func.value, cst.Name)
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

    def _ops_to_check(self, scope: FunctionFacts, node: cst.CSTNode, start: int, loop: int | None,
                      operands: list[cst.CSTNode]) -> Iterator[cst.BaseExpression]:
        """In source order: the ops between the binding and the write, those the write evaluates
        first (`x /= x.norm()`), and those later in `loop` (they ran in the previous iteration on
        the same tensor: given only when the binding precedes the loop)."""
        write = self.facts.order.get(id(node), 0)
        parents = self.flow.parents(scope)
        yield from self.flow.ops_between(scope, start, write)
        for op in self.flow.ops_between(scope, write, 1 << 62):
            in_loop = loop is not None and loop in self.facts.blocks.get(id(op), ())
            if any(inside(op, o, parents) for o in operands) or in_loop:
                yield op
            elif not in_loop and not inside(op, node, parents):
                return  # past the write's statement and its loop: nothing later ran before it

    def _views_of(self, name: str, scope: FunctionFacts, start: int, write: int) -> set[str]:
        """Names bound between `start` and `write` to `name` itself or a view of it."""
        return {other for other, b in self.flow.bindings_between(scope, start, write)
                if other != name and b.value is not None and name in handed_out(b.value)}

    def _op(self, expr: cst.BaseExpression, scope: FunctionFacts, result: bool = False) -> tuple[str, str, Saves, list[tuple[str, cst.BaseExpression]]] | None:
        """The derivatives.yaml op an expression runs, with its tensor operands by schema name."""
        if isinstance(expr, cst.BinaryOperation):
            op = BINARY_OPS.get(type(expr.operator))
            if op is None:
                return None
            saves = self.tables.saves[op]
            operands = [("self", expr.left), ("other" if op != "pow" else "exponent", expr.right)]
            if op == "pow" and self.grads.number(expr.right, scope):
                saves = Saves(result=False, inputs=frozenset({"self"}), args=("self",))  # x ** 2
            symbol = {"mul": "*", "div": "/", "matmul": "@", "pow": "**"}[op]
            return symbol, op, saves, operands
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in VIEW_METHODS:
            return None  # a view saves only sizes
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        args = [a for a in expr.args if not a.star]
        module = self._module_call(func, args, scope, result) or self._project_call(func, args, scope, result)
        if module is not None:
            return module
        name = qualified(func, self.facts.imports)
        if name is not None and name.startswith("torch."):
            last = name.rsplit(".", 1)[-1]
            label, receiver = name, []
        elif isinstance(func, cst.Attribute) and self._tensor_method(expr, scope):
            last = func.attr.value
            label, receiver = f".{last}()", [func.value]
        else:
            return None
        if last == "einsum" and not receiver:
            return _einsum(label, args)
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

    def _module_call(self, func: cst.BaseExpression, args: list[cst.Arg], scope: FunctionFacts,
                     result: bool) -> tuple[str, str, Saves, list[tuple[str, cst.BaseExpression]]] | None:
        """`self.norm(x)`: what the module its class built there saves (a Sequential: its first
        module's input, its last module's output), as an op on its first argument."""
        spec = module_called(func, scope)
        if spec is None:
            return None
        effect = call_effect(spec, self.tables.module_saves)
        if not (effect.saves_input or effect.saves_output):
            return None
        inputs = frozenset({"input"}) if effect.saves_input else frozenset()
        operands = [("input", args[0].value)] if args and args[0].keyword is None else []
        short = lambda m: m.callee.replace("torch.nn.", "nn.")  # noqa: E731
        label = f"{code(func)}`, a `{short(spec)}"
        if spec.first is not spec:  # a Sequential: name the module that saves
            label += f"` {'ending in' if result else 'starting with'} `{short(spec.last if result else spec.first)}"
        return label, "module-weight" if effect.for_weight else "module", Saves(effect.saves_output, inputs, ("input",)), operands

    def _project_call(self, func: cst.BaseExpression, args: list[cst.Arg], scope: FunctionFacts,
                      result: bool) -> tuple[str, str, Saves, list[tuple[str, cst.BaseExpression]]] | None:
        """A call of the file's own code: `self.attn(x)` (a class of the file), `self.helper(x)`,
        `helper(x)`; what it saves and returns comes from its summary."""
        summary = self._summary_of(func, scope)
        if summary is None or not (summary.saves or summary.result):
            return None
        operands = [(p, a.value) for p, a in zip(summary.params, [a for a in args if a.keyword is None])]
        operands += [(a.keyword.value, a.value) for a in args if a.keyword is not None and a.keyword.value in summary.params]
        inner = summary.result if result else next(iter(summary.saves.values()), None)
        label = f"{code(func)}` through `{inner}" if inner else code(func)
        if summary.origin:
            label += f"` in `{summary.origin}"  # the chain names the file it leads into
        return label, "module-weight", Saves(summary.result is not None, frozenset(summary.saves), summary.params), operands

    def _summary_of(self, func: cst.BaseExpression, scope: FunctionFacts) -> Summary | None:
        return self.facts.file.summary_of(func, scope) if self.facts.file is not None else None

    def _result_saver(self, value: cst.BaseExpression, scope: FunctionFacts) -> tuple[str, cst.CSTNode] | None:
        """`torch.sigmoid(z)`, or a view of it (`torch.sigmoid(z).view(-1)`): the op saves what it returns."""
        while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in TRUE_VIEWS - {"detach", "data"}:
            value = value.func.value
        while isinstance(value, cst.Subscript):
            value = value.value
        op = self._op(value, scope, result=True)
        if op is None or not op[2].result or self._overload_saves_less(value, op[0], op[1], scope):
            return None
        if all(self.grads.grad_of(e, scope) is Grad.NO for _, e in op[3]):
            return None  # nothing requires grad: autograd records nothing
        return op[0], value

    def saves_input(self, op_node: cst.BaseExpression, storage: set[str], scope: FunctionFacts, write: int) -> str | None:
        """The label of `op_node` when it saves a tensor named in `storage` for backward, the write at order `write`
        (a binding of the name between the op and the write means the op saved an earlier tensor)."""
        if not any(storage_name(e) in storage for e in operand_candidates(op_node)):
            return None  # the tensor is no operand: nothing to look up
        op = self._op(op_node, scope)
        if op is None or not op[2].inputs:
            return None
        label, name, saves, operands = op
        grads = [self.grads.grad_of(e, scope) for _, e in operands]
        bilinear = name in BILINEAR
        if name == "module-weight":
            grads = [Grad.MAYBE] * (len(operands) + 1)  # the weights need the input: saved whatever it is
        for i, (arg, expr) in enumerate(operands):
            if arg not in saves.inputs or not (storage_name(expr) in storage):
                continue
            if name != "pow" and self._overload_saves_less(op_node, label, name, scope):
                continue  # `x.pow(2)` saves `x` still: only its result is not saved
            if self._bare_parameter(expr, scope):
                continue  # an untyped parameter: may be ids, a cache or optimizer state, no proof
            if self._rebound_after(op_node, storage_name(expr) or "", scope, write):
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
            if any(g is Grad.MAYBE for g in needed) and not self.grads.number(expr, scope):
                return label
        return None

    def _overload_saves_less(self, node: cst.BaseExpression, label: str, op: str, scope: FunctionFacts) -> bool:
        """The table merges overloads: `max(x, dim)` saves only indices, `x.pow(2)` not its result."""
        args = [a for a in getattr(node, "args", ()) if not a.star]
        extra = args if label.startswith(".") else args[1:]
        if op in ("max", "min"):  # `max(x, dim)` saves indices; `max(a, b)` of two tensors saves both
            return bool(extra) and self.kinds.kind(extra[0].value, scope) is not Kind.TENSOR
        if op == "pow" and isinstance(node, cst.Call):
            return bool(extra) and self.grads.number(extra[0].value, scope)
        return False

    def _bare_parameter(self, expr: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """An unannotated parameter not known to be a tensor (a `forward` argument is one)."""
        name = storage_name(expr)
        return (name is not None and name in scope.params and name not in scope.timeline
                and scope.params[name].annotation is None and self.kinds.name_kind(name, scope) is not Kind.TENSOR)

    def _rebound_after(self, op: cst.BaseExpression, name: str, scope: FunctionFacts, write: int) -> bool:
        """A binding of `name` after `op`, before `write`, that runs whenever `op` ran (its blocks enclose the op's)."""
        at, blocks = self.facts.order.get(id(op), 0), self.facts.blocks.get(id(op), ())
        return any(b.order > at and blocks[: len(b.blocks)] == b.blocks and b.order < write
                   for b in scope.timeline.get(name, []))

    def _tensor_operands(self, op: cst.BinaryOperation, saved: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """An operator runs a tensor op: `@` unless an operand is surely not a tensor; `*`, `/`, `**`
        only when an operand is proved a tensor (the saved one at least may be)."""
        kinds = [self.kinds.kind(e, scope) for e in (op.left, op.right)]
        if Kind.NOT_TENSOR in kinds and isinstance(op.operator, cst.MatrixMultiply) or self.grads.number(saved, scope):
            return False
        return isinstance(op.operator, cst.MatrixMultiply) or Kind.TENSOR in kinds

    def _tensor_method(self, call: cst.Call, scope: FunctionFacts) -> bool:
        """`x.sigmoid()` on a tensor (or on anything, for a method only tensors have)."""
        func = call.func
        assert isinstance(func, cst.Attribute)
        receiver = self.kinds.kind(func.value, scope)
        return receiver is Kind.TENSOR or receiver is Kind.UNKNOWN and self.kinds.kind(call, scope) is Kind.TENSOR


def _einsum(label: str, args: list[cst.Arg]) -> tuple[str, str, Saves, list[tuple[str, cst.BaseExpression]]] | None:
    """`torch.einsum(eq, a, b, ...)` is composite (no derivatives.yaml entry): with two operands
    or more, each one is saved for the others' gradients (checked on torch 2.13 for products,
    batched and outer forms); one operand (a transpose, a trace) saves nothing."""
    operands = [a.value for a in args[1:] if a.keyword is None]
    if len(operands) < 2:
        return None
    names = tuple(f"operand{i}" for i in range(len(operands)))
    return label, "einsum", Saves(False, frozenset(names), names), list(zip(names, operands))


def operand_candidates(op: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Every expression an op may take as a tensor operand: a superset of what `_op` returns."""
    if isinstance(op, cst.BinaryOperation):
        return [op.left, op.right]
    if isinstance(op, cst.Call):
        receiver = [op.func.value] if isinstance(op.func, cst.Attribute) else []
        return receiver + [a.value for a in op.args]
    return []


def _evaluated_first(write: cst.CSTNode) -> list[cst.CSTNode]:
    """The parts of a write statement evaluated before it writes: `v` in `x += v`, the arguments
    of `x.mul_(v)`, the value and index of `t[i] = v`."""
    if isinstance(write, cst.AugAssign):
        return [write.value]
    if isinstance(write, cst.Call):
        return [a.value for a in write.args]
    if isinstance(write, cst.Assign):
        return [write.value] + [t.target.slice for t in write.targets if isinstance(t.target, cst.Subscript)]  # type: ignore[misc]
    return []


def storage_name(expr: cst.BaseExpression) -> str | None:
    """The name whose storage `expr` surely is: the name (or `self.<attr>`) or a view of it (a cast may copy)."""
    while True:
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
            return f"self.{expr.attr.value}"
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in TRUE_VIEWS:
            expr = expr.func.value
        elif isinstance(expr, cst.Subscript):
            expr = expr.value
        else:
            return None


def quoted(node: cst.CSTNode, width: int = 60) -> str:
    """The in-place write as the message quotes it: its first line, cut with … past `width`."""
    lines = code(node).strip().splitlines() or [""]
    first = " ".join(lines[0].split())
    if len(first) > width:
        return first[: width - 1] + "…"
    return first + ("…" if len(lines) > 1 else "")


