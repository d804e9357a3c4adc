"""Tri-state tensor inference: is this expression a tensor, surely not one, or unknown?"""

from __future__ import annotations

import enum

import libcst as cst

from fixer.analysis.summary import unpacked_result
from fixer.analysis.scope import FunctionFacts, RegionFacts, on_self, qualified
from fixer.core.batched import contains
from fixer.analysis.tables import torch_tables


class Kind(enum.Enum):
    TENSOR = "tensor"
    NOT_TENSOR = "not a tensor"
    UNKNOWN = "unknown"


TENSOR_ANNOTATIONS = frozenset({"torch.Tensor", "torch.nn.Parameter", "torch.nn.parameter.Parameter",
                                "torch.FloatTensor", "torch.LongTensor"})
PLAIN_ANNOTATIONS = frozenset({"int", "float", "str", "bool", "list", "dict", "tuple", "set", "bytes",
                               "complex", "List", "Dict", "Tuple", "Set", "Sequence", "Mapping"})
# Builtins whose result is never a tensor.
PLAIN_BUILTINS = frozenset({"len", "range", "int", "float", "str", "bool", "list", "dict", "tuple",
                            "set", "enumerate", "zip", "isinstance", "round", "repr", "sorted",
                            "reversed", "hash", "id", "type", "frozenset", "bytes", "ord", "chr"})
# Tensor methods and attributes whose result is a Python value, not a tensor.
PLAIN_MEMBERS = frozenset({"item", "tolist", "numpy", "size", "dim", "numel", "shape", "ndim",
                           "dtype", "device", "is_cuda", "requires_grad", "is_leaf", "stride",
                           "data_ptr", "element_size", "nelement", "ndimension", "storage_offset",
                           "is_contiguous", "is_floating_point", "get_device", "untyped_storage",
                           "names", "layout", "grad_fn", "__len__", "is_complex", "nbytes",
                           "itemsize", "equal", "all_close", "allclose"})
# torch functions that are not tensor factories or ops.
TORCH_PLAIN = ("torch.nn.", "torch.optim.", "torch.utils.", "torch.cuda.", "torch.distributed.",
               "torch.backends.", "torch.jit.", "torch.autograd.grad_mode", "torch.device",
               "torch.dtype", "torch.Size", "torch.Generator", "torch.is_", "torch.get_",
               "torch.set_", "torch.manual_seed", "torch.no_grad", "torch.enable_grad",
               "torch.inference_mode", "torch.compile", "torch.save", "torch.load", "torch.numel",
               "torch.finfo", "torch.iinfo", "torch.typename", "torch.use_deterministic")
TORCH_TENSOR_MODULES = ("torch.nn.functional.", "torch.linalg.", "torch.fft.", "torch.special.",
                        "torch.nn.init.")
NON_TORCH_ROOTS = ("numpy", "math", "random", "pandas", "scipy", "jax", "tensorflow")
# Method names that numpy arrays, Python containers or numbers also have: no proof of a tensor.
SHARED_METHODS = frozenset({
    "all", "any", "argmax", "argmin", "argsort", "astype", "choose", "clip", "compress", "conj",
    "conjugate", "copy", "cumprod", "cumsum", "diagonal", "dot", "fill", "flatten", "max", "mean", "min",
    "nonzero", "prod", "put", "ravel", "repeat", "reshape", "resize", "round", "searchsorted", "sort",
    "squeeze", "std", "sum", "swapaxes", "take", "trace", "transpose", "var", "view", "add", "index",
    "count", "pop", "clear", "update", "split", "join", "replace", "sub", "div", "mul", "abs", "pow",
    "log", "exp", "sqrt", "real", "imag", "item", "tolist", "expand", "to", "type", "float", "int",
    "bool", "long", "half", "double", "apply", "where", "get", "lower", "upper", "strip", "format",
})


# Methods only tensors have that build a new tensor of the receiver's dtype and device.
NEW_METHODS = frozenset({"new_zeros", "new_ones", "new_empty", "new_full", "new_tensor"})
IDENTITY_OPERATORS = (cst.Is, cst.IsNot, cst.In, cst.NotIn)


