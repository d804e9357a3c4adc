"""The pure engine: planning, applying subsets by key, regions, suppressions, failures."""

from __future__ import annotations

import ast
import os
import pickle
import re
import subprocess
import sys
import textwrap

import libcst as cst

from fixer.core import engine, registry
from fixer.analysis import regions
from fixer.analysis.regions import WHOLE_MODULE, find_regions, scan
from fixer.core.codemod import Codemod
from fixer.files.sourcefile import split_lines
from fixer.core.types import ErrorKind, FileStatus, Safety

RULES = registry.all_rules()


def safe(finding):
    return finding.safety is Safety.SAFE


def anything(finding):
    return True


def fix(source: str, accept=safe) -> str:
    result = engine.fix(textwrap.dedent(source), "t.py", RULES, accept)
    assert result.error is None, result.error
    return result.new_text if result.new_text is not None else textwrap.dedent(source)


def test_fix_rewrites_both_rules_and_keeps_the_rest_byte_identical():
    source = "import torch\n\n\ndef f(z):  # untouched\n    h = torch.sigmoid(z)\n    h += 1\n    h.mul_(2)\n    return h\n"
    assert fix(source) == source.replace("h += 1", "h = h + 1").replace("h.mul_(2)", "h = h.mul(2)")


def test_any_subset_of_findings_can_be_applied_by_key():
    source = "import torch\n\ndef f(z):\n    h = torch.exp(z)\n    h += 1\n    h.mul_(2)\n    return h\n"
    findings = engine.plan(source, "t.py", RULES).findings
    assert [f.rule_id for f in findings] == ["IP101", "IP102"]
    only_second, applied = engine.apply_fixes(source, findings, {findings[1].key})
    assert applied == (findings[1].key,)
    assert "h += 1" in only_second and "h = h.mul(2)" in only_second


KEYED = "import torch\n\ndef f(z):\n    h = torch.exp(z)\n    h += 1\n    h.mul_(2)\n    return h\n"
PRINT_KEYS = (
    "import sys\nfrom fixer.core import engine, registry\n"
    "print(*[f.key for f in engine.plan(sys.stdin.read(), 't.py', registry.all_rules()).findings], sep='\\n')"
)


