"""Generated programs and the properties the engine must keep on every one of them.

Shared by the bounded property tests (`tests/test_properties.py`) and the long runs of
`scripts/fuzz.py`. Programs come from hypothesmith (random code from Python's grammar, or from
LibCST's node types), and from inserting in-place tensor statements into such code, so that the
rules, the regions and the fixes all run on shapes nobody wrote a golden case for.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from collections.abc import Callable

import hypothesmith
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fixer.core import diff, engine, registry
from fixer.core.types import ErrorKind, Finding, Safety

RULES = registry.all_rules()
PATH = "fuzz.py"

# The bounded run inside `pytest`: deterministic (the same programs every run, so the suite never
# flakes on another engineer's change), a few seconds in all. `scripts/fuzz.py` explores at random.
settings.register_profile(
    "outplace-bounded",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
BOUNDED = settings.get_profile("outplace-bounded")

HEADER = "import torch\nimport torch.nn.functional as F\n"
TARGETS = ("x", "h", "t", "y", "self.w", "x.data", "out[0]")
VALUES = ("1", "y", "x", "2.0", "torch.ones(3)", "h * 2", "(t + 1)")
INPLACE = (
    "{t} += {v}", "{t} -= {v}", "{t} *= {v}", "{t} /= {v}", "{t} **= 2", "{t} //= {v}", "{t} %= {v}",
    "{t} @= {v}", "{t} |= {v}", "{t} &= {v}", "{t} ^= {v}", "{t} <<= 1", "{t} >>= 1",
    "{t}.add_({v})", "{t}.mul_({v}).add_(1)", "{t}.relu_()", "{t}.sigmoid_()", "{t}.zero_()",
    "{t}.fill_({v})", "{t}.copy_({v})", "{t}.clamp_(min=0)", "{t}.normal_()", "{t}.requires_grad_()",
    "{t}.exp_(); {t}.div_({v})", "z = {t}.add_({v})", "print({t}.mul_(2))", "{t} = {t}.tanh_() + {v}",
    "torch.relu_({t})", "F.relu_({t})", "torch.add({t}, {v}, out={t})", "{t}[0] += {v}",
    "{t}[mask] = {v}", "h = torch.sigmoid({t})", "y = torch.exp(x)", "t = x.clone()",
    "{t}.add_({v}) if {v} else {t}.mul_(2)", "[{t}.add_(1) for _ in range(2)]",
)  # fmt: skip


@st.composite
def inplace_statement(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(INPLACE))
    return template.format(t=draw(st.sampled_from(TARGETS)), v=draw(st.sampled_from(VALUES)))


def generated_code() -> st.SearchStrategy[str]:
    """Random valid Python: mostly from the grammar (fast), sometimes from LibCST nodes."""
    grammar = hypothesmith.from_grammar()
    return st.one_of(grammar, grammar, grammar, hypothesmith.from_node())  # from_node is 4x slower


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: noise, not errors
            ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _statement_starts(text: str) -> list[tuple[int, str]]:
    """(0-based line, indentation) of each statement that begins its own line."""
    lines = text.splitlines(keepends=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    starts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= len(lines):
            line = lines[node.lineno - 1]
            prefix = line[: node.col_offset]
            if prefix.strip(" \t") == "" and len(prefix) == node.col_offset:
                starts.add((node.lineno - 1, prefix))
    return sorted(starts)


@st.composite
def with_inplace_statements(draw: st.DrawFn, code: st.SearchStrategy[str] | None = None) -> str:
    """Generated code with a torch import and in-place statements inserted before its statements.

    Mostly the code is also put in a function whose parameters are tensors, so that the
    inserted writes meet tensor kinds, saved-for-backward facts and safe fixes.
    """
    body = draw(code if code is not None else generated_code())
    if draw(st.integers(0, 3)):
        setup = "    h = torch.sigmoid(x)\n    t = torch.exp(y)\n"
        body = f"def f(x: torch.Tensor, y: torch.Tensor, mask):\n{setup}" + textwrap.indent(body, "    ", lambda line: True) + "    pass\n"
    text = HEADER + body
    if not parses(text):
        return HEADER + "\n"  # e.g. a generated `from __future__` that must come first
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    header = HEADER.count("\n")
    starts = [(number, indent) for number, indent in _statement_starts(text) if number >= header]
    chosen = draw(st.lists(st.sampled_from(starts), min_size=1, max_size=6)) if starts else []
    for number, indent in sorted(set(chosen), reverse=True):
        statement = draw(inplace_statement())
        lines.insert(number, f"{indent}{statement}\n")
    if not starts or draw(st.booleans()):
        lines.append(draw(inplace_statement()) + "\n")
    return "".join(lines)


# Blocks that change what the rules must know: grad mode, loops, branches, nested scopes.
COMPOUND = (
    "if {v}:", "for i in range(3):", "while x.sum() > 0:", "with torch.no_grad():",
    "with torch.enable_grad():", "try:", "def inner(x):", "class Inner:", "else_of_if",
)  # fmt: skip


def _block(statements: list[str]) -> list[str]:
    return [f"    {line}" for statement in statements for line in statement.split("\n")]


@st.composite
def _compound(draw: st.DrawFn, children: st.SearchStrategy[list[str]]) -> list[str]:
    head = draw(st.sampled_from(COMPOUND)).format(v=draw(st.sampled_from(("x", "mask", "True"))))
    body = _block(draw(children))
    if head == "try:":
        return ["try:", *body, "except RuntimeError:", *_block(draw(children))]
    if head == "else_of_if":
        return ["if mask:", *body, "else:", *_block(draw(children))]
    return [head, *body]


def tensor_statements() -> st.SearchStrategy[list[str]]:
    """Statement lists over tensors, nested in branches, loops, grad contexts and inner scopes."""
    simple = st.lists(inplace_statement(), min_size=1, max_size=4)
    return st.recursive(
        simple,
        lambda children: st.lists(st.one_of(inplace_statement().map(lambda s: [s]), _compound(children)), min_size=1, max_size=4).map(
            lambda parts: [line for part in parts for line in part]
        ),
        max_leaves=12,
    )


@st.composite
def tensor_functions(draw: st.DrawFn) -> str:
    """A module of torch code written for the rules: fast to make, and dense with findings."""
    body = "\n".join(_block(draw(tensor_statements())))
    setup = "    h = torch.sigmoid(x)\n    t = torch.exp(y)\n    out = [x]\n"
    function = f"def f(x: torch.Tensor, y: torch.Tensor, mask):\n{setup}{body}\n    return h\n"
    if draw(st.booleans()):
        function = "class M(torch.nn.Module):\n" + textwrap.indent(function.replace("(x:", "(self, x:"), "    ")
    return HEADER + function


def programs() -> st.SearchStrategy[str]:
    """What the fuzzer feeds the engine: generated code as is, with a torch import, or with writes."""
    plain = generated_code()
    return st.one_of(plain, plain.map(lambda code: HEADER + code), with_inplace_statements(plain), tensor_functions())


# the properties --------------------------------------------------------------------------------
class PropertyFailure(AssertionError):
    """A generated program broke a property; `kind` names which, for de-duplication."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def anything(finding: Finding) -> bool:
    return True


