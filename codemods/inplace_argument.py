"""IP105 inplace-argument: `nn.ReLU(inplace=True)`, `F.dropout(x, 0.5, True, True)`."""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods._common import code, drop_flag, hoisted, is_assignable
from codemods._flags import flag_argument
from codemods._layers import SEQUENTIAL, Holder, LayerOrder
from fixer.analysis.input_writes import leaf_feed, parent_feeds, passes_input
from fixer.analysis.order import read_before
from fixer.analysis.scope import qualified
from fixer.analysis.regions import FileFacts
from fixer.analysis.tables import torch_tables
from fixer.codemod import Codemod, RuleContext
from fixer.types import Safety, Severity

# Code that may not run, or may run more than once: a rebinding cannot move out of it.
CONDITIONAL = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.IfExp, cst.BooleanOperation)


class InplaceArgument(Codemod):
    """
    ## What it does
    Finds a literal `inplace=True` given to a `torch.nn` module or functional, by keyword or by
    position (`nn.LeakyReLU(0.2, True)`, `F.dropout(x, 0.5, True, True)`: positions come from a
    table generated from torch's signatures), and drops the flag.

    ## Why is this risky
    An in-place activation overwrites its input. After a layer that saves its output for backward
    (`Sigmoid`, `Tanh`, `Softmax`, `ReLU`), backward raises "one of the variables needed for
    gradient computation has been modified by an inplace operation". After `Linear`, `Conv` or
    `BatchNorm` it is correct and saves memory: inside `nn.Sequential(...)` those are not reported.

    ## Example
    ```python
    net = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU(inplace=True))
    ```

    ## Use instead
    ```python
    net = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU())
    ```

    ## Fix safety
    Safe in a `Sequential` after a layer that saves its output (an error). For the functional
    form the written tensor is rebound first, so every name that saw the write sees the result:
    `y = F.relu(x, inplace=True) + x` becomes `x = F.relu(x)` then `y = x + x`; its safety is that
    of rebinding `x` (no other view or holder of it, as for IP102). Unsafe for a module elsewhere:
    it may be called with its result discarded (`self.act(x)` relying on the write), and the
    out-of-place form costs memory. A
    positional flag followed by other arguments becomes `False`, so they keep their positions.

    ## Limitations
    `inplace=inplace` is not reported. The preceding layer is known only inside `Sequential(...)`
    or a list of layers; `self.act = nn.ReLU(inplace=True)` is not reported, since what feeds it
    is decided in `forward`, which this rule does not follow.
    """

    ID = "IP105"
    NAME = "inplace-argument"
    FIX_TITLE = "Drop the inplace flag"
    PREFILTER = re.compile(r"inplace\b[^,)\n]*=\s*True|True\s*[,)]")  # a literal flag, or a default one
    AST_NODES = (ast.Call,)

    @classmethod
    def is_candidate(cls, node: ast.AST, file: FileFacts) -> bool:
        args = list(node.args) + [k.value for k in node.keywords]  # type: ignore[attr-defined]
        literal = any(isinstance(a, ast.Constant) and a.value is True for a in args)
        named = any(k.arg in ("inplace", None) for k in node.keywords)  # type: ignore[attr-defined]
        if not (literal or named or any(isinstance(a, ast.Name) for a in node.args)):  # type: ignore[attr-defined]
            return False  # the cheap test first: most calls pass no flag
        return file.qualified(node.func) in torch_tables().inplace_params  # type: ignore[attr-defined]

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._layers = LayerOrder(context.facts)
        self._statement: dict[int, cst.BaseSmallStatement] = {}  # call -> the statement it is the value of

    def visit_Call(self, node: cst.Call) -> None:
        name = qualified(node.func, self.context.facts.imports)
        self._layers.call(node, name)
        if name == SEQUENTIAL:
            self._layers.sequence(node, [a.value for a in node.args if a.keyword is None and not a.star])
        index = self.context.tables.inplace_params.get(name or "")
        if index is not None:
            self.later(self._check, node, name, index)

    def visit_List(self, node: cst.List) -> None:
        layers = [e.value for e in node.elements if not isinstance(e, cst.StarredElement)]
        if layers and all(isinstance(v, cst.Tuple) and len(v.elements) == 2 for v in layers):
            layers = [v.elements[1].value for v in layers]  # type: ignore[attr-defined]  # OrderedDict pairs
        self._layers.sequence(node, layers)
    visit_Tuple = visit_List  # type: ignore[assignment]

    def visit_Expr(self, node: cst.Expr) -> None:
        self._statement[id(node.value)] = node
    visit_Return = visit_Expr  # type: ignore[assignment]

    def visit_Assign(self, node: cst.Assign) -> None:
        self._statement[id(node.value)] = node
        self._layers.assign(node)

    def _check(self, call: cst.Call, name: str, index: int) -> None:
        assert self.context.risks is not None
        scope, flow = self.scope(call), self.context.risks.flow
        found = flag_argument(call, index, scope, lambda n: flow.uses(n, scope), flow.parents(scope))
        if found is None:
            return
        flag, literal = found
        fixed = drop_flag(call, flag)
        if not name.startswith("torch.nn.functional."):
            self._check_module(call, name.rsplit(".", 1)[-1], fixed, literal)
        elif literal:
            self._check_functional(call, fixed)

    def _check_functional(self, call: cst.Call, fixed: cst.Call) -> None:
        target = call.args[0].value if call.args and call.args[0].keyword is None else None
        if target is None:
            return
        statement = self._statement.get(id(call)) or self._enclosing(call)
        risk = self.risk(target, call, [], statement, tensor=True)
        if risk is None:
            return
        message = f"`{code(call.func)}(..., inplace=True)` overwrites `{code(target)}`; it fails when autograd saved it"
        if statement is None or not is_assignable(target):
            self.report_risk(call, risk, message, replacement=fixed, safety=Safety.UNSAFE)  # a later read may miss the write
            return
        if read_before(statement, call, [target], self.scope(call)):
            note = f"the statement reads `{code(target)}` before the write: rebinding it first would change that read"
            self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=note)
            return
        # `y = F.relu(x, inplace=True) + x` wrote `x`: `x = F.relu(x)` first, then `y = x + x`
        rebind = cst.Assign(targets=[cst.AssignTarget(target=target)], value=fixed)
        self.report_risk(statement, risk, message, replacement=hoisted(statement, call, rebind))

    def _enclosing(self, call: cst.Call) -> cst.BaseSmallStatement | None:
        """The small statement around `call`; None inside code that may not run, or runs again."""
        assert self.context.risks is not None
        parents = self.context.risks.flow.parents(self.scope(call))
        node: cst.CSTNode | None = parents.get(id(call))
        while node is not None and not isinstance(node, cst.BaseSmallStatement):
            if isinstance(node, CONDITIONAL):
                return None
            node = parents.get(id(node))
        return node if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Expr)) else None

    def _check_module(self, call: cst.Call, short: str, fixed: cst.Call, literal: bool) -> None:
        statement, scope = self._statement.get(id(call)), self.scope(call)
        if isinstance(statement, cst.Assign) and all(code(t.target).startswith("self.") for t in statement.targets):
            target = statement.targets[0].target
            if scope.class_info is not None and len(statement.targets) == 1 and isinstance(target, cst.Attribute):
                self._check_held(call, Holder(scope.class_info.name, target.attr.value), short, fixed)
            return  # what feeds it is decided in `forward`
        known, before = self._previous(call)
        saver = self._saver(before) if before is not None else False
        if isinstance(saver, str) and isinstance(before, cst.Call):
            message = f"`nn.{short}` with inplace=True overwrites the output of `{code(before.func)}`, which saves it for backward"
            self.report(call, message, replacement=fixed, safety=Safety.SAFE, severity=Severity.ERROR)
            return
        holder = self._layers.holder(call, self._statement, scope) if known and before is None else None
        if holder is not None and self._check_held(call, holder, short, fixed):
            return
        if saver is False and literal:  # after Linear, Conv, BatchNorm (None): correct, and it saves memory
            message = f"`nn.{short}` with inplace=True overwrites its input; it fails when autograd saved it (after a sigmoid, tanh, softmax)"
            self.report(call, message, replacement=fixed, safety=Safety.UNSAFE)

    def _check_held(self, call: cst.Call, holder: Holder, short: str, fixed: cst.Call) -> bool:
        """A layer that receives the input of `holder` (an attribute of a class, or the class): an
        error when a method of the file calls it on a value autograd saved, or on an nn.Parameter;
        also when the class hands its own input on and a class holding it feeds it such a value."""
        file, scope = self.context.facts.file, self.scope(call)
        if file is None:
            return False
        held = f"`self.{holder.attr}`" if holder.attr else f"`{holder.class_name}`"
        what = f"{held}, {'a layer' if holder.attr is None else 'holding'} `nn.{short}` with inplace=True, overwrites its input"
        what = f"{held}, a `nn.{short}` with inplace=True, overwrites its input" if self._is_direct(call) else what
        feed = file.inplace_feeds(holder.class_name, holder.attr) if holder.attr else None
        if feed is not None:
            message = f"{what} when called at line {feed.line}: {feed.reason}"
            return self._report_held(call, message, fixed, feed.private)
        leaf = leaf_feed(file, holder.class_name, holder.attr, frozenset(scope.class_parameters)) if holder.attr else None
        if leaf is not None:
            message = f"{what} when called at line {leaf.line} on an nn.Parameter, a leaf that requires grad: that raises at once"
            return self._report_held(call, message, fixed, leaf.private)
        handover = passes_input(file, holder.class_name, holder.attr) if holder.attr else None
        if holder.attr is not None and handover is None:
            return False
        parent = parent_feeds(file, holder.class_name)
        if parent is None:
            return False
        on = f" at line {handover.line}" if handover is not None else ""
        message = (f"{what}, the input of `{holder.class_name}`{on}; `{parent.parent}` passes `self.{parent.attr}` "
                   f"a value autograd saved at line {parent.feed.line}: {parent.feed.reason}")
        return self._report_held(call, message, fixed, parent.private and (handover is None or handover.private))

    def _report_held(self, call: cst.Call, message: str, fixed: cst.Call, private: bool) -> bool:
        if private:
            self.report(call, message, replacement=fixed, safety=Safety.SAFE, severity=Severity.ERROR)
            return True
        because = "; fix unsafe: a call passes a tensor that is read again, which would no longer see the write"
        self.report(call, message + because, replacement=fixed, safety=Safety.UNSAFE, severity=Severity.ERROR)
        return True

    def _is_direct(self, call: cst.Call) -> bool:
        statement = self._statement.get(id(call))
        return isinstance(statement, cst.Assign) and statement.value is call

    def _previous(self, call: cst.BaseExpression) -> tuple[bool, cst.BaseExpression | None]:
        """(known, the layer whose output `call` receives), skipping layers that may pass their input on."""
        known, before = self._layers.previous(call)
        while known and isinstance(before, cst.Call) and self._passes_through(before):
            known, before = self._layers.previous(before)
        return known, before

    def _module(self, layer: cst.Call) -> tuple[str, object] | None:
        """The torch.nn class `layer` builds (through a parameter's default: `act_layer=nn.ReLU`) and its table entry."""
        func = layer.func
        scope = self.scope(layer)
        if isinstance(func, cst.Name) and func.value in scope.params and func.value not in scope.bindings:
            default = scope.params[func.value].default
            func = default if default is not None else func
        name = qualified(func, self.context.facts.imports) or ""
        saves = self.context.tables.module_saves.get(name)
        return None if saves is None else (name, saves)

    def _passes_through(self, layer: cst.Call) -> bool:
        """Identity, Flatten, Dropout: the output may be the input itself (Dropout in eval mode)."""
        found = self._module(layer)
        if found is None:
            return False
        saves = found[1]
        return saves.output_is_input_view or saves.in_eval is not None and saves.in_eval.output_is_input_view  # type: ignore[attr-defined]

    def _saver(self, before: cst.BaseExpression) -> str | bool | None:
        """The layer that saves `before`'s output, False when unknown, None when it keeps nothing of it."""
        if not isinstance(before, cst.Call):
            return False
        found = self._module(before)
        if found is None:
            return False
        name, saves = found
        if saves.saves_output:  # type: ignore[attr-defined]
            return name
        index = self.context.tables.inplace_params.get(name)
        if index is not None and saves.inplace_writes_input and self._inplace_flagged(before, index):  # type: ignore[attr-defined]
            return name if self._inplace_saves_result(name) else None
        return None

    def _inplace_flagged(self, layer: cst.Call, index: int) -> bool:
        assert self.context.risks is not None
        scope, flow = self.scope(layer), self.context.risks.flow
        return flag_argument(layer, index, scope, lambda n: flow.uses(n, scope), flow.parents(scope)) is not None

    def _inplace_saves_result(self, name: str) -> bool:
        """Built in place, the layer's functional twin (`leaky_relu_` for LeakyReLU) saves its result."""
        spelled = name.rsplit(".", 1)[-1].lower()
        saves = self.context.tables.saves
        op = next((o for o in saves if o.endswith("_") and not o.startswith("_") and o.replace("_", "") == spelled), None)
        return op is not None and saves[op].result