def keys_in_a_new_process(hash_seed: str) -> list[str]:
    """The keys of KEYED's findings planned by a fresh interpreter with its own string-hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", PRINT_KEYS], input=KEYED, capture_output=True, text=True,
                          env=env, check=True)  # fmt: skip
    return done.stdout.split()


def test_findings_are_picklable_and_keys_stable_across_runs():
    """Two interpreters with different hash seeds (and object ids) give the same keys: the CLI,
    the cache and the interactive review match findings by key across processes."""
    first = engine.plan(KEYED, "t.py", RULES).findings
    again = pickle.loads(pickle.dumps(engine.plan(KEYED, "t.py", RULES))).findings
    assert [f.key for f in first] == [f.key for f in again]
    one, other = keys_in_a_new_process("1"), keys_in_a_new_process("2")
    assert len(one) == 2 and len(set(one)) == 2, one
    assert one == other == [f.key for f in first]


def test_two_writes_in_one_statement_converge_over_passes():
    source = "import torch\n\ndef f(x, y):\n    a = torch.exp(x)\n    b = torch.exp(y)\n    z = a.add_(1) + b.mul_(2)\n    return z\n"
    out = fix(source)
    assert "a = a.add(1)\n    b = b.mul(2)\n    z = a + b\n" in out
    assert fix(out) == out


def test_syntax_error_is_reported_with_its_line_and_nothing_else():
    result = engine.plan("import torch\nx = torch.ones(1)\nx += (\n", "bad.py", RULES)
    assert result.status is FileStatus.FAILED
    assert result.error.kind is ErrorKind.PARSE and result.error.line == 3


def test_null_bytes_are_a_parse_error_not_a_crash():
    result = engine.plan("import torch\nx = torch.ones(1)\x00\nx += 1\n", "nul.py", RULES)
    assert result.error is not None and result.error.kind is ErrorKind.PARSE


class BrokenRule(Codemod):
    """A rule whose fix of `touch(...)` does not parse, to prove such fixes are refused."""

    ID = "IP999"
    NAME = "broken"
    FIX_TITLE = "break it"
    PREFILTER = re.compile(r"touch\(")
    AST_NODES = (ast.Call,)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "touch":
            self.report(node, "broken", replacement=cst.Expr(cst.Name("lambda")), safety=Safety.SAFE)


TOUCHED = "import torch\n\ndef f(z):\n    h = torch.exp(z)\n    h += 1\n    touch(h)\n    h.mul_(2)\n    return h\n"


def test_a_fix_whose_output_does_not_parse_is_reverted_and_reported():
    source = "import torch\nx = torch.ones(1)\ntouch(x)\n"
    result = engine.fix(source, "t.py", [BrokenRule], anything)
    assert result.status is FileStatus.FINDINGS and result.new_text is None
    assert result.error.kind is ErrorKind.FIX_BROKE_SYNTAX and result.error.line == 3
    assert result.error.describe("t.py") == (
        "t.py:3: fix-broke-syntax error: the fixed code does not parse with the fix of IP999: reverted, the other fixes are applied"
    )
    (finding,) = result.findings
    assert finding.safety is Safety.DISPLAY_ONLY and not finding.fixable
    assert finding.message.endswith("(outplace could not build this rewrite: the fixed code does not parse)")


def test_a_fix_that_does_not_parse_is_dropped_alone_and_the_others_are_applied():
    result = engine.fix(TOUCHED, "t.py", [*RULES, BrokenRule], anything)
    assert result.status is FileStatus.CHANGED
    assert result.new_text == TOUCHED.replace("h += 1", "h = h + 1").replace("h.mul_(2)", "h = h.mul(2)")
    assert result.error.kind is ErrorKind.FIX_BROKE_SYNTAX and result.error.line == 6
    broken = [f for f in result.remaining if f.rule_id == "IP999"]
    assert [f.safety for f in broken] == [Safety.DISPLAY_ONLY]
    assert sorted(f.rule_id for f in result.findings if f.key in result.applied) == ["IP101", "IP102"]


def test_apply_fixes_leaves_out_only_the_fixes_that_break_the_syntax():
    findings = engine.plan(TOUCHED, "t.py", [*RULES, BrokenRule]).findings
    assert [f.rule_id for f in findings] == ["IP101", "IP999", "IP102"]
    new, applied = engine.apply_fixes(TOUCHED, findings, {f.key for f in findings})
    assert applied == (findings[0].key, findings[2].key)
    assert "touch(h)" in new and "h = h + 1" in new and "h = h.mul(2)" in new


class RaisingRule(Codemod):
    """A rule that parses code it built, outside any report, and fails: a bug in the rule."""

    ID, NAME, FIX_TITLE = "IP998", "raising", "never"
    PREFILTER = re.compile(r"touch\(")
    AST_NODES = (ast.Call,)

    def visit_Call(self, node: cst.Call) -> None:
        cst.parse_expression("1.to(device=t.device)")


def test_a_rule_that_raises_building_code_loses_its_findings_not_the_files():
    result = engine.plan(TOUCHED, "t.py", [*RULES, RaisingRule])
    assert [f.rule_id for f in result.findings] == ["IP101", "IP102"]
    assert all(f.fixable for f in result.findings)
    assert result.error.kind is ErrorKind.CRASH and "IP998 built code LibCST cannot parse" in result.error.message
    fixed = engine.fix(TOUCHED, "t.py", [*RULES, RaisingRule], anything)
    assert fixed.new_text == TOUCHED.replace("h += 1", "h = h + 1").replace("h.mul_(2)", "h = h.mul(2)")
    assert fixed.error.kind is ErrorKind.CRASH


COPY_OF_A_CHAIN = """\
import torch

def f(x, acc):
    out = torch.sigmoid(x)
    out.copy_(
        acc.flatten()
        .reshape(2, 3)
    )
    y = torch.sigmoid(x)
    y.mul_(2)
    return out, y