def safe_only(finding: Finding) -> bool:
    return finding.safety is Safety.SAFE


def check_program(text: str, accept: Callable[[Finding], bool] = anything) -> str | None:
    """Fix `text` and check every property; return the fixed text (None when unchanged).

    The engine never raises; it fails a file only when the input itself does not parse; its fast
    path (cheap candidates, function regions) finds exactly what a whole-module pass finds; the output
    parses; a second run changes nothing; the unified diff applied to the input gives the output.
    """
    try:
        result = engine.fix(text, PATH, RULES, accept)
    except Exception as error:  # noqa: BLE001 -- the property under test
        raise PropertyFailure("engine raised", f"{type(error).__name__}: {error}") from error
    if result.error is not None:
        if result.error.kind is ErrorKind.PARSE and not parses(text):
            return None
        raise PropertyFailure(f"{result.error.kind.value} error", result.error.message)
    fast, whole = engine.plan(text, PATH, RULES), engine.plan(text, PATH, RULES, fast=False)
    if fast.findings != whole.findings:
        raise PropertyFailure("the fast path disagrees with a whole-module pass", _first_change(
            "\n".join(map(repr, whole.findings)), "\n".join(map(repr, fast.findings))))
    new = result.new_text
    if new is None:
        return None
    if not parses(new):
        raise PropertyFailure("output does not parse", "")
    again = engine.fix(new, PATH, RULES, accept)
    if again.error is not None or again.new_text is not None:
        detail = again.error.message if again.error else f"changed {_first_change(new, again.new_text or '')}"
        raise PropertyFailure("second run changed the output", detail)
    patch = diff.unified_diff(PATH, text, new)
    if apply_unified_diff(text, patch) != new:
        raise PropertyFailure("diff does not reproduce the output", "")
    return new


def _first_change(old: str, new: str) -> str:
    for number, (a, b) in enumerate(zip(old.splitlines(), new.splitlines()), start=1):
        if a != b:
            return f"line {number}: {a.strip()!r} -> {b.strip()!r}"
    return "at the end"


# an applier written apart from fixer.core.diff, so that the diff is checked by other code -----------
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def apply_unified_diff(old: str, patch: str) -> str:
    """Apply a one-file unified diff to `old` as `patch` would, lines split on "\\n" only."""
    source = _LINE.findall(old)
    lines = _LINE.findall(patch)
    out: list[str] = []
    position = 0
    i = 2  # after the "---" and "+++" headers
    while i < len(lines):
        match = _HUNK.match(lines[i])
        assert match, f"not a hunk header: {lines[i]!r}"
        start, length = int(match[1]), int(match[2] if match[2] is not None else 1)
        start = start if length == 0 else start - 1
        out += source[position:start]
        position = start
        i += 1
        last_side = ""
        while i < len(lines) and not lines[i].startswith("@@"):
            tag, body = lines[i][0], lines[i][1:]
            if tag == "\\":  # "\ No newline at end of file": an added line loses its "\n"
                if last_side == "+":  # removed and context lines come from `source`, already right
                    out[-1] = out[-1].removesuffix("\n")
            elif tag in " -":
                expected = source[position]
                assert expected.removesuffix("\n") == body.removesuffix("\n"), f"context mismatch at line {position + 1}"
                position += 1
                if tag == " ":
                    out.append(expected)
            elif tag == "+":
                out.append(body)
            if tag != "\\":
                last_side = tag
            i += 1
    return "".join(out + source[position:])
