"""Generate fixer/data/torch_tables.json from the installed torch: its schemas, its derivatives, and probes that
run its callables on sample tensors (``--check`` compares instead)."""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import pathlib
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import torch
import torch.distributions
import torch.fft
import torch.functional
import torch.linalg
import torch.nn.functional
import torch.nn.init
import torch.nn.utils
import torch.optim
import torch.special
import torch.utils.data
import torchgen
from torchgen.gen import parse_native_yaml
from torchgen.packaged.autograd.load_derivatives import load_derivatives

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import module_probe  # noqa: E402 - a sibling module of this script
import torch_probe  # noqa: E402 - a sibling module of this script

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


# Namespaces whose functions may return a view of an argument, and the aten prefix of their ops.
VIEW_NAMESPACES = ("torch", "torch.functional", "torch.nn.functional", "torch.linalg", "torch.fft", "torch.special")
# Namespaces whose callables are sorted into those that may keep an argument and those proven not to.
HOLDER_NAMESPACES = (*VIEW_NAMESPACES, "torch.nn", "torch.nn.init", "torch.nn.utils", "torch.optim",
                     "torch.utils.data", "torch.distributions")
# Callables never probed: they change process-wide state, touch files, compile, or take callables.
NOT_PROBED = re.compile(
    r"^(set_|use_|manual_seed$|seed$|save$|load$|from_file$|compile$|vmap$|cond$|while_loop$|fork$|wait$|"
    r"autocast|import_ir_module|enable_grad$|no_grad$|inference_mode$|get_rng_state$|"
    r"lobpcg$|"  # an iterative solver: half the probe's time on tiny samples, for one rarely used function
    # Kernels that trust their arguments (bad ones corrupt the heap): RNNs, native_, backend-specific ops.
    r"lstm$|gru$|rnn_tanh$|rnn_relu$|native_|batch_norm_|cudnn_|miopen_|mkldnn_|fbgemm_|quantized_)"
)
# Tensor methods about autograd hooks and gradients: they attach state to the tensor, whatever they return.
HOOK_METHODS = re.compile(r"hook|^retain_grad$|^backward$|^requires_grad_$")
# Hand-written trials for callables the automatic arguments cannot call or vary enough (sample -> trials):
# arrays in, a dtype that forces a copy, an equation first, fractions for lengths, a batch list, a
# transposed convolution's weight, probabilities.
_r, _const, _like = torch_probe.RECEIVER, torch_probe.constant, torch_probe.fresh_like


def _as_tensor_trials(sample: torch_probe.Sample) -> list[torch_probe.Trial]:
    """Trials of as_tensor/asarray: a dtype that keeps the receiver, one that copies it, a numpy array."""
    return [((_r,), {"dtype": _const(d)}) for d in (torch.float32, torch.float64)] + [((lambda r: r.numpy(),), {})]


def _transposed_conv_trials(sample: torch_probe.Sample) -> list[torch_probe.Trial]:
    """Trials of conv_transpose1d/2d/3d: weight (in_channels, out_channels, 1, ...)."""
    weight = lambda r: torch.rand(r.shape[1], 2, *[1] * (r.dim() - 2))  # noqa: E731
    return [((_r, weight), {})] if sample.base.dim() > 2 else []


FUNCTION_RECIPES: dict[str, Any] = {
    "torch.as_tensor": _as_tensor_trials,
    "torch.asarray": _as_tensor_trials,
    "torch.from_numpy": lambda s: [((lambda r: r.numpy(),), {})],
    "torch.view_as_complex": lambda s: [((lambda r: torch.rand(*s.shape[:-1], 2),), {})],
    "torch.einsum": lambda s: [((_const("...ij->...ji"), _r), {}), ((_const("...i,...i->..."), _r, _like(s)), {})],
    "torch.functional.einsum": lambda s: FUNCTION_RECIPES["torch.einsum"](s),
    "torch.utils.data.random_split": lambda s: [((_r, _const([0.5, 0.5])), {})],
    "torch.utils.data.default_collate": lambda s: [((lambda r: [r, r.clone()],), {})],
    "torch.nn.functional.binary_cross_entropy": lambda s: [((lambda r: r.sigmoid(), lambda r: torch.rand(r.shape)), {})],
    **{f"{m}.conv_transpose{n}d": _transposed_conv_trials for m in ("torch", "torch.nn.functional") for n in (1, 2, 3)},
}
METHOD_RECIPES: dict[str, Any] = {}
# Schema views the probe cannot run here, left out of the view table (so treated as unknown, may keep).
UNJUDGED_VIEWS = {"pin_memory": "needs an accelerator"}
# Views the CPU-only probe sees as always sharing that copy on another device.
DEVICE_VIEWS = {"cpu": "returns self for a CPU tensor, a copy of a tensor on another device"}


