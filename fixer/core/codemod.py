"""The base class of every rule: a LibCST visitor that reports findings with their fixes."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Union

import libcst as cst

from fixer.analysis.dtypes import INTS, Dtypes
from fixer.analysis.leaves import leaf_update, written_leaf
from fixer.analysis.regions import FileFacts
from fixer.analysis.messages import Message
from fixer.analysis.grad import never_requires_grad
from fixer.analysis.risk import Risk, RiskAnalysis
from fixer.analysis.scope import FunctionFacts, RegionFacts
from fixer.analysis.tables import TorchTables
from fixer.analysis.tensors import Kind, TensorKinds
from fixer.core.builders import cast_to
from fixer.core.trigger import AstShape, CstShape, Shape, Trigger
from fixer.core.types import Safety, Severity

Replacement = Union[cst.CSTNode, Sequence[cst.BaseSmallStatement], None]


@dataclass(frozen=True, slots=True)
class Report:
    """A finding as a rule sees it: CST nodes, turned into a `Finding` by the engine."""

    node: cst.CSTNode
    message: Message  # text, with `LineOf(node)` standing for line numbers the engine fills in
    severity: Severity
    safety: Safety
    replacement: Replacement
    imports: tuple[str, ...] = ()  # modules the replacement names, imported when missing
    until: cst.CSTNode | None = None  # the span runs from `node` to the end of this later sibling


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may consult about the region it visits."""

    facts: RegionFacts
    kinds: TensorKinds
    tables: TorchTables
    torch_name: str | None  # how the file spells the `torch` module ("torch", "T"); None: not imported
    risks: RiskAnalysis | None = None  # built from facts, kinds and tables when not given
    dtypes: Dtypes | None = None  # built from facts and kinds when not given

    def __post_init__(self) -> None:
        if self.risks is None:
            object.__setattr__(self, "risks", RiskAnalysis(self.facts, self.kinds, self.tables))
        if self.dtypes is None:
            assert self.risks is not None
            object.__setattr__(self, "dtypes", Dtypes(self.facts, self.kinds, self.risks.flow.reaching))


