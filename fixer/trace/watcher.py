"""The watcher: sees every mutating op and every tensor autograd saves, while the program runs.

A `TorchDispatchMode` sees each aten op below autograd; `saved_tensors_hooks` see each tensor
autograd saves for backward, right after the op that saves it. Saved-tensor hooks switch off
autograd's own version check, so the unpack hook performs it instead and raises the same error,
naming the line that did the write. This module imports torch; nothing else in outplace does.
"""

from __future__ import annotations

import ast
import contextlib
import linecache
import os
import sys
import traceback
import weakref
from collections.abc import Iterator
from types import FrameType, TracebackType

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from fixer.trace.report import TraceReport
from fixer.trace.violation import Location, Violation, as_written

SKIPPED_DIRS = (os.path.dirname(torch.__file__), os.path.dirname(os.path.dirname(__file__)))
MULTI_VIEW_OPS = frozenset({"split", "split_with_sizes", "unbind", "chunk", "tensor_split", "unsafe_split"})
INPLACE_MESSAGE = "one of the variables needed for gradient computation has been modified by an inplace operation"


_is_library: dict[object, bool] = {}  # code object -> it belongs to torch or outplace


def user_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame outside torch and outplace: the user's code."""
    while frame is not None:
        code = frame.f_code
        library = _is_library.get(code)
        if library is None:
            path = code.co_filename
            library = _is_library[code] = path.startswith(SKIPPED_DIRS) or path.startswith("<frozen")
        if not library:
            return frame
        frame = frame.f_back
    return None


def user_location(frame: FrameType | None) -> Location | None:
    """The user's line: that of the innermost frame outside torch and outplace."""
    found = user_frame(frame)
    return Location(found.f_code.co_filename, found.f_lineno) if found is not None else None


_positions: dict[object, list[tuple[int | None, int | None, int | None, int | None]]] = {}  # code -> positions


def expression_at(frame: FrameType) -> tuple[int, int, int, int] | None:
    """(line, end line, column, end column) of the expression `frame` is running, such as the call
    `torch.sigmoid(x)` or the operator `x * w`; columns count UTF-8 bytes, as Python's do."""
    code = frame.f_code
    found = _positions.get(code)
    if found is None:
        found = _positions[code] = list(code.co_positions())
    index = frame.f_lasti // 2
    span = found[index] if 0 <= index < len(found) else (None, None, None, None)
    return span if None not in span else None  # type: ignore[return-value]


def source_of(path: str, span: tuple[int, int, int, int] | None) -> str | None:
    """The text of `span` in `path`, on one line."""
    if span is None:
        return None
    line, end_line, column, end_column = span
    lines = [linecache.getline(path, n).encode("utf-8") for n in range(line, end_line + 1)]
    if not lines or not lines[0]:
        return None
    lines[-1] = lines[-1][:end_column]
    lines[0] = lines[0][column:]
    text = " ".join(" ".join(part.decode("utf-8", "replace").split()) for part in lines)
    return text or None


def holders(frame: FrameType, target: torch.Tensor) -> tuple[str, ...]:
    """The local names of `frame` holding `target`'s storage: the names a write into it wrote."""
    storage = _storage(target)
    return tuple(sorted(name for name, value in frame.f_locals.items()
                        if isinstance(value, torch.Tensor) and _storage(value) == storage))


_written_args: dict[object, tuple[tuple[int, str], ...]] = {}  # op overload -> arguments it writes


def written_arguments(func: object) -> tuple[tuple[int, str], ...]:
    """(position, name) of each argument an aten op writes, from its schema; cached per op."""
    found = _written_args.get(func)
    if found is None:
        arguments = func._schema.arguments  # type: ignore[attr-defined]
        found = _written_args[func] = tuple(
            (i, a.name) for i, a in enumerate(arguments) if a.alias_info is not None and a.alias_info.is_write
        )
    return found


