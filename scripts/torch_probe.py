"""Call torch callables on sample tensors and record what their results share and what they keep alive."""

from __future__ import annotations

import contextlib
import functools
import gc
import inspect
import io
import math
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy
import torch

OMIT = object()  # a defaulted argument left to its default
Factory = Callable[[torch.Tensor], Any]  # builds one argument, given the call's receiver
Trial = tuple[tuple[Factory, ...], dict[str, Factory]]  # fresh positional and keyword arguments
DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
          torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128)
SCHEMA_PREFIX = {"torch.linalg": "linalg_", "torch.fft": "fft_", "torch.special": "special_"}


@dataclass(frozen=True, slots=True)
class Sample:
    """A kind of receiver: each call gets a fresh copy of ``base`` (strides kept), passed through ``finish``."""

    name: str
    base: torch.Tensor
    finish: Callable[[torch.Tensor], torch.Tensor] | None = None  # bits a copy loses (conjugate, negative)

    @property
    def shape(self) -> tuple[int, ...]:
        """The receivers' shape."""
        return tuple(self.base.shape)

    @property
    def dtype(self) -> torch.dtype:
        """The receivers' dtype."""
        return self.base.dtype

    @property
    def dense(self) -> bool:
        """Whether the receivers are strided (not sparse)."""
        return self.base.layout == torch.strided

    def build(self) -> torch.Tensor:
        """Return a fresh receiver."""
        copy = self.base.clone()
        return copy if self.finish is None else self.finish(copy)


@functools.cache
def samples(shape: tuple[int, int, int] = (2, 3, 4), seed: int = 0) -> tuple[Sample, ...]:
    """Return the sample receivers: layouts (contiguous, permuted, transposed, size-1 dims), ranks 1 to 5,
    square matrices, every dtype, conjugate and negative bits, sparse COO (coalesced or not), CSR and CSC."""
    a, b, c = shape
    gen = torch.Generator().manual_seed(seed)

    def values(size: tuple[int, ...], dtype: torch.dtype = torch.float32) -> torch.Tensor:
        if dtype.is_complex:
            return torch.randn(size, generator=gen, dtype=dtype)
        low = -2 if dtype.is_floating_point else 0  # integers serve as indices: never negative
        return (torch.rand(size, generator=gen) * 4 + low).to(dtype)

    found = [
        Sample("contiguous", values(shape)),
        Sample("permuted", values((c, b, a)).permute(2, 1, 0)),
        Sample("size1", values((a, 1, c))),
        Sample("matrix", values((b, c))),
        Sample("transposed", values((c, b)).t()),
        Sample("vector", values((a * b,))),
        Sample("one", values((1,))),
        Sample("square", values((a, c, c)) + 4 * torch.eye(c)),
        Sample("image", values((a, b, c, c))),
        Sample("volume", values((1, a, b, b, b))),
        Sample("conj", values((b, c), torch.complex64), torch.conj),
        Sample("neg", values((b, c), torch.complex64), lambda t: t.conj().imag),
        Sample("coo", values((b, c)).relu().to_sparse()),
        Sample("uncoalesced", torch.sparse_coo_tensor(torch.tensor([[0, 0], [1, 1]]), values((2,)), (b, c))),
        Sample("csr", values((b, c)).relu().to_sparse_csr()),
        Sample("csc", values((b, c)).relu().to_sparse_csc()),
    ]
    return (*found, *(Sample(str(d), values(shape, d)) for d in DTYPES[1:]))


