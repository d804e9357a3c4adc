"""Differential execution: fix generated programs, run them before and after, compare what they computed.

Shared by `scripts/equivalence_fuzz.py` (long runs, one worker process per job) and the bounded
profile in `tests/test_equivalence_fuzz.py`. What a program computed is every tensor reachable from
its locals and its return value when it returns (containers and namespaces flattened, gradients of
leaves included), read by a trace hook so that the program's text carries nothing of the harness.
"""

from __future__ import annotations

import ast
import math
import sys
import types
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from fixer.core import engine, registry
from fixer.core.types import Finding, Safety
from tests.equivalence_programs import AUTOGRAD_REFUSALS, Program, generate, module_source

RULES = registry.all_rules()
PATH = "equivalence_fuzz.py"
BACKWARD_ERROR = "modified by an inplace operation"
NO_GRAD_BACKWARD = "does not require grad and does not have a grad_fn"  # `loss.backward()` under no_grad


# what a program computed ------------------------------------------------------------------------
@dataclass(frozen=True)
class Observed:
    """A program's reachable values at its return (path -> tensor or number) and what it raised."""

    values: dict[str, Any]
    error: str | None = None  # the exception's type name
    message: str = ""
    forward_only: bool = False  # values computed under no_grad: gradients are not compared

    @property
    def failed_in_backward(self) -> bool:
        return self.error == "RuntimeError" and BACKWARD_ERROR in self.message

    @property
    def refused_by_autograd(self) -> bool:
        """Raised in the forward pass because autograd refuses an in-place write (what outplace fixes)."""
        return self.error == "RuntimeError" and any(m in self.message for m in AUTOGRAD_REFUSALS)


def observe(function: Callable[[], Any]) -> Observed:
    """Call `function` and read its locals and return value as it returns (normally or not)."""
    code = function.__code__
    seen: dict[str, Any] = {}

    def on_return(frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "return":
            seen.update(frame.f_locals)
            seen["<return>"] = arg
        return on_return

    def on_call(frame: types.FrameType, event: str, arg: Any) -> Any:
        if frame.f_code is code:
            frame.f_trace_lines = False
            return on_return
        return None

    error: BaseException | None = None
    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's warnings about the generated code are not what we compare
            function()
    except Exception as raised:  # noqa: BLE001 -- what the program raised is part of what it does
        error = raised
    finally:
        sys.settrace(previous)
    values: dict[str, Any] = {}
    for name, value in seen.items():
        _flatten(value, name, values, depth=0)
    if error is None:
        return Observed(values)
    return Observed(values, type(error).__name__, str(error).split("\n", 1)[0])


def _flatten(value: Any, path: str, out: dict[str, Any], depth: int) -> None:
    if depth > 4:
        return
    if isinstance(value, torch.Tensor):
        out[path] = value
        grad = _grad(value)
        if grad is not None:
            out[f"{path}.grad"] = grad
    elif isinstance(value, (bool, int, float)):
        out[path] = value
    elif isinstance(value, (list, tuple)):
        out[f"{path}.len"] = len(value)
        for i, item in enumerate(value):
            _flatten(item, f"{path}[{i}]", out, depth + 1)
    elif isinstance(value, dict):
        out[f"{path}.keys"] = repr(list(value))
        for key, item in value.items():
            _flatten(item, f"{path}[{key!r}]", out, depth + 1)
    elif isinstance(value, types.SimpleNamespace):
        out[f"{path}.attributes"] = repr(sorted(vars(value)))
        for key, item in vars(value).items():
            _flatten(item, f"{path}.{key}", out, depth + 1)
    elif isinstance(value, torch.nn.Module):
        state = {**dict(value.named_parameters()), **dict(value.named_buffers()),
                 **{k: v for k, v in vars(value).items() if not k.startswith("_")}}
        _flatten(state, f"{path}.state", out, depth + 1)
    elif isinstance(value, torch.utils.data.TensorDataset):
        _flatten(value.tensors, f"{path}.tensors", out, depth + 1)


def _grad(t: torch.Tensor) -> torch.Tensor | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns
        try:
            return t.grad if t.is_leaf else None
        except RuntimeError:  # a written multi-output view refuses even to be inspected
            return None


def tensor_difference(before: torch.Tensor, after: torch.Tensor) -> str | None:
    """How `after` differs from `before` (dtype, shape, values, NaN-aware and exact), or None."""
    if before.dtype != after.dtype:
        return f"dtype {before.dtype} -> {after.dtype}"
    if before.shape != after.shape:
        return f"shape {list(before.shape)} -> {list(after.shape)}"
    a, b = before.detach(), after.detach()
    if a.is_floating_point() or a.is_complex():
        nan_a, nan_b = torch.isnan(a), torch.isnan(b)
        if not torch.equal(nan_a, nan_b):
            return "NaN positions differ"
        a, b = a.masked_fill(nan_a, 0), b.masked_fill(nan_b, 0)
    if not torch.equal(a, b):
        return f"values differ (max |diff| {(a.double() - b.double()).abs().max().item():.3g})"
    return None


def value_difference(before: Any, after: Any) -> str | None:
    if isinstance(before, torch.Tensor) or isinstance(after, torch.Tensor):
        if not (isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor)):
            return f"{type(before).__name__} -> {type(after).__name__}"
        try:
            return tensor_difference(before, after)
        except RuntimeError as error:  # a multi-output view written in place: unreadable
            return f"unreadable: {str(error)[:60]}"
    if isinstance(before, float) and isinstance(after, float) and math.isnan(before) and math.isnan(after):
        return None
    return None if before == after and type(before) is type(after) else f"{before!r} -> {after!r}"


