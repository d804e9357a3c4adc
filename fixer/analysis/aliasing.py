"""Fix safety: may rebinding a name (`x = x.add(1)` for `x.add_(1)`) change what the program computes?

In place, a write reaches every holder of the tensor's storage: other names bound to it or to a
view of it (views come from the generated table: methods, functions such as `torch.narrow`,
attributes such as `.mT`, and "maybe" views such as `reshape`), containers it was put in,
attributes, callers, closures, callees that may have kept it. A rewrite rebinds one name. So:

- `safe`: the name's tensor was built here, and no holder but the name exists at the write;
- `display-only`: a holder in this function is read after the write (or the name is a loop
  variable): the rewrite would leave it without the write, so it is no fix at all;
- `unsafe`: something outside the function may hold it (a caller, an attribute, a callee, a
  closure, a generator's consumer), or its origin is unknown.

`AliasAnalysis.fix_safety` is the one entry point; `RiskAnalysis` asks it for every write.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.flow import Flow, inside
from fixer.analysis.modules import ModuleCall, call_effect, module_called
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.scope import (CONTAINER_METHODS, Binding, FunctionFacts, RegionFacts, dotted, names_in, qualified,
                                  returns_receiver)
from fixer.analysis.tables import TorchTables, View
from fixer.analysis.tensors import PLAIN_MEMBERS, Kind, TensorKinds
from fixer.core.types import Safety

# Builtins that read their arguments and keep no reference to them.
READING_BUILTINS = frozenset({"len", "print", "isinstance", "id", "repr", "str", "int", "float", "bool", "abs",
                              "sum", "any", "all", "hasattr", "getattr", "type", "round", "hash", "range",
                              "format", "sorted"})
# Builtins whose result is one of their arguments, or holds them.
PASSING_BUILTINS = frozenset({"min", "max", "list", "tuple", "iter", "reversed", "next", "zip", "enumerate",
                              "set", "frozenset", "dict"})
NESTED_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.GeneratorExp)  # run later, or hold what they read
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)


class Tie(enum.Enum):
    """How a name holds the written tensor's storage."""

    TARGET = "the written name"
    VIEW = "a view"  # surely the same storage: a name, a view, an element of a split, a container of it
    MAYBE = "maybe a view"  # the same storage whenever it can be: `reshape`, `contiguous`, a cast to its own dtype
    UNSURE = "perhaps the same"  # one of several values (`a or b`, `min(a, b)`) or a copy (`t[idx]`)


@dataclass(frozen=True, slots=True)
class Member:
    """A name that holds the written tensor's storage, and the binding that made it hold it."""

    name: str
    tie: Tie
    binding: cst.CSTNode | None  # the statement that tied it; None for the target and parameters
    source: str  # the member it was tied to (itself for the target)


@dataclass(frozen=True, slots=True)
class Flows:
    """Where a use of a member's tensor goes: nowhere that keeps it, into names, or out of sight."""

    names: tuple[tuple[str, Tie, cst.CSTNode], ...] = ()  # bound to these names (or containers)
    escape: Message = ()  # kept by something this function cannot follow


@dataclass(frozen=True, slots=True)
class Source:
    """What a bound value is: a new tensor, (a view of) other names' storage, or unknown."""

    names: tuple[tuple[str, Tie], ...] = ()
    unknown: bool = False


FRESH = Source()
UNKNOWN = Source(unknown=True)
KEEP = Flows(escape=("something that may keep it",))  # filled in with the place by `flows`


