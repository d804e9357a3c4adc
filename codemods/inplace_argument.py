"""IP105 inplace-argument: `nn.ReLU(inplace=True)`, `F.dropout(x, 0.5, True, True)`."""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods._common import code, drop_flag, hoisted, inplace_flag, is_assignable
from fixer.analysis.order import read_before
from fixer.analysis.scope import qualified
from fixer.analysis.regions import FileFacts
from fixer.analysis.tables import torch_tables
from fixer.codemod import Codemod, RuleContext
from fixer.types import Safety, Severity

# The aten op behind each activation module: whether it saves its output comes from the tables.
MODULE_OPS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "_softmax", "Softmin": "_softmax",
              "Softmax2d": "_softmax", "LogSoftmax": "_log_softmax", "ReLU6": "hardtanh"}
MODULE_OPS |= {name: name.lower() for name in ("ReLU", "ELU", "GELU", "SiLU", "Softplus", "Hardtanh", "Mish",
                                              "Hardsigmoid", "Hardswish", "CELU", "Threshold", "GLU")}
MODULE_OPS |= {"LeakyReLU": "leaky_relu", "Softshrink": "softshrink", "Hardshrink": "hardshrink"}
# Layers whose output autograd does not save (their table entries' results are statistics).
KEEPS_NOTHING = re.compile(r"(Linear|Bilinear|Conv(Transpose)?[123]d|(Sync)?BatchNorm[123]?d?|LayerNorm|GroupNorm"
                           r"|InstanceNorm[123]d|RMSNorm|(Adaptive)?(Avg|Max)Pool[123]d|Embedding|PReLU|SELU"
                           r"|LogSigmoid|Softsign|Tanhshrink|Upsample|PixelShuffle)")
PASS_THROUGH = re.compile(r"Identity|Flatten|Unflatten|(Alpha|FeatureAlpha)?Dropout[123]?d?")  # may return their input


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
    PREFILTER = re.compile(r"inplace\s*=\s*True|True\s*[,)]")
    AST_NODES = (ast.Call,)

    @classmethod
    def is_candidate(cls, node: ast.AST, file: FileFacts) -> bool:
        args = list(node.args) + [k.value for k in node.keywords]  # type: ignore[attr-defined]
        if not any(isinstance(a, ast.Constant) and a.value is True for a in args):
            return False  # the cheap test first: most calls pass no literal True
        return file.qualified(node.func) in torch_tables().inplace_params  # type: ignore[attr-defined]

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._before: dict[int, cst.BaseExpression | None] = {}  # layer -> the layer before it
        self._statement: dict[int, cst.BaseSmallStatement] = {}  # call -> the statement it is the value of
        self._element_of: dict[int, tuple[cst.Call, int]] = {}  # layer -> the Sequential holding it, its index

    def visit_Call(self, node: cst.Call) -> None:
        name = qualified(node.func, self.context.facts.imports)
        if name == "torch.nn.Sequential":
            self._sequence([a.value for a in node.args if a.keyword is None and not a.star])
            if not any(a.star for a in node.args):  # `Sequential(*layers)`: positions are not indices
                self._element_of.update((id(a.value), (node, i)) for i, a in enumerate(node.args))
        index = self.context.tables.inplace_params.get(name or "")
        flag = inplace_flag(node, index) if index is not None else None
        if flag is not None:
            self.later(self._check, node, name, flag)

    def visit_List(self, node: cst.List) -> None:
        layers = [e.value for e in node.elements if not isinstance(e, cst.StarredElement)]
        if layers and all(isinstance(v, cst.Tuple) and len(v.elements) == 2 for v in layers):
            layers = [v.elements[1].value for v in layers]  # type: ignore[attr-defined]  # OrderedDict pairs
        self._sequence(layers)
    visit_Tuple = visit_List  # type: ignore[assignment]

    def _sequence(self, layers: list[cst.BaseExpression]) -> None:
        for before, layer in zip([None, *layers], layers):
            self._before.setdefault(id(layer), before)  # the outermost sequence knows the order

    def visit_Expr(self, node: cst.Expr) -> None:
        self._statement[id(node.value)] = node
    visit_Assign = visit_Return = visit_Expr  # type: ignore[assignment]

    def _check(self, call: cst.Call, name: str, flag: int) -> None:
        short = name.rsplit(".", 1)[-1]
        fixed = drop_flag(call, flag)
        if not name.startswith("torch.nn.functional."):
            self._check_module(call, short, fixed)
            return
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

    def _check_module(self, call: cst.Call, short: str, fixed: cst.Call) -> None:
        statement = self._statement.get(id(call))
        evidence = self.context.facts.evidence.by_module(short, self._path(call))
        if evidence is not None:  # `outplace trace` saw a module of this class break backward
            safe = id(call) in self._before  # a layer of a sequence: its result is what flows on
            because = "" if safe else "; fix unsafe: where the module is called, its result may be dropped, relying on the write"
            self.report(call, evidence.module_reason() + because, replacement=fixed,
                        safety=Safety.SAFE if safe else Safety.UNSAFE, severity=Severity.ERROR)
            return
        if isinstance(statement, cst.Assign) and all(code(t.target).startswith("self.") for t in statement.targets):
            return  # `self.act = nn.ReLU(inplace=True)`: what feeds it is decided in `forward`
        saver = self._saver(before := self._previous(call))
        if saver is None:
            return  # after Linear, Conv, BatchNorm: correct, and it saves memory
        if saver and isinstance(before, cst.Call):
            message = f"`nn.{short}` with inplace=True overwrites the output of `{code(before.func)}`, which `{saver}` saves for backward"
            self.report(call, message, replacement=fixed, safety=Safety.SAFE, severity=Severity.ERROR)
            return
        message = f"`nn.{short}` with inplace=True overwrites its input; it fails when autograd saved it (after a sigmoid, tanh, softmax)"
        self.report(call, message, replacement=fixed, safety=Safety.UNSAFE)

    def _path(self, call: cst.Call) -> str | None:
        """How code reaches the module `call` builds (`self.act`, `model.2`); None when not plainly."""
        statement = self._statement.get(id(call))
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return code(statement.targets[0].target)
        sequence, index = self._element_of.get(id(call), (None, 0))
        head = self._path(sequence) if sequence is not None else None
        return f"{head}.{index}" if head else None

    def _previous(self, call: cst.BaseExpression) -> cst.BaseExpression | None:
        """The layer whose output `call` receives, skipping layers that may pass their input on."""
        before = self._before.get(id(call))
        while isinstance(before, cst.Call) and PASS_THROUGH.fullmatch(self._class(before)):
            before = self._before.get(id(before))
        return before

    def _class(self, layer: cst.Call) -> str:
        name = qualified(layer.func, self.context.facts.imports) or ""
        return name.removeprefix("torch.nn.") if name.startswith("torch.nn.") and name.count(".") == 2 else ""

    def _saver(self, before: cst.BaseExpression | None) -> str | bool | None:
        """The op that saves `before`'s output, False when unknown, None when it saves nothing."""
        if not isinstance(before, cst.Call):
            return False
        cls = self._class(before)
        op = MODULE_OPS.get(cls, "")
        index = self.context.tables.inplace_params.get(f"torch.nn.{cls}")
        if index is not None and inplace_flag(before, index) is not None and f"{op}_" in self.context.tables.saves:
            op = f"{op}_"  # the in-place form saves its result where the plain one saves its input
        if (saves := self.context.tables.saves.get(op)) is not None:
            return op if saves.result else None
        return None if KEEPS_NOTHING.fullmatch(cls) else False

