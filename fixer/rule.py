"""All a rule imports: the base class, what it may consult, the values it reports, and the
builders its fix is made of.

A rule module in `codemods/` imports from `fixer` only this module (tests/test_rule_api.py).
"""

# The base class, its context and what it reports.
from fixer.core.codemod import Codemod, RuleContext, identifier_end, word_start
from fixer.core.trigger import Shape, Trigger, never_tensor_operand
from fixer.core.types import Safety, Severity
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.risk import Risk
from fixer.analysis.tensors import Kind

# Node builders and statement helpers.
from fixer.core.builders import (
    ATOM, AUGMENTED_TO_BINARY, CannotBuild, assign, build_expression, cast_to, drop_flag, grouped, is_assignable,
    is_text, method, one_tuple, parenthesize, precedence, pure, right_operand,
)
from fixer.core.statements import Statement, StatementStack, hoisted
from fixer.core.batched import children, contains

# Facts a rule may consult beyond its context: the file's cheap facts, names, tables, analyses.
from fixer.analysis.attribute_reads import never_saved
from fixer.analysis.callers import Callee, Passed, callee_of, passed_for, runs_without_grad
from fixer.analysis.dtypes import FLOAT_KEEPS, KEEPS_DTYPE, PROMOTING_METHODS
from fixer.analysis.element_holders import builds_list, element_rebind_safety, literal_index
from fixer.analysis.element_writes import saved_by_own_value
from fixer.analysis.later_iterations import saved_by_a_later_op
from fixer.analysis.leaf_callers import MODULE_PARAMETERS
from fixer.analysis.leaves import is_grad_leaf, is_layer
from fixer.analysis.order import read_before
from fixer.analysis.regions import SAME_TENSOR_ATTRIBUTES, FileFacts, ImportMap, self_parameter
from fixer.analysis.saved import quoted
from fixer.analysis.scope import FunctionFacts, dotted, qualified
from fixer.analysis.tables import torch_tables

__all__ = [
    "ATOM", "AUGMENTED_TO_BINARY", "FLOAT_KEEPS", "KEEPS_DTYPE", "MODULE_PARAMETERS", "PROMOTING_METHODS",
    "SAME_TENSOR_ATTRIBUTES", "Callee", "CannotBuild", "Codemod", "FileFacts", "FunctionFacts", "ImportMap",
    "Kind", "LineOf", "Message", "Passed", "Risk", "RuleContext", "Safety", "Severity", "Shape", "Statement",
    "StatementStack", "Trigger", "assign", "build_expression", "builds_list", "callee_of", "cast_to", "children",
    "code", "contains", "dotted", "drop_flag", "element_rebind_safety", "grouped", "hoisted", "identifier_end",
    "is_assignable", "is_grad_leaf", "is_layer", "is_text", "literal_index", "method", "never_saved",
    "never_tensor_operand", "one_tuple", "parenthesize", "passed_for", "precedence", "pure", "qualified", "quoted",
    "read_before", "right_operand", "runs_without_grad", "saved_by_a_later_op", "saved_by_own_value",
    "self_parameter", "torch_tables", "word_start",
]
