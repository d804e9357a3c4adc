"""All a rule imports: the base class, what it may consult, the values it reports, and the
builders its fix is made of.

A rule module in `codemods/` imports from `fixer` only this module (tests/test_rule_api.py).
"""

# The base class, its trigger, its context and what it reports.
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
from fixer.rewrite.clone_runs import CloneRuns
from fixer.rewrite.element_rebind import element_fix, rebound_element
from fixer.rewrite.loop_buffer import LoopFill, loop_fill, stacked
from fixer.rewrite.method_twins import MethodTwins
from fixer.rewrite.no_grad import no_grad_block, update_unit
from fixer.rewrite.scatter import masked_write, scatter, written

# Facts a rule may consult beyond its context: the file's cheap facts, names, tables, analyses.
from fixer.analysis.attribute_reads import never_saved
from fixer.analysis.caller_writes import CallerWrites
from fixer.analysis.callers import Callee, Passed, callee_of, passed_for, runs_without_grad
from fixer.analysis.dtypes import FLOAT_KEEPS, KEEPS_DTYPE, PROMOTING_METHODS
from fixer.analysis.element_holders import builds_list, element_rebind_safety, literal_index
from fixer.analysis.element_writes import element_write_risk, saved_by_own_value
from fixer.analysis.enclosing import enclosing_statement
from fixer.analysis.fresh_buffers import FreshBuffers
from fixer.analysis.grad_free_values import GradFreeValues
from fixer.analysis.index_dataflow import IndexDataflow
from fixer.analysis.index_writes import Write, is_mask, one_index, shaped_like, subscript_target, write_of
from fixer.analysis.inplace_flags import flag_argument, flag_takers, may_set_inplace
from fixer.analysis.later_iterations import saved_by_a_later_op
from fixer.analysis.layer_order import LayerOrder
from fixer.analysis.layer_savers import LayerSavers
from fixer.analysis.layer_writes import LayerWrites
from fixer.analysis.leaf_callers import MODULE_PARAMETERS
from fixer.analysis.leaf_writes import grad_free, may_be_leaf
from fixer.analysis.leaves import is_grad_leaf, is_layer, written_leaf
from fixer.analysis.list_elements import holds_module_outputs, saved_element
from fixer.analysis.method_chains import (
    Link as MethodLink, chain, graph_cut, is_data, may_write_tensor, method_names, rebinds, returned_alone, saved_result,
)
from fixer.analysis.order import read_before
from fixer.analysis.python_numbers import is_int, is_scalar
from fixer.analysis.regions import SAME_TENSOR_ATTRIBUTES, FileFacts, ImportMap, self_parameter
from fixer.analysis.saved import quoted
from fixer.analysis.scope import FunctionFacts, dotted, qualified
from fixer.analysis.tables import FACTORIES, NUMBER_FACTORIES, SIZED_FACTORIES, torch_tables

__all__ = [
    "ATOM", "AUGMENTED_TO_BINARY", "FACTORIES", "FLOAT_KEEPS", "KEEPS_DTYPE", "MODULE_PARAMETERS", "NUMBER_FACTORIES",
    "PROMOTING_METHODS", "SAME_TENSOR_ATTRIBUTES", "SIZED_FACTORIES", "Callee", "CallerWrites",
    "CannotBuild", "CloneRuns", "Codemod", "FileFacts", "FreshBuffers", "FunctionFacts", "GradFreeValues", "ImportMap",
    "IndexDataflow", "Kind", "LayerOrder", "LayerSavers", "LayerWrites", "LineOf", "LoopFill", "Message", "MethodLink",
    "MethodTwins", "Passed", "Risk", "RuleContext", "Safety", "Severity", "Shape", "Statement", "StatementStack",
    "Trigger", "Write", "assign", "build_expression", "builds_list", "callee_of", "cast_to", "chain", "children",
    "code", "contains", "dotted", "drop_flag", "element_fix", "element_rebind_safety", "element_write_risk",
    "enclosing_statement", "flag_argument", "flag_takers", "grad_free", "graph_cut", "grouped", "hoisted",
    "holds_module_outputs", "identifier_end", "is_assignable", "is_data", "is_grad_leaf", "is_int", "is_layer",
    "is_mask", "is_scalar", "is_text", "literal_index", "loop_fill", "masked_write", "may_be_leaf", "may_set_inplace", "may_write_tensor", "method",
    "method_names", "never_saved", "never_tensor_operand", "no_grad_block", "one_index", "one_tuple", "parenthesize",
    "passed_for", "precedence", "pure", "qualified", "quoted", "read_before", "rebinds", "rebound_element",
    "returned_alone", "right_operand", "runs_without_grad", "saved_by_a_later_op", "saved_by_own_value",
    "saved_element", "saved_result", "scatter", "self_parameter", "shaped_like", "stacked", "subscript_target", "torch_tables",
    "update_unit", "word_start", "write_of", "written", "written_leaf",
]