def public_tensor_methods() -> list[str]:
    """Return every public out-of-place torch.Tensor method (in-place ones return their receiver)."""
    return sorted(
        n for n in dir(torch.Tensor)
        if not n.startswith("_") and not n.endswith("_") and callable(getattr(torch.Tensor, n))
    )


def tensor_attributes() -> list[str]:
    """Return every public data descriptor of torch.Tensor (T, mT, real, data, grad, shape, ...)."""
    return sorted(n for n in dir(torch.Tensor) if not n.startswith("_") and not callable(getattr(torch.Tensor, n)))


def namespace_callables(module: str) -> Iterator[tuple[str, str, Any]]:
    """Yield (qualified name, name, object) of the public callables of ``module``."""
    namespace = resolve(module)
    for name in sorted(dir(namespace)):
        obj = getattr(namespace, name)
        if not name.startswith("_") and callable(obj) and not inspect.ismodule(obj):
            yield f"{module}.{name}", name, obj


def schema_name(module: str, name: str) -> str:
    """Return the aten op a namespace function runs (torch.linalg.norm runs aten::linalg_norm)."""
    return torch_probe.SCHEMA_PREFIX.get(module, "") + name


@functools.cache
def method_tallies() -> dict[str, torch_probe.Tally]:
    """Probe every public out-of-place Tensor method on the sample receivers."""
    return {
        name: torch_probe.probe(getattr(torch.Tensor, name), torch_probe.trials_for(
            getattr(torch.Tensor, name), schemas(name), method=True, recipes=METHOD_RECIPES.get(name)), method=True)
        for name in public_tensor_methods()
    }


@functools.cache
def function_tallies() -> dict[str, torch_probe.Tally]:
    """Probe every public function of the namespaces (classes are never probed: they all may keep)."""
    found = {}
    for module in HOLDER_NAMESPACES:
        for qualified, name, obj in namespace_callables(module):
            if inspect.isclass(obj) or NOT_PROBED.match(name) or name.endswith("_") or qualified in found:
                continue
            trials = torch_probe.trials_for(obj, schemas(schema_name(module, name)), method=False,
                                            recipes=FUNCTION_RECIPES.get(qualified))
            found[qualified] = torch_probe.guarded(qualified, obj, trials)
    return found


def schema_views() -> list[str]:
    """List the public aten ops whose schema lets the result alias an input (``Tensor(a) self -> Tensor(a)``)."""
    found = set()
    for f in native_functions():
        inputs = {a for arg in f.func.arguments.flat_all if arg.annotation and not arg.annotation.is_write
                  for a in arg.annotation.alias_set}
        outputs = {a for r in f.func.returns if r.annotation and not r.annotation.is_write for a in r.annotation.alias_set}
        if inputs & outputs and not f.func.is_out_fn() and not str(f.func.name.name).startswith("_"):
            found.add(str(f.func.name.name))
    return sorted(found)


def check_views_judged(methods: dict[str, torch_probe.Tally], functions: dict[str, torch_probe.Tally]) -> None:
    """Refuse a table in which a callable torch's schemas call a view was never run: give it a recipe."""
    for name in schema_views():
        tallies = [methods.get(name), functions.get(f"torch.{name}")]
        tried = [t for t in tallies if t is not None]
        if name not in UNJUDGED_VIEWS and any(t.calls + t.sparse_calls == 0 for t in tried):
            raise ValueError(f"{name}: torch's schema says it may return a view, no probe call succeeded")


