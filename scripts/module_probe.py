"""Build every torch.nn module class on sample inputs and record, by running backward, what it saves and writes."""

from __future__ import annotations

import contextlib
import inspect
import io
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch_probe

Spec = tuple[str, Any]  # one input: ("float", shape), ("data", shape) never requiring grad (a target),
# ("long", shape) of zeros (indices, classes), or ("fixed", tensor) cloned
Inputs = tuple[Spec, ...]
Constructor = tuple[tuple[Any, ...], dict[str, Any]]


def call(*args: Any, **kwargs: Any) -> Constructor:
    """Return constructor arguments as written in a call."""
    return args, kwargs


def floats(*shapes: tuple[int, ...]) -> Inputs:
    """Return float inputs of these shapes, each a clone of a leaf that requires grad."""
    return tuple(("float", s) for s in shapes)


# Module classes that only hold other modules or parameters: they save what the modules they hold save.
CONTAINERS = frozenset({"Module", "Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
                        "ParameterDict"})
# Classes listed unknown without running: what they save is another module's.
WRAPPERS = {"DataParallel": "wraps another module: it saves what that module saves"}
SHAPES = ((2, 4, 4, 4, 4), (2, 4, 8, 8), (2, 4, 4), (2, 4))  # highest rank first: batched, not unbatched, inputs
# Constructor arguments tried in order: sizes of 4 (features, channels, embedding), a kernel of 3, 2 heads or
# groups, cutoffs (AdaptiveLogSoftmaxWithLoss), two floats (Threshold), padding and value, a norm and a kernel
# (LPPool), a dim and sizes (Unflatten), a scale (Upsample), a ratio (FractionalMaxPool).
CONSTRUCTORS = (
    call(), call(4), call(4, 4), call(4, 2), call(2), call(4, 4, 3), call(2, 4), call(4, 4, [2]), call(0.5, 0.5),
    call(1, 0.5), call(2.0, 2), call(1, (2, 2)), call(scale_factor=2.0), call(2, output_ratio=0.5),
)
# Inputs tried in order: one tensor, class targets (N, d...) for an (N, C, d...) input, an indices tensor
# (Embedding), two alike (distances, bilinear, losses: the target with or without grad), a target of
# indices of the input's shape, three alike (attention, triplets), and two inputs with an (N,) target.
INPUTS: tuple[Inputs, ...] = (
    *(floats(s) for s in SHAPES),
    *((("float", s), ("long", (s[0], *s[2:]))) for s in SHAPES[1:]),
    (("long", (2, 4)),),
    *(floats(s, s) for s in SHAPES),
    *((("float", s), ("data", s)) for s in SHAPES),
    (("float", (2, 4)), ("long", (2, 4))),
    *(floats(s, s, s) for s in SHAPES[2:]),
    (*floats((2, 4), (2, 4)), ("data", (2,))),
)


