"""The torch facts outplace needs: the table scripts/gen_torch_tables.py generates, and the factories."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

InplaceKind = Literal["same", "special", "display_only"]
ViewKind = Literal["view", "maybe"]
# How a factory is given its shape: positional sizes (`zeros(n, d)`), one size then a value
# (`full((n, d), v)`), `eye(n, m)`, sizes and strides, another tensor's (`zeros_like(x)`), a range of
# numbers (`arange(n)`, `randint(lo, hi, size)`), data (`tensor([...])`), or samples of a tensor's values.
FactoryShape = Literal["sizes", "size", "square", "strided", "like", "range", "data", "sampled"]


@dataclass(frozen=True, slots=True)
class InplaceMethod:
    """How to rewrite one in-place Tensor method out of place."""

    kind: InplaceKind
    twin: str | None = None  # "same": the Tensor method taking the same arguments
    params: tuple[str, ...] = ()  # "special": argument names the template may use, in call order
    template: str | None = None  # "special": str.format source with {self} and each param
    defaults: Mapping[str, str] = field(default_factory=dict)  # "special": source of omitted params
    reason: str | None = None  # "display_only": why no rewrite is offered


@dataclass(frozen=True, slots=True)
class Saves:
    """What an op's backward formula saves: its result (output 0) and which tensor inputs."""

    result: bool
    inputs: frozenset[str]
    args: tuple[str, ...] = ()  # the op's tensor arguments in schema order ("self" first for methods)


@dataclass(frozen=True, slots=True)
class View:
    """A call or attribute whose result shares memory with an input, as found by running it on samples."""

    kind: ViewKind  # "view": always shares (strided tensors); "maybe": shares for some inputs (reshape, float)
    multi: bool = False  # the result is a sequence of views (split, chunk, unbind)
    of: Literal["first", "all"] = "first"  # shares the first tensor argument (the receiver) or any of them


@dataclass(frozen=True, slots=True)
class ModuleSaves:
    """What calling a torch.nn module saves for backward and writes, found by running it (train mode)."""

    path: str  # where the class is defined: torch.nn.modules.activation.ReLU
    saved_inputs: frozenset[int]  # argument positions whose in-place write after the call breaks backward
    saved_inputs_for_weight: frozenset[int]  # the same with inputs that do not require grad (the weights' gradient)
    saves_output: bool  # an in-place write to the first output tensor breaks backward
    writes_input: bool  # the call, as built by default, writes an input in place
    inplace_writes_input: bool | None  # the call writes its input when built with inplace=True (None: no such flag)
    inplace_saves_output: bool | None  # built with inplace=True, an in-place write to its output breaks backward
    output_is_input_view: bool  # the first output shares memory with the first input (Identity, Flatten)
    in_eval: ModuleSaves | None = None  # the same facts in eval() mode, when they differ (Dropout, BatchNorm)

    @property
    def saves_input(self) -> bool:
        """Tell whether writing the first argument after the call breaks backward."""
        return 0 in self.saved_inputs

    @property
    def saves_input_for_weight(self) -> bool:
        """Tell whether writing the first argument, not requiring grad, breaks the parameters' backward."""
        return 0 in self.saved_inputs_for_weight


@dataclass(frozen=True, slots=True)
class Factory:
    """A torch function that returns a new tensor, which autograd does not track unless asked (`requires_grad=True`)."""

    shape: FactoryShape
    default_float: bool = False  # without `dtype=`, its result has torch's default float dtype


# The one table of torch's tensor factories, by function name (`torch.<name>`); the lists below are views of it.
FACTORIES: Mapping[str, Factory] = MappingProxyType({
    **{name: Factory("sizes", default_float=True) for name in ("zeros", "ones", "empty", "rand", "randn")},
    "full": Factory("size"),
    "eye": Factory("square", default_float=True),
    "empty_strided": Factory("strided", default_float=True),
    **{name: Factory("like") for name in ("zeros_like", "ones_like", "empty_like", "full_like", "rand_like",
                                          "randn_like", "randint_like")},
    **{name: Factory("range") for name in ("arange", "randint", "randperm", "tril_indices", "triu_indices")},
    **{name: Factory("range", default_float=True) for name in ("range", "linspace", "logspace")},
    **{name: Factory("data") for name in ("tensor", "from_numpy")},
    **{name: Factory("sampled") for name in ("bernoulli", "multinomial", "normal", "poisson")},
})
# Their result's shape is another tensor's: nothing of its values (nor its gradient) flows in.
LIKE_FACTORIES = frozenset(name for name, f in FACTORIES.items() if f.shape == "like")
# Every positional argument is the shape (`full`: its first): `torch.zeros(n, d)`, `torch.full((n, d), v)`.
SIZED_FACTORIES = frozenset(name for name, f in FACTORIES.items() if f.shape in ("sizes", "size"))
# A new contiguous tensor whose shape the call spells (`eye(n, m)` too; not a `*_like`, which copies strides).
DENSE_FACTORIES = frozenset(name for name, f in FACTORIES.items() if f.shape in ("sizes", "size", "square"))
# Without `dtype=`, the default float dtype (`full` and `arange` take their fill's or bounds' dtype).
FLOAT_FACTORIES = frozenset(name for name, f in FACTORIES.items() if f.default_float)
# Their positional arguments are numbers (sizes, bounds, counts), never tensors.
NUMBER_FACTORIES = frozenset(name for name, f in FACTORIES.items() if f.shape in ("sizes", "size", "square", "strided", "range"))