class TensorKinds:
    """Answers `kind(expr, at=node)` from a region's facts, memoising names per function."""

    def __init__(self, facts: RegionFacts, *, params_are_tensors: bool = False) -> None:
        """`params_are_tensors`: read every parameter as a tensor unless its default says otherwise
        (a summary asks what a function does to the tensors it is given)."""
        self.facts = facts
        self.params_are_tensors = params_are_tensors
        self._names: dict[tuple[int, str], Kind] = {}
        self._tensor_uses: dict[int, frozenset[str]] = {}

    def kind(self, expr: cst.BaseExpression, scope: FunctionFacts) -> Kind:
        if isinstance(expr, cst.Name):
            return self.name_kind(expr.value, scope)
        if isinstance(expr, cst.Comparison):
            return self._comparison_kind(expr, scope)
        if isinstance(expr, (cst.BaseNumber, cst.BaseString, cst.List, cst.Tuple, cst.Dict,
                             cst.Set, cst.ListComp, cst.DictComp, cst.SetComp, cst.BooleanOperation, cst.Lambda)):
            return Kind.NOT_TENSOR
        if isinstance(expr, cst.Call):
            return self._call_kind(expr, scope)
        if isinstance(expr, cst.Attribute):
            return self._attribute_kind(expr, scope)
        if isinstance(expr, cst.BinaryOperation):
            return _combine_any(self.kind(expr.left, scope), self.kind(expr.right, scope))
        if isinstance(expr, cst.UnaryOperation):
            return self.kind(expr.expression, scope)
        if isinstance(expr, cst.Subscript):
            return Kind.TENSOR if self.kind(expr.value, scope) is Kind.TENSOR else Kind.UNKNOWN
        if isinstance(expr, cst.IfExp):
            return _combine_all([self.kind(expr.body, scope), self.kind(expr.orelse, scope)])
        return Kind.UNKNOWN

    def name_kind(self, name: str, scope: FunctionFacts) -> Kind:
        key = (id(scope), name)
        if key not in self._names:
            self._names[key] = Kind.UNKNOWN  # breaks cycles such as `x = x + 1`
            self._names[key] = self._resolve_name(name, scope, provisional=True)
            self._names[key] = self._resolve_name(name, scope, provisional=False)
        return self._names[key]

    def _resolve_name(self, name: str, scope: FunctionFacts, *, provisional: bool) -> Kind:
        """The kind every binding agrees on; the provisional pass skips self-references."""
        if name in scope.params:
            return self._param_kind(scope.params[name], scope)
        if name in self.facts.imports or name in ("True", "False", "None"):
            return Kind.NOT_TENSOR
        if name in scope.outer_names or name not in scope.bindings:
            parent = scope.parent
            return self.name_kind(name, parent) if parent is not None else Kind.UNKNOWN
        kinds = [self._loop_kind(it, scope) for it in scope.loop_iters.get(name, [])]
        unpacked = 0
        for value in scope.bindings[name]:
            if value is None:
                unpacked += name not in scope.loop_iters
            elif not (provisional and contains(value, lambda n: isinstance(n, cst.Name) and n.value == name)):
                kinds.append(self.kind(value, scope))
        if unpacked:
            kinds += self._unpacked_kinds(name, unpacked, scope)
        return _combine_all(kinds)

    def _unpacked_kinds(self, name: str, count: int, scope: FunctionFacts) -> list[Kind]:
        """`a, b = self.pair(x)`: an element the callee returns as a saved op's output is a tensor;
        any other binding without a value (`with ... as`, a comprehension's) is unknown."""
        statements = [b.node for b in scope.timeline.get(name, []) if b.value is None and b.loop is None]
        if len(statements) != count:
            return [Kind.UNKNOWN]  # a binding the timeline does not record: cannot tell which is which
        return [Kind.TENSOR if unpacked_result(name, s, scope, self.facts.file) else Kind.UNKNOWN for s in statements]

    def _param_kind(self, param: cst.Param, scope: FunctionFacts) -> Kind:
        if param.annotation is None:
            is_self = scope.node is not None and param is _first_param(scope)
            if is_self and param.name.value in ("self", "cls"):
                return Kind.NOT_TENSOR
            if (self.params_are_tensors or module_forward(scope)) and not param.star:
                return _default_kind(param.default)  # `def forward(self, x, mask=None)`: tensors
            if _default_kind(param.default) is Kind.NOT_TENSOR:
                return Kind.NOT_TENSOR
            return Kind.TENSOR if param.name.value in self._used_as_tensors(scope) else Kind.UNKNOWN
        annotation = param.annotation.annotation
        name = qualified(annotation, self.facts.imports)
        if name in TENSOR_ANNOTATIONS or (isinstance(annotation, cst.Name) and annotation.value == "Tensor"):
            return Kind.TENSOR
        head = annotation.value if isinstance(annotation, cst.Subscript) else annotation
        if isinstance(head, cst.Name) and head.value in PLAIN_ANNOTATIONS:
            return Kind.NOT_TENSOR
        return Kind.UNKNOWN

    def _used_as_tensors(self, scope: FunctionFacts) -> frozenset[str]:
        """Names the function hands to torch as tensors: the first argument of a torch function
        (`F.softplus(x)`), the receiver of a method only tensors have (`x.softmax(-1)`)."""
        key = id(scope)
        if key not in self._tensor_uses:
            found: set[str] = set()
            methods = torch_tables().tensor_method_ops
            for op in scope.ops:
                if not isinstance(op, cst.Call):
                    continue
                func = op.func
                if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                    if func.attr.value in methods and func.attr.value not in SHARED_METHODS:
                        found.add(func.value.value)
                first = op.args[0].value if op.args and op.args[0].keyword is None and not op.args[0].star else None
                if isinstance(first, cst.Name):
                    name = qualified(func, self.facts.imports)
                    if name is not None and name.startswith(TORCH_TENSOR_MODULES) and not name.startswith("torch.nn.init."):
                        found.add(first.value)
            self._tensor_uses[key] = frozenset(found)
        return self._tensor_uses[key]

    def _loop_kind(self, iterable: cst.BaseExpression, scope: FunctionFacts) -> Kind:
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name):
            if iterable.func.value == "range" and "range" not in scope.bindings:
                return Kind.NOT_TENSOR
        return Kind.UNKNOWN

    def _call_kind(self, call: cst.Call, scope: FunctionFacts) -> Kind:
        func = call.func
        name = qualified(func, self.facts.imports)
        if name is not None:
            return _qualified_call_kind(name)
        if isinstance(func, cst.Name):
            return Kind.NOT_TENSOR if func.value in PLAIN_BUILTINS and func.value not in scope.bindings else Kind.UNKNOWN
        if isinstance(func, cst.Attribute):
            if func.attr.value in PLAIN_MEMBERS:
                return Kind.NOT_TENSOR
            receiver = self.kind(func.value, scope)
            if receiver is Kind.TENSOR or func.attr.value in NEW_METHODS:
                return Kind.TENSOR
            method = func.attr.value
            if receiver is Kind.UNKNOWN and method in torch_tables().tensor_method_ops and method not in SHARED_METHODS:
                return Kind.TENSOR  # `scores.softmax(-1)`: only a tensor has this method
            if scope.is_forward and (on_self(func) or _is_super_forward(func)):
                return Kind.TENSOR  # a submodule called in forward: self.conv(x); the base's: super().forward(x)
        if scope.is_forward and on_self(func):
            return Kind.TENSOR
        return Kind.UNKNOWN

    def _attribute_kind(self, attr: cst.Attribute, scope: FunctionFacts) -> Kind:
        if attr.attr.value in PLAIN_MEMBERS:
            return Kind.NOT_TENSOR
        name = qualified(attr, self.facts.imports)
        if name is not None:
            return Kind.NOT_TENSOR if not name.startswith("torch.") or name.count(".") == 1 else Kind.UNKNOWN
        if attr.attr.value in ("T", "mT", "H", "mH", "data", "grad", "real", "imag"):
            return self.kind(attr.value, scope)
        info = scope.class_info
        if info is not None and on_self(attr) and attr.attr.value in info.plain_attributes:
            return Kind.NOT_TENSOR  # `self.scale = dim ** -0.5` in `__init__`
        if on_self(attr) and attr.attr.value in scope.class_parameters:
            return Kind.TENSOR  # `self.w = nn.Parameter(...)`
        return Kind.UNKNOWN

    def _comparison_kind(self, expr: cst.Comparison, scope: FunctionFacts) -> Kind:
        """`t > 0` is a bool tensor when `t` is a tensor: a plain bool only when no side may be one
        (`is`, `in` and their negations always give a bool)."""
        if all(isinstance(c.operator, IDENTITY_OPERATORS) for c in expr.comparisons):
            return Kind.NOT_TENSOR
        sides = [self.kind(expr.left, scope)] + [self.kind(c.comparator, scope) for c in expr.comparisons]
        if sides[0] is Kind.TENSOR:
            return Kind.TENSOR
        return Kind.NOT_TENSOR if all(k is Kind.NOT_TENSOR for k in sides) else Kind.UNKNOWN