@dataclass(frozen=True, slots=True)
class Submodule:
    """A module built afresh for each constructor call that takes one (TransformerEncoder's layer)."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def __call__(self) -> torch.nn.Module:
        """Build the module."""
        return getattr(torch.nn, self.name)(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        """Show the constructor call."""
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(shown)})"


def _unpool_inputs(rank: int) -> Inputs:
    """Inputs of MaxUnpoolNd(2): a pooled tensor and the indices a MaxPoolNd(2) gave it."""
    pool = getattr(torch.nn.functional, f"max_pool{rank}d")
    pooled, indices = pool(torch.rand(2, 4, *[4] * rank), 2, return_indices=True)
    return ("float", tuple(pooled.shape)), ("fixed", indices)


LAYER = {"dim_feedforward": 8}
# Classes the candidates above cannot build or feed, each with the one setup it is run with.
RECIPES: dict[str, tuple[Constructor, Inputs]] = {
    "Fold": (call((2, 9), 2), floats((2, 4, 8))),
    **{f"MaxUnpool{n}d": (call(2), _unpool_inputs(n)) for n in (1, 2, 3)},
    "CTCLoss": (call(), (("float", (8, 2, 4)), ("fixed", torch.ones(2, 3, dtype=torch.long)),
                         ("fixed", torch.tensor([8, 8])), ("fixed", torch.tensor([3, 3])))),
    "Transformer": (call(4, 2, num_encoder_layers=1, num_decoder_layers=1, **LAYER), floats((2, 4, 4), (2, 4, 4))),
    "TransformerEncoder": (call(Submodule("TransformerEncoderLayer", (4, 2), LAYER), 1), floats((2, 4, 4))),
    "TransformerDecoder": (call(Submodule("TransformerDecoderLayer", (4, 2), LAYER), 1),
                           floats((2, 4, 4), (2, 4, 4))),
    "RNNBase": (call("LSTM", 4, 4), floats((2, 4))),  # abstract: no forward
    "RNNCellBase": (call(4, 4, True, 1), floats((2, 4))),  # abstract: no forward
}
WRITE_FAILURE = "modified by an inplace operation"


@dataclass(frozen=True, slots=True)
class Setup:
    """A way to build and call one module class: constructor arguments and input specs."""

    cls: type[torch.nn.Module]
    constructor: Constructor
    inputs: Inputs

    def build(self, training: bool, **extra: Any) -> torch.nn.Module:
        """Build a fresh module in train or eval mode (seeded: dropout and RReLU draw the same numbers)."""
        torch.manual_seed(0)
        args, kwargs = self.constructor
        module = self.cls(*(a() if isinstance(a, Submodule) else a for a in args), **kwargs, **extra)
        return module.train(training)

    def tensors(self, grad: bool) -> list[torch.Tensor]:
        """Return fresh inputs: float ones are clones of leaves that require grad when ``grad``."""
        torch.manual_seed(1)
        found = []
        for kind, value in self.inputs:
            if kind in ("float", "data"):  # in (0.1, 0.9): probabilities, variances, logs
                found.append((torch.rand(value) * 0.8 + 0.1).requires_grad_(grad and kind == "float").clone())
            elif kind == "long":
                found.append(torch.zeros(value, dtype=torch.long))
            else:
                found.append(value.clone())
        return found

    def describe(self) -> dict[str, Any]:
        """Describe the setup for the table: the constructor call and the input shapes and dtypes."""
        args, kwargs = self.constructor
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        inputs = [f"{kind}{tuple(value.shape) if kind == 'fixed' else value}" for kind, value in self.inputs]
        return {"constructed": f"{self.cls.__name__}({', '.join(shown)})", "inputs": inputs}


def tensors_of(result: Any) -> list[torch.Tensor]:
    """Return the tensors of a module's result, depth first (LSTM: output, then h and c)."""
    if isinstance(result, torch.Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in tensors_of(item)]
    return []


def backward(result: Any) -> None:
    """Run backward from the sum of every result tensor that requires grad."""
    torch.stack([t.sum() for t in tensors_of(result) if t.requires_grad and t.is_floating_point()]).sum().backward()


def breaks_backward(setup: Setup, training: bool, write: Callable[[list[torch.Tensor], Any], None],
                    grad: bool = True, **extra: Any) -> bool:
    """Tell whether writing in place (with ``write(inputs, result)``) after the call makes backward raise."""
    inputs = setup.tensors(grad)
    result = setup.build(training, **extra)(*inputs)
    with torch.no_grad():  # the write itself is allowed; only what backward finds afterwards counts
        write(inputs, result)
    try:
        backward(result)
    except RuntimeError as error:
        if WRITE_FAILURE in str(error):
            return True
        raise
    return False


def write_input(index: int) -> Callable[[list[torch.Tensor], Any], None]:
    """Return a write of input ``index`` that bumps its version and keeps its values."""
    return lambda inputs, _: inputs[index].mul_(1)


def write_output(inputs: list[torch.Tensor], result: Any) -> None:
    """Write the first output tensor in place, keeping its values."""
    tensors_of(result)[0].mul_(1)


def trainable(setup: Setup) -> bool:
    """Tell whether the module has parameters that require grad."""
    return any(p.requires_grad for p in setup.build(True).parameters())


def writes_input(setup: Setup, training: bool, **extra: Any) -> bool:
    """Tell whether calling the module bumps the version of one of its inputs."""
    inputs = setup.tensors(grad=True)
    before = [t._version for t in inputs]
    setup.build(training, **extra)(*inputs)
    return [t._version for t in inputs] != before


def output_is_input_view(setup: Setup, training: bool) -> bool:
    """Tell whether the first output shares memory with the first input."""
    inputs = setup.tensors(grad=True)
    first = tensors_of(setup.build(training)(*inputs))[0]
    return torch_probe.overlaps(torch_probe.memory(first), torch_probe.memory(inputs[0]))


