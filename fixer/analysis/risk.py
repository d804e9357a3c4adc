"""Risk of one in-place write: does it break autograd (and how sure are we), and may the fix rebind?

A composition of three analyses, answered from the region's facts after the traversal:
- saved for backward (`saved.py`, `state.py` across calls): the op whose saved value the write
  changes: an `error`;
- grad (`grad.py`): a tensor that never requires grad is no finding;
- aliasing (`aliasing.py`): whether the rewrite may rebind the name (the fix's safety);
and what the def's callers in the file do (`callers.py`): run it without grad, feed it saved values.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from fixer.analysis.aliasing import AliasAnalysis
from fixer.analysis.callers import called_without_grad, callers_pass_unsaved, fed_saved, never_runs
from fixer.analysis.flow import Flow
from fixer.analysis.grad import Grad, GradAnalysis, never_requires_grad
from fixer.analysis.leaves import is_grad_leaf
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.saved import SavedAnalysis, quoted
from fixer.analysis.scope import FunctionFacts, RegionFacts, qualified
from fixer.analysis.state import saved_by_this_call
from fixer.analysis.tables import TorchTables
from fixer.analysis.tensors import Kind, TensorKinds
from fixer.core.types import Safety, Severity


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
    def assess(self, target: cst.BaseExpression, node: cst.CSTNode, statement: cst.CSTNode | None = None,
               *, tensor: bool = False) -> Risk | None:
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
        if scope.function_forward and isinstance(target, cst.Name):
            return self._input_of_function(target.value, node, scope)
        if self.facts.in_no_grad(node) or never_requires_grad(target) or qualified(target, self.facts.imports):
            return None  # no grad, or a module (`nn.init.normal_(w)` is a function, not a method)
        if called_without_grad(self.facts.file, scope):
            return None  # every caller in the file runs it under `torch.no_grad()`
        if never_runs(self.facts.file, self.flow, node, scope):
            return None  # under `if p is not None:` where every call leaves `p` at its default None
        safety, because = self.fix_safety(target, node, besides=statement or node, tensor=tensor)
        if isinstance(target, cst.Name):
            saved = self.saved.saved(target.value, node, scope)
            if saved is not None:
                return Risk(Severity.ERROR, saved[1], safety, because, saved[0])
        elif isinstance(target, cst.Attribute):
            saved = self.saved.saved_attribute(target, node, scope)
            if saved is not None:
                return Risk(Severity.ERROR, saved[1], safety, because, saved[0])
        if isinstance(target, cst.Name):
            fed = fed_saved(self.facts.file, self.flow, target.value, node, scope)
            if fed is not None:
                return Risk(Severity.ERROR, fed, safety, because)
        state = saved_by_this_call(self.saved, target, node, scope)
        if state is not None:
            return Risk(Severity.ERROR, state[1], safety, because, state[0])
        if is_grad_leaf(target, scope, self.facts):
            where = f"`{code(target)}` is a leaf tensor that requires grad"
            reason = (where, f"; `{quoted(node)}` at line ", LineOf(node), " outside `torch.no_grad()` raises at once")
            return Risk(Severity.ERROR, reason, safety, because)
        if isinstance(target, (cst.Name, cst.Attribute)) and self.grads.grad_of(target, scope) is Grad.NO:
            return None  # a grad-free value, a buffer, a plain attribute
        if isinstance(target, cst.Name) and self.saved.proven_unsaved(target.value, node, scope):
            return None  # no op can have saved it: the write is what the code means
        if isinstance(target, cst.Name) and callers_pass_unsaved(self.facts.file, self.flow, target.value, node, scope):
            return None  # every caller hands over a new value nothing saved or reads again
        if not tensor and self.kinds.kind(target, scope) is Kind.NOT_TENSOR:
            return None
        return Risk(Severity.WARNING, (), safety, because)

    def _input_of_function(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> Risk | None:
        """In an autograd.Function's `forward`, writing an input (or a cast that may return it, as
        `.float()` of a float tensor does) in place without `ctx.mark_dirty` changes the caller's
        tensor behind autograd's back: values other ops saved from it no longer match."""
        if any(isinstance(op, cst.Call) and isinstance(op.func, cst.Attribute) and op.func.attr.value == "mark_dirty"
               for op in scope.ops):
            return None
        seen: set[tuple[str, int]] = set()
        todo: list[tuple[str, cst.CSTNode]] = [(name, node)]
        while todo:
            current, at = todo.pop()
            if (current, id(at)) in seen:
                continue
            seen.add((current, id(at)))
            if current in scope.params and self.flow.entry_reaches(current, at, scope):
                safety, because = self.fix_safety(cst.Name(name), node)
                reason = (f"`{name}` may be the caller's input of this autograd.Function (`{current}`): `{quoted(node)}` at line ",
                          LineOf(node), " writes it in place without `ctx.mark_dirty`, and backward of what saved it fails")
                return Risk(Severity.ERROR, reason, Safety.UNSAFE, because or ("the caller's tensor is written",))
            for binding in self.flow.reaching(current, at, scope):
                if binding.value is not None:
                    todo += [(n, binding.node) for n, _ in self.aliases.source(binding.value, scope).names]
        return None

    def fix_safety(self, target: cst.BaseExpression, node: cst.CSTNode,
                   besides: cst.CSTNode | None = None, *, tensor: bool = False) -> tuple[Safety, Message]:
        """Whether rebinding `target` keeps behaviour: the aliasing analysis decides."""
        return self.aliases.fix_safety(target, node, besides, tensor=tensor)

