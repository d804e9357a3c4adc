"""Generate fixer/data/torch_tables.json by introspecting the installed torch (``--check`` compares instead)."""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import pathlib
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import torch
import torch.nn.functional
import torch.nn.init
import torchgen
from torchgen.gen import parse_native_yaml
from torchgen.packaged.autograd.load_derivatives import load_derivatives

OUTPUT = pathlib.Path(__file__).resolve().parent.parent / "fixer" / "data" / "torch_tables.json"
PACKAGED = pathlib.Path(torchgen.__file__).parent / "packaged"

# Out-of-place templates torch cannot derive. Each must produce exactly what the in-place call
# leaves in ``self`` (values, dtype, shape, device) without writing anything; tests evaluate them.
# fill_: ``value`` may be a Python scalar or a 0-dim tensor (even on CPU for a CUDA self, or
# requiring grad): as_tensor casts like fill_ does and keeps the autograd edge to a tensor value,
# expand_as + clone gives self's shape as fresh memory (full_like would call .item() on a tensor).
SPECIAL_TEMPLATES = {
    "zero_": "torch.zeros_like({self})",
    "fill_": "torch.as_tensor({value}, dtype={self}.dtype, device={self}.device).expand_as({self}).clone()",
    "copy_": (
        "{src}.to(device={self}.device, dtype={self}.dtype, non_blocking={non_blocking})"
        ".expand_as({self}).clone()"
    ),
}

# Twins that return bool: the in-place form keeps self's dtype, so the twin's result is cast back.
BOOL_RESULT_TWINS = frozenset(
    {"eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
     "logical_and", "logical_or", "logical_xor", "logical_not"}
)

# In-place methods with no exact out-of-place form; random fills are found from their Generator argument.
DISPLAY_ONLY = {
    "apply_": "runs a Python callable on every element; no out-of-place twin",
    "map_": "runs a Python callable on every element; no out-of-place twin",
    "map2_": "runs a Python callable on every element; no out-of-place twin",
    "fill_diagonal_": "no out-of-place twin; write into a clone() instead",
    "resize_": "changes the storage size; resize() is a deprecated autograd view with other semantics",
    "resize_as_": "changes the storage size; resize_as() is a deprecated autograd view with other semantics",
    "resize_as_sparse_": "changes a sparse tensor's storage; no out-of-place twin",
    "sparse_resize_": "changes a sparse tensor's storage; no out-of-place twin",
    "sparse_resize_and_clear_": "changes a sparse tensor's storage; no out-of-place twin",
    "set_": "rebinds the tensor to another storage; no out-of-place twin",
}
RANDOM_FILL_REASON = "random fill: no out-of-place twin draws the same numbers"

# Methods that end in "_" (or are related) but never write tensor data: the version counter stays put.
NON_WRITES = {
    "requires_grad_": "sets the autograd flag",
    "share_memory_": "moves the storage to shared memory, values unchanged",
    "detach_": "cuts the tensor from the graph, values unchanged",
    "retain_grad": "keeps .grad of a non-leaf",
}

# In-place functions whose twin has another name; each twin is checked to exist in torch.
FUNCTION_TWINS = {"torch.zero_": "torch.zeros_like"}

TENSOR_TYPE = re.compile(r"name='Tensor(List)?'")


@functools.cache
def native_functions() -> tuple[Any, ...]:
    """Return the NativeFunctions of the native_functions.yaml shipped in the torch wheel."""
    native = PACKAGED / "ATen" / "native"
    return tuple(parse_native_yaml(str(native / "native_functions.yaml"), str(native / "tags.yaml")).native_functions)


@functools.cache
def native_overloads() -> frozenset[tuple[str, str]]:
    """Return (name, overload) of every native aten op (TorchScript-only overloads are not native)."""
    return frozenset((str(f.func.name.name), f.func.name.overload_name) for f in native_functions())