def memory(obj: Any) -> list[tuple[int, int]]:
    """Return the (address, bytes) ranges of memory an object's values live in, over sequence elements too."""
    if isinstance(obj, torch.Tensor):
        if obj.layout == torch.sparse_coo:
            return memory([obj._indices(), obj._values()])
        if obj.layout in (torch.sparse_csr, torch.sparse_bsr):
            return memory([obj.crow_indices(), obj.col_indices(), obj.values()])
        if obj.layout in (torch.sparse_csc, torch.sparse_bsc):
            return memory([obj.ccol_indices(), obj.row_indices(), obj.values()])
        with contextlib.suppress(RuntimeError, NotImplementedError):
            storage = obj.untyped_storage()
            return [(storage.data_ptr(), storage.nbytes())] if obj.numel() else []
        return []
    if isinstance(obj, numpy.ndarray):
        return [(obj.__array_interface__["data"][0], obj.nbytes)] if obj.size else []
    if isinstance(obj, (torch.UntypedStorage, torch.TypedStorage)):
        return [(obj.data_ptr(), obj.nbytes())] if obj.nbytes() else []
    if isinstance(obj, (tuple, list)):
        return [r for item in obj for r in memory(item)]
    return []


def overlaps(ranges: list[tuple[int, int]], others: list[tuple[int, int]]) -> bool:
    """Tell whether two sets of memory ranges intersect."""
    return any(p < q + m and q < p + n for p, n in ranges for q, m in others)


def judged(result: Any) -> bool:
    """Tell whether a result can be judged: no tensor element is empty (an empty view owns no bytes)."""
    if isinstance(result, torch.Tensor):
        return result.numel() > 0
    if isinstance(result, (tuple, list)):
        return bool(result) and all(judged(item) for item in result)
    return True


ARRAYS = (torch.Tensor, numpy.ndarray)


def tensors_in(values: Any) -> list[Any]:
    """Return the tensors (and numpy arrays) among values, looking one level into lists and tuples."""
    found = []
    for value in values:
        if isinstance(value, ARRAYS):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found += [v for v in value if isinstance(v, ARRAYS)]
    return found


@dataclass(slots=True)
class Tally:
    """What the successful calls of one callable showed (dense receivers and sparse ones apart)."""

    calls: int = 0  # judged calls on dense receivers
    shared: int = 0  # of them, results sharing memory with an input
    sparse_calls: int = 0
    sparse_shared: int = 0
    shared_other: bool = False  # a result shared memory with a tensor other than the first
    multi: bool = False  # a sharing result was a sequence
    kept: bool = False  # an input was held by the result or outlived the call
    writes: int = 0  # calls that wrote an input (in-place calls: `inplace=True`, init functions)
    failures: int = 0

    def view(self) -> dict[str, Any] | None:
        """Return the view verdict, judged on dense receivers (sparse ones only when no dense call worked)."""
        calls, shared = (self.calls, self.shared) if self.calls else (self.sparse_calls, self.sparse_shared)
        if not shared:
            return None
        return {"kind": "view" if shared == calls else "maybe", "multi": self.multi,
                "of": "all" if self.shared_other else "first"}

    def pure(self) -> bool:
        """Tell whether some call succeeded, none wrote an input, and every one returned fresh memory and kept
        nothing (``inplace`` and ``out`` arguments are never passed: those calls are the in-place tables')."""
        return bool(self.calls + self.sparse_calls) and not (
            self.shared or self.sparse_shared or self.kept or self.writes)


def snapshot(tensor: Any) -> tuple[Any, ...]:
    """Return what a write would change: version, metadata and (dense) values."""
    if isinstance(tensor, numpy.ndarray):
        return (0, tensor.dtype, tensor.shape, False, tensor.strides, torch.from_numpy(tensor.copy()))
    meta = (tensor._version, tensor.dtype, tensor.shape, tensor.requires_grad)
    if tensor.layout != torch.strided:
        return meta
    return (*meta, tensor.stride(), tensor.clone().resolve_conj().resolve_neg())


def same(before: tuple[Any, ...], after: tuple[Any, ...]) -> bool:
    """Compare two snapshots, values exactly (NaN equal to NaN)."""
    if before[:-1] != after[:-1] or len(before) != len(after):
        return False
    if len(before) == 4:
        return before[-1] == after[-1]
    old, new = before[-1], after[-1]
    return bool(torch.equal(old, new) or ((old == new) | (old.isnan() & new.isnan())).all())


