"""Scaffold a new rule, as Ruff's `scripts/add_rule.py` does: its module, its golden folder with one
executed case, and its rows in the README's rule lists.

    python scripts/new_rule.py --code IP110 --name exp-on-saved --class ExpOnSaved

writes `codemods/exp_on_saved.py` (a working rule over a placeholder trigger, `h.exp_()`, importing
from `fixer` only `fixer.rule`), `golden/exp-on-saved/saved_output.{before,after}.py` (run under
torch by tests/test_golden.py: before fails in backward, after matches the reference) and the README
rows. It refuses a code, name, module or class that exists. CONTRIBUTING.md walks on from there.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from fixer.cli.report import rules_table  # noqa: E402 - the README lists rules as `outplace rules` prints them
from fixer.core.types import Safety  # noqa: E402

RULE = '''\
"""{code} {name}: `h.exp_()` on a tensor autograd saved (the scaffold's placeholder trigger: make it yours)."""

from __future__ import annotations

import re

import libcst as cst

from fixer.rule import Codemod, Trigger, assign

METHOD = "exp_"  # the placeholder trigger: the one in-place method this rule rewrites


class {cls}(Codemod):
    """
    ## What it does
    Finds `h.exp_()` statements on a tensor name and rewrites them as `h = h.exp()`.

    ## Why is this risky
    `h.exp_()` overwrites `h`. When autograd saved `h` for backward (the output of `sigmoid`,
    `exp`, `tanh`, `softmax`, or an input of `mul`, `matmul`, `pow`, ...), backward raises "one of
    the variables needed for gradient computation has been modified by an inplace operation".

    ## Example
    ```python
    h = torch.sigmoid(z)
    h.exp_()  # sigmoid saved h for backward
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(z)
    h = h.exp()
    ```

    ## Fix safety
    Safe when `h` is a local name that no alias, view, container, attribute or callee shares: the
    shared analysis (`self.risk`) makes the fix unsafe otherwise, and its message says why.

    ## Limitations
    Only a statement of its own on a name: `y = h.exp_()` and `t[0].exp_()` are not reported.
    """

    ID = "{code}"
    NAME = "{name}"
    FIX_TITLE = "Rebind the tensor to the out-of-place result"
    PREFILTER = re.compile(re.escape(f".{{METHOD}}("))  # a file without this text holds no finding
    # The trigger, declared once: the cheap pass (`ast`) and the visit (LibCST) both read it.
    TRIGGERS = (Trigger("Expr", lambda s: s.value.kind == "Call" and s.value.func.kind == "Attribute"
                        and s.value.method == METHOD and s.value.func.value.kind == "Name" and s.value.first is None and not s.value.keywords),)

    def check(self, node: cst.Expr) -> None:
        """Each matching statement, once every binding of the region is known (`Trigger.later`)."""
        call = node.value
        assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
        if not call.args:  # `h.exp_(*args)` passes the trigger: its arguments are unknown
            self._check(node, call.func.value)  # type: ignore[arg-type]

    def _check(self, node: cst.Expr, target: cst.Name) -> None:
        if self.updates_grad_leaf(target, [], node):
            return  # IP108 owns writes to leaves that require grad
        risk = self.risk(target, node, tensor=True)
        if risk is None:
            return  # no-grad code, a fresh tensor, or nothing saved it: intentional or harmless
        value = cst.Call(func=cst.Attribute(value=target, attr=cst.Name(METHOD.removesuffix("_"))))
        self.report_risk(node, risk, f"`{{target.value}}.{{METHOD}}()` writes `{{target.value}}` in place",
                         replacement=assign(target, value))
'''

CASE = '''\
# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(6, requires_grad=True),)


def run(z):
    h = torch.sigmoid(z)
    {write}  # sigmoid saved h for backward
    return h.sum()


def reference(z):
    return torch.sigmoid(z).exp().sum()
'''

ROWS_BLOCK = re.compile(r"(?<=```\n\$ outplace rules\n)(?P<rows>.*?)(?=```)", re.DOTALL)
TABLE_ROW = re.compile(r"^\| IP\d{3} \|.*\n", re.MULTILINE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", required=True, help="the rule id, IP followed by three digits: IP110")
    parser.add_argument("--name", required=True, help="kebab-case, saying the pattern: exp-on-saved")
    parser.add_argument("--class", dest="cls", required=True, help="the rule class: ExpOnSaved")
    parser.add_argument("--root", type=Path, default=REPO, help="the repository to write into")
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.root, args.code, args.name, args.cls)
    except ValueError as error:
        print(f"new_rule: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(args.root)}")
    print(f"next: python -m pytest -n 0 tests/test_golden.py -k {args.name} (and read CONTRIBUTING.md)")
    return 0


def scaffold(root: Path, code: str, name: str, cls: str) -> list[Path]:
    """Write the rule's module, golden case and README rows under `root`; the paths written."""
    module = root / "codemods" / f"{name.replace('-', '_')}.py"
    golden = root / "golden" / name
    refuse(root, code, name, cls, [module, golden])
    module.write_text(RULE.format(code=code, name=name, cls=cls))
    golden.mkdir(parents=True)
    before, after = golden / "saved_output.before.py", golden / "saved_output.after.py"
    before.write_text(CASE.format(write="h.exp_()"))
    after.write_text(CASE.format(write="h = h.exp()"))
    readme = root / "README.md"
    readme.write_text(with_rows(readme.read_text(), code, name))
    return [module, before, after, readme]


def refuse(root: Path, code: str, name: str, cls: str, paths: list[Path]) -> None:
    """ValueError when an argument is malformed or names what exists already."""
    if not re.fullmatch(r"IP\d{3}", code):
        raise ValueError(f"--code {code!r}: IP followed by three digits")
    if not re.fullmatch(r"[a-z]+(-[a-z]+)*", name):
        raise ValueError(f"--name {name!r}: lower-case words joined by '-'")
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", cls):
        raise ValueError(f"--class {cls!r}: a CamelCase identifier")
    rules = "".join(p.read_text() for p in sorted((root / "codemods").glob("*.py")))
    taken = {f"code {code}": rf'^\s*ID = "{code}"', f"name {name}": rf'^\s*NAME = "{name}"',
             f"class {cls}": rf"^class {cls}\b"}  # fmt: skip
    for what, pattern in taken.items():
        if re.search(pattern, rules, re.MULTILINE):
            raise ValueError(f"the {what} exists in codemods/: pick another")
    for path in paths:
        if path.exists():
            raise ValueError(f"{path.relative_to(root)} exists")


def with_rows(readme: str, code: str, name: str) -> str:
    """The README with the rule in the `outplace rules` listing (as that command prints it) and in
    the table of what each rule finds."""
    block = ROWS_BLOCK.search(readme)
    rows = TABLE_ROW.findall(readme)
    if block is None or not rows:
        raise ValueError("README.md: no `$ outplace rules` block or rule table to add the rule to")
    listed = [re.split(r"\s{2,}", line.strip(), maxsplit=3) for line in block["rows"].splitlines()[1:]]
    listed.append([code, name, Safety.SAFE.value, "Rebind the tensor to the out-of-place result"])
    rules = [SimpleNamespace(ID=i, NAME=n, SAFETY=Safety(s), FIX_TITLE=f) for i, n, s, f in sorted(listed)]
    readme = readme[: block.start()] + rules_table(rules) + readme[block.end():]
    row = f"| {code} | `h.exp_()` (the scaffold's placeholder: say what the rule finds) | `h = h.exp()` |\n"
    rows = list(TABLE_ROW.finditer(readme))
    at = next((m.start() for m in rows if m.group() > row), rows[-1].end())  # in id order
    return readme[:at] + row + readme[at:]


if __name__ == "__main__":
    sys.exit(main())