def schemas(name: str) -> list[Any]:
    """Return the schemas of the native aten operator ``name``, all overloads."""
    found = torch._C._jit_get_schemas_for_operator(f"aten::{name}")
    return [s for s in found if (name, s.overload_name) in native_overloads()]


def composite_implicit(name: str) -> bool:
    """Tell whether every non-out overload of native op ``name`` decomposes (so has no derivative itself)."""
    overloads = [f for f in native_functions() if str(f.func.name.name) == name and not f.func.is_out_fn()]
    return bool(overloads) and all(f.has_composite_implicit_autograd_kernel for f in overloads)


def writes_first_argument(name: str) -> bool:
    """Tell whether every overload of aten ``name`` writes its first argument."""
    found = schemas(name)
    return bool(found) and all(
        (alias := s.arguments[0].alias_info) is not None and alias.is_write for s in found
    )


def argument_list(schema: Any) -> tuple[tuple[str, str, bool, str], ...]:
    """Describe a schema's arguments but self (not always first: polygamma): name, type, keyword-only, default."""
    kept = (a for a in schema.arguments if a.name != "self")
    return tuple((a.name, str(a.type), a.kwarg_only, repr(a.default_value)) for a in kept)


def same_arguments(inplace: str, twin: str) -> bool:
    """Tell whether every overload of ``inplace`` has an overload of ``twin`` with the same arguments."""
    twin_lists = {argument_list(s) for s in schemas(twin)}
    return bool(twin_lists) and bool(schemas(inplace)) and all(argument_list(s) in twin_lists for s in schemas(inplace))


def parameters(name: str) -> list[str]:
    """Return the argument names after self of aten ``name``, over all overloads, in order."""
    names = [a.name for s in schemas(name) for a in s.arguments[1:]]
    return list(dict.fromkeys(names))


def defaults(name: str) -> dict[str, str]:
    """Return the Python source of each defaulted argument of aten ``name``."""
    return {
        a.name: repr(a.default_value)
        for s in schemas(name)
        for a in s.arguments[1:]
        if a.has_default_value()
    }


def is_random(name: str) -> bool:
    """Tell whether an overload of aten ``name`` draws from a Generator."""
    return any("Generator" in str(a.type) for s in schemas(name) for a in s.arguments)


def is_c_method(name: str) -> bool:
    """Tell whether torch.Tensor has a C-bound method ``name`` (not a property or Python override)."""
    return inspect.ismethoddescriptor(getattr(torch.Tensor, name, None))


def public_inplace_methods() -> list[str]:
    """Return every public torch.Tensor method whose name ends in "_"."""
    return sorted(n for n in dir(torch.Tensor) if n.endswith("_") and not n.startswith("_"))


def special(name: str, template: str) -> dict[str, Any]:
    """Build a special entry, checking the template names only self and the method's arguments."""
    params = parameters(name)
    used = set(re.findall(r"{(\w+)}", template))
    if not used <= {"self", *params}:
        raise ValueError(f"template of {name} uses unknown names {sorted(used - {'self', *params})}")
    entry = {"kind": "special", "params": params, "template": template}
    return entry | ({"defaults": found} if (found := defaults(name)) else {})


def bool_result_template(name: str) -> str:
    """Build the template that casts a bool-returning twin back to self's dtype."""
    args = ", ".join(f"{{{p}}}" for p in parameters(name))
    return f"{{self}}.{name[:-1]}({args}).to({{self}}.dtype)"


def classify_method(name: str) -> dict[str, Any]:
    """Classify one in-place Tensor method, refusing to guess on a method nobody has decided."""
    twin = name[:-1]
    if name in SPECIAL_TEMPLATES:
        return special(name, SPECIAL_TEMPLATES[name])
    if is_random(name):
        return {"kind": "display_only", "reason": RANDOM_FILL_REASON}
    if name in DISPLAY_ONLY:
        return {"kind": "display_only", "reason": DISPLAY_ONLY[name]}
    if twin in BOOL_RESULT_TWINS and is_c_method(twin) and same_arguments(name, twin):
        return special(name, bool_result_template(name))
    if is_c_method(twin) and same_arguments(name, twin):
        return {"kind": "same", "twin": twin}
    raise ValueError(f"torch.Tensor.{name}: no twin with the same arguments; classify it by hand")


