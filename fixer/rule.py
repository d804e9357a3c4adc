"""All a rule imports: the base class, what it may consult, and the values it reports.

A rule module in `codemods/` imports from `fixer` only this module (tests/test_rule_api.py).
"""

from fixer.analysis.messages import LineOf, Message
from fixer.analysis.regions import FileFacts
from fixer.analysis.risk import Risk
from fixer.analysis.tables import torch_tables
from fixer.analysis.tensors import Kind
from fixer.core.codemod import CannotBuild, Codemod, RuleContext, build_expression, cast_to, identifier_end, word_start
from fixer.core.types import Safety, Severity

__all__ = [
    "CannotBuild", "Codemod", "FileFacts", "Kind", "LineOf", "Message", "Risk", "RuleContext", "Safety",
    "Severity", "build_expression", "cast_to", "identifier_end", "torch_tables", "word_start",
]

# names the rules-size split needs
from fixer.analysis.enclosing import enclosing_statement  # noqa: E402
from fixer.analysis.inplace_flags import flag_argument, may_set_inplace  # noqa: E402
from fixer.analysis.layer_order import LayerOrder  # noqa: E402
from fixer.analysis.layer_savers import LayerSavers  # noqa: E402
from fixer.analysis.layer_writes import LayerWrites  # noqa: E402
from fixer.analysis.leaf_writes import grad_free, may_be_leaf  # noqa: E402
from fixer.analysis.leaves import written_leaf  # noqa: E402
from fixer.analysis.method_chains import (  # noqa: E402
    Link as MethodLink, chain, graph_cut, is_data, may_write_tensor, method_names, rebinds, returned_alone, saved_result,
)
from fixer.analysis.order import read_before  # noqa: E402
from fixer.analysis.regions import never_tensor_operand as never_tensor_value  # noqa: E402
from fixer.analysis.scope import qualified  # noqa: E402
from fixer.rewrite.method_twins import MethodTwins  # noqa: E402
from fixer.rewrite.no_grad import no_grad_block, update_unit  # noqa: E402
from fixer.rewrite.placement import CallPlacement  # noqa: E402

__all__ += [
    "CallPlacement", "LayerOrder", "LayerSavers", "LayerWrites", "MethodLink", "MethodTwins", "chain",
    "enclosing_statement", "flag_argument", "grad_free", "graph_cut", "is_data", "may_be_leaf",
    "may_set_inplace", "may_write_tensor", "method_names", "never_tensor_value", "no_grad_block", "qualified",
    "read_before", "rebinds", "returned_alone", "saved_result", "update_unit", "written_leaf",
]
