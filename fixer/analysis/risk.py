"""Risk of one in-place write: does it break autograd (and how sure are we), and may the fix rebind?

A composition of three analyses, answered from the region's facts after the traversal:
- saved for backward (`saved.py`): the op whose saved value the write changes: an `error`;
- grad (`grad.py`): a tensor that never requires grad is no finding;
- aliasing (`aliasing.py`): whether the rewrite may rebind the name (the fix's safety).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.aliasing import AliasAnalysis
from fixer.analysis.flow import Flow
from fixer.analysis.grad import Grad, GradAnalysis
from fixer.analysis.leaves import is_grad_leaf
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.saved import SavedAnalysis, quoted
from fixer.analysis.scope import RegionFacts, qualified
from fixer.analysis.tables import TorchTables
from fixer.analysis.tensors import Kind, TensorKinds, never_requires_grad
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


class RiskAnalysis:
    """Answers `assess(target, node)` for the rules of one region, after its traversal."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, tables: TorchTables) -> None:
        self.facts, self.kinds, self.tables = facts, kinds, tables
        self.flow = Flow(facts)
        self.grads = GradAnalysis(facts, kinds)
        self.saved = SavedAnalysis(facts, kinds, tables, self.flow, self.grads)
        self.aliases = AliasAnalysis(facts, kinds, tables, self.flow)

    # the verdict ------------------------------------------------------------------------------
    def assess(self, target: cst.BaseExpression, node: cst.CSTNode, values: Sequence[cst.BaseExpression] = (),
               statement: cst.CSTNode | None = None, *, tensor: bool = False) -> Risk | None:
        """None when the write is intentional or harmless; else the severity, reason and fix safety.
        `statement`: the statement the fix replaces, when not `node` (its own aliasing is rewritten too);
        `tensor`: the caller knows the target is a tensor (a torch function's argument)."""
        scope = self.facts.scope(node)
        if self.facts.in_no_grad(node) or never_requires_grad(target) or qualified(target, self.facts.imports):
            return None  # no grad, or a module (`nn.init.normal_(w)` is a function, not a method)
        safety, because = self.fix_safety(target, node, besides=statement or node, tensor=tensor)
        if isinstance(target, cst.Name):
            saved = self.saved.saved(target.value, node, scope)
            if saved is not None:
                return Risk(Severity.ERROR, saved[1], safety, because, saved[0])
        if is_grad_leaf(target, scope, self.facts):
            where = f"`{code(target)}` is a leaf tensor that requires grad"
            reason = (where, f"; `{quoted(node)}` at line ", LineOf(node), " outside `torch.no_grad()` raises at once")
            return Risk(Severity.ERROR, reason, safety, because)
        if isinstance(target, cst.Name) and self.grads.grad(target, scope, node) is Grad.NO:
            return None
        if isinstance(target, cst.Name) and self.saved.proven_unsaved(target.value, node, scope):
            return None  # no op can have saved it: the write is what the code means
        if not tensor and self.kinds.kind(target, scope) is Kind.NOT_TENSOR:
            return None
        return Risk(Severity.WARNING, (), safety, because)

    def fix_safety(self, target: cst.BaseExpression, node: cst.CSTNode,
                   besides: cst.CSTNode | None = None, *, tensor: bool = False) -> tuple[Safety, Message]:
        """Whether rebinding `target` keeps behaviour: the aliasing analysis decides."""
        return self.aliases.fix_safety(target, node, besides, tensor=tensor)
