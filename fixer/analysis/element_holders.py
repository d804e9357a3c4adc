"""Fix safety of writing an element of a sequence out of place: `out[0][:, j] = v` becomes
`out = (out[0].select_scatter(...), *out[1:])`, which rebinds `out` and leaves every other holder
of the tensor `out[0]` without the write.

The rewrite is never safe (the caller's tensor or list no longer changes). It is no fix at all when
a holder this function can see is read after the write: a name the element, the container or the
values it was built from were bound to (`h = out[0]`, `pair = out`, `out = (h, g)`), a loop's
container (`for out in outs`), a dict (`d[0]`, which a tuple cannot stand for), or a name of an
enclosing scope; and when nothing in the def reads the sequence after the write (only the caller
would see it, and no rebinding here reaches the caller). Holders are followed as
`AliasAnalysis.flows` follows a written name's, with one shortcut: another literal element
(`g = out[1]`) holds another tensor.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.aliasing import AliasAnalysis, binds_name, in_nested_scope
from fixer.analysis.flow import inside
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.scope import FunctionFacts
from fixer.core.types import Safety

LIMIT = 32  # holders followed at most; past it there is no fix
DICTS = frozenset({"dict", "OrderedDict", "defaultdict"})


def literal_index(element: cst.BaseExpression) -> tuple[str, int] | None:
    """(`out`, 0) for `out[0]`, (`out`, -1) for `out[-1]`: a named sequence at a literal position."""
    if not isinstance(element, cst.Subscript) or not isinstance(element.value, cst.Name) or len(element.slice) != 1:
        return None
    index = element.slice[0].slice
    if not isinstance(index, cst.Index) or index.star is not None:
        return None
    number, sign = index.value, 1
    if isinstance(number, cst.UnaryOperation) and isinstance(number.operator, cst.Minus):
        number, sign = number.expression, -1
    if not isinstance(number, cst.Integer) or number.lpar:
        return None
    return element.value.value, sign * int(number.evaluated_value)


def builds_list(aliases: AliasAnalysis, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """Every binding of `name` that reaches `node` makes a new list (`[...]`, a list comprehension, `list(...)`)."""
    reaching = aliases.flow.reaching(name, node, scope)
    return bool(reaching) and not aliases.flow.entry_reaches(name, node, scope) and all(
        _made(b.value, "list", cst.List, cst.ListComp) for b in reaching)


def element_rebind_safety(aliases: AliasAnalysis, name: str, index: int, node: cst.CSTNode,
                          scope: FunctionFacts) -> tuple[Safety, Message]:
    """UNSAFE, with why, when rebinding `name` to write `name[index]` at `node` out of place may only
    be missed by holders outside this function; DISPLAY_ONLY when one here would miss it."""
    if name in scope.outer_names:
        return Safety.DISPLAY_ONLY, (f"`{name}` is declared global or nonlocal: other code holds it",)
    if name not in scope.params and name not in scope.timeline:
        return Safety.DISPLAY_ONLY, (f"`{name}` belongs to an enclosing scope: a rebinding here would not reach it",)
    holders: dict[str, cst.CSTNode] = {}  # name -> the statement that made it hold the tensor
    for binding in aliases.flow.reaching(name, node, scope):
        where: Message = (" (line ", LineOf(binding.node), ")")
        if binding.loop is not None:
            return Safety.DISPLAY_ONLY, (f"`{name}` is an element of `{code(binding.loop)}`", *where,
                                         ": rebinding it would leave that container without the write")
        value = binding.value if binding.value is not None else getattr(binding.node, "value", None)
        if isinstance(value, cst.BaseExpression) and _made(value, *DICTS, cst.Dict, cst.DictComp):
            return Safety.DISPLAY_ONLY, (f"`{name}` holds a dict", *where, ", which a rebuilt tuple cannot stand for")
        if isinstance(value, cst.BaseExpression):
            holders.update((other, binding.node) for other, _ in aliases.source(value, scope).names if other != name)
    found = _holders_before(aliases, name, index, node, scope, holders)
    found = found or _read_after(aliases, name, index, node, scope, holders)
    if found is not None:
        return found
    if not _read_later(aliases, name, node, scope):
        return Safety.DISPLAY_ONLY, (f"nothing in the def reads `{name}` after the write: only holders elsewhere see the "
                                     "write, and a rebinding here would never reach them",)
    if builds_list(aliases, name, node, scope):
        return Safety.UNSAFE, (f"`{name}[{index}]` is replaced in the list: whoever else holds its tensor "
                               "no longer sees the write",)
    return Safety.UNSAFE, (f"`{name}` is rebound to a tuple holding the new `{name}[{index}]`: whoever else holds its "
                           "tensor (a caller) no longer sees the write, and a list would become a tuple",)


def _holders_before(aliases: AliasAnalysis, name: str, index: int, node: cst.CSTNode, scope: FunctionFacts,
                    holders: dict[str, cst.CSTNode]) -> tuple[Safety, Message] | None:
    """Add to `holders` the names the element's tensor (or the container) flows into before the write."""
    flow, parents = aliases.flow, aliases.flow.parents(scope)
    todo, seen = [name, *holders], set()
    while todo:
        member = todo.pop()
        if member in seen:
            continue
        seen.add(member)
        if len(seen) > LIMIT:
            return Safety.DISPLAY_ONLY, (f"too many names may share `{name}[{index}]`'s tensor to follow",)
        for use in flow.uses(member, scope):
            if inside(use, node, parents) or binds_name(use, parents) or not _runs_before(aliases, use, node, scope):
                continue
            if member == name and _other_element(use, index, parents):
                continue  # `g = out[1]`: another tensor
            for other, _, binding in aliases.flows(use, scope, parents).names:
                if other != name and other not in holders:
                    holders[other] = binding
                    todo.append(other)
    return None