class AliasAnalysis:
    """Decides whether the rewrite of one in-place write into a rebinding keeps behaviour."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, tables: TorchTables, flow: Flow) -> None:
        self.facts, self.kinds, self.tables, self.flow = facts, kinds, tables, flow
        self._nested_uses: dict[tuple[int, str], list[int]] = {}

    def nested_uses(self, name: str, scope: FunctionFacts) -> list[int]:
        """Positions in `flow.use_index(name, scope).uses` of the uses inside a nested scope."""
        key = (id(scope.node), name)
        found = self._nested_uses.get(key)
        if found is None:
            parents = self.flow.parents(scope)
            uses = self.flow.use_index(name, scope).uses
            found = self._nested_uses[key] = [i for i, use in enumerate(uses) if in_nested_scope(use, scope, parents)]
        return found

    def fix_safety(self, target: cst.BaseExpression, node: cst.CSTNode, besides: cst.CSTNode | None = None,
                   *, tensor: bool = False) -> tuple[Safety, Message]:
        """SAFE only for a local name bound to a new tensor that nothing else holds at the write;
        DISPLAY_ONLY when a holder here would miss the write; else UNSAFE, with why."""
        scope = self.facts.scope(node)
        if isinstance(target, cst.Attribute):
            spelled = dotted(target)
            info = scope.class_info
            buffer = spelled == f"self.{target.attr.value}" and info is not None and target.attr.value in info.buffers
            if buffer:
                return Safety.UNSAFE, (f"`{spelled}` is a buffer: whoever holds its old tensor keeps the old values",)
            if spelled is None or spelled not in scope.attribute_stores:
                return Safety.DISPLAY_ONLY, (f"`{code(target)}` may be a module's Parameter, which refuses a plain tensor",)
            return Safety.UNSAFE, (f"whoever holds `{code(target.value)}` sees the attribute change",)
        if not isinstance(target, cst.Name):
            return Safety.UNSAFE, ("the target is not a name",)
        name = target.value
        if name in scope.params and self.flow.entry_reaches(name, node, scope):
            if self._last_use(name, node, scope):
                return Safety.DISPLAY_ONLY, (f"the write is all the def does with its parameter `{name}`: only the caller "
                                             "reads it, and a rebinding here would never reach the caller",)
            return Safety.UNSAFE, (f"`{name}` is a parameter: the caller's tensor changes in place, not after the rewrite",)
        if name in scope.outer_names:
            return Safety.UNSAFE, (f"`{name}` is declared global or nonlocal: other code holds it",)
        if name not in scope.timeline:
            return Safety.UNSAFE, (f"`{name}` belongs to an enclosing scope",)
        verdict = _Holders(self, name, node, besides or node, scope).verdict()
        if verdict is not None:
            return verdict
        if not tensor and self.kinds.kind(target, scope) is not Kind.TENSOR:
            return Safety.UNSAFE, (f"`{name}` is not known to be a tensor",)
        return Safety.SAFE, ()

    def _last_use(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
        """Whether the write `node` is a statement of its own (its value unused) and nothing in the def
        reads `name` after it (outside any loop), nor holds it: the write exists only for the caller."""
        parent = self.flow.parents(scope).get(id(node))
        statement = isinstance(node, (cst.AugAssign, cst.Assign)) or isinstance(node, cst.Call) and isinstance(parent, cst.Expr)
        if not statement or self.flow.loop_of(node) is not None or scope.aliased.get(name):
            return False  # the write's value is used, or a later iteration reads it
        index = self.flow.use_index(name, scope)
        write = self.flow.order(self.flow.marked(node, self.flow.parents(scope)) or node)
        return next(iter(index.after(write)), None) is None

    # what a value is ------------------------------------------------------------------------------
    def source(self, value: cst.BaseExpression, scope: FunctionFacts) -> Source:
        """Whether `value` evaluates to a new tensor, to (a view of) named storage, or to unknown."""
        if isinstance(value, cst.Name):
            if value.value in ("None", "True", "False"):
                return FRESH
            return Source(((value.value, Tie.VIEW),))
        if isinstance(value, (cst.BaseNumber, cst.BaseString, cst.Comparison, cst.UnaryOperation, cst.BinaryOperation)):
            return FRESH  # operators build new tensors
        if isinstance(value, cst.Subscript):
            inner = self.source(value.value, scope)
            return inner if _basic_index(value) else _unsure(inner)
        if isinstance(value, cst.Attribute):
            view = self.tables.view_attributes.get(value.attr.value)
            if view is not None:
                return _weaken(self.source(value.value, scope), view.kind == "view")
            return FRESH if value.attr.value in PLAIN_MEMBERS else UNKNOWN  # `self.h`, `x.grad`: held by their owner
        if isinstance(value, (cst.Tuple, cst.List, cst.Set)):
            return _union([self.source(e.value, scope) for e in value.elements])
        if isinstance(value, cst.Dict):
            return _union([self.source(e.value, scope) for e in value.elements if isinstance(e, cst.DictElement)])
        if isinstance(value, (cst.BooleanOperation,)):
            return _union([_unsure(self.source(value.left, scope)), _unsure(self.source(value.right, scope))])
        if isinstance(value, cst.IfExp):
            return _union([self.source(value.body, scope), self.source(value.orelse, scope)])
        if isinstance(value, cst.Call):
            return self._call_source(value, scope)
        return UNKNOWN

    def _call_source(self, call: cst.Call, scope: FunctionFacts) -> Source:
        func = call.func
        args = [a.value for a in call.args]
        name = qualified(func, self.facts.imports)
        through = self.passed_through(call, name)
        if through is not None:
            return self.source(through, scope)  # `F.relu(x, inplace=True)` is `x`; `torch.add(a, b, out=c)` is `c`
        module = self._module(func, scope)
        if module is not None:
            return self.source(args[0], scope) if module.returns_input and args else FRESH
        if name is not None:
            view = self.tables.view_functions.get(name)
            if view is not None:
                chosen = args if view.of == "all" else args[:1]
                return _weaken(_union([self.source(a, scope) for a in chosen]), view.kind == "view")
            return FRESH if name in self.tables.pure_functions else UNKNOWN
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            view = self.tables.view_methods.get(method)
            if view is not None:
                chosen = [func.value, *args] if view.of == "all" else [func.value]
                return _weaken(_union([self.source(a, scope) for a in chosen]), view.kind == "view")
            if returns_receiver(method):
                return self.source(func.value, scope)  # `y = x.add_(1)` is `x`
            if method in self.tables.pure_methods and self.kinds.kind(func.value, scope) is not Kind.NOT_TENSOR:
                return FRESH
            if method in PLAIN_MEMBERS:
                return FRESH
            return UNKNOWN
        if isinstance(func, cst.Name) and func.value not in scope.bindings:
            if func.value in PASSING_BUILTINS:
                return _unsure(_union([self.source(a, scope) for a in args]))
            if func.value in READING_BUILTINS:
                return FRESH
        return UNKNOWN

    def _module(self, func: cst.BaseExpression, scope: FunctionFacts) -> ModuleCall | None:
        """`self.norm` when its class built a torch.nn module there that the table knows."""
        spec = module_called(func, scope)
        effect = call_effect(spec, self.tables.module_saves) if spec is not None else None
        return effect if effect is not None and effect.known else None

    def passed_through(self, call: cst.Call, name: str | None) -> cst.BaseExpression | None:
        """The argument a call writes and returns: its `out=`, or its input when `inplace` is set."""
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "out":
                return arg.value
        flag = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "inplace"), None)
        index = self.tables.inplace_params.get(name or "")
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if flag is None and index is not None and len(positional) > index:
            flag = positional[index]
        if flag is None or isinstance(flag, cst.Name) and flag.value == "False" or not positional:
            return None
        return positional[0]

    def flows(self, use: cst.BaseExpression, scope: FunctionFacts, parents: dict[int, cst.CSTNode]) -> Flows:
        """Follow the tensor `use` evaluates to up the tree until something consumes, binds or keeps it."""
        expr: cst.CSTNode = use
        tie = Tie.VIEW
        while True:
            parent = parents.get(id(expr))
            if parent is None or parent is scope.node:
                return Flows()
            step = self._step(expr, parent, scope, parents)
            if step is KEEP:
                where = _statement_of(parent, parents)
                return Flows(escape=(f"`{_short(where)}` (line ", LineOf(self.flow.marked(where, parents) or where),
                                     "), which may keep a reference that sees the in-place write"))
            if isinstance(step, Flows):
                return Flows(tuple((n, _tie_min(tie, t), b) for n, t, b in step.names), step.escape)
            expr, more = step
            tie = _tie_min(tie, more)

    def _step(self, expr: cst.CSTNode, parent: cst.CSTNode, scope: FunctionFacts,
              parents: dict[int, cst.CSTNode]) -> Flows | tuple[cst.CSTNode, Tie]:
        """One step up: a `Flows` where the tensor stops, else the node that now evaluates to it."""
        keep = KEEP
        if isinstance(parent, (cst.Element, cst.StarredElement, cst.DictElement, cst.Index, cst.SubscriptElement,
                               cst.ComparisonTarget, cst.Arg, cst.AssignTarget, cst.FormattedStringExpression,
                               cst.Parameters, cst.Param, cst.Decorator, cst.With, cst.WithItem)):
            return self._container_step(expr, parent, scope, parents, keep)
        if isinstance(parent, (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison, cst.Expr, cst.Del,
                               cst.CompIf, cst.If, cst.While, cst.Assert, cst.Return, cst.Raise)):
            return Flows()  # a new value, a discarded one, a test, or the end of the function
        if isinstance(parent, cst.IfExp):
            return Flows() if parent.test is expr else (parent, Tie.VIEW)
        if isinstance(parent, cst.BooleanOperation):
            return parent, Tie.UNSURE
        if isinstance(parent, cst.Attribute) and parent.value is expr:
            return self._member_step(parent, parents, keep)
        if isinstance(parent, cst.Subscript) and parent.value is expr:
            holder = parents.get(id(parent))
            if isinstance(holder, (cst.AssignTarget, cst.AugAssign)) and getattr(holder, "target", None) is parent:
                return Flows()  # `t[i] = v`: a write into it, not a new holder
            return parent, Tie.VIEW if _basic_index(parent) else Tie.UNSURE
        if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            return self._bind_step(expr, parent, scope, keep)
        if isinstance(parent, cst.For) and parent.iter is expr:
            return Flows(tuple((n, Tie.VIEW, parent) for n in names_in(parent.target)))  # rows of a tensor are views
        if isinstance(parent, (cst.For, cst.CompFor, cst.AsName, cst.NameItem)) and getattr(parent, "iter", None) is not expr:
            return Flows()  # a loop, comprehension, `as` or `global` target: bound, not handed on
        if isinstance(parent, (cst.CompFor,)) and parent.iter is expr:
            comp = parents.get(id(parent))
            return (comp, Tie.VIEW) if isinstance(comp, COMPREHENSIONS) else keep
        if isinstance(parent, COMPREHENSIONS) and expr in (getattr(parent, "elt", None), getattr(parent, "value", None)):
            return parent, Tie.VIEW
        if isinstance(parent, (cst.Tuple, cst.List, cst.Set, cst.Dict)):
            return parent, Tie.VIEW
        return keep  # yield, await, lambda, walrus, starred, anything else: cannot follow

    def _container_step(self, expr: cst.CSTNode, parent: cst.CSTNode, scope: FunctionFacts,
                        parents: dict[int, cst.CSTNode], keep: Flows) -> Flows | tuple[cst.CSTNode, Tie]:
        if isinstance(parent, (cst.Element, cst.StarredElement)):
            return parents[id(parent)], Tie.VIEW  # the list, tuple or set holds it
        if isinstance(parent, cst.DictElement):
            return (parents[id(parent)], Tie.VIEW) if parent.value is expr else Flows()
        if isinstance(parent, (cst.Index, cst.SubscriptElement, cst.ComparisonTarget, cst.FormattedStringExpression)):
            return Flows()  # an index, a comparison, a format: read only
        if isinstance(parent, cst.Arg):
            return self._arg_step(parent, scope, parents, keep)
        if isinstance(parent, cst.AssignTarget):
            return Flows()  # `x = ...` rebinds the name: the old tensor is not handed on
        return keep

    def _arg_step(self, arg: cst.Arg, scope: FunctionFacts, parents: dict[int, cst.CSTNode],
                  keep: Flows) -> Flows | tuple[cst.CSTNode, Tie]:
        call = parents.get(id(arg))
        if not isinstance(call, cst.Call):
            return keep
        func = call.func
        name = qualified(func, self.facts.imports)
        first = next((a for a in call.args if not a.keyword), None) is arg or (
            arg.keyword is not None and arg.keyword.value in ("input", "self"))
        through = self.passed_through(call, name)
        if through is not None:
            return (call, Tie.VIEW) if through is arg.value else Flows()  # it returns what it wrote
        module = self._module(func, scope)
        if module is not None:
            return (call, Tie.VIEW) if module.returns_input and first else Flows()  # torch.nn modules keep nothing
        if name is not None:
            view = self.tables.view_functions.get(name)
            if view is not None:
                return (call, _tie(view)) if view.of == "all" or first else Flows()
            return Flows() if name in self.tables.pure_functions else keep
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            view = self.tables.view_methods.get(method)
            if view is not None:
                return (call, _tie(view)) if view.of == "all" else Flows()  # `a.view_as(t)`: a view of `a` only
            if method in CONTAINER_METHODS:
                holder = func.value
                if isinstance(holder, cst.Name) and holder.value not in scope.params and self.kinds.kind(holder, scope) is not Kind.TENSOR:
                    return Flows(((holder.value, Tie.VIEW, self.flow.marked(call, parents)),))
                return keep
            if method in self.tables.pure_methods or returns_receiver(method):
                return Flows()  # `a.add(t)`, `a.copy_(t)`: values are read, no reference kept
            return keep
        if isinstance(func, cst.Name) and func.value not in scope.bindings:
            if func.value in READING_BUILTINS:
                return Flows()
            if func.value in PASSING_BUILTINS:
                return call, Tie.UNSURE
        return keep

    def _member_step(self, attribute: cst.Attribute, parents: dict[int, cst.CSTNode],
                     keep: Flows) -> Flows | tuple[cst.CSTNode, Tie]:
        member = attribute.attr.value
        call = parents.get(id(attribute))
        if isinstance(call, cst.Call) and call.func is attribute:
            view = self.tables.view_methods.get(member)
            if view is not None:
                return call, _tie(view)
            if returns_receiver(member):
                return call, Tie.VIEW  # `x.add_(1)` returns `x`
            if member in self.tables.pure_methods or member in PLAIN_MEMBERS or member in CONTAINER_METHODS:
                return Flows()  # a new value, or a container taking more (its arguments are followed on their own)
            return keep  # a hook, or a method of something that is not a tensor
        view = self.tables.view_attributes.get(member)
        if view is not None:
            return attribute, _tie(view)
        return Flows()  # `.shape`, `.dtype`, `.grad`: another value

    def _bind_step(self, expr: cst.CSTNode, statement: cst.Assign | cst.AnnAssign | cst.AugAssign,
                   scope: FunctionFacts, keep: Flows) -> Flows:
        if isinstance(statement, cst.AugAssign):
            if statement.value is not expr:
                return Flows()  # the target of `x += 1`: written, not handed on
            holder = statement.target
            if isinstance(holder, cst.Name) and self.kinds.kind(holder, scope) is Kind.TENSOR:
                return Flows()  # `acc += t`: adds the values
            if isinstance(holder, cst.Name) and holder.value not in scope.params:
                return Flows(((holder.value, Tie.VIEW, statement),))  # `outs += [t]`
            return keep
        targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
        names: list[tuple[str, Tie, cst.CSTNode]] = []
        for target in targets:
            if isinstance(target, (cst.Name, cst.Tuple, cst.List)):
                names += [(n, Tie.VIEW, statement) for n in names_in(target)]
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and (
                    self.kinds.kind(target.value, scope) is Kind.TENSOR):
                continue  # `buf[i] = t` copies the values
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and target.value.value not in scope.params:
                names.append((target.value.value, Tie.VIEW, statement))  # `cache[k] = t`
            else:
                return keep  # an attribute, a parameter's item: held outside this function
        return Flows(tuple(names))


def _complementary(first: cst.BaseExpression, second: cst.BaseExpression, base: str) -> bool:
    """`base[..., :n]` and `base[..., n:]`: the same indices but one, which slices up to a bound in
    one and from the same bound in the other (no step; the bound a plain name, attribute or number)."""
    if not (isinstance(first, cst.Subscript) and isinstance(second, cst.Subscript)):
        return False
    if not (isinstance(first.value, cst.Name) and first.value.value == base and code(second.value) == base):
        return False
    if len(first.slice) != len(second.slice):
        return False
    differ = [(a.slice, b.slice) for a, b in zip(first.slice, second.slice) if code(a.slice).strip() != code(b.slice).strip()]
    if len(differ) != 1 or not all(isinstance(s, cst.Slice) and s.step is None for s in differ[0]):
        return False
    a, b = differ[0]
    assert isinstance(a, cst.Slice) and isinstance(b, cst.Slice)
    pairs = [(a.upper, b.lower)] if a.lower is None and b.upper is None else [(a.lower, b.upper)] if a.upper is None and b.lower is None else []
    return any(x is not None and y is not None and code(x) == code(y) and _plain_bound(x) for x, y in pairs)


def _plain_bound(bound: cst.BaseExpression) -> bool:
    return isinstance(bound, (cst.Name, cst.Integer)) or isinstance(bound, cst.Attribute) and _plain_bound(bound.value)


class _Holders:
    """The members of one write's storage group, and whether the rewrite reaches them all."""

    LIMIT = 64  # members followed at most; past it the verdict is unsafe

    def __init__(self, analysis: AliasAnalysis, name: str, node: cst.CSTNode, besides: cst.CSTNode,
                 scope: FunctionFacts) -> None:
        self.a, self.name, self.node, self.besides, self.scope = analysis, name, node, besides, scope
        self.flow = analysis.flow
        self.write = self.flow.order(node)
        self.loop = self.flow.loop_of(node)
        self.members: dict[str, Member] = {name: Member(name, Tie.TARGET, None, name)}

    def verdict(self) -> tuple[Safety, Message] | None:
        """None when no holder but the name can observe the write; else the safety and why."""
        reaching = self.flow.reaching(self.name, self.node, self.scope)
        for binding in reaching:
            if binding.loop is not None:
                return Safety.DISPLAY_ONLY, (
                    f"`{self.name}` is an element of `{code(binding.loop)}` (line ", LineOf(binding.node),
                    "): rebinding it would leave the tensor the loop took it from without the write")
        self.origins: set[int] = set()  # ids of the bindings followed back
        self.start = min((b.order for b in reaching if b.order < self.write), default=0)
        found = self._origins(self.name, reaching, 0)
        if found is not None:
            return found
        # the write repeats in a loop and the name was bound before it: uses later in the loop run before the next write
        self.wraps = self.loop is not None and not any(self.loop in b.blocks for b in reaching if b.order < self.write)
        parents = self.flow.parents(self.scope)
        queue = list(self.members)
        seen: set[str] = set()
        while queue:
            member = queue.pop()
            if member in seen:
                continue
            seen.add(member)
            if len(seen) > self.LIMIT:
                return Safety.UNSAFE, (f"too many names share `{self.name}`'s tensor to follow",)
            for use in self._maybe_before(member):
                if not self._before(use, parents):
                    continue
                if in_nested_scope(use, self.scope, parents, (cst.ClassDef,)):
                    return Safety.UNSAFE, (f"`{member}` is used in a class body (line ",
                                           LineOf(self.flow.marked(use, parents)), "), which may keep it")
                flows = self.a.flows(use, self.scope, parents)
                if flows.escape:
                    return Safety.UNSAFE, (f"`{member}`'s tensor reaches ", *flows.escape)
                for other, tie, binding in flows.names:
                    if other not in self.members and other != member and not self._disjoint(member, binding):
                        self.members[other] = Member(other, tie, binding, member)
                        queue.append(other)
        return self._readers(parents)

    def _disjoint(self, member: str, binding: cst.CSTNode | None) -> bool:
        """`member` is the base the written name was sliced from (`w = p[..., :n]`) and `binding`
        slices the other side of the same bound (`h = p[..., n:]`): the two views share no element."""
        tied = self.members[member]
        return (tied.tie is not Tie.TARGET and isinstance(tied.binding, cst.Assign) and isinstance(binding, cst.Assign)
                and _complementary(tied.binding.value, binding.value, member))

    def _origins(self, name: str, reaching: list[Binding], depth: int) -> tuple[Safety, Message] | None:
        """Add the names whose storage the reaching bindings of `name` took (`y = x.view(-1)`: `x`)."""
        for binding in reaching:
            statement = binding.node
            if id(statement) in self.origins:
                continue
            self.origins.add(id(statement))
            if binding.order < self.write:  # uses since the storage was made count, under any name
                self.start = min(self.start, binding.order)
            value = binding.value if binding.value is not None else _unpacked_value(statement)
            where: Message = (" (line ", LineOf(statement), ")")
            if value is None:
                return Safety.UNSAFE, (f"`{name}` is bound by `with` or an unpacking", *where,
                                       ", whose tensor may be held elsewhere")
            if isinstance(statement, cst.Assign) and len(statement.targets) > 1:
                for target in statement.targets:
                    if not isinstance(target.target, cst.Name):
                        return Safety.UNSAFE, (f"`{code(target.target)}` is bound to the same tensor", *where,
                                               ", whoever holds it sees the in-place write")
                    other = target.target.value
                    if other not in self.members:
                        self.members[other] = Member(other, Tie.VIEW, statement, name)
            source = self.a.source(value, self.scope)
            if source.unknown:
                return Safety.UNSAFE, (f"`{name}` is bound to `{_short(value)}`", *where,
                                       ", which may be a tensor held elsewhere")
            for other, tie in source.names:
                if other == name and depth < 4:  # `x = x.view(-1)`: the storage is the earlier `x`'s
                    found = self._origins(name, self.flow.reaching(name, statement, self.scope), depth + 1)
                    if found is not None:
                        return found
                if other in self.members or other == name:
                    continue
                self.members[other] = Member(other, tie, statement, name)
                if other in self.scope.params or other in self.scope.outer_names or other not in self.scope.timeline:
                    return Safety.UNSAFE, (f"`{name}` is bound to `{_short(value)}`", *where,
                                           f", which shares storage with `{other}`, held by a caller or an enclosing scope")
                if depth < 4:
                    found = self._origins(other, self.flow.reaching(other, statement, self.scope), depth + 1)
                    if found is not None:
                        return found
        return None

    def _maybe_before(self, member: str) -> list[cst.Name]:
        """The uses of `member` that `_before` may accept, in their order (the others are not looked at)."""
        index = self.flow.use_index(member, self.scope)
        positions = set(index.between(self.start, self.write))
        if self.wraps:
            positions.update(index.in_loop.get(self.loop, ()))  # type: ignore[arg-type]
        return [index.uses[i] for i in sorted(positions)]

    def _maybe_after(self, member: Member) -> list[cst.Name]:
        """The uses of `member` that `_after` may accept, in their order.

        Past the first binding of the name at the function's top level after the one that tied it,
        that binding reaches every later use: `_after` refuses them (unless nested, or in the loop)."""
        index = self.flow.use_index(member.name, self.scope)
        positions = set(index.between(self.write, self._rebound(member)))
        if self.loop is not None:
            positions.update(index.in_loop.get(self.loop, ()))
        positions.update(self.a.nested_uses(member.name, self.scope))
        return [index.uses[i] for i in sorted(positions)]

    def _rebound(self, member: Member) -> float:
        """Just past the order of the top-level rebinding of `member` that ends its tie (infinity when none)."""
        node = self.scope.node
        if member.name in self.scope.params or member.binding is None or not isinstance(node, cst.FunctionDef):
            return float("inf")
        timeline = self.scope.timeline.get(member.name, [])
        tied = max(self.flow.order(member.binding), self.flow.last_order(timeline, member.binding))
        body = id(node.body)
        later = timeline[bisect_right(self.flow.binding_orders(timeline), tied):]
        return next((b.order + 1 for b in later if b.blocks and b.blocks[-1] == body), float("inf"))

    def _before(self, use: cst.Name, parents: dict[int, cst.CSTNode]) -> bool:
        """Whether `use` runs between the name's binding and the write (or after it, in the loop that repeats it)."""
        if inside(use, self.besides, parents):
            return False
        marked = self.flow.marked(use, parents)
        at = self.flow.order(marked) if marked is not None else 0
        if self.start < at < self.write:
            return True
        blocks = self.a.facts.blocks.get(id(marked), ()) if marked is not None else ()
        return self.wraps and self.loop in blocks

    def _readers(self, parents: dict[int, cst.CSTNode]) -> tuple[Safety, Message] | None:
        """A member other than the name read after the write: it would miss the write after the rewrite."""
        unsafe: tuple[Safety, Message] | None = None
        for member in self.members.values():
            if member.tie is Tie.TARGET:
                continue
            for use in self._maybe_after(member):
                if binds_name(use, parents) or inside(use, self.besides, parents) and self.loop is None:
                    continue  # a binding is no read; the write's own statement reads first, but in a loop it runs again
                if not self._after(use, member, parents):
                    continue
                marked = self.flow.marked(use, parents)
                why: Message = (f"`{member.name}` (line ", LineOf(member.binding or self.node),
                                f") {'holds' if member.tie is Tie.VIEW else 'may hold'} `{self.name}`'s tensor or a view of it, and is read after the write (line ",
                                LineOf(marked or use), f"): rebinding `{self.name}` would leave it without the write")
                if member.tie is not Tie.UNSURE:
                    return Safety.DISPLAY_ONLY, why
                unsafe = unsafe or (Safety.UNSAFE, why)
        return unsafe

    def _after(self, use: cst.Name, member: Member, parents: dict[int, cst.CSTNode]) -> bool:
        marked = self.flow.marked(use, parents)
        if marked is None:
            return False
        at = self.flow.order(marked)
        in_loop = self.loop is not None and self.loop in self.a.facts.blocks.get(id(marked), ())
        if in_nested_scope(use, self.scope, parents):
            return True  # a closure or generator may run after the write
        if not (at > self.write or in_loop):
            return False
        tied = self.flow.order(member.binding) if member.binding is not None else 0
        if in_loop and tied > self.write and not self.write < at < tied:
            return False  # tied after the write in the loop: read before the next write comes round
        if self.a.flow.exclusive(self.a.facts.blocks.get(id(marked), ()), self.a.facts.blocks.get(id(self.node), ())):
            return False
        if member.name in self.scope.params or member.binding is None:
            return True
        reaching = self.flow.reaching(member.name, marked, self.scope)
        if any(member.binding is b.node for b in reaching):
            return True  # the binding that tied it still holds
        if self.flow.last_order(self.scope.timeline.get(member.name, []), member.binding):
            return False  # rebound since
        # a container that took it, or the storage a view came from: not rebound since it was tied
        return any(b.order < tied for b in reaching) or not reaching


