"""Properties of the engine on generated programs (hypothesmith), a bounded run of `scripts/fuzz.py`.

On every program: the engine never raises, it fails a file only when the input does not parse,
every output parses, a second run changes nothing, and the unified diff applied to the input gives
the output. The profile `outplace-bounded` (tests/fuzzing.py) keeps this to a few seconds.
"""

from __future__ import annotations

import ast
import re

import hypothesmith
import libcst as cst
import pytest
from hypothesis import example, given, settings

from fixer.core import diff, engine
from fixer.files import runner
from fixer.core.codemod import Codemod
from fixer.core.types import ErrorKind
from tests.fuzzing import (
    BOUNDED,
    HEADER,
    PropertyFailure,
    apply_unified_diff,
    check_program,
    safe_only,
    tensor_functions,
    with_inplace_statements,
)


@BOUNDED
@given(hypothesmith.from_grammar())
def test_generated_programs_keep_every_property(text: str) -> None:
    check_program(text)
    check_program(HEADER + text)


@BOUNDED
@given(with_inplace_statements(hypothesmith.from_grammar()))
@example(HEADER + "def f(x: torch.Tensor):\n    h = torch.sigmoid(x)\n    h += 1\n    h.mul_(2)\n    return h\n")
def test_generated_code_with_inplace_writes_keeps_every_property(text: str) -> None:
    check_program(text)
    check_program(text, accept=safe_only)


@settings(BOUNDED, max_examples=4)  # LibCST's generator is the slow one
@given(with_inplace_statements(hypothesmith.from_node()))
def test_libcst_generated_code_with_inplace_writes_keeps_every_property(text: str) -> None:
    check_program(text)


def test_the_inserted_writes_are_fixed_so_the_properties_are_not_vacuous() -> None:
    text = HEADER + "def f(x: torch.Tensor):\n    h = torch.sigmoid(x)\n    h += 1\n    return h\n"
    assert check_program(text) == text.replace("h += 1", "h = h + 1")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb", "a\nb\nc"),  # no newline at the end, before and after
        ("a\nb", "a\nB"),
        ("a\r\nb\r\n", "a\r\nx = 1\r\nb\r\n"),
        ("one\rtwo\n", "one\rTWO\n"),  # a lone \r stays inside a line, as git splits lines
        ("".join(f"{i}\n" for i in range(40)), "".join(f"{i}\n" for i in range(40) if i not in (3, 30))),
    ],
)
def test_the_independent_diff_applier_reproduces_known_changes(old: str, new: str) -> None:
    assert apply_unified_diff(old, diff.unified_diff("t.py", old, new)) == new


def test_a_broken_property_is_reported_by_name() -> None:
    """The checker catches a wrong output: here, a diff that does not match the input."""
    patch = diff.unified_diff("t.py", "a\nb\n", "a\nc\n")
    with pytest.raises(AssertionError, match="context mismatch"):
        apply_unified_diff("a\nX\n", patch)
    with pytest.raises(PropertyFailure, match="engine raised"):
        check_program(None)  # type: ignore[arg-type]


class _BrokenTemplate(Codemod):
    """A rule whose template does not parse, as the fuzzer found one (`t.copy_(1)` -> `1.to(...)`)."""

    ID, NAME, FIX_TITLE = "IP999", "broken-template", "never"
    PREFILTER = re.compile(r"\+=")
    AST_NODES = (ast.AugAssign,)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        cst.parse_expression("1.to(device=t.device)")


def test_a_rule_building_code_that_does_not_parse_is_a_crash_not_a_parse_error_of_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = HEADER + "def f(x: torch.Tensor):\n    x += 1\n"
    result = engine.plan(text, "t.py", [_BrokenTemplate])
    assert result.error is not None and result.error.kind is ErrorKind.CRASH
    assert "IP999 built code LibCST cannot parse" in result.error.message
    monkeypatch.setattr(runner, "rules_for", lambda path, options: (_BrokenTemplate,))
    outcome = runner.process_stdin(text.encode(), "t.py", runner.Options())
    assert outcome.result.error is not None and outcome.result.error.kind is ErrorKind.CRASH


@BOUNDED
@given(tensor_functions())
def test_torch_code_written_for_the_rules_keeps_every_property(text: str) -> None:
    check_program(text)
    check_program(text, accept=safe_only)