def _qualified_call_kind(name: str) -> Kind:
    root = name.split(".")[0]
    if root in NON_TORCH_ROOTS:
        return Kind.NOT_TENSOR
    if root != "torch":
        return Kind.UNKNOWN
    if name.startswith(TORCH_TENSOR_MODULES):
        return Kind.TENSOR
    if name.startswith(TORCH_PLAIN):
        return Kind.NOT_TENSOR
    last = name.rsplit(".", 1)[-1]
    if last[:1].isupper() and last not in ("Tensor",) and not last.endswith("Tensor"):
        return Kind.NOT_TENSOR  # a class: a module, a dtype, a distribution ...
    return Kind.TENSOR


def _combine_any(left: Kind, right: Kind) -> Kind:
    """Arithmetic: a tensor on either side makes a tensor."""
    if Kind.TENSOR in (left, right):
        return Kind.TENSOR
    if left is right is Kind.NOT_TENSOR:
        return Kind.NOT_TENSOR
    return Kind.UNKNOWN


def _combine_all(kinds: list[Kind]) -> Kind:
    """A name bound several times is only known when every binding agrees."""
    if not kinds:
        return Kind.UNKNOWN
    first = kinds[0]
    return first if all(k is first for k in kinds) else Kind.UNKNOWN


def module_forward(scope: FunctionFacts) -> bool:
    """`forward` of a class with a base (an `nn.Module` by convention), not a static method."""
    node = scope.node
    info = scope.class_info
    if not scope.is_forward or info is None or not info.is_module or scope.parent is None or scope.parent.node is not None:
        return False  # nested functions named `forward` and module-level ones are not methods
    assert isinstance(node, cst.FunctionDef)
    return not any(isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
                   for d in node.decorators)


def _default_kind(default: cst.BaseExpression | None) -> Kind:
    """A forward argument with no default is a tensor; a number, text or flag is not."""
    if default is None:
        return Kind.TENSOR
    if isinstance(default, cst.Name) and default.value == "None":
        return Kind.UNKNOWN  # `mask=None`, `input_shape=None`: optional, of any type
    if isinstance(default, (cst.BaseNumber, cst.BaseString, cst.Tuple, cst.List, cst.Dict)) or (
            isinstance(default, cst.Name) and default.value in ("True", "False")):
        return Kind.NOT_TENSOR
    return Kind.UNKNOWN


def _first_param(scope: FunctionFacts) -> cst.Param | None:
    node = scope.node
    if not isinstance(node, cst.FunctionDef):
        return None
    params = list(node.params.posonly_params) + list(node.params.params)
    return params[0] if params else None


def _is_super_forward(func: cst.BaseExpression) -> bool:
    """`super().forward`: the base class's forward, from a module's forward."""
    return (isinstance(func, cst.Attribute) and func.attr.value == "forward" and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")


