"""Check the generated torch tables against the installed torch and their own loader."""

from __future__ import annotations

import importlib.util
import pathlib
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from fixer.analysis.tables import InplaceMethod, torch_tables  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = pathlib.Path("/work/shared/bench/perf_inplace_methods.txt")
RANDOM_FILLS = ["normal_", "uniform_", "bernoulli_", "exponential_", "geometric_", "cauchy_", "log_normal_", "random_"]
DTYPES = [torch.float32, torch.float64, torch.int64]
TABLES = torch_tables()


def load_generator() -> Any:
    """Import scripts/gen_torch_tables.py as a module."""
    spec = importlib.util.spec_from_file_location("gen_torch_tables", ROOT / "scripts" / "gen_torch_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()  # one instance: its probe results are cached across tests


def assert_exact(actual: Any, expected: Any) -> None:
    """Assert equal values (NaN equal to NaN), dtype and shape."""
    torch.testing.assert_close(actual, expected, rtol=0, atol=0, equal_nan=True)


def out_of_place(entry: InplaceMethod, x: Any, **args: Any) -> Any:
    """Evaluate a special template with self bound to ``x`` and omitted params at their defaults."""
    assert entry.template is not None
    names = {p: (p if p in args else entry.defaults[p]) for p in entry.params}
    return eval(entry.template.format(self="self", **names), {"torch": torch}, {"self": x, **args})


def in_place(name: str, x: Any, **args: Any) -> Any:
    """Run the in-place method on a clone of ``x``, passing ``args`` positionally, and return the clone."""
    y = x.clone()
    getattr(y, name)(*args.values())  # copy_'s Python binding calls its first argument "other", not "src"
    return y


def sample(dtype: Any, shape: tuple[int, ...] = (4, 3)) -> Any:
    """Build a random tensor of ``dtype`` with some negative values."""
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype)
    return torch.randint(-5, 5, shape, dtype=dtype)


def test_committed_file_matches_installed_torch() -> None:
    generator = GENERATOR
    committed = (ROOT / "fixer" / "data" / "torch_tables.json").read_text(encoding="utf-8")
    assert generator.render() == committed
    assert generator.main(["--check"]) == 0


def test_every_public_inplace_method_is_classified() -> None:
    bench = {line.split("\t")[0] for line in BENCH.read_text().splitlines() if line and not line.startswith("#")}
    public = {n for n in dir(torch.Tensor) if n.endswith("_") and not n.startswith("_")}
    classified = set(TABLES.inplace_methods) | (TABLES.non_writes & public)
    assert public == bench == classified
    assert not set(TABLES.inplace_methods) & TABLES.non_writes


def test_hand_checked_facts() -> None:
    assert TABLES.inplace_methods["zero_"].twin is None
    assert all(m.twin != "zero" for m in TABLES.inplace_methods.values())
    assert "requires_grad_" in TABLES.non_writes and "requires_grad_" not in TABLES.inplace_methods
    assert all(TABLES.inplace_methods[n].kind == "display_only" for n in RANDOM_FILLS)
    assert TABLES.inplace_params["torch.nn.LeakyReLU"] == 1
    assert TABLES.inplace_params["torch.nn.functional.dropout"] == 3
    assert TABLES.inplace_functions["torch.nn.functional.relu_"] == "torch.nn.functional.relu"
    assert "torch.nn.init.xavier_uniform_" in TABLES.init_functions
    assert TABLES.saves["relu"].result and not TABLES.saves["relu"].inputs
    assert not TABLES.saves["native_batch_norm"].result  # only the saved mean and invstd
    assert TABLES.saves["addmm"].args == ("self", "mat1", "mat2")
    assert TABLES.saves["mul"].inputs == {"self", "other"} and not TABLES.saves["add"].inputs
    assert TABLES.tensor_method_ops["softmax"] == "_softmax"
    # composites (no derivatives.yaml entry of their own), run under saved_tensors_hooks
    assert TABLES.saves["normalize"].inputs == {"input"} and not TABLES.saves["normalize"].result
    assert TABLES.saves["softsign"].inputs == {"input"}
    assert not TABLES.saves["dropout"].inputs and not TABLES.saves["dropout"].result  # only its mask