def grad_flag_difference(before: Any, after: Any) -> str | None:
    """A tensor that stopped (or started) requiring grad: a later backward fails or differs."""
    tensors = isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor)
    if tensors and before.requires_grad != after.requires_grad:
        return f"requires_grad {before.requires_grad} -> {after.requires_grad}"
    return None


def differences(before: Observed, after: Observed) -> list[str]:
    """What differs between two runs of one program, before and after its fix; empty when equivalent.

    When `before` raised in its forward pass only the exception's type is compared. When it raised
    "modified by an inplace operation" in backward (what outplace fixes), the forward values are
    compared and the gradients are not; the fixed program may then still fail in backward for a
    reason of its own (`//` and a bool exponent have no derivative), which the in-place one hid
    behind the first error: every value it computed up to there must still be the same.
    """
    if before.error is not None and not before.failed_in_backward:  # forward: the exception's type only
        return [] if before.error == after.error else [f"raised {before.error} -> {after.error or 'nothing'}"]
    if after.error is not None and not before.failed_in_backward:
        return [f"raised {before.error or 'nothing'} -> {after.error}: {after.message[:100]}"]
    found = []
    for path, value in before.values.items():
        if (before.failed_in_backward or before.forward_only) and path.endswith(".grad"):
            continue
        if path not in after.values:
            found.append(f"{path}: missing after the fix")
            continue
        difference = value_difference(value, after.values[path])
        if difference is None and not before.forward_only:
            difference = grad_flag_difference(value, after.values[path])
        if difference is not None:
            found.append(f"{path}: {difference}")
    return found


def reference_without_grad(function: Callable[[], Any]) -> Observed | None:
    """What a program that autograd refused computes under `no_grad` (where its writes are allowed), or None.

    A fix that makes such a program run must compute these values, as the golden harness requires.
    """
    with torch.no_grad():
        seen = observe(function)
    if seen.error is not None and NO_GRAD_BACKWARD not in seen.message:
        return None
    return Observed(seen.values, forward_only=True)


# fixing and running a batch ---------------------------------------------------------------------
def accept(unsafe: bool) -> Callable[[Finding], bool]:
    """What `outplace fix` applies: safe fixes, plus unsafe ones with `--unsafe-fixes`."""
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    return lambda finding: finding.safety in allowed


@dataclass(frozen=True)
class Fixed:
    """A module after `outplace fix`: its text, the fixes applied, or why outplace failed on it."""

    text: str
    safe: int = 0
    unsafe: int = 0
    crash: str | None = None