def check_hand_tables() -> None:
    """Check every hand-written entry against the installed torch."""
    for name in [*SPECIAL_TEMPLATES, *DISPLAY_ONLY, *NON_WRITES]:
        if not hasattr(torch.Tensor, name):
            raise ValueError(f"torch.Tensor has no method {name}")
    for twin in BOOL_RESULT_TWINS:
        probe = getattr(torch.ones(2), twin)(*[torch.ones(2)] * len(parameters(f"{twin}_")))
        if probe.dtype != torch.bool:
            raise ValueError(f"torch.Tensor.{twin} does not return bool")
    for twin in FUNCTION_TWINS.values():
        resolve(twin)


def resolve(qualified: str) -> Any:
    """Return the torch object named ``qualified`` (e.g. "torch.nn.functional.relu")."""
    obj: Any = torch
    for part in qualified.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def inplace_methods() -> dict[str, dict[str, Any]]:
    """Classify every public in-place Tensor method that writes data."""
    return {n: classify_method(n) for n in public_inplace_methods() if n not in NON_WRITES}


def non_writes() -> list[str]:
    """List the method names that never write data: the hand list plus nn.Module's "_" methods."""
    module_methods = [n for n in dir(torch.nn.Module) if n.endswith("_") and not n.startswith("_")]
    return sorted({*NON_WRITES, *module_methods})


def python_parameters(func: Any) -> list[str]:
    """Return a Python function's parameter names after the first, without ``inplace``."""
    names = list(inspect.signature(func).parameters)[1:]
    return [n for n in names if n != "inplace"]


def function_twin(module: str, name: str) -> str | None:
    """Return the out-of-place twin of in-place function ``module.name`` if one accepts its arguments."""
    qualified = f"{module}.{name}"
    if qualified in FUNCTION_TWINS:
        return FUNCTION_TWINS[qualified]
    twin = getattr(resolve(module), name[:-1], None)
    if twin is None:
        return None
    if inspect.isfunction(twin):  # a Python wrapper: its leading parameters must be the op's
        accepted = python_parameters(twin)
        compatible = parameters(name)[: len(accepted)] == accepted
    else:
        compatible = same_arguments(name, name[:-1])
    return f"{module}.{name[:-1]}" if compatible else None


def inplace_functions() -> dict[str, str]:
    """Map every public in-place function of torch and torch.nn.functional to its twin."""
    found = {}
    for module in ("torch", "torch.nn.functional"):
        namespace = resolve(module)
        for name in dir(namespace):
            public = name.endswith("_") and not name.startswith("_") and callable(getattr(namespace, name))
            if not public or name in NON_WRITES or not writes_first_argument(name):
                continue
            if (twin := function_twin(module, name)) is not None:
                found[f"{module}.{name}"] = twin
    return found


def init_functions() -> list[str]:
    """List every public function defined in torch.nn.init."""
    return sorted(
        f"torch.nn.init.{n}"
        for n, f in inspect.getmembers(torch.nn.init, inspect.isfunction)
        if not n.startswith("_") and f.__module__ == "torch.nn.init"
    )


def inplace_index(func: Any, skip: int) -> int | None:
    """Return the positional index of ``func``'s ``inplace`` parameter after ``skip`` leading ones."""
    params = list(inspect.signature(func).parameters.values())[skip:]
    for index, param in enumerate(params):
        if param.name == "inplace":
            if param.kind is not param.POSITIONAL_OR_KEYWORD:
                raise ValueError(f"{func.__qualname__}: inplace is not positional")
            return index
    return None


