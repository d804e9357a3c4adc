"""fixer/core/positions.py gives exactly LibCST's PositionProvider ranges, node for node."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fixer.core.positions import positions

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted([*REPO.glob("fixer/**/*.py"), *REPO.glob("codemods/*.py"), *REPO.glob("golden/*/*.before.py")])


def ranges_differ(source: str) -> list[str]:
    module = cst.parse_module(source)
    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ours = positions(module)
    assert len(ours) == len(theirs) > 0
    return [f"{type(node).__name__} {r} {ours.get(node)}" for node, r in theirs.items()
            if ours.get(node) != ((r.start.line, r.start.column), (r.end.line, r.end.column))]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_same_ranges_as_libcst_on_real_code(path: Path):
    assert ranges_differ(path.read_text().replace("\r\n", "\n").replace("\r", "\n")) == []


@pytest.mark.parametrize("source", [
    "",
    "x = 1",  # no trailing newline
    '@decorator(\n    arg,\n)\nasync def f(a, /, b=1, *c, d, **e) -> "T":\n    """doc\n\n    more"""\n    return (yield)\n',
    'x = f"{a!r:>{width}} {b}" f"""\n{c}\n"""  # comment\n',
    "if a:\n    pass\nelif b:  # why\n    pass\nelse:\n    pass\n",
    "try:\n    x\nexcept* E as e:\n    y\nfinally:\n    z\n",
    "match p:\n    case [1, *rest] | {'k': v} if v:\n        pass\n",
    "with (a as b, c):\n    d[1:2, ...] @= e ** -f\n",
    "x = [i for i in y if i] + {k: v for k, v in z}; del x\n\n\n# trailing comment\n",
])
def test_same_ranges_as_libcst_on_tricky_syntax(source: str):
    assert ranges_differ(source) == []
