"""The cheap pass over classes: what each `self.<attr>` holds, as the class's methods build it.

`self.norm = nn.LayerNorm(d)` in `__init__` makes `self.norm(x)` in `forward` a LayerNorm call,
which saves `x` for backward. Read from `ast`, once per file, for every class: the fast path
(one function at a time) and the whole-module pass look the same facts up by class name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import libcst as cst

from fixer.analysis.regions import ImportMap, dotted_name, qualify, walk
from fixer.analysis.tables import ModuleSaves

SEQUENTIAL = "torch.nn.Sequential"
# Parts of class names that mark pipeline utilities (`OwlViTImageProcessor`, `DDPMScheduler`).
INFERENCE_CLASSES = ("Processor", "FeatureExtractor", "Tokenizer", "Scheduler")
FUNCTION_BASES = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})
MODULE_LISTS = frozenset({"torch.nn.ModuleList", "torch.nn.ModuleDict"})


@dataclass(frozen=True, slots=True)
class Submodule:
    """A module a class keeps in an attribute: a torch.nn class, a Sequential of parts, or a class
    of the file (`callee` is then its bare name)."""

    callee: str  # qualified torch name ("torch.nn.LayerNorm") or the file's class name ("Attention")
    line: int  # where it is built
    inplace: bool | None = False  # built with inplace=True (None: by a variable, or set later to one)
    parts: tuple[Submodule, ...] = ()  # a Sequential's modules, in order

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
    """The module `self.<attr>` holds, when `func` spells `self.<attr>` (LibCST) in a known class."""
    if info is None or not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    return info.submodules.get(func.attr.value) if func.value.value == "self" else None


def class_table(classes: Iterable[ast.ClassDef], imports: ImportMap, inplace_params: Mapping[str, int]) -> ClassTable:
    """Every class of the file (as the cheap pass lists them) by name, with the submodules its
    methods assign to `self`: read when first looked up (most files never ask)."""
    return _Classes(classes, imports, inplace_params)


class _Classes(Mapping[str, ClassInfo]):
    """A class name defined twice in the file is left out: which one runs is unknown."""

    def __init__(self, classes: Iterable[ast.ClassDef], imports: ImportMap, inplace_params: Mapping[str, int]) -> None:
        nodes: dict[str, ast.ClassDef | None] = {}
        for node in classes:
            nodes[node.name] = None if node.name in nodes else node
        self._nodes = {k: v for k, v in nodes.items() if v is not None}
        self._imports, self._inplace_params = imports, inplace_params
        self._infos: dict[str, ClassInfo] = {}

    def __getitem__(self, name: str) -> ClassInfo:
        info = self._infos.get(name)
        if info is None:
            info = self._infos[name] = _class_info(self._nodes[name], self._imports, self._inplace_params)
        return info

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)


def _class_info(node: ast.ClassDef, imports: ImportMap, inplace_params: Mapping[str, int]) -> ClassInfo:
    spelled = (dotted_name(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases)
    bases = tuple(qualify(b, imports) or b for b in spelled if b is not None)
    built: dict[str, Submodule | None] = {}
    flags: dict[str, bool | None] = {}
    methods = frozenset(s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
    plain: dict[str, bool] = {}
    plain_params = _plain_parameters(node)
    buffers: set[str] = set()
    for sub in walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "register_buffer":
            first = sub.args[0] if sub.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                buffers.add(first.value)
        if isinstance(sub, ast.AugAssign) and (attr := _self_attribute(sub.target)) is not None:
            plain[attr] = plain.get(attr, True) and _plain_value(sub.value, plain_params)
        if not isinstance(sub, ast.Assign):
            continue
        for target in sub.targets:
            attr = _self_attribute(target)
            if attr is not None:
                plain[attr] = plain.get(attr, True) and len(sub.targets) == 1 and _plain_value(sub.value, plain_params)
                spec = _submodule(sub.value, imports, inplace_params)
                built[attr] = None if attr in built and built[attr] != spec else spec
            elif isinstance(target, ast.Attribute) and target.attr == "inplace":
                owner = _self_attribute(target.value)  # `self.act.inplace = True`
                if owner is not None:
                    flags[owner] = _flag(sub.value)
    for attr, flag in flags.items():
        spec = built.get(attr)
        if spec is not None and flag is not False:
            built[attr] = Submodule(spec.callee, spec.line, flag, spec.parts)
    return ClassInfo(node.name, bases, MappingProxyType({k: v for k, v in built.items() if v is not None}), methods,
                     frozenset(k for k, v in plain.items() if v), frozenset(b for b in buffers if b not in built))


def _plain_parameters(node: ast.ClassDef) -> frozenset[str]:
    """Parameters of the class's `__init__` with a number, text or flag default, or such an annotation."""
    init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
    if init is None:
        return frozenset()
    args = init.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    return frozenset(a.arg for a, d in pairs if _constant(d) or isinstance(a.annotation, ast.Name)
                     and a.annotation.id in ("int", "float", "bool", "str"))


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


def _submodule(value: ast.expr, imports: ImportMap, inplace_params: Mapping[str, int]) -> Submodule | None:
    """The module `value` builds: `nn.LayerNorm(d)`, `nn.Sequential(a, b)`, `Attention(d)`."""
    if not isinstance(value, ast.Call):
        return None
    spelled = dotted_name(value.func)
    if spelled is None:
        return None
    callee = qualify(spelled, imports) or spelled
    if callee == SEQUENTIAL:
        parts = [_submodule(a, imports, inplace_params) for a in value.args]
        if value.keywords or any(p is None for p in parts) or any(isinstance(a, ast.Starred) for a in value.args):
            return Submodule(callee, value.lineno)  # parts unknown
        return Submodule(callee, value.lineno, False, tuple(p for p in parts if p is not None))
    if not callee.startswith("torch.nn.") and "." in callee:
        return None  # another library's class: unknown
    return Submodule(callee, value.lineno, _inplace(value, callee, inplace_params))


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
