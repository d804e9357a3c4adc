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
    """A call or attribute whose result shares storage with an input."""

    kind: Literal["view", "maybe"]  # "maybe": for some inputs only (`reshape`, `contiguous`, a cast to the same dtype)
    multi: bool = False  # a sequence of views (`split`, `chunk`, `unbind`)
    of: Literal["first", "all"] = "first"  # which tensor arguments it may share storage with


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
    view_methods: Mapping[str, View] = field(default_factory=dict)
    view_attributes: Mapping[str, View] = field(default_factory=dict)
    view_functions: Mapping[str, View] = field(default_factory=dict)
    pure_functions: frozenset[str] = frozenset()  # qualified torch functions: a new result, no reference kept
    pure_methods: frozenset[str] = frozenset()  # Tensor methods: a new result or a Python value, no reference kept


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
        **_views(raw),
    )


def _view(raw: dict[str, Any]) -> View:
    return View(kind=raw["kind"], multi=raw.get("multi", False), of=raw.get("of", "first"))


def _views(raw: dict[str, Any]) -> dict[str, Any]:
    """The aliasing tables (PROVISIONAL fallback until the generated ones land)."""
    views = raw.get("views")
    if views is None:
        from fixer.analysis import _provisional_views
        views, pure_functions, pure_methods = _provisional_views.build(raw)
    else:
        pure_functions, pure_methods = raw["pure_functions"], raw["pure_methods"]
    return {
        "view_methods": MappingProxyType({k: _view(v) for k, v in views["methods"].items()}),
        "view_attributes": MappingProxyType({k: _view(v) for k, v in views["attributes"].items()}),
        "view_functions": MappingProxyType({k: _view(v) for k, v in views["functions"].items()}),
        "pure_functions": frozenset(pure_functions),
        "pure_methods": frozenset(pure_methods),
    }
