"""IP102 inplace-method: `x.add_(y)` and every other Tensor method that writes its receiver."""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods._common import ATOM, code, grouped, is_assignable, parenthesize, precedence
from fixer.analysis.flow import walk as _walk
from fixer.core.batched import contains
from fixer.analysis.dtypes import PROMOTING_METHODS, TRUE_DIVISIONS
from fixer.analysis.order import read_before, reads
from fixer.analysis.tables import InplaceMethod as Entry
from fixer.analysis.tables import torch_tables
from fixer.analysis.tensors import Kind
from fixer.analysis.regions import FileFacts
from fixer.rule import CannotBuild, Codemod, RuleContext, Trigger, build_expression, identifier_end
from fixer.analysis.aliasing import FRESH
from fixer.core.types import Safety, Severity

Link = tuple[cst.Call, Entry]


class InplaceMethod(Codemod):
    """
    ## What it does
    Finds calls of in-place Tensor methods (`add_`, `mul_`, `relu_`, `clamp_`, `zero_`, ... every
    method in the generated table) and rewrites `x.add_(y)` as `x = x.add(y)`. When the call's
    value is used (`y = x.relu_()`), `x` is rebound first and the use reads `x`; chains such as
    `x.mul_(a).add_(b)` fold into `x = x.mul(a).add(b)`, unless a later call's arguments may read
    `x`: `x.add_(1).mul_(x.mean())` becomes `x = x.add(1)` then `x = x.mul(x.mean())`, so that
    `x.mean()` sees the increment as it does in place. Methods whose out-of-place twin has
    another name come from the table: `x.zero_()` becomes `x = torch.zeros_like(x)`.

    ## Why is this risky
    An in-place method overwrites the tensor's storage and bumps its version counter. When
    autograd saved that tensor for backward (the output of `sigmoid`, `exp`, `tanh`, `softmax`,
    or an input of `mul`, `matmul`, `pow`, ...), backward raises "one of the variables needed for
    gradient computation has been modified by an inplace operation".

    ## Example
    ```python
    h = torch.sigmoid(z)
    h.mul_(2)  # sigmoid saved h for backward
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(z)
    h = h.mul(2)
    ```

    ## Fix safety
    Safe only when nothing else can hold the receiver's tensor at the write: a local name bound to
    a tensor built here that no other name, view (by method, `torch` function or attribute),
    container, attribute, callee or generator took. A holder read after the write
    (`v = x.view(-1); x.add_(1); return v`) would miss it after the rewrite: no fix is offered,
    nor for a loop variable (`for p in (a, b): p.clamp_(min=0)`). A holder outside the function (a
    parameter, `self.h.add_(1)`, a call that may keep the tensor) makes the fix unsafe. When the
    value is used in a statement that reads the receiver before the write
    (`y = x.sum() + x.add_(1)`), no fix is offered: the rebinding would move before that read
    and change what it sees (reads after the write, `y = x.add_(1) + x`, see it either way). Random
    fills (`normal_`, `uniform_`, `bernoulli_`, ...), `resize_`, `set_` and `map_` have no
    faithful twin: they are reported and never rewritten, except a random fill of a registered
    buffer a torch factory built contiguous and nothing rebinds (`self.eps.normal_()` becomes
    `self.eps = torch.empty_like(self.eps).normal_()`: same shape, strides and kernel, so the
    same numbers; unsafe, since a holder of the old tensor keeps it). Dtype is kept exactly: a promoting
    twin (`add`, `mul`, `div`, `clamp`, `lerp`, ...) is cast back, `x = x.mul(y).to(x.dtype)`, as
    the in-place method does, unless no argument can widen `x`: Python numbers, bool tensors,
    known dtypes that promote to `x`'s, and tensors made from `x` (`x.sub_(x.mean())`) need no
    cast; a float32 factor of a bfloat16 `x` does. Each link of a chain is cast, since each
    in-place step rounds. Index, mask and scatter twins keep the receiver's dtype or raise on a
    source of another dtype exactly as their in-place forms do, and unary twins keep it.

    ## Limitations
    Receivers must be names or attributes: `t[i].add_(1)` is an index write, and a call's
    result (`f(x).add_(1)`) is left alone. A call inside a lambda, comprehension, conditional
    expression, `and`/`or`, or a compound statement's header is reported without a fix, except in
    a branch of a `return` (`return x.mul_(y) if inplace else x.mul(y)`): its twin takes its place
    when the returned value reads the receiver nowhere else. An
    argument of unknown dtype keeps the cast even where it shares the receiver's in practice.
    """

    ID = "IP102"
    NAME = "inplace-method"
    FIX_TITLE = "Rebind the receiver to the out-of-place result"
    PREFILTER = re.compile(r"_\s*\(")
    PREFILTER_AFTER = identifier_end
    TRIGGERS = (Trigger("Call", lambda c: c.method in torch_tables().inplace_methods and c.func.kind == "Attribute",
                        "check_call", later=False),)

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        table = torch_tables().inplace_methods
        root = node
        while isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute) and root.func.attr in table:
            root = root.func.value  # the receiver at the bottom of `x.a_().b_()`, as `_chain` finds it
        if root is node:
            return False
        if isinstance(root, ast.Call):  # `torch.tanh(z).mul_(2)`: what the call returns is written
            return _may_save_result(root, file)
        return file.may_hold_tensor(root) and not (isinstance(root, ast.Attribute) and root.attr == "data")

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._done: set[int] = set()  # calls already reported as part of a chain
        self._statements: list[cst.BaseSmallStatement] = []
        self._opaque = 0  # depth inside code that may not run, or runs more than once
        self._branches: list[cst.IfExp] = []  # the conditional expressions whose branch holds the node

    def visit_Assign(self, node: cst.Assign) -> None:
        self._statements.append(node)

    def leave_Assign(self, original_node: cst.CSTNode) -> None:
        self._statements.pop()

    def visit_IfExp(self, node: cst.CSTNode) -> None:
        self._opaque += 1

    def leave_IfExp(self, original_node: cst.CSTNode) -> None:
        self._opaque -= 1

    def visit_IfExp_body(self, node: cst.IfExp) -> None:
        self._branches.append(node)

    def leave_IfExp_body(self, node: cst.IfExp) -> None:
        self._branches.pop()

    visit_IfExp_orelse, leave_IfExp_orelse = visit_IfExp_body, leave_IfExp_body

    # LibCST finds visitors by their function's __name__, so aliases must share a real name.
    visit_AnnAssign = visit_AugAssign = visit_Return = visit_Assign  # type: ignore[assignment]
    leave_AnnAssign = leave_AugAssign = leave_Return = leave_Expr = leave_Assign
    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_IfExp
    visit_GeneratorExp = visit_BooleanOperation = visit_IfExp
    leave_Lambda = leave_ListComp = leave_SetComp = leave_DictComp = leave_IfExp
    leave_GeneratorExp = leave_BooleanOperation = leave_IfExp

    def visit_Expr(self, node: cst.Expr) -> None:
        self._statements.append(node)
        if isinstance(node.value, cst.Call):
            self._check(node.value, node, bare=True)

    def check_call(self, node: cst.Call) -> None:
        statement = self._statements[-1] if self._statements and not self._opaque else None
        branches: tuple[cst.IfExp, ...] = ()
        if statement is None and self._statements and isinstance(self._statements[-1], cst.Return) and self._opaque == len(self._branches):
            statement, branches = self._statements[-1], tuple(self._branches)  # `return x.mul_(y) if c else x.mul(y)`
        self._check(node, statement, bare=False, branches=branches)

    def _check(self, call: cst.Call, statement: cst.BaseSmallStatement | None, *, bare: bool,
               branches: tuple[cst.IfExp, ...] = ()) -> None:
        if id(call) in self._done or not self.is_candidate_cst(call):
            return
        root, links = self._chain(call)
        self._done.update(id(c) for c, _ in links)
        if is_assignable(root) and not _is_data(root):
            self.later(self._decide, call, root, links, statement, bare, branches)
        elif isinstance(root, cst.Call) and statement is not None and not branches:
            self.later(self._decide_result, call, root, links, statement)

    def _decide_result(self, call: cst.Call, root: cst.Call, links: list[Link], statement: cst.BaseSmallStatement) -> None:
        """`torch.tanh(z).mul_(2)`: a write into what a call returns, which no name holds. An error
        when the call saved its result for backward; the out-of-place twin in the same place is the
        fix, safe when the call is proven to return new memory (nothing else can see the write)."""
        assert self.context.risks is not None
        scope = self.scope(call)
        if self.context.facts.in_no_grad(call):
            return
        saver = self.context.risks.saved.result_saver(root, scope)
        if saver is None:
            return
        names = ", ".join(f"`.{c.func.attr.value}()`" for c, _ in links)  # type: ignore[attr-defined]
        message = (f"`{code(root)}` is the output of `{saver}`, which saves its result for backward; {names} "
                   "writes it in place, so backward fails")
        value: cst.BaseExpression | None = root
        for link, entry in links:
            widens = entry.kind == "same" and entry.twin in PROMOTING_METHODS and any(
                self.kind(a.value, call) is not Kind.NOT_TENSOR for a in link.args)
            value = None if value is None or widens or entry.kind != "same" else self._twin(value, link, entry)
        if value is None:
            self.report(call, message, replacement=None, safety=Safety.DISPLAY_ONLY, severity=Severity.ERROR)
            return
        fresh = self.context.risks.aliases.source(root, scope) == FRESH
        self.report(statement, message + ("" if fresh else "; fix unsafe: the call may return a tensor something else holds"),
                    replacement=statement.deep_replace(call, value), safety=Safety.SAFE if fresh else Safety.UNSAFE,
                    severity=Severity.ERROR)

    def _decide(
        self, call: cst.Call, root: cst.BaseExpression, links: list[Link],
        statement: cst.BaseSmallStatement | None, bare: bool, branches: tuple[cst.IfExp, ...] = (),
    ) -> None:
        """`branches`: the conditional expressions of a `return` whose branch holds the write."""
        values = [a.value for c, _ in links for a in c.args]
        if self.kind(root, call) is Kind.NOT_TENSOR or self.updates_grad_leaf(root, values, call):
            return  # not a tensor; or IP108's parameter update, which belongs in `torch.no_grad()`
        risk = self.risk(root, call, values, statement)
        if risk is None:
            return
        names = ", ".join(f"`.{c.func.attr.value}()`" for c, _ in links)  # type: ignore[attr-defined]
        message = f"{names} writes `{code(root)}` in place"
        blocked = next((e.reason for _, e in links if e.kind == "display_only"), None)
        fresh_fill = self._fill_of_a_dense_buffer(root, links)
        try:
            fixes = [_assign(root, fresh_fill)] if fresh_fill is not None else None if blocked else self._rebind(root, links, call)
        except CannotBuild as error:  # this finding loses its fix, never the file its findings
            blocked, fixes = error.reason, None
        if fresh_fill is not None:
            blocked = None
        if fixes is not None and statement is not None and branches:
            value = self._returned_twin(root, call, statement, fixes, branches)
            if value is not None:
                self.report_risk(statement, risk, message, replacement=statement.deep_replace(call, value),
                                 imports=self._imports(links))
                return
        if fixes is None or statement is None or branches:
            reason = blocked or "no out-of-place form here"
            self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=reason)
            return
        cut = _cuts_the_graph(links)
        safety, note = (Safety.UNSAFE, f"fix unsafe: the out-of-place `{cut}` does not carry the graph, so gradients "
                        "that reached the tensor through it as zeros stop there") if cut and risk.safety is Safety.SAFE else (None, None)
        if bare:
            self.report_risk(statement, risk, message, replacement=fixes, imports=self._imports(links),
                             safety=safety, note=note)
            return
        if read_before(statement, call, [root], self.scope(call)):
            note = f"the statement reads `{code(root)}` before the write: rebinding it first would change that read"
            self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=note)
            return
        rest = [] if _rebinds(statement, root, call) else [statement.deep_replace(call, root)]
        self.report_risk(statement, risk, message, replacement=fixes + rest, imports=self._imports(links),
                         safety=safety, note=note)

    def _returned_twin(self, root: cst.BaseExpression, call: cst.Call, statement: cst.BaseSmallStatement,
                       fixes: list[cst.Assign], branches: tuple[cst.IfExp, ...]) -> cst.BaseExpression | None:
        """In a branch of a `return`, the write's out-of-place value in its place: the def ends there,
        so only the returned value could read the name again, and it reads it nowhere else than in
        the write's own arguments or the other branch (`x.mul_(y) if inplace else x.mul(y)`)."""
        if len(fixes) != 1 or not isinstance(root, cst.Name) or not isinstance(statement, cst.Return) or statement.value is None:
            return None
        allowed = {id(n) for n in _walk(call)} | {id(n) for b in branches
                                                    for n in _walk(b.orelse if contains(b.body, lambda x: x is call) else b.body)}
        reads = [n for n in _walk(statement.value) if isinstance(n, cst.Name) and n.value == root.value]
        return fixes[0].value if all(id(n) in allowed for n in reads) else None

    def is_candidate_cst(self, call: cst.Call) -> bool:
        func = call.func
        return isinstance(func, cst.Attribute) and func.attr.value in self.context.tables.inplace_methods

    def _chain(self, call: cst.Call) -> tuple[cst.BaseExpression, list[Link]]:
        """The receiver at the bottom of `x.a_().b_()` and the links, innermost first."""
        links: list[Link] = []
        node: cst.BaseExpression = call
        table = self.context.tables.inplace_methods
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in table:
            links.append((node, table[node.func.attr.value]))
            node = node.func.value
        return node, links[::-1]

    def _rebind(self, root: cst.BaseExpression, links: list[Link], node: cst.CSTNode) -> list[cst.Assign] | None:
        """`root = <out-of-place chain>` statements. A special twin starts a new statement, and so
        does a call whose arguments may read the receiver: in place they see the earlier writes."""
        statements: list[cst.Assign] = []
        value: cst.BaseExpression = root
        for call, entry in links:
            if value is not root and (entry.kind == "special" or self._reads(call, root)):
                statements.append(_assign(root, value))
                value = root
            twin = self._twin(value, call, entry)
            if twin is None:
                return None
            divides = entry.twin in TRUE_DIVISIONS and not any(a.keyword is not None for a in call.args)
            value = self.kept_in_dtype(root, twin, self._operands(call, entry, twin), node, divides=divides)
        return statements + [_assign(root, value)]

    def _operands(self, call: cst.Call, entry: Entry, twin: cst.BaseExpression) -> list[cst.BaseExpression]:
        """What may promote the twin past the receiver's dtype: a promoting method's arguments, or the
        twin itself when a `dtype=` asks for one (`x.cumsum_(0, dtype=d)`). Other twins keep the
        receiver's dtype (unary math, index, mask and scatter methods) or raise as the in-place one does."""
        if entry.kind != "same":
            return []  # special twins spell the receiver's dtype in their template
        if any(a.keyword is not None and a.keyword.value == "dtype" for a in call.args):
            return [twin]
        return [a.value for a in call.args] if entry.twin in PROMOTING_METHODS else []

    def _reads(self, call: cst.Call, root: cst.BaseExpression) -> bool:
        """Whether an argument of `call` may read `root`: it must run after the writes before it."""
        return any(reads(arg.value, root, self.scope(call)) for arg in call.args)

    def _twin(self, receiver: cst.BaseExpression, call: cst.Call, entry: Entry) -> cst.BaseExpression | None:
        if entry.kind == "same":
            func = call.func.with_changes(value=receiver, attr=cst.Name(entry.twin))  # type: ignore[attr-defined]
            return call.with_changes(func=func)
        values = _bind(call, entry)
        if values is None or entry.template is None:
            return None
        source = next((a.value for a in call.args if a.keyword is None or a.keyword.value == "src"), None)
        number = source is not None and self.kind(source, call) is Kind.NOT_TENSOR
        if entry.params[:1] == ("src",) and (number or _scalar_literal(values["src"])):
            entry, values = torch_tables().inplace_methods["fill_"], {"value": values["src"]}  # `copy_(3.0)`, `copy_(float(v))`: a fill
        values["self"] = _atom(receiver)
        for name, value in values.items():
            if value.isdigit() and f"{{{name}}}." in entry.template:
                values[name] = f"({value})"  # `1.to(...)` would read as a float literal
        source = entry.template.format(**values)
        source = re.sub(r"\btorch\.", f"{self.context.torch_name or 'torch'}.", source)
        return build_expression(source)

    def _fill_of_a_dense_buffer(self, root: cst.BaseExpression, links: list[Link]) -> cst.BaseExpression | None:
        """`self.eps.normal_()` on a buffer a torch factory built contiguous (and nothing rebinds):
        `torch.empty_like(self.eps).normal_()` draws the same numbers into new memory (same shape,
        strides, dtype and kernel), which no earlier op saved."""
        if len(links) != 1 or not (links[0][1].reason or "").startswith("random fill"):
            return None
        info = self.scope(links[0][0]).class_info
        if not (isinstance(root, cst.Attribute) and isinstance(root.value, cst.Name) and root.value.value == "self"
                and info is not None and root.attr.value in info.dense_buffers):
            return None
        call = links[0][0]
        empty = cst.Call(func=cst.Attribute(value=cst.Name(self.context.torch_name or "torch"), attr=cst.Name("empty_like")),
                         args=[cst.Arg(root)])
        return call.with_changes(func=call.func.with_changes(value=empty))  # type: ignore[attr-defined]

    def _imports(self, links: list[Link]) -> tuple[str, ...]:
        """`torch` when a special twin names it and the file never imports it."""
        spelled = any(e.kind == "special" and "torch." in (e.template or "") for _, e in links)
        return ("torch",) if spelled and self.context.torch_name is None else ()


