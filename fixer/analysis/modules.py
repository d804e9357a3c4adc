"""The cheap pass over classes: what each `self.<attr>` holds, as the class's methods build it.

`self.norm = nn.LayerNorm(d)` in `__init__` makes `self.norm(x)` in `forward` a LayerNorm call,
which saves `x` for backward. Read from `ast`, once per file, for every class: the fast path
(one function at a time) and the whole-module pass look the same facts up by class name.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.regions import ImportMap, base_names, dotted_name, qualify, walk
from fixer.analysis.tables import DENSE_FACTORIES, ModuleSaves

if TYPE_CHECKING:
    from fixer.analysis.scope import FunctionFacts

SEQUENTIAL = "torch.nn.Sequential"
# Parts of class names that mark pipeline utilities (`OwlViTImageProcessor`, `DDPMScheduler`).
INFERENCE_CLASSES = ("Processor", "FeatureExtractor", "Tokenizer", "Scheduler")
FUNCTION_BASES = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})
MODULE_LIST, MODULE_DICT = "torch.nn.ModuleList", "torch.nn.ModuleDict"
MODULE_LISTS = frozenset({MODULE_LIST, MODULE_DICT})


@dataclass(frozen=True, slots=True)
class Submodule:
    """A module a class keeps in an attribute: a torch.nn class, a Sequential of parts, a
    ModuleList or ModuleDict of modules built alike, or a class of the file (`callee` is then its
    bare name)."""

    callee: str  # qualified torch name ("torch.nn.LayerNorm") or the file's class name ("Attention")
    line: int  # where it is built
    inplace: bool | None = False  # built with inplace=True (None: by a variable, or set later to one)
    parts: tuple[Submodule, ...] = ()  # a Sequential's modules, in order
    element: Submodule | None = None  # a ModuleList's (ModuleDict's) modules, all built by one constructor

    @property
    def first(self) -> Submodule:
        """The module that receives the input (a Sequential's first part)."""
        return self.parts[0].first if self.callee == SEQUENTIAL and self.parts else self

    @property
    def last(self) -> Submodule:
        """The module whose output is returned (a Sequential's last part)."""
        return self.parts[-1].last if self.callee == SEQUENTIAL and self.parts else self


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """One class of the file: its qualified bases and the modules its attributes hold."""

    name: str
    bases: tuple[str, ...]  # qualified through the imports, else as spelled (a class of the file)
    submodules: Mapping[str, Submodule] = field(default_factory=dict)
    methods: frozenset[str] = frozenset()
    plain_attributes: frozenset[str] = frozenset()  # `self.X` only ever bound to numbers, text, flags
    buffers: frozenset[str] = frozenset()  # `self.register_buffer("X", ...)`: never requires grad
    dense_buffers: frozenset[str] = frozenset()  # buffers built by a torch factory, never rebound: contiguous


    @property
    def inference_only(self) -> bool:
        """An image or text processor, a feature extractor, a noise scheduler: pipeline code that
        post-processes model outputs or builds inputs, never run in a training step's graph."""
        names = [self.name, *(b.rsplit(".", 1)[-1] for b in self.bases)]
        return any(part in n for n in names for part in INFERENCE_CLASSES)

    @property
    def is_module(self) -> bool:
        """A class with a base, not an autograd Function: its `forward` is an nn.Module's by convention."""
        return any(b != "object" for b in self.bases) and not any(b in FUNCTION_BASES for b in self.bases)


ClassTable = Mapping[str, ClassInfo]  # class name -> info; a name defined twice is left out


@dataclass(frozen=True, slots=True)
class ModuleCall:
    """What calling a submodule does to its input and output, from the generated torch.nn table."""

    known: bool  # every module in it is in the table: what it keeps and returns is proven
    returns_input: bool  # its output is its input (in place) or a view of it
    writes_input: bool | None  # it writes its input in place (None: `inplace` set by a variable)
    saves_input: bool  # its first module saves the input (for the input's gradient or the weights')
    for_weight: bool  # ... for the weights: saved even when the input needs no gradient
    saves_output: bool  # its last module saves what it returns


def call_effect(spec: Submodule, table: Mapping[str, ModuleSaves]) -> ModuleCall:
    """`self.<attr>(x)` for the module `spec`: a Sequential chains its parts."""
    if spec.callee == SEQUENTIAL and not spec.parts:
        return ModuleCall(False, False, None, False, False, False)  # built empty, or from `*layers`: unknown
    parts = spec.parts if spec.callee == SEQUENTIAL else (spec,)
    effects = [_one(p, table) if p.callee != SEQUENTIAL else call_effect(p, table) for p in parts]
    first, last = effects[0], effects[-1]
    return ModuleCall(
        known=all(e.known for e in effects),
        returns_input=all(e.returns_input for e in effects),
        writes_input=first.writes_input,
        saves_input=first.saves_input,
        for_weight=first.for_weight,
        saves_output=last.saves_output,
    )


def _one(spec: Submodule, table: Mapping[str, ModuleSaves]) -> ModuleCall:
    saves = table.get(spec.callee)
    if saves is None:
        return ModuleCall(False, False, None, False, False, False)
    writes: bool | None = saves.writes_input
    if spec.inplace is True:
        writes = saves.writes_input or saves.inplace_writes_input
    elif spec.inplace is None and saves.inplace_writes_input and not saves.writes_input:
        writes = None  # `inplace=inplace`: either way
    return ModuleCall(
        known=writes is not None,
        returns_input=writes is True or saves.output_is_input_view,
        writes_input=writes,
        saves_input=saves.saves_input or saves.saves_input_for_weight,
        for_weight=saves.saves_input_for_weight,
        saves_output=bool(saves.inplace_saves_output) if spec.inplace is True and saves.inplace_writes_input else saves.saves_output,
    )


def submodule(func: cst.BaseExpression, info: ClassInfo | None) -> Submodule | None:
    """The module `self.<attr>` holds, when `func` spells `self.<attr>` (LibCST) in a known class;
    for `self.<attr>[i]`, the module each element of the ModuleList (ModuleDict) there is."""
    if isinstance(func, cst.Subscript):
        holder = submodule(func.value, info)
        one = len(func.slice) == 1 and isinstance(func.slice[0].slice, cst.Index)
        return holder.element if holder is not None and one else None
    if info is None or not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    return info.submodules.get(func.attr.value) if func.value.value == "self" else None


def module_called(func: cst.BaseExpression, scope: FunctionFacts) -> Submodule | None:
    """The module a call of `func` runs: `self.norm`, `self.convs[i]`, or a name every binding of
    which in the function draws it from a ModuleList (`for m in self.convs`, `enumerate(...)`, `zip(...)`)."""
    if not isinstance(func, cst.Name):
        return submodule(func, scope.class_info)
    timeline = scope.timeline.get(func.value, [])
    if not timeline or func.value in scope.params or len(scope.bindings.get(func.value, ())) != len(timeline):
        return None  # also bound where no loop records it (a comprehension)
    specs = {drawn_modules(b.node.target, b.loop, scope.class_info).get(func.value)
             if isinstance(b.node, cst.For) and b.loop is not None else None for b in timeline}
    return specs.pop() if len(specs) == 1 else None


def drawn_modules(target: cst.BaseExpression, iterable: cst.BaseExpression, info: ClassInfo | None) -> dict[str, Submodule]:
    """The names a loop target takes from a ModuleList's modules: `m` in `for m in self.convs`,
    `conv` in `for i, conv in enumerate(self.convs)` or `zip(self.convs, feats)`, `.values()` or
    `.items()` of a ModuleDict."""
    element = _elements(iterable, info)
    if element is not None:
        return {target.value: element} if isinstance(target, cst.Name) else {}
    if not isinstance(iterable, cst.Call) or not isinstance(target, (cst.Tuple, cst.List)):
        return {}
    targets = [e.value for e in target.elements if not isinstance(e, cst.StarredElement)]
    args = [a.value for a in iterable.args if not a.star and a.keyword is None]
    if len(targets) != len(target.elements) or len(args) != len(iterable.args):
        return {}
    func = iterable.func
    if isinstance(func, cst.Name) and func.value == "enumerate" and len(args) == 1 and len(targets) == 2:
        return drawn_modules(targets[1], args[0], info)
    if isinstance(func, cst.Name) and func.value == "zip" and len(args) == len(targets):
        return {k: v for t, a in zip(targets, args) for k, v in drawn_modules(t, a, info).items()}
    if isinstance(func, cst.Attribute) and func.attr.value == "items" and not args and len(targets) == 2:
        holder = submodule(func.value, info)
        element = holder.element if holder is not None and holder.callee == MODULE_DICT else None
        return {targets[1].value: element} if element is not None and isinstance(targets[1], cst.Name) else {}
    return {}


def _elements(iterable: cst.BaseExpression, info: ClassInfo | None) -> Submodule | None:
    """The module iterating `iterable` yields: `self.convs`, `self.convs[1:]`, `reversed(self.convs)`
    of a ModuleList, `self.convs.values()` of a ModuleDict."""
    if isinstance(iterable, cst.Call) and not iterable.args and isinstance(iterable.func, cst.Attribute) \
            and iterable.func.attr.value == "values":
        holder = submodule(iterable.func.value, info)
        return holder.element if holder is not None and holder.callee == MODULE_DICT else None
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "reversed" \
            and len(iterable.args) == 1:
        iterable = iterable.args[0].value
    if isinstance(iterable, cst.Subscript) and all(isinstance(s.slice, cst.Slice) for s in iterable.slice):
        iterable = iterable.value
    holder = submodule(iterable, info) if isinstance(iterable, cst.Attribute) else None
    return holder.element if holder is not None and holder.callee == MODULE_LIST else None


def class_table(classes: Iterable[ast.ClassDef], imports: ImportMap, inplace_params: Mapping[str, int],
                tree: ast.Module | None = None, defined: Callable[[str], bool] = lambda _: False) -> ClassTable:
    """Every class of the file (as the cheap pass lists them) by name, with the submodules its
    methods assign to `self`: read when first looked up (most files never ask). `tree`: the file,
    whose calls building a class decide `nn.ReLU() if act else nn.Identity()` for it. `defined`:
    whether an imported name (`.layers.Block`) is a class another file of the run defines."""
    return _Classes(classes, imports, inplace_params, tree, defined)


class _Classes(Mapping[str, ClassInfo]):
    """A class name defined twice in the file is left out: which one runs is unknown."""

    def __init__(self, classes: Iterable[ast.ClassDef], imports: ImportMap, inplace_params: Mapping[str, int],
                 tree: ast.Module | None, defined: Callable[[str], bool]) -> None:
        nodes: dict[str, ast.ClassDef | None] = {}
        for node in classes:
            nodes[node.name] = None if node.name in nodes else node
        self._nodes = {k: v for k, v in nodes.items() if v is not None}
        self._imports, self._inplace_params, self._tree, self._defined = imports, inplace_params, tree, defined
        self._infos: dict[str, ClassInfo] = {}

    def __getitem__(self, name: str) -> ClassInfo:
        info = self._infos.get(name)
        if info is None:
            info = self._infos[name] = _class_info(self._nodes[name], self._imports, self._inplace_params, self.sites, self._defined)
        return info

    def sites(self, name: str) -> list[ast.Call] | None:
        """The calls that build the class `name` in the file; None when the name is also used
        otherwise (a base class, `partial(ConvModule, act=False)`): it may be built elsewhere."""
        return self._built.get(name)

    @functools.cached_property
    def _built(self) -> dict[str, list[ast.Call] | None]:
        if self._tree is None:
            return {}
        calls: dict[str, list[ast.Call] | None] = {name: [] for name in self._nodes}
        called: set[int] = set()
        named: list[ast.Name] = []
        for sub in walk(self._tree):  # one walk: the calls building each class, and every spelling of its name
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in calls:
                calls[sub.func.id].append(sub)  # type: ignore[union-attr]
                called.add(id(sub.func))
            elif isinstance(sub, ast.Name) and sub.id in calls:
                named.append(sub)
        for name in named:
            if id(name) not in called:
                calls[name.id] = None
        return calls

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)


