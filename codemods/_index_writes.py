"""What IP103 (masked-assignment) and IP104 (index-assignment) share: the checks a write `t[...] = v`
or `t[...] op= v` on a tensor passes before the subclass fixes it, and its report (the out-of-place
form, the clone-then-write fallback, or the sequence rebound around an element)."""

from __future__ import annotations

import re

import libcst as cst

from fixer.rule import (
    CallerWrites, CloneRuns, Codemod, FreshBuffers, GradFreeValues, IndexDataflow, Kind, Risk, RuleContext, Safety,
    Severity, Trigger, Write, assign, code, element_fix, element_write_risk, is_assignable, is_text, write_of,
)


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
        assert context.risks is not None
        self.handled: set[int] = set()  # writes already reported as part of a larger fix
        self.risks: dict[int, Risk] = {}  # id of a write -> its risk (severity, reason, fix safety)
        self.in_list: dict[int, bool] = {}  # id of a write into `out[k]` that rebinds `out` -> `out` is a list built here
        self.dataflow = IndexDataflow()  # source order of reads, to tell a fresh buffer written before anything saved it
        self.values = GradFreeValues(context.facts, context.kinds, self.dataflow)
        self.fresh = FreshBuffers(context.facts, context.kinds, self.dataflow, self.values)
        self.callers = CallerWrites(context.facts, context.risks)
        self.clones = CloneRuns()

    # The dataflow and the clone runs are fed in source order by the visit.
    def visit_IndentedBlock(self, node: cst.IndentedBlock | cst.Module) -> None:
        self.clones.block(node)

    visit_Module = visit_IndentedBlock  # type: ignore[assignment]

    def visit_Assign(self, node: cst.Assign | cst.AugAssign) -> None:
        self.dataflow.enter_statement(node)

    def leave_Assign(self, original_node: cst.Assign | cst.AugAssign) -> None:
        self.dataflow.leave_statement(original_node)

    visit_AugAssign, leave_AugAssign = visit_Assign, leave_Assign  # type: ignore[assignment]

    def visit_Name(self, node: cst.Name) -> None:
        self.dataflow.name(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.dataflow.attribute(node)

    def visit_For(self, node: cst.For | cst.While) -> None:
        self.dataflow.enter_loop(node)

    def leave_For(self, original_node: cst.For | cst.While) -> None:
        self.dataflow.leave_loop()

    visit_While, leave_While = visit_For, leave_For  # type: ignore[assignment]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.dataflow.enter_function(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.dataflow.leave_function()

    def check(self, node: cst.Assign | cst.AugAssign) -> None:
        write = write_of(node)
        _, sub, value, _ = write
        target = sub.value
        if id(node) in self.handled or self.clones.cloned_before.get(id(node)) == code(target):
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
        if not seen and kind is Kind.UNKNOWN and not self.callers.saved_by_caller(target, node):
            return  # `def helper(h)`: a tensor only when a caller proves it one
        if not self.owns(sub, node) or self.updates_grad_leaf(target, [value], node):
            return
        if not seen and self.fresh.unread_fresh(target, node):
            return  # a fresh buffer (a mask, a position table) that no op can have saved yet
        risk = self.risk(target, node, [value])
        if risk is None:
            return
        if risk.severity is Severity.WARNING and isinstance(target, cst.Name):
            risk = self.callers.saved_elsewhere(risk, target.value, node)
            if risk is None:
                return
        elif isinstance(target, cst.Name) and self.callers.passed_lists(target.value, node):
            return  # `x[i] = self.m[i](x[i])` where every caller passes `[p3, p4]`: a list, not a tensor
        self.risks[id(node)] = risk
        self.decide(write)

    def check_element(self, write: Write) -> None:
        """Report a write into a tensor no name holds only when its own value saved a part of it; fix
        it by rebinding the sequence around the element when it is a literal position of a name."""
        node, sub, value, _ = write
        if self.kind(sub.value, node) is Kind.NOT_TENSOR or not self.grad_may_flow(sub.value, node) or not self.owns(sub, node):
            return
        assert self.context.risks is not None
        found = element_write_risk(self.context.risks, sub.value, node, value, self.scope(node))
        if found is None:
            return
        self.risks[id(node)], in_list = found
        if in_list is not None:
            self.in_list[id(node)] = in_list
        if found[0].safety is Safety.DISPLAY_ONLY:
            self.report_write(write, "an indexed part", None)
        else:
            self.decide(write)  # the rule's out-of-place form of the element, then the sequence rebuilt around it

    def owns(self, sub: cst.Subscript, node: cst.CSTNode) -> bool:
        raise NotImplementedError

    def decide(self, write: Write) -> None:
        raise NotImplementedError

    def report_write(self, write: Write, what: str, fixed: cst.BaseExpression | None, *,
                     safety: Safety | None = None, imports: tuple[str, ...] = ()) -> None:
        """Report `t = <fixed>`, or the clone-then-write form when `fixed` is None."""
        node, sub, _, op = write
        target = sub.value
        if id(node) in self.in_list:  # `out[k]` written: `out` rebound around the element's new tensor
            risk, message, rebound = element_fix(write, fixed, self.risks[id(node)], self.in_list[id(node)])
            self.report_risk(node, risk, message, replacement=rebound, imports=imports if rebound else ())
            return
        lines, run = ([assign(target, fixed)], []) if fixed is not None else self.clones.clone_then_write(node, target)
        self.handled.update(id(w) for w in run)
        after = f" (and the {len(run)} writes after it, into the same copy)" if run else ""
        operator = code(op).strip() if op is not None else "="
        message = f"`{code(sub)} {operator}` writes {what} of the tensor `{code(target)}` in place{after}"
        self.report_risk(node, self.risks[id(node)], message, replacement=lines, safety=safety, imports=imports)