class Saved:
    """A tensor autograd saved, as the watcher packed it (weakly referenced by the index)."""

    __slots__ = ("tensor", "version", "op", "role", "where", "span", "made_by", "node", "module", "__weakref__")

    def __init__(self, tensor: torch.Tensor, op: str, role: str, where: Location | None, module: str | None,
                 span: tuple[int, int, int, int] | None = None) -> None:
        self.tensor = tensor.detach()  # shares storage and version counter, no graph cycle
        self.version = tensor._version
        self.op, self.role, self.where = op, role, where  # a best guess, settled in backward
        self.span = span  # the user's expression that ran the op, in `where`'s file
        self.made_by = _node_id(tensor.grad_fn) if tensor.grad_fn is not None else None
        self.node: str | None = None  # the autograd node's name, known in backward
        self.module = module  # the torch.nn module class whose code saved it

    def settle(self) -> None:
        """In backward, the node unpacking this tensor is the op that saved it."""
        node = torch._C._current_autograd_node()
        if node is None:
            return
        self.role = "output" if _node_id(node) == self.made_by else "input"
        self.node = node.name()
        self.op = self.node.removesuffix("Backward0").removesuffix("Backward1").lower()


_node_ids = iter(range(1, 1 << 62))
_next_node_number = torch._C._autograd._get_sequence_nr


def _node_id(node: object) -> int:
    """A number stamped on an autograd node (nodes take no weak references, and ids are reused)."""
    metadata = node.metadata  # type: ignore[attr-defined]
    if "outplace" not in metadata:
        metadata["outplace"] = next(_node_ids)
    return metadata["outplace"]