def test_a_composite_saves_what_the_table_says() -> None:
    """F.normalize(x) then `x` written in place: backward fails, as the probed entry predicts."""
    x = torch.randn(2, 3, requires_grad=True) * 1
    y = torch.nn.functional.normalize(x, dim=1)
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_non_writes_leave_the_version_counter_alone() -> None:
    x = torch.randn(3, requires_grad=True) * 1
    before = x._version
    x.retain_grad()
    x.detach_()
    x.requires_grad_(True)
    x.share_memory_()
    assert x._version == before
    assert {"requires_grad_", "detach_", "share_memory_", "retain_grad"} <= TABLES.non_writes


# Argument tuples tried on every same-kind method of a (4, 3) float tensor with values in [0.5, 1.5).
SAME_KIND_ARGUMENTS = [(), (torch.rand(4, 3) + 0.5,), (torch.rand(3) + 0.5,), (0,), (0, 1), (2,)]


@pytest.mark.filterwarnings("ignore:This overload of:UserWarning")
@pytest.mark.parametrize("name", sorted(n for n, m in TABLES.inplace_methods.items() if m.kind == "same"))
def test_same_twin_gives_what_inplace_leaves(name: str) -> None:
    twin = TABLES.inplace_methods[name].twin
    x = torch.rand(4, 3) + 0.5
    tried = 0
    for args in SAME_KIND_ARGUMENTS:
        y = x.clone()
        try:
            getattr(y, name)(*args)
        except (RuntimeError, TypeError, IndexError, ValueError):
            continue
        tried += 1
        assert_exact(getattr(x, twin)(*args), y)
    if name in {"add_", "mul_", "sigmoid_", "relu_", "unsqueeze_", "t_", "transpose_", "clamp_min_"}:
        assert tried, f"{name} was never exercised"