"""


def test_a_template_filled_with_a_multi_line_argument_keeps_its_grouping():
    result = engine.fix(COPY_OF_A_CHAIN, "t.py", RULES, lambda f: True)  # copy_'s twin is unsafe: it drops `out`'s history
    assert result.error is None and len(result.applied) == 2
    assert "    out = (acc.flatten()\n        .reshape(2, 3)).to(device=out.device," in result.new_text


def test_a_rewrite_the_rule_cannot_build_drops_that_fix_and_keeps_the_others(monkeypatch):
    from fixer.rewrite import method_twins

    monkeypatch.setattr(method_twins, "grouped", lambda expr: expr)  # the template as it was: no parentheses
    result = engine.plan(COPY_OF_A_CHAIN, "t.py", RULES)
    assert result.error is None
    copy, mul = result.findings
    assert copy.safety is Safety.DISPLAY_ONLY and "(outplace could not build this rewrite: `acc.flatten()" in copy.message
    assert mul.fixable and mul.replacement == "y = y.mul(2)"


def test_suppression_comments():
    source = """\
        import torch

        def f(z):
            h = torch.exp(z)
            h += 1  # noqa
            h += 2  # noqa: IP101
            h += 3  # outplace: ignore[IP101]
            h += 4  # noqa: IP102
            h.mul_(2)  # outplace: ignore[IP101]
            return h
        """
    findings = engine.plan(textwrap.dedent(source), "t.py", RULES).findings
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("IP101", 8), ("IP102", 9)]
    assert engine.plan("# outplace: skip-file\n" + textwrap.dedent(source), "t.py", RULES).status is FileStatus.SKIPPED


def test_crlf_and_cr_newlines_are_kept_in_inserted_lines():
    source = "import torch\r\ndef f(z):\r\n    h = torch.exp(z)\r\n    y = h.relu_()\r\n    return y\r\n"
    assert fix(source) == source.replace("y = h.relu_()", "h = h.relu()\r\n    y = h")
    cr = source.replace("\r\n", "\r")
    assert fix(cr) == cr.replace("y = h.relu_()", "h = h.relu()\r    y = h")


def test_tab_indented_methods_are_fixed_in_place():
    source = "import torch\nclass M(torch.nn.Module):\n\tdef forward(self, x):\n\t\th = torch.tanh(x)\n\t\th.add_(1)\n\t\treturn h\n"
    assert fix(source) == source.replace("h.add_(1)", "h = h.add(1)")


def test_continuation_lines_keep_their_columns():
    source = """\
        import torch
        class M(torch.nn.Module):
            def forward(self, x):
                h = torch.tanh(x)
                if x.numel(): h += (1 +
                                    2)  # aligned
                return h
        """
    out = fix(source)
    assert "if x.numel(): h = h + (1 +\n                            2)  # aligned\n" in out


def test_function_with_string_left_of_its_indentation_falls_back_to_the_whole_module():
    source = 'import torch\nclass M:\n    def f(self, z):\n        doc = """\nflush left\n"""\n        h = torch.exp(z)\n        h += 1\n        return h, doc\n'
    tree = ast.parse(source)
    file, candidates = scan(tree, (ast.AugAssign,), lambda n, file: True)
    assert find_regions(tree, split_lines(source), candidates, file.imports, file.class_parameters) == [WHOLE_MODULE]
    assert fix(source) == source.replace("h += 1", "h = h + 1")


def test_only_functions_holding_candidates_become_regions():
    source = "import torch\n\ndef a(x):\n    return x\n\nclass B:\n    def c(self, z):\n        z += 1\n"
    tree = ast.parse(source)
    file, candidates = scan(tree, (ast.AugAssign,), lambda n, file: True)
    regions = find_regions(tree, split_lines(source), candidates, file.imports, file.class_parameters)
    assert [(r.first, r.last, r.prefix) for r in regions] == [(7, 8, "    ")]


def test_a_candidate_outside_any_function_needs_the_whole_module():
    source = "import torch\n\ndef a(x):\n    x += 1\n\ny = torch.ones(1)\ny += 1\n"
    tree = ast.parse(source)
    file, candidates = scan(tree, (ast.AugAssign,), lambda n, file: True)
    assert find_regions(tree, split_lines(source), candidates, file.imports, file.class_parameters) == [WHOLE_MODULE]


def test_torch_import_is_added_when_a_twin_needs_it_and_the_file_lacks_it():
    source = '"""Doc."""\nfrom torch import nn\n\n\ndef f(w: nn.Parameter):\n    w.zero_()\n    return w\n'
    out = fix(source, anything)
    assert out == '"""Doc."""\nfrom torch import nn\nimport torch\n\n\ndef f(w: nn.Parameter):\n    w = torch.zeros_like(w)\n    return w\n'


def test_torch_alias_is_reused_in_templates():
    source = "import torch as T\n\ndef f(z):\n    w = T.exp(z)\n    w.zero_()\n    return w\n"
    assert fix(source, anything) == source.replace("w.zero_()", "w = T.zeros_like(w)")


def test_files_without_torch_or_candidates_are_skipped_before_parsing():
    assert engine.plan("x = 1\nx += 1\n", "t.py", RULES).status is FileStatus.SKIPPED
    assert engine.plan("import torch\nprint(1)\n", "t.py", RULES).status is FileStatus.SKIPPED


def test_a_write_in_a_branch_of_a_conditional_expression_is_not_hoisted():
    """Hoisted before the `return`, the write would run in both branches: its twin takes its place."""
    source = "import torch\n\ndef f(x: torch.Tensor, inplace: bool):\n    return x.sigmoid_() if inplace else x.sigmoid()\n"
    findings = engine.plan(source, "t.py", RULES).findings
    assert [(f.rule_id, f.safety) for f in findings] == [("IP102", Safety.UNSAFE)]  # `x` is the caller's
    assert fix(source, anything) == source.replace("x.sigmoid_()", "x.sigmoid()")
    reads_again = source.replace("x.sigmoid_() if inplace", "x.sigmoid_() + x if inplace")
    assert [f.safety for f in engine.plan(reads_again, "t.py", RULES).findings] == [Safety.DISPLAY_ONLY]


def test_a_run_of_statements_is_replaced_by_one_compound_statement():
    """`until` spans several lines; the `with` keeps the run's comments, indentation and newlines."""
    rule = registry.find_rule("IP108")
    source = (
        "import torch\n\n\nclass Fit:\n    def step(self, lr):\n"
        "        w = torch.ones(3, requires_grad=True)\r\n\r\n"
        "        # the update\r\n        w -= lr * w.grad  # weight\r\n"
        "        # then the decay\r\n        w.mul_(0.9)  # decay\r\n        return w\r\n"
    )
    expected = (
        "import torch\n\n\nclass Fit:\n    def step(self, lr):\n"
        "        w = torch.ones(3, requires_grad=True)\r\n\r\n"
        "        # the update\r\n        with torch.no_grad():\r\n            w -= lr * w.grad  # weight\r\n"
        "            # then the decay\r\n            w.mul_(0.9)  # decay\r\n        return w\r\n"
    )
    result = engine.fix(source, "t.py", [rule], safe)
    assert result.new_text == expected
    assert [f.span.start_line for f in result.findings] == [9] and result.findings[0].span.end_line == 11