def _may_save_result(call: ast.Call, file: FileFacts) -> bool:
    """Cheaply: the call may run an op that saves its result (a torch function or Tensor method
    whose derivatives.yaml entry saves it), or a call the cheap pass cannot name."""
    tables = torch_tables()
    name = file.qualified(call.func)
    last = name.rsplit(".", 1)[-1] if name else call.func.attr if isinstance(call.func, ast.Attribute) else None
    if last is None:
        return True  # `f(x).mul_(2)`: a function of the file may return a saved output
    op = tables.tensor_method_ops.get(last, last)
    saves = tables.saves.get(op)
    return saves is not None and saves.result or name is None and isinstance(call.func, ast.Attribute) and last not in tables.saves


def _cuts_the_graph(links: list[Link]) -> str | None:
    """A link whose twin drops the tensor's history (`zero_`, `fill_`, `copy_`): in place, the tensor
    keeps requiring grad and its earlier inputs get zero gradients; the twin carries none of them."""
    for call, _ in links:
        method = call.func.attr.value  # type: ignore[attr-defined]
        if method in ("zero_", "fill_", "copy_"):
            return f".{method}()"
    return None


def _scalar_literal(source: str) -> bool:
    """`3.0`, `-1`, `True`: a Python number, which has no `.to()`."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, (bool, int, float, complex))


def _bind(call: cst.Call, entry: Entry) -> dict[str, str] | None:
    """Argument source per template parameter, or None when the call can't be matched."""
    values = dict(entry.defaults)
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or len(positional) > len(entry.params):
        return None
    for param, arg in zip(entry.params, positional):
        values[param] = _atom(arg.value)
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in entry.params:
                return None
            values[arg.keyword.value] = _atom(arg.value)
    return values if all(p in values for p in entry.params) else None


def _atom(expr: cst.BaseExpression) -> str:
    """Source that stays one operand anywhere in a template."""
    return code(grouped(expr) if precedence(expr) == ATOM else parenthesize(expr))


def _assign(target: cst.BaseExpression, value: cst.BaseExpression) -> cst.Assign:
    return cst.Assign(targets=[cst.AssignTarget(target=target)], value=grouped(value))


def _is_data(expr: cst.BaseExpression) -> bool:
    """`p.data`: writes through it bypass autograd (IP109's concern)."""
    return isinstance(expr, cst.Attribute) and expr.attr.value == "data"


def _rebinds(statement: cst.CSTNode, root: cst.BaseExpression, call: cst.Call) -> bool:
    """`x = x.relu_()`: the statement already rebinds the receiver to the call's value."""
    if not isinstance(statement, cst.Assign) or statement.value is not call or len(statement.targets) != 1:
        return False
    return code(statement.targets[0].target) == code(root)