def fix(text: str, unsafe: bool) -> Fixed:
    try:
        result = engine.fix(text, PATH, RULES, accept(unsafe))
    except Exception as error:  # noqa: BLE001 -- the engine must never raise: that is a finding
        return Fixed(text, crash=f"engine raised {type(error).__name__}: {error}")
    if result.error is not None:
        return Fixed(text, crash=result.error.describe(PATH))
    applied = set(result.applied)
    safeties = [f.safety for f in result.findings if f.key in applied]
    return Fixed(result.new_text or text, safeties.count(Safety.SAFE), safeties.count(Safety.UNSAFE))


@dataclass(frozen=True)
class Difference:
    """One program whose fix changed what it computes (or that outplace crashed on)."""

    program: Program
    after: str  # the fixed function's text
    details: list[str]
    kind: str  # "crash", "raised" or "values": kept while shrinking
    before: str = "ran"  # how the original ended: "ran", "backward" (refused there), "refused" (in forward)

    @property
    def summary(self) -> str:
        return "; ".join(self.details[:3]) + (f" (+{len(self.details) - 3} more)" if len(self.details) > 3 else "")


@dataclass
class BatchResult:
    programs: int = 0
    changed: int = 0  # programs the fix changed (those are executed)
    safe_fixes: int = 0
    unsafe_fixes: int = 0
    before_raised: int = 0  # changed programs whose original raised (forward or backward)
    fixed_backward: int = 0  # ... raised "modified by an inplace operation" and no longer does
    differences: list[Difference] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        for name in ("programs", "changed", "safe_fixes", "unsafe_fixes", "before_raised", "fixed_backward"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.differences += other.differences


def functions(text: str) -> dict[str, str]:
    """The source of each top-level function of `text`, by name."""
    lines = text.splitlines(keepends=True)  # ast.get_source_segment splits the text anew per call
    return {node.name: "".join(lines[node.lineno - 1:node.end_lineno]) for node in ast.parse(text).body
            if isinstance(node, ast.FunctionDef)}


def load(text: str, label: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": label}
    exec(compile(text, label, "exec"), namespace)  # noqa: S102 -- the generated program under test
    return namespace


def check(programs: list[Program], unsafe: bool) -> BatchResult:
    """Fix the programs as one module, run each changed one before and after, and compare."""
    result = BatchResult(programs=len(programs))
    text = module_source(programs)
    fixed = fix(text, unsafe)
    if fixed.crash is not None:  # find the programs outplace fails on; fix the others one by one
        if len(programs) == 1:
            result.differences.append(Difference(programs[0], "", [fixed.crash], "crash"))
            return result
        for program in programs:
            result.add(check([program], unsafe))
        result.programs -= len(programs)
        return result
    result.safe_fixes, result.unsafe_fixes = fixed.safe, fixed.unsafe
    if fixed.text == text:
        return result
    old, new = functions(text), functions(fixed.text)
    before, after = load(text, "<before>"), load(fixed.text, "<after>")
    for program in programs:
        if old[program.name] == new.get(program.name):
            continue
        result.changed += 1
        seen_before, seen_after = observe(before[program.name]), observe(after[program.name])
        ended = ("backward" if seen_before.failed_in_backward else "refused" if seen_before.refused_by_autograd
                 else seen_before.error or "ran")
        if seen_before.refused_by_autograd and seen_after.error is None:
            seen_before = reference_without_grad(before[program.name]) or seen_before
        result.before_raised += seen_before.error is not None
        result.fixed_backward += seen_before.failed_in_backward and seen_after.error is None
        found = differences(seen_before, seen_after)
        if found:
            kind = "raised" if found[0].startswith("raised") else "values"
            result.differences.append(Difference(program, new.get(program.name, ""), found, kind, ended))
    return result


def check_seeds(seeds: Iterable[int], unsafe: bool, multiline: bool = False) -> BatchResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check([generate(seed, multiline) for seed in seeds], unsafe)
