"""The torch facts outplace needs, loaded from the table that scripts/gen_torch_tables.py generates."""

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
class ModuleSaves:
    """What calling a torch.nn module (train mode) saves for backward, found by running it."""

    saves_input: bool  # writing its input afterwards breaks backward
    saves_input_for_weight: bool  # ... even when the input does not require grad (the weights need it)
    saves_output: bool  # writing its output afterwards breaks backward
    writes_input: bool  # as built by default, it writes its input in place
    inplace_writes_input: bool  # built with inplace=True, it writes its input in place
    output_is_input_view: bool  # its output shares its input's storage


@dataclass(frozen=True, slots=True)
class View:
    """A call or attribute whose result shares memory with an input, as found by running it on samples."""

    kind: ViewKind  # "view": always shares (strided tensors); "maybe": shares for some inputs (reshape, float)
    multi: bool = False  # the result is a sequence of views (split, chunk, unbind)
    of: Literal["first", "all"] = "first"  # shares the first tensor argument (the receiver) or any of them


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
    module_saves: Mapping[str, ModuleSaves] = field(default_factory=dict)  # qualified torch.nn class -> saves


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
        module_saves=MappingProxyType({k: ModuleSaves(**v) for k, v in raw.get("module_saves", {}).items()}),
    )
