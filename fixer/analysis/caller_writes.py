"""A write into a tensor the function's callers passed: saved by a caller before the call, a list
every caller passes, or a function every caller runs without grad; and a later loop op's save."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from fixer.analysis.callers import Callee, Passed, callee_of, passed_for, runs_without_grad
from fixer.analysis.later_iterations import saved_by_a_later_op
from fixer.analysis.messages import LineOf
from fixer.analysis.risk import Risk, RiskAnalysis
from fixer.analysis.saved import quoted
from fixer.analysis.scope import FunctionFacts, RegionFacts
from fixer.core.types import Severity


class CallerWrites:
    """The callers' side of a write into an argument, with the answers memoised for one region."""

    def __init__(self, facts: RegionFacts, risks: RiskAnalysis) -> None:
        self.facts, self.risks = facts, risks
        self._grad_off: dict[Callee, bool] = {}  # functions every caller in the file runs without grad
        self._callers: dict[tuple[Callee, str], Passed | None] = {}  # what callers pass, by function and parameter

    def without_grad(self, scope: FunctionFacts) -> bool:
        """Every caller in the file runs the function `scope` under `torch.no_grad()`."""
        file, callee = self.facts.file, callee_of(scope)
        if file is None or callee is None:
            return False
        if callee not in self._grad_off:
            self._grad_off[callee] = runs_without_grad(file, callee)
        return self._grad_off[callee]

    def _passed(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> tuple[str, Passed] | None:
        return passed_for(self.facts.file, self.risks.flow, name, node, scope, self._callers)

    def saved_by_caller(self, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """`target` holds an argument that a caller in the file saved before the call."""
        if not isinstance(target, cst.Name):
            return False
        found = self._passed(target.value, node, self.facts.scope(node))
        return found is not None and found[1].saved is not None and not found[1].containers

    def passed_lists(self, name: str, node: cst.CSTNode) -> bool:
        """`name` holds a parameter every caller in the file fills with a list, tuple or dict."""
        found = self._passed(name, node, self.facts.scope(node))
        return found is not None and found[1].containers

    def saved_elsewhere(self, risk: Risk, name: str, node: cst.CSTNode) -> Risk | None:
        """A warning made an error by an op saving the tensor in a later loop iteration or in the
        caller that passed it; None when every caller passes a list, not a tensor."""
        scope = self.facts.scope(node)
        later = saved_by_a_later_op(self.risks, name, node, scope)
        if later is not None:
            return replace(risk, severity=Severity.ERROR, reason=later[1], saved_by=later[0])
        if self.without_grad(scope):
            return None  # every caller in the file runs it under `torch.no_grad()`
        found = self._passed(name, node, scope)
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