def test_a_python_number_copied_in_is_a_fill():
    source = "import torch\ndef f(z):\n    x = torch.exp(z)\n    x.copy_(1)\n    x.fill_(2)\n    return x\n"
    out = fix(source, anything)
    assert "torch.as_tensor(1, " in out and "torch.as_tensor(2, " in out  # `1.to(...)` would not even parse
    compile(out, "t.py", "exec")


def _walked_class_parameters(node: ast.ClassDef, imports: regions.ImportMap) -> frozenset[str]:
    """The reference: `X` for each `self.X = nn.Parameter(...)` or `self.register_parameter("X", ...)` in the class."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call):
            if regions.qualify(regions.dotted_name(sub.value.func), imports) in regions.PARAMETER_CLASSES:
                found.update(t.attr for t in sub.targets if isinstance(t, ast.Attribute)
                             and isinstance(t.value, ast.Name) and t.value.id == "self")
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.args:
            first = sub.args[0]
            if sub.func.attr == "register_parameter" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return frozenset(found)


def test_class_parameters_from_the_scan_equal_a_walk_of_each_class():
    source = textwrap.dedent('''
        import torch
        from torch import nn
        from torch.nn import Parameter as P

        class A(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(torch.ones(1)); self.b = torch.zeros(1)
                self.register_parameter("g", P(torch.ones(1)))

            class Inner:
                def __init__(self):
                    self.v = torch.nn.parameter.Parameter(torch.ones(1))

        class B:
            def f(self):
                self.w = make(1)
                self.u, self.t = P(torch.ones(1)), 2
    ''')
    tree = ast.parse(source)
    file, _ = scan(tree, (), lambda node, facts: False)
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    walked = [_walked_class_parameters(c, file.imports) for c in classes]
    assert [file.class_parameters(c) for c in classes] == walked
    assert walked == [frozenset({"w", "g", "v"}), frozenset(), frozenset({"v"})]  # A, B, then A.Inner
    assert file.parameter_attributes == {"w", "g", "v"}
