"""IP109 data-mutation: `p.data.add_(u)`, `p.data[...] = v`: writes autograd never sees."""

from __future__ import annotations

import re

import libcst as cst

from fixer.rule import MODULE_PARAMETERS, Codemod, Kind, Safety, Shape, Trigger, code, is_grad_leaf, is_layer, never_saved, torch_tables

INITIALISERS = re.compile(r"init|reset", re.IGNORECASE)  # functions that fill fresh parameters


class DataMutation(Codemod):
    """
    ## What it does
    Finds in-place writes through `.data`: `p.data.add_(u)`, `p.data.mul_(m)`,
    `p.data.copy_(w)`, `p.data[...] = v`, `p.data += u`. It reports them and suggests
    `with torch.no_grad(): p.add_(u)`; there is no automatic fix.

    ## Why is this risky
    `.data` is the same storage as `p` with autograd switched off, and writing it does not bump
    `p`'s version counter. When a graph saved `p` for backward (a weight used by `matmul`, an
    output of `sigmoid`), backward uses the new values without any error and the gradients are
    silently wrong. Under `torch.no_grad()` the write is just as intentional, and autograd still
    catches a saved value that changed.

    ## Example
    ```python
    w = torch.nn.Parameter(torch.ones(3))
    y = (w * w).sum()
    w.data.add_(1)  # y's graph saved w: its gradient is now wrong, silently
    ```

    ## Use instead
    ```python
    w = torch.nn.Parameter(torch.ones(3))
    y = (w * w).sum()
    with torch.no_grad():
        w.add_(1)
    ```

    ## Fix safety
    Display-only. The suggested form raises where `.data` silently computed wrong gradients
    (when a graph saved `p` and backward runs after the write), so applying it could turn a
    quietly wrong training run into a failing one: that is the point, but a person must decide.

    ## Limitations
    Writes in `torch.no_grad()` code, optimizer `step()` bodies and functions whose name says
    they initialise (`init_weights`, `reset_parameters`) are not reported; neither are writes
    through `.grad.data`. Subscript and augmented writes need `p` to be known as a tensor.
    """

    ID = "IP109"
    NAME = "data-mutation"
    FIX_TITLE = "None (display-only): the message gives the torch.no_grad() form"
    SAFETY = Safety.DISPLAY_ONLY  # no fix: the suggested code may raise where this silently misleads
    PREFILTER = re.compile(r"\.data\b")
    TRIGGERS = (
        Trigger("Call", lambda c: c.method in torch_tables().inplace_methods and c.func.kind == "Attribute"
                and _is_data(c.func.value), "check_call"),
        Trigger("Assign", lambda w: "Subscript" in w.target_kinds
                and any(t.kind == "Subscript" and _is_data(t.value) for t in w.targets), "check_assign"),
        Trigger("AugAssign", lambda w: _is_data(w.target.value if w.target.kind == "Subscript" else w.target), "check_update"),
    )

    def check_call(self, node: cst.Call) -> None:
        func = node.func
        assert isinstance(func, cst.Attribute)
        self._check(node, func.value, code(node.with_changes(func=func.with_changes(value=_owner(func.value)))))

    def check_assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Subscript):
                plain = node.with_changes(targets=[cst.AssignTarget(_without_data(target.target))])
                self._check(node, target.target.value, code(plain), True)

    def check_update(self, node: cst.AugAssign) -> None:
        written = node.target.value if isinstance(node.target, cst.Subscript) else node.target
        self._check(node, written, code(node.with_changes(target=_without_data(node.target))), True)

    def _check(self, node: cst.CSTNode, data: cst.BaseExpression, instead: str, needs_tensor: bool = False) -> None:
        if not isinstance(data, cst.Attribute) or data.attr.value != "data" or self._intended(node):
            return
        owner = data.value
        if isinstance(owner, cst.Name) and owner.value == "self" or ".grad." in f"{code(owner)}.":
            return
        if self._never_saved(owner) or self._fresh_layer(owner, node):
            return
        kind = Kind.TENSOR if is_grad_leaf(owner, self.scope(node), self.context.facts) else self.kind(owner, node)
        if kind is Kind.NOT_TENSOR or needs_tensor and kind is not Kind.TENSOR:
            return
        message = (f"`{code(owner)}.data` is written in place behind autograd's back: when a graph saved "
                   f"`{code(owner)}`, backward silently gives wrong gradients; write "
                   f"`with torch.no_grad(): {instead}` instead")
        self.report(node, message, replacement=None, safety=Safety.DISPLAY_ONLY)

    def _fresh_layer(self, owner: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """`new.weight` of a torch.nn layer this function builds and has not called yet: no graph
        can hold its fresh values (`new = nn.Linear(...)`, then its weights copied in)."""
        if not isinstance(owner, cst.Attribute) or not isinstance(owner.value, cst.Name):
            return False
        scope, facts, layer = self.scope(node), self.context.facts, owner.value.value
        if owner.attr.value not in MODULE_PARAMETERS or not is_layer(owner.value, scope, facts):
            return False
        write = facts.order.get(id(node), 0)
        return not any(isinstance(op, cst.Call) and isinstance(op.func, cst.Name) and op.func.value == layer
                       and facts.order.get(id(op), write) < write for op in scope.ops)

    def _never_saved(self, owner: cst.BaseExpression) -> bool:
        """`X.logit_scale`, which the file reads only in ways that keep nothing of it for backward:
        no graph holds its values, so writing them cannot make a gradient wrong."""
        file = self.context.facts.file
        return isinstance(owner, cst.Attribute) and file is not None and never_saved(owner.attr.value, file, self.context.tables)

    def _intended(self, node: cst.CSTNode) -> bool:
        """In no-grad code (optimizer steps included) or in a function that initialises weights."""
        function = self.scope(node).node
        name = function.name.value if isinstance(function, cst.FunctionDef) else ""
        return self.context.facts.in_no_grad(node) or bool(INITIALISERS.search(name))


def _is_data(shape: Shape) -> bool:
    return shape.kind == "Attribute" and shape.attr == "data"


def _owner(data: cst.BaseExpression) -> cst.BaseExpression:
    return data.value if isinstance(data, cst.Attribute) and data.attr.value == "data" else data


def _without_data(target: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(target, cst.Subscript):
        return target.with_changes(value=_owner(target.value))
    return _owner(target)