class Watcher(TorchDispatchMode):
    """Records writes to storages that a live graph saved; see the module docstring."""

    def __init__(self, report: TraceReport) -> None:
        super().__init__()
        self.report = report
        self.last_op = ""  # the aten op dispatched last: the op that saves an output saved now
        self.awaiting_op: list[Saved] = []  # inputs saved for the op about to be dispatched
        self.saved: dict[int, list[weakref.ref[Saved]]] = {}
        self.multi_views: dict[int, tuple[str, Location | None, str | None]] = {}  # storage -> op, line, expression
        self.pending: dict[int, list[Violation]] = {}  # id(Saved) -> writes found against it
        self.built: dict[int, tuple[weakref.ref[torch.nn.Module], Location]] = {}  # by id: a module may not hash

    @contextlib.contextmanager
    def constructions(self) -> Iterator[None]:
        """Record where the user's code builds each torch.nn module, to name the line of `nn.ReLU(inplace=True)`."""
        original = torch.nn.Module.__init__

        def recording(module: torch.nn.Module, *args: object, **kwargs: object) -> None:
            original(module, *args, **kwargs)
            where = user_location(sys._getframe(1))
            if where is not None:
                key = id(module)
                self.built[key] = (weakref.ref(module, lambda _: self.built.pop(key, None)), where)

        torch.nn.Module.__init__ = recording  # type: ignore[method-assign]
        try:
            yield
        finally:
            torch.nn.Module.__init__ = original  # type: ignore[method-assign]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        kwargs = kwargs or {}
        for index, name in written_arguments(func):
            target = args[index] if index < len(args) else kwargs.get(name)
            if isinstance(target, torch.Tensor) and self.saved:
                self._check_write(func, target)
        name = func.overloadpacket.__name__
        if self.awaiting_op:
            for saved in self.awaiting_op:
                saved.op = name
            self.awaiting_op.clear()
        out = func(*args, **kwargs)
        self.last_op = name
        if name in MULTI_VIEW_OPS:
            self._remember_views(name, out)
        return out

    def built_at(self, module: torch.nn.Module) -> Location | None:
        """The user's line that built `module`, when it was built while watching."""
        ref, where = self.built.get(id(module), (None, None))
        return where if ref is not None and ref() is module else None

    def _check_write(self, func: object, target: torch.Tensor) -> None:
        for ref in self.saved.get(_storage(target), []):
            saved = ref()
            if saved is None or saved.version != target._version:
                continue
            frame = user_frame(sys._getframe(2))
            if frame is None:
                continue
            module = _module_doing(sys._getframe(2))
            violation = Violation(
                write=Location(frame.f_code.co_filename, frame.f_lineno), op=func.overloadpacket.__name__,  # type: ignore[attr-defined]
                kind="saved", saved_op=saved.op.lstrip("_"), saved_role=saved.role, saved_at=saved.where,
                versions=(saved.version, saved.version + 1), inside=_first_repr_line(module),
                written=holders(frame, target), saved_in=saved.module,
                inside_path=module_path(frame, module) if module else None,
                saved_expr=source_of(saved.where.path, saved.span) if saved.where else None,
                inside_built_at=self.built_at(module) if module else None,
            )
            self.pending.setdefault(id(saved), []).append(violation)

    def _remember_views(self, name: str, out: object) -> None:
        frame = user_frame(sys._getframe(2))
        where = Location(frame.f_code.co_filename, frame.f_lineno) if frame is not None else None
        expression = source_of(where.path, expression_at(frame)) if frame is not None and where is not None else None
        for tensor in out if isinstance(out, (list, tuple)) else [out]:
            if isinstance(tensor, torch.Tensor):
                self.multi_views[_storage(tensor)] = (name, where, expression)

    def pack(self, tensor: torch.Tensor) -> Saved:
        # autograd saves an op's inputs when it builds the op's node, before running it, and its outputs
        # after, when they hold that newest node: the output's node is the last one numbered
        node = tensor.grad_fn
        is_output = node is not None and node._sequence_nr() == _next_node_number() - 1
        frame = user_frame(sys._getframe(1))
        where = Location(frame.f_code.co_filename, frame.f_lineno) if frame is not None else None
        with torch._C._DisableTorchDispatch():  # our own detach() is not the program's op
            saved = Saved(tensor, self.last_op if is_output else "an op", "output" if is_output else "input", where,
                          _forward_class(sys._getframe(1)), expression_at(frame) if frame is not None else None)
        if not is_output:
            self.awaiting_op.append(saved)  # the op about to run saved it: named when it is dispatched
        storage = _storage(tensor)
        self.saved.setdefault(storage, []).append(weakref.ref(saved))
        return saved

    def unpack(self, saved: Saved) -> torch.Tensor:
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        if saved.tensor._version == saved.version:
            return saved.tensor
        saved.settle()
        writes = self.pending.get(id(saved), [])
        for violation in writes:
            self.report.add(_replace(violation, failed=True, saved_op=saved.op, saved_role=saved.role, saved_node=saved.node))
        where = f" (written at {writes[0].write.show()})" if writes else ""
        expression = source_of(saved.where.path, saved.span) if saved.where else None
        op = as_written(expression, saved.module or saved.node) if expression else saved.op.lstrip("_")
        raise RuntimeError(
            f"{INPLACE_MESSAGE}: the {saved.role} of {op} saved at "
            f"{saved.where.show() if saved.where else '?'} is at version {saved.tensor._version}; "
            f"expected version {saved.version} instead{where}."
        )

    def finish(self) -> None:
        """Keep the writes that have not (yet) failed a backward, for the report at exit."""
        for writes in self.pending.values():
            for violation in writes:
                seen = (violation.write, violation.saved_at, violation.versions)
                if not any(v.failed and (v.write, v.saved_at, v.versions) == seen for v in self.report.violations):
                    self.report.add(violation)

    def explain_exception(self, error: BaseException) -> None:
        """Errors autograd raises in forward (leaf, multi-view): name the line from the traceback."""
        message = str(error)
        if "a leaf Variable that requires grad" in message:
            kind = "leaf"
        elif "returns multiple views" in message:
            kind = "multi-view"
        else:
            return
        frame, line = _innermost_user_frame(error.__traceback__)
        if frame is None:
            return
        write = Location(frame.f_code.co_filename, line)
        made = self._view_origin(frame, write) if kind == "multi-view" else None
        name = _written_name(write)
        module = _module_doing(_innermost_frame(error.__traceback__))  # `self.act(w)`, a ReLU(inplace=True)
        self.report.add(Violation(
            write=write, op=_written_method(write) or "", kind=kind,
            saved_op=made[0] if made else "split/chunk/unbind", saved_at=made[1] if made else None, failed=True,
            saved_expr=made[2] if made else None,
            written=(name,) if name else (), inside=_first_repr_line(module),
            inside_path=module_path(frame, module) if module else None,
            inside_built_at=self.built_at(module) if module else None,
        ))

    def _view_origin(self, frame: FrameType, write: Location) -> tuple[str, Location | None, str | None] | None:
        name = _written_name(write)
        value = frame.f_locals.get(name) if name else None
        return self.multi_views.get(_storage(value)) if isinstance(value, torch.Tensor) else None