def view_entry(tally: torch_probe.Tally, method: str | None = None) -> dict[str, Any] | None:
    """Return a table entry from a tally, with device views marked "maybe"."""
    verdict = tally.view()
    if verdict is not None and method in DEVICE_VIEWS:
        if verdict["kind"] != "view":
            raise ValueError(f"torch.Tensor.{method} no longer always shares on CPU: drop it from DEVICE_VIEWS")
        verdict["kind"] = "maybe"
    return verdict


def views() -> dict[str, dict[str, dict[str, Any]]]:
    """Tell which methods, attributes and functions return memory shared with an input, by running them."""
    check_views_judged(method_tallies(), function_tallies())
    methods = {}
    for name, tally in method_tallies().items():
        if (verdict := view_entry(tally, name)) is not None:
            methods[name] = verdict
    functions = {
        qualified: verdict
        for qualified, tally in function_tallies().items()
        if qualified.rsplit(".", 1)[0] in VIEW_NAMESPACES and (verdict := view_entry(tally)) is not None
    }
    attributes = {}
    for name in tensor_attributes():
        verdict = torch_probe.probe_attribute(name).view()
        if verdict is not None:
            attributes[name] = verdict
    for name in DEVICE_VIEWS:
        if name not in methods:
            raise ValueError(f"torch.Tensor.{name} is no view at all: drop it from DEVICE_VIEWS")
    return {"methods": methods, "attributes": attributes, "functions": functions}


def retains() -> list[str]:
    """List the callables that may keep a tensor argument: every class, and functions seen keeping one or
    returning its memory."""
    classes = [q for m in HOLDER_NAMESPACES for q, _, obj in namespace_callables(m) if inspect.isclass(obj)]
    kept = [q for q, t in function_tallies().items() if t.kept or t.view() is not None]
    return sorted({*classes, *kept})


def pure_functions() -> list[str]:
    """List the functions proven by running to return fresh memory (or no tensor) and keep no argument."""
    return sorted(q for q, t in function_tallies().items() if t.pure())


def pure_methods() -> list[str]:
    """List the Tensor methods proven by running to return fresh memory (or no tensor) and keep nothing."""
    return sorted(n for n, t in method_tallies().items() if t.pure() and not HOOK_METHODS.search(n))


@functools.cache
def modules() -> dict[str, dict[str, Any]]:
    """Run every torch.nn module class, once per process: what each saves and writes, and the unknown ones."""
    return module_probe.probe_modules()


def composite_saves(saved: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What the public `torch.nn.functional` functions with no derivatives.yaml entry of their own
    save (composites such as `normalize`, `softsign`), found by running each on a tensor that
    requires grad under `saved_tensors_hooks`: whether a saved tensor shares the input's storage
    (a view of it counts: writing the input bumps its version) or the output's."""
    found: dict[str, dict[str, Any]] = {}
    for qualified, name, obj in namespace_callables("torch.nn.functional"):
        if inspect.isclass(obj) or name.endswith("_") or name in saved:
            continue
        try:
            params = list(inspect.signature(obj).parameters)
        except (TypeError, ValueError):
            continue
        x = torch.randn(2, 3, 4, requires_grad=True)
        packed: list[torch.Tensor] = []
        try:
            with warnings.catch_warnings(), torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t, lambda t: t):
                warnings.simplefilter("ignore")
                out = obj(x)
        except Exception:  # noqa: BLE001 -- a function that needs more than one tensor is not probed this way
            continue
        if not isinstance(out, torch.Tensor) or out.grad_fn is None or not params:
            continue
        storage = lambda t: t.untyped_storage().data_ptr()  # noqa: E731
        found[name] = {
            "args": [params[0]],
            "inputs": [params[0]] if any(storage(t) == storage(x) for t in packed) else [],
            "result": any(storage(t) == storage(out) for t in packed),
        }
    return found


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
        "saves": {**composite_saves(saved), **saved},
        "tensor_method_ops": tensor_method_ops(saved),
        "views": views(),
        "retains": retains(),
        "pure_functions": pure_functions(),
        "pure_methods": pure_methods(),
        "modules": modules(),
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
