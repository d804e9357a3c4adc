"""Rebinding a sequence around one element written out of place: which elements qualify, and the
rebuilt tuple holds every other element where it was (run on real tuples)."""

from __future__ import annotations

import libcst as cst
import pytest

from fixer.rule import rebound_element
from fixer.analysis.element_holders import literal_index


@pytest.mark.parametrize(("spelled", "expected"), [("out[0]", ("out", 0)), ("out[2]", ("out", 2)),
                                                   ("out[-1]", ("out", -1)), ("out[-3]", ("out", -3))])
def test_a_literal_position_of_a_name_qualifies(spelled: str, expected: tuple[str, int]) -> None:
    assert literal_index(cst.parse_expression(spelled)) == expected


@pytest.mark.parametrize("spelled", ["out[i]", "out[0][1]", "self.out[0]", "out[0:1]", "out[0, 1]", "out['a']", "out[f(0)]"])
def test_other_elements_have_no_name_to_rebind(spelled: str) -> None:
    assert literal_index(cst.parse_expression(spelled)) is None


@pytest.mark.parametrize("index", [0, 1, 2, 3, -1, -2, -3, -4])
def test_the_rebuilt_tuple_replaces_only_the_element(index: int) -> None:
    element = cst.parse_expression(f"out[{index}]")
    assert isinstance(element, cst.Subscript)
    statement = cst.Module([]).code_for_node(rebound_element(element, cst.Name("new"), in_list=False))
    scope = {"out": ("a", "b", "c", "d"), "new": "N"}
    exec(statement, {}, scope)
    expected = list("abcd")
    expected[index] = "N"
    assert scope["out"] == tuple(expected)


def test_a_list_keeps_being_a_list() -> None:
    element = cst.parse_expression("out[-1]")
    assert isinstance(element, cst.Subscript)
    assert cst.Module([]).code_for_node(rebound_element(element, cst.Name("new"), in_list=True)).strip() == "out[-1] = new"
