"""What a torch.nn layer built with `inplace=True` overwrites, and whether that is proven to fail.

After a layer in its row that saves its output, the write is an error. First in a row, it writes
the input of what holds the row: an error when a method of the file feeds that a value autograd
saved, or an nn.Parameter; else a warning where nothing shows that it is harmless.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.input_writes import leaf_feed, parent_feeds, passes_input
from fixer.analysis.layer_order import Holder, LayerOrder
from fixer.analysis.layer_savers import LayerSavers
from fixer.analysis.messages import code
from fixer.analysis.scope import RegionFacts
from fixer.core.types import Safety, Severity

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel, InplaceFeed


@dataclass(frozen=True, slots=True)
class LayerWrite:
    """Why a layer's in-place write breaks backward (or may), and how safe dropping its flag is."""

    message: str
    safety: Safety
    severity: Severity = Severity.WARNING


class LayerWrites:
    """Judges the layers a `LayerOrder` saw built with `inplace=True`, once the region is visited."""

    def __init__(self, facts: RegionFacts, layers: LayerOrder, savers: LayerSavers) -> None:
        self.facts, self.layers, self.savers = facts, layers, savers

    def write(self, call: cst.Call, short: str, literal: bool) -> LayerWrite | None:
        """`call` builds `nn.<short>` with the flag set (`literal`: spelled True): what it overwrites."""
        statement, scope = self.layers.statements.get(id(call)), self.facts.scope(call)
        evidence = self.facts.evidence.by_module(short, self.layers.path(call))
        if evidence is not None:  # `outplace trace` saw a module of this class break backward
            safe = self.layers.in_sequence(call)  # a layer of a sequence: its result is what flows on
            because = "" if safe else "; fix unsafe: where the module is called, its result may be dropped, relying on the write"
            return LayerWrite(evidence.module_reason() + because, Safety.SAFE if safe else Safety.UNSAFE, Severity.ERROR)
        if isinstance(statement, cst.Assign) and all(code(t.target).startswith("self.") for t in statement.targets):
            target = statement.targets[0].target
            if scope.class_info is not None and len(statement.targets) == 1 and isinstance(target, cst.Attribute):
                return self._held(call, Holder(scope.class_info.name, target.attr.value), short)
            return None  # what feeds it is decided in `forward`
        known, before = self.savers.previous(call)
        saver = self.savers.saver(before) if before is not None else False
        if isinstance(saver, str) and isinstance(before, cst.Call):
            spelled, layer = code(before.func), saver.replace("torch.nn.", "nn.")
            named = f"`{spelled}`" if spelled.endswith(layer.rsplit(".", 1)[-1]) else f"`{spelled}` (`{layer}`)"
            message = f"`nn.{short}` with inplace=True overwrites the output of {named}, which saves it for backward"
            return LayerWrite(message, Safety.SAFE, Severity.ERROR)
        holder = self.layers.holder(call, scope) if known and before is None else None
        held = self._held(call, holder, short) if holder is not None else None
        if held is not None:
            return held
        if saver is False and literal:  # after Linear, Conv, BatchNorm (None): correct, and it saves memory
            message = f"`nn.{short}` with inplace=True overwrites its input; it fails when autograd saved it (after a sigmoid, tanh, softmax)"
            caller = self._caller_input(holder)
            if caller is not None:
                message = (f"`nn.{short}` with inplace=True, first in {caller}, overwrites the tensor the caller passes; "
                           "it fails when the caller's autograd saved that tensor")
            return LayerWrite(message, Safety.UNSAFE)
        return None

    def _caller_input(self, holder: Holder | None) -> str | None:
        """`self.net`, run on the input of `MLP` (line 22): words for the warning, when so."""
        file = self.facts.file
        if holder is None or file is None:
            return None
        if holder.attr is None:
            return f"`{holder.class_name}`"
        handover = passes_input(file, holder.class_name, holder.attr)
        return None if handover is None else f"`self.{holder.attr}`, run on the input of `{holder.class_name}` (line {handover.line})"

    def _held(self, call: cst.Call, holder: Holder, short: str) -> LayerWrite | None:
        """A layer that receives the input of `holder` (an attribute of a class, or the class): an
        error when a method of the file calls it on a value autograd saved, or on an nn.Parameter;
        also when the class hands its own input on and a class holding it feeds it such a value."""
        file, scope = self.facts.file, self.facts.scope(call)
        if file is None:
            return None
        held = f"`self.{holder.attr}`" if holder.attr else f"`{holder.class_name}`"
        what = f"`nn.{short}` with inplace=True, first in {held}, overwrites its input"
        what = f"{held}, a `nn.{short}` with inplace=True, overwrites its input" if self.layers.is_direct(call) else what
        feed = file.inplace_feeds(holder.class_name, holder.attr) if holder.attr else None
        if feed is not None:
            return _error(f"{what} when called at line {feed.line}: {feed.reason}", feed.private)
        leaf = leaf_feed(file, holder.class_name, holder.attr, frozenset(scope.class_parameters)) if holder.attr else None
        if leaf is not None:
            message = f"{what} when called at line {leaf.line} on an nn.Parameter, a leaf that requires grad: that raises at once"
            return _error(message, leaf.private)
        handover = passes_input(file, holder.class_name, holder.attr) if holder.attr else None
        if holder.attr is not None and handover is None:
            return None
        parent = parent_feeds(file, holder.class_name)
        on = f" (line {handover.line})" if handover is not None else ""
        if parent is None:
            caller = _caller_feed(file, holder.class_name) if handover is not None else None
            if caller is None:
                return None
            message = f"{what}, the input of `{holder.class_name}`{on}; {caller.via} a value autograd needs: {caller.reason}"
            return _error(message, caller.private and handover.private)  # type: ignore[union-attr]
        message = (f"{what}, the input of `{holder.class_name}`{on}; `{parent.parent}` passes `self.{parent.attr}` "
                   f"a value autograd saved at line {parent.feed.line}: {parent.feed.reason}")
        return _error(message, parent.private and (handover is None or handover.private))


def _caller_feed(file: FileModel, class_name: str) -> InplaceFeed | None:
    """A call of the class's `forward` (`classifier(embeddings)`, the instance built by a script's
    set-up, in this file or another of the run) passing a value autograd saved."""
    node = file.class_nodes.get(class_name)
    forward = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "forward"), None) if node else None
    params = [a.arg for a in (*forward.args.posonlyargs, *forward.args.args)][1:] if forward is not None else []
    return file.argument_feeds("forward", class_name, 0, params[0]) if params else None


def _error(message: str, private: bool) -> LayerWrite:
    """An error whose fix is safe when every call on the way rebinds what it passed (`private`)."""
    if private:
        return LayerWrite(message, Safety.SAFE, Severity.ERROR)
    because = "; fix unsafe: a call passes a tensor that is read again, which would no longer see the write"
    return LayerWrite(message + because, Safety.UNSAFE, Severity.ERROR)