def _unpacked_value(statement: cst.CSTNode) -> cst.BaseExpression | None:
    """The value of `a, b = value` (the whole value: each name may hold any part of it)."""
    if isinstance(statement, cst.Assign):
        return statement.value
    return None


def _basic_index(subscript: cst.Subscript) -> bool:
    """`t[0]`, `t[:, 1:]`, `t[..., None]`: a view; an index tensor or list copies (maybe)."""
    for element in subscript.slice:
        index = element.slice
        if isinstance(index, cst.Slice):
            continue
        value = index.value if isinstance(index, cst.Index) else None
        if isinstance(value, (cst.Integer, cst.Ellipsis)) or isinstance(value, cst.Name) and value.value == "None":
            continue
        if isinstance(value, cst.UnaryOperation) and isinstance(value.expression, cst.Integer):
            continue
        return False
    return True


def _weaken(source: Source, sure: bool) -> Source:
    """`source` through a view (`sure`) or a maybe-view."""
    if sure or source.unknown:
        return source
    return Source(tuple((n, _tie_min(t, Tie.MAYBE)) for n, t in source.names))


def _union(sources: list[Source]) -> Source:
    if any(s.unknown for s in sources):
        return UNKNOWN
    return Source(tuple(pair for s in sources for pair in s.names))