class Codemod(cst.BatchableCSTVisitor):
    """Subclasses set the class attributes, declare TRIGGERS and report from their checks; `visit_*`
    methods of their own keep whatever bookkeeping a check needs."""

    ID: ClassVar[str]
    NAME: ClassVar[str]
    FIX_TITLE: ClassVar[str]
    PREFILTER: ClassVar[re.Pattern[str]]  # a file that does not match cannot hold a finding
    # When set: a match counts only where the character before it ("" at the start) passes. A
    # pattern led by a literal and checked this way is ten times faster than a lookbehind or a
    # leading character class, which keep `re` from skipping ahead to the literal.
    PREFILTER_AFTER: ClassVar[Callable[[str], bool] | None] = None
    # The nodes the rule looks at: the cheap pass's AST_NODES and candidate test, and the
    # `visit_<node>` methods that hand each matching node to the trigger's check, come from them.
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = ()
    _tests: ClassVar[dict[type[ast.AST], tuple[Callable[[Shape], bool], ...]]] = {}  # the triggers' tests by node type
    AST_NODES: ClassVar[tuple[type[ast.AST], ...]] = ()  # node types the cheap pass looks at
    # The fix's safety when nothing else can observe the change (a private local name); the
    # docstring's "Fix safety" section says what makes it unsafe. `outplace rules` shows it.
    SAFETY: ClassVar[Safety] = Safety.SAFE

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        triggers = cls.__dict__.get("TRIGGERS")
        if not triggers:
            return
        cls.AST_NODES = tuple(dict.fromkeys(t.ast_type for t in triggers))
        cls._tests = {t.ast_type: tuple(u.when for u in triggers if u.node == t.node) for t in triggers}
        for node in dict.fromkeys(t.node for t in triggers):
            name = f"visit_{node}"
            setattr(cls, name, _dispatch(name, getattr(cls, name, None), tuple(t for t in triggers if t.node == node)))

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.reports: list[Report] = []
        self._pending: list[tuple[Callable[..., None], tuple[object, ...]]] = []

    def later(self, check: Callable[..., None], *args: object) -> None:
        """Run `check(*args)` once the whole region is visited and every binding is known."""
        self._pending.append((check, args))

    def leave_Module(self, original_node: cst.Module) -> None:
        for check, args in self._pending:
            check(*args)
        self._pending.clear()  # bound methods of `self`: a cycle that would keep the region's nodes until a collection

    @classmethod
    def prefilter(cls, text: str) -> bool:
        """Whether the file's text may hold a finding of this rule (no parsing)."""
        after = cls.PREFILTER_AFTER
        if after is None:
            return cls.PREFILTER.search(text) is not None
        return any(after(text[m.start() - 1 : m.start()]) for m in cls.PREFILTER.finditer(text))

    @classmethod
    def is_candidate(cls, node: ast.AST, file: FileFacts, shape: Shape | None = None) -> bool:
        """Whether an `ast` node of one of AST_NODES may be a finding: one of the rule's triggers
        matches it, and `plausible` agrees. `shape`: the node's, when the caller has it."""
        tests = cls._tests.get(type(node))
        if tests is not None:
            shape = shape or AstShape(node, file.imports)
            for when in tests:
                if when(shape):
                    break
            else:
                return False
        return cls.plausible(node, file)

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        """What the cheap pass's file-wide facts (imports, names, bindings) add to a trigger's test.
        It must never reject a node the rule would report: the fast path agrees with a whole-module
        pass finding for finding (scripts/fast_path_agrees.py)."""
        return True

    @classmethod
    def why(cls) -> str:
        """The first paragraph of the docstring's 'Why is this risky' section."""
        return doc_section(cls.__doc__ or "", "Why is this risky").split("\n\n")[0].replace("\n", " ")

    # helpers shared by rules ------------------------------------------------------------------
    def scope(self, node: cst.CSTNode) -> FunctionFacts:
        return self.context.facts.scope(node)

    def kind(self, expr: cst.BaseExpression, node: cst.CSTNode) -> Kind:
        return self.context.kinds.kind(expr, self.scope(node))

    def kept_in_dtype(self, target: cst.BaseExpression, value: cst.BaseExpression,
                      operands: Sequence[cst.BaseExpression], node: cst.CSTNode, *,
                      divides: bool = False) -> cst.BaseExpression:
        """See `kept_in_dtype` (the function), with this rule's context."""
        return kept_in_dtype(self.context, target, value, operands, node, divides=divides)

    def grad_may_flow(self, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """False where autograd cannot see the write: no-grad code, `.grad`, `.detach()`."""
        return not self.context.facts.in_no_grad(node) and not never_requires_grad(target)

    def updates_grad_leaf(self, target: cst.BaseExpression, values: Sequence[cst.BaseExpression],
                          node: cst.CSTNode) -> bool:
        """A write IP108 owns: into a leaf that requires grad, in grad mode, that no rebinding can
        replace (a module's Parameter, a caller's argument) or whose values carry no gradient
        (`w -= lr * w.grad`). Out-of-place rules must leave it alone."""
        return leaf_update(written_leaf(target), list(values), node, self.context.facts, self.context.kinds)

    def risk(self, target: cst.BaseExpression, node: cst.CSTNode,
             values: Sequence[cst.BaseExpression] = (), statement: cst.CSTNode | None = None,
             *, tensor: bool = False) -> Risk | None:
        """Whether writing `target` in place at `node` needs a finding: None when the write is
        intentional or harmless, else its severity, a reason naming the op and line that saved the
        value, and the fix safety with why. `values` are what the write stores; `statement` is the
        statement the fix replaces when it is not `node`; `tensor`: the target is surely a tensor."""
        assert self.context.risks is not None and self.context.dtypes is not None
        risk = self.context.risks.assess(target, node, statement, tensor=tensor)
        if risk is not None and risk.severity is Severity.WARNING and self.context.dtypes.dtype(target, node) in INTS:
            return None  # an integer or bool tensor that nothing saved: autograd never tracks its values
        return risk

    def report_risk(self, node: cst.CSTNode, risk: Risk, what: str, *, replacement: Replacement,
                    safety: Safety | None = None, imports: tuple[str, ...] = (), note: str | None = None) -> None:
        """Report with the risk's severity and message; `safety` may only lower the risk's; `note`,
        in parentheses after the message, says why there is no fix."""
        chosen = risk.safety if safety is None else _lower(risk.safety, safety)
        if chosen is Safety.DISPLAY_ONLY:
            replacement = None  # a rewrite some holder of the tensor would not see: no fix at all
        with_fix = replacement is not None and chosen is risk.safety
        message = risk.message(what, with_fix=with_fix) + ((f" ({note})",) if note else ())
        self.report(node, message, replacement=replacement, safety=chosen, severity=risk.severity, imports=imports)

    def evidenced(self, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """Whether `outplace trace` saw the write `node` into `target` break autograd."""
        return self.context.facts.evidence_at(node, target) is not None

    def report(
        self,
        node: cst.CSTNode,
        message: str | Message,
        *,
        replacement: Replacement,
        safety: Safety,
        severity: Severity = Severity.WARNING,
        imports: tuple[str, ...] = (),
        until: cst.CSTNode | None = None,
    ) -> None:
        """`until`: the finding covers `node` through that later statement of the same block."""
        if replacement is None and safety is not Safety.DISPLAY_ONLY:
            safety = Safety.DISPLAY_ONLY
        parts = (message,) if isinstance(message, str) else tuple(message)
        self.reports.append(Report(node, parts, severity, safety, replacement, imports, until))


def _dispatch(name: str, own: Callable[..., None] | None, triggers: tuple[Trigger, ...]) -> Callable[..., None]:
    """The `visit_<node>` of a rule: its own visitor of that name first, if any (bookkeeping), then
    each matching trigger's check."""
    if own is not None and getattr(own, "_is_no_op", False):
        own = None  # LibCST's empty stub

    def visit(self: Codemod, node: cst.CSTNode) -> None:
        if own is not None:
            own(self, node)
        shape = CstShape(node, self.context.facts.imports)
        for trigger in triggers:
            if trigger.when(shape):
                check = getattr(self, trigger.check)
                if trigger.later:
                    self.later(check, node)
                else:
                    check(node)

    visit.__name__ = name  # LibCST finds visitors by their function's name
    return visit


def kept_in_dtype(context: RuleContext, target: cst.BaseExpression, value: cst.BaseExpression,
                  operands: Sequence[cst.BaseExpression], node: cst.CSTNode, *, divides: bool = False) -> cst.BaseExpression:
    """`value`, the out-of-place result of writing `operands` into `target`, cast back to
    `target`'s dtype unless no operand is proven able to widen it: in place, `x += y` casts the
    promoted result back to `x`'s dtype (float16 `x` + float32 `y` stays float16), out of place
    it does not. `(x + y).to(x.dtype)` is then the exact rewrite. `divides`: a true division."""
    assert context.dtypes is not None
    if not any(context.dtypes.may_widen(target, o, node, divides=divides) for o in operands):
        return value
    return cast_to(value, target)


SAFETY_ORDER = (Safety.SAFE, Safety.UNSAFE, Safety.DISPLAY_ONLY)


def identifier_end(char: str) -> bool:
    """An ASCII letter or digit: `x.add_(` but not `__init__(`."""
    return char.isascii() and char.isalnum()


def word_start(char: str) -> bool:
    """No identifier character before: `out=` but not `dropout=`."""
    return not (char.isalnum() or char == "_")


def _lower(a: Safety, b: Safety) -> Safety:
    """The less safe of two safeties."""
    return max(a, b, key=SAFETY_ORDER.index)


SECTION = re.compile(r"^## (?P<title>.+)$", re.MULTILINE)


def doc_section(doc: str, title: str) -> str:
    """The text under `## title` in a rule docstring, dedented and stripped."""
    import inspect

    text = inspect.cleandoc(doc)
    parts = SECTION.split(text)
    for i in range(1, len(parts) - 1, 2):
        if parts[i].strip() == title:
            return parts[i + 1].strip()
    return ""
