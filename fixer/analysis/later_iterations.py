"""Saved in one loop iteration, written in the next: an op after the write in the loop body saves
the tensor, and the write's next iteration changes what it saved.

`SavedAnalysis.saved` looks at ops between the binding and the write, and at the write's own
operands; an op later in the same loop body runs between two executions of the write, so it
counts when the name keeps one tensor across the loop's iterations (no binding of it in the loop).
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.messages import LineOf, Message
from fixer.analysis.risk import RiskAnalysis
from fixer.analysis.saved import quoted
from fixer.analysis.scope import FunctionFacts, handed_out


def saved_by_a_later_op(risks: RiskAnalysis, name: str, node: cst.CSTNode,
                        scope: FunctionFacts) -> tuple[cst.CSTNode, Message] | None:
    """The op after the write `node`, in a loop around it, that saves the tensor `name` holds."""
    facts, flow, saved = risks.facts, risks.flow, risks.saved
    loops = [b for b in facts.blocks.get(id(node), ()) if b in facts.loop_bodies]
    reaching = flow.reaching(name, node, scope)
    kept = [loop for loop in loops if not any(loop in b.blocks for b in reaching)]
    if not reaching or not kept:
        return None  # rebound in each iteration: every write meets a new tensor
    loop = kept[0]
    storage = {name} | {other for other, bindings in scope.timeline.items() for b in bindings
                        if loop in b.blocks and b.value is not None and name in handed_out(b.value)}
    found = saved.saver_after(storage, node, scope, lambda op: loop in facts.blocks.get(id(op), ()))
    if found is None:
        return None
    op, label = found
    return op, (f"`{name}` is an input of `{label}` (line ", LineOf(op),
                f"), which saves it for backward; the next iteration's `{quoted(node)}` at line ",
                LineOf(node), " makes backward fail")
