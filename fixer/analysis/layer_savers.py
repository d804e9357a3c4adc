"""Which torch.nn layer a call builds, and whether the layer before an in-place one saves its output."""

from __future__ import annotations

import libcst as cst

from fixer.analysis.flow import Flow
from fixer.analysis.inplace_flags import flag_argument
from fixer.analysis.layer_order import LayerOrder
from fixer.analysis.scope import RegionFacts, qualified
from fixer.analysis.tables import ModuleSaves, TorchTables


class LayerSavers:
    """Asks the torch.nn module table about the layers a `LayerOrder` saw built in a row."""

    def __init__(self, facts: RegionFacts, flow: Flow, tables: TorchTables, layers: LayerOrder) -> None:
        self.facts, self.flow, self.tables, self.layers = facts, flow, tables, layers

    def module(self, layer: cst.Call) -> tuple[str, ModuleSaves] | None:
        """The torch.nn class `layer` builds (through a parameter's default: `act_layer=nn.ReLU`) and its table entry."""
        func = layer.func
        scope = self.facts.scope(layer)
        if isinstance(func, cst.Name) and func.value in scope.params and func.value not in scope.bindings:
            default = scope.params[func.value].default
            func = default if default is not None else func
        name = qualified(func, self.facts.imports) or ""
        saves = self.tables.module_saves.get(name)
        return None if saves is None else (name, saves)

    def previous(self, call: cst.BaseExpression) -> tuple[bool, cst.BaseExpression | None]:
        """(known, the layer whose output `call` receives), skipping layers that may pass their input on."""
        known, before = self.layers.previous(call)
        while known and isinstance(before, cst.Call) and self._passes_through(before):
            known, before = self.layers.previous(before)
        return known, before

    def saver(self, before: cst.BaseExpression) -> str | bool | None:
        """The layer that saves `before`'s output, False when unknown, None when it keeps nothing of it."""
        if not isinstance(before, cst.Call):
            return False
        found = self.module(before)
        if found is None:
            return False
        name, saves = found
        if saves.saves_output:
            return name
        index = self.tables.inplace_params.get(name)
        if index is not None and saves.inplace_saves_output and self._inplace_flagged(before, index):
            return name  # LeakyReLU(inplace=True) saves its result where the plain one saves its input
        return None

    def _passes_through(self, layer: cst.Call) -> bool:
        """Identity, Flatten, Dropout: the output may be the input itself (Dropout in eval mode)."""
        found = self.module(layer)
        if found is None:
            return False
        saves = found[1]
        return saves.output_is_input_view or saves.in_eval is not None and saves.in_eval.output_is_input_view

    def _inplace_flagged(self, layer: cst.Call, index: int) -> bool:
        scope, flow = self.facts.scope(layer), self.flow
        return flag_argument(layer, index, scope, lambda n: flow.uses(n, scope), flow.parents(scope)) is not None