def _tie(view: View) -> Tie:
    return Tie.VIEW if view.kind == "view" else Tie.MAYBE


def _tie_min(a: Tie, b: Tie) -> Tie:
    """The weaker of two ties, along a chain of steps."""
    return max(a, b, key=[Tie.TARGET, Tie.VIEW, Tie.MAYBE, Tie.UNSURE].index)


def _unsure(source: Source) -> Source:
    if source.unknown:
        return source
    return Source(tuple((n, Tie.UNSURE) for n, _ in source.names))


def binds_name(use: cst.Name, parents: dict[int, cst.CSTNode]) -> bool:
    """`x` in `x = ...`, `a, x = ...`, `for x in ...`: bound there, not read."""
    parent = parents.get(id(use))
    while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
        parent = parents.get(id(parent))
    if isinstance(parent, (cst.For, cst.CompFor)):
        return inside(use, parent.target, parents)
    return isinstance(parent, (cst.AssignTarget, cst.AsName))


def in_nested_scope(use: cst.CSTNode, scope: FunctionFacts, parents: dict[int, cst.CSTNode],
            kinds: tuple[type[cst.CSTNode], ...] = NESTED_SCOPES) -> bool:
    """Inside a function, lambda, class or generator expression nested in the scope's function.

    A closure reads the name's cell when it runs, so it sees a rebinding of the written name as it
    would the write; but a closure reading another holder may run after the write."""
    current = parents.get(id(use))
    while current is not None and current is not scope.node:
        if isinstance(current, kinds):
            return True
        current = parents.get(id(current))
    return False


def _statement_of(node: cst.CSTNode, parents: dict[int, cst.CSTNode]) -> cst.CSTNode:
    """The smallest call or statement around `node`, to quote in a message."""
    current: cst.CSTNode = node
    while not isinstance(current, (cst.Call, cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.Yield)):
        parent = parents.get(id(current))
        if parent is None:
            return current
        current = parent
    return current


def _short(node: cst.CSTNode, width: int = 50) -> str:
    text = " ".join(code(node).split())
    return text if len(text) <= width else text[: width - 1] + "…"
