"""Shrinking a difference of the equivalence fuzzer to a minimal program, and naming its class."""

from __future__ import annotations

import re
import warnings

from tests.equivalence import Difference, check
from tests.equivalence_programs import Program, assigned_names

# most specific first: a difference takes the first class that fits
CLASSES = ("crash", "broken rewrite", "grad lost", "dtype", "loop target", "closure", "call-keeps", "container",
           "view-alias", "conversion alias", "value-use alias", "chain order", "other")


def still_differs(program: Program, unsafe: bool, kind: str) -> Difference | None:
    """The difference of `program` if it has one of `kind` and its original still runs as before."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = check([program], unsafe).differences
    return found[0] if found and found[0].kind == kind else None


def shrink(difference: Difference, unsafe: bool, budget: int = 400) -> Difference:
    """Drop units while the same kind of difference persists (and the original runs as it did)."""
    current = difference
    attempts = 0
    progress = True
    while progress and attempts < budget:
        progress = False
        for index in reversed(range(len(current.program.units))):
            if index >= len(current.program.units):
                continue
            attempts += 1
            candidate = current.program.without(index)
            smaller = still_differs(candidate, unsafe, current.kind)
            if smaller is not None and _same_outcome(current, smaller):
                current, progress = smaller, True
    return current


def _same_outcome(original: Difference, smaller: Difference) -> bool:
    """A shrink step keeps the fixed code's exception, and never makes the forward pass raise (a NameError, say)."""
    runs = ("ran", "backward")
    if smaller.before != original.before and not (original.before in runs and smaller.before in runs):
        return False
    if original.kind != "raised":
        return True
    return original.details[0].split("-> ")[-1].split(":")[0] == smaller.details[0].split("-> ")[-1].split(":")[0]


def classify(difference: Difference) -> str:
    """The class of a (shrunk) difference: what bound the values that differ, else what the program exercises."""
    if difference.kind == "crash":
        return "crash"
    raised_after = difference.details[0].split(": ")[0].split("-> ")[-1]
    if difference.kind == "raised" and raised_after not in ("RuntimeError", "nothing"):
        return "broken rewrite"  # the fixed code raises what torch never does here: a name, type or attribute error
    if all(": requires_grad " in detail for detail in difference.details) or (
            difference.kind == "raised" and "does not require grad" in difference.details[0]):
        return "grad lost"  # the rewrite computes a constant where the write kept the graph (fill_, zero_)
    if any(": dtype torch." in detail for detail in difference.details):
        return "dtype"
    if difference.kind == "raised" and re.search(r"dtype|type \w+ but|can't be cast", difference.details[0]):
        return "dtype"  # the rewrite's result has another dtype, and a later op refuses it
    roots = dict.fromkeys(re.split(r"[\[.:]", detail, maxsplit=1)[0] for detail in difference.details
                          if difference.kind == "values")
    labels = [_class_of_name(difference.program, root) for root in roots if root != "<return>"]
    if labels:
        return min(labels, key=CLASSES.index)
    return _class_of_tags(difference.program.tags)


def _class_of_name(program: Program, name: str) -> str:
    """The class of a name that differs: from the units that bound or filled it, then from those that wrote it."""
    binding = [u for u in program.units if _binds(u.code, name)]
    # what made the name, else (the base of a written view) what made the others, else the writes themselves
    for units, writes in ((binding, False), (program.units, False), (binding, True), (program.units, True)):
        label = _class_of_tags(frozenset().union(*(u.tags for u in units if writes or "write" not in u.tags)))
        if label != "other":
            return label
    return "other"


def _binds(code: str, name: str) -> bool:
    starts = (f"for {name} in", f"def {name}(", f"{name}.", f"{name}[", f"{name} ", f"{name},")
    return any(line.strip().startswith(starts) or name in assigned_names(line.strip()) for line in code.split("\n"))


def _class_of_tags(tags: frozenset[str]) -> str:
    for name, needed in (("loop target", {"loop-target"}), ("closure", {"closure"}), ("call-keeps", {"call"}),
                         ("container", {"container"}), ("view-alias", {"view"}),
                         ("conversion alias", {"conversion"}), ("value-use alias", {"value-use"}),
                         ("chain order", {"chain"}),
                         ("dtype", {"dtype"})):
        if tags & needed:
            return name
    return "other"