def _read_after(aliases: AliasAnalysis, name: str, index: int, node: cst.CSTNode, scope: FunctionFacts,
                holders: dict[str, cst.CSTNode]) -> tuple[Safety, Message] | None:
    """A holder read after the write (or again in the loop around it, or by a closure)."""
    flow, parents = aliases.flow, aliases.flow.parents(scope)
    write, loop = flow.order(node), flow.loop_of(node)
    for holder, binding in holders.items():
        for use in flow.uses(holder, scope):
            if binds_name(use, parents) or inside(use, node, parents) and loop is None:
                continue
            marked = flow.marked(use, parents)
            in_loop = loop is not None and marked is not None and loop in aliases.facts.blocks.get(id(marked), ())
            if in_nested_scope(use, scope, parents) or in_loop or marked is not None and flow.order(marked) > write:
                return Safety.DISPLAY_ONLY, (f"`{holder}` (line ", LineOf(binding), f") may hold `{name}[{index}]`'s tensor "
                                             "and is read after the write (line ", LineOf(marked or use),
                                             f"): rebinding `{name}` would leave it without the write")
    return None


def _read_later(aliases: AliasAnalysis, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """`name` is read after the write, again in the loop around it, or by a closure: the rebinding is seen."""
    flow, parents = aliases.flow, aliases.flow.parents(scope)
    write, loop = flow.order(node), flow.loop_of(node)
    for use in flow.uses(name, scope):
        if inside(use, node, parents) or binds_name(use, parents) or isinstance(parents.get(id(use)), cst.Param):
            continue
        marked = flow.marked(use, parents)
        if marked is None or in_nested_scope(use, scope, parents) or flow.order(marked) > write:
            return True
        if loop is not None and loop in aliases.facts.blocks.get(id(marked), ()):
            return True
    return False


def _runs_before(aliases: AliasAnalysis, use: cst.Name, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """`use` runs before the write, or in the loop around it (a previous iteration)."""
    marked = aliases.flow.marked(use, aliases.flow.parents(scope))
    if marked is None:
        return True
    loop = aliases.flow.loop_of(node)
    return aliases.flow.order(marked) < aliases.flow.order(node) or (
        loop is not None and loop in aliases.facts.blocks.get(id(marked), ()))


def _other_element(use: cst.Name, index: int, parents: dict[int, cst.CSTNode]) -> bool:
    """`out[1]` when the write is into `out[0]`: another literal position, on the same side of the end."""
    parent = parents.get(id(use))
    if not isinstance(parent, cst.Subscript) or parent.value is not use:
        return False
    found = literal_index(parent)
    return found is not None and found[1] != index and (found[1] < 0) == (index < 0)


def _made(value: cst.BaseExpression | None, *kinds: str | type[cst.CSTNode]) -> bool:
    """`value` is a node of one of the node types in `kinds`, or a call of a builtin named there."""
    types = tuple(k for k in kinds if isinstance(k, type))
    names = {k for k in kinds if isinstance(k, str)}
    if isinstance(value, types):
        return True
    return isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in names