def run_trial(func: Callable[..., Any], receiver: torch.Tensor, trial: Trial, method: bool,
              tally: Tally) -> list[weakref.ref[torch.Tensor]]:
    """Call ``func`` once on fresh arguments and add what it showed to ``tally``; return weak refs to the
    inputs of a judged call (they must die with it). A call that writes an input is an in-place call, which
    the in-place tables describe: it is counted apart and judged no further."""
    factories, keywords = trial
    try:
        args = [f(receiver) for f in factories]
        kwargs = {k: f(receiver) for k, f in keywords.items()}
    except (RuntimeError, TypeError):  # a hand recipe that does not fit this receiver (numpy of bfloat16)
        return []
    inputs = tensors_in([*args, *kwargs.values()])
    if method:
        args.insert(0, receiver)
        inputs.insert(0, receiver)
    states = [snapshot(t) for t in inputs]
    before = [sys.getrefcount(t) for t in inputs]
    try:
        result = func(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a failed trial says nothing: torch raises every kind of error
        tally.failures += 1
        return []
    held = [sys.getrefcount(t) for t in inputs] != before
    if not all(same(s, snapshot(t)) for s, t in zip(states, inputs, strict=True)):
        tally.writes += 1
        return []
    try:
        out = memory(result) if judged(result) else None
    except (RuntimeError, NotImplementedError):  # a layout whose memory cannot be read cannot be judged
        out = None
    if out is None:
        return []
    shared = [overlaps(out, memory(t)) for t in inputs]  # unwritten inputs: their memory is where it was
    dense = receiver.layout == torch.strided
    tally.calls += dense
    tally.sparse_calls += not dense
    if any(shared):
        tally.shared += dense
        tally.sparse_shared += not dense
        tally.shared_other = tally.shared_other or any(shared[1:])
        tally.multi = tally.multi or isinstance(result, (tuple, list))
    del result
    tally.kept = tally.kept or held or [sys.getrefcount(t) for t in inputs] != before
    return [weakref.ref(t) for t in inputs]


def probe(func: Callable[..., Any], trials: Callable[[Sample], Iterator[Trial]], method: bool,
          shape: tuple[int, int, int] = (2, 3, 4), seed: int = 0) -> Tally:
    """Run every trial on every sample receiver, quietly, and tally the outcomes."""
    tally = Tally()
    torch.manual_seed(seed)  # random ops draw the same numbers at every generation
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a thread pool only adds its start-up, 100x on a busy machine
    collecting = gc.isenabled()
    gc.disable()  # a collection in the middle of a call would change the reference counts compared
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            for sample in samples(shape, seed):
                for trial in trials(sample):
                    refs = run_trial(func, sample.build(), trial, method, tally)
                    if any(r() is not None for r in refs):
                        gc.collect()  # a reference cycle in a dropped result frees only now
                        tally.kept = tally.kept or any(r() is not None for r in refs)
    finally:
        torch.set_num_threads(threads)
        if collecting:
            gc.enable()
    return tally


def fresh_like(sample: Sample, dtype: torch.dtype | None = None) -> Factory:
    """Return a factory of fresh dense tensors with the sample's shape, of its dtype or ``dtype``."""
    proto = (torch.rand(sample.shape) + 0.5).to(dtype or sample.dtype)
    return lambda _: proto.clone()


def constant(value: Any) -> Factory:
    """Return a factory of a constant (fresh lists, so a callee that keeps one keeps only its own)."""
    return (lambda _: list(value)) if isinstance(value, list) else (lambda _: value)


def tensor_choices(name: str, sample: Sample) -> list[Factory]:
    """Return the candidate tensors for an argument named ``name``."""
    last = sample.shape[-1]
    if name in ("index", "indices"):
        return [lambda _: torch.zeros(sample.shape, dtype=torch.long), lambda _: torch.zeros(1, dtype=torch.long)]
    if name == "mask":
        return [lambda _: torch.ones(sample.shape, dtype=torch.bool)]
    if name == "target":  # class indices: (N, d1, ...) for an (N, C, d1, ...) input
        target = (sample.shape[0], *sample.shape[2:])
        return [fresh_like(sample), lambda _: torch.zeros(target, dtype=torch.long)]
    dtype = sample.dtype
    other = torch.float64 if dtype != torch.float64 else torch.float32
    channels = sample.shape[1] if len(sample.shape) > 1 else last
    numel = math.prod(sample.shape)  # same elements, another shape: reshape_as copies a permuted receiver
    return [fresh_like(sample), fresh_like(sample, other), lambda _: torch.rand(last) + 0.5,
            lambda _: torch.rand(last, last) + 0.5, lambda _: torch.tensor(1.5),
            lambda _: torch.rand(channels) + 0.5, lambda _: torch.rand(numel)]


def int_list_choices(name: str, sample: Sample) -> list[Factory]:
    """Return candidate int lists: shapes for sizes, permutations for dims, sections for splits."""
    shape, rank = list(sample.shape), len(sample.shape)
    if name in ("size", "shape", "sizes"):
        return [constant(shape), constant([-1]), constant(shape[::-1]), constant([1] * rank)]
    if name in ("kernel_size", "output_size", "dilation", "padding", "output_padding"):
        return [constant([1] * n) for n in (1, 2, 3)]
    if name in ("dims", "perm"):
        return [constant(list(range(rank))[::-1]), constant(list(range(rank))), constant([1] * rank)]
    if name == "stride":
        return [constant([1] * rank)]
    if name in ("split_size", "split_sizes", "split_size_or_sections"):
        return [constant([shape[0]]), constant([1, shape[0] - 1])]
    return [constant([0]), constant([0, 1]), constant(shape), constant([-1])]


CHOICES: dict[str, list[Any]] = {
    "int": [1, 0, 2, -1], "float": [0.5, 0.0, 2.0], "bool": [False, True], "Scalar": [1, 0.5],
    "ScalarType": [torch.float32, torch.float64, torch.int64, torch.float16],
    "Layout": [torch.strided], "Device": ["cpu"], "MemoryFormat": [torch.contiguous_format, torch.preserve_format],
    "str": ["sum", "mean", "none", "floor", "reflect"], "float[]": [[0.5]], "bool[]": [[True]],
}


def schema_type(arg: Any) -> tuple[str, bool]:
    """Return a schema argument's type as ``int``, ``int[]``, ``Tensor[]``, ``ScalarType``... and whether
    it is optional."""
    text = str(arg.real_type).replace("SymInt", "int").replace("number", "Scalar")
    optional = text.startswith("Optional[")
    text = text.removeprefix("Optional[").removesuffix("]") if optional else text
    if text.startswith("List["):
        text = text.removeprefix("List[").removesuffix("]").removeprefix("Optional[").removesuffix("]") + "[]"
    return text, optional


def choices(type_name: str, optional: bool, name: str, sample: Sample) -> list[Factory]:
    """Return the candidate values of a schema argument (base first), or [] when none can be built."""
    if type_name == "Tensor":
        found = tensor_choices(name, sample)
    elif type_name == "Tensor[]":
        found = [lambda r: [fresh_like(sample)(r), fresh_like(sample)(r)]]
    elif type_name == "int[]":
        found = int_list_choices(name, sample)
    else:
        found = [constant(v) for v in CHOICES.get(type_name, [])]
    return ([constant(None)] if optional else []) + found if found or optional else []


def varied(params: list[tuple[str, bool, bool, list[Any]]]) -> Iterator[Trial]:
    """Yield the base trial, then one per other choice of one parameter (the others at their base).

    ``params``: (name, keyword-only, has-default, choices); a defaulted parameter's base is OMIT, and one
    without choices stays OMIT.
    """
    bases = [OMIT if default else opts[0] for _, _, default, opts in params]
    yield build_trial(params, bases)
    for index, (_, _, default, opts) in enumerate(params):
        for option in opts[0 if default else 1:]:
            yield build_trial(params, [*bases[:index], option, *bases[index + 1:]])


def build_trial(params: list[tuple[str, bool, bool, list[Any]]], values: list[Any]) -> Trial:
    """Pass values positionally until a keyword-only or an omitted one, then by keyword (``*rest`` only positionally)."""
    args: list[Factory] = []
    kwargs: dict[str, Factory] = {}
    by_keyword = False
    for (name, kw_only, _, _), value in zip(params, values, strict=True):
        if value is OMIT:
            by_keyword = True
        elif not (kw_only or by_keyword):
            args.append(value)
        elif not name.startswith("*"):
            kwargs[name] = value
    return tuple(args), kwargs


SKIPPED = frozenset({"out", "inplace", "self"})


def schema_trials(schemas: list[Any], sample: Sample, method: bool, receiver: Factory) -> Iterator[Trial]:
    """Yield the trials of every schema whose arguments can all be built, the receiver as first tensor
    (or in the first tensor list)."""
    for schema in schemas:
        params, needs_receiver, ok = [], not method, True
        for arg in schema.arguments:
            if arg.name in SKIPPED and (method or arg.name != "self"):
                if arg.name != "self":  # never passed, but what follows goes by keyword
                    params.append((arg.name, True, True, []))
                continue
            type_name, optional = schema_type(arg)
            if needs_receiver and type_name in ("Tensor", "Tensor[]"):
                first = receiver if type_name == "Tensor" else (lambda r: [r, fresh_like(sample)(r)])
                params.append((arg.name, arg.kwarg_only, False, [first]))
                needs_receiver = False
                continue
            opts = choices(type_name, optional, arg.name, sample)
            if not opts and not arg.has_default_value():
                ok = False
                break
            params.append((arg.name, arg.kwarg_only, arg.has_default_value(), opts))
        tensors = any(schema_type(a)[0] in ("Tensor", "Tensor[]") for a in schema.arguments)
        if ok and not (needs_receiver and tensors):  # factories (no tensor argument) are called too
            yield from varied(params)


def default_choices(default: Any) -> list[Factory]:
    """Return variations of a Python default: the other bool, other numbers (none for other defaults)."""
    if isinstance(default, bool):
        return [constant(not default)]
    if isinstance(default, float):
        return [constant(0.0), constant(0.5)]
    if isinstance(default, int):
        return [constant(0), constant(1)]
    return []


def signature_trials(func: Any, sample: Sample, method: bool, receiver: Factory) -> Iterator[Trial]:
    """Yield trials built from a Python signature: the receiver first, names guessed, defaults varied."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return
    if not params:
        if not method:
            yield (), {}
        return
    first, rest = params[0], params[1:]
    built: list[tuple[str, bool, bool, list[Any]]] = [] if method else [(first.name, False, False, [receiver])]
    if first.kind == first.VAR_POSITIONAL and not method:
        built.append((f"*{first.name}", False, True, [fresh_like(sample)]))
    for param in rest:
        if param.kind == param.VAR_KEYWORD:
            continue
        if param.name in SKIPPED:  # never passed, but what follows goes by keyword
            built.append((param.name, True, True, []))
            continue
        if param.kind == param.VAR_POSITIONAL:
            built.append((f"*{param.name}", False, True, [fresh_like(sample)]))
            continue
        kw_only = param.kind == param.KEYWORD_ONLY
        if param.default is not param.empty:
            opts = default_choices(param.default) or ([] if param.default is not None else
                                                      name_choices(param.name, sample)[:2])
            built.append((param.name, kw_only, True, opts))
            continue
        built.append((param.name, kw_only, False, name_choices(param.name, sample)))
    yield from varied(built)


def name_choices(name: str, sample: Sample) -> list[Factory]:
    """Guess candidates for a Python parameter from its name."""
    if name in ("dim", "dim0", "dim1", "axis", "start_dim", "end_dim", "source", "destination", "index",
                "start", "length", "chunks", "sections", "indices_or_sections", "n", "k", "diagonal", "offset"):
        return [constant(v) for v in (1, 0, 2, -1)]
    if name in ("size", "shape", "sizes", "dims", "split_size", "split_size_or_sections", "stride"):
        return int_list_choices(name, sample) + [constant(1)]
    if name in ("p", "lr", "eps", "alpha", "beta", "value", "negative_slope", "lambd", "threshold"):
        return [constant(0.5), constant(0.0)]
    if name == "scale_factor":
        return [constant(2.0)]
    if name in ("dtype",):
        return [constant(d) for d in CHOICES["ScalarType"]]
    if name in ("training", "train", "keepdim"):
        return [constant(True), constant(False)]
    return [*tensor_choices(name, sample), constant(1)]


def generic_trials(sample: Sample, method: bool, receiver: Factory) -> Iterator[Trial]:
    """Yield argument shapes common to most torch calls, for callables with no schema nor signature."""
    lead = () if method else (receiver,)
    other = fresh_like(sample)
    for rest in [(), (constant(0),), (constant(1),), (constant(2),), (constant(-1),), (other,),
                 (constant(0), constant(1)), (constant(list(sample.shape)),), (constant(torch.float64),),
                 (constant(torch.float32),), (constant("cpu"),), (other, fresh_like(sample))]:
        yield (*lead, *rest), {}
    if not method:
        yield (lambda r: [r, other(r)],), {}


def trials_for(func: Any, schemas: list[Any], method: bool,
               recipes: Callable[[Sample], list[Trial]] | None = None) -> Callable[[Sample], Iterator[Trial]]:
    """Combine the trials of the callable's aten schemas, its Python signature, or else generic ones, and
    hand-written ones."""

    def trials(sample: Sample) -> Iterator[Trial]:
        described = [*schema_trials(schemas, sample, method, RECEIVER),
                     *signature_trials(func, sample, method, RECEIVER)]
        yield from described or generic_trials(sample, method, RECEIVER)
        if recipes is not None:
            yield from recipes(sample)

    return trials


def RECEIVER(receiver: torch.Tensor) -> torch.Tensor:  # noqa: N802 - a constant-like factory
    """Pass the call's receiver."""
    return receiver


def global_state() -> tuple[Any, ...]:
    """Return the process-wide torch settings a probed call must leave alone."""
    return (torch.get_default_dtype(), torch.is_grad_enabled(), torch.are_deterministic_algorithms_enabled(),
            torch.get_num_threads(), torch.get_default_device(), torch.is_anomaly_enabled(),
            torch.is_warn_always_enabled(), torch.is_inference_mode_enabled())


def guarded(name: str, func: Callable[..., Any], trials: Callable[[Sample], Iterator[Trial]]) -> Tally:
    """Probe a function, refusing one that changes process-wide state (it belongs in NOT_PROBED)."""
    before = global_state()
    tally = probe(func, trials, method=False)
    if global_state() != before:
        raise ValueError(f"{name} changed torch's global state: add it to NOT_PROBED")
    return tally


def probe_attribute(name: str, shape: tuple[int, int, int] = (2, 3, 4), seed: int = 0) -> Tally:
    """Read a Tensor attribute on every sample receiver and tally whether its value shares memory."""
    return probe(lambda receiver: getattr(receiver, name), lambda sample: iter([((), {})]), method=True,
                 shape=shape, seed=seed)
