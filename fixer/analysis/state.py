"""State carried from one call to the next: written in place by a call, saved by the same call.

Within one call the write comes before the op that saves the tensor, so that call alone runs
backward. The next call writes the same tensor again, and what the previous call saved no longer
matches. Two kinds of state outlive a call:
- a module's own attribute (`self.epsilon.normal_()` then `self.sigma * self.epsilon`): the next
  forward, as a module run twice before backward does (two inputs, a target network, a GAN's
  discriminator), writes what the first saved;
- a state the def receives and hands back (`si, zi = state; zi += k; ...; return v, [si, zi]`):
  a recurrent loop passes it back in, and the next step writes what this one saved.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.saved import SavedAnalysis, quoted
from fixer.analysis.scope import Binding, FunctionFacts, on_self


def saved_by_this_call(saved: SavedAnalysis, target: cst.BaseExpression, node: cst.CSTNode,
                       scope: FunctionFacts) -> tuple[cst.CSTNode, Message] | None:
    """The op after the write `node` that saves the state `target` holds, when the next call of
    the def writes that same tensor again."""
    if isinstance(target, cst.Attribute):
        return _attribute_state(saved, target, node, scope)
    if isinstance(target, cst.Name):
        return _returned_state(saved, target.value, node, scope)
    return None


def _attribute_state(saved: SavedAnalysis, target: cst.Attribute, node: cst.CSTNode,
                     scope: FunctionFacts) -> tuple[cst.CSTNode, Message] | None:
    info = scope.class_info
    if not (scope.is_forward and info is not None and info.is_module and on_self(target)):
        return None
    spelled = code(target)
    if spelled in scope.attribute_timeline:
        return None  # bound in the call itself: each call may hold a new tensor
    op = _saver_after(saved, spelled, node, scope)
    if op is None:
        return None
    return op[0], (f"`{spelled}` keeps its tensor from one call to the next, and `{op[1]}` (line ", LineOf(op[0]),
                   f") saves it for backward; the next call's `{quoted(node)}` at line ", LineOf(node),
                   " makes backward fail when the module runs twice before backward")


def _returned_state(saved: SavedAnalysis, name: str, node: cst.CSTNode,
                    scope: FunctionFacts) -> tuple[cst.CSTNode, Message] | None:
    received = _received_as(saved, name, node, scope)
    if received is None or not _returned_unchanged(saved, name, node, scope):
        return None
    op = _saver_after(saved, name, node, scope)
    if op is None:
        return None
    return op[0], (f"`{name}` is the state this def receives (`{received}`) and returns; `{op[1]}` (line ",
                   LineOf(op[0]), f") saves it for backward after `{quoted(node)}` at line ", LineOf(node),
                   " writes it, so passing the returned state back in (the next step) makes backward fail")


def _received_as(saved: SavedAnalysis, name: str, node: cst.CSTNode, scope: FunctionFacts) -> str | None:
    """The parameter whose argument `name` may hold at `node`: the parameter itself, the same
    tensor under another name (`zi = state`) or an element unpacked from it (`si, zi = state`)."""
    if name in scope.params and saved.flow.entry_reaches(name, node, scope):
        return name
    for binding in saved.flow.reaching(name, node, scope):
        source = _unpacked_from(binding)
        if source is not None and source in scope.params and saved.flow.entry_reaches(source, binding.node, scope):
            return source
    return None


def _unpacked_from(binding: Binding) -> str | None:
    """`zi = state` or `si, zi = state`: the name the value comes from."""
    if isinstance(binding.value, cst.Name):
        return binding.value.value
    statement = binding.node
    if binding.value is None and isinstance(statement, cst.Assign) and isinstance(statement.value, cst.Name):
        if all(isinstance(t.target, (cst.Tuple, cst.List)) for t in statement.targets):
            return statement.value.value
    return None


def _returned_unchanged(saved: SavedAnalysis, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """Whether a `return` after the write hands back the written tensor (itself, or in a tuple or list)."""
    write = saved.flow.order(node)
    for ret in scope.returns:
        at = saved.flow.order(ret)
        if at > write and ret.value is not None and name in _returned_names(ret.value) and not _bound_between(scope, name, write, at):
            return True
    return False


def _returned_names(value: cst.BaseExpression) -> set[str]:
    if isinstance(value, cst.Name):
        return {value.value}
    if isinstance(value, (cst.Tuple, cst.List)):
        return set().union(*(_returned_names(e.value) for e in value.elements)) if value.elements else set()
    return set()


def _bound_between(scope: FunctionFacts, name: str, low: int, high: int) -> bool:
    return any(low < b.order < high for b in scope.timeline.get(name, []))


def _saver_after(saved: SavedAnalysis, storage: str, node: cst.CSTNode,
                 scope: FunctionFacts) -> tuple[cst.CSTNode, str] | None:
    """The first op after the write that saves `storage` (a name, or `self.<attr>`) for backward,
    with no binding of it in between."""
    write = saved.flow.order(node)
    return saved.saver_after({storage}, node, scope, lambda op: not saved.facts.in_no_grad(op)
                                   and not _bound_between(scope, storage, write, saved.flow.order(op)))