def _module_doing(frame: FrameType | None) -> torch.nn.Module | None:
    """The innermost torch.nn module running torch's own code at `frame`, such as `ReLU(inplace=True)`."""
    while frame is not None and frame.f_code.co_filename.startswith(SKIPPED_DIRS):
        module = frame.f_locals.get("self")
        if isinstance(module, torch.nn.Module):
            return module
        frame = frame.f_back
    return None


def module_path(frame: FrameType, module: torch.nn.Module) -> str | None:
    """How the user's code at `frame` reaches `module`: `self.act`, `model.2`, `self.body.0.1`."""
    holders = sorted(frame.f_locals.items(), key=lambda item: item[0] != "self")  # `self` first
    for name, value in holders:
        if isinstance(value, torch.nn.Module):
            for sub, found in value.named_modules():
                if found is module:
                    return f"{name}.{sub}" if sub else name
    return None


def _forward_class(frame: FrameType | None) -> str | None:
    """The class of the innermost torch module `forward` running at `frame` ("LayerNorm"), from the
    code objects alone: it runs for every saved tensor, where reading a frame's locals costs too much."""
    while frame is not None and frame.f_code.co_filename.startswith(SKIPPED_DIRS):
        owner, _, method = getattr(frame.f_code, "co_qualname", "").rpartition(".")
        if method == "forward" and owner and "<" not in owner:
            return owner
        frame = frame.f_back
    return None


def _storage(tensor: torch.Tensor) -> int:
    return tensor.untyped_storage().data_ptr()


def _replace(violation: Violation, **changes: object) -> Violation:
    from dataclasses import replace

    return replace(violation, **changes)


def _innermost_user_frame(tb: TracebackType | None) -> tuple[FrameType | None, int]:
    found: tuple[FrameType | None, int] = (None, 0)
    for frame, line in traceback.walk_tb(tb):
        if not frame.f_code.co_filename.startswith(SKIPPED_DIRS):
            found = (frame, line)
    return found


def _innermost_frame(tb: TracebackType | None) -> FrameType | None:
    frame = None
    for frame, _ in traceback.walk_tb(tb):
        pass
    return frame


def _written_statement(write: Location) -> ast.stmt | None:
    try:
        tree = ast.parse(write.code())
    except SyntaxError:
        return None
    return tree.body[0] if tree.body else None


def _written_name(write: Location) -> str | None:
    """The name whose tensor the line writes: `a` in `a.add_(1)`, `a[0] = 1`, `a += 1`."""
    stmt = _written_statement(write)
    node: ast.AST | None = None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
        node = stmt.value.func.value
    elif isinstance(stmt, (ast.Assign, ast.AugAssign)):
        node = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _written_method(write: Location) -> str | None:
    stmt = _written_statement(write)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
        return stmt.value.func.attr
    return None


@contextlib.contextmanager
def watch() -> Iterator[TraceReport]:
    """Watch the block: `with watch() as report: ...`, then `report.violations` / `report.findings`."""
    report = TraceReport()
    watcher = Watcher(report)
    try:
        with torch.autograd.graph.saved_tensors_hooks(watcher.pack, watcher.unpack), watcher.constructions(), watcher:
            yield report
    except BaseException as error:
        watcher.explain_exception(error)
        raise
    finally:
        watcher.finish()


def _first_repr_line(module: object) -> str | None:
    """The first line of the module's repr (`Sequential(`), or None outside a module."""
    return repr(module).split("\n")[0] if module else None