def test_same_twins_with_structured_arguments() -> None:
    x = torch.randn(4, 3)
    mask = x > 0
    index = torch.tensor([[0, 1, 2], [3, 0, 1]])
    cases = {
        "masked_fill_": (mask, 1.5),
        "index_put_": ((torch.tensor([0, 2]),), torch.ones(3)),
        "scatter_": (0, index, torch.ones(2, 3)),
        "scatter_add_": (0, index, torch.ones(2, 3)),
        "index_add_": (0, torch.tensor([1, 3]), torch.ones(2, 3)),
        "clamp_": (-0.5, 0.5),
        "lerp_": (torch.zeros(4, 3), 0.25),
        "addcmul_": (x, x),
    }
    for name, args in cases.items():
        twin = TABLES.inplace_methods[name].twin
        y = x.clone()
        getattr(y, name)(*args)
        assert_exact(getattr(x, twin)(*args), y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_template(dtype: Any) -> None:
    x = sample(dtype)
    assert_exact(out_of_place(TABLES.inplace_methods["zero_"], x), in_place("zero_", x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "value", [2.5, 3, -2.7, True, torch.tensor(1.5), torch.tensor(-4), torch.tensor(2.5, dtype=torch.float64)]
)
def test_fill_template(dtype: Any, value: Any) -> None:
    x = sample(dtype)
    assert_exact(out_of_place(TABLES.inplace_methods["fill_"], x, value=value), in_place("fill_", x, value=value))


def test_fill_template_keeps_the_gradient_of_a_tensor_value() -> None:
    value = torch.tensor(2.0, requires_grad=True)
    out_of_place(TABLES.inplace_methods["fill_"], torch.zeros(4, 3), value=value).sum().backward()
    assert value.grad == 12


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("src_dtype", DTYPES)
@pytest.mark.parametrize("src_shape", [(4, 3), (1, 3), (3,), (4, 1), ()])
@pytest.mark.parametrize("non_blocking", [None, False, True])
def test_copy_template(dtype: Any, src_dtype: Any, src_shape: tuple[int, ...], non_blocking: Any) -> None:
    x, src = sample(dtype), sample(src_dtype, src_shape)
    args = {"src": src} if non_blocking is None else {"src": src, "non_blocking": non_blocking}
    result = out_of_place(TABLES.inplace_methods["copy_"], x, **args)
    assert_exact(result, in_place("copy_", x, **args))
    assert result.data_ptr() != src.data_ptr()


BOOL_RESULT = sorted(
    n for n, m in TABLES.inplace_methods.items() if m.kind == "special" and m.template.endswith(".to({self}.dtype)")
)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BOOL_RESULT)
def test_bool_result_templates(name: str, dtype: Any) -> None:
    entry = TABLES.inplace_methods[name]
    x = sample(dtype)
    others = [sample(dtype), sample(dtype, (3,))] + ([] if name.startswith("logical_") else [0, 1.5])
    for other in others:
        args = {"other": other} if entry.params else {}
        assert_exact(out_of_place(entry, x, **args), in_place(name, x, **args))


def test_every_special_template_is_exercised() -> None:
    specials = {n for n, m in TABLES.inplace_methods.items() if m.kind == "special"}
    assert specials == {"zero_", "fill_", "copy_", *BOOL_RESULT}


def test_every_function_twin_exists() -> None:
    generator = GENERATOR
    for inplace, twin in TABLES.inplace_functions.items():
        assert callable(generator.resolve(inplace)) and callable(generator.resolve(twin))
    x = torch.randn(3)
    assert_exact(torch.zeros_like(x), torch.zero_(x.clone()))


def test_view_table_spot_checks() -> None:
    view, maybe = "view", "maybe"
    assert TABLES.view_functions["torch.narrow"].kind == view
    assert TABLES.view_methods["narrow"].kind == view and TABLES.view_methods["unflatten"].kind == view
    assert TABLES.view_methods["reshape"].kind == maybe and TABLES.view_functions["torch.flatten"].kind == maybe
    assert TABLES.view_methods["reshape_as"].kind == maybe  # a same-numel argument of another shape copies
    assert TABLES.view_methods["contiguous"].kind == maybe and TABLES.view_methods["float"].kind == maybe
    assert TABLES.view_methods["cpu"].kind == maybe  # self on CPU, a copy from another device
    assert TABLES.view_methods["detach"].kind == view and TABLES.view_functions["torch.view_as_real"].kind == view
    for name in ("split", "chunk", "unbind"):
        assert TABLES.view_methods[name].multi and TABLES.view_functions[f"torch.{name}"].multi
    assert not TABLES.view_methods["narrow"].multi
    assert TABLES.view_functions["torch.broadcast_tensors"].of == "all"
    assert TABLES.view_functions["torch.narrow"].of == "first"
    assert TABLES.view_functions["torch.nn.functional.dropout"].kind == maybe  # training=False returns its input
    assert {"T", "mT", "H", "mH", "real", "imag", "data"} <= set(TABLES.view_attributes)
    assert "grad" not in TABLES.view_attributes and "shape" not in TABLES.view_attributes
    assert "add" not in TABLES.view_methods and "torch.add" not in TABLES.view_functions


def test_retaining_and_pure_spot_checks() -> None:
    assert {"torch.nn.Parameter", "torch.utils.data.TensorDataset", "torch.nn.Linear", "torch.optim.SGD",
            "torch.distributions.Normal", "torch.utils.data.random_split", "torch.narrow"} <= TABLES.retaining
    assert {"torch.add", "torch.sigmoid", "torch.nn.functional.linear", "torch.nn.functional.relu",
            "torch.cat", "torch.nn.functional.conv2d"} <= TABLES.pure_functions
    assert {"add", "sum", "size", "mul", "clone", "item", "tolist", "numel", "dim"} <= TABLES.pure_methods
    assert not {"register_hook", "retain_grad", "backward", "add_", "view", "reshape", "numpy"} & TABLES.pure_methods
    assert not TABLES.pure_functions & TABLES.retaining
    assert not TABLES.pure_methods & set(TABLES.view_methods)
    assert not TABLES.pure_functions & set(TABLES.view_functions)


def test_table_facts_hold_when_run_directly() -> None:
    feat = torch.arange(12.0).reshape(3, 4)
    rows = torch.narrow(feat, 0, 0, 2)
    feat.mul_(2)
    assert rows[1, 0] == 8  # the view saw the write
    param = torch.nn.Parameter(feat)
    assert param.untyped_storage().data_ptr() == feat.untyped_storage().data_ptr()
    data = torch.utils.data.TensorDataset(feat)
    assert data.tensors[0] is feat


PROBE_SHAPE = (3, 2, 5)  # not the generator's shape, nor its seed: a fresh sample


def probe_entry(generator: Any, table: str, name: str) -> Any:
    """Re-run one view-table entry on fresh samples of another shape and seed and return its tally."""
    probe = generator.torch_probe
    if table == "attributes":
        return probe.probe_attribute(name, shape=PROBE_SHAPE, seed=1)
    if table == "methods":
        func, schemas, recipe, method = getattr(torch.Tensor, name), generator.schemas(name), None, True
    else:
        module, _, short = name.rpartition(".")
        func, method = generator.resolve(name), False
        schemas, recipe = generator.schemas(generator.schema_name(module, short)), generator.FUNCTION_RECIPES.get(name)
    return probe.probe(func, probe.trials_for(func, schemas, method, recipe), method, shape=PROBE_SHAPE, seed=1)


VIEW_ENTRIES = [
    (table, name)
    for table, views in (("methods", TABLES.view_methods), ("functions", TABLES.view_functions),
                         ("attributes", TABLES.view_attributes))
    for name, view in sorted(views.items())
]


@pytest.mark.parametrize(("table", "name"), VIEW_ENTRIES, ids=[f"{t}:{n}" for t, n in VIEW_ENTRIES])
def test_every_view_entry_shares_memory_on_fresh_samples(table: str, name: str) -> None:
    """The proof of the table: each "view" shares memory in every call, each "maybe" in some."""
    tally = probe_entry(GENERATOR, table, name)
    calls, shared = (tally.calls, tally.shared) if tally.calls else (tally.sparse_calls, tally.sparse_shared)
    assert calls, f"{name}: no call succeeded on the fresh samples"
    entry = {"methods": TABLES.view_methods, "functions": TABLES.view_functions,
             "attributes": TABLES.view_attributes}[table][name]
    if entry.kind == "view" and name not in GENERATOR.DEVICE_VIEWS:
        assert shared == calls
    else:
        assert shared
    assert bool(tally.multi) == entry.multi



def breaks_backward(module: Any, shape: tuple[int, ...], write: str, grad: bool = True) -> bool:
    """Call ``module`` on a clone of a leaf, write its input or its output in place, and tell whether backward
    then fails because a value it needed was modified."""
    x = torch.rand(shape, requires_grad=grad).clone()
    out = module(x)
    if not out.requires_grad:
        return False  # no parameter and an input without grad: no backward to break
    with torch.no_grad():
        (x if write == "input" else out).mul_(1)
    try:
        out.sum().backward()
    except RuntimeError as error:
        assert "modified by an inplace operation" in str(error)
        return True
    return False


def writes(module: Any, shape: tuple[int, ...]) -> bool:
    """Tell whether calling ``module`` bumps its input's version counter."""
    x = torch.rand(shape, requires_grad=True).clone()
    before = x._version
    module(x)
    return x._version != before


# (class, constructor arguments, input shape, saves input, saves input for the weight, saves output)
SAVES_BY_HAND = [
    ("LayerNorm", (8,), (2, 8), True, True, False),
    ("ReLU", (), (2, 8), False, False, True),
    ("Sigmoid", (), (2, 8), False, False, True),
    ("Tanh", (), (2, 8), False, False, True),
    ("Softmax", (-1,), (2, 8), False, False, True),
    ("GELU", (), (2, 8), True, False, False),
    ("SiLU", (), (2, 8), True, False, False),
    ("Linear", (8, 3), (2, 8), True, True, False),
    ("Conv2d", (3, 2, 3), (2, 3, 5, 5), True, True, False),
    ("BatchNorm2d", (3,), (2, 3, 4, 4), True, True, False),
    ("MaxPool2d", (2,), (2, 3, 4, 4), True, False, False),
    ("Dropout", (), (2, 8), False, False, False),
    ("Identity", (), (2, 8), False, False, False),
]


@pytest.mark.parametrize(("name", "args", "shape", "saves_input", "for_weight", "saves_output"), SAVES_BY_HAND,
                         ids=[case[0] for case in SAVES_BY_HAND])
def test_module_saves_hold_when_run_directly(name: str, args: tuple[Any, ...], shape: tuple[int, ...],
                                             saves_input: bool, for_weight: bool, saves_output: bool) -> None:
    """Each sampled entry is what a fresh module of another size does, and what PyTorch's formulas say."""
    entry, module = TABLES.module_saves[f"torch.nn.{name}"], getattr(torch.nn, name)
    torch.manual_seed(0)
    ran = (breaks_backward(module(*args), shape, "input"), breaks_backward(module(*args), shape, "input", grad=False),
           breaks_backward(module(*args), shape, "output"))
    assert ran == (saves_input, for_weight, saves_output)
    assert (entry.saves_input, entry.saves_input_for_weight, entry.saves_output) == ran


def test_module_writes_and_views_hold_when_run_directly() -> None:
    saves = TABLES.module_saves
    assert writes(torch.nn.ReLU(inplace=True), (2, 8)) and saves["torch.nn.ReLU"].inplace_writes_input
    assert not writes(torch.nn.ReLU(), (2, 8)) and not saves["torch.nn.ReLU"].writes_input
    assert saves["torch.nn.LeakyReLU"].inplace_writes_input and saves["torch.nn.Dropout"].inplace_writes_input
    assert saves["torch.nn.GELU"].inplace_writes_input is None  # no inplace flag
    assert not saves["torch.nn.AlphaDropout"].inplace_writes_input  # its forward never passes the flag on
    for name, saved in (("LeakyReLU", True), ("ELU", True), ("Hardtanh", False), ("SiLU", False)):
        # leaky_relu_ saves its result where leaky_relu saves its input; hardtanh_ saves a copy of its input
        assert breaks_backward(getattr(torch.nn, name)(inplace=True), (2, 8), "output") == saved
        assert saves[f"torch.nn.{name}"].inplace_saves_output == saved
    x = torch.rand(2, 8)
    assert torch.nn.Identity()(x) is x and saves["torch.nn.Identity"].output_is_input_view
    assert torch.nn.Flatten()(x).data_ptr() == x.data_ptr() and saves["torch.nn.Flatten"].output_is_input_view
    assert torch.nn.Dropout().eval()(x) is x and not saves["torch.nn.Dropout"].output_is_input_view
    dropout_eval = saves["torch.nn.Dropout"].in_eval
    assert dropout_eval is not None and dropout_eval.output_is_input_view and not dropout_eval.inplace_writes_input
    assert saves["torch.nn.modules.activation.ReLU"] is saves["torch.nn.ReLU"]
    assert saves["torch.nn.ReLU"].path == "torch.nn.modules.activation.ReLU"
    assert saves["torch.nn.CrossEntropyLoss"].saved_inputs == {1}  # the class indices, not the logits


def test_every_nn_module_class_is_in_the_module_table_or_unknown_with_a_reason() -> None:
    classes = {f"torch.nn.{n}" for n in dir(torch.nn)
               if isinstance(c := getattr(torch.nn, n), type) and issubclass(c, torch.nn.Module)}
    containers = {f"torch.nn.{n}" for n in GENERATOR.module_probe.CONTAINERS}
    public = {k for k, v in TABLES.module_saves.items() if k != v.path}  # the defining names are aliases
    assert classes == public | set(TABLES.module_unknown) | containers
    assert not public & set(TABLES.module_unknown) and not containers & (public | set(TABLES.module_unknown))
    assert all(TABLES.module_unknown.values())