Sites = Callable[[str], "list[ast.Call] | None"]  # the calls building a class of the file, None: unknown


def _class_info(node: ast.ClassDef, imports: ImportMap, inplace_params: Mapping[str, int], sites: Sites,
                defined: Callable[[str], bool]) -> ClassInfo:
    bases = tuple(qualify(b, imports) or b for b in base_names(node))
    built: dict[str, Submodule | None] = {}
    flags: dict[str, bool | None] = {}
    methods = frozenset(s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
    plain: dict[str, bool] = {}
    plain_params = _plain_parameters(node)
    buffers: set[str] = set()
    dense: set[str] = set()
    branch = functools.partial(_branch, node, sites)
    building = functools.partial(_submodule, imports=imports, inplace_params=inplace_params, branch=branch, defined=defined)
    held_by_default = _module_defaults(node, sites)
    for sub in walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "register_buffer":
            first = sub.args[0] if sub.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                buffers.add(first.value)
                if len(sub.args) > 1 and _factory(sub.args[1], imports):
                    dense.add(first.value)
        if isinstance(sub, ast.AugAssign) and (attr := _self_attribute(sub.target)) is not None:
            plain[attr] = plain.get(attr, True) and _plain_value(sub.value, plain_params)
        if not isinstance(sub, ast.Assign):
            continue
        for target in sub.targets:
            attr = _self_attribute(target)
            if attr is not None:
                plain[attr] = plain.get(attr, True) and len(sub.targets) == 1 and _plain_value(sub.value, plain_params)
                spec = building(held_by_default.get(id(sub.value), sub.value))
                built[attr] = None if attr in built and built[attr] != spec else spec
            elif isinstance(target, ast.Attribute) and target.attr == "inplace":
                owner = _self_attribute(target.value)  # `self.act.inplace = True`
                if owner is not None:
                    flags[owner] = _flag(sub.value)
    for attr, flag in flags.items():
        spec = built.get(attr)
        if spec is not None and flag is not False:
            built[attr] = replace(spec, inplace=flag)
    return ClassInfo(node.name, bases, MappingProxyType({k: v for k, v in built.items() if v is not None}), methods,
                     frozenset(k for k, v in plain.items() if v), frozenset(b for b in buffers if b not in built),
                     frozenset(b for b in dense if b not in plain and b not in built))


def _factory(value: ast.expr, imports: ImportMap) -> bool:
    """`torch.zeros(n, m)`: a new contiguous tensor (not a `*_like`, which copies another's strides)."""
    name = qualify(dotted_name(value.func), imports) if isinstance(value, ast.Call) else None
    return name is not None and name.startswith("torch.") and name.removeprefix("torch.") in DENSE_FACTORIES


def _module_defaults(owner: ast.ClassDef, sites: Sites) -> dict[int, ast.expr]:
    """`self.act = act` in `__init__`, `act=nn.ReLU()` its default: the `act` read there (by node id)
    stands for the module its default builds, unless a call building the class in the file passes
    something other than None for it (None leaves no module to call: `if self.act is not None`)."""
    init = _init_of(owner)
    if init is None:
        return {}
    params = [(p, d) for p, d in _init_parameters(init) if isinstance(d, ast.Call)]
    if not params:
        return {}
    rebound = {n.id for n in walk(init) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    defaults = {p.name: d for p, d in params if p.name not in rebound}
    for call in sites(owner.name) or ():
        for param, _ in params:
            given = _passed(call, param)
            if given is not None and not (isinstance(given, ast.Constant) and given.value is None):
                defaults.pop(param.name, None)  # another module, or unknown (`**cfg`)
    return {id(n): defaults[n.id] for s in init.body for n in walk(s)
            if isinstance(n, ast.Name) and n.id in defaults and isinstance(n.ctx, ast.Load)}


def _plain_parameters(node: ast.ClassDef) -> frozenset[str]:
    """Parameters of the class's `__init__` with a number, text or flag default, or such an annotation."""
    init = _init_of(node)
    if init is None:
        return frozenset()
    return frozenset(p.name for p, d in _init_parameters(init) if _constant(d) or isinstance(p.arg.annotation, ast.Name)
                     and p.arg.annotation.id in ("int", "float", "bool", "str"))


@dataclass(frozen=True, slots=True)
class _Parameter:
    """A parameter of a class's `__init__`: what a call building the class fills it with."""

    arg: ast.arg
    position: int | None  # among the arguments a call passes (`self` left out); None: keyword-only

    @property
    def name(self) -> str:
        return self.arg.arg


def _init_of(owner: ast.ClassDef) -> ast.FunctionDef | None:
    return next((s for s in owner.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)


def _init_parameters(init: ast.FunctionDef) -> list[tuple[_Parameter, ast.expr | None]]:
    """Each parameter of `__init__` but `self`, with its default (None: none)."""
    args = init.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = [(_Parameter(a, i - 1), d) for i, (a, d) in enumerate(zip(positional, defaults))][1:]
    return pairs + [(_Parameter(a, None), d) for a, d in zip(args.kwonlyargs, args.kw_defaults)]


UNKNOWN_ARGUMENT = ast.Starred()  # a call that unpacks `*args` or `**kwargs`: it may pass anything


def _passed(call: ast.Call, param: _Parameter) -> ast.expr | None:
    """What the call building the class passes for `param` (None: nothing, its default applies)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return UNKNOWN_ARGUMENT
    given = next((k.value for k in call.keywords if k.arg == param.name), None)
    if given is None and param.position is not None and param.position < len(call.args):
        given = call.args[param.position]
    return given


def _constant(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool))


def _plain_value(value: ast.expr, params: frozenset[str]) -> bool:
    """A value that is never a tensor: constants, plain parameters, `math` and arithmetic of them."""
    if _constant(value) or isinstance(value, ast.Constant) and value.value is None:
        return True
    if isinstance(value, ast.Name):
        return value.id in params
    if isinstance(value, ast.BinOp):
        return _plain_value(value.left, params) and _plain_value(value.right, params)
    if isinstance(value, ast.UnaryOp):
        return _plain_value(value.operand, params)
    if isinstance(value, ast.Attribute):  # `math.pi`; `config.temperature`: model configs hold plain values
        return isinstance(value.value, ast.Name) and value.value.id in ("math", "config", "cfg")
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("int", "float", "len", "round", "bool"):
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and isinstance(value.func.value, ast.Name):
        return value.func.value.id == "math" and all(_plain_value(a, params) for a in value.args)
    return False


def _submodule(value: ast.expr, imports: ImportMap, inplace_params: Mapping[str, int],
               branch: Callable[[ast.expr], bool | None], defined: Callable[[str], bool]) -> Submodule | None:
    """The module `value` builds: `nn.LayerNorm(d)`, `nn.Sequential(a, b)`, `Attention(d)`,
    `nn.ModuleList([Block(d) for _ in range(n)])`, `nn.ReLU() if act else nn.Identity()` when
    `branch` knows which runs."""
    if isinstance(value, ast.IfExp):
        taken = branch(value.test)
        return None if taken is None else _submodule(value.body if taken else value.orelse, imports, inplace_params, branch, defined)
    if not isinstance(value, ast.Call):
        return None
    spelled = dotted_name(value.func)
    if spelled is None:
        return None
    callee = qualify(spelled, imports) or spelled
    if callee in MODULE_LISTS:
        built = _built_alike(value, lambda v: _submodule(v, imports, inplace_params, branch, defined))
        return Submodule(callee, value.lineno, False, (), built)
    if callee == SEQUENTIAL:
        parts = [_submodule(a, imports, inplace_params, branch, defined) for a in value.args]
        if value.keywords or any(p is None for p in parts) or any(isinstance(a, ast.Starred) for a in value.args):
            return Submodule(callee, value.lineno)  # parts unknown
        return Submodule(callee, value.lineno, False, tuple(p for p in parts if p is not None))
    if not callee.startswith("torch.nn.") and "." in callee:
        return Submodule(callee, value.lineno) if defined(callee) else None  # another file of the run's, or unknown
    return Submodule(callee, value.lineno, _inplace(value, callee, inplace_params))


def _built_alike(call: ast.Call, build: Callable[[ast.expr], Submodule | None]) -> Submodule | None:
    """The module every element of `nn.ModuleList([...])` (`nn.ModuleDict({...})`) is, when one
    constructor builds them all: a literal of alike calls, or a comprehension."""
    if len(call.args) != 1 or call.keywords:
        return None
    given = call.args[0]
    if isinstance(given, (ast.ListComp, ast.GeneratorExp)):
        values = [given.elt]
    elif isinstance(given, ast.DictComp):
        values = [given.value]
    elif isinstance(given, (ast.List, ast.Tuple)):
        values = list(given.elts)
    elif isinstance(given, ast.Dict) and None not in given.keys:
        values = list(given.values)
    else:
        return None
    specs = [build(v) for v in values]
    if not specs or any(s is None for s in specs) or len({_unplaced(s) for s in specs}) != 1:  # type: ignore[arg-type]
        return None
    return specs[0]


def _unplaced(spec: Submodule) -> Submodule:
    """`spec` with its lines left out: two modules built alike on different lines compare equal."""
    element = _unplaced(spec.element) if spec.element is not None else None
    return replace(spec, line=0, parts=tuple(_unplaced(p) for p in spec.parts), element=element)


def _branch(owner: ast.ClassDef, sites: Sites, test: ast.expr) -> bool | None:
    """Whether `test` (on a parameter of `owner.__init__`: `act`, `not act`, `act is None`) holds
    for every instance: each call building the class in the file leaves the parameter at its
    constant default or passes a constant, and all agree. None when unknown."""
    name = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)) \
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        name = test.left
    if not isinstance(name, ast.Name):
        return None
    values = _arguments(owner, name.id, sites)
    if values is None:
        return None
    outcomes = {_holds(test, v) for v in values}
    return outcomes.pop() if len(outcomes) == 1 else None


def _holds(test: ast.expr, value: object) -> bool:
    if isinstance(test, ast.UnaryOp):
        return not value
    if isinstance(test, ast.Compare):
        return (value is None) == isinstance(test.ops[0], ast.Is)
    return bool(value)


def _arguments(owner: ast.ClassDef, param: str, sites: Sites) -> list[object] | None:
    """The constant each call building `owner` passes for `param` of its `__init__` (its default
    when left out); None when a call passes something else, or none is found."""
    init = _init_of(owner)
    found = next(((p, d) for p, d in _init_parameters(init) if p.name == param), None) if init is not None else None
    if found is None or not isinstance(found[1], ast.Constant) or any(
            isinstance(n, ast.Name) and n.id == param and not isinstance(n.ctx, ast.Load) for n in walk(init)):  # type: ignore[arg-type]
        return None  # no constant default, or rebound in `__init__`
    calls = sites(owner.name)
    if not calls:
        return None
    values: list[object] = []
    for call in calls:
        given = _passed(call, found[0])
        given = found[1] if given is None else given
        if not isinstance(given, ast.Constant):
            return None
        values.append(given.value)
    return values


def _inplace(call: ast.Call, callee: str, inplace_params: Mapping[str, int]) -> bool | None:
    for keyword in call.keywords:
        if keyword.arg == "inplace":
            return _flag(keyword.value)
    index = inplace_params.get(callee)
    if index is not None and index < len(call.args):
        return _flag(call.args[index])
    return False


def _flag(value: ast.expr) -> bool | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def _self_attribute(target: ast.expr) -> str | None:
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return target.attr
    return None