def inplace_callables() -> Iterator[tuple[str, Any, int]]:
    """Yield (qualified name, callable, leading parameters to skip) for nn modules and functionals."""
    for name, cls in inspect.getmembers(torch.nn, inspect.isclass):
        if issubclass(cls, torch.nn.Module):
            yield f"torch.nn.{name}", cls.__init__, 1
    for name, func in inspect.getmembers(torch.nn.functional, inspect.isfunction):
        if not name.startswith("_"):
            yield f"torch.nn.functional.{name}", func, 0


def inplace_params() -> dict[str, int]:
    """Map every nn module class and functional with an ``inplace`` parameter to its index."""
    found = {}
    for qualified, func, skip in inplace_callables():
        if (index := inplace_index(func, skip)) is not None:
            found[qualified] = index
    return found


def differentiability_infos() -> Iterable[Any]:
    """Load every DifferentiabilityInfo of torch's derivatives.yaml through torchgen's own loader."""
    native = PACKAGED / "ATen" / "native"
    infos, _ = load_derivatives(
        str(PACKAGED / "autograd" / "derivatives.yaml"),
        str(native / "native_functions.yaml"),
        str(native / "tags.yaml"),
    )
    # Only the dense (Default) formulas: nested and sparse tensors save what dense ones don't (sum saves self).
    return (by_dispatch.get("Default", next(iter(by_dispatch.values()))) for by_dispatch in infos.values())


def saves() -> dict[str, dict[str, Any]]:
    """Tell, per op (overloads and dispatch keys merged by union), what backward saves, and the
    tensor arguments of its overloads in schema order (to match positional arguments)."""
    found: dict[str, dict[str, Any]] = {}
    for info in differentiability_infos():
        args = [a.name for a in info.func.func.arguments.flat_all if a.type.is_tensor_like()]
        inputs = {s.nctype.name for s in info.all_saved_inputs} & set(args)
        # Only output 0 counts: batch_norm's saved mean and max_pool's indices leave the result free.
        first = {"result", "result0", info.func.func.returns[0].name}
        result = any(s.nctype.name in first and TENSOR_TYPE.search(str(s.nctype.type)) for s in info.all_saved_outputs)
        entry = found.setdefault(info.name, {"result": False, "inputs": [], "args": []})
        entry["result"] = entry["result"] or result
        entry["inputs"] = sorted({*entry["inputs"], *inputs})
        entry["args"] += [a for a in args if a not in entry["args"]]
    return found


def method_op(method: str, ops: set[str]) -> str | None:
    """Return the derivatives.yaml op of a Tensor method: its own name, or "_" + it when it decomposes."""
    if method in ops:
        return method
    if f"_{method}" in ops and composite_implicit(method):
        return f"_{method}"  # softmax -> _softmax: the composite op calls its underscored twin
    return None


def tensor_method_ops(ops: Iterable[str]) -> dict[str, str]:
    """Map each public Tensor method to the derivatives.yaml op it runs."""
    known = set(ops)
    methods = (n for n in dir(torch.Tensor) if not n.startswith("_") and callable(getattr(torch.Tensor, n)))
    found = {m: method_op(m, known) for m in methods if not m.endswith("_")}
    return {m: op for m, op in found.items() if op is not None}


def build() -> dict[str, Any]:
    """Build the whole table from the installed torch."""
    check_hand_tables()
    saved = saves()
    return {
        "torch_version": torch.__version__.split("+")[0],
        "inplace_methods": inplace_methods(),
        "non_writes": non_writes(),
        "inplace_functions": inplace_functions(),
        "init_functions": init_functions(),
        "inplace_params": inplace_params(),
        "saves": saved,
        "tensor_method_ops": tensor_method_ops(saved),
    }


def render() -> str:
    """Render the table as the deterministic text of the committed file."""
    return json.dumps(build(), sort_keys=True, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the table, or with ``--check`` return 1 when the committed file is stale."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file differs")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run python scripts/gen_torch_tables.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