def measure(setup: Setup, training: bool) -> dict[str, Any]:
    """Record what the module saves and writes in one mode."""
    positions = range(len(setup.inputs))
    weights = trainable(setup)
    has_inplace = "inplace" in inspect.signature(setup.cls.__init__).parameters
    return {
        "saved_inputs": [i for i in positions if breaks_backward(setup, training, write_input(i))],
        "saved_inputs_for_weight": [
            i for i in positions if weights and breaks_backward(setup, training, write_input(i), grad=False)],
        "saves_output": breaks_backward(setup, training, write_output),
        "writes_input": writes_input(setup, training),
        "inplace_writes_input": writes_input(setup, training, inplace=True) if has_inplace else None,
        "inplace_saves_output": breaks_backward(setup, training, write_output, inplace=True) if has_inplace else None,
        "output_is_input_view": output_is_input_view(setup, training),
    }


def setups(name: str, cls: type[torch.nn.Module]) -> Iterator[Setup]:
    """Yield the candidate setups of a class, inputs first: its recipe, else every input with every constructor."""
    if name in RECIPES:
        yield Setup(cls, *RECIPES[name])
        return
    for specs in INPUTS:
        for constructor in CONSTRUCTORS:
            yield Setup(cls, constructor, specs)


def first_setup(name: str, cls: type[torch.nn.Module]) -> tuple[Setup | None, str]:
    """Return the first setup that runs forward and backward in train mode without a warning (else the first
    that runs with one: a deprecated class), or None and why none ran."""
    fallback, refused = None, set()  # constructors the class refused, by identity (they hold dicts)
    built_error, run_error = "no constructor arguments fit", ""
    for setup in setups(name, cls):
        if id(setup.constructor) in refused:
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                module = setup.build(True)
            except Exception as failure:  # noqa: BLE001 - the class refuses these arguments: try the next
                refused.add(id(setup.constructor))
                built_error = f"cannot be built: {type(failure).__name__}: {failure}"
                continue
            try:
                backward(module(*setup.tensors(grad=True)))
            except Exception as failure:  # noqa: BLE001 - these inputs do not fit: try the next
                run_error = f"no sample input runs forward and backward: {type(failure).__name__}: {failure}"
                continue
        if not caught:  # Softmax() warns of an implicit dim, Dropout2d of a 3D input: another setup fits better
            return setup, ""
        fallback = fallback or setup
    return fallback, run_error or built_error


def module_classes() -> list[tuple[str, type[torch.nn.Module]]]:
    """Return (name, class) of every torch.nn module class but the containers."""
    return [(n, c) for n, c in inspect.getmembers(torch.nn, inspect.isclass)
            if issubclass(c, torch.nn.Module) and n not in CONTAINERS]


def probe_class(name: str, cls: type[torch.nn.Module]) -> tuple[dict[str, Any] | None, str | None]:
    """Return a class's entry, or None and why it could not be probed."""
    if name in WRAPPERS:
        return None, WRAPPERS[name]
    setup, error = first_setup(name, cls)
    if setup is None:
        return None, error.splitlines()[0][:200]
    try:
        train = measure(setup, training=True)
        evaluated = measure(setup, training=False)
    except Exception as failure:  # noqa: BLE001 - a setup that runs but cannot be measured is unknown
        return None, f"{setup.describe()['constructed']} runs but cannot be measured: {failure}"[:200]
    entry = {"module": f"{cls.__module__}.{cls.__qualname__}", **setup.describe(), **train}
    return entry | ({"eval": evaluated} if evaluated != train else {}), None


def probe_modules() -> dict[str, dict[str, Any]]:
    """Probe every torch.nn module class, quietly, on one thread: the saves table and the unknown ones."""
    saves, unknown = {}, {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a thread pool only adds its start-up
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            for name, cls in module_classes():
                entry, reason = probe_class(name, cls)
                qualified = f"torch.nn.{name}"
                if entry is None:
                    unknown[qualified] = {"module": f"{cls.__module__}.{cls.__qualname__}", "reason": reason}
                else:
                    saves[qualified] = entry
    finally:
        torch.set_num_threads(threads)
    return {"saves": saves, "unknown": unknown}
