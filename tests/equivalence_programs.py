"""Random small PyTorch programs for the differential fuzzer, reproducible from a seed.

A program is one function: `torch.manual_seed(seed)`, then units (a statement or a small block,
each tagged with the feature it exercises: views, containers, helper calls, closures, chains,
loops, dtypes, writes), then an optional loss with `.backward()` and a `return`. Each unit is run
under torch while it is drawn, and dropped when it raises, so the program's forward pass runs.
"""

from __future__ import annotations

import itertools
import keyword
import random
import re
import textwrap
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

HEADER = "import types\n\nimport numpy as np\nimport torch\nimport torch.nn.functional as F\n"
FLOATS = ("torch.float32", "torch.float32", "torch.float16", "torch.bfloat16", "torch.float64")
DTYPES = (*FLOATS, "torch.int64", "torch.bool")
BASE_SHAPES = ((4, 6), (2, 3, 4), (3, 4), (2, 6), (4, 4), (6,))
AUTOGRAD_REFUSALS = ("a leaf Variable that requires grad", "view and its base or another view of its base has been",
                     "is a view and is being modified in-place", "a view of a leaf Variable")
HOLDERS = {  # the unit that creates each holder, added before its first use
    "outs": "outs = []",
    "d": "d = {}",
    "box": "box = types.SimpleNamespace()",
    "keep": "store = []\ndef keep(t):\n    store.append(t)",
    "same": "def same(t):\n    return t",
}


@dataclass(frozen=True)
class Unit:
    """Statements at the function body's indentation, and the features they exercise."""

    code: str
    tags: frozenset[str]


@dataclass(frozen=True)
class Program:
    seed: int
    units: tuple[Unit, ...]

    @property
    def name(self) -> str:
        return f"prog_{self.seed}"

    @property
    def tags(self) -> frozenset[str]:
        return frozenset().union(*(u.tags for u in self.units))

    def source(self) -> str:
        """The function's text (no imports): see `HEADER`. It ends by returning every name it bound:
        what the harness compares, the program reads, as code that wants a value does. A name
        nothing reads after a write cannot tell a rebinding from the write, in a program or here."""
        units = list(self.units)
        value = "None"
        if units and "return" in units[-1].tags:
            value = units.pop().code.removeprefix("return ").strip()
        names = list(dict.fromkeys(n for u in units for n in bound_names(u.code)))
        every = "{" + ", ".join(f"{n!r}: {n}" for n in names) + "}"
        body = "\n".join([f"torch.manual_seed({self.seed})", *(u.code for u in units), f"return {value}, {every}"])
        return f"def {self.name}():\n{textwrap.indent(body, '    ')}\n"

    def without(self, index: int) -> Program:
        return replace(self, units=self.units[:index] + self.units[index + 1:])


def module_source(programs: list[Program]) -> str:
    return HEADER + "".join(f"\n\n{p.source()}" for p in programs)