@dataclass(frozen=True, slots=True)
class TorchTables:
    """Every generated torch table, read-only."""

    torch_version: str
    inplace_methods: Mapping[str, InplaceMethod]
    non_writes: frozenset[str]
    inplace_functions: Mapping[str, str]
    init_functions: frozenset[str]
    inplace_params: Mapping[str, int]
    saves: Mapping[str, Saves]
    tensor_method_ops: Mapping[str, str]
    view_methods: Mapping[str, View]  # Tensor method name -> View (`x.narrow(...)`, `x.reshape(...)`)
    view_attributes: Mapping[str, View]  # Tensor attribute -> View (`x.T`, `x.mT`, `x.real`, `x.data`)
    view_functions: Mapping[str, View]  # qualified function -> View (`torch.narrow`, `torch.nn.functional.dropout`)
    pure_functions: frozenset[str]  # qualified functions proven to return fresh memory and keep no argument
    pure_methods: frozenset[str]  # Tensor methods proven to return fresh memory and keep nothing
    retaining: frozenset[str]  # qualified callables that may keep an argument: classes, views, holders
    module_saves: Mapping[str, ModuleSaves]  # torch.nn module class, public and defining name -> ModuleSaves
    module_unknown: Mapping[str, str]  # torch.nn module class the generator could not run -> why


def _inplace_method(raw: dict[str, Any]) -> InplaceMethod:
    """Build one InplaceMethod from its JSON object."""
    return InplaceMethod(
        kind=raw["kind"],
        twin=raw.get("twin"),
        params=tuple(raw.get("params", ())),
        template=raw.get("template"),
        defaults=MappingProxyType(raw.get("defaults", {})),
        reason=raw.get("reason"),
    )


def _views(raw: dict[str, dict[str, Any]]) -> Mapping[str, View]:
    """Build a read-only map of Views from its JSON object."""
    return MappingProxyType({k: View(v["kind"], v["multi"], v["of"]) for k, v in raw.items()})


def _module_saves(raw: dict[str, Any], path: str) -> ModuleSaves:
    """Build one ModuleSaves (and its eval-mode twin) from its JSON object."""
    return ModuleSaves(
        path=path,
        saved_inputs=frozenset(raw["saved_inputs"]),
        saved_inputs_for_weight=frozenset(raw["saved_inputs_for_weight"]),
        saves_output=raw["saves_output"],
        writes_input=raw["writes_input"],
        inplace_writes_input=raw["inplace_writes_input"],
        inplace_saves_output=raw["inplace_saves_output"],
        output_is_input_view=raw["output_is_input_view"],
        in_eval=_module_saves(raw["eval"], path) if "eval" in raw else None,
    )


def _modules(raw: dict[str, dict[str, Any]]) -> Mapping[str, ModuleSaves]:
    """Map each module class by its public name (torch.nn.ReLU) and its defining one (torch.nn.modules...)."""
    found = {}
    for name, entry in raw.items():
        found[name] = found[entry["module"]] = _module_saves(entry, entry["module"])
    return MappingProxyType(found)


@functools.cache
def torch_tables() -> TorchTables:
    """Load the generated table once."""
    text = resources.files("fixer").joinpath("data/torch_tables.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return TorchTables(
        torch_version=raw["torch_version"],
        inplace_methods=MappingProxyType({k: _inplace_method(v) for k, v in raw["inplace_methods"].items()}),
        non_writes=frozenset(raw["non_writes"]),
        inplace_functions=MappingProxyType(raw["inplace_functions"]),
        init_functions=frozenset(raw["init_functions"]),
        inplace_params=MappingProxyType(raw["inplace_params"]),
        saves=MappingProxyType({
            k: Saves(v["result"], frozenset(v["inputs"]), tuple(v["args"])) for k, v in raw["saves"].items()
        }),
        tensor_method_ops=MappingProxyType(raw["tensor_method_ops"]),
        view_methods=_views(raw["views"]["methods"]),
        view_attributes=_views(raw["views"]["attributes"]),
        view_functions=_views(raw["views"]["functions"]),
        pure_functions=frozenset(raw["pure_functions"]),
        pure_methods=frozenset(raw["pure_methods"]),
        retaining=frozenset(raw["retains"]),
        module_saves=_modules(raw["modules"]["saves"]),
        module_unknown=MappingProxyType({k: v["reason"] for k, v in raw["modules"]["unknown"].items()}),
    )