def generate(seed: int, multiline: bool = False) -> Program:
    """The program of `seed`; the same seed gives the same program on any machine with this torch.

    `multiline` spreads the arguments of some in-place calls over lines (`out.copy_(\n    acc.flatten()\n
    .reshape(...)\n)`), for the printing of rewrites; the statements and their values stay the same.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = _Builder(seed).build()
    return _spread_over_lines(program) if multiline else program


_CALL = re.compile(r"^(?P<head>[\w.\[\]]+\.[a-z_]+_\()(?P<args>.+)\)$")


def _spread_over_lines(program: Program) -> Program:
    """Some single-line in-place calls with their arguments on lines of their own (a separate random stream)."""
    rng = random.Random(-program.seed - 1)
    units = []
    for unit in program.units:
        match = _CALL.match(unit.code)
        if "write" in unit.tags and match and rng.random() < 0.5:
            args = match["args"]
            if match["head"].endswith(".copy_(") and args.isidentifier() and not keyword.iskeyword(args):
                args = f"{args}.flatten()\n    .reshape({args}.shape)"  # a chain over lines, as in issue 14
            unit = replace(unit, code=f"{match['head']}\n    {args}\n)", tags=unit.tags | {"multiline"})
        units.append(unit)
    return replace(program, units=tuple(units))


# drawing ----------------------------------------------------------------------------------------
Draw = Callable[["_Builder"], "tuple[str, set[str]] | None"]


def _shape(s: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"


def _broadcasts(source: tuple[int, ...], target: tuple[int, ...]) -> bool:
    if len(source) > len(target):
        return False
    return all(a in (1, b) for a, b in zip(reversed(source), reversed(target)))


def _non_leaf_with_grad(t: torch.Tensor) -> bool:
    try:
        return t.requires_grad and not t.is_leaf
    except RuntimeError:  # a view of a multi-output op whose base was written: unusable later
        return False


def _leaf_with_grad(t: torch.Tensor) -> bool:
    try:
        return t.requires_grad and t.is_leaf
    except RuntimeError:
        return False


def _refused_but_runs_without_grad(code: str, namespace: dict[str, object]) -> bool:
    """Whether autograd refuses `code` and `no_grad` runs it (the last unit: what it writes is not used again)."""
    try:
        exec(code, dict(namespace))  # noqa: S102 -- our own generated code
    except RuntimeError as error:
        if not any(m in str(error) for m in AUTOGRAD_REFUSALS):
            return False
    except Exception:  # noqa: BLE001 -- any other failure: not this kind of unit
        return False
    else:
        return False
    try:
        with torch.no_grad():
            exec(code, dict(namespace))  # noqa: S102
    except Exception:  # noqa: BLE001
        return False
    return True


def _refuses_writes(t: torch.Tensor) -> bool:
    try:
        return t.requires_grad and (t.is_leaf or t._is_view())
    except RuntimeError:
        return False


def _kind(t: torch.Tensor) -> str:
    return "bool" if t.dtype == torch.bool else "float" if t.is_floating_point() else "int"


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.ns: dict[str, object] = {"torch": torch, "np": np, "F": F, "types": types}
        self.bound: list[str] = []  # names bound by accepted units, in order
        self.units: list[Unit] = []
        self.counter = itertools.count(1)
        self.base = self.rng.choice(BASE_SHAPES)
        self.closures: list[str] = []  # functions defined earlier, called by a later unit
        torch.manual_seed(seed)

    # the namespace -----------------------------------------------------------------------------
    def fresh(self, prefix: str = "t") -> str:
        return f"{prefix}{next(self.counter)}"

    def tensors(self, kinds: str = "float int bool") -> list[tuple[str, torch.Tensor]]:
        seen = dict.fromkeys(self.bound)
        return [(n, v) for n in seen if isinstance(v := self.ns.get(n), torch.Tensor)
                and not v.is_complex() and _kind(v) in kinds]

    def pick(self, kinds: str = "float int bool", grad_bias: float = 0.0) -> tuple[str, torch.Tensor] | None:
        pool = self.tensors(kinds)
        if not pool:
            return None
        graded = [(n, v) for n, v in pool if _non_leaf_with_grad(v)]
        if graded and self.rng.random() < grad_bias:
            return self.rng.choice(graded)
        return self.rng.choice(pool)

    def accept(self, code: str, tags: set[str]) -> bool:
        """Run `code`; keep it as a unit when it runs, else undo its new names."""
        before = set(self.ns)
        try:
            exec(code, self.ns)  # noqa: S102 -- our own generated code, the point of the generator
        except Exception:  # noqa: BLE001 -- any failure: the unit is not kept
            for name in set(self.ns) - before:
                del self.ns[name]
            return False
        self.units.append(Unit(code, frozenset(tags)))
        self.bound += [n for n in self.ns if n not in before]
        self.bound += [n for n in assigned_names(code) if n in self.ns]
        return True

    def need(self, holder: str) -> None:
        if holder not in self.ns:
            self.accept(HOLDERS[holder], {"container"} if holder in ("outs", "d", "box") else {"call"})

    # building ----------------------------------------------------------------------------------
    def build(self) -> Program:
        for _ in range(self.rng.randint(1, 3)):
            self.draw(_factory)
        self.draw(_leaf)
        self.draw(_transform)
        size = self.rng.randint(3, 12)
        weighted = [(_factory, 1), (_leaf, 0.5), (_transform, 2), (_view, 3), (_multi_view, 0.6),
                    (_container, 1.2), (_call, 0.8), (_closure, 0.6), (_closure_use, 0.6), (_write, 5),
                    (_loop, 1.2), (_no_grad, 0.3)]
        draws, weights = zip(*weighted)
        for _ in range(size):
            self.draw(*self.rng.choices(draws, weights))
        if not any("write" in u.tags for u in self.units):
            self.draw(_write, attempts=10)
        if self.rng.random() < 0.12:
            self.raising_write()
        if self.rng.random() < 0.5:
            self.loss()
        self.finish()
        return Program(self.seed, tuple(self.units))

    def draw(self, draw: Draw, attempts: int = 4) -> bool:
        for _ in range(attempts):
            try:
                drawn = draw(self)
            except RuntimeError:  # a tensor torch no longer lets us read (a written multi-output view)
                continue
            if drawn is not None and self.accept(*drawn):
                return True
        return False

    def raising_write(self) -> None:
        """A last write that autograd refuses in the forward pass (a leaf, a view of a multi-output op)."""
        refused = [(n, v) for n, v in self.tensors("float") if _refuses_writes(v)]
        for _ in range(4 if refused else 0):
            code, tags = _write_code(self, *self.rng.choice(refused))
            if _refused_but_runs_without_grad(code, self.ns):
                self.units.append(Unit(code, frozenset(tags | {"refused"})))
                return

    def loss(self) -> None:
        graded = [n for n, v in self.tensors("float") if v.requires_grad]
        if not graded:
            return
        terms = self.rng.sample(graded, min(len(graded), self.rng.randint(1, 3)))
        loss = " + ".join(f"{n}.float().{self.rng.choice(['sum()', 'pow(2).sum()', 'mean()'])}" for n in terms)
        self.units.append(Unit(f"loss = {loss}\nloss.backward()", frozenset({"backward"})))

    def finish(self) -> None:
        pool = [n for n, _ in self.tensors()]
        holders = [h for h in ("outs", "d", "box", "store") if h in self.ns]
        choice = self.rng.random()
        if choice < 0.2 or not pool:
            return
        if choice < 0.6:
            value = self.rng.choice(pool)
        elif choice < 0.85:
            value = ", ".join(self.rng.sample(pool, min(len(pool), 2)))
        else:
            value = self.rng.choice(holders or pool)
        self.units.append(Unit(f"return {value}", frozenset({"return"})))


def bound_names(code: str) -> list[str]:
    """Names a unit surely binds at the function's level: its assignment targets, and the target of a
    loop over a tuple of tensors (it runs at least once)."""
    first = code.split("\n", 1)[0]
    if first.startswith("for ") and (" in (" in first or " in [" in first):
        return [n.strip() for n in first[4:].split(" in ", 1)[0].split(",") if n.strip().isidentifier()]
    return assigned_names(code)


def assigned_names(code: str) -> list[str]:
    """Names that the first line of `code` assigns (rebinding an existing name counts again)."""
    first = code.split("\n", 1)[0]
    if " = " not in first or first.startswith(("for ", "with ", "def ")):
        return []
    targets = first.split(" = ")[:-1]
    return [n.strip() for t in targets for n in t.split(",") if n.strip().isidentifier()]


# units ------------------------------------------------------------------------------------------
def _some_shape(b: _Builder) -> tuple[int, ...]:
    base = b.base
    options = [base, base, base, base[1:], (1, *base[1:]), (*base[:-1], 1), (base[-1],), ()]
    return b.rng.choice(options)


def _factory(b: _Builder) -> tuple[str, set[str]]:
    s, dtype = _some_shape(b), b.rng.choice(DTYPES)
    n = int(np.prod(s)) if s else 1
    name = b.fresh()
    sh = _shape(s)
    forms = [
        f"torch.randn({sh}, dtype={dtype})" if dtype in FLOATS else f"torch.randint(-3, 4, {sh})",
        f"torch.ones({sh}, dtype={dtype})",
        f"torch.arange({n}, dtype={dtype}).reshape({sh})" if dtype != "torch.bool" else f"torch.rand({sh}) > 0.5",
        f"torch.rand({sh}) > 0.5",
        f"torch.randint(-3, 4, {sh})",
        f"torch.from_numpy(np.linspace(-1.0, 1.0, {n}).reshape({sh}))",
        f"torch.tensor(np.linspace(-2.0, 2.0, {n}).reshape({sh}), dtype={dtype})",
        f"torch.full({sh}, float('nan'), dtype={dtype})" if dtype in FLOATS[2:]
        else f"torch.zeros({sh}, dtype={dtype})",
    ]
    return f"{name} = {b.rng.choice(forms)}", {"factory"}


def _leaf(b: _Builder) -> tuple[str, set[str]]:
    s, dtype = _some_shape(b), b.rng.choice(FLOATS)
    return f"{b.fresh('w')} = torch.randn({_shape(s)}, dtype={dtype}, requires_grad=True)", {"factory", "leaf"}


def _transform(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick("float", grad_bias=0.3)
    leaves = [(n, v) for n, v in b.tensors("float") if _leaf_with_grad(v)]
    if leaves and b.rng.random() < 0.6:
        picked = b.rng.choice(leaves)
    if picked is None:
        return None
    x, _ = picked
    other = b.pick()
    y = other[0] if other else "1.5"
    forms = [f"{x} * 2", f"{x} + 1", f"torch.sigmoid({x})", f"{x}.exp()", f"torch.tanh({x})", f"{x}.relu()",
             f"{x}.clone()", f"{x}.softmax(-1)", f"{x}.to(torch.float16)", f"{x}.double()", f"{x}.float()",
             f"{x}.bfloat16()", f"{x}.sum(0)", f"{x}.mean(-1, keepdim=True)", f"{x} * {y}", f"{x} + {y}",
             f"torch.where({x} > 0, {x}, {y})", f"{x}.abs()", f"{x}.cumsum(0)", f"{x}.pow(2)", f"{x}.log()",
             f"{x}.sqrt()", f"{x} > 0", f"{x}.long()", f"{x}.detach().clone()", f"torch.exp({x}) / {y}"]
    form = b.rng.choice(forms)
    same_dtype = {f"{x}.to(torch.float16)": torch.float16, f"{x}.double()": torch.float64,
                  f"{x}.float()": torch.float32, f"{x}.bfloat16()": torch.bfloat16}.get(form) == picked[1].dtype
    return f"{b.fresh()} = {form}", {"transform", "conversion"} if same_dtype else {"transform"}  # `x` itself


def _views(x: str, s: tuple[int, ...]) -> list[str]:
    """View expressions of `x` (shape `s`): method and function forms, attributes, maybe-views."""
    forms = [f"{x}.view(-1)", f"{x}.view_as({x})", f"{x}.detach()", f"torch.detach({x})", f"{x}.flatten()",
             f"torch.flatten({x})", f"{x}.reshape(-1)", f"torch.reshape({x}, (-1,))", f"{x}.ravel()",
             f"{x}[None]", f"{x}.unsqueeze(0)", f"torch.unsqueeze({x}, -1)", f"{x}[...]", f"{x}.contiguous()",
             f"{x}.expand(2, *{x}.shape)", f"torch.broadcast_to({x}, (2, *{x}.shape))", f"{x}.data",
             f"{x}.view({x}.shape)", f"{x}.as_strided({x}.shape, {x}.stride())", f"torch.atleast_2d({x})",
             f"{x}.squeeze()", f"torch.squeeze({x})", f"{x}.real"]
    if not s:
        return forms
    forms += [f"{x}[0]", f"{x}[1:]", f"{x}[::2]", f"{x}.narrow(0, 0, 1)", f"torch.narrow({x}, 0, 1, {s[0] - 1})",
              f"{x}.select(0, 0)", f"torch.select({x}, 0, -1)", f"{x}.unbind(0)[0]", f"torch.unbind({x})[-1]",
              f"{x}.split(1)[0]", f"torch.split({x}, 1, 0)[-1]", f"{x}.chunk(2)[0]", f"torch.chunk({x}, 2)[-1]",
              f"{x}.unfold(0, 1, 1)", f"{x}[..., :1]", f"{x}.movedim(0, -1)", f"{x}.tensor_split(2)[1]",
              f"{x}.unflatten(0, ({s[0]}, 1))"]
    if len(s) >= 2:
        forms += [f"{x}[:, 0]", f"{x}[:, 1:]", f"{x}.T", f"{x}.mT", f"{x}.transpose(0, 1)",
                  f"torch.transpose({x}, 0, -1)", f"torch.moveaxis({x}, 0, -1)", f"torch.swapaxes({x}, 0, 1)",
                  f"{x}.swapdims(-1, -2)", f"{x}.permute({', '.join(map(str, reversed(range(len(s)))))})",
                  f"{x}.diagonal()", f"torch.diagonal({x}, 0, 0, 1)", f"{x}.view({s[0]}, -1)",
                  f"{x}.flatten(0, 1)", f"{x}[1, ...]", f"{x}.unfold(-1, 2, 1)"]
    if len(s) == 2:
        forms += [f"{x}.t()", f"torch.t({x})", f"{x}.diag()" if s[0] == s[1] else f"{x}.mT"]
    if s[-1] == 2 or (s and s[-1] % 2 == 0):
        forms += [f"torch.view_as_real(torch.view_as_complex({x}.unflatten(-1, (-1, 2))))"]
    return forms


def _view(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick(grad_bias=0.6)
    if picked is None:
        return None
    x, v = picked
    if b.rng.random() < 0.15:  # a view of a view
        view = b.rng.choice(_views(x, tuple(v.shape)))
        return f"{b.fresh()} = {b.rng.choice(_views(f'({view})', ()))}", {"view"}
    return f"{b.fresh()} = {b.rng.choice(_views(x, tuple(v.shape)))}", {"view"}


def _multi_view(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick(grad_bias=0.6)
    if picked is None or picked[1].dim() == 0:
        return None
    x, v = picked
    s = tuple(v.shape)
    lo, hi = b.fresh(), b.fresh()
    forms = []
    if s[0] == 2:
        forms += [f"{lo}, {hi} = {x}.unbind(0)", f"{lo}, {hi} = torch.unbind({x})", f"{lo}, {hi} = {x}"]
    if s[0] % 2 == 0:
        forms += [f"{lo}, {hi} = {x}.chunk(2)", f"{lo}, {hi} = torch.split({x}, {s[0] // 2})",
                  f"{lo}, {hi} = {x}.view(2, -1).unbind(0)"]
    if s[-1] % 2 == 0:
        forms += [f"{lo}, {hi} = {x}.chunk(2, -1)", f"{lo}, {hi} = torch.tensor_split({x}, 2, -1)"]
    if not forms:
        forms = [f"{lo}, {hi} = {x}.split([1, {s[0] - 1}])"]
    return b.rng.choice(forms), {"view", "unpack"}


def _container(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick(grad_bias=0.6)
    if picked is None:
        return None
    x, _ = picked
    y = b.pick()
    y_name = y[0] if y else x
    kind = b.rng.randrange(12)
    if kind < 5:
        b.need("outs")
        return b.rng.choice([f"outs.append({x})", f"outs += [{x}]", f"outs.extend([{x}, {y_name}])",
                             f"outs.insert(0, {x})", f"outs.append({x}.view(-1))"]), {"container"}
    if kind < 7:
        b.need("d")
        return b.rng.choice([f"d['{x}'] = {x}", f"d.update(k={x})", f"d.setdefault('s', {x})"]), {"container"}
    if kind < 8:
        b.need("box")
        return f"box.{x} = {x}", {"container", "attribute"}
    if kind < 10:
        return (f"{b.fresh('pair')} = " + b.rng.choice([f"({x}, {y_name})", f"[{x}]", f"{{'a': {x}}}",
                                                         f"dict(a={x})", f"({x},)"])), {"container"}
    # chained assignment: two names (or a holder and a name) for one new tensor
    z = b.fresh()
    value = b.rng.choice([f"{x} * 1", f"torch.sigmoid({x})", f"{x}.clone()", f"{x} + 0"])
    if kind == 10:
        return f"{z} = {b.fresh()} = {value}", {"container", "chained"}
    b.need("box")
    return f"box.{z} = {z} = {value}", {"container", "chained", "attribute"}


def _call(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick(grad_bias=0.6)
    if picked is None:
        return None
    x, _ = picked
    kind = b.rng.randrange(6)
    if kind == 5:
        m = b.fresh("m")
        attach = b.rng.choice([f"{m}.register_buffer('buf', {x})", f"{m}.cache = {x}",
                               f"{m}.register_buffer('buf', {x}.view(-1))"])
        return f"{m} = torch.nn.Module()\n{attach}", {"call", "module"}
    if kind == 0:
        b.need("keep")
        return f"keep({x})", {"call"}
    if kind == 1:
        b.need("same")
        return f"{b.fresh()} = same({x})", {"call"}
    if kind == 2:
        return f"{b.fresh('p')} = torch.nn.Parameter({x}, requires_grad=False)", {"call"}
    if kind == 3:
        return f"{b.fresh('ds')} = torch.utils.data.TensorDataset({x})", {"call"}
    return f"{b.fresh()} = {b.rng.choice(['torch.as_tensor', 'torch.asarray', 'torch.atleast_1d'])}({x})", {"call"}


def _closure(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick(grad_bias=0.6)
    if picked is None:
        return None
    x, _ = picked
    y = b.pick()
    y_name = y[0] if y else x
    name = b.fresh("f")
    kind = b.rng.randrange(3)
    if kind == 0:
        code = f"def {name}():\n    return {x} * 1"
    elif kind == 1:
        code = f"{name} = lambda: {x}.sum()"
    else:
        code = f"def {name}():\n    yield {x}\n    yield {y_name}"
    b.closures.append(name)
    return code, {"closure"}


def _closure_use(b: _Builder) -> tuple[str, set[str]] | None:
    if not b.closures:
        return None
    f = b.rng.choice(b.closures)
    if b.ns.get(f) is not None and getattr(b.ns[f], "__code__", None) and b.ns[f].__code__.co_flags & 0x20:
        op, _ = _inplace_call(b, "g", torch.ones(()), "float")
        return b.rng.choice([f"{b.fresh('vals')} = list({f}())", f"for g in {f}():\n    g.{op}"]), {"closure", "loop"}
    return f"{b.fresh()} = {f}()", {"closure"}


# writes -----------------------------------------------------------------------------------------
def _operand(b: _Builder, target: torch.Tensor, shape: tuple[int, ...] | None = None) -> tuple[str, bool]:
    """An operand for a write to `target` (broadcasting to `shape`), and whether its dtype differs."""
    shape = tuple(target.shape) if shape is None else shape
    kind = _kind(target)
    r = b.rng.random()
    if r < 0.35:
        number = {"float": ["0.5", "2", "-1.5", "3.0", "float('nan')", "True"], "int": ["2", "-1", "3"],
                  "bool": ["True", "False"]}[kind]
        return b.rng.choice(number), False
    if r < 0.45:
        return f"torch.from_numpy(np.full({_shape(shape)}, 0.25))", target.dtype != torch.float64
    pool = [(n, v) for n, v in b.tensors() if _broadcasts(tuple(v.shape), shape)]
    if not pool or r < 0.5:
        return f"torch.ones({_shape(shape)}, dtype=torch.float32)", target.dtype != torch.float32
    name, value = b.rng.choice(pool)
    if r < 0.6 and value.dim() > 0 and value.is_floating_point():
        name = f"{name}.mean()"
    return name, value.dtype != target.dtype


def _inplace_call(b: _Builder, x: str, v: torch.Tensor, kind: str | None = None) -> tuple[str, bool]:
    """An in-place method call on `x` (without the receiver) for `v`'s dtype; True when an operand's dtype differs."""
    kind = kind or _kind(v)
    o, mixed = _operand(b, v)
    s = tuple(v.shape)
    common = [f"fill_({o if b.rng.random() < 0.5 else '1'})", "zero_()", f"copy_({o})",
              f"masked_fill_({x} > 0 if {x}.dtype != torch.bool else {x}, {'True' if kind == 'bool' else '0'})"]
    if kind == "bool":
        call = b.rng.choice([*common, f"logical_or_({o})", f"logical_and_({o})", f"__ior__({o})"])
        return call, mixed and o in call
    numeric = [f"add_({o})", f"sub_({o})", f"mul_({o})", "clamp_(min=0)", "neg_()", "abs_()", f"add_({o}, alpha=2)"]
    if s:
        numeric.append(f"index_add_(0, torch.tensor([0]), {x}[:1] * 2)")
    if kind == "int":
        call = b.rng.choice([*common, *numeric, f"floor_divide_({o})", f"remainder_({o})", "__ilshift__(1)"])
    else:
        call = b.rng.choice([*common, *numeric, *numeric, f"div_({o})", "clamp_(-1, 1)", "relu_()", "sigmoid_()",
                             "tanh_()", "exp_()", "pow_(2)", f"addcmul_({o}, {o})", f"lerp_({x} * 0, 0.5)",
                             "clamp_min_(0)", "sqrt_()", "log_()", "floor_()", "round_()",
                             f"addcdiv_({o}, {x}.exp())"])
    return call, mixed and o in call


AUGMENTED = {"float": ["+", "-", "*", "/", "//", "%", "**"],
             "int": ["+", "-", "*", "//", "%", "&", "|", "^", "<<", ">>"],
             "bool": ["&", "|", "^"]}


def _write_code(b: _Builder, x: str, v: torch.Tensor) -> tuple[str, set[str]]:
    """One write to `x` (a name or holder expression bound to `v`) and its tags."""
    kind = _kind(v)
    tags = {"write"}
    form = b.rng.randrange(10)
    s = tuple(v.shape)
    if form < 3:
        call, mixed = _inplace_call(b, x, v)
        code = f"{x}.{call}"
        tags |= {"dtype"} if mixed else set()
    elif form < 5:
        o, mixed = _operand(b, v)
        code = f"{x} {b.rng.choice(AUGMENTED[kind])}= {o}"
        tags |= {"dtype"} if mixed else set()
    elif form < 7 and s:
        code, mixed = _index_write(b, x, v)
        tags |= {"index"} | ({"dtype"} if mixed else set())
    elif form < 8:
        (first, mixed), (second, mixed_too) = _inplace_call(b, x, v), _inplace_call(b, x, v)
        if b.rng.random() < 0.4 and kind == "float":
            second, mixed_too = f"mul_({x}.mean())", False
        code = f"{x}.{first}.{second}"
        tags |= {"chain"} | ({"dtype"} if mixed or mixed_too else set())
        if b.rng.random() < 0.3:
            code = f"{b.fresh()} = {code}"
    elif form < 9:
        call, mixed = _inplace_call(b, x, v)
        code = f"{b.fresh()} = {x}.{call}"
        tags |= {"value-use"} | ({"dtype"} if mixed else set())
    else:
        o, mixed = _operand(b, v)
        code = b.rng.choice([f"torch.relu_({x})", f"F.relu_({x})", f"torch.add({x}, {o}, out={x})",
                             f"F.relu({x}, inplace=True)", f"torch.sigmoid_({x})", f"torch.mul({x}, 2, out={x})",
                             f"F.dropout({x}, 0.5, True, True)", f"F.leaky_relu({x}, 0.1, True)"])
        tags |= {"function-form"} | ({"dtype"} if mixed and o in code else set())
    return code, tags


def _index_write(b: _Builder, x: str, v: torch.Tensor) -> tuple[str, bool]:
    s = tuple(v.shape)
    forms: list[tuple[str, tuple[int, ...]]] = [(f"{x}[0]", s[1:]), (f"{x}[1:]", (s[0] - 1, *s[1:])),
                                                 (f"{x}[..., :1]", (*s[:-1], 1)),
                                                 (f"{x}[torch.tensor([0, {s[0] - 1}])]", (2, *s[1:]))]
    if len(s) >= 2:
        forms += [(f"{x}[:, 1]", (s[0], *s[2:])), (f"{x}[0, 0]", s[2:])]
    mask = b.rng.choice([f"{x} > 0", f"{x} != 0", f"torch.ones({_shape(s)}, dtype=torch.bool)"])
    if v.dtype == torch.bool:
        mask = x
    forms.append((f"{x}[{mask}]", ()))
    place, shape = b.rng.choice(forms)
    o, mixed = _operand(b, v, shape)
    if b.rng.random() < 0.3 and _kind(v) != "bool":
        return f"{place} {b.rng.choice(AUGMENTED[_kind(v)][:3])}= {o}", mixed
    return f"{place} = {o}", mixed


def _target(b: _Builder) -> tuple[str, torch.Tensor] | None:
    outs = b.ns.get("outs", [])
    holders = [(f"outs[{i}]", t) for i, t in enumerate(outs) if isinstance(t, torch.Tensor)]  # type: ignore[arg-type]
    if isinstance(box := b.ns.get("box"), types.SimpleNamespace):
        holders += [(f"box.{k}", t) for k, t in vars(box).items() if isinstance(t, torch.Tensor)]
    if holders and b.rng.random() < 0.1:
        return b.rng.choice(holders)
    return b.pick(grad_bias=0.75)


def _write(b: _Builder) -> tuple[str, set[str]] | None:
    picked = _target(b)
    if picked is None:
        return None
    return _write_code(b, *picked)


def _loop(b: _Builder) -> tuple[str, set[str]] | None:
    picked = b.pick(grad_bias=0.75)
    if picked is None:
        return None
    x, v = picked
    kind = b.rng.randrange(5)
    if kind < 2:
        others = [n for n, t in b.tensors(_kind(v)) if n != x]
        names = [x, *b.rng.sample(others, min(len(others), 1))]
        seq = b.rng.choice(["({})", "[{}]"]).format(", ".join(names) + ("," if len(names) == 1 else ""))
        call, mixed = _inplace_call(b, "p", v)
        return f"for p in {seq}:\n    p.{call}", {"loop", "loop-target", "write"} | ({"dtype"} if mixed else set())
    if kind < 4:
        code, tags = _write_code(b, x, v)
        if code.startswith("t") and " = " in code.split("\n")[0] and not code.startswith(x):
            return None  # a value use inside a loop: rebinding each time is fine but noisy
        return f"for i in range({b.rng.randint(1, 3)}):\n{textwrap.indent(code, '    ')}", tags | {"loop"}
    if not v.shape or v.shape[0] < 2:
        return None
    return (f"for i in range(1, {v.shape[0]}):\n    {x}[i] = {x}[i - 1] * 0.5 + {x}[i]",
            {"loop", "index", "write"})


def _no_grad(b: _Builder) -> tuple[str, set[str]] | None:
    leaves = [(n, v) for n, v in b.tensors("float") if _leaf_with_grad(v)]
    picked = b.rng.choice(leaves) if leaves and b.rng.random() < 0.7 else b.pick()
    if picked is None:
        return None
    code, tags = _write_code(b, *picked)
    return f"with torch.no_grad():\n{textwrap.indent(code, '    ')}", tags | {"no-grad"}
